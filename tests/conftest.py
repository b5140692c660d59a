"""Named personas, one per role, in the spirit of "alice owns, bob is a member"."""

import pytest
from hypothesis import settings as hypothesis_settings

from hirebridge.accounts.roles import Role
from tests.factories import PostingFactory, UserFactory

# Timing is not what property tests check; a loaded CI machine must not fail them.
hypothesis_settings.register_profile("hirebridge", deadline=None)
hypothesis_settings.load_profile("hirebridge")


@pytest.fixture
def sam(db):
    """Super Admin."""
    return UserFactory(name="Sam Super", email="sam@example.com", role=Role.SUPER_ADMIN)


@pytest.fixture
def alex(db):
    """Admin."""
    return UserFactory(name="Alex Admin", email="alex@example.com", role=Role.ADMIN)


@pytest.fixture
def tara(db):
    """Team Member, a recruiter."""
    return UserFactory(name="Tara Team", email="tara@example.com", role=Role.TEAM_MEMBER)


@pytest.fixture
def lee(db):
    """Limited Team Member, a hiring manager."""
    return UserFactory(name="Lee Limited", email="lee@example.com", role=Role.LIMITED_TEAM_MEMBER)


@pytest.fixture
def ivy(db):
    """Interviewer."""
    return UserFactory(name="Ivy Interviewer", email="ivy@example.com", role=Role.INTERVIEWER)


@pytest.fixture
def personas(sam, alex, tara, lee, ivy):
    return {
        Role.SUPER_ADMIN: sam,
        Role.ADMIN: alex,
        Role.TEAM_MEMBER: tara,
        Role.LIMITED_TEAM_MEMBER: lee,
        Role.INTERVIEWER: ivy,
    }


@pytest.fixture
def posting(alex):
    return PostingFactory(title="Backend Engineer", owner=alex)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that create dozens of users need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
