"""What recruiters and members do in LinkedIn Recruiter, played out by hand or by tests: InMails,
the member's answer (which may share contact details as a stub profile), prospect notes, and a
member closing their account. The Recruiter UI and the `/_sandbox/actions` API both call these.

Each function is one transaction with times from the sandbox's clock. Seats, members and
threads may be given as numbers or URNs. Refusals are LinkedInErrors: 400 bad input, 403 a seat
or member acting outside its own thread, 404 unknown or closed, 409 answered already, 429 the
seat's monthly InMail quota (state `inmail_quota_per_seat`) used up.
"""

import sqlite3
from typing import Any

from sandbox import records, state, throttle
from sandbox.context import Sandbox
from sandbox.errors import LinkedInError, bad_request

SUBJECT_MAX = 200  # LinkedIn Recruiter's InMail subject limit
BODY_MAX = 1900  # and its InMail body limit
NOTE_MAX = 2000
# Seat quotas are counted in the usage table under the seat URN and this family.
INMAILS = "inmails"
EMAIL = records.EMAIL  # LinkedIn's "X@X.X"

# The member's three buttons under a first InMail, and the reply each one writes.
ANSWERS = {
    "yes_share": "Yes, I'm interested. I'm sharing my contact information with you.",
    "no_dont_share": "I'm interested, but I'd rather not share my contact information yet.",
    "no_thanks": "No thanks, I'm not interested at the moment.",
}


def seat_urn(seat_id: int) -> str:
    return f"urn:li:seat:{seat_id}"


def person_urn(person_id: str) -> str:
    return f"urn:li:person:{person_id}"


def thread_urn(thread_id: int) -> str:
    return f"urn:li:messagingThread:{thread_id}"


def number(value: Any, name: str, urn_prefix: str = "") -> int:
    """A positive id given as a number, a digit string or (with a prefix) `urn_prefix` + digits."""
    expected = f"a number or '{urn_prefix}N'" if urn_prefix else "a positive number"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f"{name}: expected {expected}")
    digits = str(value).strip()
    if urn_prefix:
        digits = digits.removeprefix(urn_prefix)
    if not digits.isdigit() or int(digits) <= 0:
        raise bad_request(f"{name}: expected {expected}, got {value!r}")
    return int(digits)


def text(value: Any, name: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{name}: expected a non-empty string")
    if len(value) > max_length:
        raise bad_request(f"{name}: at most {max_length} characters (got {len(value)})")
    return value


def seat(conn: sqlite3.Connection, seat_id: int | str) -> sqlite3.Row:
    """An active seat, with its holder's person id."""
    number_ = number(seat_id, "seat_id", "urn:li:seat:")
    row = conn.execute(
        "SELECT s.*, m.person_id FROM seats s JOIN members m ON m.id = s.member_id WHERE s.id = ?",
        (number_,),
    ).fetchone()
    if row is None:
        raise LinkedInError(404, f"No seat {seat_urn(number_)}")
    if row["state"] != "ACTIVE":
        raise LinkedInError(403, f"Seat {seat_urn(number_)} is {row['state']}, not ACTIVE")
    return row


def member_row(conn: sqlite3.Connection, member_id: int | str) -> sqlite3.Row | None:
    """A member by member number or person URN, closed or not."""
    if isinstance(member_id, str) and member_id.startswith("urn:li:person:"):
        return conn.execute(
            "SELECT * FROM members WHERE person_id = ?",
            (member_id.removeprefix("urn:li:person:"),),
        ).fetchone()
    if isinstance(member_id, bool) or not str(member_id).strip().isdigit():
        raise bad_request(f"member_id: expected a number or a person URN, got {member_id!r}")
    return conn.execute("SELECT * FROM members WHERE id = ?", (int(member_id),)).fetchone()


def member(conn: sqlite3.Connection, member_id: int | str) -> sqlite3.Row:
    """A member whose account is open."""
    row = member_row(conn, member_id)
    if row is None or row["closed_at"] is not None:
        raise LinkedInError(404, f"No member {member_id} (unknown, or the account is closed)")
    return row


def thread(conn: sqlite3.Connection, conversation_id: int | str) -> sqlite3.Row:
    """The first event of a thread: it names the seat and the member the thread is between."""
    number_ = number(conversation_id, "conversation_id", "urn:li:messagingThread:")
    row = conn.execute(
        "SELECT * FROM conversation_events WHERE thread_id = ? ORDER BY id LIMIT 1", (number_,)
    ).fetchone()
    if row is None:
        raise LinkedInError(404, f"No conversation {thread_urn(number_)}")
    return row


def inmails_left(conn: sqlite3.Connection, seat_id: int, now: int) -> int:
    """What is left of the seat's quota this calendar month (UTC)."""
    row = conn.execute(
        "SELECT used FROM usage WHERE client_id = ? AND family = ? AND window = ?",
        (seat_urn(seat_id), INMAILS, throttle.month_window(now)),
    ).fetchone()
    quota = state.current(conn)["inmail_quota_per_seat"]
    return max(0, quota - (row["used"] if row else 0))


def _insert_event(
    conn: sqlite3.Connection,
    *,
    thread_id: int | None,
    seat_id: int,
    member_id: int,
    from_member: bool,
    subject: str,
    body: str,
    now: int,
) -> tuple[int, int]:
    """(thread id, event id); a new thread takes the id of its first event."""
    event_id = conn.execute(
        "INSERT INTO conversation_events(thread_id, seat_id, member_id, from_member, subject, "
        "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (thread_id or 0, seat_id, member_id, int(from_member), subject, body, now),
    ).fetchone()["id"]
    if thread_id is None:
        conn.execute("UPDATE conversation_events SET thread_id = id WHERE id = ?", (event_id,))
        thread_id = event_id
    return thread_id, event_id


def send_inmail(
    sandbox: Sandbox, *, seat_id: int | str, member_id: int | str, subject: str, body: str
) -> dict[str, Any]:
    """A seat opens a new thread with a member; one InMail of the seat's monthly quota."""
    subject, body = text(subject, "subject", SUBJECT_MAX), text(body, "body", BODY_MAX)
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        sender, recipient = seat(conn, seat_id), member(conn, member_id)
        quota = state.current(conn)["inmail_quota_per_seat"]
        throttle.consume(
            conn,
            seat_urn(sender["id"]),
            INMAILS,
            throttle.month_window(now),
            1,
            quota,
            f"InMails of seat {seat_urn(sender['id'])} this month (inmail_quota_per_seat={quota})",
        )
        left = inmails_left(conn, sender["id"], now)
        thread_id, event_id = _insert_event(
            conn,
            thread_id=None,
            seat_id=sender["id"],
            member_id=recipient["id"],
            from_member=False,
            subject=subject,
            body=body,
            now=now,
        )
    return {
        "conversation_id": thread_id,
        "thread": thread_urn(thread_id),
        "event_id": event_id,
        "seat": seat_urn(sender["id"]),
        "member": person_urn(recipient["person_id"]),
        "member_id": recipient["id"],
        "created": now,
        "inmails_left": left,
    }


def _member_in_thread(
    conn: sqlite3.Connection, member_id: int | str, conversation_id: int | str
) -> tuple[sqlite3.Row, sqlite3.Row]:
    first, author = thread(conn, conversation_id), member(conn, member_id)
    if first["member_id"] != author["id"]:
        raise LinkedInError(
            403, f"Member {author['id']} is not part of {thread_urn(first['thread_id'])}"
        )
    return first, author


def _reply_event(conn: sqlite3.Connection, first: sqlite3.Row, body: str, now: int) -> int:
    _, event_id = _insert_event(
        conn,
        thread_id=first["thread_id"],
        seat_id=first["seat_id"],
        member_id=first["member_id"],
        from_member=True,
        subject="Re: " + first["subject"] if first["subject"] else "",
        body=body,
        now=now,
    )
    return event_id


def reply(
    sandbox: Sandbox, *, member_id: int | str, conversation_id: int | str, body: str
) -> dict[str, Any]:
    """The member writes back in the thread, in their own words (no contact details shared)."""
    body = text(body, "body", BODY_MAX)
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        first, _ = _member_in_thread(conn, member_id, conversation_id)
        event_id = _reply_event(conn, first, body, now)
    return {
        "conversation_id": first["thread_id"],
        "thread": thread_urn(first["thread_id"]),
        "event_id": event_id,
        "created": now,
    }


def respond(
    sandbox: Sandbox,
    *,
    member_id: int | str,
    conversation_id: int | str,
    answer: str,
    email: str | None = None,
    phone: str | None = None,
) -> dict[str, Any]:
    """The member's first answer, with one of the three buttons. Only `yes_share` shares contact
    details, as a stub profile, and only while the organization has stub profiles on; `email`
    and `phone` default to the member's own and are ignored for the other answers."""
    if answer not in ANSWERS:
        raise bad_request(f"answer: expected one of {', '.join(ANSWERS)}, got {answer!r}")
    sharing = answer == "yes_share"
    for name, value in (("email", email), ("phone", phone)):
        if value is not None and not isinstance(value, str):
            raise bad_request(f"{name}: expected a string")
    if sharing and email and not EMAIL.match(email):
        raise bad_request(f"email: {email!r} does not match the pattern X@X.X")
    now = sandbox.clock.now_ms()
    stub_id = None
    with sandbox.db.transaction() as conn:
        first, author = _member_in_thread(conn, member_id, conversation_id)
        answered = conn.execute(
            "SELECT 1 FROM conversation_events WHERE thread_id = ? AND from_member = 1 LIMIT 1",
            (first["thread_id"],),
        ).fetchone()
        if answered:
            raise LinkedInError(
                409, f"Member {author['id']} has answered {thread_urn(first['thread_id'])} already"
            )
        event_id = _reply_event(conn, first, ANSWERS[answer], now)
        if sharing and state.current(conn)["inmail_stub_profiles"]:
            contract_id = conn.execute(
                "SELECT contract_id FROM seats WHERE id = ?", (first["seat_id"],)
            ).fetchone()["contract_id"]
            stub_id = conn.execute(
                "INSERT INTO mail_stubs(contract_id, seat_id, member_id, thread_id, email, phone, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    contract_id,
                    first["seat_id"],
                    author["id"],
                    first["thread_id"],
                    email or author["email"],
                    phone or author["phone"],
                    now,
                ),
            ).fetchone()["id"]
    return {
        "conversation_id": first["thread_id"],
        "thread": thread_urn(first["thread_id"]),
        "event_id": event_id,
        "answer": answer,
        "stub_id": stub_id,
        "created": now,
    }


def note_view(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "note_id": row["id"],
        "seat": seat_urn(row["seat_id"]),
        "member_id": row["member_id"],
        "contract": f"urn:li:contract:{row['contract_id']}",
        "note": row["note"],
        "active": bool(row["active"]),
        "created": row["created_at"],
        "lastModified": row["updated_at"],
    }


def add_note(
    sandbox: Sandbox, *, seat_id: int | str, member_id: int | str, body: str
) -> dict[str, Any]:
    """A seat writes a prospect note on a member, under the seat's contract."""
    body = text(body, "body", NOTE_MAX)
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        author, prospect = seat(conn, seat_id), member(conn, member_id)
        row = conn.execute(
            "INSERT INTO prospect_notes(contract_id, seat_id, member_id, note, active, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING *",
            (author["contract_id"], author["id"], prospect["id"], body, now, now),
        ).fetchone()
    return note_view(row)


def edit_note(
    sandbox: Sandbox, *, note_id: int | str, body: str | None = None, active: bool | None = None
) -> dict[str, Any]:
    """Change a note's text or deactivate (delete) it; its last-updated time moves to now, so
    the next prospectNotes window hands the change to the ATS."""
    number_ = number(note_id, "note_id")
    if body is None and active is None:
        raise bad_request("body or active: give at least one")
    if body is not None:
        body = text(body, "body", NOTE_MAX)
    if active is not None and not isinstance(active, bool):
        raise bad_request("active: expected true or false")
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        row = conn.execute("SELECT * FROM prospect_notes WHERE id = ?", (number_,)).fetchone()
        if row is None:
            raise LinkedInError(404, f"No prospect note {number_}")
        row = conn.execute(
            "UPDATE prospect_notes SET note = ?, active = ?, updated_at = ? WHERE id = ? "
            "RETURNING *",
            (
                row["note"] if body is None else body,
                row["active"] if active is None else int(active),
                now,
                number_,
            ),
        ).fetchone()
    return note_view(row)


def close_profile(sandbox: Sandbox, *, member_id: int | str) -> dict[str, Any]:
    """The member closes their LinkedIn account (again: no change, same closing time)."""
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        row = member_row(conn, member_id)
        if row is None:
            raise LinkedInError(404, f"No member {member_id}")
        if row["closed_at"] is None:
            conn.execute("UPDATE members SET closed_at = ? WHERE id = ?", (now, row["id"]))
    return {
        "member_id": row["id"],
        "member": person_urn(row["person_id"]),
        "closed_at": row["closed_at"] or now,
    }
