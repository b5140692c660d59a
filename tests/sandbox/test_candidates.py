import pytest

from tests.sandbox.conftest import ORG, candidate_body, candidate_ids, candidate_key

BATCH_UPDATE = {"X-RestLi-Method": "batch_update"}


def put_candidates(tenant, bodies: dict[str, dict], headers=None):
    return tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids(*bodies),
        json={"entities": {candidate_key(c): b for c, b in bodies.items()}},
        headers={**tenant.auth(), **BATCH_UPDATE, **(headers or {})},
    )


def test_it_upserts_candidates_and_answers_every_entity(tenant):
    reply = put_candidates(
        tenant,
        {"C1": candidate_body(), "C2": candidate_body("Grace", "Hopper", ("grace@example.com",))},
    )
    assert reply.status_code == 200
    assert reply.json() == {
        "results": {candidate_key("C1"): {"status": 204}, candidate_key("C2"): {"status": 204}},
        "errors": {},
    }
    got = tenant.client.get("/v2/atsCandidates?" + candidate_ids("C1"), headers=tenant.auth())
    entity = got.json()["results"][candidate_key("C1")]
    assert entity["firstName"] == "Ada" and entity["integrationContext"] == ORG
    assert got.json()["statuses"] == {candidate_key("C1"): 200}


def test_body_keys_match_in_any_field_order(tenant):
    shuffled = f"integrationContext={ORG}&atsCandidateId=C1&dataProvider=ATS"
    reply = tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids("C1"),
        json={"entities": {shuffled: candidate_body()}},
        headers={**tenant.auth(), **BATCH_UPDATE},
    )
    assert reply.json()["results"] == {shuffled: {"status": 204}}


def test_per_entity_validation_errors_leave_the_rest_written(tenant):
    bad = candidate_body(emails=("not-an-email",))
    reply = put_candidates(tenant, {"C1": candidate_body(), "C2": bad})
    body = reply.json()
    assert list(body["results"]) == [candidate_key("C1")]
    assert body["errors"][candidate_key("C2")]["status"] == 400
    assert "X@X.X" in body["errors"][candidate_key("C2")]["message"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"atsCreatedAt": 0}, "atsCreatedAt must be a positive epoch"),
        ({"atsCreatedAt": None}, "atsCreatedAt is required"),
        ({"atsLastModifiedAt": 1_600_000_000_000}, "must not be before atsCreatedAt"),
        ({"atsLastModifiedAt": None}, "atsLastModifiedAt is required"),
        ({"firstName": None}, "firstName is required"),
        ({"lastName": None}, "lastName is required"),
        ({"externalProfileUrl": None}, "externalProfileUrl is required"),
        ({"addresses": None}, "addresses is required"),
        ({"phoneNumbers": None}, "phoneNumbers is required"),
        ({"phoneNumbers": [{"extension": "1"}]}, "'number'"),
        ({"emailAddresses": None}, "emailAddresses is required unless a person URN"),
        ({"emailAddresses": ["a@b"]}, "X@X.X"),
        ({"doNotContact": "yes"}, "doNotContact must be a boolean"),
        ({"currentCompanyName": 42}, "currentCompanyName must be a string"),
    ],
)
def test_every_candidate_rule_is_checked_per_entity(tenant, change, message):
    body = {**candidate_body(), **change}
    body = {k: v for k, v in body.items() if v is not None}
    reply = put_candidates(tenant, {"C1": body})
    assert reply.status_code == 200
    error = reply.json()["errors"][candidate_key("C1")]
    assert error["status"] == 400
    assert message in error["message"]


def test_a_put_replaces_the_whole_record(tenant):
    put_candidates(tenant, {"C1": candidate_body(currentJobTitle="Engineer")})
    put_candidates(tenant, {"C1": candidate_body()})
    got = tenant.client.get("/v2/atsCandidates?" + candidate_ids("C1"), headers=tenant.auth())
    assert "currentJobTitle" not in got.json()["results"][candidate_key("C1")]


def test_matches_come_back_and_a_person_urn_can_be_attached_and_removed(tenant):
    db = tenant.client.app.state.sandbox.db
    with db.reading() as conn:
        member = conn.execute(
            "SELECT * FROM members WHERE id >= 100 AND email IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
    body = candidate_body(member["first_name"], member["last_name"], (member["email"],))
    put_candidates(tenant, {"C1": body})
    url = "/v2/atsCandidates?" + candidate_ids("C1")
    got = tenant.client.get(url, headers=tenant.auth()).json()["results"][candidate_key("C1")]
    assert got["matchedMembers"] == [f"urn:li:person:{member['person_id']}"]

    def patch(patch_body):
        return tenant.client.post(
            url,
            json={"entities": {candidate_key("C1"): {"patch": patch_body}}},
            headers={**tenant.auth(), "X-RestLi-Method": "batch_partial_update"},
        )

    assert patch({"$set": {"manualMatchedMember": "urn:li:person:abc123"}}).json()["errors"] == {}
    got = tenant.client.get(url, headers=tenant.auth()).json()["results"][candidate_key("C1")]
    assert got["manualMatchedMember"] == "urn:li:person:abc123"
    # A full replace keeps the attached person; emails are then optional.
    no_emails = {k: v for k, v in candidate_body().items() if k != "emailAddresses"}
    assert put_candidates(tenant, {"C1": no_emails}).json()["errors"] == {}
    assert patch({"$delete": ["manualMatchedMember"]}).json()["errors"] == {}
    got = tenant.client.get(url, headers=tenant.auth()).json()["results"][candidate_key("C1")]
    assert "manualMatchedMember" not in got
    bad = patch({"$set": {"firstName": "Eve"}}).json()["errors"][candidate_key("C1")]
    assert "cannot be changed" in bad["message"]


def test_attaching_a_person_to_an_unsynced_candidate_is_a_404_entity(tenant):
    reply = tenant.client.post(
        "/v2/atsCandidates?" + candidate_ids("NEW"),
        json={
            "entities": {
                candidate_key("NEW"): {
                    "patch": {"$set": {"manualMatchedMember": "urn:li:person:abc"}}
                }
            }
        },
        headers={**tenant.auth(), "X-RestLi-Method": "batch_partial_update"},
    )
    assert reply.json()["errors"][candidate_key("NEW")]["status"] == 404


def notes_url(candidate_id, *note_ids):
    return f"/v2/atsCandidates/{candidate_key(candidate_id)}/notes?" + "&".join(
        f"ids={n}" for n in note_ids
    )


def test_notes_are_written_validated_and_deleted_with_their_candidate(tenant):
    put_candidates(tenant, {"C1": candidate_body()})
    good = {
        "atsCreatedAt": 1_690_000_000_000,
        "note": "Great call",
        "author": {"firstName": "Rita", "lastName": "Recruiter"},
    }
    bad = {"atsCreatedAt": -1, "note": "x"}
    reply = tenant.client.put(
        notes_url("C1", "N1", "N2"),
        json={"entities": {"N1": good, "N2": bad}},
        headers={**tenant.auth(), **BATCH_UPDATE},
    )
    assert reply.json()["results"] == {"N1": {"status": 204}}
    assert reply.json()["errors"]["N2"]["status"] == 400
    got = tenant.client.get(notes_url("C1", "N1"), headers=tenant.auth())
    assert got.json()["results"]["N1"]["note"] == "Great call"
    tenant.client.delete("/v2/atsCandidates?" + candidate_ids("C1"), headers=tenant.auth())
    gone = tenant.client.get(notes_url("C1", "N1"), headers=tenant.auth())
    assert gone.json()["errors"]["N1"]["status"] == 404


def test_notes_of_an_unsynced_candidate_are_refused(tenant):
    reply = tenant.client.put(
        notes_url("NOPE", "N1"),
        json={"entities": {"N1": {"note": "hi"}}},
        headers={**tenant.auth(), **BATCH_UPDATE},
    )
    assert reply.status_code == 404
