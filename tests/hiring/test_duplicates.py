"""Each signal that two profiles are one person, and that a user is offered only profiles they
may see."""

import pytest
from django.db import connection

from hirebridge.hiring import duplicates
from hirebridge.hiring.duplicates import MAX_DUPLICATES, Shared, duplicates_of
from hirebridge.hiring.models import CandidatePhone
from hirebridge.hiring.services import Phone
from hirebridge.linkedin.models import ProfileConnection
from tests.factories import PostingFactory, candidate, linkedin_integration


def person(actor, name, **kwargs):
    return candidate(actor, name, **kwargs).candidate


def found(user, someone):
    return {d.candidate.name: d for d in duplicates_of(user, someone)}


def test_it_finds_the_same_email_whatever_its_case(tara):
    ada = person(tara, "Ada Lovelace", emails=["ada@example.com"])
    person(tara, "A. King", emails=["ADA@Example.com "])
    person(tara, "Someone Else", emails=["else@example.com"])
    hits = found(tara, ada)
    assert list(hits) == ["A. King"]
    assert hits["A. King"].reasons == ["same email ada@example.com"]
    assert hits["A. King"].strong


def test_it_finds_the_same_phone_written_another_way(tara):
    ada = person(tara, "Ada Lovelace", phones=[Phone("+49 30 1234567")])
    person(tara, "Ada King", emails=["king@example.com"], phones=[Phone("+49301234567")])
    person(tara, "Other Number", emails=["o@example.com"], phones=[Phone("+49 30 7654321")])
    hits = found(tara, ada)
    assert list(hits) == ["Ada King"]
    assert hits["Ada King"].reasons == ["same phone +49 30 1234567"]


def test_it_finds_the_same_linkedin_profile_url_however_written(tara):
    ada = person(tara, "Ada Lovelace", links=["https://www.linkedin.com/in/ada-l/"])
    person(tara, "Ada King", emails=["k@example.com"], links=["http://linkedin.com/in/ada-l"])
    person(tara, "Ada Other", emails=["o@example.com"], links=["https://linkedin.com/in/ada-x"])
    assert found(tara, ada)["Ada King"].reasons == ["same LinkedIn profile URL"]
    assert "Ada Other" not in found(tara, ada)


def test_it_finds_a_profile_connected_to_the_same_member(tara):
    integration = linkedin_integration()
    ada = person(tara, "Ada Lovelace")
    king = person(tara, "Ada King", emails=["k@example.com"])
    ProfileConnection.objects.create(
        candidate=ada, integration=integration, person_urn="urn:li:person:1"
    )
    ProfileConnection.objects.create(
        candidate=king, integration=integration, person_urn="urn:li:person:1", primary=False
    )
    assert found(tara, ada)["Ada King"].reasons == ["same LinkedIn member"]
    assert found(tara, king)["Ada Lovelace"].reasons == ["same LinkedIn member"]


def test_a_near_identical_name_at_the_same_employer_is_a_weak_hint(tara):
    jose = person(tara, "José García", emails=["j1@example.com"], current_company="Acme GmbH")
    person(tara, "Jose Garcia", emails=["j2@example.com"], current_company="ACME  GmbH")
    person(tara, "Garcia Jose", emails=["j3@example.com"], current_company="Acme GmbH")
    person(tara, "Jose Garcia", emails=["j4@example.com"], current_company="Initech")
    person(tara, "Josefina Gomez", emails=["j5@example.com"], current_company="Acme GmbH")
    hits = duplicates_of(tara, jose)
    assert [(d.candidate.name, d.strong) for d in hits] == [
        ("Garcia Jose", False),
        ("Jose Garcia", False),
    ]
    assert hits[0].reasons == ["similar name at Acme GmbH"]


def test_strong_signals_come_first_and_the_list_is_bounded(tara):
    ada = person(tara, "Ada Lovelace", emails=["ada@example.com"], current_company="Engines")
    person(tara, "Ada Lovelace", emails=["other@example.com"], current_company="Engines")
    for i in range(MAX_DUPLICATES + 3):
        person(tara, f"Namesake {i}", emails=["ada@example.com"])
    hits = duplicates_of(tara, ada)
    assert len(hits) == MAX_DUPLICATES
    assert all(d.strong for d in hits)


def test_it_never_offers_a_profile_the_user_may_not_see(alex, lee):
    managed = PostingFactory(owner=alex, hiring_manager=lee)
    elsewhere = PostingFactory(owner=alex)
    ada = person(alex, "Ada Lovelace", emails=["ada@example.com"], posting=managed)
    person(alex, "Ada Hidden", emails=["ada@example.com"], posting=elsewhere)
    assert found(alex, ada).keys() == {"Ada Hidden"}
    assert duplicates_of(lee, ada) == []


def test_a_profile_without_any_signal_has_no_duplicates(tara):
    ada = person(tara, "Ada", emails=[])
    person(tara, "Ada", emails=[])
    assert duplicates_of(tara, ada) == []


@pytest.fixture
def shared_world(alex, lee):
    managed = PostingFactory(owner=alex, hiring_manager=lee)
    elsewhere = PostingFactory(owner=alex)
    first = person(alex, "Ada One", emails=["ada@example.com"], posting=managed)
    second = person(alex, "Ada Two", emails=["ada@example.com"], posting=managed)
    person(alex, "Ada Three", emails=["ada@example.com"], posting=elsewhere)
    person(alex, "Bob One", phones=[Phone("+1 555 0100")], posting=elsewhere)
    person(
        alex, "Bob Two", emails=["b@example.com"], phones=[Phone("+1 555 0100")], posting=elsewhere
    )
    person(alex, "Cy One", links=["https://linkedin.com/in/cy"], posting=elsewhere)
    person(
        alex,
        "Cy Two",
        emails=["c@example.com"],
        links=["https://www.linkedin.com/in/cy/"],
        posting=elsewhere,
    )
    return first, second


def test_shared_keys_group_by_each_signal(alex, shared_world):
    keys = list(duplicates.shared_keys(alex))
    assert keys == [
        (Shared.EMAIL, "ada@example.com", 3),
        (Shared.LINK, "linkedin.com/in/cy", 2),
        (Shared.PHONE, "+1 555 0100", 2),
    ]
    groups = duplicates.groups(alex, keys)
    assert [[c.name for c in g.candidates] for g in groups] == [
        ["Ada One", "Ada Two", "Ada Three"],
        ["Cy One", "Cy Two"],
        ["Bob One", "Bob Two"],
    ]
    assert [(a.name, b.name) for a, b in groups[0].pairs] == [
        ("Ada One", "Ada Two"),
        ("Ada One", "Ada Three"),
    ]


def test_shared_keys_count_only_what_the_user_may_see(lee, shared_world):
    keys = list(duplicates.shared_keys(lee))
    assert keys == [(Shared.EMAIL, "ada@example.com", 2)]
    assert [c.name for c in duplicates.groups(lee, keys)[0].candidates] == ["Ada One", "Ada Two"]


def test_the_lookup_takes_a_fixed_number_of_queries(tara, django_assert_max_num_queries):
    integration = linkedin_integration()
    ada = person(
        tara,
        "Ada Lovelace",
        phones=[Phone("+49 30 1234567")],
        links=["https://linkedin.com/in/ada"],
        current_company="Engines",
    )
    ProfileConnection.objects.create(
        candidate=ada, integration=integration, person_urn="urn:li:person:1"
    )
    for i in range(30):
        person(tara, f"Ada Lovelace{i}", phones=[Phone("+49301234567")], current_company="Engines")
    with django_assert_max_num_queries(10):
        assert len(duplicates_of(tara, ada)) == MAX_DUPLICATES


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's plan is deterministic on a small table; PostgreSQL may prefer a scan there",
)
def test_the_phone_lookup_reads_an_index_not_every_phone(db):
    spellings = duplicates.phone_spellings("+49 30 1234567")
    plan = CandidatePhone.objects.filter(value__in=spellings).values("candidate_id").explain()
    assert "hiring_phone_value_idx" in plan
