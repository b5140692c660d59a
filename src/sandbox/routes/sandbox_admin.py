"""The sandbox's own admin API (not LinkedIn's): the tenant, its members, runtime settings, fault
rules, a reset and the ledger of requests received. JSON only; bad input gets LinkedIn's error
shape with a message naming the field.

Follows no LinkedIn page: it stands in for the LinkedIn Developer Portal (credentials) and for
what a tester does by hand. See https://learn.microsoft.com/linkedin/talent/recruiter-system-connect
for the API it emulates.
"""

import json
import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox import faults, push, restli, state, tenant
from sandbox.context import SandboxDep
from sandbox.errors import LinkedInError, bad_request
from sandbox.middleware import ledger_ids

router = APIRouter(prefix="/_sandbox")

MEMBER_SEARCH_FIELDS = ("first_name || ' ' || last_name", "title", "company", "location", "email")
# What a reset wipes: everything synced, recorded or configured. Apps, the organization, its
# contracts, seats and members stay; integrations go back to how the sandbox started.
WIPED_TABLES = (
    "records",
    "job_tasks",
    "notifications",
    "deliveries",
    "callback_checks",
    "exports",
    "conversation_events",
    "mail_stubs",
    "prospect_notes",
    "usage",
    "ledger",
    "settings",
    "tokens",
    "configurations",
    "recommendation_dismissals",
    "preauthorizations",
)


async def json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        raise bad_request("body: not valid JSON") from None


def seeded_app(conn: sqlite3.Connection) -> sqlite3.Row:
    """The customer application the sandbox was seeded with (provisioned ones come later)."""
    row = conn.execute(
        "SELECT * FROM apps WHERE kind = 'child' AND organization_id = ? "
        "ORDER BY created_at, rowid LIMIT 1",
        (tenant.ORGANIZATION_ID,),
    ).fetchone()
    if row is None:
        raise LinkedInError(404, "The sandbox has no seeded customer application")
    return row


@router.get("/tenant")
def get_tenant(sandbox: SandboxDep) -> JSONResponse:
    """Everything the ATS (or LinkedIn's Postman collection) needs to be pointed at the sandbox."""
    with sandbox.db.reading() as conn:
        child = seeded_app(conn)
        parent = conn.execute(
            "SELECT client_id, client_secret FROM apps WHERE client_id = ?",
            (child["parent_client_id"],),
        ).fetchone()
        contracts = conn.execute(
            "SELECT id FROM contracts WHERE organization_id = ? ORDER BY id",
            (child["organization_id"],),
        ).fetchall()
        seats = conn.execute(
            "SELECT s.*, m.person_id FROM seats s JOIN members m ON m.id = s.member_id "
            "JOIN contracts c ON c.id = s.contract_id WHERE c.organization_id = ? ORDER BY s.id",
            (child["organization_id"],),
        ).fetchall()
        callback = push.callback_url(conn, child["client_id"], child["organization_id"])
    public_url = sandbox.settings.public_url
    return JSONResponse(
        {
            "partner_app": {
                "client_id": parent["client_id"],
                "client_secret": parent["client_secret"],
            },
            "customer_app": {
                "client_id": child["client_id"],
                "client_secret": child["client_secret"],
                "app_key": child["app_key"],
                "unique_foreign_id": child["unique_foreign_id"],
            },
            "organization_id": f"urn:li:organization:{child['organization_id']}",
            "contract_ids": [f"urn:li:contract:{row['id']}" for row in contracts],
            "seats": [
                {
                    "id": f"urn:li:seat:{seat['id']}",
                    "contract_id": f"urn:li:contract:{seat['contract_id']}",
                    "name": f"{seat['first_name']} {seat['last_name']}",
                    "email": seat["email"],
                    "member": f"urn:li:person:{seat['person_id']}",
                    "member_id": seat["member_id"],
                    "admin": bool(seat["admin"]),
                }
                for seat in seats
            ],
            "callback_url": callback,
            "api_base": public_url,
            "oauth_base": public_url,
            "platform_base": public_url,
        }
    )


def member_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "person": f"urn:li:person:{row['person_id']}",
        "firstName": row["first_name"],
        "lastName": row["last_name"],
        "headline": row["headline"],
        "location": row["location"],
        "title": row["title"],
        "company": row["company"],
        "email": row["email"],
        "phone": row["phone"],
        "openToWork": bool(row["open_to_work"]),
        "profileUrl": row["profile_url"],
        "closed": row["closed_at"] is not None,
    }


@router.get("/members")
def list_members(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """Members whose name, title, company, location or email contain every word of `q`."""
    params = dict(request.query_params)
    start, count = restli.paging(params, default_count=10, max_count=1000)
    where, args = [], []
    for word in params.get("q", "").split():
        where.append(
            "(" + " OR ".join(f"instr(lower({f}), ?) > 0" for f in MEMBER_SEARCH_FIELDS) + ")"
        )
        args += [word.lower()] * len(MEMBER_SEARCH_FIELDS)
    condition = ("WHERE " + " AND ".join(where)) if where else ""
    with sandbox.db.reading() as conn:
        total = conn.execute(f"SELECT COUNT(*) FROM members {condition}", args).fetchone()[0]  # noqa: S608
        rows = conn.execute(
            f"SELECT * FROM members {condition} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
            [*args, count, start],
        ).fetchall()
    return JSONResponse(
        {
            "elements": [member_json(row) for row in rows],
            "paging": {"start": start, "count": count, "total": total},
        }
    )


@router.get("/members/{member}")
def get_member(member: str, sandbox: SandboxDep) -> JSONResponse:
    """One member by number or by person URN."""
    if member.isdigit():
        sql, value = "SELECT * FROM members WHERE id = ?", member
    elif member.startswith("urn:li:person:"):
        sql, value = (
            "SELECT * FROM members WHERE person_id = ?",
            member.removeprefix("urn:li:person:"),
        )
    else:
        raise bad_request(f"id: expected a member number or urn:li:person:…, got {member!r}")
    with sandbox.db.reading() as conn:
        row = conn.execute(sql, (value,)).fetchone()
    if row is None:
        raise LinkedInError(404, f"No member {member}")
    return JSONResponse(member_json(row))


@router.get("/settings")
def get_settings(sandbox: SandboxDep) -> JSONResponse:
    with sandbox.db.reading() as conn:
        return JSONResponse(state.current(conn))


@router.put("/settings")
async def put_settings(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """Change some settings; the others keep their values."""
    patch = await json_body(request)
    with sandbox.db.transaction() as conn:
        try:
            return JSONResponse(state.update(conn, patch))
        except ValueError as exc:
            raise bad_request(str(exc)) from None


@router.get("/faults")
def get_faults(sandbox: SandboxDep) -> JSONResponse:
    with sandbox.db.reading() as conn:
        return JSONResponse(faults.stored(conn))


@router.put("/faults")
async def put_faults(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """Replace the whole fault configuration; counts and seeded decisions start again."""
    config = await json_body(request)
    with sandbox.db.transaction() as conn:
        try:
            return JSONResponse(faults.save(conn, config))
        except faults.Invalid as exc:
            raise bad_request(str(exc)) from None


@router.delete("/faults")
def delete_faults(sandbox: SandboxDep) -> JSONResponse:
    with sandbox.db.transaction() as conn:
        return JSONResponse(faults.clear(conn))


@router.post("/reset")
def reset(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """Back to the freshly seeded tenant, keeping its credentials and members."""
    onboarded = request.app.state.onboarded
    with sandbox.db.transaction() as conn:
        child = seeded_app(conn)
        for table in WIPED_TABLES:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608
        conn.execute("UPDATE members SET closed_at = NULL")
        conn.execute("DELETE FROM integrations WHERE client_id != ?", (child["client_id"],))
        conn.execute(
            "DELETE FROM apps WHERE kind = 'child' AND client_id != ?", (child["client_id"],)
        )
        seeded = [
            (f"urn:li:organization:{tenant.ORGANIZATION_ID}", t) for t in tenant.ORG_INTEGRATIONS
        ]
        seeded += [(f"urn:li:contract:{cid}", "CSA_API") for cid, _ in tenant.CONTRACTS]
        rows = conn.execute(
            "SELECT integration_context, integration_type FROM integrations WHERE client_id = ?",
            (child["client_id"],),
        ).fetchall()
        for row in rows:
            if (row["integration_context"], row["integration_type"]) not in seeded:
                conn.execute(
                    "DELETE FROM integrations WHERE client_id = ? AND integration_context = ? "
                    "AND integration_type = ?",
                    (child["client_id"], row["integration_context"], row["integration_type"]),
                )
        conn.execute(
            "UPDATE integrations SET integration_name = NULL, onboarding_status = ?, "
            "onboarded_at = ? WHERE client_id = ?",
            (
                "ONBOARDED" if onboarded else "NOT_ONBOARDED",
                child["created_at"] if onboarded else None,
                child["client_id"],
            ),
        )
    return JSONResponse({"reset": True})


@router.get("/ledger")
def ledger(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """Requests received, oldest first: after `since_id`, under `path` (a prefix), up to `limit`."""
    params = request.query_params
    since_id = _int_param(params.get("since_id"), "since_id", 0)
    limit = _int_param(params.get("limit"), "limit", 1000)
    if limit < 1 or limit > 10_000:
        raise bad_request("limit: must be between 1 and 10000")
    prefix = params.get("path", "")
    with sandbox.db.reading() as conn:
        rows = conn.execute(
            "SELECT * FROM ledger WHERE id > ? AND substr(path, 1, length(?)) = ? "
            "ORDER BY id LIMIT ?",
            (since_id, prefix, prefix, limit),
        ).fetchall()
    return JSONResponse(
        {
            "elements": [
                {
                    "id": row["id"],
                    "method": row["method"],
                    "path": row["path"],
                    "query": row["query"],
                    "ids": ledger_ids(row["query"]),
                    "client_id": row["client_id"],
                    "status": row["status"],
                    "fault": row["fault"],
                    "at": row["at"],
                }
                for row in rows
            ]
        }
    )


def _int_param(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"{name}: expected an integer, got {value!r}") from None


@router.get("/records")
def synced_records(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """What the ATS has synced, one resource at a time (atsCandidates, atsApplicationStages, …):
    keys, parents and bodies, in key order, `start`/`count` paged, with the total."""
    params = request.query_params
    resource = params.get("resource", "")
    if not resource:
        raise bad_request("resource: required, e.g. atsCandidates")
    start = _int_param(params.get("start"), "start", 0)
    count = _int_param(params.get("count"), "count", 1000)
    if count < 1 or count > 10_000:
        raise bad_request("count: must be between 1 and 10000")
    with sandbox.db.reading() as conn:
        total = conn.execute(
            "SELECT count(*) FROM records WHERE resource = ?", (resource,)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT record_key, parent_key, body, updated_at FROM records WHERE resource = ? "
            "ORDER BY record_key LIMIT ? OFFSET ?",
            (resource, count, start),
        ).fetchall()
    elements = [
        {
            "key": row["record_key"],
            "parent": row["parent_key"],
            "body": json.loads(row["body"]),
            "updatedAt": row["updated_at"],
        }
        for row in rows
    ]
    return JSONResponse({"elements": elements, "paging": {"start": start, "total": total}})
