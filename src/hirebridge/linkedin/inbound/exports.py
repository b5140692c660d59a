"""1-click export: the member a recruiter exported from LinkedIn Recruiter becomes a candidate in
New lead on the posting picked in the export (a general opportunity when none was), with the
exporting seat's InMails and notes, owned by the ATS user of that seat.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/retrieve-exported-candidates

Postings are synced to LinkedIn as jobs whose externalJobPostingId is the posting's id, so that
is what an export names.
"""

import uuid

from hirebridge.hiring.models import Opportunity, Posting
from hirebridge.hiring.services import AUTOMATIC
from hirebridge.linkedin import replies
from hirebridge.linkedin.client import LinkedInClient, Permanent
from hirebridge.linkedin.inbound import NotReady, Rejected, people
from hirebridge.linkedin.inbound.people import InMail, Person, RecruiterNote
from hirebridge.linkedin.models import Integration


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


def ingest(integration: Integration, exported: replies.ExportedCandidate) -> Opportunity:
    """Write one exported candidate; runs in the caller's transaction."""
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
