"""InMail and note history of connected candidates: what the organization's seats wrote to and
about members the ATS already knows (a candidate with their person URN). Anything else, and
anything of a seat that is not one of this organization's contracts', is skipped.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/inmail-history
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/prospect-notes

Items are upserted on LinkedIn's ids, so re-reading an overlapping window changes nothing. An
InMail goes to the opportunity its thread already went to (an export's), else to the candidate
as a whole (so it counts for each active opportunity's stage progression). A note's latest
state wins: LinkedIn serves each note as it stands now, ordered by last modification, and an
inactive note deletes the ATS note.
"""

from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate, Message, Opportunity
from hirebridge.hiring.models.records import Channel, RecordSource
from hirebridge.linkedin import replies
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.inbound import Tally, people
from hirebridge.linkedin.inbound.people import SEAT_PREFIX, InMail, RecruiterNote
from hirebridge.linkedin.models import Integration, ProfileConnection, Seat

PERSON_PREFIX = "urn:li:person:"


def fetch_inmails(
    client: LinkedInClient, seat_urn: str, start_ms: int, end_ms: int
) -> list[replies.ConversationEvent]:
    return client.conversation_events(seat_urn, start_ms, end_ms)


def store_inmails(
    integration: Integration, seat_urn: str, events: list[replies.ConversationEvent]
) -> Tally:
    """Write the seat's InMails with connected candidates; runs in the window's transaction."""
    seats = people.seats_of(integration)
    recruiters = {seat.member_urn for seat in seats.values() if seat.member_urn}
    members = {event.id: _member(event, recruiters) for event in events}
    connected = _connected(integration, members.values())
    tally = Tally()
    for event in sorted(events, key=lambda e: (e.created.time, e.id)):
        member = members[event.id]
        candidate = connected.get(member or "")
        if member is None or candidate is None or not _seats_are_ours(event, seats):
            tally.counts["skipped"] += 1
            continue
        with tally.item(f"conversationEvent {event.id}"):
            inmail = InMail.from_event(event, seat_urn)
            opportunity = _thread_opportunity(candidate, inmail.thread)
            _, new = people.log_inmail(
                services.AUTOMATIC, candidate, opportunity, inmail, member, seats
            )
            tally.counts["imported" if new else "unchanged"] += 1
    return tally


def fetch_notes(
    client: LinkedInClient, contract_urn: str, seat_urns: list[str], start_ms: int, end_ms: int
) -> list[replies.ProspectNote]:
    """Notes last modified in [start_ms, end_ms); LinkedIn's window is (cutoffDate, beforeDate]."""
    return client.prospect_notes(contract_urn, seat_urns, start_ms - 1, end_ms - 1)


def store_notes(integration: Integration, notes: list[replies.ProspectNote]) -> Tally:
    """Write the notes on connected candidates; runs in the window's transaction."""
    seats = people.seats_of(integration)
    connected = _connected(integration, (note.member for note in notes))
    tally = Tally()
    for note in sorted(notes, key=lambda n: (n.last_modified, n.id)):
        candidate = connected.get(note.member)
        if candidate is None or note.owner not in seats:
            tally.counts["skipped"] += 1
            continue
        with tally.item(f"prospectNote {note.id}"):
            tally.counts[_apply_note(candidate, note, seats)] += 1
    return tally


def _apply_note(candidate: Candidate, note: replies.ProspectNote, seats: dict[str, Seat]) -> str:
    """Create, update or delete the ATS copy of the note; what was done."""
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
        external_author=people.holder_name(seats, note.owner),
        created_at=RecruiterNote.from_prospect(note).created_at,
    )
    if created:
        return "imported"
    updated = services.update_external_note(
        services.AUTOMATIC, RecordSource.LINKEDIN, note.id, note.note
    )
    return "updated" if updated else "unchanged"


def _connected(integration: Integration, members) -> dict[str, Candidate]:
    connections = ProfileConnection.objects.filter(
        integration=integration, person_urn__in={m for m in members if m}
    ).select_related("candidate")
    return {connection.person_urn: connection.candidate for connection in connections}


def _member(event: replies.ConversationEvent, recruiters: set[str]) -> str | None:
    """The member's side of an InMail: the person URN that is not one of our recruiters."""
    return next(
        (
            urn
            for urn in (event.author, *event.participants)
            if urn.startswith(PERSON_PREFIX) and urn not in recruiters
        ),
        None,
    )


def _seats_are_ours(event: replies.ConversationEvent, seats: dict[str, Seat]) -> bool:
    return all(
        urn in seats for urn in (event.author, *event.participants) if urn.startswith(SEAT_PREFIX)
    )


def _thread_opportunity(candidate: Candidate, thread: str) -> Opportunity | None:
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
