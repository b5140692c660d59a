"""Sandbox-only actions for the customer's side of RSC: a recruiter's 1-Click Export, the admin
enabling or disabling an integration in Recruiter, and what LinkedIn pushed to the ATS. Not
LinkedIn's API: these make the pushes of
https://learn.microsoft.com/linkedin/talent/receive-push-events happen.

JSON in, JSON out; bad input is answered in LinkedIn's 400 shape naming the field.
"""

import sqlite3

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sandbox import exporting, push, tenant
from sandbox.context import CallDep, Sandbox, SandboxDep
from sandbox.errors import bad_request
from sandbox.routes import integrations, sandbox_admin
from sandbox.routes.sandbox_recruiter import fields

router = APIRouter(prefix="/_sandbox")


@router.post("/actions/export")
def export(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    body = fields(
        call.body, ("seat_id", "member_id"), ("external_job_posting_id", "email_addresses")
    )
    exported = exporting.export(
        sandbox,
        seat_id=body["seat_id"],
        member_id=body["member_id"],
        external_job_posting_id=body.get("external_job_posting_id"),
        email_addresses=body.get("email_addresses"),
    )
    return JSONResponse(exported, 201)


@router.post("/actions/enable-integration")
def enable_integration(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    return _set_onboarding(call.body, sandbox, onboarded=True)


@router.post("/actions/disable-integration")
def disable_integration(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    return _set_onboarding(call.body, sandbox, onboarded=False)


def _set_onboarding(body: object, sandbox: Sandbox, *, onboarded: bool) -> JSONResponse:
    """`{integration_type, integration_context?, client_id?}`: the context defaults to the
    organization (the first contract for CSA_API), the app to the seeded customer app."""
    given = fields(body, ("integration_type",), ("integration_context", "client_id"))
    kind = given["integration_type"]
    if kind not in integrations.TYPES:
        raise bad_request(f"integration_type: expected one of {', '.join(integrations.TYPES)}")
    for name in ("integration_context", "client_id"):
        if given.get(name) is not None and not isinstance(given[name], str):
            raise bad_request(f"{name}: expected a string")
    with sandbox.db.reading() as conn:
        client_id = given.get("client_id") or sandbox_admin.seeded_app(conn)["client_id"]
        context = given.get("integration_context") or _default_context(conn, kind)
    if not integrations.TYPES[kind].match(context):
        raise bad_request(f"integration_context: {context!r} is the wrong kind of URN for {kind}")
    changed = integrations.set_onboarding(
        sandbox,
        client_id=client_id,
        integration=integrations.Integration(context, kind, "RECRUITER"),
        onboarded=onboarded,
    )
    return JSONResponse(changed)


def _default_context(conn: sqlite3.Connection, kind: str) -> str:
    if integrations.TYPES[kind] is integrations.CONTRACT:
        contract = conn.execute(
            "SELECT MIN(id) AS id FROM contracts WHERE organization_id = ?",
            (tenant.ORGANIZATION_ID,),
        ).fetchone()["id"]
        return f"urn:li:contract:{contract}"
    return f"urn:li:organization:{tenant.ORGANIZATION_ID}"


@router.get("/deliveries")
def deliveries(
    sandbox: SandboxDep,
    request_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> JSONResponse:
    """What LinkedIn pushed (newest first) and where each callback URL stands."""
    if not 1 <= limit <= 1000:
        raise bad_request("limit: expected 1 to 1000")
    with sandbox.db.reading() as conn:
        elements = push.deliveries(conn, request_id=request_id, status=status, limit=limit)
        checks = push.callback_checks(conn)
    return JSONResponse({"elements": elements, "callback_checks": checks})
