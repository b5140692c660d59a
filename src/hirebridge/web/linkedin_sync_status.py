"""What Settings → LinkedIn shows of the sync to LinkedIn: what waits in the outbox, the last
historical sync, what LinkedIn refused, whose job access it limited, and the closed profiles
waiting for an admin. Reads only, in a bounded number of queries however large the outbox.

Descriptions are plain text (no links): a refused row may name an entity the viewer's other
pages would not show, and the page is for admins deciding what to fix.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.text import Truncator

from hirebridge.accounts.models import User
from hirebridge.hiring.models import Candidate, Note, Opportunity, Posting
from hirebridge.linkedin.models import (
    ClosedProfile,
    ClosedProfileDecision,
    Integration,
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    SyncedRecord,
    SyncRun,
)
from hirebridge.linkedin.outbound import access, backfill

LIST_CAP = 50
EXCERPT_CHARS = 60
REMOVED_LABELS = {"notes": "LinkedIn notes", "inmails": "InMails", "links": "LinkedIn links"}


@dataclass(frozen=True)
class Refusal:
    item: OutboxItem
    entity: str


@dataclass(frozen=True)
class AccessWarning:
    email: str
    name: str
    why: str


@dataclass(frozen=True)
class Closure:
    row: ClosedProfile
    removed: str


def context(integration: Integration) -> dict[str, Any]:
    dead = OutboxItem.objects.filter(status=OutboxStatus.DEAD)
    refused = list(dead.order_by("-changed_at", "id")[:LIST_CAP])
    refused_count = dead.count()
    closed = ClosedProfile.objects.filter(integration=integration).select_related("decided_by")
    pending = closed.filter(decision=ClosedProfileDecision.PENDING)
    decided = closed.exclude(decision=ClosedProfileDecision.PENDING)
    backfills = SyncRun.objects.filter(
        cursor__integration=integration, cursor__stream=backfill.STREAM
    )
    last_backfill = backfills.order_by("-started_at", "-id").first()
    return {
        "pending_by_kind": pending_by_kind(),
        "refused": describe(refused),
        "refused_count": refused_count,
        "refused_rest": refused_count - len(refused),
        "last_backfill": last_backfill,
        "last_backfill_counts": run_counts(last_backfill.counts) if last_backfill else [],
        "backfill_running": backfills.filter(finished_at__isnull=True).exists(),
        "access_warnings": access_warnings(),
        "closed_pending": closures(pending.order_by("-closed_at", "id")[:LIST_CAP]),
        "closed_pending_rest": max(0, pending.count() - LIST_CAP),
        "closed_decided": closures(decided.order_by("-decided_at", "id")[:LIST_CAP]),
    }


def pending_by_kind() -> list[tuple[str, int]]:
    """(kind label, rows waiting) in sending order, kinds with nothing waiting left out."""
    counts = dict(
        OutboxItem.objects.filter(status=OutboxStatus.PENDING)
        .values_list("kind")
        .annotate(rows=Count("id"))
    )
    return [(kind.label, counts[kind.value]) for kind in OutboxKind if counts.get(kind.value)]


def describe(items: list[OutboxItem]) -> list[Refusal]:
    """Each row with what it is about: the entity's name, title or excerpt while it exists,
    else its kind and id."""
    postings = _by_id(Posting.objects.all(), _uuids(items, {OutboxKind.JOB}))
    candidates = _by_id(Candidate.objects.all(), _uuids(items, {OutboxKind.CANDIDATE}))
    applications = _by_id(
        Opportunity.objects.select_related("candidate", "posting"),
        _uuids(items, {OutboxKind.APPLICATION, OutboxKind.APPLICATION_STAGES}),
    )
    notes = _by_id(
        Note.objects.all(),
        _uuids(items, {OutboxKind.CANDIDATE_NOTE, OutboxKind.APPLICATION_NOTE}),
    )
    found: dict[str, str] = {
        **{key: posting.title for key, posting in postings.items()},
        **{key: candidate.name for key, candidate in candidates.items()},
        **{key: _application(opportunity) for key, opportunity in applications.items()},
        **{key: _excerpt(note.body) for key, note in notes.items()},
    }
    return [Refusal(item, _entity(item, found)) for item in items]


def _entity(item: OutboxItem, found: dict[str, str]) -> str:
    if item.kind == OutboxKind.JOB_ACCESS and item.entity_id == access.ALL_JOBS:
        return "Who sees which job"
    if item.entity_id in found:
        return found[item.entity_id]
    return f"{OutboxKind(item.kind).label} {item.entity_id} (no longer in the ATS)"


def _uuids(items: Iterable[OutboxItem], kinds: set[OutboxKind]) -> list[uuid.UUID]:
    ids = []
    for item in items:
        if item.kind not in kinds:
            continue
        try:
            ids.append(uuid.UUID(item.entity_id))
        except ValueError:
            continue  # not an ATS id: shown as it is
    return ids


def _by_id(rows: Any, ids: list[uuid.UUID]) -> dict[str, Any]:
    return {str(row.pk): row for row in rows.filter(pk__in=ids)} if ids else {}


def _application(opportunity: Opportunity) -> str:
    posting = opportunity.posting.title if opportunity.posting else "no posting"
    return f"{opportunity.candidate.name} for {posting}"


def _excerpt(body: str) -> str:
    return f"“{Truncator(' '.join(body.split())).chars(EXCERPT_CHARS)}”"


def run_counts(counts: object) -> list[str]:
    """A run's counts as lines: what was enqueued per kind, then each outcome."""
    if not isinstance(counts, dict):
        return []
    lines = []
    for name, value in counts.items():
        if isinstance(value, dict):
            per_kind = ", ".join(f"{n} {_kind_label(kind)}" for kind, n in value.items())
            lines.append(f"{name}: {per_kind or 'nothing'}")
        else:
            lines.append(f"{name}: {value}")
    return lines


def _kind_label(kind: object) -> str:
    try:
        return str(OutboxKind(str(kind)).label)
    except ValueError:
        return str(kind)


def access_warnings() -> list[AccessWarning]:
    """Users LinkedIn shows fewer jobs than the ATS would (e.g. over LinkedIn's 10 groups), as
    the last job access sync recorded them."""
    record = SyncedRecord.objects.filter(
        kind=OutboxKind.JOB_ACCESS, entity_id=access.ALL_JOBS
    ).first()
    detail = record.detail if record and isinstance(record.detail, dict) else {}
    refused = detail.get("refused")
    if not isinstance(refused, dict) or not refused:
        return []
    names = dict(User.objects.filter(email__in=list(refused)).values_list("email", "name"))
    return [
        AccessWarning(str(email), names.get(email, ""), str(why))
        for email, why in sorted(refused.items())
    ]


def closures(rows: Iterable[ClosedProfile]) -> list[Closure]:
    return [Closure(row, _removed(row.removed)) for row in rows]


def _removed(removed: object) -> str:
    if not isinstance(removed, dict):
        return "nothing"
    parts = [
        f"{count} {REMOVED_LABELS.get(what, what)}"
        for what, count in removed.items()
        if isinstance(count, int) and count > 0
    ]
    return ", ".join(parts) or "nothing"
