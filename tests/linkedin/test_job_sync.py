"""Postings synced as LinkedIn jobs through the outbox, against the real sandbox: open and closed
postings become jobs, drafts stay home, tasks are followed until LinkedIn settles them."""

from hirebridge.hiring import services
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin import inbound
from hirebridge.linkedin.models import (
    JobAvailability,
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    SyncedRecord,
)
from hirebridge.linkedin.outbound import backfill, drain, job_tasks


def test_open_and_closed_postings_become_jobs_and_drafts_stay_home(outbound, alex):
    open_posting = services.create_posting(
        alex, title="Backend Engineer", owner=alex, location="Berlin, Germany"
    )
    services.set_posting_state(alex, open_posting, PostingState.PUBLISHED)
    closed = services.create_posting(
        alex, title="Old role", owner=alex, location="Paris, France", state=PostingState.CLOSED
    )
    draft = services.create_posting(alex, title="Not yet", owner=alex, location="Paris, France")
    drain.drain(outbound.integration)
    jobs = outbound.records("simpleJobPostings")
    assert set(jobs) == {str(open_posting.id), str(closed.id)}
    assert jobs[str(open_posting.id)]["body"]["state"] == "LISTED"
    assert jobs[str(closed.id)]["body"]["state"] == "CLOSED"
    assert str(draft.id) not in jobs

    counts = job_tasks.check_job_tasks(inbound.client(outbound.integration))
    assert counts == {"accepted": 2}
    assert set(
        SyncedRecord.objects.filter(kind=OutboxKind.JOB).values_list(
            "detail__task_status", flat=True
        )
    ) == {"SUCCEEDED"}
    # The open job is now in the 1-click export dropdown of a seat holder.
    seat = outbound.sandbox.tenant["seats"][0]
    exported = outbound.sandbox.admin(
        "POST",
        "actions/export",
        json={
            "seat_id": seat["id"],
            "member_id": 150,
            "external_job_posting_id": str(open_posting.id),
        },
    )
    assert exported["request_id"]


def test_closing_a_posting_closes_the_job(outbound, alex):
    posting = services.create_posting(
        alex, title="Backend Engineer", owner=alex, location="Berlin, Germany"
    )
    services.set_posting_state(alex, posting, PostingState.PUBLISHED)
    drain.drain(outbound.integration)
    services.set_posting_state(alex, posting, PostingState.CLOSED)
    drain.drain(outbound.integration)
    assert outbound.records("simpleJobPostings")[str(posting.id)]["body"]["state"] == "CLOSED"


def test_the_chosen_availability_is_what_linkedin_gets(outbound, alex):
    outbound.integration.job_availability = JobAvailability.PUBLIC
    outbound.integration.save()
    posting = services.create_posting(
        alex,
        title="Backend Engineer",
        owner=alex,
        location="Berlin, Germany",
        state=PostingState.PUBLISHED,
    )
    drain.drain(outbound.integration)
    body = outbound.records("simpleJobPostings")[str(posting.id)]["body"]
    assert body["availability"] == "PUBLIC"


def test_an_unmappable_posting_is_refused_and_does_not_block_the_rest(outbound, alex):
    good = services.create_posting(
        alex, title="Good", owner=alex, location="Lisbon, Portugal", state=PostingState.PUBLISHED
    )
    vague = services.create_posting(
        alex, title="Vague", owner=alex, location="Remote", state=PostingState.PUBLISHED
    )
    drain.drain(outbound.integration)
    assert set(outbound.records("simpleJobPostings")) == {str(good.id)}
    refused = OutboxItem.objects.get(status=OutboxStatus.DEAD)
    assert refused.entity_id == str(vague.id)
    assert "City, Country" in refused.last_error


def test_a_job_linkedin_refuses_later_becomes_a_dead_letter(outbound, alex, settings):
    settings.HIREBRIDGE_PUBLIC_URL = "hirebridge.internal"  # no scheme: LinkedIn's task fails
    posting = services.create_posting(
        alex, title="Backend", owner=alex, location="Berlin, Germany", state=PostingState.PUBLISHED
    )
    backfill.backfill(outbound.integration)
    counts = job_tasks.check_job_tasks(inbound.client(outbound.integration))
    assert counts == {"refused": 1}
    dead = OutboxItem.objects.get(kind=OutboxKind.JOB)
    assert (dead.entity_id, dead.status) == (str(posting.id), OutboxStatus.DEAD)
    assert "FAILED" in dead.last_error
    assert job_tasks.check_job_tasks(inbound.client(outbound.integration)) == {}
