"""Where a mail relay posts the raw MIME of replies from candidates (hiring.email threads them).

The relay authenticates with a shared secret header; with INBOUND_EMAIL_TOKEN unset the URL
does not exist. Accepted mail, threaded or ignored, is answered 202 so the relay stops retrying.
"""

import hmac
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from hirebridge.hiring import email

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
            request.META.get("REMOTE_ADDR"),
        )
        return JsonResponse({"message": f"{AUTH_HEADER} does not match"}, status=401)
    if request.content_type not in MIME_TYPES:
        return JsonResponse(
            {"message": f"Content-Type must be one of {', '.join(MIME_TYPES)}"}, status=415
        )
    too_large = JsonResponse({"message": f"body over {email.MAX_MIME_BYTES} bytes"}, status=413)
    if _declared_length(request) > email.MAX_MIME_BYTES:
        return too_large
    body = request.read(email.MAX_MIME_BYTES + 1)
    if len(body) > email.MAX_MIME_BYTES:
        return too_large
    try:
        message = email.receive_email(body)
    except email.MalformedEmail as exc:
        return JsonResponse({"message": str(exc)}, status=400)
    if message is None:
        return JsonResponse({"status": "ignored"}, status=202)
    return JsonResponse({"status": "threaded", "message": str(message.id)}, status=202)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return 0
