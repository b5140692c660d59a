"""Lever's list envelope `{"data": […], "hasNext": …, "next": "<token>"}` with keyset paging.

The `next` token is the last row's ordering values, signed so that a client can only hand
back a token we issued for that same list; keyset paging neither skips nor repeats rows
when others are added meanwhile, and costs the same on the last page as on the first.
Ordering fields must not be null.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from hirebridge.api.errors import bad_request

M = TypeVar("M", bound=Model)

MAX_LIMIT = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(dt: datetime | None) -> int | None:
    return None if dt is None else (dt - EPOCH) // timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def one(data: Any) -> dict[str, Any]:
    return {"data": data}


def _salt(request: HttpRequest, order: Sequence[str]) -> str:
    return f"hirebridge.api.offset:{request.path}:{','.join(order)}"


def _token_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows that come after the row whose ordering values are `values`.

    The OR of "later on this field, equal on those before" says it exactly; the bound on the
    first field, implied by it, is what lets an index on the ordering start at the token
    instead of reading every row before it."""
    after = Q(pk__in=[])
    for i, field in enumerate(order):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        equal_before = {f.lstrip("-"): v for f, v in zip(order[:i], values[:i], strict=True)}
        after |= Q(**equal_before, **{f"{name}__{lookup}": values[i]})
    first = order[0]
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return bound & after


def _limit(limit: int | None) -> int:
    if limit is None:
        return MAX_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"Invalid value at /limit: must be between 1 and {MAX_LIMIT}")
    return limit


def paginate(
    request: HttpRequest,
    queryset: QuerySet[M],
    *,
    order: tuple[str, ...],
    limit: int | None,
    offset: str | None,
    serialize: Callable[[M], dict[str, Any]],
) -> dict[str, Any]:
    size = _limit(limit)
    rows = queryset.order_by(*order)
    salt = _salt(request, order)
    if offset:
        try:
            values = signing.loads(offset, salt=salt)
        except signing.BadSignature:
            raise bad_request("Invalid offset token") from None
        if not isinstance(values, list) or len(values) != len(order):
            raise bad_request("Invalid offset token")
        rows = rows.filter(_after(order, values))
    page = list(rows[: size + 1])
    has_next = len(page) > size
    page = page[:size]
    envelope: dict[str, Any] = {"data": [serialize(row) for row in page], "hasNext": has_next}
    if has_next:
        last = page[-1]
        envelope["next"] = signing.dumps(
            [_token_value(_attribute(last, f.lstrip("-"))) for f in order], salt=salt
        )
    return envelope


def _attribute(row: Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value
