"""Rest.li keys, methods and the gateway's tunnelling and URL-length rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox import restli
from sandbox.errors import LinkedInError
from tests.sandbox.conftest import ORG, candidate_body, candidate_ids, candidate_key


def test_protocol_1_complex_keys_in_the_query():
    params = restli.parse_query(candidate_ids("C1", "C2"))
    assert restli.parse_batch_ids(params) == [
        restli.complex_key(atsCandidateId="C1", dataProvider="ATS", integrationContext=ORG),
        restli.complex_key(atsCandidateId="C2", dataProvider="ATS", integrationContext=ORG),
    ]


def test_encoded_brackets_and_colons_parse_the_same():
    encoded = (
        "ids%5B0%5D.atsCandidateId=C1&ids%5B0%5D.dataProvider=ATS&"
        "ids%5B0%5D.integrationContext=urn%3Ali%3Aorganization%3A98765001"
    )
    assert restli.parse_batch_ids(restli.parse_query(encoded)) == restli.parse_batch_ids(
        restli.parse_query(candidate_ids("C1"))
    )


def test_protocol_2_list_keys():
    org = "urn%3Ali%3Aorganization%3A1"
    first, second = (
        f"atsCandidateId:C1,integrationContext:{org}",
        f"atsCandidateId:C2,integrationContext:{org}",
    )
    text = f"List(({first}),({second}))"
    keys = restli.parse_batch_ids([("ids", text)])
    assert keys[1] == restli.complex_key(
        atsCandidateId="C2", integrationContext="urn:li:organization:1"
    )


def test_simple_keys_and_body_keys_in_any_order():
    assert restli.parse_batch_ids([("ids", "STAGE001"), ("ids", "STAGE002")]) == [
        "STAGE001",
        "STAGE002",
    ]
    assert (
        restli.parse_key("b=2&a=1") == restli.parse_key("a=1&b=2") == restli.parse_key("(a:1,b:2)")
    )


@pytest.mark.parametrize(
    "query",
    [
        "ids[0].atsCandidateId=C1&ids[2].atsCandidateId=C2",  # a gap in the indexes
        "ids[0].atsCandidateId=C1&ids[0].atsCandidateId=C2",  # a field twice
        "ids[0].atsCandidateId=C1&ids=C2",  # simple and complex mixed
        "ids[x].atsCandidateId=C1",
        "ids=List((a:1)",
    ],
)
def test_malformed_keys_are_refused(query):
    with pytest.raises(LinkedInError) as error:
        restli.parse_batch_ids(restli.parse_query(query))
    assert error.value.status == 400


def test_a_malformed_key_gets_linkedins_400_body(tenant):
    reply = tenant.client.get(
        "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[3].dataProvider=ATS", headers=tenant.auth()
    )
    assert reply.status_code == 400
    assert set(reply.json()) == {"status", "serviceErrorCode", "code", "message"}


@given(
    st.lists(
        st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), min_size=1, max_size=5, unique=True
    )
)
def test_rendered_keys_parse_back_to_themselves(ids):
    keys = [
        restli.complex_key(atsCandidateId=i, dataProvider="ATS", integrationContext=ORG)
        for i in ids
    ]
    for key in keys:
        assert restli.parse_key(restli.render_key(key)) == key
        assert restli.parse_key(restli.canonical(key)) == key


@pytest.mark.parametrize(
    ("verb", "header", "ids", "q", "entity", "expected"),
    [
        ("GET", None, True, False, False, "batch_get"),
        ("GET", None, False, True, False, "finder"),
        ("PUT", None, True, False, False, "batch_update"),
        ("DELETE", None, True, False, False, "batch_delete"),
        ("POST", None, False, False, True, "partial_update"),
        ("POST", None, False, False, False, "create"),
        ("POST", "BATCH_PARTIAL_UPDATE", True, False, False, "batch_partial_update"),
    ],
)
def test_the_restli_method_is_inferred_when_the_header_is_absent(
    verb, header, ids, q, entity, expected
):
    assert restli.restli_method(verb, header, has_ids=ids, has_q=q, on_entity=entity) == expected


def many_ids(count):
    return [f"CANDIDATE-{n:06d}" for n in range(count)]


def test_an_untunnelled_query_over_4kb_gets_414(tenant):
    query = candidate_ids(*many_ids(60))
    assert len(query) > 4096
    reply = tenant.client.get("/v2/atsCandidates?" + query, headers=tenant.auth())
    assert reply.status_code == 414
    assert "tunnel" in reply.json()["message"]


def test_a_tunnelled_batch_get_reads_its_query_from_a_form_body(tenant):
    query = candidate_ids(*many_ids(60))
    reply = tenant.client.post(
        "/v2/atsCandidates",
        content=query,
        headers={
            **tenant.auth(),
            "X-HTTP-Method-Override": "GET",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert reply.status_code == 200
    assert len(reply.json()["errors"]) == 60  # all 404: none synced yet, but every key parsed


def test_a_tunnelled_batch_update_of_100_carries_query_and_body_in_multipart(tenant):
    import json

    ids = many_ids(100)
    query = candidate_ids(*ids)
    body = json.dumps(
        {"entities": {candidate_key(c): candidate_body(emails=(f"{c}@x.io",)) for c in ids}}
    )
    multipart = (
        f"--b\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n{query}\r\n"
        f"--b\r\nContent-Type: application/json\r\n\r\n{body}\r\n--b--\r\n"
    )
    reply = tenant.client.post(
        "/v2/atsCandidates",
        content=multipart.encode(),
        headers={
            **tenant.auth(),
            "X-HTTP-Method-Override": "PUT",
            "X-RestLi-Method": "batch_update",
            "Content-Type": "multipart/mixed; boundary=b",
        },
    )
    assert reply.status_code == 200, reply.text
    assert len(reply.json()["results"]) == 100 and reply.json()["errors"] == {}


def test_a_batch_over_100_is_refused(tenant):
    ids = many_ids(101)
    reply = tenant.client.post(
        "/v2/atsCandidates",
        content=candidate_ids(*ids),
        headers={
            **tenant.auth(),
            "X-HTTP-Method-Override": "GET",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert reply.status_code == 400
    assert "at most 100" in reply.json()["message"]
