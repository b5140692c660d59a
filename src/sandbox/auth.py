"""OAuth 2.0 client credentials, and who is calling: the partner's parent app or a customer's child.

Tokens live `token_ttl_seconds` (LinkedIn: 1800). A parent token may only provision; every
other API takes a child token.
"""

import secrets
import sqlite3
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from sandbox.context import Sandbox, SandboxDep
from sandbox.errors import LinkedInError


@dataclass(frozen=True)
class App:
    client_id: str
    kind: str
    organization_id: int | None

    @property
    def is_parent(self) -> bool:
        return self.kind == "parent"


# A member's 3-legged token lives 60 days at LinkedIn.
MEMBER_TOKEN_TTL_SECONDS = 60 * 24 * 3600


def issue_token(
    conn: sqlite3.Connection, sandbox: Sandbox, client_id: str, member_id: int | None = None
) -> tuple[str, int]:
    token = "AQ" + secrets.token_urlsafe(48)
    ttl = sandbox.settings.token_ttl_seconds if member_id is None else MEMBER_TOKEN_TTL_SECONDS
    conn.execute(
        "INSERT INTO tokens(token, client_id, member_id, expires_at) VALUES (?, ?, ?, ?)",
        (token, client_id, member_id, sandbox.clock.now_ms() + ttl * 1000),
    )
    conn.execute("DELETE FROM tokens WHERE expires_at < ?", (sandbox.clock.now_ms(),))
    return token, ttl


def _unauthorized(message: str) -> LinkedInError:
    return LinkedInError(401, message)


def get_caller(request: Request, sandbox: SandboxDep) -> App:
    row = _token_row(request, sandbox)
    if row["member_id"] is not None:
        raise LinkedInError(
            403,
            "This API takes an application token (client credentials), "
            "not a member's 3-legged token",
        )
    return App(row["client_id"], row["kind"], row["organization_id"])


def _token_row(request: Request, sandbox: Sandbox) -> sqlite3.Row:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Empty oauth2 access token")
    with sandbox.db.reading() as conn:
        row = conn.execute(
            "SELECT t.expires_at, t.member_id, a.client_id, a.kind, a.organization_id "
            "FROM tokens t JOIN apps a USING (client_id) WHERE t.token = ?",
            (token.strip(),),
        ).fetchone()
    if row is None:
        raise _unauthorized("Invalid access token")
    if row["expires_at"] <= sandbox.clock.now_ms():
        raise _unauthorized("The token used in the request has expired")
    request.state.client_id = row["client_id"]
    return row


def get_member_id(request: Request, sandbox: SandboxDep) -> int:
    """The member a 3-legged token speaks for (GET /v2/me)."""
    row = _token_row(request, sandbox)
    if row["member_id"] is None:
        raise LinkedInError(403, "Not enough permissions: this API needs a member's 3-legged token")
    return row["member_id"]


MemberId = Annotated[int, Depends(get_member_id)]


def get_child_app(caller: Annotated[App, Depends(get_caller)]) -> App:
    if caller.is_parent:
        raise LinkedInError(
            403, "A partner application token may only call provisionedApplications"
        )
    return caller


def get_parent_app(caller: Annotated[App, Depends(get_caller)]) -> App:
    if not caller.is_parent:
        raise LinkedInError(403, "Not enough permissions to access provisionedApplications")
    return caller


ChildApp = Annotated[App, Depends(get_child_app)]
ParentApp = Annotated[App, Depends(get_parent_app)]


def require_enabled(conn: sqlite3.Connection, app: App, integration_context: str) -> None:
    """Writes for a context need an integration the customer has enabled there (403 otherwise)."""
    row = conn.execute(
        "SELECT 1 FROM integrations WHERE client_id = ? AND integration_context = ? "
        "AND onboarding_status = 'ONBOARDED' LIMIT 1",
        (app.client_id, integration_context),
    ).fetchone()
    if row is None:
        raise LinkedInError(
            403, f"The customer has not enabled an integration for {integration_context}"
        )
