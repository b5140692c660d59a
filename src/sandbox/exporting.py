"""A recruiter's 1-Click Export of a member to the organization's ATS, as LinkedIn Recruiter does
it: checked, counted against the seat's monthly quota, recorded with a snapshot of what the ATS
will read from exportedCandidates, and announced by an EXPORT_CANDIDATE_PROFILE push.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/retrieve-exported-candidates

The Recruiter UI and `POST /_sandbox/actions/export` both call `export`.
"""

import json
import sqlite3
from typing import Any

from sandbox import inmail, jobs, push, records, state, throttle
from sandbox.context import Sandbox
from sandbox.errors import LinkedInError, bad_request

# Seat quotas are counted in the usage table under the seat URN and this family.
EXPORTS = "exports"


def export(
    sandbox: Sandbox,
    *,
    seat_id: int | str,
    member_id: int | str,
    external_job_posting_id: str | None = None,
    email_addresses: list[str] | None = None,
) -> dict[str, Any]:
    """Export a member for a seat (optionally to a synced job, with emails the recruiter typed).

    403 when the organization turned 1-Click Export off or enabled it for no ATS, 404 for an
    unknown seat, member (or closed account) or job, 429 past the seat's monthly exports.
    """
    emails = _emails(email_addresses)
    if external_job_posting_id is not None and (
        not isinstance(external_job_posting_id, str) or not external_job_posting_id.strip()
    ):
        raise bad_request("external_job_posting_id: expected a non-empty string")
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        seat, member = inmail.seat(conn, seat_id), inmail.member(conn, member_id)
        organization_id = conn.execute(
            "SELECT organization_id FROM contracts WHERE id = ?", (seat["contract_id"],)
        ).fetchone()["organization_id"]
        organization = f"urn:li:organization:{organization_id}"
        settings = state.current(conn)
        if not settings["one_click_export"]:
            raise LinkedInError(
                403, f"{organization} has turned 1-Click Export off (setting one_click_export)"
            )
        client_id = exporting_app(conn, organization)
        if external_job_posting_id is not None:
            job = records.get(conn, client_id, jobs.RESOURCE, external_job_posting_id)
            if job is None or job.get("integrationContext") != organization:
                raise LinkedInError(
                    404, f"No job {external_job_posting_id!r} synced for {organization}"
                )
        seat_urn = inmail.seat_urn(seat["id"])
        limit = settings["exports_per_seat_per_month"]
        throttle.consume(
            conn,
            seat_urn,
            EXPORTS,
            throttle.month_window(now),
            1,
            limit,
            f"1-Click Exports of seat {seat_urn} this month (exports_per_seat_per_month={limit})",
        )
        exported: dict[str, Any] = {
            "integrationContext": organization,
            "candidate": stub_profile(member, emails),
            "externalJobPostingId": external_job_posting_id,
            "exporter": seat_urn,
            "exportedAt": now,
            "inMails": _inmails(conn, seat["id"], member),
            "notes": _notes(conn, seat["id"], member["id"]),
        }
        request_id = push.notify(
            conn,
            sandbox,
            client_id=client_id,
            type=push.EXPORT_CANDIDATE_PROFILE,
            integration_context=organization,
            payload={"exportedCandidate": exported},
        )
        conn.execute(
            "INSERT INTO exports(request_id, client_id, seat_id, member_id, "
            "external_job_posting_id, email_addresses, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                request_id,
                client_id,
                seat["id"],
                member["id"],
                external_job_posting_id,
                json.dumps(emails),
                now,
            ),
        )
    sandbox.wake_pusher()
    return {
        "request_id": request_id,
        "member_id": member["id"],
        "person": exported["candidate"]["member"],
        "seat_id": seat["id"],
    }


def _emails(email_addresses: Any) -> list[str]:
    if email_addresses is None:
        return []
    if not isinstance(email_addresses, list):
        raise bad_request("email_addresses: expected a list of email addresses")
    for index, address in enumerate(email_addresses):
        if not isinstance(address, str) or not inmail.EMAIL.match(address):
            raise bad_request(
                f"email_addresses[{index}]: {address!r} does not match the pattern X@X.X"
            )
    return list(email_addresses)


def exporting_app(conn: sqlite3.Connection, organization: str) -> str:
    """The child app whose ONE_CLICK_EXPORT integration the organization enabled (the latest)."""
    row = conn.execute(
        "SELECT client_id FROM integrations WHERE integration_context = ? "
        "AND integration_type = 'ONE_CLICK_EXPORT' AND onboarding_status = 'ONBOARDED' "
        "ORDER BY onboarded_at DESC LIMIT 1",
        (organization,),
    ).fetchone()
    if row is None:
        raise LinkedInError(
            403, f"{organization} has not enabled 1-Click Export for any ATS integration"
        )
    return row["client_id"]


def stub_profile(member: sqlite3.Row, emails: list[str]) -> dict[str, Any]:
    """LinkedIn's StubProfile of the member, with the emails the recruiter typed."""
    return {
        "firstName": member["first_name"],
        "lastName": member["last_name"],
        "headline": member["headline"],
        "location": member["location"],
        "currentEmployerNames": [member["company"]] if member["company"] else [],
        "member": inmail.person_urn(member["person_id"]),
        "profileUrl": member["profile_url"],
        "emailAddresses": emails,
    }


def _inmails(conn: sqlite3.Connection, seat_id: int, member: sqlite3.Row) -> list[dict[str, Any]]:
    """The seat's InMail conversation with the member, oldest first."""
    return [
        {
            "id": row["id"],
            "thread": inmail.thread_urn(row["thread_id"]),
            "author": (
                inmail.person_urn(member["person_id"])
                if row["from_member"]
                else inmail.seat_urn(seat_id)
            ),
            "subject": row["subject"],
            "body": row["body"],
            "createdAt": row["created_at"],
        }
        for row in conn.execute(
            "SELECT * FROM conversation_events WHERE seat_id = ? AND member_id = ? "
            "ORDER BY created_at, id",
            (seat_id, member["id"]),
        )
    ]


def _notes(conn: sqlite3.Connection, seat_id: int, member_id: int) -> list[dict[str, Any]]:
    """The seat's active prospect notes on the member, oldest first."""
    return [
        {
            "id": row["id"],
            "note": row["note"],
            "owner": inmail.seat_urn(seat_id),
            "createdAt": row["created_at"],
            "lastModifiedAt": row["updated_at"],
        }
        for row in conn.execute(
            "SELECT * FROM prospect_notes WHERE seat_id = ? AND member_id = ? AND active = 1 "
            "ORDER BY created_at, id",
            (seat_id, member_id),
        )
    ]
