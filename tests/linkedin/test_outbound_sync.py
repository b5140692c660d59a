"""ATS → LinkedIn through the outbox, against the real sandbox: a backfill lands everything once,
each change travels, refusals are isolated and throttles only slow things down."""

import io
from datetime import timedelta

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from hirebridge import demo_data
from hirebridge.hiring import services
from hirebridge.hiring.models import (
    ArchiveReason,
    Candidate,
    Note,
    Opportunity,
    StageChange,
)
from hirebridge.hiring.models.opportunities import ArchiveReasonType
from hirebridge.hiring.models.records import Activity, RecordSource, Verb
from hirebridge.hiring.models.stages import LEAD_REACHED_OUT
from hirebridge.hiring.services import Phone
from hirebridge.linkedin import outbox
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.inbound import people
from hirebridge.linkedin.models import (
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    ProfileConnection,
    SyncCursor,
    SyncedRecord,
    SyncRun,
)
from hirebridge.linkedin.outbound import backfill, drain, mapping, sender
from hirebridge.linkedin.outbound.bucket import Buckets
from tests.factories import PostingFactory
from tests.linkedin.conftest import Linked

pytestmark = pytest.mark.timeout(180)


def writes_in(outbound: Linked, since_id: int) -> list[dict]:
    ledger = outbound.sandbox.admin("GET", "ledger", params={"since_id": since_id, "limit": 10000})
    return [
        row
        for row in ledger["elements"]
        if row["path"].startswith("/v2/ats") and row["method"] in ("PUT", "POST", "DELETE")
    ]


def last_ledger_id(outbound: Linked) -> int:
    rows = outbound.sandbox.admin("GET", "ledger", params={"limit": 10000})["elements"]
    return rows[-1]["id"] if rows else 0


def expected_stage_ids() -> set[str]:
    on_postings = Opportunity.objects.filter(posting__isnull=False)
    changes = StageChange.objects.filter(opportunity__in=on_postings)
    archives = Activity.objects.filter(
        opportunity__in=on_postings, verb__in=[Verb.ARCHIVED, Verb.UNARCHIVED]
    )
    return {f"s{c.pk}" for c in changes} | {f"a{a.pk}" for a in archives}


def test_a_backfill_lands_every_entity_once_and_a_second_one_sends_nothing(outbound):
    demo_data.seed(seed=3, candidates=40)
    run = backfill.backfill(outbound.integration)
    assert run.ok, run.error
    dead = list(OutboxItem.objects.filter(status=OutboxStatus.DEAD))
    assert dead == [], [(d.kind, d.last_error) for d in dead]
    candidates = {str(pk) for pk in Candidate.objects.values_list("pk", flat=True)}
    assert set(outbound.records("atsCandidates")) == candidates
    applications = {
        str(pk)
        for pk in Opportunity.objects.filter(posting__isnull=False).values_list("pk", flat=True)
    }
    assert set(outbound.records("atsApplications")) == applications
    assert set(outbound.records("atsApplicationStages")) == expected_stage_ids()
    ats_notes = Note.objects.filter(source=RecordSource.ATS)
    synced_notes = set(outbound.records("atsCandidateNotes")) | set(
        outbound.records("atsApplicationNotes")
    )
    assert synced_notes == {str(pk) for pk in ats_notes.values_list("pk", flat=True)}
    jobs = outbound.records("simpleJobPostings")
    assert {body["body"]["state"] for body in jobs.values()} <= {"LISTED", "CLOSED"}

    before = last_ledger_id(outbound)
    again = backfill.backfill(outbound.integration)
    assert again.ok
    assert writes_in(outbound, before) == []
    assert again.counts.get("sent", 0) == 0


def test_a_backfill_whose_worker_died_while_enqueuing_is_run_again(outbound):
    """The worker died after the run began and before everything was in the outbox: once the
    run's lease is out, the minute's sweep starts the backfill again and it lands everything."""
    demo_data.seed(seed=4, candidates=12)
    cursor = SyncCursor.objects.create(
        integration=outbound.integration,
        stream=backfill.STREAM,
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    died = SyncRun.objects.create(cursor=cursor, window_start_ms=0, window_end_ms=0)
    assert backfill.resume_interrupted(outbound.integration) is None  # its worker may be alive

    SyncCursor.objects.filter(pk=cursor.pk).update(lease_until=timezone.now())
    run = backfill.resume_interrupted(outbound.integration)
    assert run is not None and run.ok, run and run.error
    died.refresh_from_db()
    assert (died.ok, died.error) == (False, "interrupted; resumed by a later run")
    candidates = {str(pk) for pk in Candidate.objects.values_list("pk", flat=True)}
    assert set(outbound.records("atsCandidates")) == candidates
    assert backfill.resume_interrupted(outbound.integration) is None  # finished: nothing to do


@pytest.fixture
def applicant(outbound, alex):
    posting = PostingFactory(title="Data Engineer", location="Berlin, Germany", owner=alex)
    opportunity = services.create_candidate(
        alex,
        name="Ada Lovelace",
        emails=["ada@example.com"],
        current_company="Analytical Engines",
        posting=posting,
    )
    result = drain.drain(outbound.integration)
    assert not result.paused, result.paused
    return opportunity


def test_an_edit_reaches_linkedin(outbound, applicant, alex):
    services.update_candidate(alex, applicant.candidate, current_title="Countess")
    drain.drain(outbound.integration)
    body = outbound.records("atsCandidates")[str(applicant.candidate_id)]["body"]
    assert body["currentJobTitle"] == "Countess"
    assert outbox.pending_count() == 0


def test_a_stage_move_adds_a_stage_record(outbound, applicant, alex):
    services.move_to_stage(alex, applicant, LEAD_REACHED_OUT)
    drain.drain(outbound.integration)
    stages = outbound.records("atsApplicationStages")
    assert sorted(s["body"]["stage"] for s in stages.values()) == ["New lead", "Reached out"]


def test_a_new_note_reaches_the_application(outbound, applicant, alex):
    note, _ = services.add_note(alex, applicant.candidate, "Strong on maths", opportunity=applicant)
    drain.drain(outbound.integration)
    notes = outbound.records("atsApplicationNotes")
    assert notes[str(note.pk)]["body"]["note"] == "Strong on maths"


def test_an_archive_sets_the_disposition_and_a_stage(outbound, applicant, alex):
    reason = ArchiveReason.objects.filter(type=ArchiveReasonType.NON_HIRED)[0]
    services.archive(alex, applicant, reason)
    drain.drain(outbound.integration)
    application = outbound.records("atsApplications")[str(applicant.pk)]["body"]
    assert application["dispositionReason"] == reason.text
    stages = {s["body"]["stage"] for s in outbound.records("atsApplicationStages").values()}
    assert f"Archived: {reason.text}" in stages


def test_a_delete_removes_the_candidate_and_the_application(outbound, applicant, alex):
    services.add_note(alex, applicant.candidate, "Call back in May")
    drain.drain(outbound.integration)
    assert outbound.records("atsCandidateNotes")
    services.delete_candidate(alex, applicant.candidate)
    drain.drain(outbound.integration)
    assert outbound.records("atsCandidates") == {}
    assert outbound.records("atsApplications") == {}
    assert outbound.records("atsApplicationStages") == {}
    assert outbound.records("atsCandidateNotes") == {}
    assert not SyncedRecord.objects.exists()  # notes and stages went with their parents


def test_an_unmappable_row_is_a_dead_letter_until_fixed(outbound, alex):
    opportunity = services.create_candidate(alex, name="Cher", emails=["cher@example.com"])
    good = services.create_candidate(alex, name="Grace Hopper", emails=["grace@example.com"])
    drain.drain(outbound.integration)
    dead = OutboxItem.objects.get(status=OutboxStatus.DEAD)
    assert dead.entity_id == str(opportunity.candidate_id)
    assert "lastName" in dead.last_error or "firstName" in dead.last_error
    assert set(outbound.records("atsCandidates")) == {str(good.candidate_id)}
    services.update_candidate(alex, opportunity.candidate, name="Cher Sarkisian")
    drain.drain(outbound.integration)
    assert str(opportunity.candidate_id) in outbound.records("atsCandidates")
    assert not OutboxItem.objects.exists()


def test_429s_with_retry_after_slow_the_sync_and_lose_nothing(outbound):
    demo_data.seed(seed=5, candidates=15)
    outbound.sandbox.admin(
        "PUT",
        "faults",
        json={
            "seed": 1,
            "http": [
                {"path": "/v2/atsCandidates", "status": 429, "retry_after": 1, "times": 3},
                {"path": "/v2/atsApplications", "status": 429, "retry_after": 1, "times": 2},
            ],
        },
    )
    run = backfill.backfill(outbound.integration)
    assert run.ok, run.error
    throttled = [
        row
        for row in outbound.sandbox.admin("GET", "ledger", params={"limit": 10000})["elements"]
        if row["status"] == 429
    ]
    assert len(throttled) == 5
    assert len(outbound.records("atsCandidates")) == Candidate.objects.count()
    on_postings = Opportunity.objects.filter(posting__isnull=False).count()
    assert len(outbound.records("atsApplications")) == on_postings


class PoisonTransport(httpx.HTTPTransport):
    """LinkedIn refusing a whole batch with 400 whenever it carries one particular record."""

    def __init__(self, poison: str) -> None:
        super().__init__()
        self.poison = poison.encode()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and self.poison in request.read():
            body = {"status": 400, "message": "Malformed entity", "serviceErrorCode": 100}
            return httpx.Response(400, json=body, request=request)
        return super().handle_request(request)


def test_a_batch_refused_whole_is_split_until_the_poison_record_stands_alone(outbound, alex):
    opportunities = [
        services.create_candidate(alex, name=f"Person Number{i}", emails=[f"p{i}@example.com"])
        for i in range(9)
    ]
    poison = str(opportunities[4].candidate_id)
    app = outbound.sandbox.tenant["customer_app"]
    client = LinkedInClient(
        app["client_id"], app["client_secret"], transport=PoisonTransport(poison)
    )
    items = outbox.claim(OutboxKind.CANDIDATE, 100)
    with client, sender.ThreadPoolExecutor(2) as pool:
        sync = sender.Sync(client, outbound.integration, Buckets(10_000), pool)
        sender.send(sync, OutboxKind.CANDIDATE, items)
    dead = OutboxItem.objects.get(kind=OutboxKind.CANDIDATE)
    assert (dead.entity_id, dead.status) == (poison, OutboxStatus.DEAD)
    assert "Malformed entity" in dead.last_error
    assert len(outbound.records("atsCandidates")) == 8
    assert outbox.retry_dead([dead.pk]) == 1
    drain.drain(outbound.integration)
    assert len(outbound.records("atsCandidates")) == 9


def test_a_candidate_that_can_no_longer_be_mapped_is_taken_back_from_linkedin(outbound, alex):
    opportunity = services.create_candidate(alex, name="Alan Turing", emails=["alan@example.com"])
    drain.drain(outbound.integration)
    assert str(opportunity.candidate_id) in outbound.records("atsCandidates")
    services.remove_contact_details(alex, opportunity.candidate, emails=["alan@example.com"])
    drain.drain(outbound.integration)
    assert outbound.records("atsCandidates") == {}
    dead = OutboxItem.objects.get(kind=OutboxKind.CANDIDATE)
    assert dead.status == OutboxStatus.DEAD
    assert "removed from LinkedIn until fixed" in dead.last_error
    services.add_contact_details(alex, opportunity.candidate, emails=["alan@example.org"])
    drain.drain(outbound.integration)
    assert str(opportunity.candidate_id) in outbound.records("atsCandidates")


def test_a_candidates_linkedin_member_is_linked_and_unlinked(outbound, alex):
    opportunity = services.create_candidate(alex, name="Ada Lovelace", emails=["ada@example.com"])
    person = "urn:li:person:ada41"
    people.connect(outbound.integration, opportunity.candidate, person, alex)
    drain.drain(outbound.integration)
    body = outbound.records("atsCandidates")[str(opportunity.candidate_id)]["body"]
    assert body["manualMatchedMember"] == person
    ProfileConnection.objects.filter(candidate=opportunity.candidate).delete()
    services.update_candidate(alex, opportunity.candidate, current_title="Analyst")
    drain.drain(outbound.integration)
    body = outbound.records("atsCandidates")[str(opportunity.candidate_id)]["body"]
    assert "manualMatchedMember" not in body


def test_a_spent_daily_quota_parks_the_rest_until_after_midnight(outbound, alex):
    outbound.sandbox.admin("PUT", "settings", json={"write_calls_per_day": 1})
    for i in range(120):
        services.create_candidate(alex, name=f"Person Number{i}", emails=[f"p{i}@example.com"])
    result = drain.drain(outbound.integration)
    assert OutboxKind.CANDIDATE in result.paused
    assert len(outbound.records("atsCandidates")) == 100
    waiting = OutboxItem.objects.filter(kind=OutboxKind.CANDIDATE)
    assert waiting.count() == 20
    midnight = (timezone.now() + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    assert all(item.not_before >= midnight for item in waiting)
    assert all(item.status == OutboxStatus.PENDING for item in waiting)


def test_one_drainer_at_a_time(outbound, alex):
    services.create_candidate(alex, name="Ada Lovelace", emails=["ada@example.com"])
    cursor = SyncCursor.objects.create(
        integration=outbound.integration,
        stream=drain.STREAM,
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    assert drain.drain(outbound.integration).busy
    assert outbound.records("atsCandidates") == {}
    SyncCursor.objects.filter(pk=cursor.pk).update(lease_until=timezone.now())
    assert not drain.drain(outbound.integration).busy
    assert len(outbound.records("atsCandidates")) == 1


def test_the_sync_command_sends_what_waits_and_says_so(outbound, alex):
    services.create_candidate(alex, name="Ada Lovelace", emails=["ada@example.com"])
    out = io.StringIO()
    call_command("linkedin", "sync", stdout=out)
    assert "Sent 1 record(s)" in out.getvalue()
    assert "0 still pending" in out.getvalue()
    again = io.StringIO()
    call_command("linkedin", "sync", "--backfill", stdout=again)
    assert "Sent 0 record(s)" in again.getvalue()  # LinkedIn holds it already


def test_nothing_goes_out_before_onboarding_names_the_organization(outbound, alex):
    """Every record carries the organization as its context: without one LinkedIn refuses all."""
    PostingFactory(created_by=alex)
    outbound.integration.organization_urn = ""
    outbound.integration.save(update_fields=["organization_urn"])
    since = last_ledger_id(outbound)

    run = backfill.backfill(outbound.integration)

    assert not run.ok and drain.NOT_ONBOARDED in run.error
    assert writes_in(outbound, since) == []
    assert OutboxItem.objects.filter(status=OutboxStatus.PENDING).exists()


def test_batch_calls_carry_at_most_the_configured_number_of_records(outbound, settings):
    settings.LINKEDIN_BATCH_SIZE = 10
    demo_data.seed(seed=4, candidates=25)
    before = last_ledger_id(outbound)
    assert backfill.backfill(outbound.integration).ok
    candidate_calls = [
        row for row in writes_in(outbound, before) if row["path"] == "/v2/atsCandidates"
    ]
    assert len(candidate_calls) >= -(-Candidate.objects.count() // 10)
    assert set(outbound.records("atsCandidates")) == {
        str(pk) for pk in Candidate.objects.values_list("pk", flat=True)
    }


@pytest.mark.parametrize("size", [0, 101])
def test_a_batch_size_outside_linkedins_range_is_refused(settings, size):
    settings.LINKEDIN_BATCH_SIZE = size
    with pytest.raises(ImproperlyConfigured, match="LINKEDIN_BATCH_SIZE"):
        drain.batch_size()


def test_a_batch_read_by_the_loaders_maps_to_the_bodies_of_rows_read_one_by_one(alex):
    """The loaders read related rows for the whole batch; the bodies must not tell."""
    posting = PostingFactory(title="Data Engineer", location="Berlin, Germany", owner=alex)
    opportunity = services.create_candidate(
        alex,
        name="Ada King Lovelace",
        emails=["ADA@example.com", "ada@localhost", "ada.k@example.org"],
        phones=[Phone("+44 20 7946 0000"), Phone("020 7946 0001")],
        links=["https://example.com/ada", "https://www.linkedin.com/in/ada-lovelace/"],
        posting=posting,
        sources=["Referral", "Agency"],
    )
    key, candidate_key = str(opportunity.pk), str(opportunity.candidate_id)
    one_by_one = Opportunity.objects.get(pk=opportunity.pk)

    loaded_candidate = mapping.load_candidates([candidate_key])[candidate_key]
    candidate_body = mapping.candidate_body(loaded_candidate, person_urn=None)
    assert candidate_body == mapping.candidate_body(one_by_one.candidate, person_urn=None)
    assert candidate_body["linkedInProfileUrl"] == "https://www.linkedin.com/in/ada-lovelace/"
    for load in (mapping.load_applications, mapping.load_opportunities):
        body = mapping.application_body(load([key])[key])
        assert body == mapping.application_body(one_by_one)
        assert body["source"] == "Agency"  # the first source by name, as Source orders them
