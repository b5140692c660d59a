"""The fault soak: Recruiter work in the sandbox under LinkedIn faults, then the ATS checked
against LinkedIn's own record. Driven by tests/reliability/test_fault_soak.py (small) and
bench/soak.py (full size).

The work, through the sandbox's Recruiter actions: InMails and notes to some members before they
are exported (so they come both in the export and in the polled history), 1-click exports of
every member to a synced job, then more InMails (new threads), the members' replies in some of
them, and more notes. Faults while it runs: 10% of LinkedIn API calls answered 5xx, 10% 429
with Retry-After, 200 ms latency on the rest; 20% of pushes duplicated and 20% reordered (200 ms
late), 5% lost in transit once (LinkedIn sends them again). Then the faults stop and the test
waits for one full poll cycle after that, the ATS's pushes done and its outbox empty.

The oracle is the sandbox's database (exports, conversation_events, prospect_notes, and the
atsCandidates/atsApplications records the ATS synced) against the ATS database: every exported
member one candidate with one opportunity on the exported job, at the stage its correspondence
puts it (New lead; Reached out after an InMail sent since the export; Responded after a reply
since the export); every InMail, reply and note exactly once, on that candidate; LinkedIn holds
every candidate linked to its member and every application; nothing else.
"""

import itertools
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.reliability.harness import Cluster, eventually, key_field, uuid_text

DRIVER_THREADS = 4
FIRST_MEMBER = 100  # the sandbox's generated members; lower ids hold the seats
PRE_EXPORT_SHARE = 4  # a quarter of the InMails and notes come before their member's export
SAFETY_LAG_S = 31  # the ATS polls nothing younger than 30 s
FAULT_SEED = 2026

LEAD_NEW, LEAD_REACHED_OUT, LEAD_RESPONDED = "lead-new", "lead-reached-out", "lead-responded"
# The worker polls every 2 s within each minute's tick, and a dead drainer's lease is short.
ATS_ENV = {"LINKEDIN_POLL_SECONDS": "2", "LINKEDIN_SYNC_LEASE_SECONDS": "10", "HUEY_WORKERS": "4"}


@dataclass(frozen=True)
class Size:
    exports: int
    inmails: int
    replies: int
    notes: int

    def __post_init__(self) -> None:
        if self.exports < 1 or min(self.inmails, self.replies, self.notes) < 0:
            raise ValueError("exports: at least 1; inmails, replies, notes: at least 0")
        if self.replies > self.inmails - self.inmails // PRE_EXPORT_SHARE:
            raise ValueError("replies: at most the InMails sent after the exports")


SMALL = Size(exports=60, inmails=120, replies=30, notes=20)
FULL = Size(exports=1000, inmails=2000, replies=500, notes=300)


def fault_config(seed: int = FAULT_SEED) -> dict[str, Any]:
    """LinkedIn's API: 10% 5xx, 10% 429 (Retry-After 1 s), 200 ms latency on the rest (rules
    are tried in order, the first that fires wins, hence the second's rate of 0.1 / 0.9);
    pushes: 20% duplicated, 20% reordered, 5% lost in transit once, 200 ms late."""
    api = "^/(oauth|v2|rest)/"
    return {
        "seed": seed,
        "http": [
            {"name": "5xx", "path": api, "rate": 0.1, "status": 503},
            {"name": "429", "path": api, "rate": 0.1 / 0.9, "status": 429, "retry_after": 1},
            {"name": "latency", "path": api, "rate": 1.0, "delay_ms": 200},
        ],
        "push": {"duplicate": 0.2, "reorder": 0.2, "drop": 0.05, "delay_ms": 200},
    }


@dataclass
class Work:
    """What was done in the sandbox, with the timings of each phase."""

    size: Size
    exported: dict[str, str] = field(default_factory=dict)  # person URN → external job id
    seconds: dict[str, float] = field(default_factory=dict)


def _in_parallel(calls: list[Callable[[httpx.Client], None]]) -> None:
    """Each call with a client of its own thread; the first failure is raised."""

    def run(share: list[Callable[[httpx.Client], None]]) -> None:
        with httpx.Client(timeout=60) as client:
            for call in share:
                call(client)

    with ThreadPoolExecutor(DRIVER_THREADS) as pool:
        shares = [calls[i::DRIVER_THREADS] for i in range(DRIVER_THREADS)]
        for done in [pool.submit(run, share) for share in shares]:
            done.result()


def drive(cluster: Cluster, size: Size) -> Work:
    """The Recruiter work under faults; returns when the sandbox has recorded all of it."""
    work = Work(size)
    actions = f"{cluster.sandbox}/_sandbox/actions/"
    cluster.control(
        "PUT",
        "settings",
        json={"exports_per_seat_per_month": 1_000_000, "inmail_quota_per_seat": 1_000_000},
    )
    seats = [seat["id"] for seat in cluster.control("GET", "tenant")["seats"]]
    jobs = [
        row["record_key"]
        for row in cluster.linkedin_record(
            "SELECT record_key FROM records WHERE resource = 'simpleJobPostings' "
            "AND json_extract(body, '$.state') = 'LISTED' ORDER BY record_key"
        )
    ]
    assert jobs, "no job synced to LinkedIn to export to"
    members = [
        {"id": row["id"], "person": f"urn:li:person:{row['person_id']}", "name": row["first_name"]}
        for row in cluster.linkedin_record(
            "SELECT id, person_id, first_name FROM members WHERE id >= ? AND closed_at IS NULL "
            "ORDER BY id LIMIT ?",
            FIRST_MEMBER,
            size.exports,
        )
    ]
    assert len(members) == size.exports, "the sandbox has too few members"
    seat_of = {m["id"]: seats[i % len(seats)] for i, m in enumerate(members)}
    cluster.control("PUT", "faults", json=fault_config())

    def inmail(member: dict[str, Any], threads: list[tuple[int, int]] | None = None) -> Callable:
        def send(client: httpx.Client) -> None:
            reply = client.post(
                actions + "inmail",
                json={
                    "seat_id": seat_of[member["id"]],
                    "member_id": member["id"],
                    "subject": "A role at Acme",
                    "body": f"Hello {member['name']}",
                },
            )
            reply.raise_for_status()
            if threads is not None:
                threads.append((reply.json()["conversation_id"], member["id"]))

        return send

    def note(member: dict[str, Any], index: int) -> Callable:
        def write(client: httpx.Client) -> None:
            client.post(
                actions + "note",
                json={
                    "seat_id": seat_of[member["id"]],
                    "member_id": member["id"],
                    "body": f"Soak note {index}",
                },
            ).raise_for_status()

        return write

    def export(member: dict[str, Any], job: str) -> Callable:
        def send(client: httpx.Client) -> None:
            client.post(
                actions + "export",
                json={
                    "seat_id": seat_of[member["id"]],
                    "member_id": member["id"],
                    "external_job_posting_id": job,
                },
            ).raise_for_status()
            work.exported[member["person"]] = job

        return send

    def reply(member_id: int, thread: int) -> Callable:
        def send(client: httpx.Client) -> None:
            client.post(
                actions + "reply",
                json={"member_id": member_id, "conversation_id": thread, "body": "Tell me more"},
            ).raise_for_status()

        return send

    cycle = itertools.cycle
    pre_inmails, pre_notes = size.inmails // PRE_EXPORT_SHARE, size.notes // PRE_EXPORT_SHARE
    started = time.monotonic()
    _in_parallel(
        [inmail(m) for m, _ in zip(cycle(members), range(pre_inmails), strict=False)]
        + [note(m, i) for i, m in zip(range(pre_notes), cycle(members), strict=False)]
    )
    _in_parallel([export(m, job) for m, job in zip(members, cycle(jobs), strict=False)])
    work.seconds["exports"] = time.monotonic() - started
    threads: list[tuple[int, int]] = []
    post = list(zip(cycle(members), range(size.inmails - pre_inmails), strict=False))
    _in_parallel([inmail(m, threads) for m, _ in post])
    _in_parallel(
        [reply(member_id, thread) for thread, member_id in sorted(threads)[: size.replies]]
        + [
            note(m, i)
            for i, m in zip(range(pre_notes, size.notes), cycle(reversed(members)), strict=False)
        ]
    )
    work.seconds["drive"] = time.monotonic() - started
    return work


def settle(cluster: Cluster, work: Work, timeout: float) -> None:
    """Under the faults still, wait for every export to be processed and every polled stream
    to have read past the last event; then faults off, one full poll cycle (every stream polled
    again), and the ATS quiet: every push delivered and done, the outbox empty."""
    started = time.monotonic()
    deadline = started + timeout
    last_event_ms = max(
        row[0]
        for row in cluster.linkedin_record(
            "SELECT max(created_at) FROM conversation_events UNION ALL "
            "SELECT max(updated_at) FROM prospect_notes UNION ALL "
            "SELECT max(created_at) FROM exports"
        )
        if row[0] is not None
    )

    def polled_since(mark: int) -> bool:
        """Every polled stream (the drain and the backfill keep cursors beside them) has a
        window that started after run `mark`, succeeded and read past the last event."""
        streams, behind = cluster.query(
            "SELECT count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM linkedin_syncrun r "
            "WHERE r.cursor_id = c.id AND r.id > %s AND r.ok AND r.window_end_ms > %s) "
            "THEN 0 ELSE 1 END) FROM linkedin_synccursor c WHERE c.stream LIKE %s",
            mark,
            last_event_ms,
            "%:urn:li:%",
        )[0]
        return bool(streams) and behind == 0

    def exports_done() -> bool:
        done = cluster.query("SELECT count(*) FROM linkedin_inboundevent WHERE status = 'done'")
        return done[0][0] >= len(work.exported)

    def quiet() -> bool:
        pushes = cluster.control("GET", "deliveries", params={"status": "pending", "limit": 1})
        open_events = cluster.query(
            "SELECT count(*) FROM linkedin_inboundevent WHERE status != 'done'"
        )[0][0]
        outbox = cluster.query("SELECT count(*) FROM linkedin_outboxitem")[0][0]
        return not pushes["elements"] and open_events == 0 and outbox == 0

    def wait(check: Callable[[], bool], what: str) -> None:
        eventually(check, max(0.0, deadline - time.monotonic()), what, 1.0)

    wait(lambda: exports_done() and polled_since(0), "the ATS catching up under faults")
    work.seconds["under_faults"] = time.monotonic() - started
    cluster.control("DELETE", "faults")
    mark = cluster.query("SELECT coalesce(max(id), 0) FROM linkedin_syncrun")[0][0]
    wait(lambda: polled_since(mark), "a full poll cycle after the faults")
    wait(quiet, "the pushes and the outbox settling")
    work.seconds["settle"] = time.monotonic() - started


def check(cluster: Cluster, work: Work) -> dict[str, int]:
    """Assert exactly-once against LinkedIn's record; the figures sent, ingested, duplicated
    and lost."""
    record = cluster.linkedin_record
    exports = {
        row["person"]: (row["job"], row["created_at"])
        for row in record(
            "SELECT 'urn:li:person:' || m.person_id AS person, e.external_job_posting_id AS job, "
            "e.created_at FROM exports e JOIN members m ON m.id = e.member_id"
        )
    }
    events = record(
        "SELECT e.id, 'urn:li:person:' || m.person_id AS person, e.from_member, e.created_at "
        "FROM conversation_events e JOIN members m ON m.id = e.member_id"
    )
    notes = record(
        "SELECT n.id, 'urn:li:person:' || m.person_id AS person FROM prospect_notes n "
        "JOIN members m ON m.id = n.member_id WHERE n.active = 1"
    )
    connections = cluster.query("SELECT person_urn, candidate_id FROM linkedin_profileconnection")
    candidate_of = {person: str(candidate) for person, candidate in connections}
    opportunities = cluster.query(
        "SELECT o.candidate_id, o.posting_id, o.stage_id FROM hiring_opportunity o "
        "JOIN linkedin_profileconnection c ON c.candidate_id = o.candidate_id"
    )
    opportunity_of = {str(c): (p, s) for c, p, s in opportunities}
    messages = cluster.query(
        "SELECT external_id, candidate_id FROM hiring_message WHERE channel = 'inmail'"
    )
    stored_notes = cluster.query(
        "SELECT external_id, candidate_id FROM hiring_note WHERE source = 'linkedin'"
    )
    sent = {
        "candidates": set(exports),
        "messages": {str(e["id"]) for e in events},
        "notes": {str(n["id"]) for n in notes},
    }
    stored = {
        "candidates": Counter(person for person, _ in connections),
        "messages": Counter(external for external, _ in messages),
        "notes": Counter(external for external, _ in stored_notes),
    }
    duplicates = {kind: sum(n - 1 for n in stored[kind].values()) for kind in stored}
    duplicates["opportunities"] = len(opportunities) - len(opportunity_of)
    lost = {kind: len(sent[kind] - set(stored[kind])) for kind in sent}
    extra = {kind: len(set(stored[kind]) - sent[kind]) for kind in sent}
    deliveries = record("SELECT request_id, status, fault FROM deliveries WHERE url != ''")
    delivered = Counter(row["request_id"] for row in deliveries if row["status"] == "delivered")
    figures = {
        "exports_sent": len(exports),
        "inmails_sent": sum(1 for e in events if not e["from_member"]),
        "replies_sent": sum(1 for e in events if e["from_member"]),
        "notes_sent": len(notes),
        "candidates_ingested": len(candidate_of),
        "opportunities_ingested": len(opportunities),
        "messages_ingested": len(messages),
        "notes_ingested": len(stored_notes),
        "pushes_delivered": sum(delivered.values()),
        "duplicate_pushes": sum(n - 1 for n in delivered.values()),
        "pushes_lost_in_transit": sum(1 for row in deliveries if "drop" in (row["fault"] or "")),
        "duplicates_in_ats": sum(duplicates.values()),
        "lost": sum(lost.values()),
        "extra_in_ats": sum(extra.values()),
    }
    print("soak figures:", figures)

    assert set(exports) == set(work.exported), "the sandbox recorded other exports than made"
    assert duplicates == dict.fromkeys(duplicates, 0), f"stored more than once: {duplicates}"
    assert lost == dict.fromkeys(lost, 0), f"lost: {lost}"
    assert extra == dict.fromkeys(extra, 0), f"made up: {extra}"
    assert set(opportunity_of) == set(candidate_of.values()), "a candidate with no opportunity"
    placed = dict(messages)
    assert all(str(placed[str(e["id"])]) == candidate_of[e["person"]] for e in events)
    noted = dict(stored_notes)
    assert all(str(noted[str(n["id"])]) == candidate_of[n["person"]] for n in notes)

    wrong = []
    for person, (job, exported_at) in exports.items():
        posting, stage = opportunity_of[candidate_of[person]]
        since = [e for e in events if e["person"] == person and e["created_at"] >= exported_at]
        expected = LEAD_NEW
        if since:
            replied = any(e["from_member"] for e in since)
            expected = LEAD_RESPONDED if replied else LEAD_REACHED_OUT
        if stage != expected or posting is None or uuid_text(posting) != uuid_text(job):
            wrong.append((person, stage, expected, posting, job))
    assert not wrong, f"opportunities at the wrong stage or posting: {wrong[:5]}"

    linked = {
        key_field(row["record_key"], "atsCandidateId"): row["member"]
        for row in record(
            "SELECT record_key, json_extract(body, '$.manualMatchedMember') AS member "
            "FROM records WHERE resource = 'atsCandidates'"
        )
    }
    unlinked = [p for p, c in candidate_of.items() if linked.get(uuid_text(c)) != p]
    assert not unlinked, f"candidates LinkedIn lacks or holds unlinked: {unlinked[:5]}"
    applied = {
        uuid_text(row[0])
        for row in record(
            "SELECT json_extract(body, '$.atsCandidateId') FROM records "
            "WHERE resource = 'atsApplications'"
        )
    }
    assert {uuid_text(c) for c in candidate_of.values()} <= applied, "applications LinkedIn lacks"
    assert cluster.query("SELECT count(*) FROM linkedin_outboxitem")[0][0] == 0
    return figures
