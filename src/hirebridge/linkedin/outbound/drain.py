"""Empty the outbox towards LinkedIn: one drainer at a time (a lease on the "outbox" cursor,
renewed after every batch, so a killed drainer is replaced once its lease runs out), parents
before children, batches of LINKEDIN_BATCH_SIZE (LinkedIn's maximum, 100, by default) in key
order. Job access goes first: a new confidential job is bound to its ACL group before LinkedIn
has it, so it never shows to all.

Candidates and applications go turn about, as do their children (notes, stage history):
LinkedIn throttles each resource on its own, so while one waits for its minute another can be
sent, and the children's one call per parent never holds up the batches of 100.
"""

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from hirebridge.linkedin import claims, enablement, inbound, outbox
from hirebridge.linkedin.client import BATCH_MAX
from hirebridge.linkedin.models import Integration, OutboxKind, SyncCursor
from hirebridge.linkedin.outbound import sender
from hirebridge.linkedin.outbound.bucket import Buckets

STREAM = "outbox"
ROUNDS: tuple[tuple[OutboxKind, ...], ...] = (
    (OutboxKind.JOB_ACCESS,),
    (OutboxKind.JOB,),
    (OutboxKind.CANDIDATE, OutboxKind.APPLICATION),
    (OutboxKind.CANDIDATE_NOTE, OutboxKind.APPLICATION_NOTE, OutboxKind.APPLICATION_STAGES),
)
_buckets: dict[int, Buckets] = {}

Progress = Callable[[str, int], None]


NOT_ONBOARDED = "the organization is not known yet: onboard with LinkedIn first"


@dataclass
class DrainResult:
    batches: int = 0
    rows: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    paused: dict[str, str] = field(default_factory=dict)
    busy: bool = False  # another drainer holds the lease


def shared_buckets() -> Buckets:
    """The process's buckets: consecutive drains share their minute, as LinkedIn counts it."""
    per_minute = settings.LINKEDIN_RECORDS_PER_MINUTE
    if per_minute not in _buckets:
        _buckets[per_minute] = Buckets(per_minute)
    return _buckets[per_minute]


def lease_seconds() -> int:
    return int(settings.LINKEDIN_SYNC_LEASE_SECONDS)


def batch_size() -> int:
    size = int(settings.LINKEDIN_BATCH_SIZE)
    if not 1 <= size <= BATCH_MAX:
        raise ImproperlyConfigured(f"LINKEDIN_BATCH_SIZE: 1 to {BATCH_MAX}, got {size}")
    return size


def drain(
    integration: Integration | None = None,
    *,
    on_batch: Progress | None = None,
    buckets: Buckets | None = None,
) -> DrainResult:
    """Send every due outbox row, unless another drainer is at it (`busy`)."""
    integration = integration or enablement.current()
    if integration is None:
        return DrainResult()
    if not integration.organization_urn:
        # Every record names the organization as its context: LinkedIn would refuse them all.
        return DrainResult(paused={"all": NOT_ONBOARDED})
    cursor, _ = SyncCursor.objects.get_or_create(integration=integration, stream=STREAM)
    if not _take_lease(cursor.pk):
        return DrainResult(busy=True)
    try:
        with ThreadPoolExecutor(sender.CHILD_CALLS_AT_ONCE) as pool:
            sync = sender.Sync(
                inbound.client(integration), integration, buckets or shared_buckets(), pool
            )
            result = _drain_rounds(sync, cursor.pk, on_batch)
        SyncCursor.objects.filter(pk=cursor.pk).update(
            last_success_at=timezone.now(), last_error="; ".join(result.paused.values())[:2000]
        )
        return result
    finally:
        SyncCursor.objects.filter(pk=cursor.pk).update(lease_until=None)


def _drain_rounds(sync: sender.Sync, cursor_id: int, on_batch: Progress | None) -> DrainResult:
    result = DrainResult(counts=sync.counts)
    size = batch_size()
    for kinds in ROUNDS:
        while True:
            sent_any = False
            for kind in kinds:
                if kind in result.paused:
                    continue
                items = outbox.claim(kind, size)
                if not items:
                    continue
                sent_any = True
                try:
                    sender.send(sync, kind, items)
                except sender.Pause as pause:
                    result.paused[kind] = str(pause)
                result.batches += 1
                result.rows += len(items)
                _renew_lease(cursor_id)
                if on_batch:
                    on_batch(kind, len(items))
            if not sent_any:
                break
    return result


def _take_lease(cursor_id: int) -> bool:
    now = timezone.now()
    unleased = SyncCursor.objects.filter(claims.free(now), pk=cursor_id)
    return unleased.update(lease_until=now + timedelta(seconds=lease_seconds())) == 1


def _renew_lease(cursor_id: int) -> None:
    until = timezone.now() + timedelta(seconds=lease_seconds())
    SyncCursor.objects.filter(pk=cursor_id).update(lease_until=until)
