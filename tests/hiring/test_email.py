import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from django.core import mail
from django.utils import timezone

from hirebridge.hiring import email, services
from hirebridge.hiring.models import Message
from tests.factories import candidate


@pytest.fixture(autouse=True)
def from_address(settings):
    settings.DEFAULT_FROM_EMAIL = "jobs@acme.example"


@pytest.fixture
def opportunity(tara, posting):
    return candidate(tara, posting=posting)


@pytest.fixture
def sent(tara, opportunity, mailoutbox):
    return email.send_email(
        tara,
        opportunity.candidate,
        to="Ada@Example.com",
        subject="Backend Engineer at Acme",
        body="Hi Ada, are you open to a chat?",
        opportunity=opportunity,
    )


def reply(
    to,
    *,
    message_id="<reply-1@mail.example.com>",
    in_reply_to=None,
    references=None,
    text="Yes, happy to talk.",
    html=None,
    date=None,
    **headers,
):
    """The raw MIME of Ada's answer, as her mail program would write it."""
    message = EmailMessage()
    message["From"] = "Ada Lovelace <ada@example.com>"
    message["To"] = to.sender
    message["Subject"] = f"Re: {to.subject}"
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date or timezone.now())
    message["In-Reply-To"] = in_reply_to or to.external_id
    if references:
        message["References"] = references
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message.as_bytes()


def stage_of(opportunity):
    opportunity.refresh_from_db()
    return opportunity.stage_id


def test_sending_an_email_logs_it_and_moves_the_lead_to_reached_out(
    tara, opportunity, sent, mailoutbox
):
    [delivered] = mailoutbox
    assert delivered.to == ["ada@example.com"]
    assert delivered.from_email == "Tara Team <jobs@acme.example>"
    assert delivered.extra_headers["Message-ID"] == sent.external_id
    assert delivered.message()["Message-ID"] == sent.external_id
    assert re.fullmatch(r"<[0-9a-f-]{36}@acme\.example>", sent.external_id)
    assert (sent.channel, sent.direction, sent.thread_id) == ("email", "out", sent.external_id)
    assert (sent.candidate, sent.opportunity, sent.sender_user) == (
        opportunity.candidate,
        opportunity,
        tara,
    )
    assert (sent.recipient, sent.subject, sent.body) == (
        "ada@example.com",
        "Backend Engineer at Acme",
        "Hi Ada, are you open to a chat?",
    )
    assert stage_of(opportunity) == "lead-reached-out"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"to": "someone.else@example.com"}, "to"),
        ({"subject": "  "}, "subject"),
        ({"subject": "Hi\r\nBcc: everyone@example.com"}, "subject"),
        ({"body": " \n"}, "body"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_sent(
    tara, opportunity, mailoutbox, fields, field
):
    with pytest.raises(services.PipelineError) as error:
        email.send_email(
            tara,
            opportunity.candidate,
            **{"to": "ada@example.com", "subject": "Hello", "body": "Hi", **fields},
        )
    assert error.value.field == field
    assert mailoutbox == []
    assert not Message.objects.exists()


def test_an_email_the_server_refuses_is_not_logged(tara, opportunity, monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"no such user")})

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    with pytest.raises(email.EmailNotSent, match="did not take"):
        email.send_email(
            tara, opportunity.candidate, to="ada@example.com", subject="Hello", body="Hi"
        )
    assert not Message.objects.exists()
    assert stage_of(opportunity) == "lead-new"


def test_a_reply_is_logged_on_the_thread_and_moves_the_lead_to_responded(opportunity, sent):
    received = email.receive_email(reply(sent))
    assert received is not None
    assert (received.channel, received.direction) == ("email", "in")
    assert (received.candidate, received.opportunity) == (opportunity.candidate, opportunity)
    assert (received.external_id, received.thread_id) == (
        "<reply-1@mail.example.com>",
        sent.external_id,
    )
    assert received.sender == "Ada Lovelace <ada@example.com>"
    assert received.subject == "Re: Backend Engineer at Acme"
    assert received.body == "Yes, happy to talk."
    assert stage_of(opportunity) == "lead-responded"


def test_a_reply_is_threaded_by_references_when_in_reply_to_names_nothing_we_sent(
    opportunity, sent
):
    raw = reply(
        sent,
        in_reply_to="<her-own-draft@mail.example.com>",
        references=f"{sent.external_id} <her-own-draft@mail.example.com>",
    )
    assert email.receive_email(raw).thread_id == sent.external_id


def test_a_repeated_reply_adds_nothing(opportunity, sent):
    first = email.receive_email(reply(sent))
    changes = opportunity.stage_changes.count()
    assert email.receive_email(reply(sent)) == first
    assert Message.objects.count() == 2
    assert opportunity.stage_changes.count() == changes


def test_a_reply_to_an_unknown_thread_is_ignored(opportunity, sent, caplog):
    raw = reply(sent, in_reply_to="<not-ours@elsewhere.example>")
    assert email.receive_email(raw) is None
    assert "answers no email we sent" in caplog.text
    assert Message.objects.count() == 1
    assert stage_of(opportunity) == "lead-reached-out"


def test_an_out_of_office_reply_is_not_a_response(opportunity, sent):
    assert email.receive_email(reply(sent, Auto_Submitted="auto-replied")) is None
    assert stage_of(opportunity) == "lead-reached-out"


def test_an_html_only_reply_is_kept_as_its_visible_text(sent):
    html = (
        "<html><head><style>p { color: red }</style></head><body>"
        "<p>Yes &amp; gladly,</p><div>Ada<br>Analytical   Engines</div>"
        "<script>alert(1)</script></body></html>"
    )
    received = email.receive_email(reply(sent, text=None, html=html))
    assert received.body == "Yes & gladly,\n\nAda\nAnalytical Engines"


def test_plain_text_is_preferred_over_html(sent):
    received = email.receive_email(reply(sent, text="Plain yes.", html="<p>HTML yes</p>"))
    assert received.body == "Plain yes."


def test_a_long_body_is_capped(sent):
    received = email.receive_email(reply(sent, text="x" * (email.MAX_BODY_CHARS + 10)))
    assert len(received.body) == email.MAX_BODY_CHARS


def test_a_reply_is_dated_between_our_email_and_now(sent):
    early = email.receive_email(reply(sent, date=sent.sent_at - timedelta(days=2)))
    assert early.sent_at == sent.sent_at
    future = timezone.now() + timedelta(days=2)
    late = email.receive_email(reply(sent, message_id="<reply-2@mail.example.com>", date=future))
    assert sent.sent_at <= late.sent_at <= timezone.now()


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "empty"),
        (b"just some words", "no headers"),
        (b"From: ada@example.com\r\n\r\nhello", "Message-ID"),
        (b"Message-ID: <x@example.com>\r\n\r\nhello", "From"),
        (b"From: ada@example.com\r\nMessage-ID: <" + b"x" * 300 + b">\r\n\r\nhi", "Message-ID"),
    ],
)
def test_malformed_mime_is_refused_with_a_reason(db, raw, problem):
    with pytest.raises(email.MalformedEmail, match=problem):
        email.receive_email(raw)
