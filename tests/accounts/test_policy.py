"""The role matrix: which opportunities, candidates and postings each of Lever's roles sees."""

import pytest

from hirebridge.accounts import policy
from hirebridge.accounts.policy import Action
from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason
from tests.factories import PostingFactory, candidate

SA, AD, TM, LTM, IV = (
    Role.SUPER_ADMIN,
    Role.ADMIN,
    Role.TEAM_MEMBER,
    Role.LIMITED_TEAM_MEMBER,
    Role.INTERVIEWER,
)

# opportunity → the roles that see it (personas: sam, alex, tara, lee, ivy; see conftest)
EXPECTED_VISIBILITY = {
    "other team's posting": {SA, AD, TM},
    "lee manages the posting": {SA, AD, TM, LTM},
    "lee is on the hiring team": {SA, AD, TM, LTM},
    "archived, lee manages the posting": {SA, AD, TM, LTM},
    "lee follows it": {SA, AD, TM, LTM},
    "general, owned by lee": {SA, AD, TM, LTM},
    "general, nobody's": {SA, AD, TM},
    "confidential, tara on the team": {SA, TM},
    "confidential, no one on the team": {SA},
    "confidential, lee manages it": {SA, LTM},
}


@pytest.fixture
def world(personas):
    sam, alex, tara, lee, ivy = (personas[r] for r in (SA, AD, TM, LTM, IV))
    other = PostingFactory(owner=alex)
    other.members.add(ivy)
    managed = PostingFactory(owner=alex, hiring_manager=lee)
    member = PostingFactory(owner=tara)
    member.members.add(lee)
    confidential_tara = PostingFactory(owner=sam, confidential=True)
    confidential_tara.members.add(tara)
    confidential_none = PostingFactory(owner=sam, confidential=True)
    confidential_lee = PostingFactory(owner=sam, hiring_manager=lee, confidential=True)

    def opp(label, **kwargs):
        return candidate(sam, name=f"{label.title()} Person", **kwargs)

    archived = opp("archived", posting=managed)
    services.archive(sam, archived, ArchiveReason.objects.get(text="Timing"))
    followed = opp("followed", posting=other)
    followed.followers.add(lee)
    return {
        "other team's posting": opp("other", posting=other),
        "lee manages the posting": opp("managed", posting=managed),
        "lee is on the hiring team": opp("member", posting=member),
        "archived, lee manages the posting": archived,
        "lee follows it": followed,
        "general, owned by lee": opp("owned", owner=lee),
        "general, nobody's": opp("general"),
        "confidential, tara on the team": opp("conftara", posting=confidential_tara),
        "confidential, no one on the team": opp("confnone", posting=confidential_none),
        "confidential, lee manages it": opp("conflee", posting=confidential_lee),
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_opportunities_the_rules_give_it(role, personas, world):
    user = personas[role]
    expected = {label for label, roles in EXPECTED_VISIBILITY.items() if role in roles}
    seen = set(policy.visible_opportunities(user).values_list("pk", flat=True))
    assert {label for label, o in world.items() if o.pk in seen} == expected
    # The per-object answer agrees with the list, so views and lists can never disagree.
    for label, opportunity in world.items():
        assert policy.can(user, Action.CHANGE_OPPORTUNITY, opportunity) == (
            label in expected and role != IV
        ), label


@pytest.mark.parametrize("role", list(Role))
def test_a_candidate_is_visible_when_one_of_their_opportunities_is(role, personas, world):
    user = personas[role]
    expected = {o.candidate_id for label, o in world.items() if role in EXPECTED_VISIBILITY[label]}
    assert set(policy.visible_candidates(user).values_list("pk", flat=True)) == expected


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_postings_the_rules_give_it(role, personas, world):
    user = personas[role]
    postings = {o.posting for o in world.values() if o.posting}
    expected = {
        p
        for p in postings
        if any(
            role in EXPECTED_VISIBILITY[label]
            for label, o in world.items()
            if o.posting == p and "follows" not in label
        )
    }
    assert set(policy.visible_postings(user)) == expected


ACTIONS = {
    Action.VIEW_CANDIDATES: {SA, AD, TM, LTM},
    Action.ADD_CANDIDATE: {SA, AD, TM, LTM},
    Action.MERGE_CANDIDATES: {SA, AD, TM},
    Action.DELETE_CANDIDATE: {SA, AD},
    Action.MANAGE_POSTINGS: {SA, AD, TM},
    Action.MANAGE_PIPELINE: {SA},
    Action.MANAGE_USERS: {SA, AD},
    Action.MANAGE_INTEGRATIONS: {SA},
    Action.MANAGE_LINKEDIN: {SA, AD},
    Action.USE_LINKEDIN: {SA, AD, TM, LTM},
    Action.USE_ADMIN_SITE: {SA},
    Action.VIEW_AUDIT_LOG: {SA},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_wide_actions(role, action, personas):
    assert policy.can(personas[role], action) == (role in ACTIONS[action])


def test_every_action_has_an_entry_in_the_matrix():
    assert set(ACTIONS) | {Action.CHANGE_OPPORTUNITY} == set(Action)


def test_a_deactivated_user_sees_and_may_do_nothing(sam, world):
    from django.utils import timezone

    sam.deactivated_at = timezone.now()
    sam.save()
    assert not policy.visible_opportunities(sam).exists()
    assert not policy.can(sam, Action.VIEW_CANDIDATES)


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not policy.visible_candidates(AnonymousUser()).exists()
    assert not policy.can(AnonymousUser(), Action.VIEW_CANDIDATES)
