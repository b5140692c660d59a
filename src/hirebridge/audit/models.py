"""The security audit log: who did what to which object, when, from where, under which request.

Rows carry ids and action names, never personal data (no names, emails or message text), so the
log can be kept longer than the data it describes and survives erasure of a candidate. Rows are
only ever added: saving an existing row or deleting through the model refuses.
"""

from django.db import models


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self):  # type: ignore[override]
        raise PermissionError("The audit log is append-only.")

    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    class ActorKind(models.TextChoices):
        USER = "user", "User"
        API_KEY = "api_key", "API key"
        LINKEDIN = "linkedin", "LinkedIn"
        SYSTEM = "system", "System"
        ANONYMOUS = "anonymous", "Anonymous"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    # The id as text, not a foreign key: the row outlives the account or key it names.
    actor_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Non-personal facts only: field names, roles, counts, statuses.
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
