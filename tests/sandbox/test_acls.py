import pytest

from tests.sandbox.conftest import ORG, make_tenant
from tests.sandbox.test_jobs import change_settings, job, post_jobs

BATCH_UPDATE = {"X-RestLi-Method": "batch_update"}
PERSON = "urn:li:person:abc123"


def acl_key(group="TEST_JOBS", job_id="JOB-1", org=ORG) -> dict[str, str]:
    return {
        "atsEntityAclId": group,
        "dataProvider": "ATS",
        "integrationContext": org,
        "atsEntityType": "JOB_POSTING",
        "atsEntityId": job_id,
    }


def assignee_key(group="TEST_JOBS", person=PERSON, org=ORG) -> dict[str, str]:
    return {
        "atsEntityAclId": group,
        "integrationContext": org,
        "dataProvider": "ATS",
        "assignee": person,
        "atsEntityType": "JOB_POSTING",
    }


def ids(*keys: dict[str, str]) -> str:
    return "&".join(f"ids[{i}].{n}={v}" for i, key in enumerate(keys) for n, v in key.items())


def spelled(key: dict[str, str], order=None) -> str:
    names = order or list(key)
    return "&".join(f"{n}={key[n]}" for n in names)


def put(tenant, path, keys, entities=None, headers=None):
    body = {"entities": entities if entities is not None else {spelled(k): {} for k in keys}}
    return tenant.client.put(
        f"{path}?{ids(*keys)}",
        json=body,
        headers={**tenant.auth(), **BATCH_UPDATE, **(headers or {})},
    )


def test_the_postman_module_4_requests_all_succeed(tenant):
    auth = tenant.auth()
    post_jobs(tenant, job("TEST_EXTERNAL_JOB_ID_0002"))
    upsert = tenant.client.put(
        "/v2/atsEntityAcls?ids[0].atsEntityAclId=TEST_JOBS&ids[0].dataProvider=ATS"
        f"&ids[0].integrationContext={ORG}&ids[0].atsEntityType=JOB_POSTING"
        "&ids[0].atsEntityId=TEST_EXTERNAL_JOB_ID_0002",
        json={
            "entities": {
                f"dataProvider=ATS&integrationContext={ORG}&atsEntityType=JOB_POSTING"
                "&atsEntityId=TEST_EXTERNAL_JOB_ID_0002&atsEntityAclId=TEST_JOBS": {}
            }
        },
        headers={**auth, "x-restli-method": "batch_update", "Content-Type": "application/json"},
    )
    assert upsert.status_code == 200
    assert upsert.json() == {
        "results": {
            f"dataProvider=ATS&integrationContext={ORG}&atsEntityType=JOB_POSTING"
            "&atsEntityId=TEST_EXTERNAL_JOB_ID_0002&atsEntityAclId=TEST_JOBS": {"status": 204}
        },
        "errors": {},
    }
    found = tenant.client.get(
        "/v2/atsEntityAcls?atsEntityId=TEST_EXTERNAL_JOB_ID_0002&atsEntityType=JOB_POSTING"
        f"&dataProvider=ATS&integrationContext={ORG}&q=criteria&start=0&count=100",
        headers=auth,
    )
    assert found.status_code == 200
    assert found.json()["elements"] == [acl_key("TEST_JOBS", "TEST_EXTERNAL_JOB_ID_0002")]
    deleted = tenant.client.delete(
        "/v2/atsEntityAcls?ids[0].atsEntityAclId=TEST_JOBS&ids[0].dataProvider=ATS"
        f"&ids[0].integrationContext={ORG}&ids[0].atsEntityId=TEST_EXTERNAL_JOB_ID_0002"
        "&ids[0].atsEntityType=JOB_POSTING",
        headers=auth,
    )
    assert deleted.status_code == 200 and list(deleted.json()["results"].values()) == [
        {"status": 204}
    ]
    assignee = tenant.client.put(
        "/v2/atsEntityAclAssignees?ids[0].atsEntityAclId=TEST_JOBS"
        f"&ids[0].integrationContext={ORG}&ids[0].dataProvider=ATS"
        f"&ids[0].assignee={PERSON}&ids[0].atsEntityType=JOB_POSTING",
        json={
            "entities": {
                f"dataProvider=ATS&integrationContext={ORG}&atsEntityType=JOB_POSTING"
                f"&atsEntityAclId=TEST_JOBS&assignee={PERSON}": {}
            }
        },
        headers={**auth, "x-restli-method": "batch_update", "Content-Type": "application/json"},
    )
    assert assignee.status_code == 200 and not assignee.json()["errors"]
    groups = tenant.client.get(
        f"/v2/atsEntityAclAssignees?q=criteria&assignee={PERSON}&dataProvider=ATS"
        f"&integrationContext={ORG}",
        headers=auth,
    )
    assert groups.status_code == 200
    assert groups.json()["elements"] == [assignee_key()]
    removed = tenant.client.delete(
        "/v2/atsEntityAclAssignees?ids[0].atsEntityAclId=TEST_JOBS&ids[0].dataProvider=ATS"
        f"&ids[0].integrationContext={ORG}&ids[0].assignee={PERSON}"
        "&ids[0].atsEntityType=JOB_POSTING",
        headers=auth,
    )
    assert removed.status_code == 200 and not removed.json()["errors"]
    again = tenant.client.get(
        f"/v2/atsEntityAclAssignees?q=criteria&assignee={PERSON}&dataProvider=ATS"
        f"&integrationContext={ORG}",
        headers=auth,
    )
    assert again.json()["elements"] == []


def test_body_keys_in_a_different_field_order_match_the_url_keys_as_sets(tenant):
    key = acl_key()
    shuffled = spelled(
        key,
        ["atsEntityId", "integrationContext", "atsEntityAclId", "atsEntityType", "dataProvider"],
    )
    reply = put(tenant, "/v2/atsEntityAcls", [key], {shuffled: {}})
    assert reply.json()["results"] == {shuffled: {"status": 204}}


def test_body_keys_that_differ_from_the_url_keys_refuse_the_request(tenant):
    reply = put(tenant, "/v2/atsEntityAcls", [acl_key()], {spelled(acl_key(job_id="JOB-2")): {}})
    assert reply.status_code == 400 and "do not match" in reply.json()["message"]


@pytest.mark.parametrize(
    ("path", "key", "message"),
    [
        ("/v2/atsEntityAcls", {**acl_key(), "atsEntityType": "CANDIDATE"}, "atsEntityType"),
        ("/v2/atsEntityAcls", {**acl_key(), "dataProvider": "HRIS"}, "dataProvider"),
        (
            "/v2/atsEntityAcls",
            {**acl_key(), "integrationContext": "urn:li:contract:1"},
            "integrationContext",
        ),
        (
            "/v2/atsEntityAcls",
            {k: v for k, v in acl_key().items() if k != "atsEntityId"},
            "atsEntityId",
        ),
        ("/v2/atsEntityAcls", {**acl_key(), "assignee": PERSON}, "assignee"),
        ("/v2/atsEntityAclAssignees", {**assignee_key(), "assignee": "urn:li:seat:5"}, "assignee"),
        ("/v2/atsEntityAclAssignees", {**assignee_key(), "atsEntityType": "JOB"}, "atsEntityType"),
        (
            "/v2/atsEntityAclAssignees",
            {k: v for k, v in assignee_key().items() if k != "assignee"},
            "assignee",
        ),
    ],
)
def test_malformed_keys_refuse_the_request_naming_the_field(tenant, path, key, message):
    reply = put(tenant, path, [key])
    assert reply.status_code == 400
    assert message in reply.json()["message"]


def test_an_entity_may_repeat_its_key_fields_but_carry_nothing_else(tenant):
    ok, extra, wrong = acl_key("G1"), acl_key("G2"), acl_key("G3")
    reply = put(
        tenant,
        "/v2/atsEntityAcls",
        [ok, extra, wrong],
        {
            spelled(ok): {"atsEntityId": "JOB-1"},
            spelled(extra): {"name": "Hiring team"},
            spelled(wrong): {"atsEntityId": "JOB-9"},
        },
    )
    body = reply.json()
    assert list(body["results"]) == [spelled(ok)]
    assert "name" in body["errors"][spelled(extra)]["message"]
    assert "atsEntityId" in body["errors"][spelled(wrong)]["message"]


def test_the_acl_finder_pages_counts_and_projects_fields(tenant):
    keys = [acl_key(f"G{i}") for i in range(3)]
    put(tenant, "/v2/atsEntityAcls", keys)
    put(tenant, "/v2/atsEntityAcls", [acl_key("OTHER", job_id="JOB-2")])
    base = (
        f"/v2/atsEntityAcls?q=criteria&atsEntityId=JOB-1&atsEntityType=JOB_POSTING"
        f"&dataProvider=ATS&integrationContext={ORG}"
    )
    page = tenant.client.get(base + "&start=1&count=1", headers=tenant.auth()).json()
    assert page["elements"] == [keys[1]]
    assert page["paging"] == {"start": 1, "count": 1, "total": 3, "links": []}
    projected = tenant.client.get(
        base + "&fields=atsEntityId,atsEntityAclId", headers=tenant.auth()
    ).json()
    assert projected["elements"] == [
        {"atsEntityId": "JOB-1", "atsEntityAclId": f"G{i}"} for i in range(3)
    ]


@pytest.mark.parametrize(
    "query",
    [
        f"q=criteria&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext={ORG}",
        f"q=byEntity&atsEntityId=J&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext={ORG}",
        "q=criteria&atsEntityId=J&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext=x",
        f"q=criteria&atsEntityId=J&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext={ORG}&count=-1",
    ],
)
def test_a_malformed_acl_finder_is_refused(tenant, query):
    assert tenant.client.get(f"/v2/atsEntityAcls?{query}", headers=tenant.auth()).status_code == 400


def test_the_assignee_finder_needs_its_criteria(tenant):
    reply = tenant.client.get(
        f"/v2/atsEntityAclAssignees?q=criteria&dataProvider=ATS&integrationContext={ORG}",
        headers=tenant.auth(),
    )
    assert reply.status_code == 400 and "assignee" in reply.json()["message"]


def test_a_person_may_be_in_at_most_ten_acl_groups(tenant):
    first_ten = [assignee_key(f"G{i}") for i in range(10)]
    assert not put(tenant, "/v2/atsEntityAclAssignees", first_ten).json()["errors"]
    again, eleventh, other = (
        assignee_key("G3"),
        assignee_key("G10"),
        assignee_key("G10", "urn:li:person:zz"),
    )
    body = put(tenant, "/v2/atsEntityAclAssignees", [again, eleventh, other]).json()
    assert set(body["results"]) == {spelled(again), spelled(other)}
    error = body["errors"][spelled(eleventh)]
    assert error["status"] == 400 and "10 ACL groups" in error["message"]
    tenant.client.delete(
        f"/v2/atsEntityAclAssignees?{ids(assignee_key('G0'))}", headers=tenant.auth()
    )
    assert not put(tenant, "/v2/atsEntityAclAssignees", [eleventh]).json()["errors"]


def test_the_group_limit_counts_within_one_batch(tenant):
    eleven = [assignee_key(f"G{i}") for i in range(11)]
    body = put(tenant, "/v2/atsEntityAclAssignees", eleven).json()
    assert len(body["results"]) == 10
    assert list(body["errors"]) == [spelled(eleven[10])]


def test_acl_writes_need_an_enabled_integration(tmp_path):
    tenant = make_tenant(tmp_path, onboarded=False, members=5)
    assert put(tenant, "/v2/atsEntityAcls", [acl_key()]).status_code == 403
    assert put(tenant, "/v2/atsEntityAclAssignees", [assignee_key()]).status_code == 403


def test_only_batch_update_finder_and_batch_delete_are_supported(tenant):
    reply = tenant.client.get(f"/v2/atsEntityAcls?{ids(acl_key())}", headers=tenant.auth())
    assert reply.status_code == 405


def test_acl_writes_count_records_per_minute(tenant):
    change_settings(tenant, records_per_minute=2)
    refused = put(tenant, "/v2/atsEntityAcls", [acl_key(f"G{i}") for i in range(3)])
    assert refused.status_code == 429
    assert put(tenant, "/v2/atsEntityAcls", [acl_key("G1"), acl_key("G2")]).status_code == 200
