"""LinkedIn's push callback under hostile input: whatever a signed body holds, the answer is a
2xx or a 4xx, a refused push stores nothing and is logged, and the signature check never
crashes, whatever bytes and header it is given."""

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hirebridge.linkedin import signatures
from hirebridge.linkedin.models import InboundEvent, Integration

SECRET = "s3cr3t/with+odd=chars"
EXAMPLES = settings(
    max_examples=75, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)

# Any JSON value, floats of every kind (Python writes NaN and Infinity, which JSON has not).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=25,
)
# JSON PostgreSQL stores as it is: no NUL, no unpaired surrogate, only finite numbers.
clean_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40
)
clean_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | clean_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(clean_text, inner),
    max_leaves=25,
)
event_types = st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True)
request_ids = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=100
) | st.integers(min_value=0, max_value=10**40)
wrong_types = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),  # NaN and Infinity: `junk` below
    st.just(""),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
wrong_request_ids = wrong_types | st.text(min_size=101, max_size=300) | st.just("id\x00")
wrong_event_types = wrong_types | st.integers() | st.text(min_size=65, max_size=200)


@pytest.fixture
def integration(db):
    integration = Integration(client_id="77abc", organization_urn="urn:li:organization:98765001")
    integration.client_secret = SECRET
    integration.save()
    return integration


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()


def post(client, integration, body: bytes, signature: str | None = None):
    return client.post(
        f"/linkedin/callback/{integration.callback_token}",
        body,
        content_type="application/json",
        headers={"X-LI-Signature": sign(body) if signature is None else signature},
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, undone after it, so every example starts from the same rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_refused_and_logged(answer, caplog, *, status: int, logged: str) -> None:
    assert answer.status_code == status, answer.content
    assert answer.json()["message"]
    assert not InboundEvent.objects.exists()
    assert logged in caplog.text


# The signature check alone.


@given(secret=st.text(min_size=1), body=st.binary(), header=st.text())
@settings(max_examples=300)
def test_the_signature_check_never_crashes_and_refuses_a_made_up_header(secret, body, header):
    assert signatures.is_valid(secret, body, header) is False


@given(secret=st.text(min_size=1), other=st.text(min_size=1), body=st.binary())
@settings(max_examples=200)
def test_a_body_verifies_only_with_its_secret_in_either_form(secret, other, body):
    body_form = sign(body, secret)
    header_form = "hmacsha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert signatures.is_valid(secret, body, body_form)
    assert signatures.is_valid(secret, body, header_form.upper())
    if other != secret:
        assert not signatures.is_valid(other, body, body_form)
        assert not signatures.is_valid(other, body, header_form)
    assert not signatures.is_valid(secret, body + b"x", body_form)


# The callback over HTTP.


@given(body=st.binary(max_size=2000))
@EXAMPLES
def test_signed_random_bytes_are_a_400_that_stores_nothing(client, integration, caplog, body):
    caplog.clear()
    with caplog.at_level(logging.INFO), rolled_back():
        answer = post(client, integration, body)
        if answer.status_code == 200:  # the bytes happened to be a push
            assert InboundEvent.objects.filter(request_id=answer.json()["requestId"]).exists()
        else:
            assert_refused_and_logged(answer, caplog, status=400, logged="push refused")


@given(value=json_values)
@EXAMPLES
def test_signed_json_of_any_shape_is_stored_whole_or_refused(client, integration, caplog, value):
    caplog.clear()
    body = json.dumps(value).encode()
    with caplog.at_level(logging.INFO), rolled_back():
        answer = post(client, integration, body)
        assert answer.status_code in (200, 400), answer.content
        if answer.status_code == 400:
            assert_refused_and_logged(answer, caplog, status=400, logged="push refused")


@given(
    event_type=event_types, request_id=request_ids, extra=st.dictionaries(clean_text, clean_json)
)
@EXAMPLES
def test_a_push_with_a_type_and_request_id_is_stored_with_whatever_else_it_holds(
    client, integration, event_type, request_id, extra
):
    payload: dict[str, Any] = {**extra, "type": event_type, "requestId": request_id}
    with rolled_back():
        answer = post(client, integration, json.dumps(payload).encode())
        assert answer.status_code == 200, answer.content
        assert answer.json() == {"requestId": str(request_id), "stored": True}
        event = InboundEvent.objects.get()
        # Whole: every field kept (PostgreSQL may respell a number, 1e16 as 10000000000000000).
        assert (event.type, event.request_id, event.payload.keys()) == (
            event_type,
            str(request_id),
            payload.keys(),
        )


@given(
    event_type=event_types | wrong_event_types,
    request_id=request_ids | wrong_request_ids,
    junk=st.sampled_from(["", "\x00", "\ud800", float("inf"), float("nan")]),
)
@EXAMPLES
def test_wrong_types_unstorable_text_and_non_numbers_are_a_400_naming_the_field(
    client, integration, caplog, event_type, request_id, junk
):
    payload = {"type": event_type, "requestId": request_id, "note": junk}
    good_type = isinstance(event_type, str) and 0 < len(event_type) <= 64
    good_id = isinstance(request_id, int | str) and not isinstance(request_id, bool)
    good_id = good_id and 0 < len(str(request_id)) <= 100 and "\x00" not in str(request_id)
    if good_type and good_id and junk == "":
        return  # a push as it should be: the test above
    caplog.clear()
    with caplog.at_level(logging.INFO), rolled_back():
        answer = post(client, integration, json.dumps(payload).encode())
        assert_refused_and_logged(answer, caplog, status=400, logged="push refused")
        if isinstance(junk, float) or (good_type and good_id):
            field = "body"  # NaN and Infinity are not JSON; then what the database refuses
        else:
            field = "type" if not good_type else "requestId"
        assert answer.json()["message"].startswith(f"{field}:")


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000,
        b'{"type": "X", "requestId": "1", "deep": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"type": "X", "requestId": ' + b"9" * 5000 + b"}",
        b'{"type": "X", "requestId": "1", "n": 1e999}',
        b'{"type": "X", "requestId": "1", "n": NaN}',
        b'{"type": "X", "requestId": "1", "\\u0000": 1}',
        b'{"type": "X", "requestId": "1", "s": "\\udfff"}',
        b'{"type": "X", "requestId": "1"}\xff',
    ],
)
def test_bodies_that_break_naive_parsers_are_a_400(client, integration, caplog, body):
    answer = post(client, integration, body)
    assert_refused_and_logged(answer, caplog, status=400, logged="push refused")


@given(header=st.text(st.characters(max_codepoint=255), max_size=100))
@EXAMPLES
def test_a_header_of_any_latin_1_text_is_a_401_never_a_crash(client, integration, caplog, header):
    caplog.clear()
    body = json.dumps({"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "1"}).encode()
    with rolled_back():
        answer = post(client, integration, body, signature=header)
        assert_refused_and_logged(answer, caplog, status=401, logged="X-LI-Signature")


@given(code=st.text(st.characters(blacklist_categories=["Cs"]), max_size=300))
@EXAMPLES
def test_the_challenge_answers_any_code_or_refuses_it(client, integration, code):
    answer = client.get(f"/linkedin/callback/{integration.callback_token}", {"challengeCode": code})
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        assert answer.json()["challengeCode"] == code
