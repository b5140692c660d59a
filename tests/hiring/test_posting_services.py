"""Postings as Lever keeps them: what a job says, its state, and its hiring team; LinkedIn hears
of each as a job, and of team and state changes as a change in who sees which job."""

import pytest
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin.models import OutboxItem, OutboxKind
from hirebridge.linkedin.outbound.access import ALL_JOBS
from tests.factories import PostingFactory, UserFactory, candidate, linkedin_integration

ACCESS = (OutboxKind.JOB_ACCESS, ALL_JOBS, "")


@pytest.fixture
def linkedin(db):
    return linkedin_integration()


@pytest.fixture
def published(alex):
    posting = PostingFactory(owner=alex, title="Data Engineer", location="Berlin, Germany")
    OutboxItem.objects.all().delete()
    return posting


def rows() -> set[tuple[str, str, str]]:
    return set(OutboxItem.objects.values_list("kind", "entity_id", "parent_id"))


def job(posting: Posting) -> tuple[str, str, str]:
    return (OutboxKind.JOB, str(posting.id), "")


def deactivated():
    return UserFactory(deactivated_at=timezone.now())


def test_a_new_posting_is_a_job_and_a_change_in_who_sees_jobs(linkedin, alex, tara, lee):
    posting = services.create_posting(
        alex,
        title=" Backend Engineer ",
        owner=tara,
        location="Berlin, Germany",
        team="Platform",
        commitment="Full-time",
        description="Build the pipeline.",
        hiring_manager=lee,
        members=[tara, lee],
    )
    posting.refresh_from_db()
    assert (posting.title, posting.state, posting.confidential) == (
        "Backend Engineer",
        PostingState.DRAFT,
        False,
    )
    assert (posting.owner, posting.hiring_manager, posting.created_by) == (tara, lee, alex)
    assert set(posting.members.all()) == {tara, lee}
    assert rows() == {job(posting), ACCESS}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "T" * 201}, "title"),
        ({"team": "t" * 101}, "team"),
        ({"commitment": "Weekends"}, "commitment"),
        ({"state": "open"}, "state"),
    ],
)
def test_a_bad_posting_names_the_field_and_is_not_created(linkedin, alex, fields, field):
    with pytest.raises(services.PipelineError) as error:
        services.create_posting(alex, **{"title": "Engineer", "owner": alex, **fields})
    assert error.value.field == field
    assert not Posting.objects.exists()
    assert rows() == set()


@pytest.mark.parametrize("field", ["owner", "hiring_manager", "members"])
def test_a_deactivated_user_joins_no_hiring_team(linkedin, alex, field):
    team = {"owner": alex, field: [deactivated()] if field == "members" else deactivated()}
    with pytest.raises(services.PipelineError) as error:
        services.create_posting(alex, title="Engineer", **team)
    assert error.value.field == field
    assert not Posting.objects.exists()


def test_updating_a_posting_returns_what_changed(linkedin, alex, published):
    changed = services.update_posting(
        alex,
        published,
        location="Berlin, Germany",
        department=" Engineering ",
        commitment="Contract",
        description="New text",
    )
    assert changed == ["department", "commitment", "description"]
    assert (published.department, published.commitment) == ("Engineering", "Contract")
    assert rows() == {job(published)}
    OutboxItem.objects.all().delete()
    assert services.update_posting(alex, published, department="Engineering") == []
    assert rows() == set()


def test_a_new_title_changes_the_job_and_each_application_on_it(linkedin, alex, tara, published):
    first = candidate(tara, posting=published)
    second = candidate(tara, name="Grace Hopper", posting=published)
    candidate(tara, name="Alan Turing", posting=PostingFactory())  # another job's
    OutboxItem.objects.all().delete()
    assert services.update_posting(alex, published, title="Senior Data Engineer") == ["title"]
    assert rows() == {
        job(published),
        (OutboxKind.APPLICATION, str(first.id), ""),
        (OutboxKind.APPLICATION, str(second.id), ""),
    }


def test_the_hiring_manager_is_changed_cleared_or_left_alone(linkedin, alex, lee, published):
    assert services.update_posting(alex, published, hiring_manager=lee) == ["hiring_manager"]
    assert rows() == {job(published), ACCESS}
    assert services.update_posting(alex, published, title="Data Engineer") == []
    assert published.hiring_manager == lee
    assert services.update_posting(alex, published, hiring_manager=None) == ["hiring_manager"]
    assert published.hiring_manager is None


def test_a_bad_update_names_the_field_and_changes_nothing(linkedin, alex, published):
    for fields, field in (
        ({"title": ""}, "title"),
        ({"commitment": "Weekends"}, "commitment"),
        ({"hiring_manager": deactivated()}, "hiring_manager"),
    ):
        with pytest.raises(services.PipelineError) as error:
            services.update_posting(alex, published, location="Paris, France", **fields)
        assert error.value.field == field
    published.refresh_from_db()
    assert published.location == "Berlin, Germany"
    assert rows() == set()


def test_confidentiality_is_fixed_at_creation(alex, published):
    with pytest.raises(TypeError):
        services.update_posting(alex, published, confidential=True)


def test_a_posting_is_published_closed_and_never_back_in_draft(linkedin, alex):
    posting = services.create_posting(alex, title="Engineer", owner=alex)
    OutboxItem.objects.all().delete()
    assert services.set_posting_state(alex, posting, "published") is True
    assert posting.state == PostingState.PUBLISHED
    assert rows() == {job(posting), ACCESS}
    OutboxItem.objects.all().delete()
    assert services.set_posting_state(alex, posting, "published") is False
    assert services.set_posting_state(alex, posting, "closed") is True
    for state in ("draft", "archived"):
        with pytest.raises(services.PipelineError) as error:
            services.set_posting_state(alex, posting, state)
        assert error.value.field == "state"
    posting.refresh_from_db()
    assert posting.state == PostingState.CLOSED
    assert rows() == {job(posting), ACCESS}  # from closing it


def test_an_unlisted_posting_never_returns_to_draft_either(linkedin, alex):
    posting = services.create_posting(alex, title="Engineer", owner=alex)
    assert services.set_posting_state(alex, posting, "draft") is False
    assert services.set_posting_state(alex, posting, "internal") is True
    with pytest.raises(services.PipelineError, match="never goes back to draft"):
        services.set_posting_state(alex, posting, "draft")


def test_the_hiring_team_changes_who_sees_the_job(linkedin, alex, tara, lee, ivy, published):
    changed = services.set_hiring_team(
        alex, published, owner=tara, hiring_manager=lee, members=[ivy, lee]
    )
    assert changed == ["owner", "hiring_manager", "members"]
    assert (published.owner, published.hiring_manager) == (tara, lee)
    assert set(published.members.all()) == {ivy, lee}
    assert rows() == {job(published), ACCESS}

    OutboxItem.objects.all().delete()
    same = services.set_hiring_team(alex, published, owner=tara, members=[lee, ivy])
    assert same == []
    assert rows() == set()
    assert services.set_hiring_team(alex, published, members=[]) == ["members"]
    assert services.set_hiring_team(alex, published, hiring_manager=None) == ["hiring_manager"]
    assert (published.owner, published.hiring_manager) == (tara, None)
    assert not published.members.exists()


def test_a_deactivated_user_is_refused_and_the_team_stays(linkedin, alex, tara, published):
    with pytest.raises(services.PipelineError) as error:
        services.set_hiring_team(alex, published, owner=tara, members=[tara, deactivated()])
    assert error.value.field == "members"
    published.refresh_from_db()
    assert published.owner == alex
    assert rows() == set()


def test_posting_changes_write_nothing_while_no_integration_exists(alex, tara):
    posting = services.create_posting(alex, title="Engineer", owner=alex)
    services.update_posting(alex, posting, title="Staff Engineer", hiring_manager=tara)
    services.set_posting_state(alex, posting, "published")
    services.set_hiring_team(alex, posting, members=[tara])
    assert not OutboxItem.objects.exists()
