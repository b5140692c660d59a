"""Password rules of OWASP ASVS 5.0 (V6.2): at least 15 characters, no common passwords, no
composition rules, long passphrases welcome, Argon2 hashes."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from hirebridge.accounts.admin import UserCreationForm
from hirebridge.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_hashers(settings):
    """The project's own hashers, not the fast one the rest of the suite uses."""
    from hirebridge import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS


def messages_for(password: str) -> list[str]:
    try:
        validate_password(password)
    except ValidationError as refused:
        return list(refused.messages)
    return []


def test_a_14_character_password_is_refused_naming_the_minimum():
    assert messages_for("kq8vz3wplmx7ta") == [
        "This password is too short. It must contain at least 15 characters."
    ]


def test_a_common_password_is_refused_even_when_long_enough():
    # On Django's list of 20,000 common passwords (ASVS asks for at least the top 3,000).
    assert messages_for("1q2w3e4r5t6y7u8i9o0p") == ["This password is too common."]


def test_no_composition_rule_applies_to_a_long_lower_case_passphrase():
    assert messages_for("correct horse battery staple") == []


def test_a_passphrase_of_more_than_64_characters_is_accepted_and_signs_in(client):
    passphrase = "the quick brown fox jumps over the lazy dog while the cat naps at noon"
    assert len(passphrase) > 64
    assert messages_for(passphrase) == []
    User.objects.create_user("long@example.com", passphrase, name="Lena Long")
    response = client.post("/login/", {"username": "long@example.com", "password": passphrase})
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_new_password_hashes_are_argon2(real_hashers):
    user = User.objects.create_user("hash@example.com", "correct horse battery staple", name="H")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")


def test_the_admin_form_for_a_new_user_refuses_a_short_password_with_its_field():
    form = UserCreationForm(
        {"email": "new@example.com", "name": "New", "role": "team member", "password": "short"}
    )
    assert not form.is_valid()
    assert "at least 15 characters" in form.errors["password"][0]


def test_no_composition_or_expiry_rule_is_configured():
    from django.conf import settings

    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
    ]
