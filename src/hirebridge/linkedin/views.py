"""The URL LinkedIn pushes to (the customer's CALLBACK_URL): answer its challenge, verify and
store each notification durably, answer at once. The worker does the rest."""

import json
import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hirebridge.linkedin import signatures, tasks
from hirebridge.linkedin.models import InboundEvent, Integration

logger = logging.getLogger("hirebridge.linkedin")
security = logging.getLogger("hirebridge.security")

# A push is a type and a request id; anything near this size is not LinkedIn.
MAX_PUSH_BYTES = 64 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, token: str) -> HttpResponse:
    integration = get_object_or_404(Integration, callback_token=token)
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
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_PUSH_BYTES:
        return JsonResponse({"message": f"body over {MAX_PUSH_BYTES} bytes"}, status=413)
    body = request.read(MAX_PUSH_BYTES + 1)
    if len(body) > MAX_PUSH_BYTES:
        return JsonResponse({"message": f"body over {MAX_PUSH_BYTES} bytes"}, status=413)
    if not signatures.is_valid(
        integration.client_secret, body, request.headers.get("X-LI-Signature", "")
    ):
        security.warning(
            "push with a bad or missing X-LI-Signature refused (integration %s, from %s)",
            integration.pk,
            request.META.get("REMOTE_ADDR"),
        )
        return JsonResponse({"message": "X-LI-Signature does not match"}, status=401)
    try:
        payload = json.loads(body)
        event_type = str(payload.get("type") or payload.get("eventType") or "")
        request_id = str(payload.get("requestId") or "")
    except (ValueError, AttributeError):
        return JsonResponse({"message": "body is not a JSON object"}, status=400)
    if not event_type or not request_id or len(request_id) > 100 or len(event_type) > 64:
        return JsonResponse({"message": "type and requestId are required"}, status=400)
    with transaction.atomic():
        event, created = InboundEvent.objects.get_or_create(
            integration=integration,
            request_id=request_id,
            defaults={"type": event_type, "payload": payload},
        )
        if created:
            # Rung once stored; a lost ring is made good by the sweeper.
            transaction.on_commit(lambda: tasks.process_event(event.pk), robust=True)
    logger.info("push %s %s %s", event_type, request_id, "stored" if created else "repeated")
    return JsonResponse({"requestId": request_id, "stored": created})
