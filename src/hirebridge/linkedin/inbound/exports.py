"""1-click export: the member a recruiter exported from LinkedIn Recruiter becomes a candidate in
New lead on the posting picked in the export (a general opportunity when none was), with the
exporting seat's InMails and notes, owned by the ATS user of that seat.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/retrieve-exported-candidates

Postings are synced to LinkedIn as jobs whose externalJobPostingId is the posting's id, so that
is what an export names.
"""

import uuid
from collections.abc import Iterator
from typing import Any

from hirebridge import audit
from hirebridge.hiring.models import CandidateEmail, CandidateLink, Note, Opportunity, Posting
from hirebridge.hiring.models.records import Message
from hirebridge.hiring.services import AUTOMATIC
from hirebridge.linkedin import replies
from hirebridge.linkedin.client import LinkedInClient, Permanent
from hirebridge.linkedin.inbound import NotReady, Rejected, people
from hirebridge.linkedin.inbound.people import InMail, Person, RecruiterNote
from hirebridge.linkedin.models import Integration, ProfileConnection

# The last moment a datetime holds (9999-12-31T23:59:59.999Z), in LinkedIn's epoch milliseconds.
LAST_EPOCH_MS = 253_402_300_799_999


def fetch(client: LinkedInClient, request_id: str) -> list[replies.ExportedCandidate]:
    """The export a push announced; NotReady while LinkedIn cannot serve it yet."""
    try:
        exported = client.exported_candidates(request_id)
    except Permanent as refused:
        if refused.status == 404:
            raise NotReady(f"exportedCandidates does not know request {request_id} yet") from None
        raise
    if not exported:
        raise NotReady(f"exportedCandidates has nothing for request {request_id} yet")
    return exported


def foreign_contexts(
    integration: Integration, exported: list[replies.ExportedCandidate]
) -> list[str]:
    """The integration contexts of elements that are not this integration's organization."""
    return [
        e.integration_context
        for e in exported
        if e.integration_context != integration.organization_urn
    ]


def named(exported: list[replies.ExportedCandidate]) -> list[dict[str, str | None]]:
    """Who was exported to which posting (None: no job picked), as the event keeps it for the
    reconciliation (inbound.reconcile)."""
    return [{"member": e.candidate.member, "posting": e.external_job_posting_id} for e in exported]


def ingest(integration: Integration, exported: replies.ExportedCandidate) -> Opportunity:
    """Write one exported candidate; runs in the caller's transaction."""
    check(exported)
    posting = _posting(exported.external_job_posting_id)
    person = Person.from_profile(exported.candidate)
    seats = people.seats_of(integration)
    exporter = exported.exporter or ""
    seat = seats.get(exporter)
    user = seat.user if seat else None
    actor = user or AUTOMATIC
    opened_at = people.moment(exported.exported_at) if exported.exported_at else None
    opportunity = people.candidacy(
        actor, integration, person, posting=posting, owner=user, opened_at=opened_at
    )
    audit.record(
        "candidate.exported",
        actor="linkedin",
        target=opportunity.candidate,
        detail={"posting": str(posting.pk) if posting else None},
    )
    people.import_inmails(
        actor,
        opportunity,
        [InMail.from_export(inmail, exporter) for inmail in exported.in_mails],
        person.urn,
        seats,
    )
    people.import_notes(
        actor,
        opportunity,
        [RecruiterNote.from_export(note, exporter) for note in exported.notes],
        seats,
    )
    return opportunity


def _posting(external_id: str | None) -> Posting | None:
    if external_id is None:
        return None
    try:
        return Posting.objects.get(pk=uuid.UUID(external_id))
    except (ValueError, Posting.DoesNotExist):
        raise Rejected(f"externalJobPostingId: no posting {external_id!r} in the ATS") from None


def check(exported: replies.ExportedCandidate) -> None:
    """Refuse (Rejected, naming LinkedIn's field) an element the ATS would store only in part
    or not at all: a NUL character anywhere, a value longer than the column it is kept in, a
    moment no date can hold. What is cut to fit on purpose (headline, subject) is not refused."""
    for where, text in _texts(exported.model_dump(by_alias=True)):
        if "\x00" in text:
            raise Rejected(f"{where}: contains a NUL character")
    profile = exported.candidate
    if not people.PERSON_URN.fullmatch(profile.member):
        raise Rejected(f"candidate.member: {profile.member[:120]!r} is not a person URN")
    _fits("candidate.member", profile.member, ProfileConnection, "person_urn")
    for email in profile.emails:
        _fits("candidate.emailAddresses", email, CandidateEmail, "email")
    _fits("candidate.profileUrl", profile.profile_url or "", CandidateLink, "url")
    _moment("exportedAt", exported.exported_at)
    for index, inmail in enumerate(exported.in_mails):
        _fits(f"inMails[{index}].id", inmail.id, Message, "external_id")
        _moment(f"inMails[{index}].createdAt", inmail.created_at)
    for index, note in enumerate(exported.notes):
        _fits(f"notes[{index}].id", note.id, Note, "external_id")
        _moment(f"notes[{index}].createdAt", note.created_at)


def _texts(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a dumped element, keys included, with the path it is found at."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            yield path, str(key)
            yield from _texts(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{where}[{index}]")


def _fits(where: str, value: str, model: Any, field: str) -> None:
    size = model._meta.get_field(field).max_length
    if len(value) > size:
        raise Rejected(f"{where}: {len(value)} characters, at most {size} are kept")


def _moment(where: str, epoch_ms: int | None) -> None:
    if epoch_ms is not None and not 0 <= epoch_ms <= LAST_EPOCH_MS:
        raise Rejected(f"{where}: {epoch_ms} is not a moment in epoch milliseconds")
