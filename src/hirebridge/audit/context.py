"""The request an audit row belongs to: its id, the client's address and who is signed in.

RequestContextMiddleware gives every request an id (the caller's `X-Request-ID` when it is a
short token, a new one otherwise), echoes it in the response and keeps it in a context variable,
so code far from the view (services, policy) records audit rows that name their request.
"""

import ipaddress
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None
    request: Any  # the HttpRequest: who is signed in is only known after authentication


current: ContextVar[RequestContext | None] = ContextVar("audit_request", default=None)


def client_address(request) -> str | None:
    """The client's IP address. Behind the TLS proxy (BEHIND_TLS_PROXY) every connection comes
    from the proxy, so the address is the last X-Forwarded-For entry: the one the proxy itself
    appended, which a client cannot forge. None when it is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded.strip():
        address = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def request_id_of(request) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if _ACCEPTED_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(request_id_of(request), client_address(request), request)
        request.request_id = context.request_id
        token = current.set(context)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[REQUEST_ID_HEADER] = context.request_id
        return response
