"""Recruiter activity held for members no candidate is connected to yet (models.HeldActivity):
the poll keeps the organization's InMails and notes with such members, and connecting the
member pulls them into the candidate at once, without asking LinkedIn again.

Runs inside the caller's transaction: the poll window's, or the connection's.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Subquery
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate
from hirebridge.linkedin import replies
from hirebridge.linkedin.inbound import people
from hirebridge.linkedin.inbound.people import InMail
from hirebridge.linkedin.models import HeldActivity, HeldKind, Integration, ProfileConnection


@dataclass(frozen=True)
class Imported:
    inmails: int = 0
    notes: int = 0

    def __add__(self, other: "Imported") -> "Imported":
        return Imported(self.inmails + other.inmails, self.notes + other.notes)


def hold_inmail(
    integration: Integration,
    seat_urn: str,
    member_urn: str,
    event: replies.ConversationEvent,
) -> None:
    _upsert(
        HeldActivity(
            integration=integration,
            kind=HeldKind.INMAIL,
            linkedin_id=event.id,
            member_urn=member_urn,
            seat_urn=seat_urn,
            payload=event.model_dump(mode="json", by_alias=True),
            occurred_at=people.moment(event.created.time),
        )
    )


def hold_note(integration: Integration, note: replies.ProspectNote) -> str:
    """Keep the note as it stands now; a deactivated one is forgotten. What was done."""
    if not note.active:
        deleted, _ = HeldActivity.objects.filter(
            integration=integration, kind=HeldKind.NOTE, linkedin_id=note.id
        ).delete()
        return "deleted" if deleted else "unchanged"
    _upsert(
        HeldActivity(
            integration=integration,
            kind=HeldKind.NOTE,
            linkedin_id=note.id,
            member_urn=note.member,
            seat_urn=note.owner,
            payload=note.model_dump(mode="json", by_alias=True),
            occurred_at=people.moment(note.last_modified),
        )
    )
    return "held"


def _upsert(row: HeldActivity) -> None:
    HeldActivity.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["integration", "kind", "linkedin_id"],
        update_fields=["member_urn", "seat_urn", "payload", "occurred_at", "held_at"],
    )


def import_held(integration: Integration, candidate: Candidate, member_urn: str) -> Imported:
    """The member's held InMails and notes onto the candidate (upserted on LinkedIn's ids, as
    the poll would have written them), oldest first; the held rows are then deleted."""
    rows = list(
        HeldActivity.objects.select_for_update()
        .filter(integration=integration, member_urn=member_urn)
        .order_by("occurred_at", "id")
    )
    if not rows:
        return Imported()
    seats = people.seats_of(integration)
    inmails = notes = 0
    for row in rows:
        if row.kind == HeldKind.INMAIL:
            inmail = InMail.from_event(
                replies.ConversationEvent.model_validate(row.payload), row.seat_urn
            )
            opportunity = people.thread_opportunity(candidate, inmail.thread)
            _, new = people.log_inmail(
                services.AUTOMATIC, candidate, opportunity, inmail, member_urn, seats
            )
            inmails += new
        else:
            note = replies.ProspectNote.model_validate(row.payload)
            notes += people.apply_note(candidate, note, seats) == "imported"
    HeldActivity.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return Imported(inmails, notes)


def adopt(integration: Integration) -> Imported:
    """Import what is held for members who have a primary candidate by now: connected by an
    export, or while a poll that still saw them unconnected was storing their activity."""
    primaries = ProfileConnection.objects.filter(integration=integration, primary=True)
    members = (
        HeldActivity.objects.filter(
            integration=integration, member_urn__in=Subquery(primaries.values("person_urn"))
        )
        .values_list("member_urn", flat=True)
        .distinct()
    )
    imported = Imported()
    for member in list(members):
        candidate = people.primary_candidate(integration, member)
        if candidate is not None:
            imported += import_held(integration, candidate, member)
    return imported


def purge_expired(integration: Integration, now: datetime | None = None) -> int:
    """Forget held activity older than HeldActivity.RETENTION; how many rows went."""
    cutoff = (now or timezone.now()) - HeldActivity.RETENTION
    deleted, _ = HeldActivity.objects.filter(
        integration=integration, occurred_at__lt=cutoff
    ).delete()
    return deleted
