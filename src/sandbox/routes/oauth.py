"""LinkedIn's OAuth 2.0: client credentials (2-legged, every RSC call) and the authorization
code flow (3-legged, a member's token, used only to learn a person id through GET /v2/me).

https://learn.microsoft.com/linkedin/shared/authentication/client-credentials-flow
https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow
"""

import hmac
import json
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.auth import MemberId, issue_token
from sandbox.context import SandboxDep

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
CODE_TTL_MS = 30 * 60 * 1000
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "state", "scope")
FORM_TYPES = ("application/x-www-form-urlencoded", "text/plain", "")


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


@router.post("/oauth/v2/accessToken")
async def access_token(request: Request, sandbox: SandboxDep) -> JSONResponse:
    # LinkedIn's own Postman collection sends its partner token request as text/plain with a
    # form body, and LinkedIn answers it: so a form body is read under either content type.
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        return oauth_error(
            400,
            "invalid_request",
            "Send the parameters as an application/x-www-form-urlencoded body",
        )
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    grant = form.get("grant_type")
    needed = ("grant_type", "client_id", "client_secret") + (
        ("code", "redirect_uri") if grant == "authorization_code" else ()
    )
    for name in needed:
        if not form.get(name):
            return oauth_error(400, "invalid_request", f'A required parameter "{name}" is missing')
    if grant not in ("client_credentials", "authorization_code"):
        return oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
    with sandbox.db.transaction() as conn:
        app = conn.execute(
            "SELECT client_secret FROM apps WHERE client_id = ?", (form["client_id"],)
        ).fetchone()
        if app is None or not hmac.compare_digest(app["client_secret"], form["client_secret"]):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        member_id = None
        if grant == "authorization_code":
            code = conn.execute(
                "DELETE FROM oauth_codes WHERE code = ? AND client_id = ? RETURNING *",
                (form["code"], form["client_id"]),
            ).fetchone()
            if (
                code is None
                or code["expires_at"] <= sandbox.clock.now_ms()
                or code["redirect_uri"] != form["redirect_uri"]
            ):
                return oauth_error(
                    400,
                    "invalid_request",
                    "The authorization code is invalid, used or expired, or the "
                    "redirect_uri does not match",
                )
            member_id = code["member_id"]
        token, ttl = issue_token(conn, sandbox, form["client_id"], member_id)
    request.state.client_id = form["client_id"]
    return JSONResponse({"access_token": token, "expires_in": ttl})


def _authorize_request(conn, params: dict[str, str]) -> tuple[dict | None, str | None]:
    """The app asking, or why the request cannot even be shown to the member."""
    if params.get("response_type") != "code":
        return None, "response_type must be 'code'"
    app = conn.execute(
        "SELECT * FROM apps WHERE client_id = ?", (params.get("client_id", ""),)
    ).fetchone()
    if app is None:
        return None, "Unknown client_id"
    if params.get("redirect_uri") not in json.loads(app["oauth2_callback_urls"]):
        return None, "redirect_uri is not one of the application's authorized redirect URLs"
    return dict(app), None


def _consent_page(
    request: Request, sandbox, app: dict, params: dict, error: str = "", email: str = ""
) -> HTMLResponse:
    with sandbox.db.reading() as conn:
        examples = [r["email"] for r in conn.execute("SELECT email FROM seats ORDER BY id LIMIT 3")]
    return templates.TemplateResponse(
        request,
        "oauth_authorize.html",
        {
            "app_name": app["name"],
            "params": params,
            "scope": params.get("scope"),
            "error": error,
            "member_email": email,
            "examples": examples,
        },
        status_code=400 if error else 200,
    )


@router.get("/oauth/v2/authorization")
def authorization_page(request: Request, sandbox: SandboxDep) -> Response:
    params = {k: v for k, v in request.query_params.items() if k in AUTHORIZE_PARAMS}
    with sandbox.db.reading() as conn:
        app, problem = _authorize_request(conn, params)
    if app is None:
        return oauth_error(400, "invalid_request", problem or "")
    return _consent_page(request, sandbox, app, params)


@router.post("/oauth/v2/authorization")
async def authorize(request: Request, sandbox: SandboxDep) -> Response:
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    params = {k: v for k, v in form.items() if k in AUTHORIZE_PARAMS}
    back = {"state": params["state"]} if params.get("state") else {}
    with sandbox.db.transaction() as conn:
        app, problem = _authorize_request(conn, params)
        if app is None:
            return oauth_error(400, "invalid_request", problem or "")
        if form.get("decision") != "allow":
            return RedirectResponse(
                params["redirect_uri"]
                + "?"
                + urlencode(
                    {
                        "error": "user_cancelled_authorize",
                        "error_description": "The member cancelled the authorization",
                        **back,
                    }
                ),
                302,
            )
        member = conn.execute(
            "SELECT id FROM members WHERE lower(email) = lower(?) AND closed_at IS NULL",
            (form.get("member_email", ""),),
        ).fetchone()
        if member is None:
            return _consent_page(
                request,
                sandbox,
                app,
                params,
                "No LinkedIn member has that email.",
                form.get("member_email", ""),
            )
        code = secrets.token_urlsafe(32)
        conn.execute(
            "INSERT INTO oauth_codes(code, client_id, redirect_uri, member_id, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                code,
                params["client_id"],
                params["redirect_uri"],
                member["id"],
                sandbox.clock.now_ms() + CODE_TTL_MS,
            ),
        )
    return RedirectResponse(params["redirect_uri"] + "?" + urlencode({"code": code, **back}), 302)


@router.get("/v2/me")
def me(request: Request, member_id: MemberId, sandbox: SandboxDep) -> JSONResponse:
    """The signed-in member (lite profile); `fields=` narrows it as Rest.li projections do."""
    with sandbox.db.reading() as conn:
        row = conn.execute("SELECT * FROM members WHERE id = ?", (member_id,)).fetchone()
    profile = {
        "id": row["person_id"],
        "localizedFirstName": row["first_name"],
        "localizedLastName": row["last_name"],
        "localizedHeadline": row["headline"],
    }
    fields = [f for f in request.query_params.get("fields", "").split(",") if f]
    return JSONResponse({k: v for k, v in profile.items() if k in fields} if fields else profile)
