"""Settings → Webhooks: Super Admins list, add, delete and verify hooks; no one else gets in."""

import pytest
from django.urls import reverse

from hirebridge.accounts.roles import Role
from hirebridge.webhooks.models import CreatedVia, Delivery, DeliveryStatus, Webhook
from tests.webhooks.conftest import hook

NOT_SUPER = [Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER]
PAGE = "/settings/webhooks/"


@pytest.fixture
def as_sam(client, sam):
    client.force_login(sam)
    return client


def test_the_page_lists_hooks_with_their_deliveries(as_sam, sam):
    made = hook("candidateHired", "https://93.184.215.14/hired", user=sam, via=CreatedVia.UI)
    Delivery.objects.create(
        webhook=made,
        event=made.event,
        body={},
        status=DeliveryStatus.DEAD,
        attempts=10,
        last_status_code=500,
        last_error="HTTP 500: down",
    )
    api_made = hook("contactCreated", "https://93.184.215.14/contacts")
    page = as_sam.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "https://93.184.215.14/hired" in html
    assert made.signature_token in html
    assert "Gave up" in html and "HTTP 500: down" in html
    assert reverse("webhook-delete", args=[made.pk]) in html
    assert reverse("webhook-delete", args=[api_made.pk]) not in html
    assert "Created through the API" in html
    assert f'href="{PAGE}"' in html, "the nav links to the page"


def test_a_super_admin_adds_a_hook(as_sam, sam):
    response = as_sam.post(
        reverse("webhook-create"),
        {"event": "candidateStageChange", "url": "https://93.184.215.14/x", "origins": ["applied"]},
    )
    assert response.status_code == 302
    made = Webhook.objects.get()
    assert (made.event, made.origins, made.created_via, made.created_by) == (
        "candidateStageChange",
        ["applied"],
        CreatedVia.UI,
        sam,
    )


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"event": "candidateStageChange", "url": "http://10.0.0.1/x"}, "private, loopback"),
        ({"event": "candidateStageChange", "url": "ftp://example.com/x"}, "only http and https"),
        ({"event": "nope", "url": "https://93.184.215.14/x"}, "Select a valid choice"),
        ({"event": "candidateStageChange", "url": ""}, "This field is required"),
    ],
)
def test_bad_input_is_shown_beside_the_form(as_sam, settings, form, error):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = as_sam.post(reverse("webhook-create"), form)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_super_admin_deletes_a_ui_hook_but_not_an_api_one(as_sam):
    ui_made = hook("contactCreated", "https://93.184.215.14/x", via=CreatedVia.UI)
    api_made = hook("contactCreated", "https://93.184.215.14/y", via=CreatedVia.API)
    assert as_sam.post(reverse("webhook-delete", args=[ui_made.pk])).status_code == 302
    refused = as_sam.post(reverse("webhook-delete", args=[api_made.pk]))
    assert refused.status_code == 403
    assert "created in the API and can be changed only there" in refused.content.decode()
    assert list(Webhook.objects.all()) == [api_made]


def test_verify_sends_a_signed_test_now(as_sam, receiver):
    made = hook("candidateHired", receiver.url, via=CreatedVia.UI)
    response = as_sam.post(reverse("webhook-verify", args=[made.pk]), follow=True)
    assert "answered 200: the test was delivered" in response.content.decode()
    [body] = receiver.received
    assert (body["event"], body["data"]) == ("candidateHired", {"verification": True})
    delivery = made.deliveries.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_a_failed_verify_says_why_and_is_not_retried(as_sam, receiver):
    receiver.answers = [500]
    made = hook("candidateHired", receiver.url, via=CreatedVia.UI)
    response = as_sam.post(reverse("webhook-verify", args=[made.pk]), follow=True)
    assert "did not take the test: HTTP 500" in response.content.decode()
    assert made.deliveries.get().status == DeliveryStatus.DEAD


@pytest.mark.parametrize("role", NOT_SUPER)
def test_other_roles_are_refused(client, personas, role):
    made = hook("contactCreated", "https://93.184.215.14/x", via=CreatedVia.UI)
    client.force_login(personas[role])
    home = client.get("/postings/")
    assert f'href="{PAGE}"' not in home.content.decode()
    for response in (
        client.get(PAGE),
        client.post(
            reverse("webhook-create"), {"event": "contactCreated", "url": "https://93.184.215.14/z"}
        ),
        client.post(reverse("webhook-delete", args=[made.pk])),
        client.post(reverse("webhook-verify", args=[made.pk])),
    ):
        assert response.status_code == 403
        assert "Only Super Admins manage webhooks." in response.content.decode()
    assert list(Webhook.objects.all()) == [made]
    assert not made.deliveries.exists()


def test_anonymous_users_go_to_the_login_page(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
