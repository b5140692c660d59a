"""LinkedIn's widgets in hirebridge: the settings page's site registration and configuration
plugin, the endpoint its report is posted to, and the Unified Search, Recommended Matches and
profile plugin tags with who may see them."""

import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hirebridge.accounts.roles import Role
from hirebridge.linkedin import enablement
from hirebridge.linkedin.models import (
    Integration,
    IntegrationStatus,
    IntegrationType,
    OutboxKind,
    Seat,
    SyncedRecord,
)
from hirebridge.web import linkedin_sdk
from tests.factories import PostingFactory, candidate
from tests.linkedin.conftest import rsc_sandbox  # noqa: F401 (the sandbox fixture)

ORG = "urn:li:organization:98765001"
EMEA = "urn:li:contract:70001001"
PLATFORM = "https://platform.example.test"
PUBLIC_URL = "http://127.0.0.1:8123"
COMPANY = "RECRUITER_SYSTEM_CONNECT_COMPANY"
CONTRACT = "RECRUITER_SYSTEM_CONNECT_CONTRACT"


def tag(html, kind):
    """The attributes of the one <script type="IN/{kind}"> tag in the page."""
    found = re.findall(rf'<script type="IN/{kind}"([^>]*)>', html)
    assert len(found) == 1, f"{len(found)} IN/{kind} tags"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', found[0]))


def loader_text(html):
    match = re.search(r'<script src="([^"]+/xdoor/scripts/in\.js)">\s*(.*?)</script>', html, re.S)
    return (match.group(1), " ".join(match.group(2).split())) if match else None


@pytest.fixture(autouse=True)
def platform(settings):
    settings.LINKEDIN_PLATFORM_BASE = PLATFORM + "/"


@pytest.fixture
def integration(db):
    return enablement.configure("77widgets", "s3cret", ORG, [EMEA], "trm_enterprise")


def onboard(integration, *kinds):
    for kind in kinds:
        IntegrationStatus.objects.update_or_create(
            integration=integration,
            integration_type=kind,
            context_urn=ORG,
            defaults={"onboarded": True, "checked_at": timezone.now()},
        )


@pytest.fixture
def ready(integration, tara):
    """Everything in place for Tara: Enterprise, both widgets enabled, a seat of hers."""
    onboard(integration, IntegrationType.UNIFIED_SEARCH, IntegrationType.RECOMMENDED_MATCHES)
    Seat.objects.create(contract=integration.contracts.get(), urn="urn:li:seat:1", user=tara)
    return integration


def synced(posting):
    SyncedRecord.objects.create(kind=OutboxKind.JOB, entity_id=str(posting.id), digest="d")
    return posting


# The settings page


def test_the_settings_page_names_the_origin_and_the_setting_without_partner_credentials(
    client, alex, settings
):
    settings.LINKEDIN_PARTNER_CLIENT_ID = ""
    client.force_login(alex)
    html = client.get(reverse("linkedin-settings")).content.decode()
    assert '<code id="site-origin">http://testserver</code>' in html
    assert "Register this site with LinkedIn" not in html
    assert "LINKEDIN_PARTNER_CLIENT_ID" in html
    assert "in.js" not in html  # no client id stored: no SDK
    assert "<h2>Onboard with LinkedIn</h2>" not in html


def test_the_configuration_plugin_loads_with_the_stored_client_id(client, alex, integration):
    client.force_login(alex)
    html = client.get(reverse("linkedin-settings")).content.decode()
    assert "<h2>Onboard with LinkedIn</h2>" in html
    assert tag(html, "ATSIntegrationWidget") == {
        "data-supported-bundled-integration-types": f"{COMPANY},{CONTRACT}",
        "data-onintegrate": "hirebridgeIntegrationRequest",
        "data-width": "500",
    }
    script, text = loader_text(html)
    assert script == f"{PLATFORM}/xdoor/scripts/in.js"
    assert text == (
        "api_key: 77widgets extensions: "
        f"ATSIntegrationWidget@{PLATFORM}/rsc/extensions/onboarding-widget"
    )
    assert 'data-onboarding-url="/settings/integrations/linkedin/onboarding"' in html


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER])
def test_other_roles_cannot_open_the_settings_page(client, personas, integration, role):
    client.force_login(personas[role])
    assert client.get(reverse("linkedin-settings")).status_code == 403


@pytest.fixture
def linkedin(rsc_sandbox):  # noqa: F811 (the imported fixture)
    with override_settings(
        LINKEDIN_API_BASE=rsc_sandbox.url,
        LINKEDIN_OAUTH_BASE=rsc_sandbox.url,
        HIREBRIDGE_PUBLIC_URL=PUBLIC_URL,
    ):
        yield rsc_sandbox


def test_register_this_site_provisions_the_request_origin(linkedin, client, alex, settings):
    partner = linkedin.tenant["partner_app"]
    settings.LINKEDIN_PARTNER_CLIENT_ID = partner["client_id"]
    settings.LINKEDIN_PARTNER_CLIENT_SECRET = partner["client_secret"]
    settings.LINKEDIN_INSTANCE_ID = linkedin.tenant["customer_app"]["unique_foreign_id"]
    settings.ALLOWED_HOSTS = ["ats.example.com"]
    client.force_login(alex)
    page = client.get(reverse("linkedin-settings"), HTTP_HOST="ats.example.com").content
    assert "Register this site with LinkedIn" in page.decode()
    response = client.post(
        reverse("linkedin-settings-provision"), HTTP_HOST="ats.example.com", follow=True
    )
    assert "http://ats.example.com is registered with LinkedIn" in response.content.decode()
    assert Integration.objects.get().client_id == linkedin.tenant["customer_app"]["client_id"]


def test_a_refused_registration_of_the_site_is_shown_inline(linkedin, client, alex, settings):
    settings.LINKEDIN_PARTNER_CLIENT_ID = linkedin.tenant["partner_app"]["client_id"]
    settings.LINKEDIN_PARTNER_CLIENT_SECRET = "wrong"
    client.force_login(alex)
    response = client.post(reverse("linkedin-settings-provision"))
    assert response.status_code == 502
    assert "refused the client credentials" in response.content.decode()
    assert not Integration.objects.exists()


# The configuration plugin's report


def report(org=ORG, contracts=(EMEA,)):
    items = [
        {"integrationContext": org, "bundledIntegrationType": COMPANY, "tenantType": "RECRUITER"}
    ]
    items += [
        {"integrationContext": urn, "bundledIntegrationType": CONTRACT, "tenantType": "RECRUITER"}
        for urn in contracts
    ]
    return items


def post_report(client, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        reverse("linkedin-settings-onboarding"), raw, content_type="application/json"
    )


def test_a_good_report_stores_the_contexts_and_registers_with_linkedin(linkedin, client, alex):
    tenant = linkedin.tenant
    app = tenant["customer_app"]
    enablement.configure(app["client_id"], app["client_secret"], "", [], "trm")
    client.force_login(alex)
    response = post_report(client, report(tenant["organization_id"], tenant["contract_ids"]))
    assert response.status_code == 200, response.content
    reply = response.json()
    assert (reply["organization"], reply["contracts"]) == (
        tenant["organization_id"],
        tenant["contract_ids"],
    )
    integration = Integration.objects.get()
    assert integration.organization_urn == tenant["organization_id"]
    assert list(integration.contracts.values_list("urn", flat=True)) == tenant["contract_ids"]
    named = {(s.integration_type, s.context_urn): s.name for s in integration.statuses.all()}
    # LinkedIn answered with the names hirebridge gave: the integrations are registered.
    assert named[("ONE_CLICK_EXPORT", tenant["organization_id"])] == (
        "hirebridge \u2013 One-Click Export"
    )
    assert len(named) == 3 + len(tenant["contract_ids"])
    assert reply["callbackUrl"].startswith(PUBLIC_URL + "/linkedin/callback/")


def test_contracts_left_out_of_a_report_are_removed(linkedin, client, alex):
    tenant = linkedin.tenant
    app = tenant["customer_app"]
    enablement.configure(app["client_id"], app["client_secret"], ORG, ["urn:li:contract:1"], "trm")
    client.force_login(alex)
    response = post_report(client, report(tenant["organization_id"], tenant["contract_ids"][:1]))
    assert response.status_code == 200, response.content
    assert list(Integration.objects.get().contracts.values_list("urn", flat=True)) == [
        tenant["contract_ids"][0]
    ]


def test_linkedin_refusing_the_registration_is_a_502_and_the_contexts_stay(linkedin, client, alex):
    app = linkedin.tenant["customer_app"]
    enablement.configure(app["client_id"], app["client_secret"], "", [], "trm")
    client.force_login(alex)
    unknown = "urn:li:contract:1"
    response = post_report(client, report(linkedin.tenant["organization_id"], [unknown]))
    assert response.status_code == 502
    assert f"CSA_API on {unknown}" in response.json()["error"]
    integration = Integration.objects.get()
    assert integration.organization_urn == linkedin.tenant["organization_id"]
    assert list(integration.contracts.values_list("urn", flat=True)) == [unknown]


ORG_ITEM = report()[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "body"),
        ({"integrationContext": ORG}, "body"),
        ([], "body"),
        ([ORG_ITEM] * 51, "body"),
        ([ORG_ITEM, "urn:li:contract:1"], "[1]"),
        ([ORG_ITEM | {"bundledIntegrationType": "EVERYTHING"}], "[0].bundledIntegrationType"),
        ([ORG_ITEM | {"tenantType": "HIRING"}], "[0].tenantType"),
        ([{k: v for k, v in ORG_ITEM.items() if k != "tenantType"}], "[0].tenantType"),
        ([ORG_ITEM | {"integrationContext": "urn:li:company:1"}], "[0].integrationContext"),
        ([ORG_ITEM | {"integrationContext": 98765001}], "[0].integrationContext"),
        ([ORG_ITEM | {"integrationContext": EMEA}], "[0].integrationContext"),
        (report(contracts=[ORG]), "[1].integrationContext"),
        (report()[1:], "integrationContext"),
        (report() + report(org="urn:li:organization:2", contracts=()), "integrationContext"),
    ],
)
def test_bad_reports_are_400_naming_the_field_and_store_nothing(
    client, alex, integration, body, field
):
    client.force_login(alex)
    response = post_report(client, body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["error"].startswith(f"{field}: ")
    integration.refresh_from_db()
    assert integration.organization_urn == ORG
    assert list(integration.contracts.values_list("urn", flat=True)) == [EMEA]


def test_a_report_before_any_credentials_names_the_client_id(client, alex):
    client.force_login(alex)
    response = post_report(client, report())
    assert (response.status_code, response.json()["field"]) == (400, "client_id")


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER])
def test_only_admins_may_post_a_report(client, personas, integration, role):
    client.force_login(personas[role])
    assert post_report(client, report(contracts=["urn:li:contract:9"])).status_code == 403
    assert list(integration.contracts.values_list("urn", flat=True)) == [EMEA]


def test_the_report_endpoint_is_post_only_and_needs_the_csrf_token(alex, integration):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alex)
    assert client.get(reverse("linkedin-settings-onboarding")).status_code == 405
    assert post_report(client, report()).status_code == 403


# Unified Search


def test_unified_search_shows_the_widget_when_everything_is_in_place(client, tara, ready):
    client.force_login(tara)
    response = client.get(reverse("linkedin-search"))
    html = response.content.decode()
    assert response.status_code == 200
    assert tag(html, "UnifiedSearchWidget") == {
        "data-integration-context": ORG,
        "data-onsave": "hirebridgeSavedToJob",
        "data-oninmail": "hirebridgeInmailSent",
        "data-width": "100%",
    }
    assert loader_text(html) == (
        f"{PLATFORM}/xdoor/scripts/in.js",
        "api_key: 77widgets extensions: "
        f"UnifiedSearchWidget@{PLATFORM}/rsc/extensions/unified-search-widget",
    )
    assert 'id="linkedin-widget-status"' in html


def test_the_candidate_search_bar_links_to_unified_search(client, tara):
    client.force_login(tara)
    html = client.get(reverse("candidates")).content.decode()
    assert f'href="{reverse("linkedin-search")}">LinkedIn Unified Search</a>' in html


def gated(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "in.js" not in html and '<script type="IN/' not in html
    return response.context["reason"]


@pytest.mark.parametrize("url_name", ["linkedin-search", "recommendations"])
def test_each_reason_a_widget_is_not_shown(client, ivy, tara, integration, url_name):
    url = reverse(url_name)
    assert gated(client, ivy, url) == (
        "Your role does not include the LinkedIn Recruiter features."
    )
    onboard(integration, IntegrationType.ONE_CLICK_EXPORT)
    assert gated(client, tara, url).startswith("No LinkedIn Recruiter seat is mapped to you")
    Seat.objects.create(contract=integration.contracts.get(), urn="urn:li:seat:1", user=tara)
    feature = "Unified Search" if url_name == "linkedin-search" else "Recommended Matches"
    assert gated(client, tara, url).startswith(f"{feature} is not enabled in Recruiter for {ORG}")
    integration.licence_tier = "trm"
    integration.save()
    onboard(integration, IntegrationType.UNIFIED_SEARCH, IntegrationType.RECOMMENDED_MATCHES)
    assert gated(client, tara, url) == (
        f"{feature} comes with LeverTRM for Enterprise; this installation is licensed for LeverTRM."
    )


def test_without_any_integration_the_pages_say_linkedin_is_not_set_up(client, tara, db):
    assert gated(client, tara, reverse("linkedin-search")).startswith(
        "LinkedIn Recruiter is not set up yet"
    )


def test_the_widget_pages_need_a_login(client, db):
    for name in ("linkedin-search", "recommendations"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# Recommendations


@pytest.fixture
def postings(alex, lee):
    """Postings in every state that matters for the dropdown."""
    return {
        "listed": synced(PostingFactory(title="Backend Engineer", location="Berlin, Germany")),
        "unsynced": PostingFactory(title="Designer", location="Paris, France"),
        "no-location": synced(PostingFactory(title="Writer", location="")),
        "refused": SyncedRecord.objects.create(
            kind=OutboxKind.JOB,
            entity_id=str(PostingFactory(title="Refused", location="Rome, Italy").id),
            digest="",
        ),
        "confidential": synced(
            PostingFactory(title="Secret Lead", location="Oslo, Norway", confidential=True)
        ),
        "lees": synced(
            PostingFactory(title="Hardware Lead", location="Munich, Germany", hiring_manager=lee)
        ),
    }


def choices(html):
    return re.findall(r'<option value="([0-9a-f-]+)"[^>]*>([^<]*)</option>', html)


def test_the_dropdown_lists_synced_postings_with_title_and_location_the_user_may_see(
    client, tara, ready, postings
):
    client.force_login(tara)
    html = client.get(reverse("recommendations")).content.decode()
    assert "LinkedIn Recommended Matches" in html
    assert [title for _, title in choices(html)] == [
        "Backend Engineer · Berlin, Germany",
        "Hardware Lead · Munich, Germany",
    ]
    assert "in.js" not in html  # no posting chosen yet


def test_a_limited_team_member_sees_only_their_postings(client, lee, ready, postings):
    Seat.objects.filter(urn="urn:li:seat:1").update(user=lee)
    client.force_login(lee)
    html = client.get(reverse("recommendations")).content.decode()
    assert [title for _, title in choices(html)] == ["Hardware Lead · Munich, Germany"]
    hidden = client.get(reverse("recommendations"), {"posting": postings["listed"].id})
    assert hidden.status_code == 404
    assert "in.js" not in hidden.content.decode()


def test_choosing_a_posting_renders_the_widget_for_it(client, tara, ready, postings):
    client.force_login(tara)
    posting = postings["listed"]
    response = client.get(reverse("recommendations"), {"posting": posting.id})
    html = response.content.decode()
    assert response.status_code == 200
    assert tag(html, "RecommendedMatchesWidget") == {
        "data-job-id": str(posting.id),
        "data-integration-context": ORG,
        "data-onsave": "hirebridgeSavedToJob",
        "data-oninmail": "hirebridgeInmailSent",
        "data-width": "100%",
    }
    assert f'<option value="{posting.id}" selected>' in html
    assert loader_text(html)[1].endswith(
        f"RecommendedMatchesWidget@{PLATFORM}/rsc/extensions/recommended-matches-widget"
    )
    titles = re.search(r'id="hirebridge-posting-titles"[^>]*>(.*?)</script>', html).group(1)
    assert json.loads(titles)[str(posting.id)] == "Backend Engineer"


@pytest.mark.parametrize("which", ["unsynced", "no-location", "refused", "confidential", "bogus"])
def test_a_posting_that_cannot_be_shown_is_404_with_the_reason(
    client, tara, ready, postings, which
):
    chosen = postings.get(which)
    posting_id = "not-a-uuid" if chosen is None else getattr(chosen, "entity_id", None)
    posting_id = posting_id or chosen.id
    client.force_login(tara)
    response = client.get(reverse("recommendations"), {"posting": posting_id})
    assert response.status_code == 404
    html = response.content.decode()
    assert "posting: no posting you can see is synced to LinkedIn" in html
    assert "in.js" not in html


def test_the_nav_links_to_recommendations(client, tara):
    client.force_login(tara)
    html = client.get(reverse("candidates")).content.decode()
    assert f'href="{reverse("recommendations")}"' in html


# The profile plugin


def test_the_profile_plugin_tag_carries_the_candidate_and_the_organization(alex, integration):
    person = candidate(alex)
    html = render_to_string(
        "web/linkedin/profile_plugin.html",
        {
            "candidate": person,
            "integration": integration,
            "sdk": linkedin_sdk.loader(integration, "HcmWidget"),
        },
    )
    assert tag(html, "HcmWidget") == {
        "data-widget-type": "ATS",
        "data-ats-candidate-id": str(person.id),
        "data-integration-context": ORG,
        "data-show-unlink-url": "true",
        "data-confirm-unlink": "true",
        "data-onlink": "hirebridgeProfileLinked",
        "data-onunlink": "hirebridgeProfileUnlinked",
        "data-width": "800",
    }
    assert loader_text(html)[1].endswith(f"HcmWidget@{PLATFORM}/rsc/extensions/profile-widget")
