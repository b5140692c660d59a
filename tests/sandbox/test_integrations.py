"""atsIntegrations and their configurations, as LinkedIn's Postman collection drives them."""

import pytest

from sandbox import state
from tests.sandbox.conftest import ORG

CONTRACT = "urn:li:contract:70001001"
PARTIAL = {"X-RestLi-Method": "batch_partial_update"}
UPDATE = {"X-RestLi-Method": "batch_update"}


def key(kind: str, context: str = ORG) -> str:
    return (
        f"integrationContext={context}&integrationType={kind}&tenantType=RECRUITER&dataProvider=ATS"
    )


def ids(*keys: tuple[str, str]) -> str:
    return "&".join(
        f"ids[{i}].integrationContext={context}&ids[{i}].integrationType={kind}"
        f"&ids[{i}].tenantType=RECRUITER&ids[{i}].dataProvider=ATS"
        for i, (kind, context) in enumerate(keys)
    )


def name(tenant, kind: str, context: str = ORG, patch=None):
    return tenant.client.post(
        "/v2/atsIntegrations?" + ids((kind, context)),
        json={
            "entities": {
                key(kind, context): patch
                or {"patch": {"$set": {"integrationName": f"Acme {kind} Integration"}}}
            }
        },
        headers={**tenant.auth(), **PARTIAL},
    )


def get(tenant, *keys: tuple[str, str]):
    return tenant.client.get("/v2/atsIntegrations?" + ids(*keys), headers=tenant.auth())


def configure(tenant, config: str, value: str, kind: str = "ONE_CLICK_EXPORT", auth=None):
    return tenant.client.put(
        f"/v2/atsIntegrations/{key(kind)}/configurations?ids={config}",
        json={"entities": {config: {"configurationValue": {"string": value}}}},
        headers={**(auth or tenant.auth()), **UPDATE},
    )


def configuration(tenant, config: str, kind: str = "ONE_CLICK_EXPORT"):
    return tenant.client.get(
        f"/v2/atsIntegrations/{key(kind)}/configurations?ids={config}", headers=tenant.auth()
    )


def enable(tenant, kind: str, on: bool = True, **extra):
    action = "enable-integration" if on else "disable-integration"
    return tenant.client.post(
        f"/_sandbox/actions/{action}", json={"integration_type": kind, **extra}
    )


def test_it_names_the_four_integrations_and_verifies_them_in_one_batch_get(tenant):
    kinds = [("ONE_CLICK_EXPORT", ORG), ("IN_ATS_INDICATOR", ORG), ("PROFILE_PLUGIN", ORG)]
    kinds.append(("CSA_API", CONTRACT))
    for kind, context in kinds:
        reply = name(tenant, kind, context)
        assert reply.json() == {"results": {key(kind, context): {"status": 204}}, "errors": {}}
    verified = get(tenant, *kinds).json()
    assert set(verified["statuses"].values()) == {200}
    entity = verified["results"][key("CSA_API", CONTRACT)]
    assert entity == {
        "integrationContext": CONTRACT,
        "integrationType": "CSA_API",
        "tenantType": "RECRUITER",
        "dataProvider": "ATS",
        "integrationName": "Acme CSA_API Integration",
        "onboardingStatus": "ONBOARDED",
        "onboardedAt": tenant.clock.current,
    }


def test_naming_an_unknown_integration_creates_it_not_onboarded(tenant):
    assert (
        get(tenant, ("APPLY_CONNECT", ORG)).json()["errors"][key("APPLY_CONNECT")]["status"] == 404
    )
    name(tenant, "APPLY_CONNECT")
    entity = get(tenant, ("APPLY_CONNECT", ORG)).json()["results"][key("APPLY_CONNECT")]
    assert entity["onboardingStatus"] == "NOT_ONBOARDED"
    assert "onboardedAt" not in entity


def test_only_the_name_may_be_patched(tenant):
    reply = name(
        tenant, "ONE_CLICK_EXPORT", patch={"patch": {"$set": {"onboardingStatus": "ONBOARDED"}}}
    )
    error = reply.json()["errors"][key("ONE_CLICK_EXPORT")]
    assert error["status"] == 400 and "onboardingStatus" in error["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (ids(("NO_SUCH_TYPE", ORG)), "integrationType"),
        (ids(("CSA_API", ORG)), "integrationContext"),
        (ids(("ONE_CLICK_EXPORT", CONTRACT)), "integrationContext"),
        (
            ids(("ONE_CLICK_EXPORT", ORG)).replace("dataProvider=ATS", "dataProvider=CRM"),
            "dataProvider",
        ),
        (ids(("ONE_CLICK_EXPORT", ORG)).replace("&ids[0].tenantType=RECRUITER", ""), "tenantType"),
    ],
)
def test_malformed_keys_are_refused_naming_the_field(tenant, query, field):
    reply = tenant.client.get("/v2/atsIntegrations?" + query, headers=tenant.auth())
    assert reply.status_code == 400
    assert field in reply.json()["message"]


def test_the_request_finder_lists_what_a_status_change_push_announced(tenant):
    changed = enable(tenant, "PROFILE_PLUGIN", on=False).json()
    assert changed["onboardingStatus"] == "NOT_ONBOARDED" and changed["changed"]
    found = tenant.client.get(
        f"/v2/atsIntegrations?q=request&requestId={changed['request_id']}", headers=tenant.auth()
    ).json()
    assert [e["integrationType"] for e in found["elements"]] == ["PROFILE_PLUGIN"]
    assert found["elements"][0]["onboardingStatus"] == "NOT_ONBOARDED"


def test_the_request_finder_is_empty_for_unknown_or_other_requests(tenant):
    exported = tenant.client.post(
        "/_sandbox/actions/export", json={"seat_id": 5000001, "member_id": 100}
    )
    for request_id in ("123456789", exported.json()["request_id"]):
        reply = tenant.client.get(
            f"/v2/atsIntegrations?q=request&requestId={request_id}", headers=tenant.auth()
        )
        assert reply.status_code == 200
        assert reply.json()["elements"] == []


def test_enabling_sets_the_status_and_only_a_change_pushes(tenant):
    assert enable(tenant, "CSA_API").json()["changed"] is False
    disabled = enable(tenant, "CSA_API", on=False).json()
    assert disabled["integrationContext"] == CONTRACT and disabled["request_id"]
    tenant.clock.advance(60)
    enabled = enable(tenant, "CSA_API").json()
    assert enabled["onboardedAt"] == tenant.clock.current
    entity = get(tenant, ("CSA_API", CONTRACT)).json()["results"][key("CSA_API", CONTRACT)]
    assert entity["onboardingStatus"] == "ONBOARDED"
    assert entity["onboardedAt"] == tenant.clock.current


def test_enabling_an_integration_the_ats_never_set_up_is_refused(tenant):
    reply = enable(tenant, "APPLY_WITH_LINKEDIN")
    assert reply.status_code == 404
    assert enable(tenant, "NOPE").status_code == 400


def test_it_sets_reads_and_deletes_configurations(tenant):
    reply = configure(tenant, "CALLBACK_URL", "https://ats.example.com/li/rsc/acme")
    assert reply.json() == {"results": {"CALLBACK_URL": {"status": 204}}, "errors": {}}
    got = configuration(tenant, "CALLBACK_URL").json()
    assert got["results"]["CALLBACK_URL"] == {
        "configurationValue": {"string": "https://ats.example.com/li/rsc/acme"}
    }
    configure(tenant, "APPLICATION_VIEWERS", "ALL_PRODUCT_USERS", kind="IN_ATS_INDICATOR")
    deleted = tenant.client.delete(
        f"/v2/atsIntegrations/{key('IN_ATS_INDICATOR')}/configurations?ids=APPLICATION_VIEWERS",
        headers=tenant.auth(),
    )
    assert deleted.json()["results"] == {"APPLICATION_VIEWERS": {"status": 204}}
    after = configuration(tenant, "APPLICATION_VIEWERS", kind="IN_ATS_INDICATOR").json()
    assert after["errors"]["APPLICATION_VIEWERS"]["status"] == 404


@pytest.mark.parametrize(
    ("config", "value", "kind", "words"),
    [
        ("CALLBACK_URL", "http://ats.example.com/li", "ONE_CLICK_EXPORT", "https"),
        ("CALLBACK_URL", "https://ats.example.com:8443/li", "ONE_CLICK_EXPORT", "port"),
        ("CALLBACK_URL", "<https://YourCallbackURL>", "ONE_CLICK_EXPORT", "URL"),
        ("JOB_POSTING_VIEWERS", "SOME_USERS", "ONE_CLICK_EXPORT", "ALL_PRODUCT_USERS"),
        ("APPLICATION_VIEWERS", "ALL_PRODUCT_USERS", "ONE_CLICK_EXPORT", "IN_ATS_INDICATOR"),
        ("FAVOURITE_COLOUR", "blue", "ONE_CLICK_EXPORT", "Unknown configuration"),
    ],
)
def test_bad_configurations_fail_per_entity(tenant, config, value, kind, words):
    reply = configure(tenant, config, value, kind)
    assert reply.status_code == 200
    error = reply.json()["errors"][config]
    assert error["status"] == 400 and words in error["message"]


def test_http_callbacks_are_accepted_on_loopback_only(tenant):
    for url in ("http://127.0.0.1:8000/li/callback", "http://localhost:9/x"):
        assert configure(tenant, "CALLBACK_URL", url).json()["errors"] == {}


def test_two_customers_may_not_share_a_callback_url(tenant):
    created = tenant.client.post(
        "/v2/provisionedApplications",
        json={"uniqueForeignId": "globex", "name": "hirebridge - Globex"},
        headers=tenant.auth("partner_app"),
    ).json()["credentials"]
    token = tenant.client.post(
        "/oauth/v2/accessToken",
        data={
            "grant_type": "client_credentials",
            "client_id": created["clientId"],
            "client_secret": created["clientSecret"],
        },
    ).json()["access_token"]
    other = {"Authorization": f"Bearer {token}"}
    name_reply = tenant.client.post(
        "/v2/atsIntegrations?" + ids(("ONE_CLICK_EXPORT", ORG)),
        json={"entities": {key("ONE_CLICK_EXPORT"): {"patch": {"$set": {"integrationName": "G"}}}}},
        headers={**other, **PARTIAL},
    )
    assert name_reply.json()["errors"] == {}
    url = "https://ats.example.com/li/shared"
    assert configure(tenant, "CALLBACK_URL", url).json()["errors"] == {}
    clash = configure(tenant, "CALLBACK_URL", url, auth=other).json()["errors"]["CALLBACK_URL"]
    assert clash["status"] == 409


def test_configurations_of_an_integration_never_named_are_not_found(tenant):
    reply = tenant.client.get(
        f"/v2/atsIntegrations/{key('APPLY_CONNECT')}/configurations?ids=CALLBACK_URL",
        headers=tenant.auth(),
    )
    assert reply.status_code == 404


def test_integration_calls_share_a_daily_throttle(tenant):
    with tenant.client.app.state.sandbox.db.transaction() as conn:
        state.update(conn, {"integration_calls_per_day": 2})
    assert get(tenant, ("ONE_CLICK_EXPORT", ORG)).status_code == 200
    assert configuration(tenant, "CALLBACK_URL").status_code == 200
    refused = get(tenant, ("ONE_CLICK_EXPORT", ORG))
    assert refused.status_code == 429
    assert "Retry-After" not in refused.headers
    tenant.clock.advance(24 * 3600)
    assert get(tenant, ("ONE_CLICK_EXPORT", ORG)).status_code == 200


def test_child_tokens_only(tenant):
    reply = get(tenant, ("ONE_CLICK_EXPORT", ORG))
    assert reply.status_code == 200
    parent = tenant.client.get(
        "/v2/atsIntegrations?" + ids(("ONE_CLICK_EXPORT", ORG)), headers=tenant.auth("partner_app")
    )
    assert parent.status_code == 403
