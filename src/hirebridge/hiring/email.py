"""Email with candidates, so that hand-added candidates progress like LinkedIn ones.

An email we send carries a Message-ID of our own and is logged as outbound (Reached out); a
reply that names it in In-Reply-To or References, handed to us as raw MIME by a mail relay, is
logged as inbound (Responded). Our Message-IDs are random, so only someone who received the
email can thread a reply onto it.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from itertools import islice

from django.conf import settings
from django.core import mail
from django.utils import timezone

from hirebridge.accounts.models import User
from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate, Message, Opportunity
from hirebridge.hiring.models.candidates import normalize_email
from hirebridge.hiring.models.records import Channel, Direction

logger = logging.getLogger("hirebridge.email")

MAX_BODY_CHARS = 100_000
MAX_SUBJECT_CHARS = 500
# Only the newest ids of a long References header are looked up.
MAX_REFERENCES = 50
# `<id>` as in Message-ID, In-Reply-To and References; 200 characters fit Message.external_id.
MESSAGE_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]{1,198}>")
# The email package checks every line against the boundary of every enclosing multipart: a
# few thousand nested ones keep a worker busy for minutes. Real mail nests a handful; counting
# the word before parsing bounds the nesting (Content-Type's type is never encoded).
MAX_MULTIPARTS = 20
MULTIPART = re.compile(rb"multipart", re.IGNORECASE)
# What the email package raises on MIME it cannot make sense of (a header's parser, a charset
# nobody knows, nesting deeper than the interpreter's stack).
PARSER_ERRORS = (errors.MessageError, LookupError, ValueError, TypeError, RecursionError)


class EmailNotSent(Exception):
    """The mail server could not be reached or refused the email; nothing was logged."""


class MalformedEmail(ValueError):
    """Raw MIME that cannot be taken in; the message says which part is missing or broken."""


def send_email(
    actor: User,
    candidate: Candidate,
    *,
    to: str,
    subject: str,
    body: str,
    opportunity: Opportunity | None = None,
) -> Message:
    """Send an email to one of the candidate's addresses, then log it as an outbound Message.

    Call it outside a transaction: the send is I/O, and the log (with its stage progression)
    is written only once the mail server has taken the email.
    """
    address = normalize_email(to)
    subject = subject.strip()
    if not candidate.emails.filter(email=address).exists():
        raise services.PipelineError(
            f"to: {to!r} is not one of {candidate.name}'s email addresses", field="to"
        )
    if not subject or len(subject) > MAX_SUBJECT_CHARS or "\n" in subject or "\r" in subject:
        raise services.PipelineError(
            f"subject: one line of 1 to {MAX_SUBJECT_CHARS} characters", field="subject"
        )
    if not body.strip() or len(body) > MAX_BODY_CHARS:
        raise services.PipelineError(
            f"body: an email needs 1 to {MAX_BODY_CHARS} characters", field="body"
        )
    if opportunity is not None and opportunity.candidate_id != candidate.id:
        raise services.PipelineError(
            "opportunity: belongs to another candidate", field="opportunity"
        )
    from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    sender = str(Address(display_name=actor.name, addr_spec=from_address))
    message_id = f"<{uuid.uuid4()}@{from_address.rpartition('@')[2] or 'localhost'}>"
    sent_at = timezone.now()
    outgoing = mail.EmailMessage(
        subject, body, sender, [address], headers={"Message-ID": message_id}
    )
    try:
        outgoing.send()
    except OSError as exc:  # smtplib's errors included
        raise EmailNotSent(f"the mail server did not take the email: {exc}") from exc
    message, _ = services.log_message(
        actor,
        candidate,
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        sender=sender,
        sender_user=actor,
        recipient=address,
        subject=subject,
        body=body,
        sent_at=sent_at,
        external_id=message_id,
        thread_id=message_id,
        opportunity=opportunity,
    )
    return message


def receive_email(raw_mime: bytes) -> Message | None:
    """Log a reply to an email we sent as an inbound Message on that candidate and opportunity.

    Returns None, with a log line, for a reply to nothing we sent and for automatic replies
    (out of office, bounces), which are not the candidate responding. A repeated delivery
    changes nothing and returns the Message logged the first time. The whole email is read
    before anything is looked up or written: MIME that cannot be read writes nothing.
    """
    incoming = _read(raw_mime)
    if incoming.automatic:
        logger.info("inbound email %s ignored: an automatic reply", incoming.message_id)
        return None
    original = _replied_to(incoming.answers)
    if original is None:
        logger.info("inbound email %s ignored: it answers no email we sent", incoming.message_id)
        return None
    message, created = services.log_message(
        services.AUTOMATIC,
        original.candidate,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        sender=incoming.sender,
        recipient=incoming.recipient,
        subject=incoming.subject,
        body=incoming.body,
        sent_at=_sent_at(incoming.date, original),
        external_id=incoming.message_id,
        thread_id=original.thread_id or original.external_id or "",
        opportunity=original.opportunity,
    )
    logger.info(
        "inbound email %s %s on thread %s",
        incoming.message_id,
        "logged" if created else "repeated",
        message.thread_id,
    )
    return message


@dataclass(frozen=True)
class Incoming:
    """What a received email says, as text the database takes."""

    message_id: str
    sender: str
    recipient: str
    subject: str
    body: str
    automatic: bool
    answers: list[str]  # the Message-IDs it answers, in the order they are looked up
    date: datetime | None


def _read(raw_mime: bytes) -> Incoming:
    try:
        parsed = _parse(raw_mime)
        message_id = _message_id(parsed)
        sender = _header(parsed, "From")
        if not sender:
            raise MalformedEmail("From: the header is missing")
        return Incoming(
            message_id=message_id,
            sender=sender,
            recipient=_header(parsed, "To"),
            subject=_header(parsed, "Subject"),
            body=_text(parsed),
            automatic=_is_automatic(parsed),
            answers=_answers(parsed),
            date=_date(parsed),
        )
    except MalformedEmail:
        raise
    except PARSER_ERRORS as exc:
        raise MalformedEmail(f"the MIME structure cannot be read ({type(exc).__name__})") from exc


def _parse(raw_mime: bytes) -> EmailMessage:
    if not raw_mime.strip():
        raise MalformedEmail("the body is empty; expected a raw MIME message")
    if len(list(islice(MULTIPART.finditer(raw_mime), MAX_MULTIPARTS + 1))) > MAX_MULTIPARTS:
        raise MalformedEmail(f"Content-Type: more than {MAX_MULTIPARTS} multipart parts")
    parsed = BytesParser(policy=policy.default).parsebytes(raw_mime)
    if not parsed.keys():
        raise MalformedEmail("no headers found; expected a raw MIME message")
    return parsed


def _header(parsed: EmailMessage, name: str) -> str:
    """A header's decoded value on one line, "" when absent."""
    try:
        value = parsed.get(name)
    except PARSER_ERRORS as exc:
        raise MalformedEmail(f"{name}: the header cannot be parsed") from exc
    return " ".join(_plain(str(value)).split()) if value is not None else ""


def _message_id(parsed: EmailMessage) -> str:
    found = MESSAGE_ID.search(_header(parsed, "Message-ID"))
    if found is None:
        raise MalformedEmail("Message-ID: missing, not <id@domain>, or over 200 characters")
    return found.group()


def _is_automatic(parsed: EmailMessage) -> bool:
    """RFC 3834 auto-replies and RFC 3464 delivery reports."""
    auto_submitted = _header(parsed, "Auto-Submitted").lower()
    return (auto_submitted not in ("", "no")) or parsed.get_content_type() == "multipart/report"


def _answers(parsed: EmailMessage) -> list[str]:
    """In-Reply-To first, then References, newest first."""
    references = MESSAGE_ID.findall(_header(parsed, "References"))[::-1][:MAX_REFERENCES]
    return MESSAGE_ID.findall(_header(parsed, "In-Reply-To"))[:1] + references


def _replied_to(answers: list[str]) -> Message | None:
    """The email we sent that this one answers: the first of `answers` that is ours."""
    if not answers:
        return None
    sent = {
        message.external_id: message
        for message in Message.objects.filter(
            channel=Channel.EMAIL, direction=Direction.OUTBOUND, external_id__in=answers
        ).select_related("candidate", "opportunity")
    }
    return next((sent[message_id] for message_id in answers if message_id in sent), None)


def _date(parsed: EmailMessage) -> datetime | None:
    try:
        date = parsedate_to_datetime(_header(parsed, "Date"))
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return date if date.tzinfo is not None else date.replace(tzinfo=UTC)


def _sent_at(date: datetime | None, original: Message) -> datetime:
    """The Date header, kept between the email it answers and now (senders' clocks drift)."""
    now = timezone.now()
    return now if date is None else max(original.sent_at, min(date, now))


def _plain(text: str) -> str:
    """`text` as the database takes it: NUL characters dropped, and undecodable bytes (kept by
    the email package as lone surrogates) replaced."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _text(parsed: EmailMessage) -> str:
    """The text/plain body, else the text of the text/html one; capped."""
    part = parsed.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, errors.MessageError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        content = _html_text(content[: 4 * MAX_BODY_CHARS])
    return _plain(str(content)).strip()[:MAX_BODY_CHARS]


class _HtmlText(HTMLParser):
    """Collects the visible text of HTML: scripts and styles dropped, blocks on their own lines."""

    SKIPPED = frozenset({"script", "style", "title"})
    BLOCKS = frozenset(
        {"blockquote", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "p", "tr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
