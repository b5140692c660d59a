"""The integration's own state: credentials and contexts, seats, pushes received, sync cursors.

Everything the worker needs to resume lives here, never only in the queue: Huey loses a task
whose worker dies, so a periodic sweeper re-rings for rows that are new or whose lease expired.
"""

import secrets as token_source
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hirebridge.hiring.models import Candidate
from hirebridge.linkedin import secrets


def new_callback_token() -> str:
    return token_source.token_urlsafe(32)


class LicenceTier(models.TextChoices):
    TRM = "trm", "LeverTRM"
    TRM_ENTERPRISE = "trm_enterprise", "LeverTRM for Enterprise"


class JobAvailability(models.TextChoices):
    PUBLIC = "PUBLIC", "Public: every LinkedIn member may see the job"
    PRIVATE = "PRIVATE", "Private to this organization's Recruiter users"
    PRIVATE_TO_INTEGRATION = "PRIVATE_TO_ATS_INTEGRATION", "Private to this ATS integration"


class Integration(models.Model):
    """One customer application at LinkedIn (this ATS instance) and its organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_id = models.CharField(max_length=100, unique=True)
    client_secret_encrypted = models.TextField()
    # Blank until the admin enters it or the configuration plugin reports it.
    organization_urn = models.CharField(
        max_length=100, blank=True, help_text="urn:li:organization:…"
    )
    licence_tier = models.CharField(
        max_length=20, choices=LicenceTier.choices, default=LicenceTier.TRM
    )
    # Unguessable path of the CALLBACK_URL registered for this customer.
    callback_token = models.CharField(max_length=64, unique=True, default=new_callback_token)
    # RSC-102: the customer chooses how synced jobs show on LinkedIn.
    job_availability = models.CharField(
        max_length=32,
        choices=JobAvailability.choices,
        default=JobAvailability.PRIVATE_TO_INTEGRATION,
    )
    token_checked_at = models.DateTimeField(null=True, blank=True)
    token_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(organization_urn="")
                | Q(organization_urn__regex=r"^urn:li:organization:[0-9]+$"),
                name="linkedin_integration_organization_urn",
            )
        ]

    def __str__(self) -> str:
        return f"LinkedIn {self.organization_urn}"

    @property
    def client_secret(self) -> str:
        return secrets.decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, plaintext: str) -> None:
        self.client_secret_encrypted = secrets.encrypt(plaintext)


class Contract(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="contracts")
    urn = models.CharField(max_length=100, help_text="urn:li:contract:…")
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["urn"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "urn"], name="linkedin_contract_unique"),
            models.CheckConstraint(
                condition=Q(urn__regex=r"^urn:li:contract:[0-9]+$"), name="linkedin_contract_urn"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.urn


class IntegrationType(models.TextChoices):
    ONE_CLICK_EXPORT = "ONE_CLICK_EXPORT", "1-Click Export"
    IN_ATS_INDICATOR = "IN_ATS_INDICATOR", "In-ATS indicator"
    PROFILE_PLUGIN = "PROFILE_PLUGIN", "Profile plugin"
    CSA_API = "CSA_API", "Recruiter data (InMails, notes, stub profiles)"
    RECOMMENDED_MATCHES = "RECOMMENDED_MATCHES", "Recommended Matches"
    UNIFIED_SEARCH = "UNIFIED_SEARCH", "Unified Search"


class IntegrationStatus(models.Model):
    """What LinkedIn last said about one integration type in one context (organization/contract)."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="statuses")
    integration_type = models.CharField(max_length=32, choices=IntegrationType.choices)
    context_urn = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    onboarded = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["integration_type", "context_urn"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "integration_type", "context_urn"],
                name="linkedin_integrationstatus_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.integration_type} on {self.context_urn}"


class SeatMapping(models.TextChoices):
    AUTOMATIC = "automatic", "By email or member"
    MANUAL = "manual", "By an admin"


class Seat(models.Model):
    """One Recruiter licence, and the ATS user it belongs to (if mapped)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="seats")
    urn = models.CharField(max_length=100, unique=True, help_text="urn:li:seat:…")
    member_urn = models.CharField(max_length=100, blank=True, help_text="urn:li:person:…")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linkedin_seats",
    )
    mapped_by = models.CharField(max_length=16, choices=SeatMapping.choices, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name", "urn"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.urn})".strip()


class EventStatus(models.TextChoices):
    NEW = "new", "Waiting"
    DONE = "done", "Processed"
    FAILED = "failed", "Failed (kept for retry or inspection)"
    DROPPED = "dropped", "Dropped (not this customer's)"


class InboundEvent(models.Model):
    """A push notification from LinkedIn, stored before it is answered, processed by the worker.

    Keyed by LinkedIn's request id, so a repeated push is a no-op. A worker claims a row by
    setting `lease_until` with a conditional update; an expired lease may be claimed again.
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="events")
    request_id = models.CharField(max_length=100)
    type = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.NEW)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    # An export's members and postings as written ([{member, posting}]); the reconciliation
    # checks them (inbound.reconcile) and notes when it last did.
    exported = models.JSONField(default=list, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "request_id"], name="linkedin_inboundevent_unique_request"
            )
        ]
        indexes = [models.Index(fields=["status", "lease_until"], name="linkedin_event_due_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.request_id}"


class ProfileConnectionQuerySet(models.QuerySet["ProfileConnection"]):
    def lock_member(self, integration_id: uuid.UUID, person_urn: str) -> list["ProfileConnection"]:
        """The member's connections, locked and oldest first: whoever changes which of them is
        primary holds these, so two such changes never interleave."""
        return list(
            self.select_for_update()
            .filter(integration_id=integration_id, person_urn=person_urn)
            .order_by("connected_at", "id")
        )

    def promote_next(
        self, integration_id: uuid.UUID, person_urn: str
    ) -> "ProfileConnection | None":
        """After the member's primary connection went away (disconnected, merged, deleted): the
        earliest other becomes primary."""
        remaining = self.lock_member(integration_id, person_urn)
        if not remaining or any(connection.primary for connection in remaining):
            return None
        successor = remaining[0]
        successor.primary = True
        successor.save(update_fields=["primary"])
        return successor


class ProfileConnection(models.Model):
    """A candidate's LinkedIn member (person URN): from an export, a stub or a manual link.

    Duplicates of one person may each be connected to the same member. The first connected is
    the member's primary candidate: LinkedIn's exports, InMails and notes land on it. Only one
    primary per member is possible (a partial unique constraint), so two exports of the same
    member at once cannot make two candidates: the second collides and retries.
    """

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="linkedin_connection"
    )
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="connections"
    )
    person_urn = models.CharField(max_length=100)
    primary = models.BooleanField(default=True)
    connected_at = models.DateTimeField(default=timezone.now)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ProfileConnectionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "person_urn"],
                condition=Q(primary=True),
                name="linkedin_connection_unique_primary",
            )
        ]
        indexes = [
            models.Index(fields=["integration", "person_urn"], name="linkedin_connection_member")
        ]

    def __str__(self) -> str:
        return f"{self.candidate} = {self.person_urn}"


class HeldKind(models.TextChoices):
    INMAIL = "inmail", "InMail"
    NOTE = "note", "Recruiter note"


class HeldActivity(models.Model):
    """An InMail or Recruiter note of one of the organization's seats with a member no
    candidate is connected to yet, kept so that connecting the member pulls it in at once.

    Only the organization's own Recruiter correspondence is held (never a personal account's).
    A row is deleted when it is imported into a candidate, when LinkedIn deactivates the note,
    and two years after it happened (RETENTION), so nothing is kept for a member no one connects.
    """

    RETENTION = timedelta(days=730)

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="held")
    kind = models.CharField(max_length=16, choices=HeldKind.choices)
    linkedin_id = models.CharField(max_length=100)
    member_urn = models.CharField(max_length=100, help_text="urn:li:person:…")
    seat_urn = models.CharField(max_length=100, help_text="the seat whose stream it came from")
    payload = models.JSONField(help_text="LinkedIn's element as read")
    occurred_at = models.DateTimeField()
    held_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "kind", "linkedin_id"], name="linkedin_heldactivity_unique"
            )
        ]
        indexes = [
            models.Index(fields=["integration", "member_urn"], name="linkedin_held_member"),
            models.Index(fields=["occurred_at"], name="linkedin_held_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.linkedin_id} with {self.member_urn}"


class SyncCursor(models.Model):
    """How far one polled stream (a seat's InMails, a contract's stubs or notes) has committed.

    `watermark_ms` moves only in the transaction that stores its window's last page, so a killed
    worker resumes from the last committed window and never skips one.
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=200, help_text="e.g. conversationEvents:urn:li:seat:5")
    watermark_ms = models.BigIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["stream"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "stream"], name="linkedin_synccursor_unique_stream"
            )
        ]

    def __str__(self) -> str:
        return self.stream


class SyncRun(models.Model):
    """One poll window of one stream: what the settings page shows as progress and errors."""

    cursor = models.ForeignKey(SyncCursor, on_delete=models.CASCADE, related_name="runs")
    window_start_ms = models.BigIntegerField()
    window_end_ms = models.BigIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cursor} [{self.window_start_ms}, {self.window_end_ms})"


class OutboxKind(models.TextChoices):
    """What LinkedIn keeps of the ATS, in sending order: a parent before its children."""

    JOB = "job", "Job"
    JOB_ACCESS = "job_access", "Job access (ACLs)"
    CANDIDATE = "candidate", "Candidate"
    CANDIDATE_NOTE = "candidate_note", "Candidate note"
    APPLICATION = "application", "Application"
    APPLICATION_STAGES = "application_stages", "Application stage history"
    APPLICATION_NOTE = "application_note", "Application note"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DEAD = "dead", "Refused (needs a fix, then Retry)"


class OutboxItem(models.Model):
    """One ATS entity LinkedIn must hear about: written in the transaction that changed it.

    One row per entity: a later change overwrites `token`, so the sender (which read the entity
    at send time) removes the row only if the token it read is still there. `parent_id` keeps
    a child's parent (a note's candidate or application) for a delete after the row is gone.
    """

    kind = models.CharField(max_length=32, choices=OutboxKind.choices)
    entity_id = models.CharField(max_length=64)
    parent_id = models.CharField(max_length=64, blank=True)
    token = models.UUIDField(default=uuid.uuid4)
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "entity_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "entity_id"], name="linkedin_outboxitem_unique_entity"
            )
        ]
        indexes = [
            models.Index(fields=["status", "kind", "entity_id"], name="linkedin_outbox_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_id}"


class SyncedRecord(models.Model):
    """What LinkedIn accepted for one ATS entity: a digest of the body, so an unchanged entity is
    never sent twice (a second backfill sends nothing), and what a later delete needs."""

    kind = models.CharField(max_length=32, choices=OutboxKind.choices)
    entity_id = models.CharField(max_length=64)
    parent_id = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "entity_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "entity_id"], name="linkedin_syncedrecord_unique_entity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_id}"


class ClosedProfileDecision(models.TextChoices):
    PENDING = "pending", "Waiting for an admin"
    KEPT = "kept", "Kept (a legal basis to keep it)"
    DELETED = "deleted", "Candidate deleted"


class ClosedProfile(models.Model):
    """A member who closed their LinkedIn account after being exported: what was removed from
    the matching candidate, and what an admin decided about the rest."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="closed_profiles"
    )
    person_urn = models.CharField(max_length=100)
    profile_url = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField()
    candidate = models.ForeignKey(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate_name = models.CharField(max_length=200, blank=True)
    removed = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        max_length=16,
        choices=ClosedProfileDecision.choices,
        default=ClosedProfileDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-closed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "person_urn"], name="linkedin_closedprofile_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_urn} closed {self.closed_at:%Y-%m-%d}"
