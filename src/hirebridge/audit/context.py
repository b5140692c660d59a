"""The request an audit row belongs to: its id, the client's address and who is signed in.

RequestContextMiddleware gives every request an id (the caller's `X-Request-ID` when it is a
short token, a new one otherwise), echoes it in the response and keeps it in a context variable,
so code far from the view (services, policy) records audit rows that name their request.
"""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None
    request: Any  # the HttpRequest: who is signed in is only known after authentication


current: ContextVar[RequestContext | None] = ContextVar("audit_request", default=None)


def request_id_of(request) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if _ACCEPTED_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(
            request_id_of(request), request.META.get("REMOTE_ADDR") or None, request
        )
        request.request_id = context.request_id
        token = current.set(context)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[REQUEST_ID_HEADER] = context.request_id
        return response
