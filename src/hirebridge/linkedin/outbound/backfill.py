"""The historical sync LinkedIn asks for when a customer turns RSC on: every posting, candidate,
application (with its stages) and note goes into the outbox, in key order, a chunk at a time
(memory stays flat however large the ATS), and the drain sends it.

The outbox is the checkpoint: a row leaves it only once LinkedIn accepted that entity, so a
backfill killed at any point resumes with what is left. What LinkedIn already holds is skipped
by digest, so a second backfill sends nothing. Until everything is in the outbox, the run holds
a lease on its cursor, renewed chunk by chunk; a run whose worker died before that point is
started again by `resume_interrupted`, which the worker calls every minute.
"""

from collections import Counter
from collections.abc import Callable, Iterator

from django.db.models import Q, QuerySet
from django.utils import timezone

from hirebridge.hiring.models import Candidate, Note, Opportunity, Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.hiring.models.records import RecordSource
from hirebridge.linkedin import claims, outbox
from hirebridge.linkedin.models import (
    Integration,
    OutboxItem,
    OutboxKind,
    OutboxStatus,
    SyncCursor,
    SyncRun,
)
from hirebridge.linkedin.outbound import access, drain

STREAM = "backfill"
CHUNK = 1000
Row = tuple[object, object]  # (entity id, parent id)


def sources() -> list[tuple[OutboxKind, QuerySet]]:
    """What LinkedIn must hold, kind by kind, as (id, parent id) rows in key order."""
    on_posting = Q(opportunity__isnull=False, opportunity__posting__isnull=False)
    ats_notes = Note.objects.filter(source=RecordSource.ATS)
    return [
        (
            OutboxKind.JOB,
            Posting.objects.exclude(state=PostingState.DRAFT).values_list("id", "id"),
        ),
        (OutboxKind.CANDIDATE, Candidate.objects.values_list("id", "id")),
        (
            OutboxKind.APPLICATION,
            Opportunity.objects.filter(posting__isnull=False).values_list("id", "candidate_id"),
        ),
        (
            OutboxKind.CANDIDATE_NOTE,
            ats_notes.exclude(on_posting).values_list("id", "candidate_id"),
        ),
        (
            OutboxKind.APPLICATION_NOTE,
            ats_notes.filter(on_posting).values_list("id", "opportunity_id"),
        ),
    ]


def _chunks(rows: QuerySet) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows.order_by("id").iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def enqueue_all(on_chunk: Callable[[OutboxKind, int], None] | None = None) -> Counter[str]:
    """Every entity into the outbox (an upsert: repeats are harmless); counts per kind."""
    counts: Counter[str] = Counter()
    for kind, rows in sources():
        for chunk in _chunks(rows):
            now = timezone.now()
            outbox.write(
                [
                    OutboxItem(
                        kind=kind,
                        entity_id=str(entity_id),
                        parent_id=str(parent_id) if kind.endswith("note") else "",
                        changed_at=now,
                    )
                    for entity_id, parent_id in chunk
                ]
            )
            counts[kind] += len(chunk)
            if on_chunk:
                on_chunk(kind, len(chunk))
    access.changed()
    counts[OutboxKind.JOB_ACCESS] += 1
    return counts


def backfill(
    integration: Integration,
    *,
    on_enqueued: Callable[[int], None] | None = None,
    on_batch: drain.Progress | None = None,
) -> SyncRun:
    """Enqueue everything, then drain; the SyncRun row records counts (refused rows wait on the
    settings page) and why it stopped, if it did."""
    cursor, _ = SyncCursor.objects.get_or_create(integration=integration, stream=STREAM)
    # A run whose process died never finished; this one takes over from its checkpoint.
    cursor.runs.filter(finished_at__isnull=True).update(
        finished_at=timezone.now(), ok=False, error="interrupted; resumed by a later run"
    )
    _hold(cursor)
    run = SyncRun.objects.create(cursor=cursor, window_start_ms=0, window_end_ms=0)
    enqueued = enqueue_all(on_chunk=lambda kind, size: _hold(cursor))
    run.counts = {"enqueued": dict(enqueued)}
    run.save(update_fields=["counts"])
    SyncCursor.objects.filter(pk=cursor.pk).update(lease_until=None)
    if on_enqueued:
        on_enqueued(outbox.pending_count())
    result = drain.drain(integration, on_batch=on_batch)
    run.finished_at = timezone.now()
    run.ok = not result.busy and not result.paused and outbox.pending_count() == 0
    refused = OutboxItem.objects.filter(status=OutboxStatus.DEAD).count()
    run.counts = {"enqueued": dict(enqueued), **dict(result.counts), "refused": refused}
    run.error = (
        "another sync is running; it will send the rest"
        if result.busy
        else "; ".join(f"{kind}: {why}" for kind, why in result.paused.items())
    )[:2000]
    run.save(update_fields=["finished_at", "ok", "counts", "error"])
    return run


def resume_interrupted(integration: Integration) -> SyncRun | None:
    """Run the backfill again when the last one died before its every entity was in the outbox
    (its lease ran out with the run unfinished and nothing enqueued on record); else None.
    After that point the outbox holds the rest and the drain sends it, so nothing is needed."""
    now = timezone.now()
    cursor = (
        SyncCursor.objects.filter(integration=integration, stream=STREAM)
        .filter(claims.free(now))
        .first()
    )
    if cursor is None:
        return None
    died_enqueuing = cursor.runs.filter(finished_at__isnull=True).exclude(
        counts__has_key="enqueued"
    )
    return backfill(integration) if died_enqueuing.exists() else None


def _hold(cursor: SyncCursor) -> None:
    until = timezone.now() + claims.lease(claims.CURSOR_LEASE)
    SyncCursor.objects.filter(pk=cursor.pk).update(lease_until=until)
