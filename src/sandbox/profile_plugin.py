"""What the profile plugin shows and changes for one synced ATS candidate: the LinkedIn member it
is matched to (a recruiter's manual link first, else LinkedIn's algorithmic match), the closest
alternatives, and the organization's Recruiter activity with that member."""

import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox import matching, records, restli

RESOURCE = "atsCandidates"
PERSON_PREFIX = "urn:li:person:"


@dataclass(frozen=True)
class Matched:
    member: sqlite3.Row
    urn: str
    manual: bool
    reasons: list[str]


def candidate_key(ats_candidate_id: str, integration_context: str) -> restli.Key:
    return restli.complex_key(
        atsCandidateId=ats_candidate_id, dataProvider="ATS", integrationContext=integration_context
    )


def candidate(conn: sqlite3.Connection, client_id: str, key: restli.Key) -> dict[str, Any] | None:
    return records.get(conn, client_id, RESOURCE, key)


def member_by_urn(conn: sqlite3.Connection, urn: str) -> sqlite3.Row | None:
    if not urn.startswith(PERSON_PREFIX):
        return None
    return conn.execute(
        "SELECT * FROM members WHERE person_id = ?", (urn.removeprefix(PERSON_PREFIX),)
    ).fetchone()


def matched(conn: sqlite3.Connection, stored: dict[str, Any]) -> Matched | None:
    """The member the candidate is linked to, as atsCandidates reports it (manual link wins)."""
    manual = stored.get("manualMatchedMember")
    if manual:
        row = member_by_urn(conn, manual)
        return Matched(row, manual, True, ["linked by a recruiter"]) if row else None
    urns = matching.best(conn, stored)
    if not urns:
        return None
    reasons = next(
        (m.reasons for m in matching.closest(conn, stored, limit=3) if m.urn == urns[0]), []
    )
    row = member_by_urn(conn, urns[0])
    return Matched(row, urns[0], False, reasons) if row else None


def search_members(conn: sqlite3.Connection, name: str, limit: int = 10) -> list[sqlite3.Row]:
    """Open members whose full name contains every word typed, for when the closest matches miss
    the right person."""
    words = name.lower().split()
    where = " AND ".join(["instr(lower(first_name || ' ' || last_name), ?) > 0"] * len(words))
    return conn.execute(
        f"SELECT * FROM members WHERE closed_at IS NULL AND {where} ORDER BY id LIMIT ?",  # noqa: S608
        [*words, limit],
    ).fetchall()


def set_link(
    conn: sqlite3.Connection,
    client_id: str,
    key: restli.Key,
    stored: dict[str, Any],
    urn: str | None,
    now_ms: int,
) -> None:
    """Store the link exactly as a batch_partial_update of manualMatchedMember would."""
    body = {name: value for name, value in stored.items() if name != "manualMatchedMember"}
    if urn:
        body["manualMatchedMember"] = urn
    records.put(conn, client_id, RESOURCE, key, body, now_ms)


def inmail_threads(
    conn: sqlite3.Connection, organization_id: int, member_id: int
) -> list[dict[str, Any]]:
    """The organization's seats' InMail threads with the member, newest activity first."""
    grouped: dict[int, list[sqlite3.Row]] = {}
    for event in conn.execute(
        "SELECT e.*, s.first_name AS seat_first_name, s.last_name AS seat_last_name "
        "FROM conversation_events e JOIN seats s ON s.id = e.seat_id "
        "JOIN contracts c ON c.id = s.contract_id "
        "WHERE e.member_id = ? AND c.organization_id = ? ORDER BY e.created_at, e.id",
        (member_id, organization_id),
    ):
        grouped.setdefault(event["thread_id"], []).append(event)
    threads = [
        {
            "id": thread_id,
            "subject": events[0]["subject"],
            "seat_name": f"{events[0]['seat_first_name']} {events[0]['seat_last_name']}",
            "events": events,
            "last_at": events[-1]["created_at"],
        }
        for thread_id, events in grouped.items()
    ]
    return sorted(threads, key=lambda thread: (thread["last_at"], thread["id"]), reverse=True)


def prospect_notes(
    conn: sqlite3.Connection, organization_id: int, member_id: int
) -> list[sqlite3.Row]:
    """The organization's seats' active notes on the member, newest first."""
    return conn.execute(
        "SELECT n.*, s.first_name AS seat_first_name, s.last_name AS seat_last_name "
        "FROM prospect_notes n JOIN seats s ON s.id = n.seat_id "
        "JOIN contracts c ON c.id = n.contract_id "
        "WHERE n.member_id = ? AND c.organization_id = ? AND n.active = 1 "
        "ORDER BY n.updated_at DESC, n.id DESC",
        (member_id, organization_id),
    ).fetchall()
