"""Every 403 the site answers, UI and /v1 alike, becomes an audit row, whichever view, decorator
or middleware refused (PermissionDenied, the API's ForbiddenError, a failed CSRF check)."""

from hirebridge.audit.denials import record_denial

FORBIDDEN = 403


class DenialAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == FORBIDDEN:
            record_denial(FORBIDDEN)
        return response
