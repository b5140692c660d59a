"""InMail stub profiles: a member who answered a seat's InMail with "Yes, please share" becomes a
candidate with a general opportunity in New lead, with their email and phone, the thread's
InMails and the seat's notes on them. "No, don't share" and "No thanks" make no stub, so nothing.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/inmail-stub-profiles

A member already in the ATS (Lever: "a new general opportunity will be added to their candidate
profile and any new InMails will be synced to that opportunity") gets a new general opportunity
unless they have an active general one, which is reused: two open general opportunities say
nothing more than one, and a stub read twice (poll windows overlap) then changes nothing. A
member erased with a request not to be imported again is counted as suppressed, not imported.
"""

from dataclasses import dataclass

from hirebridge.hiring.services import AUTOMATIC
from hirebridge.linkedin import replies
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.inbound import Tally, people
from hirebridge.linkedin.inbound.people import InMail, Person, RecruiterNote
from hirebridge.linkedin.models import Integration


@dataclass(frozen=True)
class SharedProfile:
    """A stub with what the ATS imports along with it."""

    stub: replies.MailStub
    thread: list[replies.ConversationEvent]
    notes: list[replies.ProspectNote]


def fetch(
    client: LinkedInClient, contract_urn: str, seat_urns: list[str], start_ms: int, end_ms: int
) -> list[SharedProfile]:
    """Stubs created in [start_ms, end_ms) for the contract's seats, each with its thread and
    its owner's active notes on the member."""
    stubs = [
        stub
        for stub in client.mail_stubs(contract_urn, seat_urns, start_ms, end_ms)
        if stub.owner in seat_urns
    ]
    threads = [_thread(client, stub) for stub in stubs]
    # prospectNotes has no member filter: read each owner's notes once, not once per stub.
    notes_of = {
        owner: client.prospect_notes(contract_urn, [owner], 0, end_ms - 1)
        for owner in {stub.owner for stub in stubs}
    }
    return [
        SharedProfile(
            stub, thread, [n for n in notes_of[stub.owner] if n.member == stub.member and n.active]
        )
        for stub, thread in zip(stubs, threads, strict=True)
    ]


def store(integration: Integration, shared: list[SharedProfile]) -> Tally:
    """Write the stubs; runs in the window's transaction."""
    seats = people.seats_of(integration)
    tally = Tally()
    for item in shared:
        stub = item.stub
        seat = seats.get(stub.owner)
        if seat is None:
            tally.counts["skipped"] += 1
            continue
        with tally.item(f"mailStub {stub.id}"):
            phones = [stub.phone_number] if stub.phone_number else []
            person = Person.from_profile(stub, phones=phones)
            # Dated now, not from the stub: the InMail exchange that produced it is history, and
            # Lever shows an InMail-response candidate as a New lead.
            try:
                opportunity = people.candidacy(
                    AUTOMATIC, integration, person, posting=None, owner=seat.user
                )
            except people.Suppressed:
                tally.counts["suppressed"] += 1
                continue
            inmails = [InMail.from_event(event, stub.owner) for event in item.thread]
            people.import_inmails(AUTOMATIC, opportunity, inmails, person.urn, seats)
            notes = [RecruiterNote.from_prospect(note) for note in item.notes]
            people.import_notes(AUTOMATIC, opportunity, notes, seats)
            tally.counts["imported"] += 1
    return tally


def _thread(client: LinkedInClient, stub: replies.MailStub) -> list[replies.ConversationEvent]:
    if not stub.thread:
        return []
    params = {"q": "criteria", "viewer": stub.owner, "threadUrn": stub.thread}
    return client.find_all(client.route("conversationEvents"), params, replies.ConversationEvent)
