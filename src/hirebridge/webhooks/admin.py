"""Webhooks in the admin site, to look into deliveries; they are managed on their settings page
or through the API, which check the URL, so the admin only reads them or switches one off."""

from django.contrib import admin

from hirebridge.webhooks import models


@admin.register(models.Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("event", "url", "active", "created_via", "created_by", "created_at")
    list_filter = ("event", "active", "created_via")
    fields = ("event", "url", "conditions", "active", "created_via", "created_by", "created_at")
    readonly_fields = ("event", "url", "conditions", "created_via", "created_by", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(models.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "webhook", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event")
    readonly_fields = (
        "webhook",
        "event",
        "body",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    )
    fields = (*readonly_fields[:2], "status", "next_attempt_at", *readonly_fields[2:])

    def has_add_permission(self, request) -> bool:
        return False
