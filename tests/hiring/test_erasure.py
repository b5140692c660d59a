"""Erasure: deleting a person leaves no row about them, tells LinkedIn, audits without personal
data and, when asked, keeps only keyed hashes so LinkedIn never brings them back."""

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import models
from django.urls import reverse
from django.utils import timezone

from hirebridge.audit.models import AuditEvent
from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate, Opportunity
from hirebridge.hiring.services import Phone
from hirebridge.linkedin.models import ProfileConnection
from hirebridge.linkedin.outbound import drain
from hirebridge.privacy import suppression
from hirebridge.privacy.models import SuppressedIdentifier, Suppression
from hirebridge.search.models import SearchDocument
from tests.factories import candidate, linkedin_integration
from tests.linkedin.conftest import outbound, rsc_sandbox  # noqa: F401 (fixtures)

URN = "urn:li:person:lovelace1"
EMAIL = "ada.lovelace@example.org"
PROFILE = "https://www.linkedin.com/in/ada-lovelace-1815/"
# Every value that could identify Ada; none may survive her erasure anywhere.
MARKERS = ("Lovelace", EMAIL, "+44 20 7946 0181", "ada-lovelace-1815", URN)


@pytest.fixture
def ada(tara, posting):
    """Ada with one of everything: two opportunities, notes, an email and an InMail, contact
    details, a LinkedIn connection and a search document."""
    integration = linkedin_integration()
    opportunity = services.create_candidate(
        tara,
        name="Ada Lovelace",
        emails=[EMAIL],
        phones=[Phone("+44 20 7946 0181")],
        links=[PROFILE],
        tags=["maths"],
        posting=posting,
    )
    person = opportunity.candidate
    services.add_opportunity(tara, person, posting=None)
    services.add_note(tara, person, "Lovelace wrote the first program", opportunity=opportunity)
    services.add_note(
        services.AUTOMATIC, person, "Lovelace, from Recruiter", source="linkedin", external_id="N1"
    )
    for channel, external_id in (("email", None), ("inmail", "M1")):
        services.log_message(
            tara,
            person,
            channel=channel,
            direction="in",
            sender="Ada Lovelace",
            body=f"Write to {EMAIL}",
            sent_at=timezone.now(),
            external_id=external_id,
        )
    services.move_to_stage(tara, opportunity, "lead-reached-out")
    ProfileConnection.objects.create(candidate=person, integration=integration, person_urn=URN)
    return person


def related_to(model: type[models.Model]) -> list[models.Field]:
    """The model's columns that point at a candidate or an opportunity."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in (Candidate, Opportunity)
    ]


def rows_about(person_id, opportunity_ids) -> dict[str, int]:
    """For every table with a column pointing at a candidate or an opportunity (found from the
    models, so a new table is counted without changing this test): the rows about the person."""
    counts = {"hiring.Candidate": Candidate.objects.filter(pk=person_id).count()}
    for model in apps.get_models(include_auto_created=True):
        for field in related_to(model):
            ids = [person_id] if field.related_model is Candidate else opportunity_ids
            label = f"{model._meta.label}.{field.name}"
            counts[label] = model._default_manager.filter(**{f"{field.name}__in": ids}).count()
    return counts


def texts_mentioning(markers: tuple[str, ...]) -> list[str]:
    """Every stored text (char, text and JSON columns of every table) holding one of `markers`."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        for row in model._default_manager.values_list(*columns):
            text = " ".join(str(value) for value in row).lower()
            found += [f"{model._meta.label}: {m}" for m in markers if m.lower() in text]
    return found


def test_erasure_leaves_no_row_and_no_text_about_the_person(ada, tara, posting):
    grace = candidate(tara, "Grace Hopper", posting=posting).candidate
    opportunity_ids = list(ada.opportunities.values_list("pk", flat=True))
    before = rows_about(ada.pk, opportunity_ids)
    for table in (
        "hiring.Candidate",
        "hiring.Opportunity.candidate",
        "hiring.StageChange.opportunity",
        "hiring.Note.candidate",
        "hiring.Message.candidate",
        "hiring.Activity.candidate",
        "hiring.CandidateEmail.candidate",
        "hiring.CandidatePhone.candidate",
        "hiring.CandidateLink.candidate",
        "hiring.Candidate_tags.candidate",
        "hiring.Opportunity_followers.opportunity",
        "linkedin.ProfileConnection.candidate",
        "search.SearchDocument.candidate",
    ):
        assert before[table] > 0, table
    assert texts_mentioning(MARKERS)

    erasure = services.delete_candidate(tara, ada, suppress=True)

    assert erasure == services.Erasure(opportunities=2, notes=2, messages=2, suppressed=True)
    assert {table: n for table, n in rows_about(ada.pk, opportunity_ids).items() if n} == {}
    assert texts_mentioning(MARKERS) == []
    assert list(Candidate.objects.all()) == [grace]
    assert SearchDocument.objects.get().candidate == grace


def test_the_audit_row_names_the_id_and_counts_never_the_person(ada, alex):
    ada_id = str(ada.pk)
    services.delete_candidate(alex, ada)
    event = AuditEvent.objects.get(action="candidate.deleted")
    assert (event.actor_kind, event.actor_id) == ("user", str(alex.pk))
    assert (event.object_type, event.object_id) == ("candidate", ada_id)
    assert event.detail == {"opportunities": 2, "notes": 2, "messages": 2, "suppressed": False}
    assert not Suppression.objects.exists()


def test_suppression_keeps_keyed_hashes_that_a_rotated_key_still_matches(ada, alex, settings):
    services.delete_candidate(alex, ada, suppress=True)

    kept = Suppression.objects.get()
    assert kept.audit_event == AuditEvent.objects.get(action="candidate.deleted")
    assert kept.audit_event.detail["suppressed"] is True
    assert sorted(kept.identifiers.values_list("kind", flat=True)) == [
        "email",
        "person_urn",
        "profile_url",
    ]
    assert all(len(d) == 64 for d in SuppressedIdentifier.objects.values_list("digest", flat=True))
    # Matched however the value is written.
    for found in (
        suppression.identifiers(emails=[" ADA.Lovelace@Example.org "]),
        suppression.identifiers(person_urns=[URN]),
        suppression.identifiers(profile_urls=["http://linkedin.com/in/ADA-lovelace-1815"]),
    ):
        assert suppression.is_suppressed(found)
    assert not suppression.is_suppressed(suppression.identifiers(emails=["grace@example.org"]))

    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert not suppression.is_suppressed(suppression.identifiers(emails=[EMAIL]))
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert suppression.is_suppressed(suppression.identifiers(emails=[EMAIL]))


def test_a_person_with_nothing_to_match_on_is_deleted_without_a_suppression(tara, alex):
    nameless = services.create_candidate(tara, name="Anonymous Applicant").candidate
    erasure = services.delete_candidate(alex, nameless, suppress=True)
    assert erasure.suppressed is False
    assert not Suppression.objects.exists()


def test_lifting_by_one_value_lifts_the_whole_suppression(ada, alex):
    services.delete_candidate(alex, ada, suppress=True)
    assert suppression.lift(suppression.identifiers(emails=["someone@else.org"]), alex) == 0
    assert suppression.lift(suppression.identifiers(emails=[EMAIL.upper()]), alex) == 1
    assert not suppression.is_suppressed(suppression.identifiers(person_urns=[URN]))
    assert not SuppressedIdentifier.objects.exists()
    lifts = AuditEvent.objects.filter(action="candidate.suppression_lifted").order_by("id")
    assert [e.detail for e in lifts] == [{"kinds": ["email"], "lifted": n} for n in (0, 1)]


@pytest.mark.timeout(120)
def test_linkedin_deletes_the_candidate_applications_and_notes(outbound, alex, posting):  # noqa: F811
    person = services.create_candidate(
        alex, name="Ada Lovelace", emails=[EMAIL], posting=posting
    ).candidate
    application = person.opportunities.get()
    services.add_note(alex, person, "On the application", opportunity=application)
    services.add_note(alex, person, "On the candidate")
    drain.drain(outbound.integration)
    resources = ("atsCandidates", "atsApplications", "atsApplicationNotes", "atsCandidateNotes")
    assert all(outbound.records(resource) for resource in resources)

    services.delete_candidate(alex, person, suppress=True)
    drain.drain(outbound.integration)

    assert {resource: outbound.records(resource) for resource in resources} == {
        resource: {} for resource in resources
    }


def test_the_delete_page_forgets_by_default_and_only_admins_see_the_link(client, ada, alex, tara):
    client.force_login(tara)
    assert (
        "Delete and forget" not in client.get(reverse("candidate", args=[ada.pk])).content.decode()
    )
    client.force_login(alex)
    delete_url = reverse("candidate-delete", args=[ada.pk])
    assert delete_url in client.get(reverse("candidate", args=[ada.pk])).content.decode()
    form = client.get(delete_url).content.decode()
    assert '<input type="checkbox" name="suppress" value="1" checked>' in form
    assert "Do not re-import from LinkedIn" in form

    response = client.post(delete_url, {"suppress": "1"})

    assert response.status_code == 302
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert told == ["Ada Lovelace was deleted. LinkedIn will not bring them back."]
    assert AuditEvent.objects.get(action="candidate.deleted").detail["suppressed"] is True
    assert suppression.is_suppressed(suppression.identifiers(person_urns=[URN]))
