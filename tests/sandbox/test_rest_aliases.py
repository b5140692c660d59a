import pytest

from tests.sandbox.conftest import ORG, candidate_ids, candidate_key
from tests.sandbox.test_jobs import job

VERSIONED = {"LinkedIn-Version": "202602", "X-Restli-Protocol-Version": "2.0.0"}
ENCODED_ORG = ORG.replace(":", "%3A")


def rest_key(candidate_id: str) -> str:
    return f"(externalCandidateId:{candidate_id},integrationContext:{ENCODED_ORG})"


def rest_ids(*candidate_ids: str) -> str:
    return "ids=List(" + ",".join(rest_key(c) for c in candidate_ids) + ")"


def rest_candidate(**changes) -> dict:
    body = {
        "externalCreatedAt": 1_690_000_000_000,
        "externalLastModifiedAt": 1_690_000_000_000,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "emailAddresses": ["ada@example.com"],
        "externalProfileUrl": "https://ats.example.com/c/1",
        "addresses": [],
        "phoneNumbers": [],
        **changes,
    }
    return body


def put_rest(tenant, bodies: dict[str, dict], headers=None):
    return tenant.client.put(
        "/rest/candidates?" + rest_ids(*bodies),
        json={"entities": {rest_key(c): b for c, b in bodies.items()}},
        headers={
            **tenant.auth(),
            **VERSIONED,
            "X-RestLi-Method": "batch_update",
            **(headers or {}),
        },
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"X-Restli-Protocol-Version": "2.0.0"}, "LinkedIn-Version"),
        ({"LinkedIn-Version": "2026-02", "X-Restli-Protocol-Version": "2.0.0"}, "YYYYMM"),
        ({"LinkedIn-Version": "202602"}, "X-Restli-Protocol-Version"),
    ],
)
def test_rest_calls_need_the_version_and_protocol_headers(tenant, headers, message):
    reply = tenant.client.get(
        "/rest/candidates?" + rest_ids("C1"), headers={**tenant.auth(), **headers}
    )
    assert reply.status_code == 400 and message in reply.json()["message"]


def test_a_rest_write_is_read_back_on_both_surfaces(tenant):
    reply = put_rest(tenant, {"C1": rest_candidate()})
    assert reply.status_code == 200
    assert reply.json() == {"results": {rest_key("C1"): {"status": 204}}, "errors": {}}
    v2 = tenant.client.get("/v2/atsCandidates?" + candidate_ids("C1"), headers=tenant.auth())
    assert v2.json()["results"][candidate_key("C1")]["atsCreatedAt"] == 1_690_000_000_000
    rest = tenant.client.get(
        "/rest/candidates?" + rest_ids("C1", "C2"), headers={**tenant.auth(), **VERSIONED}
    ).json()
    entity = rest["results"][rest_key("C1")]
    assert (
        entity["externalCandidateId"] == "C1" and entity["externalCreatedAt"] == 1_690_000_000_000
    )
    assert not {"atsCandidateId", "atsCreatedAt", "dataProvider"} & set(entity)
    assert rest["statuses"] == {rest_key("C1"): 200, rest_key("C2"): 404}


def test_rest_validation_errors_name_the_rest_fields(tenant):
    bad = rest_candidate(externalLastModifiedAt=1)
    body = put_rest(tenant, {"C1": rest_candidate(), "C2": bad}).json()
    assert list(body["results"]) == [rest_key("C1")]
    message = body["errors"][rest_key("C2")]["message"]
    assert "externalLastModifiedAt" in message and "atsLastModifiedAt" not in message


def test_rest_keys_have_no_data_provider(tenant):
    reply = tenant.client.get(
        f"/rest/candidates?ids=List((dataProvider:ATS,externalCandidateId:C1,integrationContext:{ENCODED_ORG}))",
        headers={**tenant.auth(), **VERSIONED},
    )
    assert reply.status_code == 400 and "dataProvider" in reply.json()["message"]


def test_a_rest_delete_removes_the_shared_record(tenant):
    put_rest(tenant, {"C1": rest_candidate()})
    deleted = tenant.client.delete(
        "/rest/candidates?" + rest_ids("C1"), headers={**tenant.auth(), **VERSIONED}
    )
    assert deleted.json()["results"] == {rest_key("C1"): {"status": 204}}
    v2 = tenant.client.get("/v2/atsCandidates?" + candidate_ids("C1"), headers=tenant.auth())
    assert v2.json()["statuses"] == {candidate_key("C1"): 404}


def test_a_person_urn_can_be_attached_through_rest(tenant):
    put_rest(tenant, {"C1": rest_candidate()})
    reply = tenant.client.post(
        "/rest/candidates?" + rest_ids("C1"),
        json={
            "entities": {
                rest_key("C1"): {"patch": {"$set": {"manualMatchedMember": "urn:li:person:x1"}}}
            }
        },
        headers={**tenant.auth(), **VERSIONED, "X-RestLi-Method": "batch_partial_update"},
    )
    assert reply.json()["results"] == {rest_key("C1"): {"status": 204}}
    got = tenant.client.get(
        "/rest/candidates?" + rest_ids("C1"), headers={**tenant.auth(), **VERSIONED}
    ).json()
    assert got["results"][rest_key("C1")]["manualMatchedMember"] == "urn:li:person:x1"


def test_jobs_and_their_tasks_are_served_on_rest(tenant):
    created = tenant.client.post(
        "/rest/simpleJobPostings",
        json={"elements": [job()]},
        headers={**tenant.auth(), **VERSIONED, "X-RestLi-Method": "batch_create"},
    )
    task_id = created.json()["elements"][0]["id"]
    encoded = task_id.replace(":", "%3A")
    tasks = tenant.client.get(
        f"/rest/simpleJobPostingTasks?ids=List({encoded})", headers={**tenant.auth(), **VERSIONED}
    ).json()
    assert tasks["results"][encoded]["status"] == "SUCCEEDED"
    assert tasks["statuses"] == {encoded: 200}


def test_rest_jobs_need_the_version_header(tenant):
    reply = tenant.client.post(
        "/rest/simpleJobPostings",
        json={"elements": [job()]},
        headers={**tenant.auth(), "X-RestLi-Method": "batch_create"},
    )
    assert reply.status_code == 400
