"""Writing rows straight into a table: what goes in reads back the same through the models, and
the database's constraints still hold."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from hirebridge.hiring.bulk import TableWriter
from hirebridge.hiring.models import Activity, Candidate, CandidateEmail
from hirebridge.hiring.models.records import Verb

WHEN = datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
PERSON = ("id", "name", "headline", "location", "current_company", "current_title", "origin")
PERSON_AT = (*PERSON, "created_by", "created_at", "updated_at")


def ada(person: uuid.UUID, by=None) -> tuple:
    return (person, "Ada Lovelace", "", "London", "", "", "sourced", by, WHEN, WHEN)


def test_rows_read_back_the_same_through_the_models(tara):
    person = uuid.uuid4()
    people = TableWriter(Candidate, PERSON_AT)
    timeline = TableWriter(
        Activity, ("candidate", "opportunity", "actor", "automatic", "verb", "detail", "created_at")
    )
    with transaction.atomic():
        people.write([ada(person, by=tara.id)])
        timeline.write(
            [(person, None, None, True, Verb.CANDIDATE_UPDATED, {"fields": ["name"]}, WHEN)]
        )
    loaded = Candidate.objects.get(pk=person)
    assert (loaded.name, loaded.location, loaded.created_by, loaded.created_at) == (
        "Ada Lovelace",
        "London",
        tara,
        WHEN,
    )
    activity = Activity.objects.get(candidate=loaded)
    assert (activity.actor, activity.automatic, activity.detail) == (
        None,
        True,
        {"fields": ["name"]},
    )
    assert (people.written, timeline.written) == (1, 1)


def test_the_database_still_refuses_what_a_constraint_forbids(db):
    person = uuid.uuid4()
    TableWriter(Candidate, PERSON_AT).write([ada(person)])
    emails = TableWriter(CandidateEmail, ("candidate", "email"))
    with pytest.raises(IntegrityError), transaction.atomic():
        emails.write([(person, "ada@example.com"), (person, "ada@example.com")])


def test_it_names_a_row_that_does_not_fit_the_columns(db):
    emails = TableWriter(CandidateEmail, ("candidate", "email"))
    with pytest.raises(ValueError, match="hiring_candidateemail: rows have 3 values for 2"):
        emails.write([(uuid.uuid4(), "ada@example.com", "extra")])


def test_it_refuses_a_field_that_is_not_a_column(db):
    with pytest.raises(ValueError, match=r"Candidate\.tags is not a column"):
        TableWriter(Candidate, ("id", "tags"))
