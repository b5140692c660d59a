from django.db import models


class Label(models.Model):
    """Free text that is created on first use (Lever's tags and sources are case-sensitive)."""

    text = models.CharField(max_length=100, unique=True)

    class Meta:
        abstract = True
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text


class Tag(Label):
    pass


class Source(Label):
    """Where a candidate came from, e.g. "LinkedIn Recruiter", "Referral", "Added manually"."""
