"""/v1/webhooks: Super Admins only; API-made hooks change only through the API."""

import json

import pytest

from hirebridge.accounts.roles import Role
from hirebridge.webhooks.models import CreatedVia, Webhook
from tests.webhooks.conftest import hook

URL = "https://93.184.215.14/hooks"
NOT_SUPER = [Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER]


@pytest.fixture
def sams(api_client, sam):
    return api_client(sam)


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def put(client, path, body):
    return client.put(path, json.dumps(body), content_type="application/json")


def test_a_super_admin_creates_a_hook_with_its_own_token(sams):
    body = {
        "url": URL,
        "event": "candidateStageChange",
        "configuration": {"conditions": {"origins": ["sourced", "applied"]}},
    }
    response = post(sams, "/v1/webhooks", body)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    stored = Webhook.objects.get(pk=data["id"])
    assert data == {
        "id": str(stored.pk),
        "event": "candidateStageChange",
        "url": URL,
        "configuration": {
            "conditions": {"origins": ["applied", "sourced"]},
            "signatureToken": stored.signature_token,
        },
        "createdVia": "api",
        "createdAt": int(stored.created_at.timestamp() * 1000),
    }
    assert stored.created_via == CreatedVia.API
    other = post(sams, "/v1/webhooks", {"url": URL, "event": "contactCreated"}).json()["data"]
    assert other["configuration"]["signatureToken"] != data["configuration"]["signatureToken"]


def test_list_update_and_delete(sams, sam):
    made = hook("contactCreated", URL, user=sam)
    listed = sams.get("/v1/webhooks")
    assert listed.status_code == 200
    assert [h["id"] for h in listed.json()["data"]] == [str(made.pk)]
    assert listed.json()["hasNext"] is False

    changed = put(
        sams,
        f"/v1/webhooks/{made.pk}",
        {"event": "contactUpdated", "configuration": {"conditions": {"origins": ["referred"]}}},
    )
    assert changed.status_code == 200
    made.refresh_from_db()
    assert (made.event, made.url, made.origins) == ("contactUpdated", URL, ["referred"])

    gone = sams.delete(f"/v1/webhooks/{made.pk}")
    assert gone.status_code == 204
    assert not Webhook.objects.exists()
    assert sams.delete(f"/v1/webhooks/{made.pk}").json() == {
        "code": "ResourceNotFound",
        "message": "Webhook was not found",
    }


def test_the_list_pages(sams):
    for _ in range(3):
        hook("contactCreated", URL)
    first = sams.get("/v1/webhooks?limit=2").json()
    assert (len(first["data"]), first["hasNext"]) == (2, True)
    rest = sams.get(f"/v1/webhooks?limit=2&offset={first['next']}").json()
    assert (len(rest["data"]), rest["hasNext"]) == (1, False)


@pytest.mark.parametrize("role", NOT_SUPER)
def test_other_roles_are_refused_everything(api_client, personas, role):
    client = api_client(personas[role])
    made = hook("contactCreated", URL)
    refused = {
        "code": "ForbiddenError",
        "message": "Only a Super Admin's API key may manage webhooks",
    }
    for response in (
        client.get("/v1/webhooks"),
        post(client, "/v1/webhooks", {"url": URL, "event": "contactCreated"}),
        put(client, f"/v1/webhooks/{made.pk}", {"url": URL}),
        client.delete(f"/v1/webhooks/{made.pk}"),
    ):
        assert response.status_code == 403
        assert response.json() == refused
    assert Webhook.objects.get().url == URL


def test_no_key_is_401(db, client):
    response = client.get("/v1/webhooks")
    assert response.status_code == 401
    assert response.json()["code"] == "UnauthorizedError"


def test_hooks_made_in_the_settings_page_change_only_there(sams):
    made = hook("contactCreated", URL, via=CreatedVia.UI)
    for response in (
        put(sams, f"/v1/webhooks/{made.pk}", {"url": "https://93.184.215.15/x"}),
        sams.delete(f"/v1/webhooks/{made.pk}"),
    ):
        assert response.status_code == 403
        assert response.json() == {
            "code": "ForbiddenError",
            "message": "This webhook was created in Settings → Webhooks and can be changed "
            "only there.",
        }
    assert Webhook.objects.get().url == URL


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"event": "contactCreated"}, "Invalid value at /url: required"),
        ({"url": URL}, "Invalid value at /event: required"),
        ({"url": URL, "event": "offerCreated"}, "event: 'offerCreated' is not one of"),
        ({"url": "ftp://example.com/x", "event": "contactCreated"}, "only http and https"),
        ({"url": "http://169.254.169.254/", "event": "contactCreated"}, "private, loopback"),
        (
            {
                "url": URL,
                "event": "contactCreated",
                "configuration": {"conditions": {"origins": ["linkedin"]}},
            },
            "at /configuration/conditions/origins",
        ),
        ({"url": URL, "event": 5}, "Invalid value at /event"),
    ],
)
def test_bad_input_is_400_naming_the_field(sams, body, message):
    response = post(sams, "/v1/webhooks", body)
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequestError"
    assert message in response.json()["message"]
    assert not Webhook.objects.exists()


def test_an_unsafe_url_is_refused_on_update_too(sams):
    made = hook("contactCreated", URL)
    response = put(sams, f"/v1/webhooks/{made.pk}", {"url": "http://127.0.0.1:8000/"})
    assert response.status_code == 400
    assert "at /url" in response.json()["message"]
    made.refresh_from_db()
    assert made.url == URL


def test_an_unknown_or_malformed_id_is_404(sams):
    for path in ("/v1/webhooks/not-a-uuid", "/v1/webhooks/6f1c0e4e-0000-4000-8000-000000000000"):
        response = put(sams, path, {"url": URL})
        assert response.status_code == 404
        assert response.json()["code"] == "ResourceNotFound"
