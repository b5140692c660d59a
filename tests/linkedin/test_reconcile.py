"""Reconciliation of exported candidates: unfinished exports are finished, and what LinkedIn
lacks of the recent ones goes back into the outbox, once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate, Opportunity
from hirebridge.linkedin import claims, replies
from hirebridge.linkedin.client import Transient
from hirebridge.linkedin.inbound import events, reconcile
from hirebridge.linkedin.models import (
    EventStatus,
    InboundEvent,
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    SyncedRecord,
)
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import ADA


class LinkedIn(data.FakeLinkedIn):
    """The stand-in client, also holding the ATS candidates LinkedIn keeps: {id: member}."""

    def __init__(self) -> None:
        super().__init__()
        self.candidates: dict[str, str | None] = {}

    def get_candidates(self, org_urn: str, ids) -> replies.GetOutcome:
        self._call("atsCandidates")
        ids = list(ids)
        return replies.GetOutcome(
            {
                cid: replies.SyncedCandidate(manual_matched_member=self.candidates[cid])
                for cid in ids
                if cid in self.candidates
            },
            {
                cid: replies.ErrorBody(status=404, message="not found")
                for cid in ids
                if cid not in self.candidates
            },
        )


@pytest.fixture
def linkedin(monkeypatch):
    fake = LinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


@pytest.fixture
def integration(tara):
    return data.make_integration(tara)


def exported(linkedin, integration, posting, request_id="900000000000000001", member=ADA):
    """A push whose export LinkedIn serves (not yet processed)."""
    linkedin.exports[request_id] = [data.exported(job=str(posting.id), member=member)]
    return data.push(integration, request_id)


def finished(linkedin, integration, posting, request_id="900000000000000001", member=ADA):
    """An export processed, and LinkedIn holding its candidate linked and its application."""
    event = exported(linkedin, integration, posting, request_id, member)
    assert events.process_event(event.pk)
    opportunity = Opportunity.objects.get(candidate__linkedin_connection__person_urn=member)
    linkedin.candidates[str(opportunity.candidate_id)] = member
    OutboxItem.objects.all().delete()
    SyncedRecord.objects.create(
        kind=OutboxKind.CANDIDATE, entity_id=str(opportunity.candidate_id), digest="d"
    )
    SyncedRecord.objects.create(
        kind=OutboxKind.APPLICATION, entity_id=str(opportunity.pk), digest="d"
    )
    event.refresh_from_db()
    return event, opportunity


def queued() -> set[tuple[str, str]]:
    return set(
        OutboxItem.objects.filter(status=OutboxStatus.PENDING).values_list("kind", "entity_id")
    )


def test_an_export_keeps_whom_it_exported_to_which_posting(linkedin, integration, posting):
    event, _ = finished(linkedin, integration, posting)
    assert event.exported == [{"member": ADA, "posting": str(posting.id)}]


def test_a_failed_export_is_fetched_again_and_finished(linkedin, integration, posting):
    event = exported(linkedin, integration, posting)
    linkedin.failure = Transient("LinkedIn is down")
    InboundEvent.objects.filter(pk=event.pk).update(attempts=events.MAX_ATTEMPTS - 1)
    events.process_event(event.pk)
    assert InboundEvent.objects.get(pk=event.pk).status == EventStatus.FAILED

    linkedin.failure = None
    counts = reconcile.reconcile(integration)

    assert counts["finished"] == 1
    assert InboundEvent.objects.get(pk=event.pk).status == EventStatus.DONE
    opportunity = Opportunity.objects.get()
    assert (opportunity.posting_id, opportunity.candidate.linkedin_connection.person_urn) == (
        posting.id,
        ADA,
    )


def test_a_failed_export_gets_one_more_attempt_per_run(linkedin, integration, posting):
    event = exported(linkedin, integration, posting)
    InboundEvent.objects.filter(pk=event.pk).update(
        status=EventStatus.FAILED, attempts=events.MAX_ATTEMPTS
    )
    linkedin.failure = Transient("LinkedIn is down")

    counts = reconcile.reconcile(integration)

    assert counts["still_failed"] == 1
    assert InboundEvent.objects.get(pk=event.pk).status == EventStatus.FAILED
    assert linkedin.calls == ["exportedCandidates"]
    assert not Candidate.objects.exists()


def test_an_export_left_by_a_dead_worker_is_finished(linkedin, integration, posting):
    event = exported(linkedin, integration, posting)
    assert claims.claim_event(event.pk) is not None  # the worker took it, then died
    InboundEvent.objects.filter(pk=event.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )

    assert reconcile.reconcile(integration)["finished"] == 1
    assert InboundEvent.objects.get(pk=event.pk).status == EventStatus.DONE


def test_a_candidate_linkedin_lacks_goes_back_into_the_outbox_with_its_application(
    linkedin, integration, posting
):
    _, opportunity = finished(linkedin, integration, posting)
    del linkedin.candidates[str(opportunity.candidate_id)]

    counts = reconcile.reconcile(integration)

    assert (counts["candidates_queued"], counts["applications_queued"]) == (1, 1)
    assert queued() == {
        (OutboxKind.CANDIDATE, str(opportunity.candidate_id)),
        (OutboxKind.APPLICATION, str(opportunity.pk)),
    }
    assert not SyncedRecord.objects.exists()  # so the sender does not skip them as unchanged


def test_a_candidate_linkedin_holds_without_its_member_is_linked_again(
    linkedin, integration, posting
):
    _, opportunity = finished(linkedin, integration, posting)
    linkedin.candidates[str(opportunity.candidate_id)] = None

    reconcile.reconcile(integration)

    assert (OutboxKind.CANDIDATE, str(opportunity.candidate_id)) in queued()


def test_an_application_never_accepted_is_queued_alone(linkedin, integration, posting):
    _, opportunity = finished(linkedin, integration, posting)
    SyncedRecord.objects.filter(kind=OutboxKind.APPLICATION).delete()

    counts = reconcile.reconcile(integration)

    assert (counts["candidates_queued"], counts["applications_queued"]) == (0, 1)
    assert queued() == {(OutboxKind.APPLICATION, str(opportunity.pk))}


def test_what_is_whole_is_left_alone_and_a_second_run_changes_nothing(
    linkedin, integration, posting
):
    finished(linkedin, integration, posting)
    first = reconcile.reconcile(integration)
    assert first["checked"] == 1
    assert (first["candidates_queued"], first["applications_queued"]) == (0, 0)
    assert queued() == set()

    del linkedin.candidates[next(iter(linkedin.candidates))]
    reconcile.reconcile(integration)
    again = queued()
    reconcile.reconcile(integration)  # the rows are waiting: asked no more, queued no more
    assert queued() == again and len(again) == 2


def test_a_row_waiting_or_refused_in_the_outbox_is_left_to_it(linkedin, integration, posting):
    _, opportunity = finished(linkedin, integration, posting)
    linkedin.candidates.clear()
    OutboxItem.objects.create(
        kind=OutboxKind.CANDIDATE, entity_id=str(opportunity.candidate_id), status="dead"
    )
    linkedin.calls.clear()

    counts = reconcile.reconcile(integration)

    assert counts["refused"] == 1 and counts["candidates_queued"] == 0
    assert OutboxItem.objects.get(kind=OutboxKind.CANDIDATE).status == OutboxStatus.DEAD


def test_a_candidate_a_person_deleted_is_counted_not_made_again(
    linkedin, integration, posting, tara
):
    _, opportunity = finished(linkedin, integration, posting)
    services.delete_candidate(tara, opportunity.candidate)
    OutboxItem.objects.all().delete()

    counts = reconcile.reconcile(integration)

    assert counts["candidate_gone"] == 1
    assert not Candidate.objects.exists() and queued() == set()


def test_an_export_finished_before_its_members_were_kept_is_read_once(
    linkedin, integration, posting
):
    event, _ = finished(linkedin, integration, posting)
    InboundEvent.objects.filter(pk=event.pk).update(exported=[])
    linkedin.calls.clear()

    reconcile.reconcile(integration)
    reconcile.reconcile(integration)

    assert linkedin.calls.count("exportedCandidates") == 1
    assert InboundEvent.objects.get(pk=event.pk).exported == [
        {"member": ADA, "posting": str(posting.id)}
    ]


def test_exports_older_than_the_window_are_not_checked(linkedin, integration, posting, settings):
    event, _ = finished(linkedin, integration, posting)
    settings.LINKEDIN_RECONCILE_DAYS = 30
    InboundEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(days=31))
    linkedin.candidates.clear()

    assert reconcile.reconcile(integration)["checked"] == 0
    assert queued() == set()


def test_a_run_is_bounded_and_the_next_checks_the_others_first(
    linkedin, integration, posting, monkeypatch
):
    monkeypatch.setattr(reconcile, "CHECKED_PER_RUN", 1)
    first, _ = finished(linkedin, integration, posting, "900000000000000001")
    second, _ = finished(linkedin, integration, posting, "900000000000000002", "urn:li:person:b2")

    reconcile.reconcile(integration)
    reconcile.reconcile(integration)

    stamps = dict(InboundEvent.objects.values_list("pk", "reconciled_at"))
    assert stamps[first.pk] is not None and stamps[second.pk] is not None


def test_linkedin_down_leaves_the_exports_unchecked(linkedin, integration, posting):
    event, _ = finished(linkedin, integration, posting)
    linkedin.failure = Transient("LinkedIn is down")

    counts = reconcile.reconcile(integration)

    assert counts["linkedin_unavailable"] == 1
    assert InboundEvent.objects.get(pk=event.pk).reconciled_at is None


def test_the_command_prints_what_it_did(linkedin, integration, posting, capsys):
    _, opportunity = finished(linkedin, integration, posting)
    del linkedin.candidates[str(opportunity.candidate_id)]

    call_command("linkedin", "reconcile")

    out = capsys.readouterr().out
    assert "checked: 1" in out
    assert "queued for LinkedIn again: 1 candidate(s), 1 application(s)" in out
