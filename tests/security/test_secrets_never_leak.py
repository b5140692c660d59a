"""LinkedIn's client secret and the access tokens it buys appear in no page, no API answer, no
log record (every logger at DEBUG, httpx and httpcore included) and no audit row — also when
LinkedIn's own error bodies repeat them back."""

import base64
import logging

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from hirebridge.accounts.models import ApiKey
from hirebridge.audit.models import AuditEvent
from hirebridge.linkedin import client as linkedin_client
from hirebridge.linkedin import enablement
from hirebridge.linkedin.models import Contract, Integration
from tests.linkedin.conftest import rsc_sandbox  # noqa: F401 - the fixture, run in-process

# Every page and API answer that could show what the integration holds.
PAGES = [
    "/",
    "/candidates/",
    "/settings/integrations/linkedin/",
    "/settings/webhooks/",
    "/settings/audit-log/",
    "/admin/",
    "/admin/linkedin/integration/",
]
API = ["/v1/users", "/v1/opportunities", "/v1/postings", "/v1/webhooks"]
POSTS = [
    "linkedin-settings-check",
    "linkedin-settings-statuses",
    "linkedin-settings-seats",
    "linkedin-settings-register",
]


@pytest.fixture
def all_logs(caplog):
    """Every record of every logger, down to DEBUG."""
    for name in ("", "httpx", "httpcore", "hirebridge", "django", "huey"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def issued(monkeypatch) -> list[str]:
    """Each access token the client was given."""
    tokens: list[str] = []
    fetch = linkedin_client.LinkedInClient._fetch_token

    def recording(self):
        token = fetch(self)
        tokens.append(token.reply.access_token)
        return token

    monkeypatch.setattr(linkedin_client.LinkedInClient, "_fetch_token", recording)
    return tokens


@pytest.fixture
def integration(rsc_sandbox, settings, db) -> Integration:  # noqa: F811
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    settings.HIREBRIDGE_PUBLIC_URL = "http://127.0.0.1:8000"
    app = rsc_sandbox.tenant["customer_app"]
    integration = Integration(
        client_id=app["client_id"], organization_urn=rsc_sandbox.tenant["organization_id"]
    )
    integration.client_secret = app["client_secret"]
    integration.save()
    return integration


def everything_said(client: Client, sam) -> list[str]:
    """Exercise the settings pages and their LinkedIn calls, the admin and the API; return
    every body answered."""
    client.force_login(sam)
    bodies = [client.post(reverse(name)).content.decode() for name in POSTS]
    bodies += [client.get(page).content.decode() for page in PAGES]
    integration = Integration.objects.get()
    bodies.append(
        client.get(f"/admin/linkedin/integration/{integration.pk}/change/").content.decode()
    )
    _, key = ApiKey.objects.issue(sam, "leak check")
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    bodies += [Client(HTTP_AUTHORIZATION=auth).get(url).content.decode() for url in API]
    return bodies


def leaks(secret_values: list[str], bodies: list[str], caplog) -> list[str]:
    found = []
    logged = [f"{record.getMessage()} {record.__dict__}" for record in caplog.records]
    audited = [str(row) for row in AuditEvent.objects.values()]
    for value in secret_values:
        for where, texts in (("a page", bodies), ("the log", logged), ("the audit log", audited)):
            found += [f"{value[:6]}… in {where}" for text in texts if value in text]
    return found


def test_the_secret_and_tokens_stay_out_of_pages_logs_and_audit(integration, sam, all_logs, issued):
    bodies = everything_said(Client(), sam)
    assert issued, "no token was fetched: the pages did not reach the sandbox"
    assert all_logs.records, "nothing was logged: the capture does not work"
    assert leaks([integration.client_secret, *issued], bodies, all_logs) == []


SECRET = "s3cr3t-Distinctive-Client-Secret-4711"
TOKEN = "AQX-distinctive-access-token-0815"


def echoing_linkedin() -> httpx.MockTransport:
    """A LinkedIn that grants the first token, then refuses every call (500 for seats, 401 for
    the rest, tokens included) quoting in its error bodies whatever it was sent: the form
    with the client secret, the header with the token."""
    granted: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/accessToken" and not granted:
            granted.append(TOKEN)
            return httpx.Response(200, json={"access_token": TOKEN, "expires_in": 1800})
        sent = f"{request.content.decode()} {request.headers.get('Authorization', '')}"
        status = 500 if "seat" in request.url.path.lower() else 401
        quoted = {"message": f"refused: {sent}", "error_description": f"refused: {sent}"}
        return httpx.Response(status, json=quoted)

    return httpx.MockTransport(answer)


@pytest.fixture
def echoing(monkeypatch, settings, db) -> Integration:
    settings.LINKEDIN_API_BASE = "https://api.linkedin.test"
    settings.LINKEDIN_OAUTH_BASE = "https://www.linkedin.test"
    integration = Integration(client_id="echo-app", organization_urn="urn:li:organization:5")
    integration.client_secret = SECRET
    integration.save()
    Contract.objects.create(integration=integration, urn="urn:li:contract:5")
    transport = echoing_linkedin()

    def client_for(found: Integration) -> linkedin_client.LinkedInClient:
        return linkedin_client.LinkedInClient(
            found.client_id,
            found.client_secret,
            transport=transport,
            sleep=lambda seconds: None,
            backoff=linkedin_client.Backoff(attempts=1),
        )

    monkeypatch.setattr(enablement, "client_for", client_for)
    return integration


def test_linkedin_errors_that_quote_the_secret_are_not_repeated(echoing, sam, all_logs):
    bodies = everything_said(Client(), sam)
    assert any("refused: " in body for body in bodies), "LinkedIn's errors were not shown"
    assert leaks([SECRET, TOKEN], bodies, all_logs) == []
