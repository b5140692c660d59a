from datetime import timedelta

import pytest
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import Activity, ArchiveReason, Note, Opportunity, StageChange
from hirebridge.hiring.models.records import RecordSource, Verb
from tests.factories import PostingFactory, candidate


def verbs(candidate_):
    return list(
        Activity.objects.filter(candidate=candidate_)
        .order_by("id")
        .values_list("verb", "automatic")
    )


def test_it_creates_a_candidate_with_an_opportunity_in_new_lead(tara, posting):
    opportunity = services.create_candidate(
        tara,
        name="  Ada   Lovelace ",
        emails=["Ada@Example.com", "ada@example.com"],
        links=["https://www.linkedin.com/in/ada"],
        tags=["python"],
        sources=["LinkedIn"],
        phones=[services.Phone("+44 7700 900000", "mobile")],
        posting=posting,
    )
    ada = opportunity.candidate
    assert ada.name == "Ada Lovelace"
    assert [e.email for e in ada.emails.all()] == ["ada@example.com"]
    assert ada.linkedin_url == "https://www.linkedin.com/in/ada"
    assert opportunity.stage_id == "lead-new"
    assert opportunity.owner == tara
    assert list(opportunity.followers.all()) == [tara]
    assert [s.text for s in opportunity.sources.all()] == ["LinkedIn"]
    assert list(opportunity.stage_changes.values_list("from_stage", "to_stage")) == [
        (None, "lead-new")
    ]
    activity = Activity.objects.get(candidate=ada)
    assert (activity.verb, activity.actor, activity.automatic) == (
        Verb.CANDIDATE_CREATED,
        tara,
        False,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "Ada", "emails": ["not-an-email"]}, "emails"),
        ({"name": "Ada", "links": ["javascript:alert(1)"]}, "links"),
        ({"name": "Ada", "stage_id": "no-such-stage"}, "stage"),
        ({"name": "Ada", "origin": "teleported"}, "origin"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_writes_nothing(tara, fields, field):
    with pytest.raises(services.PipelineError) as error:
        services.create_candidate(tara, **fields)
    assert error.value.field == field
    assert not Opportunity.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_it_refuses_postings_that_take_no_candidates(tara, state):
    with pytest.raises(services.PipelineError, match="cannot take candidates"):
        candidate(tara, posting=PostingFactory(state=state))


def test_moving_a_stage_records_history_and_activity(tara, posting):
    opportunity = candidate(tara, posting=posting)
    assert services.move_to_stage(tara, opportunity, "lead-reached-out") is True
    assert opportunity.stage_id == "lead-reached-out"
    change = StageChange.objects.filter(opportunity=opportunity).last()
    assert (change.from_stage_id, change.to_stage_id, change.changed_by) == (
        "lead-new",
        "lead-reached-out",
        tara,
    )
    assert change.to_stage_index == 1
    assert verbs(opportunity.candidate)[-1] == (Verb.STAGE_CHANGED, False)


def test_an_automatic_move_is_recorded_as_automatic(tara, posting):
    opportunity = candidate(tara, posting=posting)
    services.move_to_stage(services.AUTOMATIC, opportunity, "lead-reached-out")
    activity = Activity.objects.filter(candidate=opportunity.candidate).latest("id")
    assert (activity.actor, activity.automatic, activity.actor_name) == (None, True, "automatic")
    assert activity.detail == {"from_stage": "New lead", "to_stage": "Reached out"}


def test_a_repeated_move_changes_nothing(tara, posting):
    opportunity = candidate(tara, posting=posting)
    services.move_to_stage(tara, opportunity, "lead-reached-out")
    assert services.move_to_stage(tara, opportunity, "lead-reached-out") is False
    assert opportunity.stage_changes.count() == 2
    assert Activity.objects.filter(verb=Verb.STAGE_CHANGED).count() == 1


def test_archiving_and_unarchiving_are_recorded(tara, posting):
    opportunity = candidate(tara, posting=posting)
    hired = ArchiveReason.objects.get(type="hired")
    services.archive(tara, opportunity, hired)
    assert opportunity.is_archived
    assert opportunity.archive_reason == hired
    with pytest.raises(services.PipelineError, match="unarchive it first"):
        services.move_to_stage(tara, opportunity, "offer")
    services.unarchive(tara, opportunity)
    assert not opportunity.is_archived
    assert opportunity.stage_id == "lead-new"
    assert verbs(opportunity.candidate)[-2:] == [(Verb.ARCHIVED, False), (Verb.UNARCHIVED, False)]


def test_notes_from_elsewhere_are_upserted_on_their_external_id(tara, posting):
    opportunity = candidate(tara, posting=posting)
    ada = opportunity.candidate
    for _ in range(2):
        note, created = services.add_note(
            services.AUTOMATIC,
            ada,
            "Strong Go background",
            source="linkedin",
            external_id="urn:li:note:1",
            external_author="Rita Recruiter",
        )
    assert created is False
    assert Note.objects.filter(candidate=ada).count() == 1
    assert note.author_name == "Rita Recruiter"
    assert Activity.objects.filter(verb=Verb.NOTE_ADDED).count() == 1

    services.add_note(tara, ada, "Call back on Monday", opportunity=opportunity)
    assert Note.objects.filter(candidate=ada).count() == 2


def test_an_empty_note_is_refused(tara, posting):
    with pytest.raises(services.PipelineError) as error:
        services.add_note(tara, candidate(tara, posting=posting).candidate, "  \n")
    assert error.value.field == "body"


def test_a_note_written_here_is_bounded_but_one_from_linkedin_is_kept_whole(tara, posting):
    ada = candidate(tara, posting=posting).candidate
    long = "x" * (services.NOTE_MAX_CHARS + 1)
    with pytest.raises(services.PipelineError, match="at most 20,000") as error:
        services.add_note(tara, ada, long)
    assert error.value.field == "body"
    note, _ = services.add_note(
        services.AUTOMATIC, ada, long, source=RecordSource.LINKEDIN, external_id="n1"
    )
    assert len(note.body) == services.NOTE_MAX_CHARS + 1
    mine, _ = services.add_note(tara, ada, "short")
    with pytest.raises(services.PipelineError, match="at most"):
        services.edit_note(tara, mine, long)


def test_logging_a_message_is_idempotent_and_counts_as_an_interaction(tara, posting):
    opportunity = candidate(tara, posting=posting)
    sent = timezone.now() + timedelta(minutes=5)
    for _ in range(2):
        _message, created = services.log_message(
            services.AUTOMATIC,
            opportunity.candidate,
            channel="inmail",
            direction="out",
            sender="Tara Team",
            sent_at=sent,
            subject="Hello",
            body="Are you open to a chat?",
            external_id="urn:li:message:9",
            thread_id="thread-1",
        )
    assert created is False
    assert opportunity.candidate.messages.count() == 1
    opportunity.refresh_from_db()
    assert opportunity.last_interaction_at == sent
    assert Activity.objects.filter(verb=Verb.MESSAGE_LOGGED, automatic=True).count() == 1


def test_a_message_on_an_unknown_channel_is_refused(tara, posting):
    with pytest.raises(services.PipelineError) as error:
        services.log_message(
            tara,
            candidate(tara, posting=posting).candidate,
            channel="fax",
            direction="out",
            sender="Tara",
            sent_at=timezone.now(),
        )
    assert error.value.field == "channel"


def test_contact_details_are_added_once_and_recorded(tara, posting):
    ada = candidate(tara, posting=posting, links=["https://www.linkedin.com/in/ada/"]).candidate
    added = services.add_contact_details(
        services.AUTOMATIC,
        ada,
        emails=["ADA@example.com", "ada@work.example"],
        phones=[services.Phone("+44 1")],
        links=["http://linkedin.com/in/ada"],
    )
    assert added == ["ada@work.example", "+44 1"]  # same email, same profile: nothing new
    again = services.add_contact_details(
        services.AUTOMATIC, ada, emails=["ada@work.example"], phones=[services.Phone("+44 1")]
    )
    assert again == []
    assert Activity.objects.filter(candidate=ada, verb=Verb.CONTACT_ADDED).count() == 1
    with pytest.raises(services.PipelineError) as error:
        services.add_contact_details(services.AUTOMATIC, ada, emails=["nope"])
    assert error.value.field == "emails"
    for bad in (services.Phone("1" * 65), services.Phone("+44 2", "pager")):
        with pytest.raises(services.PipelineError) as error:
            services.add_contact_details(services.AUTOMATIC, ada, phones=[bad])
        assert error.value.field == "phones"
    twice = [services.Phone("+44 3"), services.Phone(" +44 3 ")]
    assert services.add_contact_details(services.AUTOMATIC, ada, phones=twice) == ["+44 3"]


def test_a_note_kept_in_step_with_elsewhere_is_updated_and_deleted(tara, posting):
    ada = candidate(tara, posting=posting).candidate
    services.add_note(services.AUTOMATIC, ada, "v1", source="linkedin", external_id="N1")
    assert services.update_external_note(services.AUTOMATIC, "linkedin", "N1", "v2") is True
    assert services.update_external_note(services.AUTOMATIC, "linkedin", "N1", "v2") is False
    assert Note.objects.get(external_id="N1").body == "v2"
    assert services.delete_external_note(services.AUTOMATIC, "linkedin", "N1") is True
    assert services.delete_external_note(services.AUTOMATIC, "linkedin", "N1") is False
    assert list(Activity.objects.filter(candidate=ada).values_list("verb", flat=True)[:2]) == [
        Verb.NOTE_DELETED,
        Verb.NOTE_UPDATED,
    ]
