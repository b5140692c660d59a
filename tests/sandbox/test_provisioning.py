"""provisionedApplications: the partner creates, updates and finds its customers' child apps."""

import json
from urllib.parse import quote

import pytest

JSON = {"Content-Type": "application/json"}


def app_body(**changes) -> dict:
    return {
        "description": "TEST APP FOR Globex",
        "name": "hirebridge - Globex",
        "uniqueForeignId": "globex-1",
        "oauth2AuthorizedCallbackUrls": ["https://app.getpostman.com/oauth2/callback"],
        "validJsSdkDomains": ["http://localhost:5000"],
        **changes,
    }


def create(tenant, body=None, headers=None):
    return tenant.client.post(
        "/v2/provisionedApplications",
        json=body or app_body(),
        headers={**tenant.auth("partner_app"), **(headers or {})},
    )


def find(tenant, unique_foreign_id="globex-1"):
    return tenant.client.get(
        "/v2/provisionedApplications?q=credentialsByUniqueForeignId"
        f"&uniqueForeignId={unique_foreign_id}",
        headers=tenant.auth("partner_app"),
    )


def test_it_creates_a_child_app_whose_credentials_get_a_token(tenant):
    reply = create(tenant)
    assert reply.status_code == 201, reply.text
    app = reply.json()
    assert app["key"].startswith("urn:li:developerApplication:")
    assert reply.headers["X-RestLi-Id"] == app["key"]
    assert app["uniqueForeignId"] == "globex-1"
    assert app["validJsSdkDomains"] == ["http://localhost:5000"]
    credentials = app["credentials"]
    token = tenant.client.post(
        "/oauth/v2/accessToken",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["clientId"],
            "client_secret": credentials["clientSecret"],
        },
    )
    assert token.status_code == 200


def test_a_duplicate_unique_foreign_id_is_a_conflict(tenant):
    assert create(tenant).status_code == 201
    again = create(tenant, app_body(name="hirebridge - Globex again"))
    assert again.status_code == 409
    assert "credentialsByUniqueForeignId" in again.json()["message"]


def test_the_finder_returns_the_app_with_its_credentials(tenant):
    created = create(tenant).json()
    found = find(tenant).json()
    assert found["elements"] == [created]
    assert find(tenant, "nobody").json()["elements"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "x" * 51}, "name"),
        ({"name": "Globex LinkedIn app"}, "name"),
        ({"name": ""}, "name"),
        ({"uniqueForeignId": None}, "uniqueForeignId"),
        ({"validJsSdkDomains": ["http://localhost:5000/"]}, "validJsSdkDomains[0]"),
        ({"validJsSdkDomains": ["localhost:5000"]}, "validJsSdkDomains[0]"),
        ({"oauth2AuthorizedCallbackUrls": "https://x.example"}, "oauth2AuthorizedCallbackUrls"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_it_refuses_bad_fields_naming_them(tenant, changes, field):
    reply = create(tenant, app_body(**changes))
    assert reply.status_code == 400
    assert field in reply.json()["message"]


def test_create_needs_a_json_content_type(tenant):
    reply = tenant.client.post(
        "/v2/provisionedApplications",
        content=b'{"name": "x", "uniqueForeignId": "y"}',
        headers={**tenant.auth("partner_app"), "Content-Type": "text/plain"},
    )
    assert reply.status_code == 400
    assert "Content-Type" in reply.json()["message"]


@pytest.mark.parametrize("encode", [False, True])
def test_it_updates_js_domains_by_the_key_in_the_path(tenant, encode):
    key = create(tenant).json()["key"]
    path_key = quote(key, safe="") if encode else key
    patch = {"patch": {"$set": {"validJsSdkDomains": ["http://localhost:8000"]}}}
    reply = tenant.client.post(
        f"/v2/provisionedApplications/{path_key}",
        content=json.dumps(patch),
        headers=tenant.auth("partner_app"),  # as Postman sends it: no x-restli-method
    )
    assert reply.status_code == 204, reply.text
    assert find(tenant).json()["elements"][0]["validJsSdkDomains"] == ["http://localhost:8000"]


def test_it_updates_oauth_callback_urls(tenant):
    key = create(tenant).json()["key"]
    urls = ["https://ats.example.com/oauth/callback"]
    reply = tenant.client.post(
        f"/v2/provisionedApplications/{key}",
        json={"patch": {"$set": {"oauth2AuthorizedCallbackUrls": urls}}},
        headers=tenant.auth("partner_app"),
    )
    assert reply.status_code == 204
    assert find(tenant).json()["elements"][0]["oauth2AuthorizedCallbackUrls"] == urls


def test_partial_update_refuses_other_fields_and_unknown_keys(tenant):
    key = create(tenant).json()["key"]
    name = tenant.client.post(
        f"/v2/provisionedApplications/{key}",
        json={"patch": {"$set": {"name": "renamed"}}},
        headers=tenant.auth("partner_app"),
    )
    assert name.status_code == 400 and "name" in name.json()["message"]
    unknown = tenant.client.post(
        "/v2/provisionedApplications/urn:li:developerApplication:1",
        json={"patch": {"$set": {"validJsSdkDomains": []}}},
        headers=tenant.auth("partner_app"),
    )
    assert unknown.status_code == 404


def test_child_tokens_are_refused(tenant):
    reply = tenant.client.post(
        "/v2/provisionedApplications", json=app_body(), headers=tenant.auth()
    )
    assert reply.status_code == 403
    assert (
        tenant.client.get(
            "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=x",
            headers=tenant.auth(),
        ).status_code
        == 403
    )
