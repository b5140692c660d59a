"""A Content-Security-Policy on every response: no plugins (object-src), no <base> that could
send relative URLs elsewhere (base-uri), and no framing by other sites (frame-ancestors, the
modern form of X-Frame-Options: DENY). Scripts, styles and the LinkedIn widgets' iframes are
left unrestricted, so the pages that load LinkedIn's SDK keep working.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view that sets a stricter policy of its own keeps it.
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
