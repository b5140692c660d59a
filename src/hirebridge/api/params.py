"""Query parameters the way Lever reads them: repeated values OR-ed, epoch-ms ranges,
`expand` checked against what a resource offers, and `perform_as`."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.api.errors import bad_request, forbidden
from hirebridge.api.pagination import from_epoch_ms


def many(request: HttpRequest, name: str) -> list[str]:
    """Every value of a repeated parameter (?tag=a&tag=b); the filter matches any of them."""
    return [value for value in request.GET.getlist(name) if value != ""]


def flag(request: HttpRequest, name: str) -> bool | None:
    """A true/false parameter; None when absent."""
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise bad_request(f"Invalid value at /{name}: expected true or false")


def epoch_range(request: HttpRequest, name: str, field: str) -> dict[str, Any]:
    """Filters for `{name}_start` and `{name}_end` (epoch ms, both inclusive) on `field`.

    Times are stored to the microsecond, so the end millisecond includes up to the next one."""
    filters: dict[str, Any] = {}
    for suffix, lookup, extra_ms in (("start", "gte", 0), ("end", "lt", 1)):
        param = f"{name}_{suffix}"
        raw = request.GET.get(param)
        if raw is None or raw == "":
            continue
        try:
            filters[f"{field}__{lookup}"] = from_epoch_ms(int(raw) + extra_ms)
        except (ValueError, OverflowError):
            raise bad_request(f"Invalid value at /{param}: expected epoch milliseconds") from None
    return filters


def expand(request: HttpRequest, allowed: Iterable[str]) -> set[str]:
    """The `expand` values asked for; one the resource does not offer is refused by name."""
    offered = tuple(allowed)
    wanted = set(many(request, "expand"))
    for value in sorted(wanted):
        if value not in offered:
            raise bad_request(
                f"Invalid value at /expand: {value!r} is not one of {', '.join(offered)}"
            )
    return wanted


def acting_user(request: HttpRequest, perform_as: str | None) -> User:
    """Who a write is done as: the key's owner, or with `perform_as=<user id>` (Super Admin
    keys only) another active user, whose permissions then apply."""
    owner: User = request.auth  # type: ignore[attr-defined]
    if not perform_as:
        return owner
    try:
        user_id = uuid.UUID(perform_as)
    except ValueError:
        raise bad_request("Invalid value at /perform_as: not a user id") from None
    if user_id == owner.pk:
        return owner
    if owner.role != Role.SUPER_ADMIN:
        raise forbidden("perform_as: only a Super Admin's API key may act as another user")
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise bad_request("Invalid value at /perform_as: no such user")
    if not user.is_active:
        raise bad_request("Invalid value at /perform_as: that user is deactivated")
    return user
