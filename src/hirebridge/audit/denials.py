"""Refused requests in the audit log (ASVS 16.3.2): a 403, and a 404 for an object that exists
but that the caller may not see.

A row names the route (its URL name, never the raw path or query string, which may carry
search terms) and the object the URL points at, so a denial can be traced without the log
holding anything personal. One request records at most one denial.
"""

from typing import Any

from hirebridge.audit import record
from hirebridge.audit.context import current

DENIED = "access.denied"
ID_SUFFIX = "_id"
ID_MAX_LENGTH = 64
_RECORDED = "audit_denial_recorded"


def record_denial(status: int, *, target: Any = None, actor: Any = None) -> None:
    """Record that the current request was refused with `status`. `target` defaults to the
    object the URL names (its `<kind>_id` parameter); nothing is recorded twice."""
    context = current.get()
    request = context.request if context is not None else None
    if request is not None and getattr(request, _RECORDED, False):
        return
    route, named = _route(request)
    record(
        DENIED,
        target=target or named,
        actor=actor,
        request=request,
        detail={"route": route, "method": getattr(request, "method", ""), "status": status},
    )
    if request is not None:
        setattr(request, _RECORDED, True)


def _route(request: Any) -> tuple[str, tuple[str, str] | None]:
    """The route's name and the object its URL names: the first `<kind>_id` parameter (secret
    URL segments such as the LinkedIn callback token are not ids and are left out)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", None
    for name, value in match.kwargs.items():
        if name.endswith(ID_SUFFIX):
            return match.view_name, (name.removesuffix(ID_SUFFIX), str(value)[:ID_MAX_LENGTH])
    return match.view_name, None
