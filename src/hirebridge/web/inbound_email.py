"""Where a mail relay posts the raw MIME of replies from candidates (hiring.email threads them).

The relay authenticates with a shared secret header; with INBOUND_EMAIL_TOKEN unset the URL
does not exist. Accepted mail, threaded or ignored, is answered 202 so the relay stops retrying;
MIME that cannot be read is answered 400 with the reason, and logged.
"""

import hmac
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from hirebridge.audit.context import client_address
from hirebridge.hiring import email

logger = logging.getLogger("hirebridge.email")
security = logging.getLogger("hirebridge.security")

AUTH_HEADER = "X-Hirebridge-Inbound-Token"
MIME_TYPES = ("message/rfc822", "application/octet-stream")


@csrf_exempt
def receive(request: HttpRequest) -> HttpResponse:
    token = settings.INBOUND_EMAIL_TOKEN
    if not token:
        raise Http404("inbound email is not configured")
    if request.method != "POST":
        return JsonResponse(
            {"message": "POST raw MIME here"}, status=405, headers={"Allow": "POST"}
        )
    if not hmac.compare_digest(request.headers.get(AUTH_HEADER, "").encode(), token.encode()):
        security.warning(
            "inbound email with a bad or missing %s refused (from %s)",
            AUTH_HEADER,
            client_address(request),
        )
        return JsonResponse({"message": f"{AUTH_HEADER} does not match"}, status=401)
    if request.content_type not in MIME_TYPES:
        return JsonResponse(
            {"message": f"Content-Type must be one of {', '.join(MIME_TYPES)}"}, status=415
        )
    # body_limits.BodyLimitMiddleware has refused a body over INBOUND_EMAIL_MAX_BYTES; read()
    # and not request.body, which stops at Django's smaller DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.read()
    try:
        message = email.receive_email(body)
    except email.MalformedEmail as exc:
        logger.warning("inbound email refused: %s", exc)
        return JsonResponse({"message": str(exc)}, status=400)
    if message is None:
        return JsonResponse({"status": "ignored"}, status=202)
    return JsonResponse({"status": "threaded", "message": str(message.id)}, status=202)
