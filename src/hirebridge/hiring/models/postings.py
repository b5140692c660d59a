import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class PostingState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    INTERNAL = "internal", "Internal (unlisted)"
    CLOSED = "closed", "Closed"


class Commitment(models.TextChoices):
    FULL_TIME = "Full-time", "Full-time"
    PART_TIME = "Part-time", "Part-time"
    CONTRACT = "Contract", "Contract"
    INTERNSHIP = "Internship", "Internship"
    TEMPORARY = "Temporary", "Temporary"


class Posting(models.Model):
    """A job. Its hiring team (owner, hiring manager, members) decides who sees its candidates."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    team = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=200, blank=True)
    commitment = models.CharField(max_length=32, choices=Commitment.choices, blank=True)
    description = models.TextField(blank=True)
    state = models.CharField(
        max_length=16, choices=PostingState.choices, default=PostingState.DRAFT
    )
    confidential = models.BooleanField(
        default=False, help_text="Fixed at creation: only the hiring team and Super Admins see it."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_postings"
    )
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_postings",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="member_of_postings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_postings",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["state"], name="hiring_posting_state_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def accepts_candidates(self) -> bool:
        # Lever: closed or draft postings cannot be added to an opportunity.
        return self.state in (PostingState.PUBLISHED, PostingState.INTERNAL)
