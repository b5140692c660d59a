from django.contrib import admin

from hirebridge.linkedin import models


class ContractInline(admin.TabularInline):
    model = models.Contract
    extra = 0


class IntegrationStatusInline(admin.TabularInline):
    model = models.IntegrationStatus
    extra = 0
    readonly_fields = ("integration_type", "context_urn", "name", "onboarded", "checked_at")


@admin.register(models.Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """The client secret never shows here: it is stored encrypted, set from the settings page."""

    list_display = ("organization_urn", "client_id", "licence_tier", "token_checked_at")
    fields = ("client_id", "organization_urn", "licence_tier", "token_checked_at", "token_error")
    readonly_fields = ("token_checked_at", "token_error")
    inlines = (ContractInline, IntegrationStatusInline)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(models.Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("urn", "first_name", "last_name", "email", "active", "user", "mapped_by")
    list_filter = ("active", "mapped_by", "contract")
    search_fields = ("urn", "email", "last_name")
    autocomplete_fields = ("user",)


@admin.register(models.InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ("request_id", "type", "status", "attempts", "received_at", "processed_at")
    list_filter = ("status", "type")
    search_fields = ("request_id",)
    readonly_fields = ("integration", "request_id", "type", "payload", "received_at")


class SyncRunInline(admin.TabularInline):
    model = models.SyncRun
    extra = 0
    max_num = 0
    readonly_fields = (
        "window_start_ms",
        "window_end_ms",
        "started_at",
        "finished_at",
        "ok",
        "counts",
        "error",
    )


@admin.register(models.SyncCursor)
class SyncCursorAdmin(admin.ModelAdmin):
    list_display = ("stream", "watermark_ms", "last_success_at", "paused_until", "last_error")
    inlines = (SyncRunInline,)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Sync state the worker owns: inspected here, changed only through the settings page."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.OutboxItem)
class OutboxItemAdmin(ReadOnlyAdmin):
    list_display = ("kind", "entity_id", "status", "attempts", "not_before", "changed_at")
    list_filter = ("status", "kind")
    search_fields = ("entity_id", "last_error")


@admin.register(models.SyncedRecord)
class SyncedRecordAdmin(ReadOnlyAdmin):
    list_display = ("kind", "entity_id", "parent_id", "synced_at")
    list_filter = ("kind",)
    search_fields = ("entity_id",)


@admin.register(models.ClosedProfile)
class ClosedProfileAdmin(ReadOnlyAdmin):
    list_display = ("person_urn", "candidate_name", "closed_at", "decision", "decided_by")
    list_filter = ("decision",)
    search_fields = ("person_urn", "candidate_name")


@admin.register(models.ProfileConnection)
class ProfileConnectionAdmin(ReadOnlyAdmin):
    """Connections change on the candidate page, where LinkedIn is told and duplicates checked."""

    list_display = ("candidate", "person_urn", "primary", "connected_at", "connected_by")
    list_filter = ("primary",)
    search_fields = ("person_urn", "candidate__name")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.HeldActivity)
class HeldActivityAdmin(ReadOnlyAdmin):
    list_display = ("kind", "member_urn", "seat_urn", "occurred_at", "held_at")
    list_filter = ("kind",)
    search_fields = ("member_urn", "linkedin_id")
