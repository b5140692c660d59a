"""The security audit log (see models.AuditEvent): `record` is the one way rows are written."""

import json
import logging
from typing import TYPE_CHECKING, Any

from hirebridge.audit.context import client_address, current

if TYPE_CHECKING:
    from hirebridge.audit.models import AuditEvent

log = logging.getLogger("hirebridge.audit")


def record(
    action: str,
    *,
    target: Any = None,
    actor: Any = None,
    request: Any = None,
    detail: dict[str, Any] | None = None,
) -> "AuditEvent":
    """Write one audit row and log it as a JSON line.

    `target` is a model instance or an (object_type, object_id) pair; `actor` a User, an
    ApiKey, the string "linkedin" or "system", or None for whoever is signed in on the current
    request (anonymous when nobody is, "system" outside a request). `detail` must hold no
    personal data: ids, field names, roles, counts.
    """
    from hirebridge.audit.models import AuditEvent

    context = current.get()
    if request is None and context is not None:
        request = context.request
    kind, actor_id = _actor(actor, request)
    object_type, object_id = _target(target)
    event = AuditEvent.objects.create(
        actor_kind=kind,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip=client_address(request) if request is not None else None,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        detail=detail or {},
    )
    log.info(
        json.dumps(
            {
                "action": action,
                "actor": f"{kind}:{actor_id}",
                "object": f"{object_type}:{object_id}",
                "ip": event.ip,
                "request_id": event.request_id,
                "detail": event.detail,
            },
            sort_keys=True,
            default=str,
        )
    )
    return event


def _actor(actor: Any, request: Any) -> tuple[str, str]:
    from hirebridge.accounts.models import ApiKey, User

    if actor is None and request is not None:
        # /v1 signs its caller in as request.auth; the web UI as request.user.
        for signed_in in (getattr(request, "auth", None), getattr(request, "user", None)):
            if isinstance(signed_in, User) and signed_in.is_authenticated:
                actor = signed_in
                break
    if isinstance(actor, User):
        return "user", str(actor.pk)
    if isinstance(actor, ApiKey):
        return "api_key", str(actor.pk)
    if actor in ("linkedin", "system"):
        return actor, ""
    if request is not None:
        return "anonymous", ""
    return "system", ""


def _target(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        object_type, object_id = target
        return str(object_type), str(object_id)
    return target._meta.model_name, str(target.pk)
