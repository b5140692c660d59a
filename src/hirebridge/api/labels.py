"""What /tags and /sources share: each text with how many opportunities the key sees carry it."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Schema

from hirebridge.accounts.policy import visible_opportunities
from hirebridge.api.pagination import paginate
from hirebridge.hiring.models import Source, Tag


class LabelOut(Schema):
    text: str
    count: int


def _label_data(label: Any) -> dict[str, Any]:
    return {"text": label.text, "count": label.count}


def label_list(
    request: HttpRequest,
    model: type[Tag] | type[Source],
    *,
    limit: int | None,
    offset: str | None,
) -> dict[str, Any]:
    """Labels used on an opportunity the key may see (others would leak what hidden
    candidates are tagged with), counted over those opportunities only."""
    seen = Q(opportunities__in=visible_opportunities(request.auth))  # type: ignore[attr-defined]
    labels: QuerySet[Any] = model._default_manager.annotate(
        count=Count("opportunities", filter=seen, distinct=True)
    ).filter(count__gt=0)
    return paginate(
        request,
        labels,
        order=("text", "id"),
        limit=limit,
        offset=offset,
        serialize=_label_data,
    )
