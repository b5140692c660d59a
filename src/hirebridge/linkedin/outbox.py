"""The outbox: ATS changes LinkedIn must learn about, written in the transaction of the change.

The hiring services call `changed` for every entity they touch; nothing is written while no
LinkedIn integration is configured (the backfill covers the past when one is). A row says only
"this entity changed": the sender reads the entity's state when it sends, so stale or reordered
changes converge on the latest state, and a row is removed only after LinkedIn accepted it.
"""

import random
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hirebridge.linkedin import claims
from hirebridge.linkedin.models import Integration, OutboxItem, OutboxKind, OutboxStatus

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
Change = tuple[str, object, object]  # (kind, entity id, parent id or "")


def changed(kind: str, entity_id: object, parent_id: object = "") -> None:
    changed_many([(kind, entity_id, parent_id)])


def changed_many(changes: Iterable[Change]) -> None:
    """Record that these entities changed (upserted on kind + id: one pending row each), and
    ring the worker once the transaction commits. An entity named twice is written once (the
    last parent wins): PostgreSQL refuses an upsert that touches one row twice."""
    now = timezone.now()
    latest = {
        (OutboxKind(kind), str(entity_id)): str(parent_id or "")
        for kind, entity_id, parent_id in changes
    }
    rows = [
        OutboxItem(
            kind=kind, entity_id=entity_id, parent_id=parent_id, token=uuid.uuid4(), changed_at=now
        )
        for (kind, entity_id), parent_id in latest.items()
    ]
    if not rows or not Integration.objects.exists():
        return
    write(rows)
    transaction.on_commit(_ring, robust=True)


def write(rows: list[OutboxItem]) -> None:
    """Upsert rows: a new change makes a refused (dead) row pending again with a fresh token."""
    OutboxItem.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kind", "entity_id"],
        update_fields=[
            "parent_id",
            "token",
            "status",
            "attempts",
            "not_before",
            "last_error",
            "changed_at",
        ],
    )


def _ring() -> None:
    from hirebridge.linkedin import tasks

    tasks.drain_outbox()


def _due(now: datetime) -> Q:
    return (
        Q(status=OutboxStatus.PENDING)
        & claims.free(now)
        & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    )


def claim(kind: str, limit: int) -> list[OutboxItem]:
    """Up to `limit` due rows of one kind in key order, leased to the caller.

    Read and leased in one transaction that keeps other claimers off the rows read: PostgreSQL
    locks them (a concurrent claimer skips them and takes the next due rows), SQLite's
    IMMEDIATE transactions let one writer in at a time. So the rows read are exactly the rows
    leased, and their lease and attempts are set here rather than read back."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.LINKEDIN_SYNC_LEASE_SECONDS)
    with transaction.atomic():
        rows = list(
            OutboxItem.objects.select_for_update(skip_locked=True)
            .filter(_due(now), kind=kind)
            .order_by("entity_id")[:limit]
        )
        if rows:
            OutboxItem.objects.filter(pk__in=[row.pk for row in rows]).update(
                lease_until=lease, attempts=F("attempts") + 1
            )
    for row in rows:
        row.lease_until = lease
        row.attempts += 1
    return rows


def pending_count() -> int:
    return OutboxItem.objects.filter(status=OutboxStatus.PENDING).count()


def settle(items: Iterable[OutboxItem]) -> None:
    """LinkedIn has the state read for these rows: remove each unless it changed meanwhile (its
    token moved on), in which case it stays pending for the newer state.

    `pk IN (ids) AND token IN (tokens)` matches exactly the rows that still hold the (pk, token)
    pair read: every OutboxItem built gets a fresh uuid4 (the field's default, or
    `changed_many`'s) and only `write` stores it, onto that one row; so no row ever holds a
    token read from another, and a cross pair (pk of one, token of another) never matches."""
    items = list(items)
    if not items:
        return
    OutboxItem.objects.filter(
        pk__in=[item.pk for item in items], token__in=[item.token for item in items]
    ).delete()
    release(items)


def release(items: Iterable[OutboxItem]) -> None:
    OutboxItem.objects.filter(pk__in=[item.pk for item in items]).update(lease_until=None)


def retry_later(items: Iterable[OutboxItem], error: str, *, after: float | None = None) -> None:
    """Keep the rows pending and due again after `after` seconds, or after a full-jitter
    backoff that grows with each row's attempts (capped at an hour)."""
    now = timezone.now()
    for item in items:
        delay = after if after is not None else backoff_seconds(item.attempts)
        OutboxItem.objects.filter(pk=item.pk).update(
            lease_until=None, not_before=now + timedelta(seconds=delay), last_error=error[:2000]
        )


def backoff_seconds(attempts: int) -> float:
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not a secret)


def refuse(item: OutboxItem, error: str) -> None:
    """Dead-letter a row LinkedIn (or the mapping) refused, unless it changed meanwhile: the
    newer state may be fine, so that one is simply tried."""
    OutboxItem.objects.filter(pk=item.pk, token=item.token).update(
        status=OutboxStatus.DEAD, lease_until=None, last_error=error[:2000]
    )
    release([item])


def retry_dead(ids: Iterable[int] | None = None) -> int:
    """Make refused rows pending again (the settings page's Retry); returns how many."""
    dead = OutboxItem.objects.filter(status=OutboxStatus.DEAD)
    if ids is not None:
        dead = dead.filter(pk__in=list(ids))
    count = dead.update(
        status=OutboxStatus.PENDING, attempts=0, not_before=None, last_error="", lease_until=None
    )
    if count:
        transaction.on_commit(_ring, robust=True)
    return count
