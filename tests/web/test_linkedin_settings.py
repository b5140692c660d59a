"""Settings → LinkedIn: who may open it and use it, and each action against the sandbox."""

import httpx
import pytest
from django.test import Client, override_settings
from django.urls import get_resolver, reverse

from hirebridge.accounts.roles import Role
from hirebridge.linkedin import enablement
from hirebridge.linkedin.models import Integration, Seat, SeatMapping, SyncCursor, SyncRun
from tests.linkedin.conftest import rsc_sandbox  # noqa: F401 (the sandbox fixture)
from tests.web.test_linkedin_sync_settings import SYNC_VIEWS

ORG = "urn:li:organization:98765001"
EMEA = "urn:li:contract:70001001"
PUBLIC_URL = "http://127.0.0.1:8123"
ALLOWED = {Role.SUPER_ADMIN, Role.ADMIN}

# Every view of the page: (url name, method). A new view without an entry here or in
# SYNC_VIEWS (the sync to LinkedIn's matrix) fails.
VIEWS = {
    "linkedin-settings": "get",
    "linkedin-settings-credentials": "post",
    "linkedin-settings-provision": "post",
    "linkedin-settings-onboarding": "post",
    "linkedin-settings-check": "post",
    "linkedin-settings-register": "post",
    "linkedin-settings-statuses": "post",
    "linkedin-settings-seats": "post",
    "linkedin-settings-map-seat": "post",
}


@pytest.fixture
def seat(db):
    integration = enablement.configure("77abc", "s3cret", ORG, [EMEA], "trm")
    return Seat.objects.create(contract=integration.contracts.get(), urn="urn:li:seat:1")


def url_of(name, seat):
    return reverse(name, args=[seat.pk]) if name.endswith("map-seat") else reverse(name)


def test_every_settings_view_is_in_the_matrix():
    names = {
        name for name in get_resolver().reverse_dict if str(name).startswith("linkedin-settings")
    }
    assert names == set(VIEWS) | set(SYNC_VIEWS)


@pytest.mark.parametrize("role", [*Role, None], ids=[*(r.name for r in Role), "anonymous"])
@pytest.mark.parametrize("name", list(VIEWS))
def test_role_matrix(request, client, personas, seat, role, name):
    if role is not None:
        client.force_login(personas[role])
    if role in ALLOWED and VIEWS[name] == "post":
        # Allowed POSTs call LinkedIn: point the integration at a sandbox.
        tenant = request.getfixturevalue("linkedin").tenant
        app = tenant["customer_app"]
        enablement.configure(app["client_id"], app["client_secret"], ORG, [EMEA], "trm")
    response = getattr(client, VIEWS[name])(url_of(name, seat))
    if role is None:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in ALLOWED:
        assert response.status_code in (200, 302, 400)  # 400: the empty credentials form
        assert response.status_code != 302 or response.url == reverse("linkedin-settings")
    else:
        assert response.status_code == 403
        seat.refresh_from_db()
        assert seat.user is None and seat.mapped_by == ""  # a refused POST changed nothing


@pytest.mark.parametrize("role", list(Role))
def test_the_nav_shows_settings_only_to_those_allowed(client, personas, role):
    client.force_login(personas[role])
    html = client.get(reverse("home"), follow=True).content.decode()
    assert (reverse("linkedin-settings") in html) == (role in ALLOWED)


def test_posts_need_the_csrf_token(alex, seat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alex)
    assert client.post(reverse("linkedin-settings-seats")).status_code == 403


def test_the_page_shows_the_form_before_anything_is_configured(client, alex):
    client.force_login(alex)
    response = client.get(reverse("linkedin-settings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="client_secret"' in html and "Register with LinkedIn" not in html
    assert "Polls LinkedIn every <strong>900 s</strong>" in html


@pytest.fixture
def linkedin(rsc_sandbox):  # noqa: F811 (the imported fixture)
    with override_settings(
        LINKEDIN_API_BASE=rsc_sandbox.url,
        LINKEDIN_OAUTH_BASE=rsc_sandbox.url,
        HIREBRIDGE_PUBLIC_URL=PUBLIC_URL,
    ):
        yield rsc_sandbox


def credentials(tenant, **changes):
    form = {
        "client_id": tenant["customer_app"]["client_id"],
        "client_secret": tenant["customer_app"]["client_secret"],
        "organization_urn": tenant["organization_id"],
        "contract_urns": "\n".join(tenant["contract_ids"]),
        "licence_tier": "trm",
    }
    return form | changes


@pytest.fixture
def admin_client(client, alex):
    client.force_login(alex)
    return client


@pytest.fixture
def configured(db, linkedin, admin_client):
    response = admin_client.post(
        reverse("linkedin-settings-credentials"), credentials(linkedin.tenant)
    )
    assert response.status_code == 302
    return Integration.objects.get()


def test_saving_credentials_stores_them_and_never_shows_the_secret(
    linkedin, admin_client, configured
):
    secret = linkedin.tenant["customer_app"]["client_secret"]
    assert configured.client_secret == secret
    assert (
        list(configured.contracts.values_list("urn", flat=True)) == linkedin.tenant["contract_ids"]
    )
    html = admin_client.get(reverse("linkedin-settings")).content.decode()
    assert "Credentials saved" in html
    assert configured.client_id in html and secret not in html
    # A blank secret keeps the stored one.
    kept = credentials(linkedin.tenant, client_secret="", licence_tier="trm_enterprise")
    assert admin_client.post(reverse("linkedin-settings-credentials"), kept).status_code == 302
    configured.refresh_from_db()
    assert (configured.client_secret, configured.licence_tier) == (secret, "trm_enterprise")


def test_bad_credentials_input_is_shown_inline_without_the_secret(linkedin, admin_client):
    bad = credentials(linkedin.tenant, organization_urn="acme", client_secret="typed-secret")
    response = admin_client.post(reverse("linkedin-settings-credentials"), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "expected urn:li:organization:&lt;number&gt;, got &#x27;acme&#x27;" in html
    assert "typed-secret" not in html
    assert response.context["form"].errors == {
        "organization_urn": ["expected urn:li:organization:<number>, got 'acme'"]
    }
    assert not Integration.objects.exists()


def test_check_credentials_good_and_bad(linkedin, admin_client, configured):
    response = admin_client.post(reverse("linkedin-settings-check"), follow=True)
    assert "LinkedIn accepted the credentials." in response.content.decode()
    wrong = credentials(linkedin.tenant, client_secret="wrong")
    admin_client.post(reverse("linkedin-settings-credentials"), wrong)
    response = admin_client.post(reverse("linkedin-settings-check"))
    assert response.status_code == 502
    assert "refused the client credentials" in response.content.decode()


def test_register_shows_each_integrations_status_and_the_callback_url(
    linkedin, admin_client, configured
):
    response = admin_client.post(reverse("linkedin-settings-register"), follow=True)
    html = response.content.decode()
    callback = f"{PUBLIC_URL}/linkedin/callback/{configured.callback_token}"
    assert httpx.get(f"{linkedin.url}/_sandbox/tenant").json()["callback_url"] == callback
    assert callback in html
    assert html.count('<span class="badge ok">onboarded</span>') == 5
    assert "hirebridge \u2013 Profile Plugin" in html
    linkedin.admin(
        "POST", "actions/disable-integration", json={"integration_type": "PROFILE_PLUGIN"}
    )
    html = admin_client.post(reverse("linkedin-settings-statuses"), follow=True).content.decode()
    assert html.count('<span class="badge ok">onboarded</span>') == 4
    assert html.count('<span class="badge no">not onboarded</span>') == 1


def test_a_refused_registration_is_shown_inline(linkedin, admin_client):
    form = credentials(linkedin.tenant, contract_urns="urn:li:contract:1")
    admin_client.post(reverse("linkedin-settings-credentials"), form)
    response = admin_client.post(reverse("linkedin-settings-register"))
    assert response.status_code == 502
    assert "LinkedIn refused the naming: CSA_API on urn:li:contract:1" in response.content.decode()


def test_refresh_seats_and_map_one_by_hand(linkedin, admin_client, configured, tara):
    response = admin_client.post(reverse("linkedin-settings-seats"), follow=True)
    html = response.content.decode()
    assert "Seats refreshed: 5 new, 0 deactivated, 0 newly mapped, 5 unmapped." in html
    assert html.count('<tr class="unmapped">') == 5
    seat = Seat.objects.order_by("urn").first()
    mapped = admin_client.post(
        reverse("linkedin-settings-map-seat", args=[seat.pk]), {"user": tara.pk}
    )
    assert mapped.status_code == 302
    seat.refresh_from_db()
    assert (seat.user, seat.mapped_by) == (tara, SeatMapping.MANUAL)
    html = admin_client.get(reverse("linkedin-settings")).content.decode()
    assert html.count('<tr class="unmapped">') == 4
    assert f'<option value="{tara.pk}" selected>' in html
    bad = admin_client.post(reverse("linkedin-settings-map-seat", args=[seat.pk]), {"user": "nope"})
    assert bad.status_code == 400
    assert "choose a user from the list" in bad.content.decode()
    admin_client.post(reverse("linkedin-settings-map-seat", args=[seat.pk]), {"user": ""})
    seat.refresh_from_db()
    assert (seat.user, seat.mapped_by) == (None, SeatMapping.MANUAL)


def test_seats_linkedin_refuses_are_named_inline(linkedin, admin_client, configured):
    contract = linkedin.tenant["contract_ids"][1]
    linkedin.admin(
        "POST",
        "actions/disable-integration",
        json={"integration_type": "CSA_API", "integration_context": contract},
    )
    response = admin_client.post(reverse("linkedin-settings-seats"))
    assert response.status_code == 502
    assert f"Not read: {contract}:" in response.content.decode()


def test_the_sync_section_shows_the_interval_and_recent_errors(admin_client, seat, settings):
    settings.LINKEDIN_POLL_SECONDS = 1
    cursor = SyncCursor.objects.create(
        integration=seat.contract.integration,
        stream="conversationEvents:urn:li:seat:1",
        last_error="paused until midnight UTC: daily quota",
    )
    SyncRun.objects.create(
        cursor=cursor, window_start_ms=0, window_end_ms=1, ok=False, error="invalid reply"
    )
    SyncRun.objects.create(cursor=cursor, window_start_ms=1, window_end_ms=2, ok=True)
    html = admin_client.get(reverse("linkedin-settings")).content.decode()
    assert "Polls LinkedIn every <strong>4 s</strong>" in html
    assert "raised to 4 s so that 1 seat(s)" in html
    assert "paused until midnight UTC: daily quota" in html
    assert "invalid reply" in html
