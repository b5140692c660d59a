"""Recruiter prospect interactions: seatholders (seats, seatsV2), InMail history
(conversationEvents), InMail stub profiles (mailStubs) and prospect notes (prospectNotes), plus
closed candidate profiles.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/recruiter-prospect-interactions
and its pages recruiter-seatholders, inmail-history, inmail-stub-profiles and prospect-notes.

All are finders on a child token, counted together against one daily throttle ("interactions",
state `interaction_calls_per_day`), refused calls included. A contract (or the organization, for
closed profiles) must belong to the caller's organization and have an integration the customer
enabled, else 403. LinkedIn publishes no path for closed candidate profiles; the sandbox serves
`closedCandidateProfiles?q=integrationContext` (see `closed_candidate_profiles`).
"""

import re
import sqlite3
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sandbox import restli, throttle
from sandbox.auth import App, ChildApp, require_enabled
from sandbox.context import Call, CallDep, Sandbox, SandboxDep
from sandbox.errors import LinkedInError, bad_request
from sandbox.inmail import person_urn, seat_urn, thread_urn

router = APIRouter()

FAMILY = "interactions"
SEARCH_DEPTH = 20_000  # mailStubs: LinkedIn's hosted search stops here
SEAT_STATES = ("ACTIVE", "INACTIVE", "INVITED", "PARKED")
ORGANIZATION = re.compile(r"^urn:li:organization:(\d+)$")


def begin(sandbox: Sandbox, app: App, call: Call, finder: str) -> tuple[int, int]:
    """Count the call, check it is the resource's finder, and read its paging."""
    throttle.charge(sandbox, app.client_id, FAMILY, per_day="interaction_calls_per_day")
    q = call.param("q")
    if q != finder:
        raise bad_request(f"Expected the finder q={finder}" + (f", not q={q}" if q else ""))
    return restli.paging(call.first_values)


def listed(call: Call, name: str) -> list[str]:
    """A repeatable parameter: `name=a&name=b`, or protocol 2.0's `name=List(a,b)`."""
    values: list[str] = []
    for value in call.all(name):
        if value.startswith("List(") and value.endswith(")"):
            values += [unquote(v) for v in value[len("List(") : -1].split(",") if v]
        else:
            values.append(value)
    return values


def urn_number(value: str, prefix: str, name: str) -> int:
    digits = value.removeprefix(prefix)
    if not value.startswith(prefix) or not digits.isdigit():
        raise bad_request(f"{name}: {value!r} is not a {prefix}{{id}} URN")
    return int(digits)


def epoch(call: Call, name: str) -> int | None:
    value = call.param(name)
    if value is None:
        return None
    if not value.isdigit():
        raise bad_request(f"{name}: expected epoch milliseconds (UTC), got {value!r}")
    return int(value)


def window(call: Call, lower: str, upper: str) -> tuple[int | None, int | None]:
    low, high = epoch(call, lower), epoch(call, upper)
    if low is not None and high is not None and high < low:
        raise bad_request(f"{upper} must not be before {lower}")
    return low, high


def readable_contract(conn: sqlite3.Connection, app: App, contract_id: int) -> None:
    """The contract is the caller's organization's, with CSA_API enabled (403 otherwise)."""
    row = conn.execute(
        "SELECT organization_id FROM contracts WHERE id = ?", (contract_id,)
    ).fetchone()
    if row is None or row["organization_id"] != app.organization_id:
        raise LinkedInError(403, f"Not enough permissions to access urn:li:contract:{contract_id}")
    require_enabled(conn, app, f"urn:li:contract:{contract_id}")


def contracts(conn: sqlite3.Connection, app: App, values: list[str], name: str) -> list[int]:
    if not values:
        raise bad_request(f"Missing required query parameter '{name}'")
    ids = [urn_number(v, "urn:li:contract:", name) for v in values]
    for contract_id in ids:
        readable_contract(conn, app, contract_id)
    return ids


def owners(call: Call) -> list[int]:
    return [urn_number(v, "urn:li:seat:", "owners") for v in listed(call, "owners")]


def marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def page(
    conn: sqlite3.Connection,
    columns: str,
    source: str,
    where: list[str],
    params: list[Any],
    order: str,
    start: int,
    count: int,
) -> tuple[list[sqlite3.Row], int]:
    """One page of rows and the total; `params` fill `source`'s marks, then `where`'s."""
    condition = " AND ".join(where) or "1"
    total = conn.execute(
        f"SELECT COUNT(*) FROM {source} WHERE {condition}",  # noqa: S608
        params,
    ).fetchone()[0]
    rows = conn.execute(
        f"SELECT {columns} FROM {source} WHERE {condition} "  # noqa: S608
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, count, start],
    ).fetchall()
    return rows, total


def projection(fields: str | None) -> set[str] | None:
    """The top-level names of a Rest.li `fields=` projection such as `id,created:(time)`."""
    if fields is None:
        return None
    names, depth, current = set(), 0, ""
    for char in fields + ",":
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            names.add(current.split(":")[0].strip())
            current = ""
            continue
        if depth == 0 and char != ")":
            current += char
    return names - {""}


def answer(
    call: Call, elements: list[dict[str, Any]], start: int, count: int, total: int
) -> JSONResponse:
    names = projection(call.param("fields"))
    if names is not None:
        elements = [{k: v for k, v in e.items() if k in names} for e in elements]
    return JSONResponse(restli.finder_body(elements, start, count, total))


SEAT_COLUMNS = "s.*, m.person_id"
SEAT_SOURCE = "seats s JOIN members m ON m.id = s.member_id"


def seat_filter(conn: sqlite3.Connection, app: App, call: Call) -> tuple[list[str], list[Any]]:
    ids = contracts(conn, app, listed(call, "contracts"), "contracts")
    return [f"s.contract_id IN ({marks(ids)})"], list(ids)


@router.get("/v2/seats")
def seats(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    """Seatholders of contracts (the legacy finder, still in LinkedIn's Postman collection)."""
    start, count = begin(sandbox, app, call, "seatsByAttributes")
    active = call.param("active")
    if active not in (None, "true", "false"):
        raise bad_request(f"active: expected true or false, got {active!r}")
    with sandbox.db.reading() as conn:
        where, params = seat_filter(conn, app, call)
        if active is not None:
            where.append("s.state = 'ACTIVE'" if active == "true" else "s.state != 'ACTIVE'")
        rows, total = page(conn, SEAT_COLUMNS, SEAT_SOURCE, where, params, "s.id", start, count)
    elements = [
        {
            "id": row["id"],
            "firstName": row["first_name"],
            "lastName": row["last_name"],
            "contractId": f"urn:li:contract:{row['contract_id']}",
            "member": person_urn(row["person_id"]),
            "active": row["state"] == "ACTIVE",
            "admin": bool(row["admin"]),
            "email": row["email"],
        }
        for row in rows
    ]
    return answer(call, elements, start, count, total)


@router.get("/v2/seatsV2")
def seats_v2(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    """Seatholders of contracts by seat state; LinkedIn refuses a call without `start`."""
    start, count = begin(sandbox, app, call, "attributes")
    if call.param("start") is None:
        raise bad_request("Missing required query parameter 'start': seatsV2 must be paged")
    states = listed(call, "states")
    for value in states:
        if value not in SEAT_STATES:
            raise bad_request(f"states: {value!r} is not one of {', '.join(SEAT_STATES)}")
    with sandbox.db.reading() as conn:
        where, params = seat_filter(conn, app, call)
        if states:
            where.append(f"s.state IN ({marks(states)})")
            params += states
        rows, total = page(conn, SEAT_COLUMNS, SEAT_SOURCE, where, params, "s.id", start, count)
    elements = [
        {
            "id": row["id"],
            "firstName": row["first_name"],
            "lastName": row["last_name"],
            "contract": f"urn:li:contract:{row['contract_id']}",
            "member": person_urn(row["person_id"]),
            "email": row["email"],
            "state": row["state"],
            "seatRoles": ["ADMIN_SEAT", "SOURCER_ADD_PROSPECT"]
            if row["admin"]
            else ["SOURCER_ADD_PROSPECT"],
            "created": {"time": row["created_at"]},
        }
        for row in rows
    ]
    return answer(call, elements, start, count, total)


@router.get("/v2/conversationEvents")
def conversation_events(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    """InMails sent and received by the viewer seat; timeRange.start inclusive, .end exclusive."""
    start, count = begin(sandbox, app, call, "criteria")
    viewer = urn_number(call.required("viewer"), "urn:li:seat:", "viewer")
    low, high = window(call, "timeRange.start", "timeRange.end")
    thread = call.param("threadUrn")
    where, params = ["e.seat_id = ?"], [viewer]
    if low is not None:
        where.append("e.created_at >= ?")
        params.append(low)
    if high is not None:
        where.append("e.created_at < ?")
        params.append(high)
    if thread is not None:
        where.append("e.thread_id = ?")
        params.append(urn_number(thread, "urn:li:messagingThread:", "threadUrn"))
    with sandbox.db.reading() as conn:
        seat = conn.execute("SELECT contract_id FROM seats WHERE id = ?", (viewer,)).fetchone()
        if seat is None:
            raise LinkedInError(404, f"No seat {seat_urn(viewer)}")
        readable_contract(conn, app, seat["contract_id"])
        rows, total = page(
            conn,
            "e.*, m.person_id",
            "conversation_events e JOIN members m ON m.id = e.member_id",
            where,
            params,
            "e.created_at, e.id",
            start,
            count,
        )
    elements = []
    for row in rows:
        seat_, person = seat_urn(row["seat_id"]), person_urn(row["person_id"])
        elements.append(
            {
                "id": row["id"],
                "thread": thread_urn(row["thread_id"]),
                "author": person if row["from_member"] else seat_,
                "direction": "INCOMING" if row["from_member"] else "OUTGOING",
                "created": {"time": row["created_at"]},
                "subject": row["subject"],
                "body": row["body"],
                "participants": [seat_, person],
            }
        )
    return answer(call, elements, start, count, total)


def contract_and_owners(
    conn: sqlite3.Connection, app: App, call: Call, alias: str
) -> tuple[list[str], list[Any]]:
    contract = call.param("contract")
    [contract_id] = contracts(conn, app, [contract] if contract else [], "contract")
    where, params = [f"{alias}.contract_id = ?"], [contract_id]
    seat_ids = owners(call)
    if seat_ids:
        where.append(f"{alias}.seat_id IN ({marks(seat_ids)})")
        params += seat_ids
    return where, params


@router.get("/v2/mailStubs")
def mail_stubs(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    """Contact details members shared when answering an InMail; createdDateStart inclusive,
    createdDateEnd exclusive; no page may reach past the 20,000th result."""
    start, count = begin(sandbox, app, call, "contract")
    if start + count > SEARCH_DEPTH:
        raise bad_request(
            f"The search depth is limited to {SEARCH_DEPTH} results: start + count is "
            f"{start + count}; narrow the createdDate window instead"
        )
    low, high = window(call, "createdDateStart", "createdDateEnd")
    with sandbox.db.reading() as conn:
        where, params = contract_and_owners(conn, app, call, "x")
        if low is not None:
            where.append("x.created_at >= ?")
            params.append(low)
        if high is not None:
            where.append("x.created_at < ?")
            params.append(high)
        rows, total = page(
            conn,
            "x.*, m.person_id, m.first_name, m.last_name, m.headline, m.location, m.company, "
            "m.profile_url",
            "mail_stubs x JOIN members m ON m.id = x.member_id",
            where,
            params,
            "x.created_at, x.id",
            start,
            count,
        )
    elements = []
    for row in rows:
        element = {
            "id": row["id"],
            "contract": f"urn:li:contract:{row['contract_id']}",
            "owner": seat_urn(row["seat_id"]),
            "thread": thread_urn(row["thread_id"]),
            "created": row["created_at"],
            "member": person_urn(row["person_id"]),
            "firstName": row["first_name"],
            "lastName": row["last_name"],
            "headline": row["headline"],
            "location": row["location"],
            "currentEmployerNames": [row["company"]] if row["company"] else [],
            "profileUrl": row["profile_url"],
        }
        if row["email"]:
            element["emailAddress"] = row["email"]
        if row["phone"]:
            element["phoneNumber"] = row["phone"]
        elements.append(element)
    return answer(call, elements, start, count, total)


@router.get("/v2/prospectNotes")
def prospect_notes(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    """Notes by last-updated time: cutoffDate an exclusive lower bound, beforeDate inclusive.
    Deactivated notes are listed too (`active: false`), so the ATS can delete them."""
    start, count = begin(sandbox, app, call, "criteria")
    low, high = window(call, "cutoffDate", "beforeDate")
    with sandbox.db.reading() as conn:
        where, params = contract_and_owners(conn, app, call, "n")
        if low is not None:
            where.append("n.updated_at > ?")
            params.append(low)
        if high is not None:
            where.append("n.updated_at <= ?")
            params.append(high)
        rows, total = page(
            conn,
            "n.*, m.person_id",
            "prospect_notes n JOIN members m ON m.id = n.member_id",
            where,
            params,
            "n.updated_at, n.id",
            start,
            count,
        )
    elements = [
        {
            "id": row["id"],
            "contract": f"urn:li:contract:{row['contract_id']}",
            "owner": seat_urn(row["seat_id"]),
            "member": person_urn(row["person_id"]),
            "note": row["note"],
            "active": bool(row["active"]),
            "created": row["created_at"],
            "lastModified": row["updated_at"],
        }
        for row in rows
    ]
    return answer(call, elements, start, count, total)


CLOSED = (
    "(SELECT m.id, m.person_id, m.profile_url, m.closed_at, "
    "MAX(x.created_at) AS last_exported_at FROM exports x "
    "JOIN seats s ON s.id = x.seat_id JOIN contracts c ON c.id = s.contract_id "
    "JOIN members m ON m.id = x.member_id "
    "WHERE c.organization_id = ? AND m.closed_at IS NOT NULL GROUP BY m.id) AS closed"
)


@router.get("/v2/closedCandidateProfiles")
def closed_candidate_profiles(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    """Members 1-click-exported by the organization's seats who have since closed their LinkedIn
    account, oldest closure first; closedAfter (epoch ms) is an inclusive lower bound."""
    start, count = begin(sandbox, app, call, "integrationContext")
    context = call.required("integrationContext")
    match = ORGANIZATION.match(context)
    if match is None:
        raise bad_request(f"integrationContext: {context!r} is not an organization URN")
    if int(match.group(1)) != app.organization_id:
        raise LinkedInError(403, f"Not enough permissions to access {context}")
    closed_after = epoch(call, "closedAfter")
    where, params = [], [app.organization_id]
    if closed_after is not None:
        where.append("closed_at >= ?")
        params.append(closed_after)
    with sandbox.db.reading() as conn:
        require_enabled(conn, app, context)
        rows, total = page(conn, "*", CLOSED, where, params, "closed_at, id", start, count)
    elements = [
        {
            "member": person_urn(row["person_id"]),
            "integrationContext": context,
            "profileUrl": row["profile_url"],
            "closedAt": row["closed_at"],
            "lastExportedAt": row["last_exported_at"],
        }
        for row in rows
    ]
    return answer(call, elements, start, count, total)
