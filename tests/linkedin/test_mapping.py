"""ATS rows as LinkedIn bodies: every required field, every refusal naming its field, and the
sandbox's own validators as the judge of what LinkedIn accepts."""

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Candidate, CandidateEmail, Note, Stage
from hirebridge.hiring.models.postings import PostingState
from hirebridge.hiring.models.records import RecordSource
from hirebridge.hiring.services import AUTOMATIC, Phone, PipelineError
from hirebridge.linkedin.models import Integration, JobAvailability, ProfileConnection
from hirebridge.linkedin.outbound import mapping
from hirebridge.linkedin.outbound.mapping import Unmappable, epoch_ms
from sandbox.jobs import validate as validate_job
from sandbox.routes.applications import validate_application, validate_stage
from sandbox.routes.candidates import validate_candidate, validate_note
from tests.factories import PostingFactory, candidate

ORG = "urn:li:organization:5"
PERSON = "urn:li:person:ada"


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.HIREBRIDGE_PUBLIC_URL = "https://ats.example.com/"


def reason(text: str) -> ArchiveReason:
    return ArchiveReason.objects.get(text=text)


def test_epoch_ms_counts_whole_milliseconds_without_float_rounding():
    assert epoch_ms(datetime(2023, 11, 14, 22, 13, 20, 1999, tzinfo=UTC)) == 1700000000001
    assert epoch_ms(datetime(1970, 1, 1, 1, tzinfo=UTC) + timedelta(microseconds=999)) == 3600000


# Jobs


def test_a_posting_becomes_a_job_with_every_required_field_and_the_chosen_availability():
    integration = Integration(organization_urn=ORG, job_availability=JobAvailability.PUBLIC)
    # Built, not saved: the ATS itself caps titles at 200; LinkedIn's cap is applied anyway.
    posting = PostingFactory.build(
        title="T" * 300, location="  Berlin , ,  Germany ", description=""
    )
    body = mapping.job_body(posting, integration)
    assert body == {
        "integrationContext": ORG,
        "externalJobPostingId": str(posting.id),
        "title": "T" * 200,
        "description": "T" * 200,  # an empty description falls back to the title
        "location": "Berlin, Germany",
        "state": "LISTED",
        "availability": "PUBLIC",
        "companyApplyUrl": f"https://ats.example.com/postings/{posting.id}",
        "listedAt": epoch_ms(posting.created_at),
    }
    assert validate_job(body) == body


def test_a_closed_posting_is_a_closed_job_private_to_the_integration_by_default():
    posting = PostingFactory.build(location="Paris, France", state=PostingState.CLOSED)
    body = mapping.job_body(posting, Integration(organization_urn=ORG))
    assert body["state"] == "CLOSED"
    assert body["availability"] == "PRIVATE_TO_ATS_INTEGRATION"
    assert validate_job(body) == body


@pytest.mark.parametrize(
    "fields",
    [{"state": PostingState.INTERNAL}, {"confidential": True}],
    ids=["internal", "confidential"],
)
def test_an_unlisted_or_confidential_posting_is_never_a_public_job(fields):
    integration = Integration(organization_urn=ORG, job_availability=JobAvailability.PUBLIC)
    posting = PostingFactory.build(location="Paris, France", **fields)
    assert mapping.job_body(posting, integration)["availability"] == "PRIVATE_TO_ATS_INTEGRATION"
    integration.job_availability = JobAvailability.PRIVATE
    assert mapping.job_body(posting, integration)["availability"] == "PRIVATE"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"state": PostingState.DRAFT}, "state"),
        ({"location": "Remote"}, "location"),
        ({"location": " , Berlin, "}, "location"),
        ({"title": "   "}, "title"),
    ],
)
def test_a_posting_linkedin_would_refuse_is_unmappable_naming_the_field(fields, field):
    posting = PostingFactory.build(**{"location": "Berlin, Germany", **fields})
    with pytest.raises(Unmappable, match=rf"^{field}: "):
        mapping.job_body(posting, Integration(organization_urn=ORG))


# Candidates


@pytest.fixture
def ada(tara, posting):
    opportunity = services.create_candidate(
        tara,
        name="Ada B. Lovelace",
        emails=["Ada@Example.com", "ada@localhost", "ada.l@example.org"],
        phones=[Phone("+44 20 7946 0000", "mobile"), Phone("020 7946 0001", "work")],
        links=["https://github.com/ada", "https://www.linkedin.com/in/ada-lovelace/"],
        location="London, England",
        current_company="Analytical Engines",
        current_title="Mathematician",
        posting=posting,
        sources=["Referral"],
    )
    return opportunity.candidate


def test_a_candidate_becomes_an_ats_candidate_with_every_field_linkedin_matches_on(ada):
    body = mapping.candidate_body(
        mapping.load_candidates([str(ada.id)])[str(ada.id)], person_urn=None
    )
    assert body == {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "middleInitial": "B",
        # "ada@localhost" passes the ATS's check but not LinkedIn's X@X.X: left out.
        "emailAddresses": ["ada@example.com", "ada.l@example.org"],
        "phoneNumbers": [{"number": "+44 20 7946 0000"}, {"number": "020 7946 0001"}],
        "addresses": [{"city": "London", "geographicArea": "England"}],
        "currentCompanyName": "Analytical Engines",
        "currentJobTitle": "Mathematician",
        "linkedInProfileUrl": "https://www.linkedin.com/in/ada-lovelace/",
        "externalProfileUrl": f"https://ats.example.com/candidates/{ada.id}",
        "atsCreatedAt": epoch_ms(ada.created_at),
        "atsLastModifiedAt": epoch_ms(ada.updated_at),
    }
    assert validate_candidate(body, None) == body


def test_optional_candidate_fields_are_left_out_when_empty(tara):
    grace = candidate(tara, name="Grace Hopper").candidate
    body = mapping.candidate_body(grace, person_urn=None)
    assert body["phoneNumbers"] == []
    assert body["addresses"] == []
    for field in ("middleInitial", "currentCompanyName", "currentJobTitle", "linkedInProfileUrl"):
        assert field not in body
    assert validate_candidate(body, None) == body


def test_emails_are_lower_cased_and_each_sent_once(tara):
    grace = candidate(tara, name="Grace Hopper", emails=["grace@example.com"]).candidate
    CandidateEmail.objects.create(candidate=grace, email="GRACE@example.com")
    assert mapping.candidate_body(grace, person_urn=None)["emailAddresses"] == ["grace@example.com"]


@pytest.mark.parametrize("location", ["London", "London, Greater London, England", ", England"])
def test_a_location_not_shaped_city_comma_area_sends_no_address(tara, location):
    grace = candidate(tara, name="Grace Hopper", location=location).candidate
    assert mapping.candidate_body(grace, person_urn=None)["addresses"] == []


def test_a_candidate_without_a_valid_email_is_sent_only_with_a_linkedin_member(tara):
    grace = candidate(tara, name="Grace Hopper", emails=["grace@localhost"]).candidate
    with pytest.raises(
        Unmappable,
        match=r"^emailAddresses: no valid email address and no LinkedIn member attached$",
    ):
        mapping.candidate_body(grace, person_urn=None)
    body = mapping.candidate_body(grace, person_urn=PERSON)
    assert body["emailAddresses"] == []
    assert validate_candidate(body, {"manualMatchedMember": PERSON}) == body


@pytest.mark.parametrize("name", ["Madonna", "Dr. Smith"])
def test_a_name_without_first_and_last_is_unmappable(tara, name):
    person = candidate(tara, name=name, emails=["someone@example.com"]).candidate
    with pytest.raises(Unmappable, match=r"^firstName/lastName: "):
        mapping.candidate_body(person, person_urn=PERSON)


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [("Prince Nelson", "Prince", "Nelson"), ("Dean Smith", "Dean", "Smith")],
)
def test_a_first_name_that_reads_like_a_title_is_still_a_first_name(tara, name, first, last):
    person = candidate(tara, name=name, emails=["someone@example.com"]).candidate
    body = mapping.candidate_body(person, person_urn=None)
    assert (body["firstName"], body["lastName"]) == (first, last)


def test_last_modified_is_never_before_created(ada):
    Candidate.objects.filter(pk=ada.pk).update(updated_at=ada.created_at - timedelta(days=1))
    ada.refresh_from_db()
    body = mapping.candidate_body(ada, person_urn=None)
    assert body["atsLastModifiedAt"] == body["atsCreatedAt"] == epoch_ms(ada.created_at)


def test_a_candidate_dated_before_1970_is_unmappable(ada):
    Candidate.objects.filter(pk=ada.pk).update(created_at=datetime(1969, 7, 20, tzinfo=UTC))
    ada.refresh_from_db()
    with pytest.raises(Unmappable, match=r"^atsCreatedAt: "):
        mapping.candidate_body(ada, person_urn=None)


# Applications and their stages


def test_an_opportunity_on_a_posting_becomes_an_application(ada, tara, posting):
    opportunity = ada.opportunities.get()
    services.archive(tara, opportunity, reason("Timing"))
    loaded = mapping.load_opportunities([str(opportunity.id)])[str(opportunity.id)]
    body = mapping.application_body(loaded)
    assert body == {
        "atsCandidateId": str(ada.id),
        "atsJobPostingId": str(posting.id),
        "atsJobPostingName": "Backend Engineer",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "candidateEmail": "ada@example.com",
        "source": "Referral",
        "dispositionReason": "Timing",
        "atsCreatedAt": epoch_ms(loaded.created_at),
        "atsLastModifiedAt": epoch_ms(loaded.updated_at),
    }
    assert validate_application(body) == body


def test_an_active_application_without_source_or_valid_email_sends_empty_texts(tara, posting):
    opportunity = candidate(tara, name="Grace Hopper", emails=["g@localhost"], posting=posting)
    body = mapping.application_body(opportunity)
    assert body["source"] == ""
    assert body["dispositionReason"] == ""
    assert "candidateEmail" not in body
    assert validate_application(body) == body


def test_a_general_opportunity_is_not_an_application(tara):
    general = candidate(tara, name="Grace Hopper")
    with pytest.raises(
        Unmappable, match=r"^posting: a general opportunity is not a job application$"
    ):
        mapping.application_body(general)


def test_an_application_for_a_single_named_candidate_is_unmappable(tara, posting):
    opportunity = candidate(tara, name="Madonna", posting=posting)
    with pytest.raises(Unmappable, match=r"^firstName/lastName: "):
        mapping.application_body(opportunity)


def test_the_stage_history_holds_every_move_archive_and_unarchive(ada, tara):
    opportunity = ada.opportunities.get()
    services.move_to_stage(tara, opportunity, "applicant-new")
    services.archive(tara, opportunity, reason("Timing"))
    services.unarchive(tara, opportunity)
    services.archive(tara, opportunity, reason("Hired"))
    first, second = opportunity.stage_changes.order_by("id")
    archived, unarchived, hired = opportunity.activities.filter(
        verb__in=mapping.STAGE_VERBS
    ).order_by("id")

    records = mapping.stage_records(
        mapping.load_opportunities([str(opportunity.id)])[str(opportunity.id)]
    )

    assert records == {
        f"s{first.id}": {"atsCreatedAt": epoch_ms(first.changed_at), "stage": "New lead"},
        f"s{second.id}": {"atsCreatedAt": epoch_ms(second.changed_at), "stage": "New applicant"},
        f"a{archived.id}": {
            "atsCreatedAt": epoch_ms(archived.created_at),
            "stage": "Archived: Timing",
        },
        f"a{unarchived.id}": {
            "atsCreatedAt": epoch_ms(unarchived.created_at),
            "stage": "Unarchived",
        },
        f"a{hired.id}": {"atsCreatedAt": epoch_ms(hired.created_at), "stage": "Hired"},
    }
    for record in records.values():
        assert validate_stage(record) == record
    # Read without the loader, the other activities (created, moved) are still left out.
    assert mapping.stage_records(opportunity) == records


def test_a_stage_named_not_available_is_unmappable(ada, tara):
    Stage.objects.create(id="na", text="Not available", section="lead", position=9)
    opportunity = ada.opportunities.get()
    services.move_to_stage(tara, opportunity, "na")
    with pytest.raises(Unmappable, match=r"^stage: "):
        mapping.stage_records(opportunity)


# Notes


def test_a_note_on_an_application_carries_its_author(ada, tara):
    opportunity = ada.opportunities.get()
    note, _ = services.add_note(tara, ada, "Strong on maths.", opportunity=opportunity)
    loaded = mapping.load_notes([str(note.id)])[str(note.id)]
    body = mapping.note_body(loaded)
    assert body == {
        "atsCreatedAt": epoch_ms(note.created_at),
        "note": "Strong on maths.",
        "author": {"firstName": "Tara", "lastName": "Team"},
    }
    assert validate_note(body) == body
    assert mapping.note_parent(loaded) == ("application", str(opportunity.id))


def test_a_note_without_a_posting_belongs_to_the_candidate(ada, tara):
    general = services.add_opportunity(tara, ada)
    on_general, _ = services.add_note(tara, ada, "Maybe later.", opportunity=general)
    loose, _ = services.add_note(tara, ada, "Met at a meetup.")
    assert mapping.note_parent(on_general) == ("candidate", str(ada.id))
    assert mapping.note_parent(loose) == ("candidate", str(ada.id))


@pytest.mark.parametrize(
    ("external_author", "author"),
    [
        ("Li Wei", {"firstName": "Li", "lastName": "Wei"}),
        ("Madonna", None),
        ("", None),
    ],
)
def test_an_author_is_sent_only_with_a_first_and_last_name(ada, external_author, author):
    note, _ = services.add_note(AUTOMATIC, ada, "Imported.", external_author=external_author)
    body = mapping.note_body(note)
    assert body.get("author") == author
    assert validate_note(body) == body


def test_a_note_from_linkedin_is_never_sent_back(ada):
    note, _ = services.add_note(
        AUTOMATIC, ada, "From Recruiter.", source=RecordSource.LINKEDIN, external_id="n1"
    )
    with pytest.raises(Unmappable, match=r"^source: came from LinkedIn$"):
        mapping.note_body(note)


# Loaders


def test_loaders_read_fifty_rows_and_their_bodies_in_a_fixed_number_of_queries(
    tara, posting, django_assert_max_num_queries
):
    integration = Integration.objects.create(client_id="c", organization_urn=ORG)
    opportunities = [
        services.create_candidate(
            tara,
            name=f"Person {n} Example",
            emails=[f"p{n}@example.com"],
            phones=[Phone(f"+1 555 01{n:02}")],
            links=[f"https://www.linkedin.com/in/p{n}"],
            posting=posting,
            sources=["Referral"],
        )
        for n in range(50)
    ]
    notes = []
    for n, opportunity in enumerate(opportunities):
        services.move_to_stage(tara, opportunity, "applicant-new")
        services.archive(tara, opportunity, reason("Timing"))
        notes.append(
            services.add_note(tara, opportunity.candidate, "x", opportunity=opportunity)[0]
        )
        ProfileConnection.objects.create(
            candidate=opportunity.candidate,
            integration=integration,
            person_urn=f"urn:li:person:{n}",
        )
    candidate_ids = [str(o.candidate_id) for o in opportunities]
    opportunity_ids = [str(o.id) for o in opportunities]

    with django_assert_max_num_queries(4):
        candidates = mapping.load_candidates(candidate_ids)
        for row in candidates.values():
            mapping.candidate_body(row, person_urn=row.linkedin_connection.person_urn)
    with django_assert_max_num_queries(5):
        loaded = mapping.load_opportunities(opportunity_ids)
        for opportunity in loaded.values():
            mapping.application_body(opportunity)
            mapping.stage_records(opportunity)
    with django_assert_max_num_queries(3):
        for opportunity in mapping.load_applications(opportunity_ids).values():
            mapping.application_body(opportunity)
    with django_assert_max_num_queries(1):
        for note in mapping.load_notes([str(n.id) for n in notes]).values():
            mapping.note_body(note)
            mapping.note_parent(note)
    with django_assert_max_num_queries(1):
        postings = mapping.load_postings([str(posting.id)])

    assert sorted(candidates) == sorted(candidate_ids)
    assert sorted(loaded) == sorted(opportunity_ids)
    assert list(postings) == [str(posting.id)]


def test_a_loader_leaves_out_ids_with_no_row(ada):
    missing = str(uuid.uuid4())
    loaded = mapping.load_candidates([str(ada.id), missing, "not-an-id"])
    assert list(loaded) == [str(ada.id)]
    assert mapping.load_notes([missing]) == {}


# Whatever the services accept, LinkedIn accepts, or it is refused with a reason.

words = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
names = st.one_of(st.text(max_size=40), st.lists(words, min_size=1, max_size=4).map(" ".join))
# Addresses the ATS accepts that LinkedIn's X@X.X does not: a bare host, an @ or a space quoted.
odd_emails = st.one_of(
    words.map("{}@localhost".format),
    st.sampled_from(['"a@b"@example.com', '"a\\ b"@example.com']),
)
emails = st.lists(st.one_of(st.emails(), odd_emails, st.text(max_size=30)), max_size=3)
phones = st.lists(st.text(max_size=70), max_size=3)
locations = st.one_of(st.text(max_size=40), st.lists(words, min_size=2, max_size=2).map(", ".join))


def accepted_or_refused(build: Callable[[], dict], validate: Callable[[dict], dict]) -> None:
    """The body passes LinkedIn's validation unchanged, or the refusal names a field."""
    outcome = refusal_or_body(build)
    if isinstance(outcome, str):
        assert re.match(r"^[A-Za-z/]+: ", outcome), outcome
    else:
        assert validate(outcome) == outcome


def refusal_or_body(build: Callable[[], dict]) -> str | dict:
    try:
        return build()
    except Unmappable as refused:
        return str(refused)


@hypothesis_settings(
    max_examples=75,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=names,
    email_list=emails,
    phone_list=phones,
    location=locations,
    person_urn=st.sampled_from([None, PERSON]),
    author=names,
)
def test_any_candidate_the_services_accept_maps_to_bodies_linkedin_accepts_or_is_refused(
    posting, name, email_list, phone_list, location, person_urn, author
):
    try:
        opportunity = services.create_candidate(
            AUTOMATIC,
            name=name,
            emails=email_list,
            phones=[Phone(value) for value in phone_list],
            location=location,
            posting=posting,
        )
        note, _ = services.add_note(
            AUTOMATIC,
            opportunity.candidate,
            "A note.",
            opportunity=opportunity,
            external_author=author,
        )
    except PipelineError:
        return  # the ATS refused the input itself
    candidate_row = mapping.load_candidates([str(opportunity.candidate_id)])[
        str(opportunity.candidate_id)
    ]
    opportunity_row = mapping.load_opportunities([str(opportunity.id)])[str(opportunity.id)]
    existing = {"manualMatchedMember": person_urn} if person_urn else None
    accepted_or_refused(
        partial(mapping.candidate_body, candidate_row, person_urn=person_urn),
        partial(validate_candidate, existing=existing),
    )
    accepted_or_refused(partial(mapping.application_body, opportunity_row), validate_application)
    accepted_or_refused(partial(mapping.note_body, Note.objects.get(pk=note.pk)), validate_note)
    for record in mapping.stage_records(opportunity_row).values():
        assert validate_stage(record) == record
