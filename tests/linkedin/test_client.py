"""The LinkedIn client: first against a scripted LinkedIn (httpx.MockTransport) to pin the wire
format, tokens, retries and typed errors; then against the sandbox over real HTTP."""

import email.parser
import email.policy
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl

import httpx
import pytest

from hirebridge.linkedin.client import (
    AuthError,
    Backoff,
    DailyQuotaExceeded,
    IntegrationKey,
    InvalidReply,
    LinkedInClient,
    Permanent,
    Throttled,
    Transient,
)

API = "https://api.example.test"
OAUTH = "https://www.example.test"
ORG = "urn:li:organization:1"
SECRET = "s3cr/et+="
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()
KEY_C1 = "atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:1"

Reply = Callable[[httpx.Request], httpx.Response]


def answer(status: int = 200, body: object = None, headers: dict | None = None) -> Reply:
    def reply(request: httpx.Request) -> httpx.Response:
        content = b"" if body is None else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers or {})

    return reply


def fail(error: type[httpx.TransportError]) -> Reply:
    def reply(request: httpx.Request) -> httpx.Response:
        raise error("scripted failure", request=request)

    return reply


def ok_for_every_key(request: httpx.Request) -> httpx.Response:
    """A batch write that succeeded for every entity the request carried."""
    body = json.loads(entity_part(request))
    return httpx.Response(200, json={"results": {k: {"status": 204} for k in body["entities"]}})


def entity_part(request: httpx.Request) -> bytes:
    """The JSON body of a write, tunnelled or not."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/mixed"):
        return request.content
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.content
    )
    return list(message.iter_parts())[1].get_payload(decode=True)


def error(status: int, message: str, headers: dict | None = None) -> Reply:
    body = {"status": status, "serviceErrorCode": 100, "code": "X", "message": message}
    return answer(status, body, headers)


class FakeLinkedIn:
    """LinkedIn as a script: each path answers from its queue (the last reply repeats); the
    token endpoint numbers its tokens unless scripted."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.scripts: dict[str, list[Reply]] = defaultdict(list)
        self.tokens = 0

    def on(self, path: str, *replies: Reply) -> None:
        self.scripts[path] += replies

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        script = self.scripts.get(request.url.path)
        if not script and request.url.path == "/oauth/v2/accessToken":
            self.tokens += 1
            return httpx.Response(
                200, json={"access_token": f"token-{self.tokens}", "expires_in": 1800}
            )
        assert script, f"nothing scripted for {request.method} {request.url}"
        return (script.pop(0) if len(script) > 1 else script[0])(request)

    def api_calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/oauth/v2/accessToken"]


class Clock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def linkedin(settings) -> FakeLinkedIn:
    settings.LINKEDIN_API_BASE = API + "/"
    settings.LINKEDIN_OAUTH_BASE = OAUTH
    return FakeLinkedIn()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(linkedin, clock, sleeps):
    def make(**kwargs) -> LinkedInClient:
        return LinkedInClient(
            "client-1",
            SECRET,
            clock=clock,
            sleep=sleeps.append,
            transport=httpx.MockTransport(linkedin),
            **kwargs,
        )

    return make


@pytest.fixture
def client(make_client) -> LinkedInClient:
    return make_client()


def candidate(last_name: str = "Lovelace") -> dict:
    return {"firstName": "Ada", "lastName": last_name, "atsCreatedAt": 1, "atsLastModifiedAt": 1}


# Tokens.


def test_it_fetches_a_token_with_client_credentials_from_the_oauth_base(client, linkedin):
    assert client.token().access_token == "token-1"
    [request] = linkedin.requests
    assert (request.method, str(request.url)) == ("POST", f"{OAUTH}/oauth/v2/accessToken")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert (
        request.content
        == b"grant_type=client_credentials&client_id=client-1&client_secret=s3cr%2Fet%2B%3D"
    )


def test_it_reads_expires_in_given_as_a_string(client, linkedin):
    linkedin.on("/oauth/v2/accessToken", answer(200, {"access_token": "t", "expires_in": "1800"}))
    assert client.token().expires_in == 1800


def test_it_reuses_the_token_until_a_minute_before_it_expires(client, linkedin, clock):
    client.token()
    clock.now += 1739
    assert client.token().access_token == "token-1"
    clock.now += 2
    assert client.token().access_token == "token-2"


def test_it_renews_the_token_once_on_401_and_makes_the_call_again(client, linkedin):
    linkedin.on("/v2/exportedCandidates", error(401, "expired"), answer(200, {"elements": []}))
    assert client.exported_candidates("42") == []
    first, second = linkedin.api_calls()
    assert first.headers["authorization"] == "Bearer token-1"
    assert second.headers["authorization"] == "Bearer token-2"


def test_a_renewed_token_refused_again_is_an_auth_error(client, linkedin):
    linkedin.on("/v2/exportedCandidates", error(401, "Invalid access token"))
    with pytest.raises(AuthError, match="Invalid access token") as refused:
        client.exported_candidates("42")
    assert refused.value.status == 401
    assert len(linkedin.api_calls()) == 2


def test_refused_credentials_are_an_auth_error_without_the_secret(client, linkedin):
    linkedin.on(
        "/oauth/v2/accessToken",
        answer(
            401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        ),
    )
    with pytest.raises(AuthError, match="Client authentication failed") as refused:
        client.token()
    assert SECRET not in str(refused.value)


def test_it_wants_credentials():
    with pytest.raises(ValueError, match="client_secret"):
        LinkedInClient("client-1", "")


# Retries and typed errors.


def test_it_retries_5xx_and_broken_connections_with_full_jitter(client, linkedin, sleeps):
    linkedin.on(
        "/v2/exportedCandidates",
        error(503, "busy"),
        fail(httpx.ConnectError),
        answer(200, {"elements": []}),
    )
    assert client.exported_candidates("42") == []
    assert len(linkedin.api_calls()) == 3
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5
    assert 0 <= sleeps[1] <= 1.0


def test_it_waits_at_least_what_retry_after_asks(client, linkedin, sleeps, clock):
    in_30_seconds = format_datetime(datetime.fromtimestamp(clock.now + 30, UTC), usegmt=True)
    linkedin.on(
        "/v2/exportedCandidates",
        error(429, "slow down", {"Retry-After": "7"}),
        error(503, "busy", {"Retry-After": in_30_seconds}),
        answer(200, {"elements": []}),
    )
    client.exported_candidates("42")
    assert sleeps == [7.0, 30.0]


def test_a_retry_after_longer_than_the_cap_ends_the_retries(client, linkedin, sleeps):
    linkedin.on("/v2/exportedCandidates", error(429, "come back later", {"Retry-After": "90"}))
    with pytest.raises(Throttled) as throttled:
        client.exported_candidates("42")
    assert throttled.value.retry_after == 90
    assert (len(linkedin.api_calls()), sleeps) == (1, [])


def test_429s_that_persist_are_throttled_after_the_bounded_attempts(make_client, linkedin, sleeps):
    client = make_client(backoff=Backoff(attempts=4))
    linkedin.on("/v2/exportedCandidates", error(429, "Too many requests"))
    with pytest.raises(Throttled, match="Too many requests") as throttled:
        client.exported_candidates("42")
    assert type(throttled.value) is Throttled
    assert throttled.value.retry_after is None
    assert (len(linkedin.api_calls()), len(sleeps)) == (4, 3)


def test_retries_stop_when_the_waiting_budget_is_spent(make_client, linkedin, sleeps):
    client = make_client(backoff=Backoff(attempts=10, budget=10))
    linkedin.on("/v2/exportedCandidates", error(503, "busy", {"Retry-After": "4"}))
    with pytest.raises(Transient):
        client.exported_candidates("42")
    assert sleeps == [4.0, 4.0]


def test_5xx_and_timeouts_that_persist_are_transient(make_client, linkedin):
    client = make_client(backoff=Backoff(attempts=2))
    linkedin.on("/v2/exportedCandidates", error(502, "bad gateway"))
    with pytest.raises(Transient, match="bad gateway") as failed:
        client.exported_candidates("42")
    assert failed.value.status == 502
    linkedin.scripts["/v2/exportedCandidates"] = [fail(httpx.ReadTimeout)]
    with pytest.raises(Transient, match="ReadTimeout"):
        client.exported_candidates("42")


def test_a_spent_daily_throttle_is_not_retried(client, linkedin, sleeps):
    linkedin.on(
        "/v2/seatsV2",
        error(429, "Resource level throttle limit for calls to this resource is reached."),
    )
    with pytest.raises(DailyQuotaExceeded) as spent:
        client.seats("urn:li:contract:1")
    assert spent.value.resets_at == datetime(2026, 11, 24, tzinfo=UTC)
    assert spent.value.retry_after == 12 * 3600
    assert (len(linkedin.api_calls()), sleeps) == (1, [])


def test_a_per_minute_throttle_is_retried(client, linkedin, sleeps):
    linkedin.on(
        "/v2/atsCandidates",
        error(
            429,
            "Resource level throttle limit for atsCandidates records per minute has been reached",
        ),
        ok_for_every_key,
    )
    assert client.upsert_candidates(ORG, {"C1": candidate()}).succeeded == ["C1"]
    assert len(sleeps) == 1


def test_other_4xx_are_permanent_with_linkedins_message(client, linkedin, sleeps):
    linkedin.on("/v2/exportedCandidates", error(403, "Not enough permissions"))
    with pytest.raises(Permanent, match="Not enough permissions") as refused:
        client.exported_candidates("42")
    assert (refused.value.status, refused.value.service_error_code) == (403, 100)
    assert (len(linkedin.api_calls()), sleeps) == (1, [])


def test_redirects_are_never_followed(client, linkedin):
    linkedin.on("/v2/exportedCandidates", answer(302, headers={"Location": "https://evil.test/"}))
    with pytest.raises(Permanent, match=re.escape("redirect to https://evil.test/")):
        client.exported_candidates("42")
    assert [r.url.host for r in linkedin.api_calls()] == ["api.example.test"]


# The wire format.


def test_a_batch_update_is_a_put_with_indexed_keys_and_a_keyed_body(client, linkedin):
    linkedin.on("/v2/atsCandidates", ok_for_every_key)
    client.upsert_candidates(ORG, {"C1": candidate()})
    [put] = linkedin.api_calls()
    assert put.method == "PUT"
    assert str(put.url) == (
        f"{API}/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS"
        "&ids[0].integrationContext=urn:li:organization:1"
    )
    assert put.headers["authorization"] == "Bearer token-1"
    assert put.headers["x-restli-method"] == "batch_update"
    assert put.headers["content-type"] == "application/json"
    assert "linkedin-version" not in put.headers
    assert json.loads(put.content) == {"entities": {KEY_C1: candidate()}}


def test_naming_integrations_is_a_batch_partial_update(client, linkedin):
    key = IntegrationKey(ORG, "ONE_CLICK_EXPORT")
    spelled = (
        "integrationContext=urn:li:organization:1&integrationType=ONE_CLICK_EXPORT"
        "&tenantType=RECRUITER&dataProvider=ATS"
    )
    linkedin.on("/v2/atsIntegrations", answer(200, {"results": {spelled: {"status": 204}}}))
    outcome = client.batch_partial_update_integrations({key: "Hirebridge export"})
    assert outcome.succeeded == [key]
    [post] = linkedin.api_calls()
    assert post.method == "POST"
    assert post.url.query.decode() == "&".join(f"ids[0].{pair}" for pair in spelled.split("&"))
    assert post.headers["x-restli-method"] == "batch_partial_update"
    assert json.loads(post.content) == {
        "entities": {spelled: {"patch": {"$set": {"integrationName": "Hirebridge export"}}}}
    }


def test_configurations_are_keyed_under_the_integration_key_in_the_path(client, linkedin):
    path = (
        "/v2/atsIntegrations/integrationContext=urn:li:organization:1&integrationType="
        "ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations"
    )
    linkedin.on(path, ok_for_every_key)
    outcome = client.set_configurations(
        IntegrationKey(ORG, "ONE_CLICK_EXPORT"), {"CALLBACK_URL": "https://ats.test/cb"}
    )
    assert outcome.succeeded == ["CALLBACK_URL"]
    [put] = linkedin.api_calls()
    assert (put.method, put.url.query) == ("PUT", b"ids=CALLBACK_URL")
    assert json.loads(put.content) == {
        "entities": {"CALLBACK_URL": {"configurationValue": {"string": "https://ats.test/cb"}}}
    }


def test_finders_send_q_repeated_parameters_and_paging(client, linkedin):
    linkedin.on(
        "/v2/mailStubs", answer(200, {"elements": [], "paging": {"start": 0, "count": 100}})
    )
    client.mail_stubs("urn:li:contract:1", ["urn:li:seat:1", "urn:li:seat:2"], 1000, 2000)
    [get] = linkedin.api_calls()
    assert get.method == "GET"
    assert get.url.query.decode() == (
        "q=contract&contract=urn:li:contract:1&owners=urn:li:seat:1&owners=urn:li:seat:2"
        "&createdDateStart=1000&createdDateEnd=2000&start=0&count=100"
    )
    assert "x-restli-method" not in get.headers


def page(first: int, size: int, total: int | None = None) -> Reply:
    elements = [
        {"id": n, "author": "urn:li:seat:1", "created": {"time": n}}
        for n in range(first, first + size)
    ]
    paging = {"start": first, "count": 100} | ({"total": total} if total is not None else {})
    return answer(200, {"elements": elements, "paging": paging})


def test_a_finder_reads_every_page_until_a_short_one(client, linkedin):
    linkedin.on("/v2/conversationEvents", page(0, 100), page(100, 100), page(200, 3))
    events = client.conversation_events("urn:li:seat:1", 0, 10)
    assert [e.id for e in events] == [str(n) for n in range(203)]
    starts = [dict(parse_qsl(r.url.query.decode()))["start"] for r in linkedin.api_calls()]
    assert starts == ["0", "100", "200"]


def test_a_finder_stops_once_it_has_the_total(client, linkedin):
    linkedin.on("/v2/conversationEvents", page(0, 100, total=100))
    assert len(client.conversation_events("urn:li:seat:1", 0, 10)) == 100
    assert len(linkedin.api_calls()) == 1


def test_seats_fall_back_to_the_legacy_finder_where_seats_v2_is_not_served(client, linkedin):
    linkedin.on("/v2/seatsV2", error(404, "Not Found"))
    legacy = {
        "id": 7,
        "member": "urn:li:person:p",
        "contractId": "urn:li:contract:1",
        "active": True,
    }
    linkedin.on("/v2/seats", answer(200, {"elements": [legacy]}))
    [seat] = client.seats("urn:li:contract:1")
    assert (seat.urn, seat.contract, seat.is_active) == ("urn:li:seat:7", "urn:li:contract:1", True)
    assert dict(parse_qsl(linkedin.api_calls()[1].url.query.decode())) == {
        "q": "seatsByAttributes",
        "contracts": "urn:li:contract:1",
        "active": "true",
        "start": "0",
        "count": "100",
    }


def ids_of(length: int) -> str:
    """An ATS candidate id that makes a one-key query exactly `length` bytes long."""
    query = f"ids[0].atsCandidateId=&ids[0].dataProvider=ATS&ids[0].integrationContext={ORG}"
    return "c" * (length - len(query))


def test_a_query_of_4000_bytes_goes_as_it_is(client, linkedin):
    linkedin.on("/v2/atsCandidates", answer(200, {"results": {}}))
    client.get_candidates(ORG, [ids_of(4000)])
    [get] = linkedin.api_calls()
    assert (get.method, len(get.url.query)) == ("GET", 4000)


def test_a_longer_read_is_tunnelled_as_a_form(client, linkedin):
    linkedin.on("/v2/atsCandidates", answer(200, {"results": {}}))
    long_id = ids_of(4001)
    client.get_candidates(ORG, [long_id])
    [post] = linkedin.api_calls()
    assert (post.method, post.url.query) == ("POST", b"")
    assert post.headers["x-http-method-override"] == "GET"
    assert post.headers["x-restli-method"] == "batch_get"
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    assert len(post.content) == 4001
    assert dict(parse_qsl(post.content.decode()))["ids[0].atsCandidateId"] == long_id


def test_a_long_write_is_tunnelled_as_multipart_mixed(client, linkedin):
    linkedin.on("/v2/atsCandidates", ok_for_every_key)
    bodies = {f"C{n}": candidate(f"L{n}") for n in range(100)}
    assert len(client.upsert_candidates(ORG, bodies).succeeded) == 100
    [post] = linkedin.api_calls()
    assert post.method == "POST"
    assert post.headers["x-http-method-override"] == "PUT"
    assert post.headers["x-restli-method"] == "batch_update"
    assert post.headers["content-type"].startswith("multipart/mixed; boundary=")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {post.headers['content-type']}\r\n\r\n".encode() + post.content
    )
    query, body = message.iter_parts()
    assert query.get_content_type() == "application/x-www-form-urlencoded"
    params = parse_qsl(query.get_payload(decode=True).decode().strip())
    assert params[:3] == [
        ("ids[0].atsCandidateId", "C0"),
        ("ids[0].dataProvider", "ATS"),
        ("ids[0].integrationContext", ORG),
    ]
    assert len(params) == 300
    assert body.get_content_type() == "application/json"
    assert len(json.loads(body.get_payload(decode=True))["entities"]) == 100


def test_writes_go_in_batches_of_100(client, linkedin):
    linkedin.on("/v2/atsCandidates", ok_for_every_key)
    outcome = client.upsert_candidates(ORG, {f"C{n}": candidate() for n in range(250)})
    assert len(outcome.succeeded) == 250
    sizes = [len(json.loads(entity_part(r))["entities"]) for r in linkedin.api_calls()]
    assert sizes == [100, 100, 50]


def test_a_resource_switched_to_rest_speaks_protocol_2_with_the_version(make_client, linkedin):
    client = make_client(rest_versions={"atsCandidates": "202602"})
    spelled = "(externalCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1)"
    linkedin.on("/rest/candidates", answer(200, {"results": {spelled: {"status": 204}}}))
    assert client.upsert_candidates(ORG, {"C1": candidate()}).succeeded == ["C1"]
    [put] = linkedin.api_calls()
    assert put.url.query.decode() == f"ids=List({spelled})"
    assert put.headers["linkedin-version"] == "202602"
    assert put.headers["x-restli-protocol-version"] == "2.0.0"
    entity = json.loads(put.content)["entities"][spelled]
    assert entity["externalCreatedAt"] == 1 and "atsCreatedAt" not in entity


def test_rest_versions_are_checked(make_client):
    with pytest.raises(ValueError, match="unknown resource 'atsCandidate'"):
        make_client(rest_versions={"atsCandidate": "202602"})
    with pytest.raises(ValueError, match="mailStubs is not served under /rest/"):
        make_client(rest_versions={"mailStubs": "202602"})


# Replies.


def test_per_entity_outcomes_are_keyed_by_the_callers_ids(client, linkedin):
    reordered = "integrationContext=urn%3Ali%3Aorganization%3A1&dataProvider=ATS&atsCandidateId=C2"
    linkedin.on(
        "/v2/atsCandidates",
        answer(
            200,
            {
                "results": {KEY_C1: {"status": 204}},
                "errors": {reordered: {"status": 400, "message": "lastName is required"}},
            },
        ),
    )
    outcome = client.upsert_candidates(ORG, {"C1": candidate(), "C2": candidate("")})
    assert outcome.succeeded == ["C1"]
    assert outcome.failed["C2"].message == "lastName is required"


def test_a_write_reply_that_skips_a_key_is_invalid(client, linkedin):
    linkedin.on("/v2/atsCandidates", answer(200, {"results": {KEY_C1: {"status": 204}}}))
    with pytest.raises(InvalidReply, match="no result for key 'C2'"):
        client.upsert_candidates(ORG, {"C1": candidate(), "C2": candidate()})


def test_a_reply_for_a_key_nobody_asked_for_is_invalid(client, linkedin):
    linkedin.on(
        "/v2/atsCandidates", answer(200, {"results": {"atsCandidateId=C9": {"status": 204}}})
    )
    with pytest.raises(InvalidReply, match="which was not asked"):
        client.upsert_candidates(ORG, {"C1": candidate()})


def test_a_batch_reply_without_results_is_invalid(client, linkedin):
    linkedin.on("/v2/atsCandidates", answer(200, {"errors": {}}))
    with pytest.raises(InvalidReply, match="results: Field required"):
        client.upsert_candidates(ORG, {"C1": candidate()})


def test_a_body_that_is_not_json_is_invalid(client, linkedin):
    linkedin.on("/v2/exportedCandidates", lambda request: httpx.Response(200, text="<html>"))
    with pytest.raises(InvalidReply, match="Invalid JSON"):
        client.exported_candidates("42")


def test_an_element_missing_a_required_field_is_invalid(client, linkedin):
    linkedin.on("/v2/seatsV2", answer(200, {"elements": [{"id": 1, "firstName": "Rita"}]}))
    with pytest.raises(InvalidReply, match="element 0 is not a Seat: member: Field required"):
        client.seats("urn:li:contract:1")


def test_a_token_reply_without_expiry_is_invalid(client, linkedin):
    linkedin.on("/oauth/v2/accessToken", answer(200, {"access_token": "t"}))
    with pytest.raises(InvalidReply, match="expires_in"):
        client.token()


def test_unknown_fields_are_kept(client, linkedin):
    stub = {
        "id": 5,
        "owner": "urn:li:seat:1",
        "created": 10,
        "member": "urn:li:person:p",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "emailAddress": "ada@example.com",
        "favouriteColour": "green",
    }
    linkedin.on("/v2/mailStubs", answer(200, {"elements": [stub]}))
    [found] = client.mail_stubs("urn:li:contract:1", [], 0, 10)
    assert (found.id, found.emails) == ("5", ["ada@example.com"])
    assert found.model_extra == {"favouriteColour": "green"}


def test_batch_get_reports_what_was_found_and_what_was_not(client, linkedin):
    linkedin.on(
        "/v2/atsCandidates",
        answer(
            200,
            {
                "results": {KEY_C1: {"matchedMembers": ["urn:li:person:p"]}},
                "statuses": {KEY_C1: 200},
                "errors": {},
            },
        ),
    )
    outcome = client.get_candidates(ORG, ["C1", "C2"])
    assert outcome.found["C1"].matched_members == ["urn:li:person:p"]
    assert outcome.failed["C2"].status == 404


def test_linking_members_answers_per_candidate(client, linkedin):
    linkedin.on(
        "/v2/atsCandidates",
        answer(200, {"results": {}, "errors": {KEY_C1: {"status": 404, "message": "not synced"}}}),
    )
    outcome = client.link_members(ORG, {"C1": "urn:li:person:p"})
    assert outcome.failed["C1"].status == 404
    assert json.loads(linkedin.api_calls()[0].content) == {
        "entities": {KEY_C1: {"patch": {"$set": {"manualMatchedMember": "urn:li:person:p"}}}}
    }


# Logs.


def test_it_logs_each_call_with_linkedins_ids_but_never_the_token_or_secret(
    client, linkedin, caplog
):
    linkedin.on(
        "/v2/exportedCandidates",
        error(429, "busy", {"x-li-uuid": "uuid-1", "Retry-After": "1", "x-ratelimit-left": "0"}),
        answer(200, {"elements": []}, {"x-li-uuid": "uuid-2"}),
    )
    with caplog.at_level(logging.INFO, logger="hirebridge.linkedin"):
        client.exported_candidates("42")
    lines = [r.getMessage() for r in caplog.records if r.name == "hirebridge.linkedin"]
    assert lines[0].startswith("POST /oauth/v2/accessToken -> 200 in ")
    assert lines[1].startswith("GET /v2/exportedCandidates -> 429 in ")
    assert lines[1].endswith("ms x-li-uuid=uuid-1 retry-after=1 x-ratelimit-left=0")
    assert lines[2].endswith("ms x-li-uuid=uuid-2")
    assert caplog.records[-1].linkedin_request_id == "uuid-2"
    assert not any("token-1" in line or SECRET in line for line in caplog.text.splitlines())


# Against the sandbox, over real HTTP.


class Recording(httpx.BaseTransport):
    """Real HTTP that remembers each request as the client sent it."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def sent() -> Recording:
    return Recording()


@pytest.fixture
def make_sandbox_client(rsc_sandbox, settings, sent, sleeps):
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    app = rsc_sandbox.tenant["customer_app"]
    made: list[LinkedInClient] = []

    def make(**kwargs) -> LinkedInClient:
        made.append(
            LinkedInClient(
                app["client_id"],
                app["client_secret"],
                sleep=sleeps.append,
                transport=sent,
                **kwargs,
            )
        )
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def real(make_sandbox_client) -> LinkedInClient:
    return make_sandbox_client()


def member(rsc_sandbox, number: int) -> dict:
    return rsc_sandbox.admin("GET", "members", params={"start": number, "count": 1})["elements"][0]


def synced(first: str, last: str, email_address: str) -> dict:
    """A candidate body as LinkedIn requires it."""
    return {
        "atsCreatedAt": 1_700_000_000_000,
        "atsLastModifiedAt": 1_700_000_000_000,
        "firstName": first,
        "lastName": last,
        "emailAddresses": [email_address],
        "externalProfileUrl": "https://ats.example.test/candidates/1",
        "addresses": [],
        "phoneNumbers": [],
    }


def ledger(rsc_sandbox, path: str) -> list[dict]:
    return rsc_sandbox.admin("GET", "ledger", params={"path": path})["elements"]


def test_sandbox_issues_a_token_the_client_reuses(real, sent, rsc_sandbox):
    token = real.token()
    for contract in rsc_sandbox.tenant["contract_ids"]:
        real.seats(contract)
    assert real.token() == token
    assert [r.url.path for r in sent.requests].count("/oauth/v2/accessToken") == 1


def test_sandbox_takes_100_candidates_in_one_tunnelled_call(real, sent, rsc_sandbox):
    org = rsc_sandbox.tenant["organization_id"]
    bodies = {f"ats-{n}": synced("Ada", f"Lovelace{n}", f"ada{n}@example.com") for n in range(100)}
    outcome = real.upsert_candidates(org, bodies)
    assert sorted(outcome.succeeded) == sorted(bodies)
    assert outcome.failed == {}
    [post] = [r for r in sent.requests if r.url.path == "/v2/atsCandidates"]
    assert (post.method, post.headers["x-http-method-override"]) == ("POST", "PUT")
    [received] = ledger(rsc_sandbox, "/v2/atsCandidates")
    assert (received["method"], received["status"], len(received["ids"])) == ("PUT", 200, 100)


def test_sandbox_matches_a_candidate_to_the_member_with_their_email(real, rsc_sandbox):
    org = rsc_sandbox.tenant["organization_id"]
    person = member(rsc_sandbox, 40)
    body = synced(person["firstName"], person["lastName"], person["email"])
    assert real.upsert_candidates(org, {"ats-1": body}).succeeded == ["ats-1"]
    outcome = real.get_candidates(org, ["ats-1", "ats-unknown"])
    assert person["person"] in outcome.found["ats-1"].matched_members
    assert outcome.failed["ats-unknown"].status == 404


def test_sandbox_links_and_unlinks_a_member(real, rsc_sandbox):
    org = rsc_sandbox.tenant["organization_id"]
    real.upsert_candidates(org, {"ats-1": synced("Ada", "Lovelace", "ada@example.com")})
    person = member(rsc_sandbox, 41)["person"]
    outcome = real.link_members(org, {"ats-1": person, "ats-never-synced": person})
    assert outcome.succeeded == ["ats-1"]
    assert "not synced yet" in outcome.failed["ats-never-synced"].message
    assert real.get_candidates(org, ["ats-1"]).found["ats-1"].manual_matched_member == person
    assert real.link_members(org, {"ats-1": None}).succeeded == ["ats-1"]
    assert real.get_candidates(org, ["ats-1"]).found["ats-1"].manual_matched_member is None


def test_sandbox_lists_each_contracts_active_seats(real, rsc_sandbox):
    for contract in rsc_sandbox.tenant["contract_ids"]:
        expected = {
            (seat["id"], seat["member"], seat["email"])
            for seat in rsc_sandbox.tenant["seats"]
            if seat["contract_id"] == contract
        }
        seats = real.seats(contract)
        assert {(seat.urn, seat.member, seat.email) for seat in seats} == expected
        assert all(seat.is_active for seat in seats)


def test_sandbox_export_is_read_back_by_its_request_id(real, rsc_sandbox):
    seat = rsc_sandbox.tenant["seats"][0]
    person = member(rsc_sandbox, 42)
    exported = rsc_sandbox.admin(
        "POST",
        "actions/export",
        json={"seat_id": seat["id"], "member_id": person["id"], "email_addresses": ["x@y.test"]},
    )
    [found] = real.exported_candidates(exported["request_id"])
    assert found.integration_context == rsc_sandbox.tenant["organization_id"]
    assert found.exporter == seat["id"]
    assert found.candidate.member == person["person"]
    assert (found.candidate.first_name, found.candidate.emails) == (
        person["firstName"],
        ["x@y.test"],
    )


def test_sandbox_recruiter_history_reads_into_its_models(real, rsc_sandbox):
    seat = rsc_sandbox.tenant["seats"][0]
    person = member(rsc_sandbox, 43)
    inmail = rsc_sandbox.admin(
        "POST",
        "actions/inmail",
        json={"seat_id": seat["id"], "member_id": person["id"], "subject": "Hi", "body": "Join us"},
    )
    sent_at = inmail["created"]
    [event] = real.conversation_events(seat["id"], sent_at, sent_at + 1)
    assert (event.id, event.author, event.body) == (str(inmail["event_id"]), seat["id"], "Join us")

    rsc_sandbox.admin(
        "POST",
        "actions/inmail-response",
        json={
            "member_id": person["id"],
            "conversation_id": inmail["conversation_id"],
            "answer": "yes_share",
        },
    )
    contract = seat["contract_id"]
    [stub] = real.mail_stubs(contract, [seat["id"]], sent_at, sent_at + 10**7)
    assert (stub.member, stub.owner, stub.emails) == (
        person["person"],
        seat["id"],
        [person["email"]],
    )

    note = rsc_sandbox.admin(
        "POST",
        "actions/note",
        json={"seat_id": seat["id"], "member_id": person["id"], "body": "Keen"},
    )
    [found] = real.prospect_notes(contract, [seat["id"]], sent_at - 1, note["lastModified"])
    assert (found.member, found.note, found.active) == (person["person"], "Keen", True)


def test_sandbox_enablement_calls(real, rsc_sandbox):
    org = rsc_sandbox.tenant["organization_id"]
    export = IntegrationKey(org, "ONE_CLICK_EXPORT")
    contract = IntegrationKey(rsc_sandbox.tenant["contract_ids"][0], "CSA_API")
    names = {export: "Hirebridge 1-Click Export", contract: "Hirebridge Recruiter data"}
    assert real.batch_partial_update_integrations(names).succeeded == [export, contract]
    assert real.set_configurations(
        export,
        {"CALLBACK_URL": "http://127.0.0.1:9/li/1", "JOB_POSTING_VIEWERS": "ALL_PRODUCT_USERS"},
    ).succeeded == ["CALLBACK_URL", "JOB_POSTING_VIEWERS"]
    outcome = real.get_integrations([export, contract])
    assert {key: i.integration_name for key, i in outcome.found.items()} == names
    changed = rsc_sandbox.admin(
        "POST", "actions/disable-integration", json={"integration_type": "PROFILE_PLUGIN"}
    )
    [integration] = real.integrations_by_request(changed["request_id"])
    assert (integration.integration_type, integration.onboarding_status) == (
        "PROFILE_PLUGIN",
        "NOT_ONBOARDED",
    )


def test_sandbox_spent_daily_budget_is_a_daily_quota_error(real, rsc_sandbox, sleeps):
    rsc_sandbox.admin("PUT", "settings", json={"interaction_calls_per_day": 0})
    with pytest.raises(DailyQuotaExceeded, match="throttle limit for interactions") as spent:
        real.seats(rsc_sandbox.tenant["contract_ids"][0])
    assert spent.value.status == 429
    assert [(e["path"], e["status"]) for e in ledger(rsc_sandbox, "/v2/seats")] == [
        ("/v2/seatsV2", 429)
    ]
    assert sleeps == []


def test_sandbox_503_is_retried_transparently(real, rsc_sandbox, sleeps):
    rsc_sandbox.admin(
        "PUT",
        "faults",
        json={"seed": 1, "http": [{"path": "/v2/atsCandidates", "status": 503, "times": 1}]},
    )
    org = rsc_sandbox.tenant["organization_id"]
    body = synced("Ada", "Lovelace", "ada@example.com")
    assert real.upsert_candidates(org, {"ats-1": body}).succeeded == ["ats-1"]
    assert [e["status"] for e in ledger(rsc_sandbox, "/v2/atsCandidates")] == [503, 200]
    assert len(sleeps) == 1


def test_sandbox_candidates_switch_to_rest_by_configuration(make_sandbox_client, rsc_sandbox):
    client = make_sandbox_client(rest_versions={"atsCandidates": "202602"})
    org = rsc_sandbox.tenant["organization_id"]
    body = synced("Ada", "Lovelace", "ada@example.com")
    assert client.upsert_candidates(org, {"ats-1": body}).succeeded == ["ats-1"]
    found = client.get_candidates(org, ["ats-1"]).found["ats-1"]
    assert found.model_extra["atsCreatedAt"] == body["atsCreatedAt"]
    assert [e["method"] for e in ledger(rsc_sandbox, "/rest/candidates")] == ["PUT", "GET"]
    assert ledger(rsc_sandbox, "/v2/") == []
