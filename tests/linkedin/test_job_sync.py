"""Postings synced as LinkedIn jobs, against the real sandbox."""

import pytest

from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.models import Integration
from hirebridge.linkedin.outbound import jobs
from tests.factories import PostingFactory


@pytest.fixture
def linked(rsc_sandbox, settings, db):
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    app = rsc_sandbox.tenant["customer_app"]
    integration = Integration(
        client_id=app["client_id"], organization_urn=rsc_sandbox.tenant["organization_id"]
    )
    integration.client_secret = app["client_secret"]
    integration.save()
    with LinkedInClient(app["client_id"], app["client_secret"]) as client:
        yield client, integration


def test_open_and_closed_postings_become_jobs_and_drafts_stay_home(linked, rsc_sandbox):
    client, integration = linked
    open_posting = PostingFactory(title="Backend Engineer", location="Berlin, Germany")
    closed = PostingFactory(title="Old role", location="Paris, France", state=PostingState.CLOSED)
    draft = PostingFactory(title="Not yet", location="Paris, France", state=PostingState.DRAFT)
    result = jobs.sync_postings(client, integration, [open_posting, closed, draft])
    assert set(result.task_ids) == {str(open_posting.id), str(closed.id)}
    assert result.refused == {}
    tasks = client.job_tasks(result.task_ids.values())
    assert {t.status for t in tasks.found.values()} == {"SUCCEEDED"}
    # The open job is now in the 1-click export dropdown of a seat holder.
    seat = rsc_sandbox.tenant["seats"][0]
    exported = rsc_sandbox.admin(
        "POST",
        "actions/export",
        json={
            "seat_id": seat["id"],
            "member_id": 150,
            "external_job_posting_id": str(open_posting.id),
        },
    )
    assert exported["request_id"]


def test_an_unmappable_posting_is_reported_and_does_not_block_the_rest(linked):
    client, integration = linked
    good = PostingFactory(location="Lisbon, Portugal")
    vague = PostingFactory(location="Remote")
    result = jobs.sync_postings(client, integration, [vague, good])
    assert list(result.task_ids) == [str(good.id)]
    assert "City, Country" in result.refused[str(vague.id)]
