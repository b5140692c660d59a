"""Enablement against the sandbox over real HTTP: credentials, registration, onboarding status."""

import httpx
import pytest
from django.test import override_settings

from hirebridge.linkedin import enablement
from hirebridge.linkedin.client import IntegrationKey
from hirebridge.linkedin.enablement import ConfigurationError, Refused
from hirebridge.linkedin.models import Integration, IntegrationStatus, LicenceTier

ORG = "urn:li:organization:98765001"
EMEA, US = "urn:li:contract:70001001", "urn:li:contract:70001002"
PUBLIC_URL = "http://127.0.0.1:8000"


@pytest.fixture
def linkedin(rsc_sandbox):
    with override_settings(LINKEDIN_API_BASE=rsc_sandbox.url, LINKEDIN_OAUTH_BASE=rsc_sandbox.url):
        yield rsc_sandbox


def configure_from(tenant, *, contracts=None, tier=LicenceTier.TRM, secret=None):
    app = tenant["customer_app"]
    return enablement.configure(
        app["client_id"],
        app["client_secret"] if secret is None else secret,
        tenant["organization_id"],
        tenant["contract_ids"] if contracts is None else contracts,
        tier,
    )


@pytest.fixture
def integration(db, linkedin):
    return configure_from(linkedin.tenant)


def statuses(integration):
    return {
        (s.integration_type, s.context_urn): (s.name, s.onboarded)
        for s in IntegrationStatus.objects.filter(integration=integration)
    }


def configuration(linkedin, integration, key: IntegrationKey, *names):
    """Read configurations back from LinkedIn as any Rest.li client would."""
    with enablement.client_for(integration) as client:
        token = client.token().access_token
    path = "&".join(f"{k}={v}" for k, v in key.fields.items())
    reply = httpx.get(
        f"{linkedin.url}/v2/atsIntegrations/{path}/configurations",
        params=[("ids", name) for name in names],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 200, reply.text
    return {k: v["configurationValue"]["string"] for k, v in reply.json()["results"].items()}


def test_it_stores_credentials_encrypted_and_keeps_the_secret_when_left_blank(db):
    integration = enablement.configure("77abc", "top/secret=", ORG, [EMEA, EMEA, US], "trm")
    assert "top/secret" not in integration.client_secret_encrypted
    assert list(integration.contracts.values_list("urn", flat=True)) == [EMEA, US]
    again = enablement.configure(" 77abc ", "", ORG, [US], "trm_enterprise")
    assert again.pk == integration.pk and Integration.objects.count() == 1
    assert Integration.objects.get().client_secret == "top/secret="
    assert list(again.contracts.values_list("urn", flat=True)) == [US]
    assert again.licence_tier == LicenceTier.TRM_ENTERPRISE
    assert enablement.current() == again


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "s", ORG, [EMEA], "trm"), "client_id"),
        (("id", "", ORG, [EMEA], "trm"), "client_secret"),
        (("id", "s", "urn:li:company:1", [EMEA], "trm"), "organization_urn"),
        (("id", "s", ORG, [EMEA, "urn:li:seat:1"], "trm"), "contract_urns"),
        (("id", "s", ORG, [EMEA], "gold"), "licence_tier"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(db, args, field):
    with pytest.raises(ConfigurationError) as error:
        enablement.configure(*args)
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")
    assert not Integration.objects.exists()


def test_contexts_may_wait_for_the_configuration_plugin_but_registration_needs_them(db):
    integration = enablement.configure("77abc", "s", "", [], "trm")
    assert (integration.organization_urn, integration.contracts.count()) == ("", 0)
    assert enablement.wanted_keys(integration) == []
    with pytest.raises(ConfigurationError) as error:
        enablement.register(integration, PUBLIC_URL)
    assert error.value.field == "organization_urn"
    integration = enablement.set_contexts(integration, ORG, [])
    with pytest.raises(ConfigurationError) as error:
        enablement.refresh_statuses(integration)
    assert error.value.field == "contract_urns"


def test_set_contexts_replaces_the_contracts_and_keeps_the_credentials(db):
    integration = enablement.configure("77abc", "s", ORG, [EMEA], "trm")
    enablement.set_contexts(integration, ORG, [US])
    integration.refresh_from_db()
    assert list(integration.contracts.values_list("urn", flat=True)) == [US]
    assert (integration.client_id, integration.client_secret) == ("77abc", "s")


def test_store_credentials_keeps_the_contexts_and_skips_an_unchanged_write(db):
    integration = enablement.configure("77abc", "s", ORG, [EMEA], "trm")
    same = enablement.store_credentials("77abc", "s")
    assert same.updated_at == integration.updated_at
    moved = enablement.store_credentials("77new", "t")
    assert (moved.pk, moved.client_id, moved.client_secret) == (integration.pk, "77new", "t")
    assert (moved.organization_urn, moved.contracts.count()) == (ORG, 1)


def test_new_credentials_forget_the_last_check(integration):
    assert enablement.check(integration)
    enablement.configure(integration.client_id, "another", ORG, [EMEA], "trm")
    integration.refresh_from_db()
    assert integration.token_checked_at is None and integration.token_error == ""


def test_check_fetches_a_token_with_the_stored_secret(integration):
    assert enablement.check(integration) is True
    integration.refresh_from_db()
    assert integration.token_checked_at is not None
    assert integration.token_error == ""


def test_check_with_a_wrong_secret_stores_linkedins_refusal(linkedin, db):
    integration = configure_from(linkedin.tenant, secret="not-the-secret")
    assert enablement.check(integration) is False
    integration.refresh_from_db()
    assert integration.token_checked_at is not None
    assert "refused the client credentials" in integration.token_error
    assert "not-the-secret" not in integration.token_error


def test_register_names_every_integration_and_sets_the_callback_url(linkedin, integration):
    url = enablement.register(integration, PUBLIC_URL + "/")
    assert url == f"{PUBLIC_URL}/linkedin/callback/{integration.callback_token}"
    tenant = httpx.get(f"{linkedin.url}/_sandbox/tenant").json()
    assert tenant["callback_url"] == url
    dash = "\u2013"
    assert statuses(integration) == {
        ("ONE_CLICK_EXPORT", ORG): (f"hirebridge {dash} One-Click Export", True),
        ("IN_ATS_INDICATOR", ORG): (f"hirebridge {dash} In-ATS Indicator", True),
        ("PROFILE_PLUGIN", ORG): (f"hirebridge {dash} Profile Plugin", True),
        ("CSA_API", EMEA): (f"hirebridge {dash} Recruiter Data (contract 70001001)", True),
        ("CSA_API", US): (f"hirebridge {dash} Recruiter Data (contract 70001002)", True),
    }
    export = IntegrationKey(ORG, "ONE_CLICK_EXPORT")
    assert configuration(linkedin, integration, export, "CALLBACK_URL", "JOB_POSTING_VIEWERS") == {
        "CALLBACK_URL": url,
        "JOB_POSTING_VIEWERS": "ALL_PRODUCT_USERS",
    }
    indicator = IntegrationKey(ORG, "IN_ATS_INDICATOR")
    assert configuration(linkedin, integration, indicator, "APPLICATION_VIEWERS") == {
        "APPLICATION_VIEWERS": "ALL_PRODUCT_USERS"
    }


def test_enterprise_tier_also_names_recommended_matches_and_unified_search(linkedin, db):
    integration = configure_from(linkedin.tenant, tier=LicenceTier.TRM_ENTERPRISE)
    enablement.register(integration, PUBLIC_URL)
    named = statuses(integration)
    assert named[("RECOMMENDED_MATCHES", ORG)][1] is True
    assert named[("UNIFIED_SEARCH", ORG)][0].endswith("Unified Search")
    assert len(named) == 7
    # Back to TRM: the add-ons are no longer this instance's integrations.
    integration = configure_from(linkedin.tenant, tier=LicenceTier.TRM)
    assert ("UNIFIED_SEARCH", ORG) not in statuses(integration)
    enablement.refresh_statuses(integration)
    assert len(statuses(integration)) == 5


def test_a_context_linkedin_refuses_fails_registration_and_stores_no_status(linkedin, db):
    integration = configure_from(linkedin.tenant, contracts=[EMEA, "urn:li:contract:1"])
    with pytest.raises(Refused, match="CSA_API on urn:li:contract:1"):
        enablement.register(integration, PUBLIC_URL)
    assert not IntegrationStatus.objects.exists()


def test_register_refuses_a_public_url_that_is_not_absolute(integration):
    with pytest.raises(ConfigurationError) as error:
        enablement.register(integration, "ats.example.com")
    assert error.value.field == "public_url"


def test_refresh_statuses_sees_an_integration_the_customer_disabled(linkedin, integration):
    enablement.register(integration, PUBLIC_URL)
    linkedin.admin(
        "POST", "actions/disable-integration", json={"integration_type": "PROFILE_PLUGIN"}
    )
    assert statuses(integration)[("PROFILE_PLUGIN", ORG)][1] is True  # not asked yet
    enablement.refresh_statuses(integration)
    onboarded = {key: flag for key, (_, flag) in statuses(integration).items()}
    assert onboarded.pop(("PROFILE_PLUGIN", ORG)) is False
    assert all(onboarded.values())
    assert enablement.is_onboarded(integration)


def test_a_status_change_push_updates_the_integrations_it_names(linkedin, integration):
    enablement.register(integration, PUBLIC_URL)
    change = linkedin.admin(
        "POST", "actions/disable-integration", json={"integration_type": "ONE_CLICK_EXPORT"}
    )
    changed = enablement.apply_status_change(integration, change["request_id"])
    assert [(s.integration_type, s.context_urn, s.onboarded) for s in changed] == [
        ("ONE_CLICK_EXPORT", ORG, False)
    ]
    assert statuses(integration)[("ONE_CLICK_EXPORT", ORG)] == (
        "hirebridge \u2013 One-Click Export",
        False,
    )
    change = linkedin.admin(
        "POST", "actions/enable-integration", json={"integration_type": "ONE_CLICK_EXPORT"}
    )
    enablement.apply_status_change(integration, change["request_id"])
    assert statuses(integration)[("ONE_CLICK_EXPORT", ORG)][1] is True


def test_a_status_change_for_a_context_not_configured_here_is_ignored(linkedin, db):
    integration = configure_from(linkedin.tenant, contracts=[EMEA])
    enablement.register(integration, PUBLIC_URL)
    change = linkedin.admin(
        "POST",
        "actions/disable-integration",
        json={"integration_type": "CSA_API", "integration_context": US},
    )
    assert enablement.apply_status_change(integration, change["request_id"]) == []
    assert ("CSA_API", US) not in statuses(integration)
