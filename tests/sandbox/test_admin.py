"""The sandbox's admin API: tenant credentials, members, settings, reset and the ledger."""

from tests.sandbox.conftest import ORG, candidate_body, candidate_ids, candidate_key, make_tenant

BATCH_UPDATE = {"X-RestLi-Method": "batch_update"}
PARTIAL = {"X-RestLi-Method": "batch_partial_update"}
OCE_KEY = (
    f"integrationContext={ORG}&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER"
    "&dataProvider=ATS"
)
OCE_IDS = (
    f"ids[0].integrationContext={ORG}&ids[0].integrationType=ONE_CLICK_EXPORT"
    "&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"
)


def put_candidates(tenant, headers, *candidates: str):
    return tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids(*candidates),
        json={"entities": {candidate_key(c): candidate_body() for c in candidates}},
        headers={**headers, **BATCH_UPDATE},
    )


def set_callback(tenant, headers, url: str = "http://127.0.0.1:9/li/hook") -> None:
    reply = tenant.client.put(
        f"/v2/atsIntegrations/{OCE_KEY}/configurations?ids=CALLBACK_URL",
        json={"entities": {"CALLBACK_URL": {"configurationValue": {"string": url}}}},
        headers={**headers, **BATCH_UPDATE},
    )
    assert reply.json()["errors"] == {}, reply.text


def test_the_tenant_names_credentials_organization_contracts_and_seats(tenant):
    info = tenant.client.get("/_sandbox/tenant").json()
    assert info["partner_app"] == tenant.info["partner_app"]
    assert info["customer_app"]["client_id"] == tenant.info["customer_app"]["client_id"]
    assert info["customer_app"]["client_secret"] == tenant.info["customer_app"]["client_secret"]
    assert info["customer_app"]["app_key"].startswith("urn:li:developerApplication:")
    assert info["customer_app"]["unique_foreign_id"] == "demo-instance"
    assert info["organization_id"] == ORG
    assert info["contract_ids"] == ["urn:li:contract:70001001", "urn:li:contract:70001002"]
    assert len(info["seats"]) == 5
    rita = info["seats"][0]
    assert rita["id"] == "urn:li:seat:5000001"
    assert rita["contract_id"] == "urn:li:contract:70001001"
    assert rita["name"] == "Rita Recruiter"
    assert rita["email"] == "rita.recruiter@acme-robotics.example"
    person = tenant.client.get("/_sandbox/members/1").json()["person"]
    assert rita["member"] == person
    assert info["callback_url"] is None
    assert (
        info["api_base"] == info["oauth_base"] == info["platform_base"] == "http://127.0.0.1:8100"
    )


def test_the_tenant_shows_the_configured_callback_url(tenant):
    set_callback(tenant, tenant.auth(), "http://127.0.0.1:9/li/hook")
    assert tenant.client.get("/_sandbox/tenant").json()["callback_url"] == (
        "http://127.0.0.1:9/li/hook"
    )


def test_members_page_with_a_total(tenant):
    page = tenant.client.get("/_sandbox/members", params={"start": 2, "count": 3}).json()
    assert [m["id"] for m in page["elements"]] == [3, 4, 5]
    assert page["paging"] == {"start": 2, "count": 3, "total": 305}
    member = page["elements"][0]
    assert set(member) == {
        "id",
        "person",
        "firstName",
        "lastName",
        "headline",
        "location",
        "title",
        "company",
        "email",
        "phone",
        "openToWork",
        "profileUrl",
        "closed",
    }
    assert member["person"].startswith("urn:li:person:") and member["closed"] is False


def test_member_search_needs_every_word_in_some_field(tenant):
    rita = tenant.client.get("/_sandbox/members", params={"q": "rita RECRUITER"}).json()
    assert [m["id"] for m in rita["elements"]] == [1]
    by_mail = tenant.client.get("/_sandbox/members", params={"q": "acme-robotics.example"})
    assert by_mail.json()["paging"]["total"] == 5
    someone = tenant.client.get("/_sandbox/members/150").json()
    city = someone["location"].split(",")[0]
    found = tenant.client.get("/_sandbox/members", params={"q": city, "count": 100}).json()
    assert 150 in [m["id"] for m in found["elements"]]
    searched = ("firstName", "lastName", "title", "company", "location", "email")
    for member in found["elements"]:
        assert city.lower() in " ".join(str(member[f]) for f in searched).lower()
    nobody = tenant.client.get("/_sandbox/members", params={"q": "zzqqxx"}).json()
    assert nobody["elements"] == [] and nobody["paging"]["total"] == 0


def test_member_paging_is_validated(tenant):
    reply = tenant.client.get("/_sandbox/members", params={"count": "many"})
    assert reply.status_code == 400 and reply.json()["code"] == "BAD_REQUEST"
    assert tenant.client.get("/_sandbox/members", params={"start": -1}).status_code == 400


def test_a_member_is_found_by_number_or_person_urn(tenant):
    member = tenant.client.get("/_sandbox/members/120").json()
    assert tenant.client.get(f"/_sandbox/members/{member['person']}").json() == member
    missing = tenant.client.get("/_sandbox/members/99999")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    assert tenant.client.get("/_sandbox/members/urn:li:person:nobody").status_code == 404
    bad = tenant.client.get("/_sandbox/members/alice")
    assert bad.status_code == 400 and bad.json()["message"].startswith("id:")


def test_settings_are_read_and_patched(tenant):
    assert tenant.client.get("/_sandbox/settings").json()["batch_max"] == 100
    changed = tenant.client.put("/_sandbox/settings", json={"batch_max": 2})
    assert changed.status_code == 200 and changed.json()["batch_max"] == 2
    assert changed.json()["one_click_export"] is True
    assert tenant.client.get("/_sandbox/settings").json()["batch_max"] == 2
    assert put_candidates(tenant, tenant.auth(), "C1", "C2", "C3").status_code == 400


def test_bad_settings_are_refused_naming_the_field(tenant):
    for patch, field in [
        ({"batch_max": "ten"}, "batch_max"),
        ({"batch_max": -1}, "batch_max"),
        ({"one_click_export": 1}, "one_click_export"),
        ({"colour": "red"}, "colour"),
        ({"push_signature": "footer"}, "push_signature"),
        ([1, 2], "body"),
    ]:
        reply = tenant.client.put("/_sandbox/settings", json=patch)
        assert reply.status_code == 400, patch
        assert reply.json()["message"].startswith(field), reply.json()
    garbage = tenant.client.put("/_sandbox/settings", content=b"{nope")
    assert garbage.status_code == 400 and "body" in garbage.json()["message"]
    assert tenant.client.get("/_sandbox/settings").json()["batch_max"] == 100


def row_count(tenant, table: str, where: str = "") -> int:
    with tenant.client.app.state.sandbox.db.reading() as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0]  # noqa: S608


def integration(tenant) -> dict:
    reply = tenant.client.get("/v2/atsIntegrations?" + OCE_IDS, headers=tenant.auth())
    return reply.json()["results"][OCE_KEY]


def test_reset_wipes_what_was_synced_recorded_and_configured(tenant):
    headers = tenant.auth()
    put_candidates(tenant, headers, "C1")
    set_callback(tenant, headers)
    tenant.client.post(
        "/v2/atsIntegrations?" + OCE_IDS,
        json={"entities": {OCE_KEY: {"patch": {"$set": {"integrationName": "Acme OCE"}}}}},
        headers={**headers, **PARTIAL},
    )
    assert integration(tenant)["integrationName"] == "Acme OCE"
    tenant.client.post(
        "/v2/provisionedApplications",
        json={
            "name": "hirebridge - Globex",
            "description": "",
            "uniqueForeignId": "globex-1",
            "validJsSdkDomains": [],
        },
        headers={**tenant.auth("partner_app"), "Content-Type": "application/json"},
    )
    tenant.client.post("/_sandbox/actions/export", json={"seat_id": 5000001, "member_id": 100})
    tenant.client.post("/_sandbox/actions/close-profile", json={"member_id": 101})
    tenant.client.put("/_sandbox/settings", json={"batch_max": 7})
    tenant.client.put("/_sandbox/faults", json={"http": [{"path": "/v2/nothing", "status": 500}]})
    assert row_count(tenant, "apps") == 3 and row_count(tenant, "exports") == 1
    seeded_members = row_count(tenant, "members")

    reply = tenant.client.post("/_sandbox/reset")
    assert reply.status_code == 200

    for table in ("records", "configurations", "exports", "notifications", "deliveries", "tokens"):
        assert row_count(tenant, table) == 0, table
    assert row_count(tenant, "ledger") == 1  # the reset itself
    assert row_count(tenant, "apps") == 2
    assert row_count(tenant, "members") == seeded_members
    assert row_count(tenant, "members", "WHERE closed_at IS NOT NULL") == 0
    assert tenant.client.get("/_sandbox/settings").json()["batch_max"] == 100
    assert tenant.client.get("/_sandbox/faults").json()["http"] == []
    info = tenant.client.get("/_sandbox/tenant").json()
    assert info["customer_app"]["client_id"] == tenant.info["customer_app"]["client_id"]
    assert info["callback_url"] is None
    headers = tenant.auth()  # old tokens are gone; the credentials still work
    got = tenant.client.get("/v2/atsCandidates?" + candidate_ids("C1"), headers=headers)
    assert got.json()["errors"][candidate_key("C1")]["status"] == 404
    entity = integration(tenant)
    assert "integrationName" not in entity
    assert (entity["onboardingStatus"], entity["onboardedAt"]) == ("ONBOARDED", 1_700_000_000_000)


def test_reset_puts_integrations_back_as_the_sandbox_started(tmp_path):
    tenant = make_tenant(tmp_path, onboarded=False, members=10)
    with tenant.client.app.state.sandbox.db.transaction() as conn:
        conn.execute(
            "UPDATE integrations SET onboarding_status = 'ONBOARDED', onboarded_at = 1, "
            "integration_name = 'Acme'"
        )
        conn.execute(
            "INSERT INTO integrations(client_id, integration_context, integration_type, "
            "tenant_type, data_provider, onboarding_status) "
            "VALUES (?, 'urn:li:contract:70001001', 'ONE_CLICK_EXPORT', 'RECRUITER', 'ATS', "
            "'ONBOARDED')",
            (tenant.info["customer_app"]["client_id"],),
        )
    tenant.client.post("/_sandbox/reset")
    assert row_count(tenant, "integrations") == 7  # five for the organization, one per contract
    assert row_count(tenant, "integrations", "WHERE onboarding_status = 'NOT_ONBOARDED'") == 7
    assert row_count(tenant, "integrations", "WHERE onboarded_at IS NOT NULL") == 0
    assert row_count(tenant, "integrations", "WHERE integration_name IS NOT NULL") == 0


def test_the_ledger_lists_requests_with_ids_and_filters(tenant):
    headers = tenant.auth()
    put_candidates(tenant, headers, "C1", "C2")
    tenant.client.get("/_sandbox/members/1")
    rows = tenant.client.get("/_sandbox/ledger").json()["elements"]
    assert [r["path"] for r in rows] == [
        "/oauth/v2/accessToken",
        "/v2/atsCandidates",
        "/_sandbox/members/1",
    ]
    write = rows[1]
    assert write["method"] == "PUT" and write["status"] == 200 and write["fault"] is None
    assert write["ids"] == [
        f"atsCandidateId={c}&dataProvider=ATS&integrationContext={ORG}" for c in ("C1", "C2")
    ]
    assert write["client_id"] == tenant.info["customer_app"]["client_id"]
    assert write["query"].startswith("ids[0].atsCandidateId=C1")
    assert isinstance(write["at"], int) and rows[0]["id"] < write["id"]

    since = tenant.client.get("/_sandbox/ledger", params={"since_id": write["id"]}).json()
    assert [r["path"] for r in since["elements"]] == ["/_sandbox/members/1"]
    under = tenant.client.get("/_sandbox/ledger", params={"path": "/v2"}).json()
    assert [r["id"] for r in under["elements"]] == [write["id"]]
    one = tenant.client.get("/_sandbox/ledger", params={"limit": 1}).json()
    assert [r["id"] for r in one["elements"]] == [rows[0]["id"]]
    bad = tenant.client.get("/_sandbox/ledger", params={"limit": "lots"})
    assert bad.status_code == 400 and bad.json()["message"].startswith("limit")
    assert tenant.client.get("/_sandbox/ledger", params={"limit": 0}).status_code == 400
