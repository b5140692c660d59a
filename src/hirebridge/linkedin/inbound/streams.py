"""The polled streams and their schedule: InMail stub profiles and prospect notes per contract,
InMail history per seat, each read in time windows from a cursor kept in the database.

A window runs from the cursor's watermark minus OVERLAP (late items and LinkedIn's ambiguous
window edges are read twice; the imports are idempotent) to at most WINDOW later and never past
now minus SAFETY_LAG. Its items are fetched outside any transaction, then written in one
transaction that also moves the watermark to the window's end and closes the window's SyncRun:
a killed worker resumes from the last committed window and never skips one.

Each stream is polled once per `effective_poll_seconds`, one poll at a time (a lease on its
cursor). A spent daily quota pauses the stream until 00:05 UTC.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hirebridge.linkedin import claims, enablement, inbound
from hirebridge.linkedin.client import DailyQuotaExceeded, LinkedInClient, LinkedInError
from hirebridge.linkedin.inbound import Tally, history, stubs
from hirebridge.linkedin.models import (
    Contract,
    Integration,
    IntegrationStatus,
    IntegrationType,
    Seat,
    SyncCursor,
    SyncRun,
)

log = logging.getLogger("hirebridge.linkedin")

MINUTE_MS = 60_000
OVERLAP_MS = 10 * MINUTE_MS
SAFETY_LAG_MS = 30_000
WINDOW_MS = 12 * 60 * MINUTE_MS  # LinkedIn: at most 12 hours per call
MAX_WINDOWS_PER_POLL = 24
FIRST_WINDOW_BACK = timedelta(days=7)
DAILY_INTERACTION_CALLS = 100_000  # seats, InMail history, stubs and notes share it
BUDGET_SHARE = 0.8
AFTER_RESET = timedelta(minutes=5)


@dataclass(frozen=True)
class Stream:
    """A polled stream: `fetch(client, start_ms=…, end_ms=…)` reads a window from LinkedIn,
    `store(fetched)` writes it inside the window's transaction."""

    name: str
    fetch: Callable[..., list[Any]]
    store: Callable[[list[Any]], Tally]


def effective_poll_seconds(seat_count: int) -> int:
    """LINKEDIN_POLL_SECONDS, or longer when polling that often would spend more than 80% of
    LinkedIn's 100,000 daily interaction calls: a round costs about 2 + seats calls."""
    budget_floor = 86400 * (2 + seat_count) / (BUDGET_SHARE * DAILY_INTERACTION_CALLS)
    return max(int(settings.LINKEDIN_POLL_SECONDS), math.ceil(budget_floor))


def active_seat_count(integration: Integration) -> int:
    return Seat.objects.filter(contract__integration=integration, active=True).count()


def poll_due_streams() -> int:
    """Poll every stream whose interval has elapsed (or that is behind); how many were polled."""
    integration = enablement.current()
    if integration is None:
        return 0
    now = timezone.now()
    streams = streams_of(integration)
    seat_count = active_seat_count(integration)
    interval = timedelta(seconds=effective_poll_seconds(seat_count))
    cursors = _cursors(integration, streams, now)
    polled = 0
    for stream in streams:
        if not _due(cursors[stream.name], interval, now):
            continue
        cursor = claims.claim_cursor(cursors[stream.name].pk)
        if cursor is None:
            continue
        try:
            poll(inbound.client(integration), stream, cursor)
        finally:
            claims.release_cursor(cursor)
        polled += 1
    return polled


def streams_of(integration: Integration) -> list[Stream]:
    """Stubs first, then InMails, then notes: a stub and its thread's InMails share a window's
    end, so the stub's opportunity exists when the InMails come."""
    stub_streams, inmail_streams, note_streams = [], [], []
    for contract in _pollable_contracts(integration):
        seat_urns = sorted(seat.urn for seat in contract.seats.all() if seat.active)
        if not seat_urns:
            continue
        stub_streams.append(
            Stream(
                f"mailStubs:{contract.urn}",
                partial(stubs.fetch, contract_urn=contract.urn, seat_urns=seat_urns),
                partial(stubs.store, integration),
            )
        )
        inmail_streams += [
            Stream(
                f"conversationEvents:{urn}",
                partial(history.fetch_inmails, seat_urn=urn),
                partial(history.store_inmails, integration, urn),
            )
            for urn in seat_urns
        ]
        note_streams.append(
            Stream(
                f"prospectNotes:{contract.urn}",
                partial(history.fetch_notes, contract_urn=contract.urn, seat_urns=seat_urns),
                partial(history.store_notes, integration),
            )
        )
    return stub_streams + inmail_streams + note_streams


def poll(client: LinkedInClient, stream: Stream, cursor: SyncCursor) -> None:
    """The stream's windows from its watermark up to now minus the lag, one transaction each;
    stops at the first window that fails (its SyncRun and the cursor say why)."""
    for _ in range(MAX_WINDOWS_PER_POLL):
        start = cursor.watermark_ms - OVERLAP_MS
        horizon = _ms(timezone.now()) - SAFETY_LAG_MS
        end = min(start + WINDOW_MS, horizon)
        if end <= cursor.watermark_ms or not _window(client, stream, cursor, start, end):
            return
        cursor.watermark_ms = end
        if end == horizon:
            return


def _window(
    client: LinkedInClient, stream: Stream, cursor: SyncCursor, start: int, end: int
) -> bool:
    run = SyncRun.objects.create(cursor=cursor, window_start_ms=start, window_end_ms=end)
    try:
        fetched = stream.fetch(client, start_ms=start, end_ms=end)
        with transaction.atomic():
            tally = stream.store(fetched)
            now = timezone.now()
            SyncCursor.objects.filter(pk=cursor.pk, watermark_ms__lt=end).update(
                watermark_ms=end, last_success_at=now, last_error="", paused_until=None
            )
            SyncRun.objects.filter(pk=run.pk).update(
                finished_at=now,
                ok=not tally.errors,
                counts={"fetched": len(fetched), **tally.counts},
                error="\n".join(tally.errors),
            )
    except DailyQuotaExceeded as spent:
        until = spent.resets_at + AFTER_RESET
        _failed(
            cursor,
            run,
            f"LinkedIn's daily quota is spent; paused until {until:%Y-%m-%d %H:%M} UTC "
            f"({spent.message})",
            paused_until=until,
        )
        return False
    except LinkedInError as failure:
        _failed(cursor, run, str(failure))
        return False
    except Exception as failure:
        log.exception("%s: window [%d, %d) failed", stream.name, start, end)
        _failed(cursor, run, f"{type(failure).__name__}: {failure}")
        return False
    log.info("%s: window [%d, %d) %s", stream.name, start, end, dict(tally.counts))
    return True


def _failed(
    cursor: SyncCursor, run: SyncRun, error: str, *, paused_until: datetime | None = None
) -> None:
    log.warning("%s: %s", cursor.stream, error)
    fields: dict[str, Any] = {"last_error": error}
    if paused_until is not None:
        fields["paused_until"] = paused_until
    SyncCursor.objects.filter(pk=cursor.pk).update(**fields)
    SyncRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), ok=False, error=error)


def _pollable_contracts(integration: Integration) -> list[Contract]:
    """Contracts whose CSA_API integration LinkedIn has not reported as switched off."""
    off = IntegrationStatus.objects.filter(
        integration=integration, integration_type=IntegrationType.CSA_API, onboarded=False
    ).values("context_urn")
    return list(integration.contracts.exclude(urn__in=off).prefetch_related("seats"))


def _cursors(
    integration: Integration, streams: list[Stream], now: datetime
) -> dict[str, SyncCursor]:
    """Each stream's cursor with its last poll time; a new one starts at the integration's
    creation, at most FIRST_WINDOW_BACK ago."""
    first = _ms(max(integration.created_at, now - FIRST_WINDOW_BACK))
    names = [stream.name for stream in streams]
    SyncCursor.objects.bulk_create(
        [SyncCursor(integration=integration, stream=name, watermark_ms=first) for name in names],
        ignore_conflicts=True,
    )
    cursors = SyncCursor.objects.filter(integration=integration, stream__in=names).annotate(
        last_polled=Max("runs__started_at")
    )
    return {cursor.stream: cursor for cursor in cursors}


def _due(cursor: SyncCursor, interval: timedelta, now: datetime) -> bool:
    if cursor.paused_until is not None and cursor.paused_until > now:
        return False
    last_polled = getattr(cursor, "last_polled", None)
    # A backlog is worked off at every tick, unless its last window failed.
    behind = not cursor.last_error and _ms(now) - SAFETY_LAG_MS - cursor.watermark_ms > WINDOW_MS
    return last_polled is None or behind or now - last_polled >= interval


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
