"""Settings → LinkedIn, the sync to LinkedIn: who may use its actions, what each one changes, and
what the page shows of the outbox, the historical sync, refusals, job access and closed profiles."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin import enablement, tasks
from hirebridge.linkedin.models import (
    ClosedProfile,
    ClosedProfileDecision,
    Integration,
    JobAvailability,
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    SyncCursor,
    SyncedRecord,
    SyncRun,
)
from hirebridge.linkedin.outbound import backfill
from hirebridge.web import linkedin_sync_status
from tests.factories import PostingFactory, candidate
from tests.linkedin.conftest import Linked, outbound, rsc_sandbox  # noqa: F401 (fixtures)

ORG = "urn:li:organization:98765001"
EMEA = "urn:li:contract:70001001"
ALLOWED = {Role.SUPER_ADMIN, Role.ADMIN}
CLOSED_AT = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)

# Every view of the sync to LinkedIn; all are POST only. tests/web/test_linkedin_settings.py
# checks that every view of the page is in its matrix or in this one.
SYNC_VIEWS = [
    "linkedin-settings-backfill",
    "linkedin-settings-retry",
    "linkedin-settings-job-availability",
    "linkedin-settings-decide-closed-profile",
]


@pytest.fixture
def integration(db) -> Integration:
    return enablement.configure("77abc", "s3cret", ORG, [EMEA], "trm")


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """The historical sync's task, recorded instead of queued."""
    calls: list[tuple] = []
    monkeypatch.setattr(tasks, "backfill_linkedin", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def admin_client(client, alex) -> Client:
    client.force_login(alex)
    return client


def dead(kind: str, entity_id: object, error: str = "LinkedIn refused it") -> OutboxItem:
    """A row LinkedIn refused (the entity's pending row, if it has one, refused)."""
    row, _ = OutboxItem.objects.update_or_create(
        kind=kind,
        entity_id=str(entity_id),
        defaults={"status": OutboxStatus.DEAD, "last_error": error},
    )
    return row


def closed_profile(integration, person: str, who: Candidate | None = None) -> ClosedProfile:
    return ClosedProfile.objects.create(
        integration=integration,
        person_urn=person,
        closed_at=CLOSED_AT,
        candidate=who,
        candidate_name=who.name if who else "",
        removed={"notes": 2, "inmails": 1, "links": 0} if who else {},
    )


@pytest.fixture
def ada(integration, alex) -> Candidate:
    return candidate(alex, name="Ada Lovelace").candidate


@pytest.fixture
def closure(integration, ada) -> ClosedProfile:
    return closed_profile(integration, "urn:li:person:ada", ada)


def page(client) -> str:
    response = client.get(reverse("linkedin-settings"))
    assert response.status_code == 200
    return response.content.decode()


# Who may.


def url_of(name: str, closure: ClosedProfile) -> str:
    return reverse(name, args=[closure.pk]) if name.endswith("closed-profile") else reverse(name)


def form_of(name: str) -> dict[str, str]:
    return {
        "linkedin-settings-job-availability": {"job_availability": JobAvailability.PUBLIC},
        "linkedin-settings-decide-closed-profile": {"decision": ClosedProfileDecision.KEPT},
    }.get(name, {})


@pytest.mark.parametrize("role", [*Role, None], ids=[*(r.name for r in Role), "anonymous"])
@pytest.mark.parametrize("name", SYNC_VIEWS)
def test_only_admins_use_the_sync_actions(
    client, personas, integration, closure, queued, role, name
):
    dead(OutboxKind.CANDIDATE, closure.candidate_id)
    if role is not None:
        client.force_login(personas[role])
    response = client.post(url_of(name, closure), form_of(name))
    if role in ALLOWED:
        assert response.status_code == 302
        assert response.url == reverse("linkedin-settings")
        return
    if role is None:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403
    # A refused POST changed nothing.
    assert queued == []
    assert OutboxItem.objects.get(kind=OutboxKind.CANDIDATE).status == OutboxStatus.DEAD
    integration.refresh_from_db()
    assert integration.job_availability == JobAvailability.PRIVATE_TO_INTEGRATION
    closure.refresh_from_db()
    assert closure.decision == ClosedProfileDecision.PENDING


@pytest.mark.parametrize("name", SYNC_VIEWS)
def test_the_sync_actions_refuse_get(admin_client, closure, queued, name):
    assert admin_client.get(url_of(name, closure)).status_code == 405
    assert queued == []


@pytest.mark.parametrize("name", SYNC_VIEWS)
def test_the_sync_actions_need_the_csrf_token(alex, closure, queued, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alex)
    assert client.post(url_of(name, closure), form_of(name)).status_code == 403
    assert queued == []


# The historical sync.


def test_the_button_queues_the_historical_sync_without_running_it(
    admin_client, integration, queued
):
    response = admin_client.post(reverse("linkedin-settings-backfill"), follow=True)
    assert queued == [()]
    assert "Historical sync started" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_the_button_needs_an_integration(admin_client, queued):
    response = admin_client.post(reverse("linkedin-settings-backfill"))
    assert response.status_code == 400
    assert queued == []


def test_a_finished_historical_sync_and_its_refusal_are_shown_then_retried(
    outbound: Linked,  # noqa: F811 (the imported fixture)
    admin_client,
    alex,
):
    """Against the sandbox: the task runs the sync, LinkedIn cannot take a one-word name."""
    cher = services.create_candidate(alex, name="Cher", emails=["cher@example.com"]).candidate
    candidate(alex, name="Grace Hopper")
    OutboxItem.objects.all().delete()  # only the historical sync sends them
    tasks.backfill_linkedin.call_local()
    html = page(admin_client)
    run = SyncRun.objects.get(cursor__stream=backfill.STREAM)
    assert run.finished_at is not None and run.ok  # ok: nothing left waiting
    assert run.started_at.strftime("%b %-d, %Y") in html
    assert "enqueued: 2 Candidate, 1 Job access (ACLs)" in html
    assert "sent: " in html
    assert '<span class="badge ok">ok</span>' in html
    refused = OutboxItem.objects.get(status=OutboxStatus.DEAD)
    assert refused.entity_id == str(cher.pk)
    assert "<td>Cher</td>" in html and escape(refused.last_error) in html
    assert "Refused by LinkedIn: <strong>1</strong> row(s)" in html

    response = admin_client.post(
        reverse("linkedin-settings-retry"), {"item": refused.pk}, follow=True
    )
    assert "1 refused row(s) will be sent to LinkedIn again." in response.content.decode()
    refused.refresh_from_db()
    assert (refused.status, refused.last_error, refused.attempts) == (OutboxStatus.PENDING, "", 0)


def test_a_running_historical_sync_is_shown(admin_client, integration):
    cursor = SyncCursor.objects.create(integration=integration, stream=backfill.STREAM)
    SyncRun.objects.create(
        cursor=cursor,
        window_start_ms=0,
        window_end_ms=0,
        counts={"enqueued": {"job": 3, "candidate": 12}},
    )
    html = page(admin_client)
    assert "a historical sync has started and not finished" in html
    assert "enqueued: 3 Job, 12 Candidate" in html
    assert "not yet" in html


# Refused rows.


def test_retry_makes_one_row_or_every_row_pending(admin_client, integration, ada):
    first = dead(OutboxKind.CANDIDATE, ada.pk)
    second = dead(OutboxKind.JOB, "0b6e1c4e-0000-4000-8000-000000000000")
    admin_client.post(reverse("linkedin-settings-retry"), {"item": first.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (OutboxStatus.PENDING, OutboxStatus.DEAD)

    response = admin_client.post(reverse("linkedin-settings-retry"), follow=True)
    assert "1 refused row(s) will be sent to LinkedIn again." in response.content.decode()
    assert not OutboxItem.objects.filter(status=OutboxStatus.DEAD).exists()

    again = admin_client.post(reverse("linkedin-settings-retry"), {"item": first.pk}, follow=True)
    assert "Nothing to retry" in again.content.decode()


def test_retry_names_a_bad_row_id(admin_client, integration, ada):
    row = dead(OutboxKind.CANDIDATE, ada.pk)
    response = admin_client.post(reverse("linkedin-settings-retry"), {"item": "x1"})
    assert response.status_code == 400
    assert "item: expected the id of a refused row, got &#x27;x1&#x27;" in response.content.decode()
    row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD


def test_refused_rows_say_what_they_are_about_without_links(admin_client, integration, alex):
    posting = PostingFactory(title="Data Engineer", owner=alex)
    opportunity = candidate(alex, name="Grace Hopper", posting=posting)
    note, _ = services.add_note(alex, opportunity.candidate, "Prefers   remote work\nin Berlin")
    gone = "5a1f6a9e-0000-4000-8000-00000000dead"
    dead(OutboxKind.JOB, posting.pk)
    dead(OutboxKind.APPLICATION, opportunity.pk)
    dead(OutboxKind.CANDIDATE_NOTE, note.pk, "noteType: not allowed")
    dead(OutboxKind.CANDIDATE, gone)
    dead(OutboxKind.JOB_ACCESS, "all")
    html = page(admin_client)
    refused = html.split('id="refused"')[1]
    assert "<td>Data Engineer</td>" in refused
    assert "<td>Grace Hopper for Data Engineer</td>" in refused
    assert "“Prefers remote work in Berlin”" in refused
    assert "noteType: not allowed" in refused
    assert f"Candidate {gone} (no longer in the ATS)" in refused
    assert "Who sees which job" in refused
    assert "<td>Application</td>" in refused
    table = refused.split("<table")[1].split("</table>")[0]
    assert "<a " not in table and "href" not in table


def test_the_refused_list_is_capped(admin_client, integration):
    extra = 3
    for number in range(linkedin_sync_status.LIST_CAP + extra):
        dead(OutboxKind.CANDIDATE, f"00000000-0000-4000-8000-{number:012d}")
    html = page(admin_client)
    assert f"Refused by LinkedIn: <strong>{linkedin_sync_status.LIST_CAP + extra}</strong>" in html
    assert html.count('name="item"') == linkedin_sync_status.LIST_CAP
    assert f"and {extra} more (Retry all includes them)" in html


def test_pending_rows_are_counted_per_kind(admin_client, integration, alex):
    candidate(alex, name="Ada Lovelace")
    candidate(alex, name="Grace Hopper")
    OutboxItem.objects.create(kind=OutboxKind.JOB, entity_id="j1")
    html = page(admin_client)
    assert "<tr><td>Job</td><td>1</td></tr>" in html
    assert "<tr><td>Candidate</td><td>2</td></tr>" in html


def test_an_empty_outbox_says_so(admin_client, integration):
    html = page(admin_client)
    assert "Nothing waiting to be sent." in html
    assert "LinkedIn refused nothing." in html
    assert "No historical sync yet." in html


# Job availability.


def test_a_new_availability_is_saved_and_every_non_draft_posting_resent(
    admin_client, integration, alex
):
    listed = PostingFactory(owner=alex, state=PostingState.PUBLISHED)
    unlisted = PostingFactory(owner=alex, state=PostingState.INTERNAL)
    closed = PostingFactory(owner=alex, state=PostingState.CLOSED)
    PostingFactory(owner=alex, state=PostingState.DRAFT)
    url = reverse("linkedin-settings-job-availability")
    response = admin_client.post(url, {"job_availability": JobAvailability.PUBLIC}, follow=True)
    integration.refresh_from_db()
    assert integration.job_availability == JobAvailability.PUBLIC
    jobs = OutboxItem.objects.filter(kind=OutboxKind.JOB, status=OutboxStatus.PENDING)
    assert set(jobs.values_list("entity_id", flat=True)) == {
        str(listed.pk),
        str(unlisted.pk),
        str(closed.pk),
    }
    html = response.content.decode()
    assert "3 posting(s) to resend" in html
    assert f'<option value="{JobAvailability.PUBLIC}" selected>' in html

    OutboxItem.objects.all().delete()
    same = admin_client.post(url, {"job_availability": JobAvailability.PUBLIC}, follow=True)
    assert "Jobs on LinkedIn stay" in same.content.decode()
    assert not OutboxItem.objects.exists()


def test_an_unknown_availability_is_refused_by_name(admin_client, integration):
    response = admin_client.post(
        reverse("linkedin-settings-job-availability"), {"job_availability": "EVERYONE"}
    )
    assert response.status_code == 400
    assert "job_availability: Select a valid choice." in response.content.decode()
    integration.refresh_from_db()
    assert integration.job_availability == JobAvailability.PRIVATE_TO_INTEGRATION


# Job access warnings.


def test_users_linkedin_shows_fewer_jobs_are_listed(admin_client, integration, tara):
    why = "in 12 groups; LinkedIn allows 10"
    SyncedRecord.objects.create(
        kind=OutboxKind.JOB_ACCESS,
        entity_id="all",
        digest="d",
        detail={"refused": {tara.email: why, "gone@example.com": "seat has no member"}},
    )
    html = page(admin_client)
    assert "Job access LinkedIn limited" in html
    assert "<strong>Tara Team</strong>" in html and why in html
    assert "gone@example.com" in html and "seat has no member" in html


def test_no_job_access_warning_when_linkedin_refused_nobody(admin_client, integration):
    SyncedRecord.objects.create(
        kind=OutboxKind.JOB_ACCESS, entity_id="all", digest="d", detail={"refused": {}}
    )
    assert "Job access LinkedIn limited" not in page(admin_client)


# Closed profiles.


def test_closed_profiles_wait_for_a_decision(admin_client, integration, closure):
    closed_profile(integration, "urn:li:person:nobody")
    html = page(admin_client).split('id="closed-profiles"')[1]
    assert "urn:li:person:ada" in html and "<td>Ada Lovelace</td>" in html
    assert "2 LinkedIn notes, 1 InMails" in html
    assert "<td>no candidate</td>" in html and "<td>nothing</td>" in html
    assert "Mar 4, 2025" in html
    assert html.count('value="deleted"') == 1  # no candidate, nothing to delete
    assert 'data-confirm="Delete Ada Lovelace and everything' in html  # asked before
    assert html.count('value="kept"') == 2


def test_keeping_records_who_decided_and_when(admin_client, closure, alex):
    response = admin_client.post(
        reverse("linkedin-settings-decide-closed-profile", args=[closure.pk]),
        {"decision": ClosedProfileDecision.KEPT},
        follow=True,
    )
    closure.refresh_from_db()
    assert (closure.decision, closure.decided_by) == (ClosedProfileDecision.KEPT, alex)
    assert closure.decided_at is not None and closure.candidate is not None
    html = response.content.decode()
    assert "Ada Lovelace: kept." in html
    decided = html.split('id="closed-profiles"')[1].split("<h3>Decided</h3>")[1]
    assert "Kept (a legal basis to keep it)" in decided and "<td>Alex Admin</td>" in decided
    assert timezone.localtime(closure.decided_at).strftime("%b %-d, %Y") in decided


def test_deleting_removes_the_candidate(admin_client, closure, alex, ada):
    response = admin_client.post(
        reverse("linkedin-settings-decide-closed-profile", args=[closure.pk]),
        {"decision": ClosedProfileDecision.DELETED},
        follow=True,
    )
    assert "Ada Lovelace: candidate deleted." in response.content.decode()
    assert not Candidate.objects.filter(pk=ada.pk).exists()
    closure.refresh_from_db()
    assert (closure.decision, closure.decided_by) == (ClosedProfileDecision.DELETED, alex)


def test_a_bad_decision_is_refused_by_name(admin_client, closure):
    response = admin_client.post(
        reverse("linkedin-settings-decide-closed-profile", args=[closure.pk]),
        {"decision": "forget"},
    )
    assert response.status_code == 400
    assert "decision: expected" in response.content.decode()
    closure.refresh_from_db()
    assert closure.decision == ClosedProfileDecision.PENDING


def test_an_unknown_closed_profile_is_not_found(admin_client, integration):
    url = reverse("linkedin-settings-decide-closed-profile", args=[9999])
    assert admin_client.post(url, {"decision": "kept"}).status_code == 404
