"""Fault injection: every HTTP fault knob, seeded replay, `times`, and the push fault settings."""

import json
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from sandbox import faults
from sandbox.fault_injection import ConnectionDropped, without_ids
from sandbox.restli import complex_key
from tests.sandbox.conftest import ORG, candidate_body, candidate_ids, candidate_key, make_tenant

BATCH_UPDATE = {"X-RestLi-Method": "batch_update"}
EMEA, US = "urn:li:contract:70001001", "urn:li:contract:70001002"
SEATS = f"/v2/seatsV2?q=attributes&contracts={EMEA}&contracts={US}"


def set_faults(tenant, config: dict) -> dict:
    reply = tenant.client.put("/_sandbox/faults", json=config)
    assert reply.status_code == 200, reply.text
    return reply.json()


def put_candidates(tenant, headers: dict, *candidates: str):
    return tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids(*candidates),
        json={"entities": {candidate_key(c): candidate_body() for c in candidates}},
        headers={**headers, **BATCH_UPDATE},
    )


def get_candidates(tenant, headers: dict, *candidates: str) -> dict:
    reply = tenant.client.get("/v2/atsCandidates?" + candidate_ids(*candidates), headers=headers)
    assert reply.status_code == 200, reply.text
    return reply.json()


def ledger_faults(tenant, path: str = "/v2") -> list:
    elements = tenant.client.get("/_sandbox/ledger", params={"path": path}).json()["elements"]
    return [row["fault"] for row in elements]


def test_a_status_rule_answers_with_linkedins_error_shape(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"method": "PUT", "path": "/v2/atsCandidates", "status": 503}]})
    reply = put_candidates(tenant, headers, "C1")
    assert reply.status_code == 503
    assert reply.json()["status"] == 503
    assert "http[0].status" in reply.json()["message"]
    assert "retry-after" not in reply.headers
    assert get_candidates(tenant, headers, "C1")["errors"][candidate_key("C1")]["status"] == 404
    assert ledger_faults(tenant) == ["http[0].status", None]


def test_429_comes_with_or_without_retry_after(tenant):
    headers = tenant.auth()
    set_faults(
        tenant,
        {
            "http": [
                {"path": "/v2/atsCandidates", "status": 429, "retry_after": 7, "times": 1},
                {"path": "/v2/atsCandidates", "status": 429, "times": 1},
            ]
        },
    )
    first, second = put_candidates(tenant, headers, "C1"), put_candidates(tenant, headers, "C1")
    assert (first.status_code, first.headers["retry-after"]) == (429, "7")
    assert second.status_code == 429 and "retry-after" not in second.headers
    assert first.json()["code"] == "TOO_MANY_REQUESTS"
    assert put_candidates(tenant, headers, "C1").status_code == 200


def test_a_delay_rule_holds_the_answer_back_and_the_ledger_names_it(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"path": "/v2/atsCandidates", "delay_ms": 30, "name": "slow"}]})
    started = time.monotonic()
    assert put_candidates(tenant, headers, "C1").status_code == 200
    assert time.monotonic() - started >= 0.03
    assert ledger_faults(tenant) == ["slow"]


def test_a_reset_drops_the_connection_after_the_write(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"path": "/v2/atsCandidates", "reset": True, "times": 1}]})
    with pytest.raises(ConnectionDropped):
        put_candidates(tenant, headers, "C1")
    assert candidate_key("C1") in get_candidates(tenant, headers, "C1")["results"]
    assert ledger_faults(tenant)[0] == "http[0].reset"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_http_client_sees_a_reset_as_a_connection_error(tmp_path):
    tenant = make_tenant(tmp_path, members=20)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(tenant.client.app, host="127.0.0.1", port=port, log_level="critical")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        with httpx.Client(base_url=base, timeout=10) as client:
            client.put(
                "/_sandbox/faults", json={"http": [{"path": "/oauth", "reset": True}]}
            ).raise_for_status()
            creds = tenant.info["customer_app"]
            with pytest.raises(httpx.TransportError):
                client.post(
                    "/oauth/v2/accessToken",
                    data={"grant_type": "client_credentials", **creds},
                )
            client.delete("/_sandbox/faults").raise_for_status()
            ok = client.post(
                "/oauth/v2/accessToken", data={"grant_type": "client_credentials", **creds}
            )
            assert ok.status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_truncate_sends_a_cut_off_json_body_with_200(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"path": "/v2/atsCandidates", "truncate": True}]})
    reply = put_candidates(tenant, headers, "C1", "C2")
    assert reply.status_code == 200
    assert int(reply.headers["content-length"]) == len(reply.content) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.content)
    assert reply.content.startswith(b'{"results"')


def test_entity_errors_fail_some_entities_of_a_batch_without_writing_them(tenant):
    headers = tenant.auth()
    set_faults(
        tenant,
        {
            "seed": 3,
            "http": [
                {
                    "method": "PUT",
                    "path": "/v2/atsCandidates",
                    "entity_errors": {"fraction": 0.5, "status": 500},
                }
            ],
        },
    )
    batch = ("C1", "C2", "C3", "C4")
    body = put_candidates(tenant, headers, *batch).json()
    assert len(body["errors"]) == 2 and len(body["results"]) == 2
    assert set(body["errors"]) | set(body["results"]) == {candidate_key(c) for c in batch}
    assert {e["status"] for e in body["errors"].values()} == {500}
    tenant.client.delete("/_sandbox/faults")
    stored = get_candidates(tenant, headers, *batch)
    assert set(stored["results"]) == set(body["results"])
    assert {k: e["status"] for k, e in stored["errors"].items()} == dict.fromkeys(
        body["errors"], 404
    )


def test_entity_errors_leave_the_resources_own_errors_in_place(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"path": "/v2/atsCandidates", "entity_errors": {"fraction": 1}}]})
    reply = put_candidates(tenant, headers, "C1")
    assert reply.json() == {
        "results": {},
        "errors": {candidate_key("C1"): reply.json()["errors"][candidate_key("C1")]},
    }
    assert reply.json()["errors"][candidate_key("C1")]["status"] == 500
    set_faults(tenant, {"http": [{"path": "/v2/atsCandidates", "entity_errors": {"fraction": 0}}]})
    bad = {**candidate_body(), "emailAddresses": ["not-an-email"]}
    reply = tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids("C1", "C2"),
        json={"entities": {candidate_key("C1"): candidate_body(), candidate_key("C2"): bad}},
        headers={**headers, **BATCH_UPDATE},
    )
    assert list(reply.json()["results"]) == [candidate_key("C1")]
    assert reply.json()["errors"][candidate_key("C2")]["status"] == 400


def test_entity_errors_do_not_touch_requests_without_entities(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"path": "/v2", "entity_errors": {"fraction": 1}}]})
    assert get_candidates(tenant, headers, "C1")["errors"][candidate_key("C1")]["status"] == 404
    assert ledger_faults(tenant) == [None]


def test_without_ids_takes_keys_out_of_every_query_form():
    c1 = complex_key(atsCandidateId="C1", dataProvider="ATS", integrationContext=ORG)
    indexed = candidate_ids("C1", "C2", "C3").encode()
    assert without_ids(indexed, {c1}).decode() == candidate_ids("C2", "C3")
    assert without_ids(b"ids=A&ids=B&x=1", {"A"}) == b"ids=B&x=1"
    listed = b"ids=List((atsCandidateId:C1,dataProvider:ATS),(atsCandidateId:C2,dataProvider:ATS))"
    dropped = {complex_key(atsCandidateId="C1", dataProvider="ATS")}
    assert without_ids(listed, dropped) == b"ids=List((atsCandidateId:C2,dataProvider:ATS))"


def seat_ids(reply) -> list[int]:
    return [seat["id"] for seat in reply.json()["elements"]]


def test_paging_drift_shifts_a_finders_start_but_shows_the_one_asked_for(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"path": "/v2/seatsV2", "paging_drift": -1}]})
    page = tenant.client.get(SEATS + "&start=2&count=2", headers=headers)
    assert page.status_code == 200, page.text
    assert seat_ids(page) == [5000002, 5000003]
    assert page.json()["paging"]["start"] == 2
    set_faults(tenant, {"http": [{"path": "/v2/seatsV2", "paging_drift": 1}]})
    assert seat_ids(tenant.client.get(SEATS + "&start=2&count=2", headers=headers)) == [
        5000004,
        5000005,
    ]
    assert ledger_faults(tenant, "/v2/seatsV2") == ["http[0].paging_drift"] * 2


def test_paging_drift_leaves_a_finder_without_start_alone(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"path": "/v2/seatsV2", "paging_drift": 3}]})
    assert tenant.client.get(SEATS, headers=headers).status_code == 400
    assert ledger_faults(tenant, "/v2/seatsV2") == [None]


def decisions(tenant, seed: int, calls: int = 24) -> list[int]:
    headers = tenant.auth()
    set_faults(
        tenant, {"seed": seed, "http": [{"path": "/v2/seatsV2", "rate": 0.5, "status": 500}]}
    )
    return [
        tenant.client.get(SEATS + "&start=0", headers=headers).status_code for _ in range(calls)
    ]


def test_a_rate_fires_some_of_the_time_and_the_same_seed_replays(tenant):
    first = decisions(tenant, seed=11)
    assert {200, 500} == set(first)
    assert decisions(tenant, seed=11) == first
    assert decisions(tenant, seed=12) != first


def test_rate_zero_never_fires_and_times_caps_the_firings(tenant):
    headers = tenant.auth()
    set_faults(
        tenant,
        {
            "http": [
                {"path": "/v2/seatsV2", "rate": 0, "status": 500},
                {"path": "^/v2/seats", "status": 503, "times": 2},
            ]
        },
    )
    statuses = [tenant.client.get(SEATS + "&start=0", headers=headers).status_code for _ in "abc"]
    assert statuses == [503, 503, 200]


def test_method_and_path_must_both_match(tenant):
    headers = tenant.auth()
    set_faults(tenant, {"http": [{"method": "PUT", "path": "/v2/seats", "status": 500}]})
    assert tenant.client.get(SEATS + "&start=0", headers=headers).status_code == 200
    set_faults(tenant, {"http": [{"path": "^/v2/seats$", "status": 500}]})
    assert tenant.client.get(SEATS + "&start=0", headers=headers).status_code == 200


def test_sandbox_paths_are_never_faulted(tenant):
    set_faults(tenant, {"http": [{"path": "^/", "status": 500}]})
    assert tenant.client.get("/_sandbox/faults").status_code == 200
    assert tenant.client.get("/_sandbox/tenant").status_code == 200


def test_the_fault_configuration_is_validated_naming_the_field(tenant):
    cases = [
        ({"http": [{"status": 500, "rate": 2}]}, "http[0].rate"),
        ({"http": [{"status": 200}]}, "http[0].status"),
        ({"http": [{"path": "/v2"}]}, "http[0]: needs exactly one effect"),
        ({"http": [{"status": 500, "reset": True}]}, "http[0]: needs exactly one effect"),
        ({"http": [{"status": 500, "retry_after": 3}]}, "http[0].retry_after"),
        ({"http": [{"status": 500, "path": "^("}]}, "http[0].path"),
        ({"http": [{"status": 500, "method": "FETCH"}]}, "http[0].method"),
        ({"http": [{"status": 500, "times": 0}]}, "http[0].times"),
        ({"http": [{"entity_errors": {"status": 500}}]}, "http[0].entity_errors.fraction"),
        ({"http": [{"paging_drift": 0}]}, "http[0].paging_drift"),
        ({"http": [{"status": 500, "colour": 1}]}, "http[0].colour"),
        ({"push": {"drop": 1.5}}, "push.drop"),
        ({"push": {"delay_ms": -1}}, "push.delay_ms"),
        ({"push": {"lose": 0.1}}, "push.lose"),
        ({"seed": "x"}, "seed"),
        ({"extra": 1}, "extra"),
    ]
    for config, field in cases:
        reply = tenant.client.put("/_sandbox/faults", json=config)
        assert reply.status_code == 400, (config, reply.text)
        assert reply.json()["message"].startswith(field), (field, reply.json())
        assert reply.json()["code"] == "BAD_REQUEST"


def test_faults_are_stored_with_defaults_and_can_be_cleared(tenant):
    assert tenant.client.get("/_sandbox/faults").json() == faults.empty()
    saved = set_faults(tenant, {"seed": 5, "http": [{"status": 503}], "push": {"drop": 0.5}})
    assert saved["http"] == [{"method": "*", "path": "/", "rate": 1.0, "status": 503}]
    assert saved["push"]["drop"] == 0.5 and saved["push"]["duplicate"] == 0
    assert tenant.client.get("/_sandbox/faults").json() == saved
    assert tenant.client.delete("/_sandbox/faults").json() == faults.empty()
    assert tenant.client.get("/_sandbox/faults").json() == faults.empty()


def test_push_faults_read_the_stored_rates_and_replay_from_the_seed(tenant):
    db = tenant.client.app.state.sandbox.db
    with db.reading() as conn:
        idle = faults.push_faults(conn)
    assert (idle.duplicate, idle.drop, idle.delay_ms) == (0, 0, 0)
    config = {"seed": 9, "push": {"duplicate": 0.25, "reorder": 0.5, "early_ms": 200}}

    def draws() -> list[float]:
        set_faults(tenant, config)
        with db.reading() as conn:
            return [faults.push_faults(conn).rng.random() for _ in range(3)]

    set_faults(tenant, config)
    with db.reading() as conn:
        pushed = faults.push_faults(conn)
    assert (pushed.duplicate, pushed.reorder, pushed.early_ms, pushed.drop) == (0.25, 0.5, 200, 0)
    first = draws()
    assert len(set(first)) == 3
    assert draws() == first
