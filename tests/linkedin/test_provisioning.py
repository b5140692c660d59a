"""Provisioning against the real sandbox: the customer application is created (or found) with
this site's origin among its JS SDK domains, and its credentials land on the integration."""

from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command

from hirebridge.linkedin import enablement, provisioning
from hirebridge.linkedin.client import AuthError
from hirebridge.linkedin.enablement import ConfigurationError
from hirebridge.linkedin.models import Integration
from hirebridge.linkedin.provisioning import Partner

ORIGIN = "http://127.0.0.1:8123"
OTHER_ORIGIN = "https://ats.example.com"


@pytest.fixture
def linkedin(rsc_sandbox, settings, db):
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    return rsc_sandbox


def partner_of(sandbox, unique_foreign_id="acme-test"):
    app = sandbox.tenant["partner_app"]
    return Partner(app["client_id"], app["client_secret"], unique_foreign_id)


def at_linkedin(sandbox, unique_foreign_id):
    """The child application as LinkedIn's finder shows it to the partner (read by hand)."""
    app = sandbox.tenant["partner_app"]
    token = httpx.post(
        f"{sandbox.url}/oauth/v2/accessToken",
        data={"grant_type": "client_credentials", **app},
        timeout=10,
    ).json()["access_token"]
    reply = httpx.get(
        f"{sandbox.url}/v2/provisionedApplications",
        params={"q": "credentialsByUniqueForeignId", "uniqueForeignId": unique_foreign_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    elements = reply.json()["elements"]
    assert len(elements) == 1
    return elements[0]


def partial_updates(sandbox):
    ledger = sandbox.admin("GET", "ledger", params={"path": "/v2/provisionedApplications/"})
    return [entry for entry in ledger["elements"] if entry["method"] == "POST"]


def test_it_creates_the_application_with_the_origin_and_stores_working_credentials(linkedin):
    integration = provisioning.provision(ORIGIN + "/", partner_of(linkedin))
    created = at_linkedin(linkedin, "acme-test")
    assert created["validJsSdkDomains"] == [ORIGIN]
    assert created["name"] == "hirebridge - acme-test"
    assert integration.client_id == created["credentials"]["clientId"]
    assert integration.client_secret == created["credentials"]["clientSecret"]
    assert created["credentials"]["clientSecret"] not in integration.client_secret_encrypted
    assert enablement.check(integration)


def test_running_it_again_changes_nothing(linkedin):
    first = provisioning.provision(ORIGIN, partner_of(linkedin))
    again = provisioning.provision(ORIGIN, partner_of(linkedin))
    assert (again.pk, again.client_id, again.updated_at) == (
        first.pk,
        first.client_id,
        first.updated_at,
    )
    assert at_linkedin(linkedin, "acme-test")["validJsSdkDomains"] == [ORIGIN]
    assert partial_updates(linkedin) == []
    assert Integration.objects.count() == 1


def test_an_existing_application_is_found_and_keeps_its_other_domains(linkedin):
    seeded = linkedin.tenant["customer_app"]
    before = at_linkedin(linkedin, seeded["unique_foreign_id"])["validJsSdkDomains"]
    assert ORIGIN not in before and OTHER_ORIGIN not in before
    partner = partner_of(linkedin, seeded["unique_foreign_id"])
    integration = provisioning.provision(ORIGIN, partner)
    assert (integration.client_id, integration.client_secret) == (
        seeded["client_id"],
        seeded["client_secret"],
    )
    provisioning.provision(OTHER_ORIGIN, partner)
    after = at_linkedin(linkedin, seeded["unique_foreign_id"])["validJsSdkDomains"]
    assert after == [*before, ORIGIN, OTHER_ORIGIN]
    assert len(partial_updates(linkedin)) == 2


def test_it_keeps_the_contexts_already_stored(linkedin):
    tenant = linkedin.tenant
    app = tenant["customer_app"]
    enablement.configure(
        app["client_id"], app["client_secret"], tenant["organization_id"], [], "trm"
    )
    integration = provisioning.provision(ORIGIN, partner_of(linkedin))
    assert integration.organization_urn == tenant["organization_id"]
    assert integration.client_id != app["client_id"]
    assert integration.token_checked_at is None


def test_refused_partner_credentials_are_a_typed_error_and_store_nothing(linkedin):
    wrong = Partner(linkedin.tenant["partner_app"]["client_id"], "wrong", "acme-test")
    with pytest.raises(AuthError, match="refused the client credentials"):
        provisioning.provision(ORIGIN, wrong)
    assert not Integration.objects.exists()


def test_without_partner_credentials_it_names_the_setting(settings, db):
    settings.LINKEDIN_PARTNER_CLIENT_ID = ""
    with pytest.raises(ConfigurationError) as error:
        provisioning.provision(ORIGIN)
    assert error.value.field == "LINKEDIN_PARTNER_CLIENT_ID"


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("HTTPS://ATS.Example.com:443/", "https://ats.example.com"),
        ("http://localhost:80", "http://localhost"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_an_origin_is_spelled_as_browsers_spell_it(value, origin):
    assert provisioning.web_origin(value) == origin


@pytest.mark.parametrize(
    "value",
    ["ats.example.com", "ftp://ats.example.com", "https://ats.example.com/app", "http://:8"],
)
def test_a_value_that_is_not_an_origin_is_refused(value):
    with pytest.raises(ConfigurationError) as error:
        provisioning.web_origin(value)
    assert error.value.field == "origin"


def test_the_name_stays_within_linkedins_limit():
    assert len(provisioning.application_name("x" * 80)) == provisioning.NAME_MAX_LENGTH


def test_connect_sandbox_registers_the_public_urls_origin(linkedin):
    seeded = linkedin.tenant["customer_app"]
    out = StringIO()
    call_command(
        "connect_sandbox",
        "--sandbox-url",
        linkedin.url,
        "--public-url",
        ORIGIN + "/ats",
        "--no-backfill",
        stdout=out,
    )
    assert f"widgets allowed on {ORIGIN};" in out.getvalue()
    assert ORIGIN in at_linkedin(linkedin, seeded["unique_foreign_id"])["validJsSdkDomains"]
    integration = Integration.objects.get()
    assert (integration.client_id, integration.organization_urn) == (
        seeded["client_id"],
        linkedin.tenant["organization_id"],
    )


def test_the_linkedin_provision_command_uses_the_settings(linkedin, settings):
    partner = linkedin.tenant["partner_app"]
    settings.LINKEDIN_PARTNER_CLIENT_ID = partner["client_id"]
    settings.LINKEDIN_PARTNER_CLIENT_SECRET = partner["client_secret"]
    settings.LINKEDIN_INSTANCE_ID = "acme-cli"
    settings.HIREBRIDGE_PUBLIC_URL = ORIGIN + "/ats"
    out = StringIO()
    call_command("linkedin", "provision", stdout=out)
    assert f"widgets allowed on {ORIGIN}." in out.getvalue()
    assert at_linkedin(linkedin, "acme-cli")["validJsSdkDomains"] == [ORIGIN]
    with pytest.raises(CommandError, match=r"^--origin: expected an origin without a path"):
        call_command("linkedin", "provision", "--origin", ORIGIN + "/ats")
