"""InMail and note history: what the organization's seats wrote to and about members. Activity
with a member the ATS knows goes to the member's primary candidate; activity with a member no
candidate is connected to yet is held (inbound.held) until one is. Anything of a seat that is
not one of this organization's contracts' (a personal account) is skipped, never held.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/inmail-history
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/prospect-notes

Items are upserted on LinkedIn's ids, so re-reading an overlapping window changes nothing. An
InMail goes to the opportunity its thread already went to (an export's), else to the candidate
as a whole (so it counts for each active opportunity's stage progression). A note's latest
state wins: LinkedIn serves each note as it stands now, ordered by last modification, and an
inactive note deletes the ATS note (or the held one). Each notes window also imports what is
held for members connected meanwhile and forgets held activity past its retention. Activity
with a member no candidate is connected to and whose erasure asked never to import them again
is dropped (counted as suppressed), not held.
"""

from collections.abc import Iterable

from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate
from hirebridge.linkedin import replies
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.inbound import Tally, held, people
from hirebridge.linkedin.inbound.people import SEAT_PREFIX, InMail
from hirebridge.linkedin.models import Integration, ProfileConnection, Seat
from hirebridge.privacy import suppression

PERSON_PREFIX = "urn:li:person:"


def fetch_inmails(
    client: LinkedInClient, seat_urn: str, start_ms: int, end_ms: int
) -> list[replies.ConversationEvent]:
    return client.conversation_events(seat_urn, start_ms, end_ms)


def store_inmails(
    integration: Integration, seat_urn: str, events: list[replies.ConversationEvent]
) -> Tally:
    """Write the seat's InMails with members onto their candidates, or hold them; runs in the
    window's transaction."""
    seats = people.seats_of(integration)
    recruiters = {seat.member_urn for seat in seats.values() if seat.member_urn}
    members = {event.id: _member(event, recruiters) for event in events}
    connected = _connected(integration, members.values())
    suppressed = _suppressed(members.values(), connected)
    tally = Tally()
    for event in sorted(events, key=lambda e: (e.created.time, e.id)):
        member = members[event.id]
        if member is None or not _seats_are_ours(event, seats):
            tally.counts["skipped"] += 1
            continue
        candidate = connected.get(member)
        if candidate is None and member in suppressed:
            tally.counts["suppressed"] += 1
            continue
        if candidate is None:
            held.hold_inmail(integration, seat_urn, member, event)
            tally.counts["held"] += 1
            continue
        with tally.item(f"conversationEvent {event.id}"):
            inmail = InMail.from_event(event, seat_urn)
            opportunity = people.thread_opportunity(candidate, inmail.thread)
            _, new = people.log_inmail(
                services.AUTOMATIC, candidate, opportunity, inmail, member, seats
            )
            tally.counts["imported" if new else "unchanged"] += 1
    if tally.counts["suppressed"]:
        people.record_suppressed(tally.counts["suppressed"])
    return tally


def fetch_notes(
    client: LinkedInClient, contract_urn: str, seat_urns: list[str], start_ms: int, end_ms: int
) -> list[replies.ProspectNote]:
    """Notes last modified in [start_ms, end_ms); LinkedIn's window is (cutoffDate, beforeDate]."""
    return client.prospect_notes(contract_urn, seat_urns, start_ms - 1, end_ms - 1)


def store_notes(integration: Integration, notes: list[replies.ProspectNote]) -> Tally:
    """Write the notes onto their members' candidates, or hold them; then import what is held
    for members connected meanwhile and purge expired held rows. Runs in the window's
    transaction."""
    seats = people.seats_of(integration)
    connected = _connected(integration, (note.member for note in notes))
    suppressed = _suppressed((note.member for note in notes), connected)
    tally = Tally()
    for note in sorted(notes, key=lambda n: (n.last_modified, n.id)):
        if note.owner not in seats or not people.PERSON_URN.fullmatch(note.member):
            tally.counts["skipped"] += 1
            continue
        candidate = connected.get(note.member)
        if candidate is None and note.member in suppressed:
            tally.counts["suppressed"] += 1
            continue
        if candidate is None:
            tally.counts[held.hold_note(integration, note)] += 1
            continue
        with tally.item(f"prospectNote {note.id}"):
            tally.counts[people.apply_note(candidate, note, seats)] += 1
    if tally.counts["suppressed"]:
        people.record_suppressed(tally.counts["suppressed"])
    adopted = held.adopt(integration)
    if adopted.inmails or adopted.notes:
        tally.counts["adopted"] += adopted.inmails + adopted.notes
    if purged := held.purge_expired(integration):
        tally.counts["expired"] += purged
    return tally


def _connected(integration: Integration, members: Iterable[str | None]) -> dict[str, Candidate]:
    """Each member's primary candidate: where LinkedIn activity goes."""
    connections = ProfileConnection.objects.filter(
        integration=integration, primary=True, person_urn__in={m for m in members if m}
    ).select_related("candidate")
    return {connection.person_urn: connection.candidate for connection in connections}


def _suppressed(members: Iterable[str | None], connected: dict[str, Candidate]) -> set[str]:
    """Members without a candidate whose erasure asked never to import them again: their
    activity is neither imported nor held. A candidate a recruiter connected to one since
    decides otherwise, so connected members are not looked up."""
    return suppression.suppressed_urns({m for m in members if m and m not in connected})


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
