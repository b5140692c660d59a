"""POST /oauth/v2/accessToken: OAuth 2.0 client credentials, form-encoded, as LinkedIn serves it."""

import hmac
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.auth import issue_token
from sandbox.context import SandboxDep

router = APIRouter()


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


@router.post("/oauth/v2/accessToken")
async def access_token(request: Request, sandbox: SandboxDep) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return oauth_error(
            400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
        )
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    for name in ("grant_type", "client_id", "client_secret"):
        if not form.get(name):
            return oauth_error(400, "invalid_request", f'A required parameter "{name}" is missing')
    if form["grant_type"] != "client_credentials":
        return oauth_error(
            400, "unsupported_grant_type", f"grant_type {form['grant_type']!r} is not supported"
        )
    with sandbox.db.transaction() as conn:
        app = conn.execute(
            "SELECT client_secret FROM apps WHERE client_id = ?", (form["client_id"],)
        ).fetchone()
        if app is None or not hmac.compare_digest(app["client_secret"], form["client_secret"]):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        token, ttl = issue_token(conn, sandbox, form["client_id"])
    request.state.client_id = form["client_id"]
    return JSONResponse({"access_token": token, "expires_in": ttl})
