"""Inbound email under hostile MIME (broken headers, unknown charsets, encoded-word garbage,
nested multiparts, huge parts, no Message-ID, HTML-only bodies with scripts): the relay gets a
202 or a 400 that says why, a refused email writes nothing and is logged, and HTML is never
stored or shown as markup."""

import base64
import logging
import string
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hirebridge.hiring import email
from hirebridge.hiring.models import Activity, Message
from tests.factories import candidate

TOKEN = "relay-shared-secret-0123456789abcdef"
URL = "/inbound/email"
SCRIPT = b"<script>alert(1)</script>"
EXAMPLES = settings(
    max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


@pytest.fixture(autouse=True)
def inbound_token(settings):
    settings.INBOUND_EMAIL_TOKEN = TOKEN
    settings.DEFAULT_FROM_EMAIL = "jobs@acme.example"


@pytest.fixture
def sent(tara, posting, mailoutbox):
    opportunity = candidate(tara, posting=posting)
    return email.send_email(
        tara, opportunity.candidate, to="ada@example.com", subject="Hello", body="Hi Ada"
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def post(client, raw: bytes):
    return client.post(
        URL, raw, content_type="message/rfc822", headers={"X-Hirebridge-Inbound-Token": TOKEN}
    )


# Raw MIME made of pieces that break naive readers, or of the real thing, mixed.

header_values = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.sampled_from(
        [
            b"=?utf-8?q?=00=FF=FE?=",
            b"=?bogus-charset?b?!!!notbase64?=",
            b"=?utf-8?b?PHNjcmlwdD4=?= <ada@example.com>",
            b"=?iso-8859-1?q?caf=E9?= =?",
            b"<>",
            b'"unterminated <ada@',
            b"Ada <ada@example.com>, , ,;;",
            b"\xff\xfe\x00 latin garbage \xe9",
            b"(comment (nested (deeper)) ada@example.com",
            b"a" * 2000,
        ]
    ),
)
header_names = st.sampled_from(
    [
        b"From",
        b"To",
        b"Subject",
        b"Message-ID",
        b"In-Reply-To",
        b"References",
        b"Date",
        b"Auto-Submitted",
        b"Content-Type",
        b"Content-Transfer-Encoding",
        b"MIME-Version",
        b"X-Junk",
    ]
)
content_types = st.sampled_from(
    [
        b"text/plain; charset=utf-8",
        b"text/plain; charset=x-unknown-charset",
        b"text/html; charset=utf-16",
        b"text/html",
        b"multipart/alternative; boundary=B",
        b"multipart/mixed; boundary=",
        b"multipart/report; report-type=delivery-status; boundary=B",
        b"message/rfc822",
        b"application/octet-stream",
        b'text/plain; charset="utf-8',
    ]
)
encodings = st.sampled_from([b"7bit", b"base64", b"quoted-printable", b"x-uuencode", b"8bit"])
part_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"<p>Yes</p>" + SCRIPT, b"PHNjcmlwdD4=", b"=ZZ=\r\n=", SCRIPT * 3]),
    st.integers(min_value=1, max_value=200_000).map(lambda n: b"x" * n),
)


@st.composite
def parts(draw, depth: int = 0) -> bytes:
    headers = b"Content-Type: " + draw(content_types) + b"\r\n"
    headers += b"Content-Transfer-Encoding: " + draw(encodings) + b"\r\n"
    if depth < 3 and draw(st.booleans()):
        children = draw(st.lists(parts(depth + 1), max_size=3))
        body = b"".join(b"--B\r\n" + child + b"\r\n" for child in children)
        body += draw(st.sampled_from([b"--B--\r\n", b"", b"--B"]))
        headers = b"Content-Type: multipart/mixed; boundary=B\r\n"
    else:
        body = draw(part_bodies)
    return headers + b"\r\n" + body


@st.composite
def hostile_mime(draw, reply_to: str) -> bytes:
    headers = []
    if draw(st.booleans()):
        headers.append(b"From: Ada <ada@example.com>")
    if draw(st.booleans()):
        headers.append(b"Message-ID: <" + draw(st.binary(min_size=1, max_size=30)) + b"@x>")
    if draw(st.booleans()):
        headers.append(b"In-Reply-To: " + reply_to.encode())
    for name, value in draw(st.lists(st.tuples(header_names, header_values), max_size=6)):
        headers.append(name + b": " + value)
    if draw(st.booleans()):
        headers.append(b"Message-ID: <hostile@mail.example>")
    return b"\r\n".join(headers) + b"\r\n" + draw(parts())


@st.composite
def html_only_replies(draw, reply_to: str) -> tuple[bytes, str]:
    visible = draw(st.text(string.ascii_letters + string.digits, min_size=1, max_size=30))
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1", "utf-16"]))
    html = f"<html><body><p>{visible}</p><script>alert(1)</script><b>ok</b></body></html>"
    encoded = html.encode(charset, "replace")
    raw = (
        b"From: Ada <ada@example.com>\r\nMessage-ID: <html-reply@mail.example>\r\n"
        b"In-Reply-To: " + reply_to.encode() + b"\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
    )
    return raw + base64.encodebytes(encoded), visible


@given(data=st.data())
@EXAMPLES
def test_hostile_mime_is_a_202_or_a_400_that_writes_nothing(client, sent, caplog, data):
    raw = data.draw(hostile_mime(sent.external_id))
    caplog.clear()
    with caplog.at_level(logging.INFO), rolled_back():
        before = (Message.objects.count(), Activity.objects.count())
        answer = post(client, raw)
        assert answer.status_code in (202, 400), answer.content
        if answer.status_code == 400:
            assert answer.json()["message"]
            assert (Message.objects.count(), Activity.objects.count()) == before
            assert "inbound email refused" in caplog.text
        elif answer.json()["status"] == "threaded":
            received = Message.objects.get(direction="in")
            assert "\x00" not in received.body + received.subject + received.sender
            assert len(received.body) <= email.MAX_BODY_CHARS
        else:
            assert (Message.objects.count(), Activity.objects.count()) == before


@given(raw=st.binary(max_size=3000))
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_are_read_or_refused_as_malformed(sent, raw):
    with rolled_back(), suppress(email.MalformedEmail):
        email.receive_email(raw)


@given(data=st.data())
@settings(EXAMPLES, max_examples=50)
def test_an_html_only_reply_is_stored_as_its_visible_text(client, sent, data):
    raw, visible = data.draw(html_only_replies(sent.external_id))
    with rolled_back():
        assert post(client, raw).status_code == 202
        received = Message.objects.get(direction="in")
        assert "<" not in received.body and "alert(1)" not in received.body
        assert received.body == f"{visible}\nok"


@pytest.mark.parametrize(
    "raw",
    [
        b"From: =?utf-8?q?=00?=\r\nMessage-ID: <x\x00@y>\r\n\r\nhi",
        b"From: a@b.example\r\nMessage-ID: <" + b"x" * 5000 + b">\r\n\r\nhi",
        b"From: a@b.example\r\n" + b"X: y\r\n" * 20000 + b"Message-ID: <x@y>\r\n\r\nhi",
    ],
)
def test_mime_that_breaks_naive_readers_is_refused_or_ignored(client, sent, raw):
    answer = post(client, raw)
    assert answer.status_code in (202, 400)
    assert not Message.objects.filter(direction="in").exists()


@pytest.mark.parametrize("boundary", [b"B", b"B%d"])
def test_deeply_nested_multiparts_are_refused_before_they_are_parsed(client, sent, boundary):
    nested = b"".join(
        b"--" + (boundary % level if b"%" in boundary else boundary) + b"\r\n"
        b"Content-Type: multipart/mixed; boundary="
        + (boundary % (level + 1) if b"%" in boundary else boundary)
        + b"\r\n\r\n"
        for level in range(3000)
    )
    raw = b"From: a@b.example\r\nMessage-ID: <x@y>\r\n\r\n" + nested
    answer = post(client, raw)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("Content-Type: more than 20 multipart")


def test_nul_and_undecodable_bytes_are_dropped_from_a_threaded_reply(client, sent):
    raw = (
        b"From: =?utf-8?q?Ada=00_Lovelace?= <ada@example.com>\r\n"
        b"Subject: caf\xe9 \xff\r\nMessage-ID: <r1@mail.example>\r\n"
        b"In-Reply-To: " + sent.external_id.encode() + b"\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nYes\x00 please"
    )
    assert post(client, raw).status_code == 202
    received = Message.objects.get(direction="in")
    assert received.sender == "Ada Lovelace <ada@example.com>"
    assert received.body == "Yes please"
    assert "\x00" not in received.subject and received.subject.startswith("caf")


def test_markup_in_a_plain_text_reply_is_shown_escaped(client, sent, tara):
    raw = (
        b"From: Ada <ada@example.com>\r\nSubject: " + SCRIPT + b"\r\n"
        b"Message-ID: <r2@mail.example>\r\nIn-Reply-To: " + sent.external_id.encode() + b"\r\n"
        b"Content-Type: text/plain\r\n\r\nSee " + SCRIPT
    )
    assert post(client, raw).status_code == 202
    client.force_login(tara)
    page = client.get(f"/candidates/{sent.candidate_id}/", {"tab": "emails"}).content.decode()
    assert "See &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT.decode() not in page
