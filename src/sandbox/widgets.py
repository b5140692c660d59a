"""What every widget page LinkedIn renders inside an ATS shares: who embeds it (the child app's
api_key and the page origin, checked against its validJsSdkDomains), which Recruiter seat is
signed in to the widgets, and how a page is answered (framed only by that origin, callbacks to
the embedding page, a refusal page instead of JSON).

A widget page reads `api_key` and `origin` from its query string; its forms post to a URL that
carries `embed.query()` again, so every POST re-verifies the embed.
"""

import json
import sqlite3
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from sandbox.context import get_sandbox
from sandbox.errors import LinkedInError
from sandbox.routes.ui import SEAT_SQL, templates

SEAT_COOKIE = "li_widget_seat"
COOKIE_PATH = "/rsc/widgets"
SIGN_IN = "/rsc/widgets/sign-in"


@dataclass(frozen=True)
class Embed:
    """A verified embedding: this child app's widget, framed by this origin."""

    client_id: str
    organization_id: int
    origin: str

    @property
    def organization_urn(self) -> str:
        return f"urn:li:organization:{self.organization_id}"

    def fields(self, **extra: str) -> dict[str, str]:
        """The parameters that keep a page inside this embedding (hidden inputs of GET forms)."""
        return {"api_key": self.client_id, "origin": self.origin, **extra}

    def query(self, **extra: str) -> str:
        """The query string that keeps a link or POST form inside this embedding."""
        return urlencode(self.fields(**extra))


class WidgetRefused(Exception):
    """The widget will not render for this request; the reason is shown in its place."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def embed_of(conn: sqlite3.Connection, request: Request) -> Embed:
    """The embedding the query string claims, checked against the child app's JS SDK domains."""
    api_key = request.query_params.get("api_key", "")
    origin = request.query_params.get("origin", "")
    if not api_key:
        raise WidgetRefused(400, "api_key: required (the child application's client id)")
    if not origin:
        raise WidgetRefused(400, "origin: required (the origin of the page embedding the widget)")
    return verified_embed(conn, api_key, origin)


def verified_embed(conn: sqlite3.Connection, api_key: str, origin: str) -> Embed:
    """Shared by the widgets and the SDK config: an exact match of origin in validJsSdkDomains."""
    app = conn.execute(
        "SELECT client_id, organization_id, valid_js_sdk_domains FROM apps "
        "WHERE client_id = ? AND kind = 'child'",
        (api_key,),
    ).fetchone()
    if app is None or app["organization_id"] is None:
        raise WidgetRefused(401, f"api_key: {api_key!r} is not a known customer application")
    if origin not in json.loads(app["valid_js_sdk_domains"]):
        raise WidgetRefused(
            403,
            f"The origin {origin} is not in validJsSdkDomains of application {api_key}; "
            "register it with a partial update of provisionedApplications",
        )
    return Embed(app["client_id"], app["organization_id"], origin)


def signed_in_seat(conn: sqlite3.Connection, request: Request, embed: Embed) -> sqlite3.Row | None:
    """The active seat of the embed's organization signed in to the widgets, if any."""
    raw = request.cookies.get(SEAT_COOKIE, "")
    if not raw.isdigit():
        return None
    return conn.execute(
        SEAT_SQL + " AND s.id = ? AND o.id = ?", (int(raw), embed.organization_id)
    ).fetchone()


def frame_ancestors(origin: str) -> dict[str, str]:
    return {"Content-Security-Policy": f"frame-ancestors {origin}"}


def render_widget(
    request: Request, template: str, context: dict[str, Any], embed: Embed, status: int = 200
) -> Response:
    """A widget page that only the verified origin may frame."""
    return templates.TemplateResponse(
        request,
        template,
        {"callbacks": [], **context, "embed": embed},
        status_code=status,
        headers=frame_ancestors(embed.origin),
    )


def sign_in_redirect(request: Request, embed: Embed) -> Response:
    """To the widget sign-in, coming back to this page afterwards (call it from GET pages)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{SIGN_IN}?{embed.query(next=here)}", 303)


def callback(name: str, payload: Any) -> dict[str, Any]:
    """One `IN.callback` message the page posts to the embedding page when it loads."""
    return {"callback": name, "payload": payload}


def refused_page(request: Request, refusal: WidgetRefused) -> Response:
    """The reason in place of the widget. Framable by the claimed origin only when that origin
    is verified: an unverified embedder learns nothing, not even the reason."""
    try:
        with get_sandbox(request).db.reading() as conn:
            ancestors = embed_of(conn, request).origin
    except WidgetRefused:
        ancestors = "'none'"
    return templates.TemplateResponse(
        request,
        "widgets/refused.html",
        {"refusal": refusal, "callbacks": [], "embed": None},
        status_code=refusal.status,
        headers=frame_ancestors(ancestors),
    )


class WidgetRoute(APIRoute):
    """A WidgetRefused (or LinkedIn's own refusal) a widget route raises becomes the refused
    page, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except WidgetRefused as refusal:
                return refused_page(request, refusal)
            except LinkedInError as error:
                return refused_page(request, WidgetRefused(error.status, error.message))

        return answer
