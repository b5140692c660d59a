"""Request bodies over their URL's limit are refused with 413 before a byte of them is read.

Each kind of URL has its own limit (settings, from the environment): LinkedIn's push callback
LINKEDIN_CALLBACK_MAX_BYTES (a push is a type and a request id), the mail relay's
INBOUND_EMAIL_MAX_BYTES (raw MIME with attachments), the REST API API_MAX_BYTES, every other
URL Django's DATA_UPLOAD_MAX_MEMORY_SIZE. A declared Content-Length decides at once; a chunked
body, which declares none, is read up to one byte past the limit and refused when it goes past,
else handed on to the view as if it had declared its length.
"""

import io
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

# URL names with a limit of their own, and the setting that holds it.
NAMED_LIMITS = {
    "linkedin-callback": "LINKEDIN_CALLBACK_MAX_BYTES",
    "inbound-email": "INBOUND_EMAIL_MAX_BYTES",
}
# Every URL of the REST API (django-ninja's URL app).
API_APP = "ninja"
API_LIMIT = "API_MAX_BYTES"
DEFAULT_LIMIT = "DATA_UPLOAD_MAX_MEMORY_SIZE"
READ_CHUNK = 64 * 1024


def limit_for(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    try:
        match = resolve(path)
    except Resolver404:
        return getattr(settings, DEFAULT_LIMIT)
    if match.url_name in NAMED_LIMITS:
        return getattr(settings, NAMED_LIMITS[match.url_name])
    if API_APP in match.app_names:
        return getattr(settings, API_LIMIT)
    return getattr(settings, DEFAULT_LIMIT)


def smallest_limit() -> int:
    """Below this every body is allowed, whatever its URL, without resolving it."""
    names = [*NAMED_LIMITS.values(), API_LIMIT, DEFAULT_LIMIT]
    return min(getattr(settings, name) for name in names)


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared:
            return self._declared(request, declared)
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self._chunked(request)
        return self.get_response(request)

    def _declared(self, request: HttpRequest, declared: str) -> HttpResponse:
        if not (declared.isascii() and declared.isdigit()):
            return JsonResponse(
                {"message": "Content-Length: not a whole number of bytes"}, status=400
            )
        length = int(declared)
        if length > smallest_limit():
            limit = limit_for(request.path_info)
            if length > limit:
                return too_large(limit)
        return self.get_response(request)

    def _chunked(self, request: HttpRequest) -> HttpResponse:
        limit = limit_for(request.path_info)
        # Under WSGI the view's stream stops at the declared length, none here: read the
        # server's input itself, then hand the view what was read.
        body = _read_at_most(request.META.get("wsgi.input", request), limit + 1)
        if len(body) > limit:
            return too_large(limit)
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = io.BytesIO(body)
        return self.get_response(request)


def too_large(limit: int) -> JsonResponse:
    return JsonResponse(
        {"message": f"request body over {limit} bytes, the limit for this URL"}, status=413
    )


class Readable(Protocol):
    def read(self, size: int) -> bytes: ...


def _read_at_most(stream: Readable, size: int) -> bytes:
    """Up to `size` bytes of `stream`, fewer only at its end."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = stream.read(min(remaining, READ_CHUNK))
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
