"""Merging two profiles of one person: everything of the duplicate moves to the profile kept,
then the duplicate is deleted, in one transaction, so a failure midway leaves both intact.

Two candidacies for the same posting (or two general ones) cannot both stay active, so the
duplicate's becomes part of the kept one: its notes, messages, timeline and stage history
move onto it. LinkedIn hears of the deleted profile, the kept one and every moved application
through the outbox, in the same transaction.
"""

from collections import Counter

from django.db import transaction
from django.utils import timezone

from hirebridge import audit
from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.hiring.duplicates import phone_key
from hirebridge.hiring.models import (
    Activity,
    Candidate,
    Message,
    Note,
    Opportunity,
    StageChange,
)
from hirebridge.hiring.models.candidates import link_identity
from hirebridge.hiring.models.records import RecordSource, Verb
from hirebridge.hiring.services import PipelineError, linkedin_changes
from hirebridge.linkedin import outbox
from hirebridge.linkedin.models import ClosedProfile, ProfileConnection
from hirebridge.search import index as search_index
from hirebridge.webhooks import events as webhook_events

PROFILE_FIELDS = ("headline", "location", "current_company", "current_title")


class MergeRefused(PipelineError):
    pass


@transaction.atomic
def merge(actor: User, survivor: Candidate, other: Candidate) -> Candidate:
    """Fold `other` into `survivor` and delete `other`; returns the survivor, reloaded."""
    if survivor.pk == other.pk:
        raise MergeRefused("with: a profile cannot be merged into itself", field="with")
    for candidate in (survivor, other):
        if not policy.can(actor, policy.Action.MERGE_CANDIDATES, candidate):
            raise MergeRefused(
                f"You may not merge {candidate.name}: your role or its postings do not allow it."
            )
    locked = {
        c.pk: c
        for c in Candidate.objects.select_for_update()
        .filter(pk__in=[survivor.pk, other.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise MergeRefused("One of the two profiles no longer exists.")
    keep, gone = locked[survivor.pk], locked[other.pk]
    # What LinkedIn held of the duplicate: the person and each application, read before moving.
    changes = linkedin_changes(gone)
    moved: Counter[str] = Counter()
    _move_opportunities(actor, keep, gone, moved)
    moved_notes = list(Note.objects.filter(candidate=gone, source=RecordSource.ATS))
    moved["notes"] += Note.objects.filter(candidate=gone).update(candidate=keep)
    moved["messages"] += Message.objects.filter(candidate=gone).update(candidate=keep)
    moved["activities"] += Activity.objects.filter(candidate=gone).update(candidate=keep)
    _move_contact_details(keep, gone, moved)
    moved["tags"] = len(set(gone.tags.all()) - set(keep.tags.all()))
    keep.tags.add(*gone.tags.all())
    keep.sources.add(*gone.sources.all())
    filled = [f for f in PROFILE_FIELDS if not getattr(keep, f) and getattr(gone, f)]
    for field in filled:
        setattr(keep, field, getattr(gone, field))
    keep.save(update_fields=[*filled, "updated_at"])
    ClosedProfile.objects.filter(candidate=gone).update(candidate=keep)
    dropped_member = _move_connection(keep, gone, moved)
    detail = {
        "merged": gone.name,
        "merged_id": str(gone.pk),
        "moved": {kind: n for kind, n in sorted(moved.items()) if n},
        "filled": filled,
    }
    if dropped_member:
        detail["dropped_member"] = dropped_member
    Activity.objects.create(candidate=keep, actor=actor, verb=Verb.MERGED, detail=detail)
    audit.record(
        "candidate.merged",
        actor=actor,
        target=keep,
        detail={"merged_id": str(gone.pk), "moved": detail["moved"]},
    )
    webhook_events.contact_updated(keep)
    gone.delete()  # its search document goes with it
    search_index.refresh([keep.pk])
    for note in Note.objects.filter(pk__in=[n.pk for n in moved_notes]).select_related(
        "opportunity"
    ):
        changes += linkedin_changes(note)
    outbox.changed_many([*changes, *linkedin_changes(keep)])
    keep.refresh_from_db()
    return keep


def _move_opportunities(actor: User, keep: Candidate, gone: Candidate, moved: Counter[str]) -> None:
    """Re-point each candidacy; one that would be a second active one on its posting (or a
    second active general one) is folded into the kept candidate's."""
    active_general = keep.opportunities.active().filter(posting__isnull=True).first()
    active_by_posting = {
        o.posting_id: o for o in keep.opportunities.active().filter(posting__isnull=False)
    }
    for opportunity in gone.opportunities.all():
        twin = None
        if not opportunity.is_archived:
            twin = (
                active_general
                if opportunity.posting_id is None
                else active_by_posting.get(opportunity.posting_id)
            )
        if twin is None:
            Opportunity.objects.filter(pk=opportunity.pk).update(
                candidate=keep, updated_at=timezone.now()
            )
            moved["opportunities"] += 1
        else:
            _fold(opportunity, into=twin, actor=actor)
            moved["folded_opportunities"] += 1


def _fold(opportunity: Opportunity, *, into: Opportunity, actor: User) -> None:
    """Give `into` the whole history of `opportunity`, then delete `opportunity` (webhook
    receivers hear of it as a deleted candidacy)."""
    for model in (Note, Message, Activity):
        model._default_manager.filter(opportunity=opportunity).update(opportunity=into)
    StageChange.objects.filter(opportunity=opportunity).update(opportunity=into)
    into.tags.add(*opportunity.tags.all())
    into.sources.add(*opportunity.sources.all())
    into.followers.add(*opportunity.followers.all())
    Opportunity.objects.filter(pk=into.pk).update(
        owner=into.owner_id or opportunity.owner_id,
        last_interaction_at=max(into.last_interaction_at, opportunity.last_interaction_at),
        updated_at=timezone.now(),
    )
    webhook_events.opportunity_deleted(opportunity, actor)
    opportunity.delete()


def _move_contact_details(keep: Candidate, gone: Candidate, moved: Counter[str]) -> None:
    """The duplicate's emails, phones and links the kept profile lacks; the kept profile's
    first email stays its primary one."""
    known_emails = set(keep.emails.values_list("email", flat=True))
    moved["emails"] = gone.emails.exclude(email__in=known_emails).update(candidate=keep)
    known_phones = {phone_key(value) for value in keep.phones.values_list("value", flat=True)}
    new_phones = [p.pk for p in gone.phones.all() if phone_key(p.value) not in known_phones]
    moved["phones"] = gone.phones.filter(pk__in=new_phones).update(candidate=keep)
    known_links = {link_identity(url) for url in keep.links.values_list("url", flat=True)}
    new_links = [link.pk for link in gone.links.all() if link_identity(link.url) not in known_links]
    moved["links"] = gone.links.filter(pk__in=new_links).update(candidate=keep)


def _move_connection(keep: Candidate, gone: Candidate, moved: Counter[str]) -> str:
    """Keep one LinkedIn connection; returns the member of the duplicate's connection when it
    was another member than the kept profile's (that link is dropped, and recorded)."""
    theirs = ProfileConnection.objects.filter(candidate=gone).first()
    if theirs is None:
        return ""
    ours = ProfileConnection.objects.filter(candidate=keep).first()
    if ours is None:
        ProfileConnection.objects.filter(pk=theirs.pk).update(candidate=keep)
        moved["linkedin_connection"] = 1
        return ""
    theirs.delete()
    same_member = (ours.integration_id, ours.person_urn) == (
        theirs.integration_id,
        theirs.person_urn,
    )
    if same_member:
        if theirs.primary and not ours.primary:
            ProfileConnection.objects.filter(pk=ours.pk).update(primary=True)
        return ""
    if theirs.primary:
        ProfileConnection.objects.promote_next(theirs.integration_id, theirs.person_urn)
    return theirs.person_urn
