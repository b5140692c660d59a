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
