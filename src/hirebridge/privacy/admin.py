from django.contrib import admin

from hirebridge.privacy.models import SuppressedIdentifier, Suppression


class IdentifierInline(admin.TabularInline):
    model = SuppressedIdentifier
    extra = 0
    readonly_fields = ("kind", "digest")
    can_delete = False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Read-only: a suppression is added by an erasure and lifted on Settings → Privacy, where
    the person's identifier must be typed in again; the digests here name no one."""

    list_display = ("id", "created_at", "audit_event")
    inlines = (IdentifierInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
