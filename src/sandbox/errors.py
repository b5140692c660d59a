"""LinkedIn's error bodies: `{"status", "serviceErrorCode", "code", "message"}`."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

# serviceErrorCode values LinkedIn's gateway uses; where LinkedIn's docs are silent the sandbox
# reuses these (see the sandbox README).
SERVICE_CODES = {400: 100, 401: 65600, 403: 100, 404: 100, 409: 100, 414: 100, 422: 100, 429: 101}
CODES = {
    400: "BAD_REQUEST",
    401: "INVALID_ACCESS_TOKEN",
    403: "ACCESS_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    414: "URI_TOO_LONG",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
}


def error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "status": status,
        "serviceErrorCode": SERVICE_CODES.get(status, 0),
        "code": CODES.get(status, "ERROR"),
        "message": message,
    }


class LinkedInError(Exception):
    """Refuse the whole request the way LinkedIn does."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> LinkedInError:
    return LinkedInError(400, message)


async def handle_linkedin_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, LinkedInError):
        raise exc
    return JSONResponse(error_body(exc.status, exc.message), exc.status, headers=exc.headers)
