"""The configuration plugin: only a Recruiter admin of the organization pre-authorises, and the
ATS learns the organization and contract contexts from onintegrate."""

import json
import re

import pytest

from tests.sandbox.conftest import ORG
from tests.sandbox.widget_pages import ATS, RITA, SOURAV, register_origin, sign_in, widget_url

COMPANY = "RECRUITER_SYSTEM_CONNECT_COMPANY"
CONTRACT = "RECRUITER_SYSTEM_CONNECT_CONTRACT"
SUPPORTED = f"{COMPANY},{CONTRACT},APPLY_WITH_LINKEDIN"
CALLBACK = re.compile(r'<script type="application/json" class="in-callback">(.*?)</script>', re.S)


def callbacks(html: str) -> list[dict]:
    return [json.loads(item) for item in CALLBACK.findall(html)]


@pytest.fixture
def onboarding(tenant):
    register_origin(tenant, ATS)
    return tenant


def page(tenant, supported: str = SUPPORTED):
    return tenant.client.get(widget_url(tenant, "ats-integration", supportedTypes=supported))


def authorize(tenant, *types: str, supported: str = SUPPORTED):
    return tenant.client.post(
        widget_url(tenant, "ats-integration/authorize", supportedTypes=supported),
        data={"type": list(types)},
        follow_redirects=False,
    )


def preauthorizations(tenant) -> list[dict]:
    with tenant.client.app.state.sandbox.db.reading() as conn:
        return [
            dict(row)
            for row in conn.execute(
                "SELECT integration_context, bundled_type, seat_id FROM preauthorizations "
                "ORDER BY bundled_type, integration_context"
            )
        ]


EXPECTED = [
    {"integrationContext": ORG, "bundledIntegrationType": COMPANY, "tenantType": "RECRUITER"},
    {
        "integrationContext": "urn:li:contract:70001001",
        "bundledIntegrationType": CONTRACT,
        "tenantType": "RECRUITER",
    },
    {
        "integrationContext": "urn:li:contract:70001002",
        "bundledIntegrationType": CONTRACT,
        "tenantType": "RECRUITER",
    },
]


def test_it_asks_to_sign_in_first(onboarding):
    reply = onboarding.client.get(
        widget_url(onboarding, "ats-integration", supportedTypes=SUPPORTED),
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/rsc/widgets/sign-in?")


def test_a_seat_that_is_not_an_admin_is_refused(onboarding):
    sign_in(onboarding, SOURAV)
    reply = page(onboarding)
    assert reply.status_code == 403
    assert "Only a Recruiter admin of Acme Robotics can authorize" in reply.text
    assert authorize(onboarding, COMPANY).status_code == 403
    assert preauthorizations(onboarding) == []


def test_an_admin_sees_the_organization_contracts_and_the_types_offered(onboarding):
    sign_in(onboarding, RITA)
    reply = page(onboarding)
    assert reply.status_code == 200
    assert ORG in reply.text and "urn:li:contract:70001002" in reply.text
    assert f'value="{COMPANY}" checked' in reply.text
    assert f'value="{CONTRACT}" checked' in reply.text
    assert 'APPLY_WITH_LINKEDIN</code> <span class="muted">not offered' in reply.text
    assert callbacks(reply.text) == []


def test_authorizing_records_it_and_calls_onintegrate_with_every_context(onboarding):
    sign_in(onboarding, RITA)
    reply = authorize(onboarding, COMPANY, CONTRACT)
    assert reply.status_code == 303
    shown = onboarding.client.get(reply.headers["location"])
    assert "Integrations authorized." in shown.text
    assert callbacks(shown.text) == [{"callback": "onintegrate", "payload": EXPECTED}]
    assert [row["seat_id"] for row in preauthorizations(onboarding)] == [RITA] * 3


def test_authorizing_again_changes_nothing(onboarding):
    sign_in(onboarding, RITA)
    authorize(onboarding, COMPANY, CONTRACT)
    before = preauthorizations(onboarding)
    again = onboarding.client.get(authorize(onboarding, COMPANY, CONTRACT).headers["location"])
    assert preauthorizations(onboarding) == before
    assert callbacks(again.text) == [{"callback": "onintegrate", "payload": EXPECTED}]


def test_only_the_chosen_types_are_authorized(onboarding):
    sign_in(onboarding, RITA)
    shown = onboarding.client.get(authorize(onboarding, COMPANY).headers["location"])
    assert callbacks(shown.text) == [{"callback": "onintegrate", "payload": EXPECTED[:1]}]


@pytest.mark.parametrize("supported", [f"{COMPANY},NOPE", ""])
def test_bad_supported_types_are_a_400_naming_the_parameter(onboarding, supported):
    sign_in(onboarding, RITA)
    reply = page(onboarding, supported)
    assert reply.status_code == 400
    assert "supportedTypes" in reply.text


@pytest.mark.parametrize("types", [(), ("APPLY_WITH_LINKEDIN",), (CONTRACT,)])
def test_authorizing_nothing_or_what_was_not_offered_is_a_400(onboarding, types):
    sign_in(onboarding, RITA)
    reply = authorize(onboarding, *types, supported=f"{COMPANY},APPLY_WITH_LINKEDIN")
    assert reply.status_code == 400
    assert "type:" in reply.text
    assert preauthorizations(onboarding) == []
