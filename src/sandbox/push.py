"""Push notifications, LinkedIn → ATS: EXPORT_CANDIDATE_PROFILE and INTEGRATION_STATUS_CHANGE.

https://learn.microsoft.com/linkedin/talent/receive-push-events
https://learn.microsoft.com/linkedin/shared/api-guide/webhook-validation

`notify` records a notification and queues its deliveries inside the caller's transaction;
`deliver_due` sends what is due, never inside a transaction. A callback URL receives nothing
until it has answered LinkedIn's challenge; it is challenged again every 2 hours and blocked
after 3 failures in a row, until CALLBACK_URL is set again. Push faults are decided when a
delivery is queued, from a generator seeded by the fault configuration, so a run replays.
"""

import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox import restli, state
from sandbox.context import Sandbox
from sandbox.faults import push_faults

log = logging.getLogger(__name__)

EXPORT_CANDIDATE_PROFILE = "EXPORT_CANDIDATE_PROFILE"
INTEGRATION_STATUS_CHANGE = "INTEGRATION_STATUS_CHANGE"
SIGNATURE_HEADER = "X-LI-Signature"
SIGNATURE_PREFIX = "hmacsha256="

# LinkedIn publishes no RSC retry schedule; Apply Connect retries up to 6 times.
MAX_ATTEMPTS = 6
RETRY_BASE_MS = 5_000  # then 10, 20, 40 and 80 s
REVALIDATE_MS = 2 * 3600 * 1000
# A failed challenge is repeated after a minute (LinkedIn waits for its 2-hourly round).
CHECK_RETRY_MS = 60_000
BLOCK_AFTER_FAILURES = 3
# A claimed delivery or check belongs to the step that claimed it for this long.
LEASE_MS = 30_000
REORDER_WINDOW_MS = 5_000
STEP_SIZE = 20
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Notification:
    request_id: str
    integration_context: str
    payload: dict[str, Any]
    created_at: int


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature(secret: str, body: bytes, scheme: str) -> str:
    """The X-LI-Signature value for a body, in one of the two readings of LinkedIn's words."""
    if scheme == "header_prefix":
        return SIGNATURE_PREFIX + _hmac_hex(secret, body)
    return _hmac_hex(secret, SIGNATURE_PREFIX.encode() + body)


def challenge_response(secret: str, challenge_code: str) -> str:
    return _hmac_hex(secret, challenge_code.encode())


def organization_of(conn: sqlite3.Connection, integration_context: str) -> int | None:
    """The organization an organization or contract URN belongs to."""
    kind, _, number = integration_context.removeprefix("urn:li:").partition(":")
    if not number.isdigit():
        return None
    if kind == "organization":
        return int(number)
    if kind == "contract":
        row = conn.execute(
            "SELECT organization_id FROM contracts WHERE id = ?", (int(number),)
        ).fetchone()
        return row["organization_id"] if row else None
    return None


def one_click_export_key(organization_id: int) -> restli.Key:
    return restli.complex_key(
        integrationContext=f"urn:li:organization:{organization_id}",
        integrationType="ONE_CLICK_EXPORT",
        tenantType="RECRUITER",
        dataProvider="ATS",
    )


def callback_url(conn: sqlite3.Connection, client_id: str, organization_id: int) -> str | None:
    """The CALLBACK_URL the app configured on its ONE_CLICK_EXPORT integration, if any."""
    row = conn.execute(
        "SELECT value FROM configurations WHERE client_id = ? AND integration_key = ? "
        "AND name = 'CALLBACK_URL'",
        (client_id, restli.canonical(one_click_export_key(organization_id))),
    ).fetchone()
    return row["value"] if row else None


def watch_callback(conn: sqlite3.Connection, client_id: str, url: str, now_ms: int) -> None:
    """CALLBACK_URL was set: forget the URL's past, challenge it before anything is delivered."""
    conn.execute(
        "INSERT INTO callback_checks(client_id, url, consecutive_failures, blocked, "
        "validated_at, next_check_at, last_error) VALUES (?, ?, 0, 0, NULL, ?, NULL) "
        "ON CONFLICT(client_id, url) DO UPDATE SET consecutive_failures = 0, blocked = 0, "
        "validated_at = NULL, next_check_at = excluded.next_check_at, last_error = NULL",
        (client_id, url, now_ms),
    )


def notify(
    conn: sqlite3.Connection,
    sandbox: Sandbox,
    *,
    client_id: str,
    type: str,
    integration_context: str,
    payload: dict[str, Any] | None = None,
) -> str:
    """Record a notification and queue its push to the app's callback URL; the request id.

    Runs in the caller's transaction; the caller wakes the pusher after committing. With no
    CALLBACK_URL configured the push is recorded as `no_callback` and never sent.
    """
    now = sandbox.clock.now_ms()
    secret = conn.execute(
        "SELECT client_secret FROM apps WHERE client_id = ?", (client_id,)
    ).fetchone()["client_secret"]
    faults = push_faults(conn)  # a generator of its own per notification, seeded: replayable
    rng = faults.rng
    early = rng.random() < faults.early
    request_id = str(10**17 + secrets.randbelow(9 * 10**17))
    conn.execute(
        "INSERT INTO notifications(request_id, client_id, type, integration_context, payload, "
        "created_at, readable_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            request_id,
            client_id,
            type,
            integration_context,
            json.dumps(payload or {}),
            now,
            now + faults.early_ms if early else now,
        ),
    )
    body = json.dumps(
        {
            "type": type,
            "requestId": request_id,
            "integrationContext": integration_context,
            "createdAt": now,
        },
        separators=(",", ":"),
    )
    organization = organization_of(conn, integration_context)
    url = callback_url(conn, client_id, organization) if organization else None
    if url is None:
        _queue(conn, request_id, client_id, "", body, "", "no_callback", now, now, None)
        return request_id
    signed = signature(secret, body.encode(), state.current(conn)["push_signature"])
    copies = 2 if rng.random() < faults.duplicate else 1
    for copy in range(copies):
        marks = ["early"] if early else []
        marks += ["duplicate"] if copy else []
        due = now + faults.delay_ms
        if rng.random() < faults.reorder:
            due += rng.randint(1, REORDER_WINDOW_MS)
            marks.append("reorder")
        if rng.random() < faults.bad_signature:
            marks.append("bad_signature")
        if rng.random() < faults.drop:
            marks.append("drop")
        _queue(conn, request_id, client_id, url, body, signed, "pending", due, now, marks)
    conn.execute(
        "INSERT OR IGNORE INTO callback_checks(client_id, url, next_check_at) VALUES (?, ?, ?)",
        (client_id, url, now),
    )
    return request_id


def _queue(
    conn: sqlite3.Connection,
    request_id: str,
    client_id: str,
    url: str,
    body: str,
    signed: str,
    status: str,
    due_at: int,
    now: int,
    marks: list[str] | None,
) -> None:
    conn.execute(
        "INSERT INTO deliveries(request_id, client_id, url, body, signature, status, due_at, "
        "created_at, fault) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            request_id,
            client_id,
            url,
            body,
            signed,
            status,
            due_at,
            now,
            ",".join(marks or []) or None,
        ),
    )


def readable(
    conn: sqlite3.Connection,
    *,
    client_id: str,
    request_id: str,
    type: str,
    now_ms: int,
) -> Notification | None:
    """The app's own notification of this type, once its data is readable; else None."""
    row = conn.execute(
        "SELECT * FROM notifications WHERE request_id = ? AND client_id = ? AND type = ?",
        (request_id, client_id, type),
    ).fetchone()
    if row is None or (row["readable_at"] or row["created_at"]) > now_ms:
        return None
    return Notification(
        row["request_id"], row["integration_context"], json.loads(row["payload"]), row["created_at"]
    )


def deliver_due(sandbox: Sandbox) -> int:
    """One step of the pusher: due challenges, then due deliveries. The HTTP requests made."""
    timeout = sandbox.settings.push_timeout_seconds
    made = 0
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for check in _claim_checks(sandbox):
            _record_check(sandbox, check, _challenge(client, check, timeout))
            made += 1
        for delivery in _claim_deliveries(sandbox):
            status, error = _post(client, delivery)
            _record_delivery(sandbox, delivery, status, error)
            made += 1
    return made


def _claim_checks(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Due challenges of URLs still configured as a CALLBACK_URL, leased to this step."""
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        rows = conn.execute(
            "SELECT c.client_id, c.url, a.client_secret FROM callback_checks c "
            "JOIN apps a USING (client_id) WHERE c.blocked = 0 AND c.next_check_at <= ? "
            "AND EXISTS (SELECT 1 FROM configurations f WHERE f.client_id = c.client_id "
            "AND f.name = 'CALLBACK_URL' AND f.value = c.url) "
            "ORDER BY c.next_check_at LIMIT ?",
            (now, STEP_SIZE),
        ).fetchall()
        for row in rows:
            conn.execute(
                "UPDATE callback_checks SET next_check_at = ? WHERE client_id = ? AND url = ?",
                (now + LEASE_MS, row["client_id"], row["url"]),
            )
    return [{**dict(row), "lease": now + LEASE_MS} for row in rows]


def _challenge(client: httpx.Client, check: dict[str, Any], timeout: float) -> str | None:
    """None when the URL proves it knows the client secret in time; else what went wrong."""
    code = str(uuid.uuid4())
    started = time.monotonic()
    try:
        reply = client.get(
            check["url"], params={"challengeCode": code, "applicationId": check["client_id"]}
        )
    except httpx.HTTPError as exc:
        return f"challenge request failed: {type(exc).__name__}: {exc}"
    if time.monotonic() - started > timeout:
        return f"challenge answered after more than {timeout:g} s"
    if reply.status_code != 200:
        return f"challenge answered HTTP {reply.status_code}, expected 200"
    try:
        answer = reply.json()
    except ValueError:
        return "challenge answer is not JSON"
    got = answer.get("challengeResponse") if isinstance(answer, dict) else None
    expected = challenge_response(check["client_secret"], code)
    if not isinstance(got, str) or not hmac.compare_digest(got.lower(), expected):
        return "challengeResponse is not the hex HMAC-SHA256 of challengeCode with the secret"
    return None


def _record_check(sandbox: Sandbox, check: dict[str, Any], error: str | None) -> None:
    """Count the outcome, unless CALLBACK_URL was set again meanwhile (the lease is gone)."""
    now = sandbox.clock.now_ms()
    key = (check["client_id"], check["url"], check["lease"])
    with sandbox.db.transaction() as conn:
        if error is None:
            conn.execute(
                "UPDATE callback_checks SET consecutive_failures = 0, validated_at = ?, "
                "next_check_at = ?, last_error = NULL "
                "WHERE client_id = ? AND url = ? AND next_check_at = ?",
                (now, now + REVALIDATE_MS, *key),
            )
            return
        log.info("callback %s failed its challenge: %s", check["url"], error)
        conn.execute(
            "UPDATE callback_checks SET consecutive_failures = consecutive_failures + 1, "
            "blocked = consecutive_failures + 1 >= ?, last_error = ?, next_check_at = "
            "CASE WHEN consecutive_failures + 1 >= ? THEN NULL ELSE ? END "
            "WHERE client_id = ? AND url = ? AND next_check_at = ?",
            (BLOCK_AFTER_FAILURES, error, BLOCK_AFTER_FAILURES, now + CHECK_RETRY_MS, *key),
        )


def _claim_deliveries(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Due deliveries to validated URLs, leased to this step; the others settled or deferred."""
    now = sandbox.clock.now_ms()
    claimed = []
    with sandbox.db.transaction() as conn:
        rows = conn.execute(
            "SELECT d.*, a.client_secret, c.blocked, c.validated_at, c.next_check_at, "
            "EXISTS (SELECT 1 FROM configurations f WHERE f.client_id = d.client_id "
            "AND f.name = 'CALLBACK_URL' AND f.value = d.url) AS configured "
            "FROM deliveries d JOIN apps a USING (client_id) "
            "LEFT JOIN callback_checks c ON c.client_id = d.client_id AND c.url = d.url "
            "WHERE d.status = 'pending' AND d.due_at <= ? ORDER BY d.due_at, d.id LIMIT ?",
            (now, STEP_SIZE),
        ).fetchall()
        for row in rows:
            if row["blocked"]:
                _settle(
                    conn,
                    row["id"],
                    "blocked",
                    f"the callback URL is blocked: it failed {BLOCK_AFTER_FAILURES} challenges "
                    "in a row (set CALLBACK_URL again to unblock it)",
                )
            elif row["validated_at"] is None and not row["configured"]:
                _settle(conn, row["id"], "failed", "CALLBACK_URL changed before delivery")
            elif row["validated_at"] is None:  # wait for the URL's next challenge
                wait_until = max(row["next_check_at"] or now, now + 1000)
                conn.execute(
                    "UPDATE deliveries SET due_at = ? WHERE id = ?", (wait_until, row["id"])
                )
            else:
                conn.execute(
                    "UPDATE deliveries SET due_at = ? WHERE id = ?", (now + LEASE_MS, row["id"])
                )
                claimed.append({**dict(row), "lease": now + LEASE_MS})
    return claimed


def _settle(conn: sqlite3.Connection, delivery_id: int, status: str, error: str) -> None:
    conn.execute(
        "UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?",
        (status, error, delivery_id),
    )


def _post(client: httpx.Client, delivery: dict[str, Any]) -> tuple[int | None, str | None]:
    """(HTTP status, error) of one attempt. The bad-signature and drop faults spoil the first
    attempt only, so the push still arrives on LinkedIn's retry: a receiver that refused the
    bad signature gets it signed right; a dropped push, lost in transit (the ATS never saw it,
    LinkedIn got no answer), is sent again. LinkedIn has no call that lists exports, so a push
    it never sent again could not be recovered by any ATS."""
    first = delivery["attempts"] == 0
    faults = (delivery["fault"] or "").split(",")
    if first and "drop" in faults:
        return None, "lost in transit: no answer"
    signed = delivery["signature"]
    if first and "bad_signature" in faults:
        signed = signed[:-64] + hashlib.sha256(signed.encode()).hexdigest()
    try:
        reply = client.post(
            delivery["url"],
            content=delivery["body"].encode(),
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: signed},
        )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if 200 <= reply.status_code < 300:
        return reply.status_code, None
    return reply.status_code, f"answered HTTP {reply.status_code}"


def _record_delivery(
    sandbox: Sandbox, delivery: dict[str, Any], status: int | None, error: str | None
) -> None:
    now = sandbox.clock.now_ms()
    attempts = delivery["attempts"] + 1
    if error is None:
        outcome, due = "delivered", delivery["lease"]
    elif attempts >= MAX_ATTEMPTS:
        outcome, due = "failed", delivery["lease"]
    else:
        outcome, due = "pending", now + RETRY_BASE_MS * 2 ** (attempts - 1)
    with sandbox.db.transaction() as conn:
        conn.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, response_status = ?, "
            "last_error = ?, due_at = ? WHERE id = ? AND status = 'pending' AND due_at = ?",
            (outcome, attempts, status, error, due, delivery["id"], delivery["lease"]),
        )


def deliveries(
    conn: sqlite3.Connection,
    *,
    request_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """What was pushed (newest first), as the admin API and the Recruiter UI show it."""
    rows = conn.execute(
        "SELECT d.*, n.type, n.integration_context FROM deliveries d "
        "LEFT JOIN notifications n USING (request_id) "
        "WHERE (? IS NULL OR d.request_id = ?) AND (? IS NULL OR d.status = ?) "
        "ORDER BY d.id DESC LIMIT ?",
        (request_id, request_id, status, status, limit),
    ).fetchall()
    return [
        {
            "id": row["id"],
            "request_id": row["request_id"],
            "type": row["type"],
            "integration_context": row["integration_context"],
            "client_id": row["client_id"],
            "url": row["url"] or None,
            "status": row["status"],
            "attempts": row["attempts"],
            "response_status": row["response_status"],
            "last_error": row["last_error"],
            "fault": row["fault"],
            "due_at": row["due_at"],
            "created_at": row["created_at"],
            "body": json.loads(row["body"]),
            "signature": row["signature"] or None,
        }
        for row in rows
    ]


def callback_checks(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Where each callback URL stands with LinkedIn's challenge, for the admin API."""
    return [
        {
            "client_id": row["client_id"],
            "url": row["url"],
            "validated_at": row["validated_at"],
            "consecutive_failures": row["consecutive_failures"],
            "blocked": bool(row["blocked"]),
            "next_check_at": row["next_check_at"],
            "last_error": row["last_error"],
        }
        for row in conn.execute("SELECT * FROM callback_checks ORDER BY client_id, url")
    ]


def start(sandbox: Sandbox) -> Callable[[], None]:
    """Give the sandbox its doorbell and, when configured, the thread that answers it; returns
    what stops that thread (called when the server shuts down)."""
    bell, stopping = threading.Event(), threading.Event()
    sandbox.wake_pusher = bell.set
    if not sandbox.settings.push_in_background:
        return lambda: None
    thread = threading.Thread(
        target=_run, args=(sandbox, bell, stopping), name="rsc-pusher", daemon=True
    )
    thread.start()

    def stop() -> None:
        stopping.set()
        bell.set()
        thread.join(timeout=sandbox.settings.push_timeout_seconds + 5)

    return stop


def _run(sandbox: Sandbox, bell: threading.Event, stopping: threading.Event) -> None:
    while not stopping.is_set():
        bell.wait(POLL_SECONDS)
        bell.clear()
        if stopping.is_set():
            return
        try:
            while deliver_due(sandbox):
                pass
        except Exception:
            log.exception("push delivery step failed; retrying in %s s", POLL_SECONDS)
