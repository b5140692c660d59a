"""What each pipeline change tells webhooks, in Lever's data shapes. The hiring services call
these inside their transaction.

Lever's ids: the contact is the person (our Candidate), and the legacy `candidateId` equals the
opportunity's id.
"""

from datetime import datetime
from typing import Any

from hirebridge.accounts.models import User
from hirebridge.hiring.models import ArchiveReason, Candidate, Opportunity
from hirebridge.hiring.models.opportunities import ArchiveReasonType
from hirebridge.webhooks.emit import emit
from hirebridge.webhooks.models import Event
from hirebridge.webhooks.signing import epoch_ms


def _opportunity(opportunity: Opportunity) -> dict[str, Any]:
    return {
        "opportunityId": str(opportunity.pk),
        "candidateId": str(opportunity.pk),
        "contactId": str(opportunity.candidate_id),
    }


def _archived(at: datetime | None, reason_id: object) -> dict[str, Any] | None:
    if at is None:
        return None
    return {"archivedAt": epoch_ms(at), "reason": str(reason_id)}


def application_created(opportunity: Opportunity) -> None:
    """A new opportunity on a posting (a general one is no application)."""
    if opportunity.posting_id is None:
        return
    data = {
        "applicationId": str(opportunity.pk),
        **_opportunity(opportunity),
        "postingId": str(opportunity.posting_id),
    }
    emit(Event.APPLICATION_CREATED, data, origin=opportunity.origin)


def stage_changed(opportunity: Opportunity, from_stage_id: str, to_stage_id: str) -> None:
    data = {**_opportunity(opportunity), "fromStageId": from_stage_id, "toStageId": to_stage_id}
    emit(Event.CANDIDATE_STAGE_CHANGE, data, origin=opportunity.origin)


def archive_changed(
    opportunity: Opportunity, *, archived_at: datetime | None, reason: ArchiveReason | None
) -> None:
    """`opportunity` as it was before the change; `archived_at`/`reason` what it is now (None:
    unarchived). Archiving with a hired reason also tells the hired event."""
    data = {
        **_opportunity(opportunity),
        "fromArchived": _archived(opportunity.archived_at, opportunity.archive_reason_id),
        "toArchived": _archived(archived_at, reason.pk if reason else None),
    }
    emit(Event.CANDIDATE_ARCHIVE_CHANGE, data, origin=opportunity.origin)
    if reason is not None and reason.type == ArchiveReasonType.HIRED:
        emit(Event.CANDIDATE_HIRED, _opportunity(opportunity), origin=opportunity.origin)


def candidate_deleted(candidate: Candidate, deleted_by: User | None) -> None:
    """One event per opportunity of the person, before they are deleted."""
    for opportunity in candidate.opportunities.all():
        opportunity_deleted(opportunity, deleted_by)


def opportunity_deleted(opportunity: Opportunity, deleted_by: User | None) -> None:
    """An opportunity that goes away on its own (folded into its twin by a merge)."""
    data = {**_opportunity(opportunity), "deletedBy": str(deleted_by.pk) if deleted_by else None}
    emit(Event.CANDIDATE_DELETED, data, origin=opportunity.origin)


def contact_created(candidate: Candidate) -> None:
    emit(Event.CONTACT_CREATED, {"contactId": str(candidate.pk)})


def contact_updated(candidate: Candidate) -> None:
    emit(Event.CONTACT_UPDATED, {"contactId": str(candidate.pk)})
