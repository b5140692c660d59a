"""Onboarding with LinkedIn's configuration plugin, in Chromium: an admin registers the site,
a Recruiter admin authorizes the integrations inside the widget, and hirebridge stores the
organization and contracts LinkedIn reported. A page on an origin LinkedIn does not know shows
the SDK's refusal, never a blank box."""

import pytest
from playwright.sync_api import expect

from hirebridge.linkedin import enablement
from tests.browser.linkedin import sign_in_to_widget, widget

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]


def admin_seat_holder(tenant) -> str:
    return next(seat["name"] for seat in tenant["seats"] if seat["admin"])


def test_an_admin_onboards_through_the_configuration_plugin(wired, alex, log_in):
    page = log_in(alex)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Register this site with LinkedIn").click()
    expect(page.get_by_role("status")).to_contain_text("is registered with LinkedIn")
    integration = enablement.current()
    assert integration is not None
    assert integration.client_id == wired.tenant["customer_app"]["client_id"]
    assert not integration.organization_urn

    onboarding = page.locator("#onboarding")
    frame = sign_in_to_widget(page, admin_seat_holder(wired.tenant))
    frame.get_by_role("button", name="Authorize").click()
    organization, contracts = wired.tenant["organization_id"], wired.tenant["contract_ids"]
    expect(page.locator("#linkedin-widget-status")).to_contain_text(
        f"Connected {organization} and {len(contracts)} contracts"
    )
    expect(onboarding.get_by_text(f"Organization {organization}")).to_be_visible()
    for contract in contracts:
        expect(onboarding.get_by_text(contract)).to_be_visible()
    integration.refresh_from_db()
    assert integration.organization_urn == organization
    assert sorted(integration.contracts.values_list("urn", flat=True)) == sorted(contracts)
    assert integration.statuses.exists()
    expect(widget(page).get_by_text("Authorized").first).to_be_visible()


def test_a_page_on_an_origin_linkedin_does_not_know_shows_the_refusal(wired, alex, log_in, ats_url):
    page = log_in(alex)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Register this site with LinkedIn").click()
    expect(page.get_by_role("status")).to_contain_text("is registered with LinkedIn")

    elsewhere = ats_url.replace("//127.0.0.1:", "//localhost:")
    assert elsewhere.startswith("http://localhost:")
    page = log_in(alex, base=elsewhere)
    page.goto(f"{elsewhere}/settings/integrations/linkedin/")
    refused = page.locator("#onboarding .IN-widget-refused")
    expect(refused).to_have_attribute("role", "alert")
    expect(refused).to_contain_text(f"LinkedIn: The origin {elsewhere} is not in validJsSdkDomains")
    expect(page.locator("iframe.IN-widget")).to_have_count(0)


def test_a_team_member_is_told_only_admins_onboard(wired, tara, log_in, ats_url):
    page = log_in(tara)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.goto(f"{ats_url}/settings/integrations/linkedin/")
    expect(
        page.get_by_text("Only Admins and Super Admins manage the LinkedIn integration.")
    ).to_be_visible()
    expect(page.locator("iframe.IN-widget")).to_have_count(0)
