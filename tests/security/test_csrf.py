"""Cross-site request forgery: a signed-in browser's POST needs the CSRF token; the API takes
no session at all (an API key in HTTP Basic, which a forged cross-site request cannot send);
the server-to-server endpoints are exempt and prove who calls with their own secret instead."""

import base64
import json
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hirebridge.accounts.models import ApiKey
from hirebridge.linkedin import signatures
from tests.factories import linkedin_integration
from tests.security.test_role_matrix import UI

# Server-to-server endpoints, each checking its own secret (tested below).
CSRF_EXEMPT = {"linkedin-callback", "inbound-email"}
# The API's schema and documentation pages read nothing from a POST and change nothing.
READ_ONLY = {"openapi-json", "openapi-view", "api-root"}
STATE_CHANGING = sorted(
    name for name, entry in UI.items() if "POST" in entry.methods and name not in READ_ONLY
)
NIL = str(uuid.UUID(int=0))


def any_url(name: str) -> str:
    """The route with placeholder ids: the CSRF check runs before a view looks anything up."""
    pattern = next(p for p in url_patterns() if p.name == name)
    values = {
        parameter: 1 if converter.regex == "[0-9]+" else NIL
        for parameter, converter in pattern.pattern.converters.items()
    }
    return reverse(name, kwargs=values)


def url_patterns(patterns=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


@pytest.fixture
def signed_in(sam):
    """Sam's browser session as a forged cross-site form finds it: signed in, no token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(sam)
    return client


def test_only_the_server_to_server_endpoints_are_exempt():
    exempt = {
        pattern.name
        for pattern in url_patterns()
        if getattr(pattern.callback, "csrf_exempt", False)
        and pattern.callback.__module__ != "ninja.operation"
    }
    assert exempt == CSRF_EXEMPT


@pytest.mark.parametrize("name", sorted(set(STATE_CHANGING) - CSRF_EXEMPT))
def test_a_post_without_the_token_is_refused(signed_in, name):
    response = signed_in.post(any_url(name), {"title": "forged"})
    assert response.status_code == 403, name
    assert b"CSRF" in response.content


def test_a_post_with_the_token_gets_through(signed_in):
    signed_in.get(reverse("api-keys"))
    token = signed_in.cookies["csrftoken"].value
    response = signed_in.post(
        reverse("api-key-create"), {"name": "ok", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 201
    assert ApiKey.objects.filter(name="ok").exists()


def test_the_api_ignores_a_session_cookie(signed_in):
    """A signed-in signed_in has no API access at all, so there is nothing to forge."""
    body = json.dumps({"name": "Forged Person"})
    assert signed_in.get("/v1/opportunities").status_code == 401
    response = signed_in.post("/v1/opportunities", body, content_type="application/json")
    assert response.status_code == 401


def test_the_api_needs_no_csrf_token_with_a_key(sam):
    _, key = ApiKey.objects.issue(sam, "csrf")
    client = Client(
        enforce_csrf_checks=True,
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{key}:".encode()).decode(),
    )
    body = json.dumps({"name": "Keyed Person"})
    response = client.post("/v1/opportunities", body, content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("signature", "status"),
    [(None, 401), ("hmacsha256=" + "0" * 64, 401), ("not hex", 401), ("valid", 200)],
)
def test_the_linkedin_callback_needs_a_signature_not_a_token(db, signature, status):
    integration = linkedin_integration()
    body = json.dumps({"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "csrf-1"}).encode()
    headers = {}
    if signature == "valid":
        signature = signatures._hex(integration.client_secret, b"hmacsha256=" + body)
    if signature is not None:
        headers["HTTP_X_LI_SIGNATURE"] = signature
    client = Client(enforce_csrf_checks=True)
    url = reverse("linkedin-callback", args=[integration.callback_token])
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code // 100 == status // 100, response.content


def test_inbound_email_needs_its_token_not_a_csrf_token(db, settings):
    settings.INBOUND_EMAIL_TOKEN = "relay-secret"
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("inbound-email"), b"", content_type="message/rfc822")
    assert response.status_code == 401
