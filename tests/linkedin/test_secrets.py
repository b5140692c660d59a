import pytest
from django.core.exceptions import ImproperlyConfigured

from hirebridge.linkedin import secrets


def test_a_secret_round_trips_and_never_appears_in_its_ciphertext():
    token = secrets.encrypt("client-secret-value")
    assert "client-secret-value" not in token
    assert secrets.decrypt(token) == "client-secret-value"


def test_it_survives_a_secret_key_rotation_through_the_fallbacks(settings):
    token = secrets.encrypt("client-secret-value")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-that-is-long-enough-to-be-real-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert secrets.decrypt(token) == "client-secret-value"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ImproperlyConfigured, match="Enter the client secret again"):
        secrets.decrypt(token)
