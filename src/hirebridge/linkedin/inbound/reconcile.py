"""Reconciliation of exported candidates: hourly in the worker, or `hirebridge linkedin reconcile`.

LinkedIn pushes an export once (it re-sends only a delivery that got no 2xx) and has no call
that lists exports, so an export the ATS acknowledged must not stay half done. A run is bounded
and idempotent, and logs its counts:

1. Unfinished pushes are fetched again and finished (events.process_event): those nobody works
   on (never rung, or whose worker died: the sweeper's own choice, claims.due_event_ids), and
   exports FAILED in the last LINKEDIN_RECONCILE_DAYS, which get one more attempt per run (a
   passing failure that outlasted the event's attempts, a reply LinkedIn cut short).
2. Finished exports of the last LINKEDIN_RECONCILE_DAYS, least recently checked first: the
   member's candidate and its opportunity on the exported posting are in the ATS, and LinkedIn
   holds the candidate linked to the member (asked with atsCandidates BATCH_GET:
   manualMatchedMember) and the application (as the ATS recorded it accepted). What LinkedIn
   lacks is queued through the outbox again; a row already waiting or refused there is left to
   the drain and to the admin. A candidate or opportunity no longer in the ATS is counted, never
   made again: the export wrote both in one transaction, so only a person removed them (a
   deletion, a merge, an erasure), and that decision stands.
"""

import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hirebridge.hiring.models import Opportunity
from hirebridge.linkedin import claims, inbound, outbox, replies
from hirebridge.linkedin.client import LinkedInError
from hirebridge.linkedin.inbound import NotReady, events, exports
from hirebridge.linkedin.models import (
    EventStatus,
    InboundEvent,
    Integration,
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    ProfileConnection,
    SyncedRecord,
)

log = logging.getLogger("hirebridge.linkedin")

UNFINISHED_PER_RUN = 100
CHECKED_PER_RUN = 500
FETCHED_PER_RUN = 100  # exports finished before the ATS kept what they named


@dataclass(frozen=True)
class Exported:
    """One member an export named, to a posting (None: a general opportunity)."""

    member: str
    posting: str | None


def reconcile(integration: Integration, *, now: datetime | None = None) -> Counter[str]:
    """One run of both steps; the counts of what was found and done."""
    since = (now or timezone.now()) - timedelta(days=settings.LINKEDIN_RECONCILE_DAYS)
    counts: Counter[str] = Counter()
    finish_unfinished(integration, since, counts)
    check_finished(integration, since, counts)
    log.info("reconciliation of exported candidates: %s", dict(sorted(counts.items())))
    return counts


def finish_unfinished(integration: Integration, since: datetime, counts: Counter[str]) -> None:
    """Process the pushes nobody works on, and give recent failed exports one more attempt."""
    failed = list(
        InboundEvent.objects.filter(
            integration=integration,
            type=events.EXPORT_CANDIDATE_PROFILE,
            status=EventStatus.FAILED,
            received_at__gte=since,
        )
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:UNFINISHED_PER_RUN]
    )
    InboundEvent.objects.filter(pk__in=failed, status=EventStatus.FAILED).update(
        status=EventStatus.NEW, lease_until=None, processed_at=None
    )
    due = [pk for pk in claims.due_event_ids(UNFINISHED_PER_RUN) if pk not in failed]
    for event_id in [*failed, *due]:
        events.process_event(event_id)
    outcome = InboundEvent.objects.filter(pk__in=[*failed, *due]).values_list("status", flat=True)
    for status in outcome:
        counts["finished" if status == EventStatus.DONE else f"still_{status}"] += 1


def check_finished(integration: Integration, since: datetime, counts: Counter[str]) -> None:
    """Check the least recently checked finished exports and queue what LinkedIn lacks."""
    finished = list(
        InboundEvent.objects.filter(
            integration=integration,
            type=events.EXPORT_CANDIDATE_PROFILE,
            status=EventStatus.DONE,
            received_at__gte=since,
        ).order_by(F("reconciled_at").asc(nulls_first=True), "received_at", "id")[:CHECKED_PER_RUN]
    )
    checked = [event for event in finished if _named(integration, event, counts)]
    items = [
        Exported(str(item["member"]), item.get("posting"))
        for event in checked
        for item in event.exported
    ]
    candidates, opportunities = _in_the_ats(integration, items, counts)
    try:
        resend = _missing_at_linkedin(integration, candidates, opportunities, counts)
    except LinkedInError as failure:
        log.warning("reconciliation: LinkedIn could not be asked: %s", failure)
        counts["linkedin_unavailable"] += 1
        return
    with transaction.atomic():
        _queue_again(resend)
        InboundEvent.objects.filter(pk__in=[event.pk for event in checked]).update(
            reconciled_at=timezone.now()
        )
    counts["checked"] += len(checked)


def _named(integration: Integration, event: InboundEvent, counts: Counter[str]) -> bool:
    """Whether the event says whom it exported; one finished before the ATS kept that is read
    again from LinkedIn (at most FETCHED_PER_RUN a run)."""
    if event.exported:
        return True
    if counts["fetched"] >= FETCHED_PER_RUN:
        return False
    counts["fetched"] += 1
    try:
        event.exported = exports.named(exports.fetch(inbound.client(integration), event.request_id))
    except (LinkedInError, NotReady) as failure:
        log.warning("reconciliation: export %s not readable: %s", event.request_id, failure)
        counts["unreadable"] += 1
        return False
    InboundEvent.objects.filter(pk=event.pk).update(exported=event.exported)
    return True


def _posting_key(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value is not None else None
    except ValueError:
        return str(value)


def _in_the_ats(
    integration: Integration, items: list[Exported], counts: Counter[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """({candidate id: member}, {opportunity id on a posting: candidate id}) of the exports
    still in the ATS; what is gone is counted."""
    primaries = dict(
        ProfileConnection.objects.filter(
            integration=integration, primary=True, person_urn__in={i.member for i in items}
        ).values_list("person_urn", "candidate_id")
    )
    held: dict[tuple[str, str | None], Opportunity] = {}
    for opportunity in Opportunity.objects.filter(
        candidate_id__in=set(primaries.values())
    ).order_by("created_at", "id"):
        key = (str(opportunity.candidate_id), _posting_key(opportunity.posting_id))
        held.setdefault(key, opportunity)
    candidates: dict[str, str] = {}
    on_postings: dict[str, str] = {}
    for item in items:
        candidate = primaries.get(item.member)
        if candidate is None:
            counts["candidate_gone"] += 1
            continue
        candidates[str(candidate)] = item.member
        found = held.get((str(candidate), _posting_key(item.posting)))
        if found is None:
            counts["opportunity_gone"] += 1
        elif found.posting_id is not None:
            on_postings[str(found.pk)] = str(candidate)
    return candidates, on_postings


def _missing_at_linkedin(
    integration: Integration,
    candidates: dict[str, str],
    applications: dict[str, str],
    counts: Counter[str],
) -> list[tuple[str, str, str]]:
    """The outbox changes that give LinkedIn what it lacks: candidates it does not hold linked
    to their member (with their applications), applications it was never seen to accept."""
    waiting = {
        (kind, entity): status for kind, entity, status in _outbox_rows(candidates, applications)
    }
    if refused := sum(1 for status in waiting.values() if status == OutboxStatus.DEAD):
        counts["refused"] += refused
    asked = [c for c in candidates if (OutboxKind.CANDIDATE, c) not in waiting]
    found = (
        inbound.client(integration).get_candidates(integration.organization_urn, asked)
        if asked
        else replies.GetOutcome[str, replies.SyncedCandidate]()
    )
    lost: set[str] = set()
    for candidate in asked:
        synced = found.found.get(candidate)
        error = found.failed.get(candidate)
        if synced is None and error is not None and error.status != 404:
            counts["unverified"] += 1
        elif synced is None or synced.manual_matched_member != candidates[candidate]:
            lost.add(candidate)
    accepted = set(
        SyncedRecord.objects.filter(
            kind=OutboxKind.APPLICATION, entity_id__in=list(applications)
        ).values_list("entity_id", flat=True)
    )
    unsent = {
        application
        for application, candidate in applications.items()
        if (OutboxKind.APPLICATION, application) not in waiting
        and (application not in accepted or candidate in lost)
    }
    counts["candidates_queued"] += len(lost)
    counts["applications_queued"] += len(unsent)
    return [(str(OutboxKind.CANDIDATE), c, "") for c in sorted(lost)] + [
        (str(OutboxKind.APPLICATION), a, "") for a in sorted(unsent)
    ]


def _outbox_rows(
    candidates: dict[str, str], applications: dict[str, str]
) -> list[tuple[str, str, str]]:
    rows = OutboxItem.objects.filter(
        kind=OutboxKind.CANDIDATE, entity_id__in=list(candidates)
    ) | OutboxItem.objects.filter(kind=OutboxKind.APPLICATION, entity_id__in=list(applications))
    return list(rows.values_list("kind", "entity_id", "status"))


def _queue_again(changes: list[tuple[str, str, str]]) -> None:
    """Forget what the ATS thought LinkedIn held for these, so the sender does not skip them as
    unchanged, and put them in the outbox."""
    for kind in (OutboxKind.CANDIDATE, OutboxKind.APPLICATION):
        SyncedRecord.objects.filter(
            kind=kind, entity_id__in=[entity for k, entity, _ in changes if k == kind]
        ).delete()
    outbox.changed_many(changes)
