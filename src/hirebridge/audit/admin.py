from django.contrib import admin

from hirebridge.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, so nobody edits or removes a row, Super Admins included."""

    list_display = ("at", "action", "actor_kind", "actor_id", "object_type", "object_id", "ip")
    list_filter = ("action", "actor_kind")
    search_fields = ("action", "object_id", "request_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
