"""What a recruiter does to a member from inside the Unified Search and Recommended Matches
widgets (save to a job, InMail, both), and what the page tells the embedding ATS afterwards.

Saving is a real 1-Click Export into a job the seat may pick, so the ATS receives it as any
export. A page learns what was done from ids in its URL (after the redirect) and reads them
back for the signed-in seat only, so a crafted link cannot fire another seat's callback.
"""

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from sandbox import exporting, inmail, jobs
from sandbox.context import Sandbox
from sandbox.errors import LinkedInError, bad_request


def pickable_jobs(conn: sqlite3.Connection, seat: sqlite3.Row) -> tuple[list[dict[str, Any]], str]:
    """The jobs the seat may save members to, or none and why."""
    try:
        client_id = exporting.exporting_app(conn, f"urn:li:organization:{seat['organization_id']}")
    except LinkedInError as exc:
        return [], exc.message
    return jobs.visible_jobs(conn, client_id, inmail.person_urn(seat["person_id"])), ""


def save_to_job(sandbox: Sandbox, seat: sqlite3.Row, member_id: int, job_id: str) -> str:
    """Export the member into the job; the push's request id."""
    if not job_id.strip():
        raise bad_request("job: choose the job to save the member to")
    with sandbox.db.reading() as conn:
        visible, problem = pickable_jobs(conn, seat)
    if job_id not in {job["externalJobPostingId"] for job in visible}:
        raise LinkedInError(
            403, problem or f"job: {job_id!r} is not one of the jobs you may save members to"
        )
    exported = exporting.export(
        sandbox, seat_id=seat["id"], member_id=member_id, external_job_posting_id=job_id
    )
    return str(exported["request_id"])


def send_inmail(
    sandbox: Sandbox, seat: sqlite3.Row, member_id: int, subject: str, body: str
) -> int:
    """One InMail from the seat; the new thread's id."""
    sent = inmail.send_inmail(
        sandbox, seat_id=seat["id"], member_id=member_id, subject=subject, body=body
    )
    return int(sent["conversation_id"])


def save_and_inmail(
    sandbox: Sandbox, seat: sqlite3.Row, member_id: int, job_id: str, subject: str, body: str
) -> tuple[str, int]:
    """Both, checked up front: no export when the InMail would be refused for its text or the
    seat's monthly quota."""
    inmail.text(subject, "subject", inmail.SUBJECT_MAX)
    inmail.text(body, "body", inmail.BODY_MAX)
    with sandbox.db.reading() as conn:
        if inmail.inmails_left(conn, seat["id"], sandbox.clock.now_ms()) == 0:
            raise LinkedInError(429, "No InMail credits left this month: nothing was saved")
    request_id = save_to_job(sandbox, seat, member_id, job_id)
    return request_id, send_inmail(sandbox, seat, member_id, subject, body)


@dataclass
class Done:
    """What the page says and which callbacks it posts after an action."""

    notices: list[str] = field(default_factory=list)
    callbacks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def done(conn: sqlite3.Connection, seat: sqlite3.Row, request_id: str, thread: str) -> Done:
    """The export and the InMail thread the URL names, when they are the seat's own."""
    result = Done()
    export = conn.execute(
        "SELECT x.*, m.person_id, m.first_name, m.last_name FROM exports x "
        "JOIN members m ON m.id = x.member_id WHERE x.request_id = ? AND x.seat_id = ?",
        (request_id, seat["id"]),
    ).fetchone()
    if request_id and export is not None:
        result.notices.append(
            f"Saved {export['first_name']} {export['last_name']} to job "
            f"{export['external_job_posting_id']}."
        )
        result.callbacks.append(
            (
                "onsave",
                {
                    "member": inmail.person_urn(export["person_id"]),
                    "jobId": export["external_job_posting_id"],
                    "requestId": export["request_id"],
                },
            )
        )
    event = conn.execute(
        "SELECT m.person_id, m.first_name, m.last_name FROM conversation_events e "
        "JOIN members m ON m.id = e.member_id "
        "WHERE e.thread_id = ? AND e.seat_id = ? AND e.from_member = 0 ORDER BY e.id LIMIT 1",
        (int(thread) if thread.isdigit() else 0, seat["id"]),
    ).fetchone()
    if event is not None:
        result.notices.append(f"InMail sent to {event['first_name']} {event['last_name']}.")
        result.callbacks.append(("oninmail", {"member": inmail.person_urn(event["person_id"])}))
    return result
