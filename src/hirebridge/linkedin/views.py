"""The URL LinkedIn pushes to (the customer's CALLBACK_URL): answer its challenge, verify and
store each notification durably, answer at once. The worker does the rest."""

import functools
import json
import logging
import math
import re
from typing import Any

from django.db import connection, transaction
from django.db.models import Field
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hirebridge.audit.context import client_address
from hirebridge.linkedin import signatures, tasks
from hirebridge.linkedin.models import InboundEvent, Integration

logger = logging.getLogger("hirebridge.linkedin")
security = logging.getLogger("hirebridge.security")

EVENT_TYPE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
REQUEST_ID = re.compile(r"[^\x00-\x1f\x7f]{1,100}")
# The key a repeated push collides on.
UNIQUE_REQUEST = "linkedin_inboundevent_unique_request"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, token: str) -> HttpResponse:
    # Only what the callback reads: the key of the events it stores and the secret it checks.
    integrations = Integration.objects.only("client_secret_encrypted")
    integration = get_object_or_404(integrations, callback_token=token)
    if request.method == "GET":
        return _challenge(request, integration)
    return _push(request, integration)


def _challenge(request: HttpRequest, integration: Integration) -> HttpResponse:
    code = request.GET.get("challengeCode", "")
    if not code or len(code) > 200:
        return JsonResponse({"message": "challengeCode is required"}, status=400)
    return JsonResponse(
        {
            "challengeCode": code,
            "challengeResponse": signatures.challenge_response(integration.client_secret, code),
        }
    )


def _push(request: HttpRequest, integration: Integration) -> HttpResponse:
    # body_limits.BodyLimitMiddleware has refused a body over LINKEDIN_CALLBACK_MAX_BYTES.
    body = request.read()
    if not signatures.is_valid(
        integration.client_secret, body, request.headers.get("X-LI-Signature", "")
    ):
        security.warning(
            "push with a bad or missing X-LI-Signature refused (integration %s, from %s)",
            integration.pk,
            client_address(request),
        )
        return JsonResponse({"message": "X-LI-Signature does not match"}, status=401)
    try:
        event_type, request_id, payload = _read_push(body)
    except MalformedPush as malformed:
        logger.warning("push refused (integration %s): %s", integration.pk, malformed)
        return JsonResponse({"message": str(malformed)}, status=400)
    event = InboundEvent(
        integration=integration, request_id=request_id, type=event_type, payload=payload
    )
    event_id = _store_once(event)
    if event_id is not None:
        # Rung once stored (at once, or when an enclosing transaction commits); a lost ring is
        # made good by the sweeper.
        transaction.on_commit(lambda: tasks.process_event(event_id), robust=True)
    created = event_id is not None
    logger.info("push %s %s %s", event_type, request_id, "stored" if created else "repeated")
    return JsonResponse({"requestId": request_id, "stored": created})


class MalformedPush(ValueError):
    """A signed body that is not a push hirebridge can store; the message names the field."""


def _read_push(body: bytes) -> tuple[str, str, dict[str, Any]]:
    """The type, request id and payload of a push, checked before anything is stored: a JSON
    object whose `type` is a name and whose `requestId` is a string (or a whole number) of
    printable characters, holding nothing the database refuses (NUL, lone surrogates, NaN)."""
    try:
        payload = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise MalformedPush("body: not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedPush("body: not a JSON object")
    event_type = payload.get("type") or payload.get("eventType")
    if not isinstance(event_type, str) or not EVENT_TYPE.fullmatch(event_type):
        raise MalformedPush("type: required, a name of at most 64 letters, digits and _.-")
    request_id = payload.get("requestId")
    if isinstance(request_id, int) and not isinstance(request_id, bool):
        request_id = str(request_id)
    if not isinstance(request_id, str) or not REQUEST_ID.fullmatch(request_id):
        raise MalformedPush("requestId: required, at most 100 printable characters")
    if not _storable(payload):
        raise MalformedPush("body: holds a NUL character, an unpaired surrogate or an infinity")
    return event_type, request_id, payload


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _storable(payload: dict[str, Any]) -> bool:
    """Whether PostgreSQL can store `payload` as JSON: no NUL character or unpaired surrogate
    in a key or string, no infinite number (JSON has none; 1e999 reads as one)."""
    pending: list[Any] = [payload]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif not _storable_scalar(value):
            return False
    return True


def _storable_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return "\x00" not in value
    return True


def _store_once(event: InboundEvent) -> int | None:
    """Insert `event` unless its request id is stored already; the new row's id, or None.

    One statement that is its own transaction, `INSERT … ON CONFLICT DO NOTHING RETURNING id`
    (PostgreSQL, SQLite ≥ 3.35): a push costs one round trip and one durable commit, and two
    deliveries of the same push at once still store one row. get_or_create would take a SELECT,
    a savepoint and a transaction around them.
    """
    fields = _stored_fields()
    values = [
        field.get_db_prep_save(field.pre_save(event, add=True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_once_sql(connection.vendor), values)
        # fetchall, not fetchone: SQLite commits a RETURNING statement only once it has run
        # to the end.
        inserted = cursor.fetchall()
    return inserted[0][0] if inserted else None


def _stored_fields() -> list[Field]:
    return [field for field in InboundEvent._meta.concrete_fields if not field.primary_key]


@functools.cache
def _insert_once_sql(vendor: str) -> str:
    """The statement `_store_once` runs, from the model's names quoted by `vendor`'s rules."""
    meta = InboundEvent._meta
    quote = connection.ops.quote_name
    unique = next(c for c in meta.total_unique_constraints if c.name == UNIQUE_REQUEST)
    table, key = quote(meta.db_table), quote(meta.pk.column)
    columns = ", ".join(quote(field.column) for field in _stored_fields())
    marks = ", ".join(["%s"] * len(_stored_fields()))
    column_of = {field.name: field.column for field in meta.concrete_fields}
    conflict = ", ".join(quote(column_of[name]) for name in unique.fields)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 (model names only)
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {key}"
    )
