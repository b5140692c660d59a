"""Who works on what: leases taken with a conditional UPDATE that must change exactly one row.

Several workers (and a sweeper re-ringing after a crash) may try the same row; only the one
whose UPDATE matched goes on. A lease that expires (its worker died) can be taken again.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from hirebridge.linkedin.models import EventStatus, InboundEvent, SyncCursor

EVENT_LEASE = timedelta(minutes=2)
CURSOR_LEASE = timedelta(minutes=5)


def lease(longest: timedelta) -> timedelta:
    """A lease of at most `longest`, and never longer than LINKEDIN_SYNC_LEASE_SECONDS: that
    setting bounds how long a dead worker's rows wait before another worker takes them."""
    return min(longest, timedelta(seconds=settings.LINKEDIN_SYNC_LEASE_SECONDS))


def free(now) -> Q:
    """Rows with no lease, or whose lease ran out (its holder died)."""
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def claim_event(event_id: int) -> InboundEvent | None:
    """The event, leased to the caller, or None if it is done, failed or leased to another."""
    now = timezone.now()
    taken = (
        InboundEvent.objects.filter(pk=event_id, status=EventStatus.NEW)
        .filter(free(now))
        .update(lease_until=now + lease(EVENT_LEASE), attempts=F("attempts") + 1)
    )
    return InboundEvent.objects.get(pk=event_id) if taken == 1 else None


def due_event_ids(limit: int = 500) -> list[int]:
    """Events nobody is working on: never picked up, or whose worker's lease ran out."""
    return list(
        InboundEvent.objects.filter(status=EventStatus.NEW)
        .filter(free(timezone.now()))
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )


def claim_cursor(cursor_id: int) -> SyncCursor | None:
    """The stream's cursor, leased to the caller, so one poll per stream runs at a time."""
    now = timezone.now()
    taken = (
        SyncCursor.objects.filter(pk=cursor_id)
        .filter(free(now))
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lt=now))
        .update(lease_until=now + lease(CURSOR_LEASE))
    )
    return SyncCursor.objects.get(pk=cursor_id) if taken == 1 else None


def release_cursor(cursor: SyncCursor) -> None:
    SyncCursor.objects.filter(pk=cursor.pk).update(lease_until=None)
