"""Send deliveries: one POST each, retried with backoff until the receiver answers 2xx.

A sender claims a delivery with a conditional update that pushes its due time past a lease,
and goes on only if that one row changed: two workers never send the same delivery at once,
and one that died mid-send leaves it due again when the lease ends. Each step is a function
tests call once.
"""

import logging
import random
from datetime import timedelta
from uuid import UUID

import httpx
from django.db.models import F
from django.utils import timezone

from hirebridge.webhooks import signing, ssrf
from hirebridge.webhooks.models import Delivery, DeliveryStatus

log = logging.getLogger("hirebridge.webhooks")

TIMEOUT_SECONDS = 10
LEASE_SECONDS = 60
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 24 * 3600
SWEEP_BATCH = 100
RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def claim(delivery_id: UUID | str) -> Delivery | None:
    """The delivery, leased to the caller and counted as an attempt, if it is due; else None."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status__in=RETRYABLE, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS), attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    return Delivery.objects.select_related("webhook").get(pk=delivery_id)


def deliver(delivery_id: UUID | str) -> bool:
    """Send one due delivery; True when the receiver took it."""
    delivery = claim(delivery_id)
    if delivery is None:
        return False
    return send(delivery, retry=True)


def send(delivery: Delivery, *, retry: bool) -> bool:
    """POST the signed body and record the outcome; a failure is retried later when `retry`,
    otherwise (a Verify from the settings page) given up at once."""
    hook = delivery.webhook
    try:
        target = ssrf.pinned(hook.url, ssrf.check(hook.url))
        with http_client() as client:
            response = client.post(
                target.url,
                json=signing.signed(delivery.body, hook.signature_token),
                headers={"User-Agent": "hirebridge-webhooks/1", **target.headers},
                extensions=target.extensions,
            )
    except ssrf.UnsafeTarget as refused:
        return _failed(delivery, None, f"refused target: {refused}", retry=retry)
    except httpx.HTTPError as error:
        return _failed(delivery, None, f"{type(error).__name__}: {error}", retry=retry)
    if response.is_success:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DELIVERED,
            last_status_code=response.status_code,
            last_error="",
            delivered_at=timezone.now(),
        )
        return True
    return _failed(
        delivery,
        response.status_code,
        f"HTTP {response.status_code}: {response.text[:200]}",
        retry=retry,
    )


def http_client() -> httpx.Client:
    """Redirects are not followed: a receiver could point one at an inside address."""
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)


def _failed(delivery: Delivery, status_code: int | None, error: str, *, retry: bool) -> bool:
    gave_up = not retry or delivery.attempts >= MAX_ATTEMPTS
    now = timezone.now()
    retry_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DEAD if gave_up else DeliveryStatus.FAILED,
        last_status_code=status_code,
        last_error=error[:2000],
        next_attempt_at=now if gave_up else retry_at,
    )
    log.warning(
        "webhook delivery %s (%s, attempt %d) failed%s: %s",
        delivery.pk,
        delivery.event,
        delivery.attempts,
        ", giving up" if gave_up else "",
        error,
    )
    return False


def backoff_seconds(attempts: int) -> float:
    """1 minute after the first attempt, doubling, at most a day, jittered so that receivers
    coming back up are not hit by every retry at once."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not a secret)


def due_ids(limit: int = SWEEP_BATCH) -> list[str]:
    now = timezone.now()
    ids = Delivery.objects.filter(status__in=RETRYABLE, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )
    return [str(pk) for pk in ids.values_list("pk", flat=True)[:limit]]


def deliver_due(limit: int = SWEEP_BATCH) -> int:
    """Send what is due (retries, and rings lost with a killed process); how many went out."""
    return sum(deliver(delivery_id) for delivery_id in due_ids(limit))
