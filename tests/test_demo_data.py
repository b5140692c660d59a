import pytest

from hirebridge import demo_data
from hirebridge.accounts.models import ApiKey, User
from hirebridge.accounts.roles import Role
from hirebridge.hiring.models import Activity, Candidate, Opportunity, Posting


def snapshot():
    return sorted(
        (
            o.candidate.name,
            o.posting.title if o.posting else None,
            o.stage_id,
            o.is_archived,
            tuple(e.email for e in o.candidate.emails.all()),
        )
        for o in Opportunity.objects.select_related("candidate", "posting").prefetch_related(
            "candidate__emails"
        )
    )


def wipe():
    for model in (Activity, Opportunity, Posting, ApiKey, User):
        model.objects.all().delete()


def test_it_creates_one_user_per_role_with_working_logins_and_keys(db):
    logins = demo_data.seed(seed=7, candidates=20)
    assert [login.role for login in logins] == [r.label for r in Role]
    for login in logins:
        user = User.objects.get(email=login.email)
        assert user.check_password(login.password)
        assert ApiKey.objects.authenticate(login.api_key) == user
    assert Posting.objects.count() == 12
    assert Opportunity.objects.count() == 20


def test_the_same_seed_gives_the_same_data(db):
    demo_data.seed(seed=7, candidates=40)
    first = snapshot()
    wipe()
    demo_data.seed(seed=7, candidates=40)
    assert snapshot() == first
    wipe()
    demo_data.seed(seed=8, candidates=40)
    assert snapshot() != first


def test_candidates_spread_over_the_pipeline_and_the_ltm_sees_only_some(db):
    from hirebridge.accounts import policy

    demo_data.seed(seed=42, candidates=200)
    stages = set(Opportunity.objects.values_list("stage", flat=True))
    assert len(stages) >= 6
    assert Opportunity.objects.filter(archived_at__isnull=False).exists()
    ltm = User.objects.get(role=Role.LIMITED_TEAM_MEMBER)
    visible = policy.visible_opportunities(ltm).count()
    assert 0 < visible < Opportunity.objects.count()


def test_it_refuses_a_database_that_has_users(tara):
    with pytest.raises(ValueError, match="already has users"):
        demo_data.seed(seed=1, candidates=1)


def test_some_people_were_entered_twice_and_are_found_as_duplicates(db):
    from hirebridge.hiring.duplicates import duplicates_of

    demo_data.seed(seed=42, candidates=150)
    admin = User.objects.get(role=Role.ADMIN)
    twice = Candidate.objects.filter(name__regex=r"^[A-Z]\. ")
    assert twice.count() == 150 // demo_data.DUPLICATE_EVERY
    for person in twice:
        assert any("same email" in " ".join(d.reasons) for d in duplicates_of(admin, person))
