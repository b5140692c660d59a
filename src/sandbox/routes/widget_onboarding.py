"""The ATS integration configuration plugin (`IN/ATSIntegrationWidget`): a Recruiter admin of
the customer's organization pre-authorises the bundled integrations the ATS supports, and the
ATS learns the organization and contract URNs to use from `onintegrate`.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/onboarding
"""

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sandbox.context import SandboxDep
from sandbox.routes.ui import FormDep
from sandbox.widgets import (
    Embed,
    WidgetRefused,
    WidgetRoute,
    callback,
    embed_of,
    render_widget,
    sign_in_redirect,
    signed_in_seat,
)

router = APIRouter(prefix="/rsc/widgets", route_class=WidgetRoute)

PATH = "/rsc/widgets/ats-integration"
COMPANY = "RECRUITER_SYSTEM_CONNECT_COMPANY"
CONTRACT = "RECRUITER_SYSTEM_CONNECT_CONTRACT"
OFFERED = (COMPANY, CONTRACT)
# Bundled types LinkedIn knows for other programs: listed, but not offered by the sandbox.
NOT_OFFERED = ("APPLY_WITH_LINKEDIN", "APPLY_STARTERS_EXP", "CANDIDATE_RELATIONSHIP_MANAGEMENT")
LABELS = {
    COMPANY: "Recruiter System Connect for the organization",
    CONTRACT: "Recruiter System Connect for each Recruiter contract",
}


def supported_types(request: Request) -> list[str]:
    raw = request.query_params.get("supportedTypes", "")
    types = [item.strip() for item in raw.split(",") if item.strip()]
    if not types:
        raise WidgetRefused(
            400, "supportedTypes: required (data-supported-bundled-integration-types)"
        )
    unknown = [item for item in types if item not in OFFERED + NOT_OFFERED]
    if unknown:
        raise WidgetRefused(
            400, f"supportedTypes: unknown bundled integration type(s) {', '.join(unknown)}"
        )
    return list(dict.fromkeys(types))


def admin_seat(conn: sqlite3.Connection, request: Request, embed: Embed) -> sqlite3.Row | None:
    """The signed-in seat, refused unless it is an admin seat of the organization."""
    seat = signed_in_seat(conn, request, embed)
    if seat is not None and not seat["admin"]:
        raise WidgetRefused(
            403,
            f"Only a Recruiter admin of {seat['organization_name']} can authorize integrations; "
            f"{seat['first_name']} {seat['last_name']} is not an admin. Sign out and sign in "
            "as an admin.",
        )
    return seat


def contexts(conn: sqlite3.Connection, embed: Embed, bundled_type: str) -> list[str]:
    """The integration contexts a bundled type covers: the organization, or each contract."""
    if bundled_type == COMPANY:
        return [embed.organization_urn]
    return [
        f"urn:li:contract:{row['id']}"
        for row in conn.execute(
            "SELECT id FROM contracts WHERE organization_id = ? ORDER BY id",
            (embed.organization_id,),
        )
    ]


def authorized(conn: sqlite3.Connection, embed: Embed, types: list[str]) -> list[dict[str, str]]:
    """The onintegrate payload: every pre-authorised context of the supported types."""
    wanted = [t for t in types if t in OFFERED]
    allowed = {(context, t) for t in wanted for context in contexts(conn, embed, t)}
    rows = conn.execute(
        "SELECT * FROM preauthorizations WHERE client_id = ? "
        "ORDER BY bundled_type, integration_context",
        (embed.client_id,),
    ).fetchall()
    return [
        {
            "integrationContext": row["integration_context"],
            "bundledIntegrationType": row["bundled_type"],
            "tenantType": "RECRUITER",
        }
        for row in rows
        if (row["integration_context"], row["bundled_type"]) in allowed
    ]


@router.get("/ats-integration")
def configuration(request: Request, sandbox: SandboxDep) -> Response:
    with sandbox.db.reading() as conn:
        embed = embed_of(conn, request)
        types = supported_types(request)
        seat = admin_seat(conn, request, embed)
        if seat is None:
            return sign_in_redirect(request, embed)
        granted = authorized(conn, embed, types)
        done = request.query_params.get("done") == "authorized"
        context: dict[str, Any] = {
            "seat": seat,
            "types": types,
            "offered": OFFERED,
            "labels": LABELS,
            "contracts": conn.execute(
                "SELECT * FROM contracts WHERE organization_id = ? ORDER BY id",
                (embed.organization_id,),
            ).fetchall(),
            "granted": {
                (item["integrationContext"], item["bundledIntegrationType"]) for item in granted
            },
            "notice": "Integrations authorized." if done else "",
            "callbacks": [callback("onintegrate", granted)] if done and granted else [],
        }
    return render_widget(request, "widgets/ats_integration.html", context, embed)


@router.post("/ats-integration/authorize")
def authorize(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    with sandbox.db.transaction() as conn:
        embed = embed_of(conn, request)
        types = supported_types(request)
        seat = admin_seat(conn, request, embed)
        if seat is None:
            raise WidgetRefused(401, "Sign in as a Recruiter admin to authorize integrations")
        chosen = form.all("type")
        refused = [t for t in chosen if t not in types or t not in OFFERED]
        if refused:
            raise WidgetRefused(400, f"type: cannot authorize {', '.join(refused)} here")
        if not chosen:
            raise WidgetRefused(400, "type: choose at least one integration to authorize")
        now = sandbox.clock.now_ms()
        for bundled_type in chosen:
            for context in contexts(conn, embed, bundled_type):
                conn.execute(
                    "INSERT INTO preauthorizations(client_id, integration_context, bundled_type, "
                    "seat_id, created_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(client_id, integration_context, bundled_type) "
                    "DO UPDATE SET seat_id = excluded.seat_id",
                    (embed.client_id, context, bundled_type, seat["id"], now),
                )
    query = embed.query(supportedTypes=",".join(types), done="authorized")
    return RedirectResponse(f"{PATH}?{query}", 303)
