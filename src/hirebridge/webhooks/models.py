"""Outgoing webhooks (Lever's): who is told of which event, and each delivery of it.

A Delivery row is the outbox: it is written in the transaction of the change that triggered
it, so a change is never committed without its deliveries, nor a delivery without its change.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.TextChoices):
    """Lever's event names, which receivers switch on."""

    APPLICATION_CREATED = "applicationCreated", "Application created"
    CANDIDATE_STAGE_CHANGE = "candidateStageChange", "Candidate stage change"
    CANDIDATE_ARCHIVE_CHANGE = "candidateArchiveChange", "Candidate archive state change"
    CANDIDATE_HIRED = "candidateHired", "Candidate hired"
    CANDIDATE_DELETED = "candidateDeleted", "Candidate deleted"
    CONTACT_CREATED = "contactCreated", "Contact created"
    CONTACT_UPDATED = "contactUpdated", "Contact updated"


# The events about an opportunity, which a webhook's origins condition filters.
OPPORTUNITY_EVENTS = frozenset(
    {
        Event.APPLICATION_CREATED,
        Event.CANDIDATE_STAGE_CHANGE,
        Event.CANDIDATE_ARCHIVE_CHANGE,
        Event.CANDIDATE_HIRED,
        Event.CANDIDATE_DELETED,
    }
)


class CreatedVia(models.TextChoices):
    """Lever: a hook created by the API is changed only by the API, one from the UI only there."""

    API = "api", "API"
    UI = "ui", "Settings page"


def new_signature_token() -> str:
    return secrets.token_hex(24)


class Webhook(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=32, choices=Event.choices)
    url = models.URLField(max_length=2000)
    signature_token = models.CharField(
        max_length=64, default=new_signature_token, help_text="Signs this hook's deliveries only"
    )
    conditions = models.JSONField(
        default=dict, blank=True, help_text='{"origins": [...]}: empty means every origin'
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_via = models.CharField(max_length=8, choices=CreatedVia.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "active"], name="webhooks_hook_event_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"

    @property
    def origins(self) -> list[str]:
        return list(self.conditions.get("origins") or [])


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # not tried yet
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will retry"
    DEAD = "dead", "Gave up"


class Delivery(models.Model):
    """One event for one webhook. `body` holds the envelope without its signature, which is
    computed when sent, with the hook's token of that moment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=Event.choices)
    body = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="Due from then; a sender's claim moves it past its lease"
    )
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="webhooks_delivery_due_idx",
            ),
            models.Index(fields=["webhook", "-created_at"], name="webhooks_delivery_hook_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id} ({self.status})"
