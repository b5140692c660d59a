"""The suppression list: who must not be imported again, kept as keyed hashes only.

A row names no one: it holds HMAC-SHA256 digests of the erased person's LinkedIn person URN,
email addresses and LinkedIn profile URL, so the list can answer "is this the person?" for a
value it is shown, but cannot be read back as a list of people. Lifting a suppression therefore
needs one of those values typed in again.
"""

from django.db import models
from django.utils import timezone

from hirebridge.audit.models import AuditEvent


class Suppression(models.Model):
    """One erased person whose LinkedIn data must not come back."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    audit_event = models.ForeignKey(
        AuditEvent,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The erasure that asked for it (who, when, which candidate id)",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"suppression {self.pk} of {self.created_at:%Y-%m-%d}"


class IdentifierKind(models.TextChoices):
    PERSON_URN = "person_urn", "LinkedIn person URN"
    EMAIL = "email", "Email address"
    PROFILE_URL = "profile_url", "LinkedIn profile URL"


class SuppressedIdentifier(models.Model):
    """One keyed hash of one value that identified the person."""

    suppression = models.ForeignKey(
        Suppression, on_delete=models.CASCADE, related_name="identifiers"
    )
    kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    digest = models.CharField(max_length=64, help_text="HMAC-SHA256 of the normalised value, hex")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["digest"], name="privacy_identifier_digest_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}…"
