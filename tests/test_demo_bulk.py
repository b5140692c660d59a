"""Demo data in bulk: the same shape as the small demo, consistent, repeatable, and every page
works on it."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max
from django.urls import reverse

from hirebridge import demo_bulk, demo_data
from hirebridge.accounts import policy
from hirebridge.accounts.models import ApiKey, User
from hirebridge.accounts.roles import Role
from hirebridge.hiring.duplicates import duplicates_of
from hirebridge.hiring.models import (
    Activity,
    Candidate,
    CandidateLink,
    Message,
    Note,
    Opportunity,
    Posting,
    StageChange,
)
from hirebridge.hiring.models.records import Verb
from hirebridge.hiring.models.stages import LEAD_NEW

PEOPLE = 500
TWICE = PEOPLE // demo_data.DUPLICATE_EVERY


@pytest.fixture
def loaded(db):
    logins, report = demo_bulk.seed(seed=3, candidates=PEOPLE)
    return logins, report


def snapshot():
    return sorted(
        (
            o.candidate.name,
            o.candidate.headline,
            o.posting.title if o.posting else None,
            o.stage_id,
            o.is_archived,
            tuple(e.email for e in o.candidate.emails.all()),
            tuple(t.text for t in o.tags.all()),
        )
        for o in Opportunity.objects.select_related("candidate", "posting").prefetch_related(
            "candidate__emails", "tags"
        )
    )


def wipe():
    for model in (Activity, Opportunity, Candidate, Posting, ApiKey, User):
        model.objects.all().delete()


def test_it_loads_every_candidate_with_one_opportunity_and_its_history(loaded):
    _, report = loaded
    assert Candidate.objects.count() == PEOPLE + TWICE
    per_candidate = Candidate.objects.annotate(n=Count("opportunities")).values_list("n", flat=True)
    assert set(per_candidate) == {1}
    assert not Candidate.objects.filter(emails__isnull=True).exists()
    created = Activity.objects.filter(verb=Verb.CANDIDATE_CREATED)
    assert created.count() == PEOPLE + TWICE
    opened = StageChange.objects.filter(from_stage__isnull=True, to_stage=LEAD_NEW)
    assert opened.count() == PEOPLE + TWICE
    for opportunity in Opportunity.objects.annotate(last=Max("stage_changes__changed_at")):
        latest = opportunity.stage_changes.get(changed_at=opportunity.last)
        assert latest.to_stage_id == opportunity.stage_id
        assert opportunity.last_advanced_at == opportunity.last
    for model in (Candidate, Opportunity, StageChange, Activity, Note, Message, CandidateLink):
        assert report.rows[model._meta.db_table] == model.objects.count()


def test_the_rows_hold_every_constraint(loaded):
    """Foreign keys checked now rather than trusted (the unique and check constraints the
    database enforced while loading)."""
    connection.check_constraints()
    archived = Opportunity.objects.filter(archived_at__isnull=False)
    assert archived.exists()
    assert not archived.filter(archive_reason__isnull=True).exists()
    assert archived.count() == Activity.objects.filter(verb=Verb.ARCHIVED).count()


def test_linkedin_candidates_carry_their_profile_url_and_others_none(loaded):
    from_linkedin = Candidate.objects.filter(sources__text=demo_data.LINKEDIN_SOURCE)
    assert from_linkedin.exists()
    for person in from_linkedin.prefetch_related("links"):
        assert person.linkedin_url.startswith("https://www.linkedin.com/in/")
    others = Candidate.objects.exclude(sources__text=demo_data.LINKEDIN_SOURCE)
    assert not CandidateLink.objects.filter(candidate__in=others).exists()


def test_candidates_spread_over_the_pipeline_and_the_ltm_sees_only_some(loaded):
    assert Opportunity.objects.values("stage").distinct().count() >= 6
    assert Note.objects.exists()
    assert Message.objects.exists()
    ltm = User.objects.get(role=Role.LIMITED_TEAM_MEMBER)
    assert 0 < policy.visible_opportunities(ltm).count() < Opportunity.objects.count()


def test_some_people_were_entered_twice_and_are_found_as_duplicates(loaded):
    twice = Candidate.objects.filter(name__regex=r"^[A-Z]\. ")
    assert twice.count() == TWICE
    everyone = User.objects.get(role=Role.SUPER_ADMIN)  # originals on confidential postings too
    for person in twice[:3]:
        assert any("same email" in " ".join(d.reasons) for d in duplicates_of(everyone, person))


def test_the_pages_work_on_it(loaded, client):
    logins, _ = loaded
    admin = next(login for login in logins if login.role == Role.ADMIN.label)
    assert client.login(email=admin.email, password=admin.password)
    busy = Candidate.objects.filter(
        notes__isnull=False, messages__isnull=False, opportunities__archived_at__isnull=False
    ).first()
    assert busy is not None
    for url in (
        reverse("pipeline"),
        reverse("candidates"),
        reverse("candidate", args=[busy.id]),
        reverse("posting", args=[Posting.objects.filter(opportunities__isnull=False).first().id]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_same_seed_gives_the_same_data(db):
    demo_bulk.seed(seed=5, candidates=120)
    first = snapshot()
    wipe()
    demo_bulk.seed(seed=5, candidates=120)
    assert snapshot() == first
    wipe()
    demo_bulk.seed(seed=6, candidates=120)
    assert snapshot() != first


def test_it_refuses_a_database_that_has_users(tara):
    with pytest.raises(ValueError, match="already has users"):
        demo_bulk.seed(seed=1, candidates=10)
    assert not Candidate.objects.exists()


def test_seed_demo_bulk_loads_above_the_services_limit_and_sums_up(db, tmp_path):
    from hirebridge.management.commands.seed_demo import SERVICES_UP_TO

    out, credentials = StringIO(), tmp_path / "logins.json"
    call_command("seed_demo", candidates=SERVICES_UP_TO + 1, credentials=credentials, stdout=out)
    assert Candidate.objects.count() == SERVICES_UP_TO + 1 + (SERVICES_UP_TO + 1) // 50
    assert not Activity.objects.filter(verb=Verb.STAGE_CHANGED, actor__isnull=True).exists()
    assert "Bulk load" in out.getvalue()
    assert "hiring_candidate " in out.getvalue()
    assert len(json.loads(credentials.read_text())) == len(Role)


def test_seed_demo_refuses_bad_arguments_and_a_used_database(tara):
    with pytest.raises(CommandError, match="0 or more"):
        call_command("seed_demo", candidates=-1, stdout=StringIO())
    with pytest.raises(CommandError, match="already has users"):
        call_command("seed_demo", candidates=5_000, stdout=StringIO())


def test_seed_demo_refuses_a_database_that_lacks_migrations(db, monkeypatch):
    from hirebridge.management.commands import seed_demo

    monkeypatch.setattr(seed_demo, "unapplied_migrations", lambda: ["search.0001_initial"])
    with pytest.raises(CommandError, match=r"lacks 1 migration\(s\) \(search.0001_initial"):
        call_command("seed_demo", candidates=10, stdout=StringIO())
    assert not User.objects.exists()
