import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hirebridge.hiring.models.candidates import Candidate, Origin
from hirebridge.hiring.models.labels import Source, Tag
from hirebridge.hiring.models.postings import Posting
from hirebridge.hiring.models.stages import Stage

ONE_ACTIVE_PER_POSTING = "hiring_opportunity_unique_active_per_posting"


class ArchiveReasonType(models.TextChoices):
    HIRED = "hired", "Hired"
    NON_HIRED = "non-hired", "Not hired"


class ArchiveReason(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    text = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=16, choices=ArchiveReasonType.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text


class OpportunityQuerySet(models.QuerySet["Opportunity"]):
    def active(self) -> "OpportunityQuerySet":
        return self.filter(archived_at__isnull=True)


class Opportunity(models.Model):
    """One candidacy: a candidate considered for one posting, or for none (general)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="opportunities")
    posting = models.ForeignKey(
        Posting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
        help_text="Empty for a general opportunity",
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_opportunities",
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="followed_opportunities"
    )
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.SOURCED)
    sources = models.ManyToManyField(Source, blank=True, related_name="opportunities")
    tags = models.ManyToManyField(Tag, blank=True, related_name="opportunities")
    archive_reason = models.ForeignKey(
        ArchiveReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Lever's sourcedBy",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    last_advanced_at = models.DateTimeField(default=timezone.now)
    last_interaction_at = models.DateTimeField(default=timezone.now)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "posting"],
                condition=Q(archived_at__isnull=True, posting__isnull=False),
                name=ONE_ACTIVE_PER_POSTING,
                violation_error_message=(
                    "This candidate already has an active opportunity for this posting."
                ),
            ),
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True, archive_reason__isnull=True)
                | Q(archived_at__isnull=False, archive_reason__isnull=False),
                name="hiring_opportunity_archived_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "archived_at"], name="hiring_opp_stage_idx"),
            models.Index(fields=["posting", "archived_at"], name="hiring_opp_posting_idx"),
            models.Index(fields=["-last_interaction_at"], name="hiring_opp_interaction_idx"),
            # The API's list in its keyset order, and the pipeline's stage list most recently
            # active first: a page is read from the index instead of sorting every visible row.
            models.Index(fields=["-created_at", "id"], name="hiring_opp_created_id_idx"),
            models.Index(
                fields=["stage", "-last_interaction_at", "-id"], name="hiring_opp_stage_recent_idx"
            ),
            # A stage's opportunities on one posting, for the pipeline's per-stage counts.
            models.Index(
                fields=["stage", "posting", "archived_at"], name="hiring_opp_stage_posting_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.posting or 'a general opportunity'}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class StageChange(models.Model):
    """One move of an opportunity between stages (Lever's stageChanges)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    to_stage_index = models.PositiveIntegerField(
        help_text="The stage's place in the pipeline at the time"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage_id} → {self.to_stage_id}"
