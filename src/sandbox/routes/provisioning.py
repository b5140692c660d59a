"""provisionedApplications: the partner's parent app creates one child app per customer instance.

https://learn.microsoft.com/linkedin/talent/middleware-platform/provisioning-api

The create reply carries the child's credentials as `credentials: {clientId, clientSecret}`
(LinkedIn's docs do not name the fields); the finder returns the same element.
"""

import json
import random
import secrets
import sqlite3
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from sandbox import restli, tenant
from sandbox.auth import ParentApp
from sandbox.context import Call, CallDep, Sandbox, SandboxDep
from sandbox.errors import LinkedInError, bad_request

router = APIRouter()

NAME_MAX = 50
URL_LISTS = ("validJsSdkDomains", "oauth2AuthorizedCallbackUrls")
COLUMNS = {
    "validJsSdkDomains": "valid_js_sdk_domains",
    "oauth2AuthorizedCallbackUrls": "oauth2_callback_urls",
}
FIELDS = ("uniqueForeignId", "name", "description", *URL_LISTS)
KEY_PREFIX = "urn:li:developerApplication:"


def view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "key": row["app_key"],
        "uniqueForeignId": row["unique_foreign_id"],
        "name": row["name"],
        "description": row["description"],
        "validJsSdkDomains": json.loads(row["valid_js_sdk_domains"]),
        "oauth2AuthorizedCallbackUrls": json.loads(row["oauth2_callback_urls"]),
        "credentials": {"clientId": row["client_id"], "clientSecret": row["client_secret"]},
    }


def _origin(value: Any, name: str) -> str:
    """A JS SDK domain is a full origin: scheme, host and non-default port, no trailing slash."""
    parts = _url(value, name)
    if parts.path or parts.query or parts.fragment:
        raise bad_request(
            f"{name}: {value!r} must be an origin such as https://ats.example.com or "
            "http://localhost:8000 (no path and no trailing slash)"
        )
    return str(value)


def _callback(value: Any, name: str) -> str:
    if _url(value, name).fragment:
        raise bad_request(f"{name}: {value!r} must not have a fragment")
    return str(value)


def _url(value: Any, name: str) -> SplitResult:
    if not isinstance(value, str):
        raise bad_request(f"{name}: expected a string, got {value!r}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        raise bad_request(f"{name}: {value!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request(f"{name}: {value!r} must be an absolute http(s) URL")
    return parts


def _url_list(body: dict[str, Any], name: str) -> list[str]:
    values = body.get(name, [])
    if not isinstance(values, list):
        raise bad_request(f"{name}: expected a list of URLs")
    check = _origin if name == "validJsSdkDomains" else _callback
    return [check(value, f"{name}[{index}]") for index, value in enumerate(values)]


def _text(body: dict[str, Any], name: str, *, required: bool) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise bad_request(f"{name}: expected a non-empty string")
    return value


def _validated(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("Body must be a JSON object")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise bad_request(f"Unknown field(s): {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    name = _text(body, "name", required=True)
    if len(name) > NAME_MAX:
        raise bad_request(f"name: at most {NAME_MAX} characters (got {len(name)})")
    if "linkedin" in name.lower():
        raise bad_request("name: must not contain 'LinkedIn'")
    return {
        "uniqueForeignId": _text(body, "uniqueForeignId", required=True),
        "name": name,
        "description": _text(body, "description", required=False),
        **{field: _url_list(body, field) for field in URL_LISTS},
    }


@router.api_route("/v2/provisionedApplications", methods=["GET", "POST"])
def provisioned_applications(
    request: Request, call: CallDep, parent: ParentApp, sandbox: SandboxDep
) -> JSONResponse:
    if call.method == "finder":
        return _find(call, parent.client_id, sandbox)
    if call.method != "create":
        raise LinkedInError(405, f"{call.method} is not supported on provisionedApplications")
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise bad_request("Content-Type must be application/json")
    fields = _validated(call.body)
    with sandbox.db.transaction() as conn:
        taken = conn.execute(
            "SELECT 1 FROM apps WHERE parent_client_id = ? AND unique_foreign_id = ?",
            (parent.client_id, fields["uniqueForeignId"]),
        ).fetchone()
        if taken:
            raise LinkedInError(
                409,
                f"An application with uniqueForeignId {fields['uniqueForeignId']!r} exists "
                "already; find it with q=credentialsByUniqueForeignId",
            )
        client_id, secret = tenant.credentials(random.SystemRandom(), "77")
        key = _new_key(conn)
        conn.execute(
            "INSERT INTO apps(client_id, client_secret, kind, parent_client_id, app_key, "
            "unique_foreign_id, name, description, valid_js_sdk_domains, oauth2_callback_urls, "
            "created_at) VALUES (?, ?, 'child', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                client_id,
                secret,
                parent.client_id,
                key,
                fields["uniqueForeignId"],
                fields["name"],
                fields["description"],
                json.dumps(fields["validJsSdkDomains"]),
                json.dumps(fields["oauth2AuthorizedCallbackUrls"]),
                sandbox.clock.now_ms(),
            ),
        )
        row = conn.execute("SELECT * FROM apps WHERE client_id = ?", (client_id,)).fetchone()
    return JSONResponse(view(row), 201, headers={"X-RestLi-Id": key})


def _new_key(conn: sqlite3.Connection) -> str:
    while True:
        key = f"{KEY_PREFIX}{10**8 + secrets.randbelow(9 * 10**8)}"
        if not conn.execute("SELECT 1 FROM apps WHERE app_key = ?", (key,)).fetchone():
            return key


def _find(call: Call, parent_client_id: str, sandbox: Sandbox) -> JSONResponse:
    if call.required("q") != "credentialsByUniqueForeignId":
        raise bad_request(
            f"Unknown finder q={call.param('q')} "
            "(provisionedApplications has q=credentialsByUniqueForeignId)"
        )
    unique_foreign_id = call.required("uniqueForeignId")
    start, count = restli.paging(call.first_values)
    with sandbox.db.reading() as conn:
        rows = conn.execute(
            "SELECT * FROM apps WHERE parent_client_id = ? AND unique_foreign_id = ?",
            (parent_client_id, unique_foreign_id),
        ).fetchall()
    elements = [view(row) for row in rows]
    return JSONResponse(
        restli.finder_body(elements[start : start + count], start, count, len(elements))
    )


@router.api_route("/v2/provisionedApplications/{key}", methods=["GET", "POST"])
def provisioned_application(
    key: str, call: CallDep, parent: ParentApp, sandbox: SandboxDep
) -> Response:
    """PARTIAL_UPDATE of a child app's JS SDK domains or OAuth callback URLs (key: its URN)."""
    if call.method != "partial_update":
        raise LinkedInError(405, f"{call.method} is not supported on a provisioned application")
    key = unquote(key)
    patch = call.body.get("patch") if isinstance(call.body, dict) else None
    changes = patch.get("$set") if isinstance(patch, dict) and set(patch) == {"$set"} else None
    if not isinstance(changes, dict) or not changes:
        raise bad_request("Expected {'patch': {'$set': {'validJsSdkDomains': [...]}}}")
    for name in changes:
        if name not in URL_LISTS:
            raise bad_request(f"{name}: cannot be changed (only {' and '.join(URL_LISTS)})")
    values = {COLUMNS[name]: json.dumps(_url_list(changes, name)) for name in changes}
    with sandbox.db.transaction() as conn:
        found = conn.execute(
            "SELECT 1 FROM apps WHERE app_key = ? AND parent_client_id = ?",
            (key, parent.client_id),
        ).fetchone()
        if found is None:
            raise LinkedInError(404, f"No provisioned application {key}")
        for column, value in values.items():
            conn.execute(
                f"UPDATE apps SET {column} = ? WHERE app_key = ?",  # noqa: S608
                (value, key),
            )
    return Response(status_code=204)
