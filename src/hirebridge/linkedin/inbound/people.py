"""A LinkedIn member in the ATS: find or create their candidate, connect it to the member, and
import the InMails and Recruiter notes LinkedIn holds about them. Shared by 1-click exports and
stub profiles; InMail history reuses the InMail import.

The same person, in this order: the member's primary candidate (the first connected to the
person URN: duplicates may be connected too, but LinkedIn's activity lands on the primary);
else a candidate with one of the member's emails; else one with the member's LinkedIn profile
URL. Connected candidates are never matched by email or URL: LinkedIn says who they are.

A member erased with a request not to be imported again (hirebridge.privacy) is never found
or created: `candidacy` raises Suppressed first. A candidate LinkedIn brings data about owes the
person a privacy notice within a month (GDPR Art. 14); `candidacy` sets the due date.

Runs inside the caller's transaction. Candidates, opportunities, notes and messages are written
by hiring.services; the contact details LinkedIn adds to an existing candidate (emails, phones,
the profile URL) are written here, as services has no call for them yet.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection

from hirebridge import audit
from hirebridge.accounts.models import User
from hirebridge.hiring import services
from hirebridge.hiring.models import (
    Candidate,
    Opportunity,
    Posting,
)
from hirebridge.hiring.models.candidates import Origin, normalize_email
from hirebridge.hiring.models.records import Channel, Direction, Message, RecordSource
from hirebridge.linkedin import outbox, replies
from hirebridge.linkedin.inbound import Rejected
from hirebridge.linkedin.models import Integration, OutboxKind, ProfileConnection, Seat
from hirebridge.privacy import suppression

log = logging.getLogger("hirebridge.linkedin")

SOURCE = "LinkedIn Recruiter"
PERSON_URN = re.compile(r"urn:li:person:[A-Za-z0-9_-]+")  # fullmatch: $ admits a final \n
SEAT_PREFIX = "urn:li:seat:"


def moment(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


@dataclass(frozen=True)
class Person:
    """A member as an export or a stub profile describes them, checked field by field."""

    urn: str
    first_name: str
    last_name: str
    headline: str
    location: str
    employer: str
    profile_url: str
    emails: tuple[str, ...]
    phones: tuple[str, ...] = ()

    @classmethod
    def from_profile(cls, profile: replies.StubProfile, *, phones: Sequence[str] = ()) -> "Person":
        if not PERSON_URN.fullmatch(profile.member):
            raise Rejected(f"member: {profile.member!r} is not a person URN")
        emails = []
        for email in profile.emails:
            address = normalize_email(email)
            try:
                validate_email(address)
            except ValidationError:
                raise Rejected(f"emailAddresses: {email!r} is not an email address") from None
            emails.append(address)
        url = (profile.profile_url or "").strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise Rejected(f"profileUrl: {url!r} is not an http(s) URL") from None
        return cls(
            urn=profile.member,
            first_name=profile.first_name.strip(),
            last_name=profile.last_name.strip(),
            headline=(profile.headline or "").strip(),
            location=(profile.location or "").strip(),
            employer=next((name.strip() for name in profile.current_employer_names), ""),
            profile_url=url,
            emails=tuple(dict.fromkeys(emails)),
            phones=tuple(dict.fromkeys(p.strip() for p in phones if p and p.strip())),
        )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class InMail:
    """One InMail between a seat and the member, from an export or from InMail history."""

    id: str
    author: str
    seat: str
    thread: str
    subject: str
    body: str
    sent_at: datetime

    @classmethod
    def from_export(cls, inmail: replies.ExportedInMail, exporter: str) -> "InMail":
        seat = inmail.author if inmail.author.startswith(SEAT_PREFIX) else exporter
        return cls(
            id=inmail.id,
            author=inmail.author,
            seat=seat,
            thread=inmail.thread or "",
            subject=inmail.subject or "",
            body=inmail.body or "",
            sent_at=moment(inmail.created_at),
        )

    @classmethod
    def from_event(cls, event: replies.ConversationEvent, viewer: str) -> "InMail":
        return cls(
            id=event.id,
            author=event.author,
            seat=viewer,
            thread=event.thread or "",
            subject=event.subject or "",
            body=event.body or "",
            sent_at=moment(event.created.time),
        )


@dataclass(frozen=True)
class RecruiterNote:
    """A seat's note on the member, from an export or from prospectNotes."""

    id: str
    owner: str
    body: str
    created_at: datetime

    @classmethod
    def from_export(cls, note: replies.ExportedNote, exporter: str) -> "RecruiterNote":
        return cls(note.id, note.owner or exporter, note.note, moment(note.created_at))

    @classmethod
    def from_prospect(cls, note: replies.ProspectNote) -> "RecruiterNote":
        return cls(note.id, note.owner, note.note, moment(note.created or note.last_modified))


def seats_of(integration: Integration) -> dict[str, Seat]:
    """The integration's seats by URN, inactive ones too: their past InMails are still ours."""
    seats = Seat.objects.filter(contract__integration=integration).select_related("user")
    return {seat.urn: seat for seat in seats}


def holder_name(seats: dict[str, Seat], urn: str) -> str:
    seat = seats.get(urn)
    name = f"{seat.first_name} {seat.last_name}".strip() if seat else ""
    return name or (str(seat.user) if seat and seat.user else urn)


def url_variants(url: str) -> list[str]:
    bare = url.rstrip("/")
    return [bare, bare + "/"]


def primary_candidate(integration: Integration, person_urn: str) -> Candidate | None:
    connected = (
        ProfileConnection.objects.filter(
            integration=integration, person_urn=person_urn, primary=True
        )
        .select_related("candidate")
        .first()
    )
    return connected.candidate if connected else None


class Suppressed(Exception):
    """The member was erased with a request not to be imported again; nothing of them is
    written. Raised before any write, so the caller may go on with its other items."""


def record_suppressed(items: int = 1) -> None:
    """Log and audit that LinkedIn data about a suppressed member was not imported; no personal
    data, so not even the URN."""
    log.info("%d LinkedIn item(s) of a suppressed member not imported", items)
    audit.record(
        "candidate.suppressed_import",
        actor="linkedin",
        detail={"reason": "suppressed", "items": items},
    )


def suppressed_member(person: Person) -> bool:
    return suppression.is_suppressed(
        suppression.identifiers(
            person_urns=[person.urn],
            emails=person.emails,
            profile_urls=[person.profile_url] if person.profile_url else [],
        )
    )


def refuse_suppressed(person: Person) -> None:
    if suppressed_member(person):
        record_suppressed()
        raise Suppressed("suppressed: the member asked not to be imported again")


def hold_member(integration: Integration, person_urn: str) -> None:
    """Hold the member until the transaction ends: two imports of one member at once (two
    workers, two exports) take turns, and the second finds what the first made instead of
    making a second candidate (refused by the unique primary connection, so retried minutes
    later) or a second general opportunity (which no constraint refuses). PostgreSQL takes an
    advisory lock; SQLite's IMMEDIATE transactions let one writer in at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = f"linkedin-member:{integration.pk}:{person_urn}"
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def find(integration: Integration, person: Person) -> Candidate | None:
    connected = primary_candidate(integration, person.urn)
    if connected is not None:
        return connected
    unclaimed = Candidate.objects.exclude(linkedin_connection__integration=integration).order_by(
        "created_at", "id"
    )
    if person.emails:
        by_email = unclaimed.filter(emails__email__in=person.emails).first()
        if by_email is not None:
            return by_email
    if person.profile_url:
        return unclaimed.filter(links__url__in=url_variants(person.profile_url)).first()
    return None


def candidacy(
    actor: services.Actor,
    integration: Integration,
    person: Person,
    *,
    posting: Posting | None,
    owner: User | None,
    opened_at: datetime | None = None,
) -> Opportunity:
    """The member's active opportunity on `posting` (None: a general one), made if missing and
    dated `opened_at` (when LinkedIn saw it begin), on the member's candidate, made if missing;
    the candidate ends up connected to the member. A member whose erasure asked never to be
    imported again raises Suppressed before anything is written."""
    refuse_suppressed(person)
    hold_member(integration, person.urn)
    candidate = find(integration, person)
    if candidate is None:
        opportunity = services.create_candidate(
            actor,
            name=person.name,
            headline=person.headline,
            location=person.location,
            current_company=person.employer,
            emails=person.emails,
            phones=[services.Phone(phone) for phone in person.phones],
            links=[person.profile_url] if person.profile_url else [],
            sources=[SOURCE],
            origin=Origin.SOURCED,
            posting=posting,
            owner=owner,
            opened_at=opened_at,
        )
        # Creating the candidate put it in the outbox in this unit of work, and the candidate
        # sync reads the connection when it sends: nothing more to queue.
        _new_connection(integration, opportunity.candidate, person.urn, actor)
        services.owe_privacy_notice(opportunity.candidate)
        return opportunity
    add_contact_details(candidate, person)
    services.owe_privacy_notice(candidate)
    active = candidate.opportunities.active().filter(posting=posting).order_by("created_at")
    opportunity = active.first() or services.add_opportunity(
        actor,
        candidate,
        posting=posting,
        origin=Origin.SOURCED,
        sources=[SOURCE],
        owner=owner,
        opened_at=opened_at,
    )
    connect(integration, candidate, person.urn, actor)
    return opportunity


def add_contact_details(candidate: Candidate, person: Person) -> None:
    """Emails, phones and the profile URL the candidate lacks; nothing is ever removed."""
    services.add_contact_details(
        services.AUTOMATIC,
        candidate,
        emails=person.emails,
        phones=[services.Phone(value) for value in person.phones],
        links=[person.profile_url] if person.profile_url else [],
    )


def connect(
    integration: Integration, candidate: Candidate, person_urn: str, actor: services.Actor
) -> None:
    """Make the candidate the member's primary candidate. A second candidate for the same
    member breaks the partial unique constraint (one primary per member) and rolls the whole
    unit of work back: the caller retries and then finds the first. LinkedIn learns of the link
    through the outbox (the candidate sync sets `manualMatchedMember`)."""
    current = ProfileConnection.objects.filter(candidate=candidate).first()
    if current is None:
        _new_connection(integration, candidate, person_urn, actor)
    elif (current.integration_id, current.person_urn) != (integration.pk, person_urn):
        left_integration, left_member = current.integration, current.person_urn
        was_primary = current.primary
        current.integration = integration
        current.person_urn = person_urn
        current.primary = True
        current.save(update_fields=["integration", "person_urn", "primary"])
        if was_primary:
            ProfileConnection.objects.promote_next(left_integration.pk, left_member)
    else:
        return
    outbox.changed(OutboxKind.CANDIDATE, candidate.id)


def _new_connection(
    integration: Integration, candidate: Candidate, person_urn: str, actor: services.Actor
) -> None:
    """The first connection of a candidate that has none: primary for the member."""
    ProfileConnection.objects.create(
        candidate=candidate,
        integration=integration,
        person_urn=person_urn,
        primary=True,
        connected_by=actor if isinstance(actor, User) else None,
    )


def log_inmail(
    actor: services.Actor,
    candidate: Candidate,
    opportunity: Opportunity | None,
    inmail: InMail,
    member_urn: str,
    seats: dict[str, Seat],
) -> tuple[Message, bool]:
    """Record one InMail, upserted on LinkedIn's event id; the member's side is inbound."""
    recruiter = holder_name(seats, inmail.seat)
    seat = seats.get(inmail.seat)
    inbound = inmail.author == member_urn
    return services.log_message(
        actor,
        candidate,
        channel=Channel.INMAIL,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        sender=candidate.name if inbound else recruiter,
        recipient=recruiter if inbound else candidate.name,
        sender_user=None if inbound or seat is None else seat.user,
        sent_at=inmail.sent_at,
        subject=inmail.subject,
        body=inmail.body,
        external_id=inmail.id,
        thread_id=inmail.thread,
        opportunity=opportunity,
    )


def import_inmails(
    actor: services.Actor,
    opportunity: Opportunity,
    inmails: Iterable[InMail],
    member_urn: str,
    seats: dict[str, Seat],
) -> int:
    """The InMails onto the opportunity, oldest first; how many were new."""
    created = 0
    for inmail in sorted(inmails, key=lambda m: (m.sent_at, m.id)):
        _, new = log_inmail(actor, opportunity.candidate, opportunity, inmail, member_urn, seats)
        created += new
    return created


def import_notes(
    actor: services.Actor,
    opportunity: Opportunity,
    notes: Iterable[RecruiterNote],
    seats: dict[str, Seat],
) -> int:
    """The notes onto the opportunity, upserted on LinkedIn's note id; how many were new."""
    created = 0
    for note in notes:
        if not note.body.strip():
            continue
        _, new = services.add_note(
            actor,
            opportunity.candidate,
            note.body,
            opportunity=opportunity,
            source=RecordSource.LINKEDIN,
            external_id=note.id,
            external_author=holder_name(seats, note.owner),
            created_at=note.created_at,
        )
        created += new
    return created


def thread_opportunity(candidate: Candidate, thread: str) -> Opportunity | None:
    """The active opportunity earlier InMails of this thread went to, if any."""
    if not thread:
        return None
    earlier = (
        Message.objects.filter(
            candidate=candidate,
            channel=Channel.INMAIL,
            thread_id=thread,
            opportunity__isnull=False,
            opportunity__archived_at__isnull=True,
        )
        .select_related("opportunity")
        .order_by("sent_at", "id")
        .first()
    )
    return earlier.opportunity if earlier else None


def apply_note(candidate: Candidate, note: replies.ProspectNote, seats: dict[str, Seat]) -> str:
    """Create, update or delete the ATS copy of a note as it stands now; what was done."""
    if not note.active:
        deleted = services.delete_external_note(services.AUTOMATIC, RecordSource.LINKEDIN, note.id)
        return "deleted" if deleted else "unchanged"
    if not note.note.strip():
        return "skipped"
    _, created = services.add_note(
        services.AUTOMATIC,
        candidate,
        note.note,
        source=RecordSource.LINKEDIN,
        external_id=note.id,
        external_author=holder_name(seats, note.owner),
        created_at=RecruiterNote.from_prospect(note).created_at,
    )
    if created:
        return "imported"
    updated = services.update_external_note(
        services.AUTOMATIC, RecordSource.LINKEDIN, note.id, note.note
    )
    return "updated" if updated else "unchanged"
