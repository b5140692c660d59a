"""Changing and deleting a person and their notes: the timeline records it, LinkedIn hears."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import Activity, Candidate, Message, Note, Opportunity, Posting
from hirebridge.hiring.models.records import Verb
from hirebridge.linkedin.models import OutboxItem, OutboxKind
from tests.factories import candidate, linkedin_integration

CANDIDATE, APPLICATION = OutboxKind.CANDIDATE, OutboxKind.APPLICATION


@pytest.fixture
def linkedin(db):
    return linkedin_integration()


@pytest.fixture
def ada(tara, posting):
    """On one posting and in one general opportunity."""
    person = candidate(tara, posting=posting, phones=[services.Phone("+44 1")]).candidate
    services.add_opportunity(tara, person)
    return person


def rows() -> set[tuple[str, str, str]]:
    return set(OutboxItem.objects.values_list("kind", "entity_id", "parent_id"))


def person_and_applications(person: Candidate) -> set[tuple[str, str, str]]:
    applications = person.opportunities.filter(posting__isnull=False)
    return {(CANDIDATE, str(person.id), "")} | {(APPLICATION, str(o.id), "") for o in applications}


def last_activity(person: Candidate) -> Activity:
    return Activity.objects.filter(candidate=person).latest("id")


def test_updating_a_candidate_returns_what_changed_and_records_it(linkedin, tara, ada):
    OutboxItem.objects.all().delete()
    changed = services.update_candidate(
        tara,
        ada,
        name="  Ada  King ",
        headline=" Analyst ",
        location="London, UK",
        current_title="",
    )
    assert changed == ["name", "headline", "location"]  # the title was empty already
    assert (ada.name, ada.headline, ada.location) == ("Ada King", "Analyst", "London, UK")
    activity = last_activity(ada)
    assert (activity.verb, activity.actor, activity.detail) == (
        Verb.CANDIDATE_UPDATED,
        tara,
        {"fields": changed},
    )
    assert rows() == person_and_applications(ada)
    assert len(rows()) == 2  # the general opportunity is not an application


def test_an_update_that_changes_nothing_records_and_sends_nothing(linkedin, tara, ada):
    OutboxItem.objects.all().delete()
    activities = Activity.objects.count()
    assert services.update_candidate(tara, ada, name="Ada Lovelace", headline=None) == []
    assert Activity.objects.count() == activities
    assert rows() == set()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "A" * 201}, "name"),
        ({"headline": "h" * 501}, "headline"),
        ({"current_company": "c" * 201}, "current_company"),
    ],
)
def test_a_bad_update_names_the_field_and_changes_nothing(linkedin, tara, ada, fields, field):
    OutboxItem.objects.all().delete()
    with pytest.raises(services.PipelineError) as error:
        services.update_candidate(tara, ada, location="Paris, France", **fields)
    assert error.value.field == field
    ada.refresh_from_db()
    assert (ada.name, ada.location) == ("Ada Lovelace", "")
    assert rows() == set()


def test_contact_details_are_removed_as_they_are_compared_when_added(linkedin, tara, ada):
    services.add_contact_details(tara, ada, links=["https://www.linkedin.com/in/ada/"])
    last_week = timezone.now() - timedelta(days=7)
    Candidate.objects.filter(pk=ada.pk).update(updated_at=last_week)
    OutboxItem.objects.all().delete()
    removed = services.remove_contact_details(
        tara,
        ada,
        emails=[" ADA@example.com"],
        phones=[" +44 1 ", "+44 999"],
        links=["http://linkedin.com/in/ada"],
    )
    assert removed == ["ada@example.com", "+44 1", "https://www.linkedin.com/in/ada/"]
    assert not (ada.emails.exists() or ada.phones.exists() or ada.links.exists())
    activity = last_activity(ada)
    assert (activity.verb, activity.detail) == (Verb.CONTACT_REMOVED, {"removed": removed})
    ada.refresh_from_db()
    assert ada.updated_at > last_week  # LinkedIn is told when the person last changed
    assert rows() == person_and_applications(ada)


def test_removing_what_the_candidate_lacks_changes_nothing(linkedin, tara, ada):
    OutboxItem.objects.all().delete()
    activities = Activity.objects.count()
    removed = services.remove_contact_details(
        tara, ada, emails=["grace@example.com"], phones=["+1"], links=["https://example.com"]
    )
    assert removed == []
    assert Activity.objects.count() == activities
    assert rows() == set()


def test_deleting_a_candidate_removes_everything_about_them(linkedin, tara, ada, posting):
    opportunity = ada.opportunities.get(posting=posting)
    services.add_note(tara, ada, "Strong on Go", opportunity=opportunity)
    services.log_message(
        tara, ada, channel="email", direction="out", sender="Tara", sent_at=timezone.now()
    )
    grace = candidate(tara, name="Grace Hopper", posting=posting).candidate
    expected = person_and_applications(ada)
    OutboxItem.objects.all().delete()

    services.delete_candidate(tara, ada)

    assert list(Candidate.objects.all()) == [grace]
    for model in (Opportunity, Note, Message, Activity):
        assert not model.objects.exclude(candidate=grace).exists()
    assert Posting.objects.filter(pk=posting.pk).exists()
    assert rows() == expected


def test_an_ats_note_is_edited_and_deleted(linkedin, tara, ada, posting):
    opportunity = ada.opportunities.get(posting=posting)
    note, _ = services.add_note(tara, ada, "Strong on Go", opportunity=opportunity)
    expected = {(OutboxKind.APPLICATION_NOTE, str(note.id), str(opportunity.id))}
    OutboxItem.objects.all().delete()

    assert services.edit_note(tara, note, "Strong on Go and Rust") is True
    assert note.body == "Strong on Go and Rust"
    assert last_activity(ada).verb == Verb.NOTE_UPDATED
    assert rows() == expected
    OutboxItem.objects.all().delete()
    assert services.edit_note(tara, note, "Strong on Go and Rust") is False
    assert rows() == set()

    services.delete_note(tara, note)
    assert not Note.objects.filter(pk=note.pk).exists()
    assert (last_activity(ada).verb, last_activity(ada).detail) == (
        Verb.NOTE_DELETED,
        {"note": str(note.id)},
    )
    assert rows() == expected


def test_a_note_on_no_application_is_filed_under_the_candidate(linkedin, tara, ada):
    note, _ = services.add_note(tara, ada, "Met at PyCon")
    OutboxItem.objects.all().delete()
    services.delete_note(tara, note)
    assert rows() == {(OutboxKind.CANDIDATE_NOTE, str(note.id), str(ada.id))}


def test_a_linkedin_note_is_changed_only_on_linkedin(linkedin, tara, ada):
    note, _ = services.add_note(
        services.AUTOMATIC, ada, "From Recruiter", source="linkedin", external_id="N1"
    )
    for change in (
        lambda: services.edit_note(tara, note, "Mine now"),
        lambda: services.delete_note(tara, note),
    ):
        with pytest.raises(services.PipelineError) as error:
            change()
        assert error.value.field == "note"
    note.refresh_from_db()
    assert note.body == "From Recruiter"
    assert rows() == person_and_applications(ada)  # from creating Ada only


def test_an_empty_edit_is_refused(tara, ada):
    note, _ = services.add_note(tara, ada, "Strong on Go")
    with pytest.raises(services.PipelineError) as error:
        services.edit_note(tara, note, " \n")
    assert error.value.field == "body"


def test_a_candidate_is_deleted_without_an_integration_too(tara, ada, posting):
    services.delete_candidate(services.AUTOMATIC, ada)
    assert not Candidate.objects.exists()
    assert not OutboxItem.objects.exists()
    assert list(Posting.objects.all()) == [posting]


def test_forgetting_linkedin_data_keeps_what_the_ats_recorded(linkedin, tara, ada):
    services.add_note(services.AUTOMATIC, ada, "From Recruiter", source="linkedin", external_id="N")
    services.add_note(tara, ada, "Our own note")
    for channel, external in (("inmail", "I1"), ("email", None)):
        services.log_message(
            tara,
            ada,
            channel=channel,
            direction="out",
            sender="Tara",
            sent_at=timezone.now(),
            external_id=external,
        )
    services.add_contact_details(
        tara, ada, links=["https://www.linkedin.com/in/ada", "https://github.com/ada"]
    )
    OutboxItem.objects.all().delete()
    removed = services.forget_linkedin_data(services.AUTOMATIC, ada)
    assert removed == {"notes": 1, "inmails": 1, "links": 1}
    assert [n.body for n in Note.objects.filter(candidate=ada)] == ["Our own note"]
    assert [m.channel for m in Message.objects.filter(candidate=ada)] == ["email"]
    assert [link.url for link in ada.links.all()] == ["https://github.com/ada"]
    assert last_activity(ada).verb == Verb.LINKEDIN_DATA_REMOVED
    assert rows() == person_and_applications(ada)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda actor, person: services.update_candidate(actor, person, name="Ada\x00"), "name"),
        (lambda actor, person: services.add_note(actor, person, "a\x00b"), "body"),
        (
            lambda actor, person: services.add_contact_details(
                actor, person, phones=[services.Phone("+1\x00")]
            ),
            "phones",
        ),
        (
            lambda actor, person: services.create_candidate(actor, name="Ada L", headline="\x00"),
            "headline",
        ),
    ],
)
def test_a_nul_character_is_refused_naming_its_field(tara, ada, change, field):
    with pytest.raises(services.PipelineError) as refused:
        change(tara, ada)
    assert refused.value.field == field
