"""Each pipeline change LinkedIn must hear about leaves one outbox row, in the change's own
transaction; LinkedIn's own data and messages are never sent back."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Opportunity
from hirebridge.linkedin import outbox
from hirebridge.linkedin.models import OutboxItem, OutboxKind, OutboxStatus
from tests.factories import PostingFactory, candidate, linkedin_integration

CANDIDATE, APPLICATION = OutboxKind.CANDIDATE, OutboxKind.APPLICATION


@pytest.fixture
def linkedin(db):
    return linkedin_integration()


def rows() -> set[tuple[str, str, str]]:
    return set(OutboxItem.objects.values_list("kind", "entity_id", "parent_id"))


def written_by(change) -> set[tuple[str, str, str]]:
    """The rows one call writes, on an outbox emptied first."""
    OutboxItem.objects.all().delete()
    change()
    return rows()


def application(opportunity: Opportunity) -> tuple[str, str, str]:
    return (APPLICATION, str(opportunity.id), "")


def test_a_new_candidate_on_a_posting_is_a_candidate_and_an_application(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    assert rows() == {(CANDIDATE, str(opportunity.candidate_id), ""), application(opportunity)}
    assert OutboxItem.objects.filter(status=OutboxStatus.PENDING).count() == 2


def test_a_general_opportunity_is_no_application(linkedin, tara):
    general = candidate(tara)
    assert rows() == {(CANDIDATE, str(general.candidate_id), "")}
    ada = general.candidate
    assert written_by(lambda: services.add_opportunity(tara, ada)) == set()
    assert written_by(lambda: services.move_to_stage(tara, general, "lead-reached-out")) == set()
    reason = ArchiveReason.objects.get(type="hired")
    assert written_by(lambda: services.archive(tara, general, reason)) == set()
    assert written_by(lambda: services.unarchive(tara, general)) == set()


def test_a_new_opportunity_on_a_posting_is_an_application(linkedin, tara, posting):
    ada = candidate(tara).candidate
    OutboxItem.objects.all().delete()
    opportunity = services.add_opportunity(tara, ada, posting=posting)
    assert rows() == {application(opportunity)}


def test_moving_archiving_and_unarchiving_change_the_application(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    expected = {application(opportunity)}
    reason = ArchiveReason.objects.get(type="hired")
    assert written_by(lambda: services.move_to_stage(tara, opportunity, "offer")) == expected
    assert written_by(lambda: services.archive(tara, opportunity, reason)) == expected
    assert written_by(lambda: services.unarchive(tara, opportunity)) == expected


def test_a_call_that_changes_nothing_writes_nothing(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    ada = opportunity.candidate
    reason = ArchiveReason.objects.get(type="hired")
    assert written_by(lambda: services.unarchive(tara, opportunity)) == set()
    assert written_by(lambda: services.move_to_stage(tara, opportunity, "lead-new")) == set()
    services.archive(tara, opportunity, reason)
    assert written_by(lambda: services.archive(tara, opportunity, reason)) == set()
    known = ["ADA@example.com"]  # the address the candidate has
    assert written_by(lambda: services.add_contact_details(tara, ada, emails=known)) == set()


def test_new_contact_details_change_the_candidate_and_each_application(linkedin, tara, posting):
    first = candidate(tara, posting=posting)
    ada = first.candidate
    second = services.add_opportunity(tara, ada, posting=PostingFactory())
    services.add_opportunity(tara, ada)  # general: no application
    services.archive(tara, second, ArchiveReason.objects.filter(type="non-hired").first())
    assert written_by(
        lambda: services.add_contact_details(tara, ada, phones=[services.Phone("+44 1")])
    ) == {(CANDIDATE, str(ada.id), ""), application(first), application(second)}


def test_an_ats_note_goes_under_its_application_or_else_its_candidate(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    ada = opportunity.candidate
    general = services.add_opportunity(tara, ada)
    OutboxItem.objects.all().delete()
    on_application, _ = services.add_note(tara, ada, "Strong on Go", opportunity=opportunity)
    on_general, _ = services.add_note(tara, ada, "Open to moving", opportunity=general)
    on_person, _ = services.add_note(tara, ada, "Met at PyCon")
    assert rows() == {
        (OutboxKind.APPLICATION_NOTE, str(on_application.id), str(opportunity.id)),
        (OutboxKind.CANDIDATE_NOTE, str(on_general.id), str(ada.id)),
        (OutboxKind.CANDIDATE_NOTE, str(on_person.id), str(ada.id)),
    }


def test_linkedin_notes_are_never_sent_back(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    ada = opportunity.candidate
    OutboxItem.objects.all().delete()
    services.add_note(
        services.AUTOMATIC, ada, "v1", opportunity=opportunity, source="linkedin", external_id="N1"
    )
    services.update_external_note(services.AUTOMATIC, "linkedin", "N1", "v2")
    services.delete_external_note(services.AUTOMATIC, "linkedin", "N1")
    assert rows() == set()


def test_a_message_is_not_sent_but_the_stage_move_it_causes_is(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    ada = opportunity.candidate

    def log(sent_at, external_id):
        return lambda: services.log_message(
            services.AUTOMATIC,
            ada,
            channel="inmail",
            direction="out",
            sender="Tara Team",
            sent_at=sent_at,
            external_id=external_id,
        )

    history = opportunity.created_at - timedelta(days=30)  # before the candidacy: no move
    assert written_by(log(history, "M1")) == set()
    assert written_by(log(timezone.now(), "M2")) == {application(opportunity)}
    opportunity.refresh_from_db()
    assert opportunity.stage_id == "lead-reached-out"


def test_nothing_is_written_while_no_integration_exists(tara, posting):
    opportunity = candidate(tara, posting=posting)
    services.move_to_stage(tara, opportunity, "offer")
    services.add_contact_details(tara, opportunity.candidate, emails=["ada@work.example"])
    services.add_note(tara, opportunity.candidate, "Hired soon", opportunity=opportunity)
    assert not OutboxItem.objects.exists()


def test_a_refused_call_writes_nothing(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    OutboxItem.objects.all().delete()
    with pytest.raises(services.DuplicateOpportunity):
        services.add_opportunity(tara, opportunity.candidate, posting=posting)
    with pytest.raises(services.PipelineError, match="cannot take candidates"):
        # Refused after the person was created: the whole call is undone.
        candidate(tara, name="Grace Hopper", posting=PostingFactory(state="closed"))
    services.archive(tara, opportunity, ArchiveReason.objects.get(type="hired"))
    OutboxItem.objects.all().delete()
    with pytest.raises(services.PipelineError, match="unarchive it first"):
        services.move_to_stage(tara, opportunity, "offer")
    assert rows() == set()


def test_the_row_commits_or_rolls_back_with_the_change(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    OutboxItem.objects.all().delete()

    def move_then_fail():
        with transaction.atomic():
            services.move_to_stage(tara, opportunity, "offer")
            assert rows() == {application(opportunity)}
            raise RuntimeError("the caller's later step failed")

    with pytest.raises(RuntimeError):
        move_then_fail()
    opportunity.refresh_from_db()
    assert opportunity.stage_id == "lead-new"
    assert rows() == set()


def test_two_changes_to_one_entity_leave_one_pending_row_with_a_new_token(linkedin, tara, posting):
    opportunity = candidate(tara, posting=posting)
    first = OutboxItem.objects.get(kind=APPLICATION)
    services.move_to_stage(tara, opportunity, "lead-reached-out")
    services.move_to_stage(tara, opportunity, "offer")
    pending = OutboxItem.objects.get(kind=APPLICATION)
    assert (pending.pk, pending.status) == (first.pk, OutboxStatus.PENDING)
    assert pending.token != first.token
    assert OutboxItem.objects.count() == 2  # the candidate's row and this one


def test_an_entity_named_twice_in_one_write_is_one_row(linkedin, tara):
    """PostgreSQL refuses an upsert that touches a row twice; a merge names some entities twice."""
    person = candidate(tara, "Ada Lovelace").candidate
    OutboxItem.objects.all().delete()
    outbox.changed_many(
        [(OutboxKind.CANDIDATE, person.pk, None), (OutboxKind.CANDIDATE, person.pk, None)]
    )
    rows = OutboxItem.objects.filter(kind=OutboxKind.CANDIDATE, entity_id=str(person.pk))
    assert rows.count() == 1
