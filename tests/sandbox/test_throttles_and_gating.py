from sandbox import state
from tests.sandbox.conftest import candidate_body, candidate_ids, candidate_key, make_tenant

BATCH_UPDATE = {"X-RestLi-Method": "batch_update"}


def limits(tenant, **values):
    with tenant.client.app.state.sandbox.db.transaction() as conn:
        state.update(conn, values)


def put(tenant, *ids, headers):
    return tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids(*ids),
        json={"entities": {candidate_key(c): candidate_body(emails=(f"{c}@x.io",)) for c in ids}},
        headers={**headers, **BATCH_UPDATE},
    )


def test_records_per_minute_are_throttled_with_a_bare_429_and_reset_next_minute(tenant):
    limits(tenant, records_per_minute=5)
    headers = tenant.auth()
    assert put(tenant, "A", "B", "C", headers=headers).status_code == 200
    refused = put(tenant, "D", "E", "F", headers=headers)
    assert refused.status_code == 429
    assert "Retry-After" not in refused.headers  # LinkedIn usually sends none
    assert refused.json()["status"] == 429
    assert put(tenant, "D", "E", headers=headers).status_code == 200  # 5 of 5 used
    tenant.clock.advance(60)
    assert put(tenant, "F", headers=headers).status_code == 200


def test_daily_calls_reset_at_midnight_utc(tenant):
    limits(tenant, write_calls_per_day=2)
    headers = tenant.auth()
    assert put(tenant, "A", headers=headers).status_code == 200
    assert put(tenant, "B", headers=headers).status_code == 200
    assert put(tenant, "C", headers=headers).status_code == 429
    now = tenant.clock.now_ms()
    tenant.clock.advance((86_400_000 - now % 86_400_000) / 1000)  # to 00:00 UTC
    assert put(tenant, "C", headers=tenant.auth()).status_code == 200


def test_writes_for_a_context_the_customer_has_not_enabled_get_403(tmp_path):
    tenant = make_tenant(tmp_path, onboarded=False)
    refused = put(tenant, "A", headers=tenant.auth())
    assert refused.status_code == 403
    assert "not enabled" in refused.json()["message"]
    other_org = tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids("A", org="urn:li:organization:1"),
        json={"entities": {candidate_key("A", org="urn:li:organization:1"): candidate_body()}},
        headers={**tenant.auth(), **BATCH_UPDATE},
    )
    assert other_org.status_code == 403


def test_a_write_to_another_organization_is_refused_even_when_onboarded(tenant):
    org = "urn:li:organization:1"
    reply = tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids("A", org=org),
        json={"entities": {candidate_key("A", org=org): candidate_body()}},
        headers={**tenant.auth(), **BATCH_UPDATE},
    )
    assert reply.status_code == 403
