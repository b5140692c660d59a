"""The API's error replies: every failure is `{"code": …, "message": …}` with Lever's codes.

Endpoints raise ApiError (through the helpers below) or let the pipeline's PipelineError,
Django's PermissionDenied and Http404 and ninja's ValidationError rise; `install` turns each
into that shape so no caller ever sees an HTML error page.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hirebridge.hiring.services import DuplicateOpportunity, PipelineError

E = TypeVar("E", bound=Exception)

# Lever's code for each refusal status.
CODES = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "ResourceNotFound",
    409: "ConflictError",
    429: "TooManyRequestsError",
}

AUTH_CHALLENGE = {"WWW-Authenticate": 'Basic realm="hirebridge"'}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequestError", message)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "UnauthorizedError", message, AUTH_CHALLENGE)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "ForbiddenError", message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", f"{what} was not found")


def conflict(message: str) -> ApiError:
    return ApiError(409, "ConflictError", message)


def too_many_requests(retry_after_seconds: int) -> ApiError:
    return ApiError(
        429,
        "TooManyRequestsError",
        f"Rate limit exceeded; retry in {retry_after_seconds} s",
        {"Retry-After": str(retry_after_seconds)},
    )


def _field_path(location: list[Any] | tuple[Any, ...]) -> str:
    """ninja's error location without its bookkeeping: ("body", "payload", "emails", 0) →
    "/emails/0", ("body", "payload") → "/" (the whole body), ("query", "limit") → "/limit"."""
    parts = list(location)
    if parts and parts[0] in ("body", "form", "file"):
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path", "header", "cookie"):
        parts = parts[1:]
    return "/" + "/".join(str(p) for p in parts)


def validation_message(errors: list[dict[str, Any]]) -> str:
    first = errors[0] if errors else {}
    path = _field_path(first.get("loc", ()))
    reason = first.get("msg", "invalid")
    return f"Invalid value at {path}: {reason}"


def invalid(field: str, reason: str) -> ApiError:
    return bad_request(f"Invalid value at /{field}: {reason}")


def pipeline_refusal(exc: PipelineError, fields: Mapping[str, str] | None = None) -> ApiError:
    """The pipeline's refusal in the API's wording; `fields` maps the pipeline's field names
    to the request's where they differ (a posting's `title` is sent as `text`)."""
    if isinstance(exc, DuplicateOpportunity):
        return conflict(exc.message)
    if exc.field is None:
        return bad_request(exc.message)
    reason = exc.message.removeprefix(f"{exc.field}: ")
    return invalid((fields or {}).get(exc.field, exc.field), reason)


def install(api: NinjaAPI) -> None:
    def reply(request: HttpRequest, error: ApiError) -> HttpResponse:
        response = api.create_response(
            request, {"code": error.code, "message": error.message}, status=error.status
        )
        for name, value in error.headers.items():
            response[name] = value
        return response

    def translate(exc_class: type[E], to_error: Callable[[E], ApiError]) -> None:
        # ninja's stubs allow a class in place of the instance; it always passes the instance.
        api.add_exception_handler(
            exc_class, lambda request, exc: reply(request, to_error(cast(E, exc)))
        )

    translate(ApiError, lambda exc: exc)
    translate(
        AuthenticationError,
        lambda exc: unauthorized(
            "Authentication required: send an API key as the HTTP Basic user name "
            "with an empty password"
        ),
    )
    # ninja's own refusals, such as a body that is not JSON.
    translate(
        HttpError,
        lambda exc: ApiError(
            exc.status_code, CODES.get(exc.status_code, "BadRequestError"), str(exc.message)
        ),
    )
    translate(ValidationError, lambda exc: bad_request(validation_message(exc.errors)))
    translate(PipelineError, pipeline_refusal)
    translate(PermissionDenied, lambda exc: forbidden(str(exc) or "This API key may not do that"))
    translate(Http404, lambda exc: ApiError(404, "ResourceNotFound", str(exc) or "Not found"))
