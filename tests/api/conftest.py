"""API personas: `api_client(user)` is a test client that sends a fresh key of that user."""

import base64

import pytest
from django.test import Client

from hirebridge.accounts.models import ApiKey


def basic_auth(username: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def api_client(db):
    def client_for(user) -> Client:
        _, plaintext = ApiKey.objects.issue(user, "tests")
        return Client(HTTP_AUTHORIZATION=basic_auth(plaintext))

    return client_for


@pytest.fixture(autouse=True)
def roomy_rate_limit(settings):
    """Tests send many requests with one key quickly; the rate limit has its own tests."""
    settings.API_RATE_BURST = 10_000
