"""Rest.li keys, parameters and tunnelling, spelled exactly as LinkedIn takes them."""

import email.parser
import email.policy
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hirebridge.linkedin import restli
from hirebridge.linkedin.restli import Protocol

ORG = "urn:li:organization:1"
CANDIDATE = {"atsCandidateId": "C1", "dataProvider": "ATS", "integrationContext": ORG}


def test_it_spells_complex_keys_of_protocol_1_as_postman_does():
    assert restli.encode_key(CANDIDATE, Protocol.V1) == (
        "atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:1"
    )


def test_it_encodes_what_would_break_a_protocol_1_key():
    key = {"atsCandidateId": "a&b=c d/e", "integrationContext": ORG}
    assert restli.encode_key(key, Protocol.V1) == (
        "atsCandidateId=a%26b%3Dc%20d%2Fe&integrationContext=urn:li:organization:1"
    )


def test_it_spells_complex_keys_of_protocol_2_sorted_and_encoded():
    key = {"integrationContext": ORG, "externalCandidateId": "C 1"}
    assert restli.encode_key(key, Protocol.V2) == (
        "(externalCandidateId:C%201,integrationContext:urn%3Ali%3Aorganization%3A1)"
    )


def test_it_indexes_complex_batch_ids():
    second = {**CANDIDATE, "atsCandidateId": "C2"}
    assert restli.encode_ids([CANDIDATE, second], Protocol.V1) == (
        "ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext="
        "urn:li:organization:1&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS"
        "&ids[1].integrationContext=urn:li:organization:1"
    )


def test_it_repeats_simple_batch_ids():
    assert restli.encode_ids(["CALLBACK_URL", "JOB_POSTING_VIEWERS"], Protocol.V1) == (
        "ids=CALLBACK_URL&ids=JOB_POSTING_VIEWERS"
    )


def test_it_lists_batch_ids_in_protocol_2():
    assert restli.encode_ids(["urn:li:task:1", {"b": "2", "a": "1"}], Protocol.V2) == (
        "ids=List(urn%3Ali%3Atask%3A1,(a:1,b:2))"
    )


def test_finder_parameters_repeat_in_protocol_1_and_list_in_protocol_2():
    params = {"q": "contract", "owners": ["urn:li:seat:1", "urn:li:seat:2"], "start": 0}
    assert restli.encode_params(params, Protocol.V1) == (
        "q=contract&owners=urn:li:seat:1&owners=urn:li:seat:2&start=0"
    )
    assert restli.encode_params(params, Protocol.V2) == (
        "q=contract&owners=List(urn%3Ali%3Aseat%3A1,urn%3Ali%3Aseat%3A2)&start=0"
    )


@pytest.mark.parametrize(
    "spelled",
    [
        "atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:1",
        "integrationContext=urn%3Ali%3Aorganization%3A1&atsCandidateId=C1&dataProvider=ATS",
        "atsCandidateId%3DC1%26dataProvider%3DATS%26integrationContext%3Durn%3Ali%3Aorganization%3A1",
        "(atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A1)",
    ],
)
def test_reply_keys_match_in_any_field_order_and_encoding(spelled):
    assert restli.parse_key(spelled) == restli.identity(CANDIDATE)


def test_a_malformed_reply_key_is_refused():
    with pytest.raises(ValueError, match="malformed"):
        restli.parse_key("atsCandidateId=C1&dataProvider")


names = st.sampled_from(["atsCandidateId", "integrationContext", "dataProvider", "x"])
values = st.text(min_size=1, max_size=20)


@given(key=st.dictionaries(names, values, min_size=1), protocol=st.sampled_from(Protocol))
def test_every_encoded_complex_key_reads_back(key, protocol):
    assert restli.parse_key(restli.encode_key(key, protocol)) == restli.identity(key)


@given(key=st.text(min_size=1, max_size=20).filter(lambda k: "=" not in k and k.strip() == k))
def test_every_encoded_simple_key_reads_back(key):
    for protocol in Protocol:
        assert restli.parse_key(restli.encode_key(key, protocol)) == key


def test_it_tunnels_only_past_4000_bytes():
    assert not restli.needs_tunnel("q=" + "a" * 3998)
    assert restli.needs_tunnel("q=" + "a" * 3999)
    assert restli.needs_tunnel("q=" + "é" * 2000)  # bytes, not characters


def test_a_tunnelled_read_carries_its_query_as_a_form_body():
    headers, body = restli.tunnel("GET", "ids=A&ids=B", None)
    assert headers == {
        "X-HTTP-Method-Override": "GET",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert body == b"ids=A&ids=B"


def test_a_tunnelled_write_is_multipart_mixed_with_the_query_then_the_json():
    content = json.dumps({"entities": {"A": {"x": 1}}}).encode()
    headers, body = restli.tunnel("PUT", "ids=A", content)
    assert headers["X-HTTP-Method-Override"] == "PUT"
    boundary = headers["Content-Type"].removeprefix("multipart/mixed; boundary=")
    assert boundary and boundary.encode() not in content
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body
    )
    query, entity = message.iter_parts()
    assert query.get_content_type() == "application/x-www-form-urlencoded"
    assert query.get_payload(decode=True).strip() == b"ids=A"
    assert entity.get_content_type() == "application/json"
    assert json.loads(entity.get_payload(decode=True)) == {"entities": {"A": {"x": 1}}}


def test_v2_routes_keep_keys_and_fields_as_they_are():
    route = restli.RESOURCES["atsCandidates"].route()
    assert (route.path, route.protocol, route.headers) == ("/v2/atsCandidates", Protocol.V1, {})
    assert route.key(CANDIDATE) == CANDIDATE
    assert route.entity({"atsCreatedAt": 1}) == {"atsCreatedAt": 1}


def test_rest_routes_rename_fields_drop_data_provider_and_send_the_version():
    route = restli.RESOURCES["atsCandidates"].route("202602")
    assert route.path == "/rest/candidates"
    assert route.protocol is Protocol.V2
    assert route.headers == {"LinkedIn-Version": "202602", "X-Restli-Protocol-Version": "2.0.0"}
    assert route.key(CANDIDATE) == {"externalCandidateId": "C1", "integrationContext": ORG}
    assert route.entity({"atsCreatedAt": 1, "firstName": "Ada"}) == {
        "externalCreatedAt": 1,
        "firstName": "Ada",
    }
    assert route.entity_back({"externalLastModifiedAt": 2}) == {"atsLastModifiedAt": 2}


def test_a_sub_resource_route_puts_the_parent_key_in_the_path():
    integration = {"integrationContext": ORG, "integrationType": "ONE_CLICK_EXPORT"}
    route = restli.RESOURCES["atsIntegrations"].route().child(integration, "configurations")
    assert route.path == (
        "/v2/atsIntegrations/integrationContext=urn:li:organization:1"
        "&integrationType=ONE_CLICK_EXPORT/configurations"
    )


def test_only_resources_linkedin_serves_under_rest_can_switch():
    with pytest.raises(ValueError, match="seatsV2 is not served under /rest/"):
        restli.RESOURCES["seatsV2"].route("202602")
    with pytest.raises(ValueError, match="is not YYYYMM"):
        restli.RESOURCES["atsCandidates"].route("2026-02")
