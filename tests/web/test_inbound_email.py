from email.message import EmailMessage

import pytest

from hirebridge.hiring import email
from hirebridge.hiring.models import Message
from tests.factories import candidate

TOKEN = "relay-shared-secret-0123456789abcdef"
URL = "/inbound/email"


@pytest.fixture(autouse=True)
def inbound_token(settings):
    settings.INBOUND_EMAIL_TOKEN = TOKEN


@pytest.fixture
def sent(tara, posting, mailoutbox):
    opportunity = candidate(tara, posting=posting)
    return email.send_email(
        tara, opportunity.candidate, to="ada@example.com", subject="Hello", body="Hi Ada"
    )


def reply_to(message_id, reply_id="<reply-1@mail.example.com>"):
    reply = EmailMessage()
    reply["From"] = "Ada Lovelace <ada@example.com>"
    reply["Subject"] = "Re: Hello"
    reply["Message-ID"] = reply_id
    reply["In-Reply-To"] = message_id
    reply.set_content("Yes, let's talk.")
    return reply.as_bytes()


def post(client, body, *, token=TOKEN, content_type="message/rfc822"):
    headers = {"X-Hirebridge-Inbound-Token": token} if token is not None else {}
    return client.post(URL, body, content_type=content_type, headers=headers)


def test_a_reply_is_accepted_and_threaded(client, sent):
    answer = post(client, reply_to(sent.external_id))
    assert answer.status_code == 202
    received = Message.objects.get(direction="in")
    assert answer.json() == {"status": "threaded", "message": str(received.id)}
    assert received.thread_id == sent.external_id
    assert post(client, reply_to(sent.external_id)).status_code == 202
    assert Message.objects.filter(direction="in").count() == 1


def test_a_reply_to_an_unknown_thread_is_accepted_and_ignored(client, db):
    answer = post(
        client, reply_to("<unknown@elsewhere.example>"), content_type="application/octet-stream"
    )
    assert (answer.status_code, answer.json()) == (202, {"status": "ignored"})
    assert not Message.objects.exists()


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN[:-1], TOKEN + "x", "é" * 8])
def test_the_shared_token_is_required(client, sent, token, caplog):
    answer = post(client, reply_to(sent.external_id), token=token)
    assert answer.status_code == 401
    assert "X-Hirebridge-Inbound-Token" in answer.json()["message"]
    assert not Message.objects.filter(direction="in").exists()
    assert "X-Hirebridge-Inbound-Token" in caplog.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_endpoint_does_not_exist_without_a_token_setting(client, db, settings, method):
    settings.INBOUND_EMAIL_TOKEN = None
    answer = getattr(client, method)(URL, headers={"X-Hirebridge-Inbound-Token": ""})
    assert answer.status_code == 404


def test_only_post_is_allowed(client, db):
    assert client.get(URL).status_code == 405


def test_another_content_type_is_refused(client, sent):
    answer = post(client, reply_to(sent.external_id), content_type="application/json")
    assert answer.status_code == 415


def test_an_oversized_body_is_refused(client, db, settings):
    body = b"From: ada@example.com\r\n\r\n" + b"x" * settings.INBOUND_EMAIL_MAX_BYTES
    assert post(client, body).status_code == 413


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"\r\n\r\n", "empty"),
        (b"no headers at all", "no headers"),
        (b"From: a@b.example\r\n\r\nhi", "Message-ID"),
    ],
)
def test_malformed_mime_is_a_400_that_says_why(client, db, body, problem):
    answer = post(client, body)
    assert answer.status_code == 400
    assert problem in answer.json()["message"]
