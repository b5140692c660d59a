"""SIGKILL the worker again and again in the middle of its work, restart it, and everything still
lands exactly once: 1-click exports, polled InMail history, stub profiles and notes, and the
historical sync (backfill).

Huey acknowledges nothing: a task running in a killed worker is gone. What brings the work back
is the state in the database (pushes, cursors, the outbox) and the sweepers a restarted worker
rings at once. Each round waits for the worker to make some progress (pushes processed, calls
to LinkedIn), a step drawn from the seed, kills the worker's process group, lets its leases run
out and starts a new worker; after the last round the stack must converge within a bounded wait.

The seed is drawn per run (CRASH_RESUME_SEED replays one) and named in every failure message.
"""

import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.reliability.harness import (
    Cluster,
    key_field,
    postgres_database,
    running,
    suite_on_postgres,
    uuid_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

DATABASE_PREFIX = "hb_crash_"
SEED = int(os.environ.get("CRASH_RESUME_SEED") or random.SystemRandom().randrange(1 << 32))
ROUNDS = 3
LEASE_SECONDS = 2
CANDIDATES = 120  # in the ATS before LinkedIn is connected: what the backfill must send
EXPORTS = 24  # in ROUNDS waves
BATCH_SIZE = 20  # a backfill in more, smaller steps
CONVERSATIONS = 12
SAFETY_LAG_SECONDS = 30  # streams.SAFETY_LAG_MS: polled items show up this late at the earliest
PROGRESS_SECONDS = 60
CONVERGE_SECONDS = 75  # a retried push waits out its backoff (15 s) and the next sweep tick
PRIMARY_CONNECTIONS = 'SELECT person_urn FROM linkedin_profileconnection WHERE "primary" = %s'
INTERACTIONS = ("/v2/conversationEvents", "/v2/mailStubs", "/v2/prospectNotes")
ENV = {
    "LINKEDIN_SYNC_LEASE_SECONDS": str(LEASE_SECONDS),
    "LINKEDIN_POLL_SECONDS": "1",
    "LINKEDIN_BATCH_SIZE": str(BATCH_SIZE),
    "HUEY_WORKERS": "4",  # the poll loop holds one thread for most of each minute
}


def seeded(what: str) -> str:
    return f"{what} (seed {SEED}; CRASH_RESUME_SEED={SEED} replays it)"


def kill_steps(scenario: str, most: int) -> list[int]:
    """How much progress each of the ROUNDS workers makes before it is killed: 1 to `most`,
    drawn from the seed."""
    rng = random.Random(f"{SEED}:{scenario}")  # noqa: S311 (replayable, not a secret)
    return [rng.randint(1, most) for _ in range(ROUNDS)]


def kill_rounds(
    stack: Cluster,
    progress: Callable[[], int],
    steps: list[int],
    what: str,
    *,
    finished: Callable[[int], bool] = lambda _: False,
    each_round: Callable[[], None] = lambda: None,
) -> None:
    """Per step: give the worker its round's work (`each_round`), and once `progress` has grown
    by the step, SIGKILL the worker's process group, let its leases run out and start a new
    worker. A worker that finishes all there is before its step is killed idle."""
    for step in steps:
        start = progress()
        each_round()
        deadline = time.monotonic() + PROGRESS_SECONDS
        while (seen := progress()) < start + step and not finished(seen):
            assert time.monotonic() < deadline, seeded(f"{what} stalled at {seen}")
            time.sleep(0.05)
        stack.kill_worker()
        time.sleep(LEASE_SECONDS + 0.5)
        stack.start_worker(0)


def converge(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + CONVERGE_SECONDS
    while not check():
        assert time.monotonic() < deadline, seeded(f"{what} did not converge")
        time.sleep(0.3)


def moment(value: object) -> datetime:
    """A timestamp as SQLite (text, UTC) or PostgreSQL (aware datetime) returns it."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def quiet(stack: Cluster) -> bool:
    """Every push settled and the outbox empty."""
    return (
        stack.scalar("SELECT count(*) FROM linkedin_inboundevent WHERE status = 'new'") == 0
        and stack.scalar("SELECT count(*) FROM linkedin_outboxitem") == 0
    )


def assert_no_stuck_work(stack: Cluster) -> None:
    """No push or outbox row left, and no lease longer than LINKEDIN_SYNC_LEASE_SECONDS."""
    events = stack.query(
        "SELECT status, count(*) FROM linkedin_inboundevent GROUP BY status ORDER BY status"
    )
    assert dict(events).keys() <= {"done"}, seeded(f"pushes not done: {events}")
    outbox = stack.query("SELECT kind, status, last_error FROM linkedin_outboxitem")
    assert outbox == [], seeded(f"outbox rows left: {outbox[:5]}")
    bound = datetime.now(UTC) + timedelta(seconds=LEASE_SECONDS + 1)
    leases = [
        (stream, moment(until))
        for stream, until in stack.query(
            "SELECT stream, lease_until FROM linkedin_synccursor WHERE lease_until IS NOT NULL"
        )
    ]
    assert [lease for lease in leases if lease[1] > bound] == [], seeded("leases too long")


def counted(stack: Cluster, statement: str, *params: object) -> Counter[str]:
    return Counter(str(key) for (key,) in stack.query(statement, *params))


@dataclass
class Conversations:
    """Recruiter activity made in the sandbox at the start, polled by the ATS later on."""

    started: float  # time.monotonic() when it was made
    sharers: list[str]  # person URNs of members who shared their contact details (stubs)
    events: dict[str, str]  # InMail event id → its member's person URN
    notes: dict[str, str]  # prospect note id → its member's person URN


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Cluster]:
    """On a fresh PostgreSQL database when the suite runs on PostgreSQL, else on SQLite in the
    scratch directory (both paths proven end to end)."""
    scratch = tmp_path_factory.mktemp("crash_resume")
    with ExitStack() as cleanup:
        database_url = None
        if suite_on_postgres():
            database_url = cleanup.enter_context(postgres_database(DATABASE_PREFIX))
        yield cleanup.enter_context(
            running(
                scratch,
                members=300,
                database_url=database_url,
                env=ENV,
                seed=7,
                candidates=CANDIDATES,
                demo_seed=11,
                backfill=False,
            )
        )


@pytest.fixture(scope="module", autouse=True)
def conversations(stack) -> Conversations:
    """Made before the first test, so that LinkedIn's lag has passed by the time polling is tested:
    a seat's InMail to each member; a third answer "yes, share" (a stub profile) and reply,
    a third answer "no thanks" (their activity is held, as no candidate is theirs), a third
    never answer; and a note on each member by the seat."""
    seats = stack.control("GET", "tenant")["seats"]
    members = stack.control("GET", "members", params={"start": 200, "count": CONVERSATIONS})[
        "elements"
    ]
    made = Conversations(time.monotonic(), [], {}, {})
    for index, member in enumerate(members):
        seat = seats[index % len(seats)]["id"]
        sent = stack.action(
            "inmail",
            {"seat_id": seat, "member_id": member["id"], "subject": "Hello", "body": f"Hi {index}"},
        )
        made.events[str(sent["event_id"])] = member["person"]
        thread = {"member_id": member["id"], "conversation_id": sent["conversation_id"]}
        if index % 3 < 2:
            answer = "yes_share" if index % 3 == 0 else "no_thanks"
            answered = stack.action("inmail-response", {**thread, "answer": answer})
            made.events[str(answered["event_id"])] = member["person"]
        if index % 3 == 0:
            made.sharers.append(member["person"])
            replied = stack.action("reply", {**thread, "body": f"Call me, {index}"})
            made.events[str(replied["event_id"])] = member["person"]
        note = stack.action(
            "note", {"seat_id": seat, "member_id": member["id"], "body": f"Note {index}"}
        )
        made.notes[str(note["note_id"])] = member["person"]
    return made


def test_exports_land_once_through_killed_workers(stack):
    seats = stack.control("GET", "tenant")["seats"]
    members = stack.control("GET", "members", params={"start": 0, "count": EXPORTS})["elements"]
    waves = iter(range(0, EXPORTS, EXPORTS // ROUNDS))
    exports: list[dict] = []

    def export_wave() -> None:
        """A round's exports: the next EXPORTS / ROUNDS members, from every seat in turn."""
        first = next(waves)
        for index in range(first, first + EXPORTS // ROUNDS):
            seat = seats[index % len(seats)]["id"]
            exports.append(
                stack.action("export", {"seat_id": seat, "member_id": members[index]["id"]})
            )

    def processed() -> int:
        done = stack.query("SELECT request_id FROM linkedin_inboundevent WHERE status = 'done'")
        return len({export["request_id"] for export in exports} & {r for (r,) in done})

    kill_rounds(
        stack,
        processed,
        kill_steps("exports", EXPORTS // ROUNDS),
        "pushes processed",
        finished=lambda seen: seen == len(exports),
        each_round=export_wave,
    )
    persons = Counter(export["person"] for export in exports)
    assert len(persons) == EXPORTS

    def landed() -> bool:
        return processed() == EXPORTS

    converge(lambda: landed() and quiet(stack), "the exports")
    primary = counted(stack, PRIMARY_CONNECTIONS, True)
    assert Counter({p: primary[p] for p in persons}) == persons, seeded("one candidate each")
    opportunities = dict(
        stack.query(
            "SELECT c.person_urn, count(o.id) FROM linkedin_profileconnection c "
            "JOIN hiring_opportunity o ON o.candidate_id = c.candidate_id GROUP BY c.person_urn"
        )
    )
    assert {opportunities.get(p) for p in persons} == {1}, seeded("one opportunity per export")
    assert_no_stuck_work(stack)
    exported = {
        uuid_text(candidate)
        for person, candidate in stack.query(
            "SELECT person_urn, candidate_id FROM linkedin_profileconnection"
        )
        if person in persons
    }
    held = set(stack.held("atsCandidates", "atsCandidateId"))
    assert exported <= held, seeded("LinkedIn holds every exported candidate")


def test_polled_history_lands_once_through_killed_workers(stack, conversations):
    # Nothing made is readable before LinkedIn's lag has passed: count the calls from then on.
    time.sleep(max(0.0, conversations.started + SAFETY_LAG_SECONDS - time.monotonic()))
    interaction_calls = stack.ledger_count(lambda row: row["path"] in INTERACTIONS)
    kill_rounds(stack, interaction_calls, kill_steps("polling", 12), "interaction calls")

    sharers = Counter(conversations.sharers)
    theirs = {e for e, person in conversations.events.items() if person in sharers}
    their_notes = {n for n, person in conversations.notes.items() if person in sharers}
    others = [
        *(("inmail", e) for e, person in conversations.events.items() if person not in sharers),
        *(("note", n) for n, person in conversations.notes.items() if person not in sharers),
    ]

    def imported() -> Counter[str]:
        return counted(
            stack, "SELECT external_id FROM hiring_message WHERE external_id IS NOT NULL"
        )

    def linkedin_notes() -> Counter[str]:
        return counted(stack, "SELECT external_id FROM hiring_note WHERE source = 'linkedin'")

    def held_activity() -> Counter[tuple]:
        return Counter(stack.query("SELECT kind, linkedin_id FROM linkedin_heldactivity"))

    # The InMail and note streams are polled apart: wait for every one of them.
    converge(
        lambda: (
            theirs <= imported().keys()
            and their_notes <= linkedin_notes().keys()
            and set(others) <= held_activity().keys()
            and quiet(stack)
        ),
        "the polled InMails and notes",
    )
    messages = imported()
    assert {messages[event] for event in theirs} == {1}, seeded("each InMail once")
    notes = linkedin_notes()
    assert {notes[note] for note in their_notes} == {1}, seeded("each note once")
    primary = counted(stack, PRIMARY_CONNECTIONS, True)
    assert Counter({p: primary[p] for p in sharers}) == sharers, seeded("one candidate each")
    general = dict(
        stack.query(
            "SELECT c.person_urn, count(o.id) FROM linkedin_profileconnection c "
            "JOIN hiring_opportunity o ON o.candidate_id = c.candidate_id "
            "WHERE o.posting_id IS NULL GROUP BY c.person_urn"
        )
    )
    assert {general.get(p) for p in sharers} == {1}, seeded("one opportunity per stub")
    held = held_activity()
    assert {held[item] for item in others} == {1}, seeded("the others' activity held once each")
    assert_no_stuck_work(stack)


def test_a_backfill_lands_everything_once_through_killed_workers(stack):
    since = stack.last_ledger_id()
    candidates = set(stack.ids("SELECT id FROM hiring_candidate"))
    applications = set(stack.ids("SELECT id FROM hiring_opportunity WHERE posting_id IS NOT NULL"))

    def held() -> int:
        """Candidates and applications LinkedIn holds (sent by the exports too, or not)."""
        return stack.held_count("atsCandidates") + stack.held_count("atsApplications")

    # What the settings page's "Run historical sync" does: queue the task for the worker.
    stack.hirebridge(
        "shell", "-c", "from hirebridge.linkedin import tasks; tasks.backfill_linkedin()"
    )
    kill_rounds(
        stack,
        held,
        kill_steps("backfill", BATCH_SIZE * 3),
        "records LinkedIn holds",
        finished=lambda seen: seen >= len(candidates) + len(applications),
    )

    def sent() -> bool:
        return (
            set(stack.held("atsCandidates", "atsCandidateId")) == candidates
            and set(stack.held("atsApplications", "atsJobApplicationId")) == applications
            and quiet(stack)
        )

    converge(sent, "the historical sync")
    assert_no_stuck_work(stack)
    accepted: Counter[str] = Counter()
    for row in stack.ledger(since, "/v2/atsCandidates"):
        if (row["method"], row["path"]) == ("PUT", "/v2/atsCandidates") and row["status"] < 300:
            accepted.update(key_field(key, "atsCandidateId") for key in row["ids"])
    # A batch in flight when its worker died may go again: at most one batch per kill.
    resent = sum(times - 1 for times in accepted.values())
    assert resent <= ROUNDS * BATCH_SIZE, seeded(f"{resent} sent twice")
