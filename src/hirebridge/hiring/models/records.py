"""What happened to a candidate: notes, messages and the activity timeline."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hirebridge.hiring.models.candidates import Candidate
from hirebridge.hiring.models.opportunities import Opportunity


class RecordSource(models.TextChoices):
    ATS = "ats", "ATS"
    LINKEDIN = "linkedin", "LinkedIn"


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="notes")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_author = models.CharField(
        max_length=200, blank=True, help_text="Who wrote it outside the ATS, e.g. on LinkedIn"
    )
    source = models.CharField(max_length=16, choices=RecordSource.choices, default=RecordSource.ATS)
    # NULL, not "", for "made here": the unique constraint applies only to external ids.
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=Q(external_id__isnull=False),
                name="hiring_note_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def author_name(self) -> str:
        return str(self.author) if self.author else self.external_author


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    INMAIL = "inmail", "LinkedIn InMail"


class Direction(models.TextChoices):
    OUTBOUND = "out", "Sent to the candidate"
    INBOUND = "in", "Received from the candidate"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="messages")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    sender = models.CharField(max_length=300, help_text="Name and/or address of the sender")
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField()
    # NULL, not "", for "made here": the unique constraint applies only to external ids.
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    thread_id = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=Q(external_id__isnull=False),
                name="hiring_message_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.subject or self.body[:60]


class Verb(models.TextChoices):
    CANDIDATE_CREATED = "candidate_created", "added the candidate"
    CANDIDATE_UPDATED = "candidate_updated", "updated the candidate"
    OPPORTUNITY_CREATED = "opportunity_created", "added an opportunity"
    STAGE_CHANGED = "stage_changed", "moved the stage"
    ARCHIVED = "archived", "archived"
    UNARCHIVED = "unarchived", "unarchived"
    NOTE_ADDED = "note_added", "added a note"
    NOTE_UPDATED = "note_updated", "updated a note"
    NOTE_DELETED = "note_deleted", "deleted a note"
    CONTACT_ADDED = "contact_added", "added contact details"
    CONTACT_REMOVED = "contact_removed", "removed contact details"
    LINKEDIN_DATA_REMOVED = "linkedin_data_removed", "removed what LinkedIn brought in"
    MESSAGE_LOGGED = "message_logged", "logged a message"
    LINKEDIN_CONNECTED = "linkedin_connected", "connected the LinkedIn profile"
    LINKEDIN_DISCONNECTED = "linkedin_disconnected", "disconnected the LinkedIn profile"
    MERGED = "merged", "merged a duplicate profile into this one"


class Activity(models.Model):
    """The timeline: who did what and when. No actor and `automatic` means the system did it."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="activities")
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    verb = models.CharField(max_length=32, choices=Verb.choices)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["candidate", "-created_at"], name="hiring_activity_cand_idx")
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_verb_display()}"

    @property
    def actor_name(self) -> str:
        if self.automatic:
            return "automatic"
        return str(self.actor) if self.actor else "a deleted user"
