import pytest

from tests.sandbox.conftest import ORG, make_tenant
from tests.sandbox.test_jobs import change_settings

BATCH_UPDATE = {"X-RestLi-Method": "batch_update"}
NOW = 1_690_000_000_000


def app_key(application_id="A1") -> str:
    return f"atsJobApplicationId={application_id}&dataProvider=ATS&integrationContext={ORG}"


def app_ids(*application_ids: str) -> str:
    return "&".join(
        f"ids[{i}].atsJobApplicationId={a}&ids[{i}].dataProvider=ATS&ids[{i}].integrationContext={ORG}"
        for i, a in enumerate(application_ids)
    )


def application(**changes) -> dict:
    body = {
        "atsCandidateId": "C1",
        "atsCreatedAt": NOW,
        "atsLastModifiedAt": NOW,
        "atsJobPostingId": "JOB-1",
        "atsJobPostingName": "Senior Software Engineer",
        "candidateEmail": "john@example.com",
        "firstName": "John",
        "lastName": "Doe",
        "source": "Referral",
        "dispositionReason": "",
        **changes,
    }
    return {name: value for name, value in body.items() if value is not None}


def put_applications(tenant, bodies: dict[str, dict]):
    return tenant.client.put(
        "/v2/atsApplications?" + app_ids(*bodies),
        json={"entities": {app_key(a): b for a, b in bodies.items()}},
        headers={**tenant.auth(), **BATCH_UPDATE},
    )


def get_applications(tenant, *application_ids):
    return tenant.client.get(
        "/v2/atsApplications?" + app_ids(*application_ids), headers=tenant.auth()
    ).json()


def sub(application_id: str, resource: str, *child_ids: str) -> str:
    return f"/v2/atsApplications/{app_key(application_id)}/{resource}?" + "&".join(
        f"ids={c}" for c in child_ids
    )


def put_children(tenant, resource, bodies: dict[str, dict], application_id="A1", headers=None):
    return tenant.client.put(
        sub(application_id, resource, *bodies),
        json={"entities": bodies},
        headers={**tenant.auth(), **(BATCH_UPDATE if headers is None else headers)},
    )


def get_children(tenant, resource, *child_ids, application_id="A1"):
    return tenant.client.get(
        sub(application_id, resource, *child_ids), headers=tenant.auth()
    ).json()


NOTE = {
    "atsCreatedAt": NOW,
    "note": "Great resume.",
    "author": {"firstName": "Rita", "lastName": "Book"},
}
STAGE = {"atsCreatedAt": NOW, "stage": "Phone Interview"}
FEEDBACK = {
    "atsCreatedAt": NOW,
    "evaluations": [{"attribute": "Verbal Communication", "result": "4/5"}],
    "feedback": "Great interview!",
    "interviewer": {"firstName": "Rita", "lastName": "Book"},
}


def test_the_postman_application_requests_and_deletes_all_succeed(tenant):
    assert put_applications(tenant, {"A1": application()}).json() == {
        "results": {app_key("A1"): {"status": 204}},
        "errors": {},
    }
    assert put_children(tenant, "notes", {"APPL_NOTE_0001": NOTE}).json()["results"] == {
        "APPL_NOTE_0001": {"status": 204}
    }
    feedback = put_children(
        tenant, "interviewFeedback", {"APPL_INTERVIEW_0001": FEEDBACK}, headers={}
    )
    assert feedback.status_code == 200 and feedback.json()["results"] == {
        "APPL_INTERVIEW_0001": {"status": 204}
    }
    stages = {
        "STAGE001": {**STAGE, "stage": "New"},
        "STAGE002": STAGE,
        "STAGE003": {**STAGE, "stage": "TPS"},
    }
    assert len(put_children(tenant, "stages", stages).json()["results"]) == 3
    deletes = [
        "/v2/atsApplications?" + app_ids("A1"),
        sub("A1", "notes", "APPL_NOTE_0001"),
        sub("A1", "interviewFeedback", "APPL_INTERVIEW_0001"),
        sub("A1", "stages", "STAGE001", "STAGE002", "STAGE003"),
    ]
    for path in deletes:
        reply = tenant.client.delete(path, headers=tenant.auth())
        assert reply.status_code == 200 and not reply.json()["errors"], path


def test_it_reads_applications_back_with_their_key_fields(tenant):
    put_applications(tenant, {"A1": application()})
    body = get_applications(tenant, "A1", "A2")
    entity = body["results"][app_key("A1")]
    assert entity["atsJobPostingName"] == "Senior Software Engineer"
    assert entity["atsJobApplicationId"] == "A1" and entity["integrationContext"] == ORG
    assert body["statuses"] == {app_key("A1"): 200, app_key("A2"): 404}
    assert body["errors"][app_key("A2")]["status"] == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"atsCreatedAt": None}, "atsCreatedAt"),
        ({"atsCreatedAt": 0}, "atsCreatedAt"),
        ({"atsCreatedAt": -5}, "atsCreatedAt"),
        ({"atsLastModifiedAt": NOW - 1}, "atsLastModifiedAt"),
        ({"atsLastModifiedAt": 0}, "atsLastModifiedAt"),
        ({"atsJobPostingId": None}, "atsJobPostingId"),
        ({"atsJobPostingId": ""}, "atsJobPostingId"),
        ({"atsJobPostingName": None}, "atsJobPostingName"),
        ({"atsJobPostingName": ""}, "atsJobPostingName"),
        ({"candidateEmail": "john.example.com"}, "candidateEmail"),
        ({"candidateEmail": "john@example"}, "candidateEmail"),
        ({"firstName": ""}, "firstName"),
        ({"lastName": ""}, "lastName"),
        ({"atsCandidateId": ""}, "atsCandidateId"),
        ({"source": 7}, "source"),
    ],
)
def test_each_application_rule_fails_only_its_entity(tenant, changes, field):
    body = put_applications(tenant, {"A1": application(), "A2": application(**changes)}).json()
    assert list(body["results"]) == [app_key("A1")]
    error = body["errors"][app_key("A2")]
    assert error["status"] == 400 and field in error["message"]


def test_optional_application_fields_may_be_left_out(tenant):
    minimal = {"atsCreatedAt": NOW, "atsJobPostingId": "JOB-1", "atsJobPostingName": "Engineer"}
    assert not put_applications(tenant, {"A1": minimal}).json()["errors"]
    assert not put_applications(tenant, {"A1": application(dispositionReason="")}).json()["errors"]


def test_a_put_replaces_the_whole_application(tenant):
    put_applications(tenant, {"A1": application(source="Referral")})
    put_applications(tenant, {"A1": application(source=None, firstName="Johnny")})
    entity = get_applications(tenant, "A1")["results"][app_key("A1")]
    assert entity["firstName"] == "Johnny" and "source" not in entity


def test_deleting_an_application_deletes_its_notes_stages_and_feedback(tenant):
    put_applications(tenant, {"A1": application(), "A2": application()})
    for application_id in ("A1", "A2"):
        put_children(tenant, "notes", {"N1": NOTE}, application_id)
        put_children(tenant, "stages", {"S1": STAGE}, application_id)
        put_children(tenant, "interviewFeedback", {"F1": FEEDBACK}, application_id)
    tenant.client.delete("/v2/atsApplications?" + app_ids("A1"), headers=tenant.auth())
    put_applications(tenant, {"A1": application()})
    for resource, child in (("notes", "N1"), ("stages", "S1"), ("interviewFeedback", "F1")):
        assert get_children(tenant, resource, child)["statuses"] == {child: 404}
        assert get_children(tenant, resource, child, application_id="A2")["statuses"] == {
            child: 200
        }


def test_sub_resource_writes_need_the_application_synced(tenant):
    for resource, body in (("notes", NOTE), ("stages", STAGE), ("interviewFeedback", FEEDBACK)):
        reply = put_children(tenant, resource, {"X1": body}, application_id="NOPE")
        assert reply.status_code == 404, resource
        assert "not synced" in reply.json()["message"]


def test_sub_records_read_back_and_delete(tenant):
    put_applications(tenant, {"A1": application()})
    put_children(tenant, "stages", {"S1": STAGE, "S2": {**STAGE, "stage": "Hired"}})
    got = get_children(tenant, "stages", "S1", "S2")
    assert got["results"]["S2"] == {**STAGE, "stage": "Hired"}
    tenant.client.delete(sub("A1", "stages", "S1"), headers=tenant.auth())
    assert get_children(tenant, "stages", "S1", "S2")["statuses"] == {"S1": 404, "S2": 200}


@pytest.mark.parametrize(
    ("resource", "body", "field"),
    [
        ("stages", {"stage": "New"}, "atsCreatedAt"),
        ("stages", {"atsCreatedAt": 0, "stage": "New"}, "atsCreatedAt"),
        ("stages", {"atsCreatedAt": NOW}, "stage"),
        ("stages", {"atsCreatedAt": NOW, "stage": ""}, "stage"),
        ("stages", {"atsCreatedAt": NOW, "stage": "Not Available"}, "stage"),
        ("stages", {"atsCreatedAt": NOW, "stage": "not available "}, "stage"),
        ("notes", {**NOTE, "atsCreatedAt": 0}, "atsCreatedAt"),
        ("notes", {**NOTE, "note": 5}, "note"),
        ("notes", {**NOTE, "author": {"firstName": "Rita"}}, "lastName"),
        ("interviewFeedback", {**FEEDBACK, "atsCreatedAt": -1}, "atsCreatedAt"),
        ("interviewFeedback", {**FEEDBACK, "evaluations": {"a": "b"}}, "evaluations"),
        ("interviewFeedback", {**FEEDBACK, "evaluations": [{"attribute": "Coding"}]}, "result"),
        ("interviewFeedback", {**FEEDBACK, "evaluations": ["4/5"]}, "evaluations[0]"),
        ("interviewFeedback", {**FEEDBACK, "feedback": ["good"]}, "feedback"),
        ("interviewFeedback", {**FEEDBACK, "interviewer": {"lastName": "Book"}}, "firstName"),
        ("interviewFeedback", {**FEEDBACK, "interviewer": "Rita Book"}, "interviewer"),
    ],
)
def test_each_sub_resource_rule_fails_only_its_entity(tenant, resource, body, field):
    put_applications(tenant, {"A1": application()})
    good = {"notes": NOTE, "stages": STAGE, "interviewFeedback": FEEDBACK}[resource]
    reply = put_children(tenant, resource, {"GOOD": good, "BAD": body}).json()
    assert list(reply["results"]) == ["GOOD"]
    assert reply["errors"]["BAD"]["status"] == 400 and field in reply["errors"]["BAD"]["message"]


def test_sub_resource_ids_are_simple_keys(tenant):
    put_applications(tenant, {"A1": application()})
    reply = tenant.client.get(
        f"/v2/atsApplications/{app_key('A1')}/stages?ids[0].id=S1", headers=tenant.auth()
    )
    assert reply.status_code == 400


def test_application_batches_are_capped_at_batch_max(tenant):
    change_settings(tenant, batch_max=2)
    reply = put_applications(tenant, {a: application() for a in ("A1", "A2", "A3")})
    assert reply.status_code == 400 and "at most 2" in reply.json()["message"]
    put_applications(tenant, {"A1": application()})
    stages = put_children(tenant, "stages", {s: STAGE for s in ("S1", "S2", "S3")})
    assert stages.status_code == 400


def test_application_writes_count_calls_and_records(tenant):
    change_settings(tenant, records_per_minute=3)
    assert put_applications(tenant, {"A1": application(), "A2": application()}).status_code == 200
    assert put_children(tenant, "stages", {"S1": STAGE, "S2": STAGE}).status_code == 200
    assert put_children(tenant, "stages", {"S3": STAGE, "S4": STAGE}).status_code == 429
    tenant.clock.advance(60)
    change_settings(tenant, write_calls_per_day=1)  # each resource family has its own count
    assert put_applications(tenant, {"A3": application()}).status_code == 429
    assert get_children(tenant, "notes", "N1")["statuses"] == {"N1": 404}


def test_application_writes_need_an_enabled_integration(tmp_path):
    tenant = make_tenant(tmp_path, onboarded=False, members=5)
    assert put_applications(tenant, {"A1": application()}).status_code == 403


def test_partial_updates_are_not_supported_on_applications(tenant):
    reply = tenant.client.post(
        "/v2/atsApplications?" + app_ids("A1"),
        json={"entities": {app_key("A1"): {"patch": {"$set": {"source": "x"}}}}},
        headers={**tenant.auth(), "X-RestLi-Method": "batch_partial_update"},
    )
    assert reply.status_code == 405
