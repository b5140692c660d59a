import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from hirebridge.hiring.models.labels import Source, Tag


class Origin(models.TextChoices):
    """How a person or an opportunity entered the ATS (Lever's fixed list)."""

    SOURCED = "sourced", "Sourced"
    APPLIED = "applied", "Applied"
    REFERRED = "referred", "Referred"
    AGENCY = "agency", "Agency"
    INTERNAL = "internal", "Internal"
    UNIVERSITY = "university", "University"


class Candidate(models.Model):
    """One real person (Lever's contact), with everything known about them across opportunities."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    headline = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=200, blank=True)
    current_company = models.CharField(max_length=200, blank=True)
    current_title = models.CharField(max_length=200, blank=True)
    origin = models.CharField(
        max_length=16,
        choices=Origin.choices,
        default=Origin.SOURCED,
        help_text="How the person first entered the ATS",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="candidates")
    sources = models.ManyToManyField(
        Source, blank=True, related_name="candidates", help_text="Every source that brought them"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # GDPR Art. 14: data obtained not from the person (LinkedIn) obliges telling them within a
    # month of receiving it. Empty when nothing came from elsewhere.
    privacy_notice_due_by = models.DateField(
        null=True, blank=True, help_text="One month after data about them first came from LinkedIn"
    )
    privacy_notice_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"], name="hiring_candidate_name_idx"),
            models.Index(fields=["-created_at"], name="hiring_candidate_created_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def privacy_notice_overdue(self) -> bool:
        """Owed a notice whose due date has passed."""
        due = self.privacy_notice_due_by
        if self.privacy_notice_sent_at is not None or due is None:
            return False
        return due < timezone.localdate()

    @property
    def linkedin_url(self) -> str | None:
        return next((link.url for link in self.links.all() if link.is_linkedin_profile), None)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def link_identity(url: str) -> str:
    """A URL without scheme, `www.`, trailing slash or case: one profile, however written."""
    bare = url.strip().lower().split("://", 1)[-1].removeprefix("www.")
    return bare.rstrip("/")


def is_linkedin_profile(url: str) -> bool:
    return "linkedin.com/in/" in url.lower()


class CandidateEmail(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(max_length=254, db_index=True, help_text="Stored lower-cased")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "email"], name="hiring_candidateemail_unique_per_candidate"
            )
        ]

    def __str__(self) -> str:
        return self.email


class PhoneType(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    WORK = "work", "Work"
    HOME = "home", "Home"
    SKYPE = "skype", "Skype"
    OTHER = "other", "Other"


class CandidatePhone(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="phones")
    type = models.CharField(max_length=16, choices=PhoneType.choices, default=PhoneType.OTHER)
    value = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [
            # Duplicate hints look a number up by its common spellings (hiring.duplicates).
            models.Index(fields=["value"], name="hiring_phone_value_idx"),
        ]

    def __str__(self) -> str:
        return self.value


class CandidateLink(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=500, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "url"], name="hiring_candidatelink_unique_per_candidate"
            )
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_linkedin_profile(self) -> bool:
        return is_linkedin_profile(self.url)
