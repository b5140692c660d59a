"""Push notifications, processed by the worker: claim the stored event, fetch what it announces
outside any transaction, then write everything and mark the event done in one transaction.

Where an event ends up (InboundEvent.status):
- DONE: everything written; `last_error` says so when suppressed members were left out.
- NEW with `last_error`: a passing failure (LinkedIn down or throttled, the export not readable
  yet, another worker importing the same member); the sweeper rings again after a backoff, and
  after MAX_ATTEMPTS the event is FAILED.
- FAILED: the push or its data is wrong (unknown type, malformed export, unknown posting) or
  LinkedIn refuses it for good. Nothing of it is written; the row stays for inspection.
- DROPPED: the export belongs to another organization (a security event).
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from hirebridge.hiring.services import DuplicateOpportunity, PipelineError
from hirebridge.linkedin import claims, enablement, inbound
from hirebridge.linkedin.client import (
    AuthError,
    InvalidReply,
    Permanent,
    Throttled,
    Transient,
)
from hirebridge.linkedin.inbound import NotReady, Rejected, exports, people
from hirebridge.linkedin.models import EventStatus, InboundEvent

log = logging.getLogger("hirebridge.linkedin")
security = logging.getLogger("hirebridge.security")

EXPORT_CANDIDATE_PROFILE = "EXPORT_CANDIDATE_PROFILE"
INTEGRATION_STATUS_CHANGE = "INTEGRATION_STATUS_CHANGE"
MAX_ATTEMPTS = 8
RETRY_BASE = timedelta(seconds=15)
RETRY_CAP = timedelta(minutes=10)

PASSING = (NotReady, Transient, Throttled, AuthError, DuplicateOpportunity, DatabaseError)
REFUSED = (Rejected, PipelineError, Permanent, InvalidReply)


class Foreign(Exception):
    """The data names another organization than the integration the push came to."""


class Settled(Exception):
    """Another worker finished the event first."""


def process_event(event_id: int) -> bool:
    """Process one stored push; False when it was not ours to take (done, or leased)."""
    event = claims.claim_event(event_id)
    if event is None:
        return False
    try:
        handle = HANDLERS.get(event.type)
        if handle is None:
            raise Rejected(f"type: {event.type!r} is not a push hirebridge handles")
        handle(event)
    except Settled:
        log.info("push %s %s was finished by another worker", event.type, event.request_id)
    except Foreign as foreign:
        security.warning("push %s %s dropped: %s", event.type, event.request_id, foreign)
        _settle(event, EventStatus.DROPPED, str(foreign))
    except PASSING as failure:
        log.warning(
            "push %s %s, attempt %d: %s", event.type, event.request_id, event.attempts, failure
        )
        _retry(event, failure)
    except REFUSED as refused:
        log.error("push %s %s failed: %s", event.type, event.request_id, refused)
        _settle(event, EventStatus.FAILED, str(refused))
    except Exception as failure:
        log.exception("push %s %s, attempt %d", event.type, event.request_id, event.attempts)
        _retry(event, failure)
    else:
        log.info("push %s %s processed", event.type, event.request_id)
    return True


def _export(event: InboundEvent) -> None:
    integration = event.integration
    client = inbound.client(integration)
    exported = exports.fetch(client, event.request_id)
    foreign = exports.foreign_contexts(integration, exported)
    if foreign:
        raise Foreign(
            f"integrationContext: the export names {', '.join(foreign)}, "
            f"not {integration.organization_urn}"
        )
    with _finishing(event):
        suppressed = 0
        for element in exported:
            try:
                exports.ingest(integration, element)
            except people.Suppressed:
                suppressed += 1
        InboundEvent.objects.filter(pk=event.pk).update(exported=exports.named(exported))
        if suppressed:  # DONE, saying why some members were not imported
            reason = f"suppressed: {suppressed} of {len(exported)} members asked not to be imported"
            InboundEvent.objects.filter(pk=event.pk).update(last_error=reason)


def _status_change(event: InboundEvent) -> None:
    enablement.apply_status_change(event.integration, event.request_id)
    with _finishing(event):
        pass


HANDLERS: dict[str, Callable[[InboundEvent], None]] = {
    EXPORT_CANDIDATE_PROFILE: _export,
    INTEGRATION_STATUS_CHANGE: _status_change,
}


@contextmanager
def _finishing(event: InboundEvent) -> Iterator[None]:
    """The transaction that writes the event's effects and marks it DONE. Marking first locks
    the row, so a second worker on the same event waits, then finds it settled."""
    with transaction.atomic():
        marked = InboundEvent.objects.filter(pk=event.pk, status=EventStatus.NEW).update(
            status=EventStatus.DONE, processed_at=timezone.now(), last_error="", lease_until=None
        )
        if not marked:
            raise Settled()
        yield


def _settle(event: InboundEvent, status: EventStatus, error: str) -> None:
    InboundEvent.objects.filter(pk=event.pk, status=EventStatus.NEW).update(
        status=status, last_error=error, processed_at=timezone.now(), lease_until=None
    )


def _retry(event: InboundEvent, failure: Exception) -> None:
    """Keep the event NEW and leased for a backoff (at least LinkedIn's Retry-After); FAILED
    once MAX_ATTEMPTS have been spent."""
    reason = str(failure) or type(failure).__name__
    if event.attempts >= MAX_ATTEMPTS:
        _settle(event, EventStatus.FAILED, f"gave up after {event.attempts} attempts: {reason}")
        return
    delay = min(RETRY_CAP, RETRY_BASE * 2 ** (event.attempts - 1))
    retry_after = getattr(failure, "retry_after", None)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    InboundEvent.objects.filter(pk=event.pk, status=EventStatus.NEW).update(
        last_error=f"attempt {event.attempts}: {reason}", lease_until=timezone.now() + delay
    )
