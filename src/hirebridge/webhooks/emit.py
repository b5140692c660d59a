"""Queue an event for every active webhook that wants it, in the caller's transaction.

The Delivery rows are the outbox: if the change rolls back, so do they. The worker is rung only
once the transaction commits (the queue is not in it); the periodic sweep catches a ring lost
with a killed process.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from hirebridge.webhooks import signing
from hirebridge.webhooks.models import OPPORTUNITY_EVENTS, Delivery, Event, Webhook


def emit(event: Event, data: dict[str, Any], *, origin: str | None = None) -> list[Delivery]:
    """One Delivery per matching hook; `origin` (the opportunity's) is matched against a hook's
    origins condition for the events about an opportunity."""
    hooks = [
        hook
        for hook in Webhook.objects.filter(event=event, active=True)
        if _wanted(hook, event, origin)
    ]
    if not hooks:
        return []
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                webhook=hook,
                event=event,
                body=signing.envelope(event, data, now),
                next_attempt_at=now,
                created_at=now,
            )
            for hook in hooks
        ]
    )
    ids = [str(delivery.pk) for delivery in deliveries]
    transaction.on_commit(lambda: _ring(ids), robust=True)
    return deliveries


def _wanted(hook: Webhook, event: Event, origin: str | None) -> bool:
    origins = hook.origins
    return not origins or event not in OPPORTUNITY_EVENTS or origin in origins


def _ring(ids: list[str]) -> None:
    from hirebridge.webhooks import tasks

    for delivery_id in ids:
        tasks.deliver(delivery_id)
