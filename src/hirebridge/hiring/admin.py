from django.contrib import admin

from hirebridge.hiring import models, services
from hirebridge.linkedin import outbox


class TellsLinkedIn(admin.ModelAdmin):
    """Edits made here bypass the pipeline services, so LinkedIn is told here, in the same
    transaction (the admin saves and deletes atomically)."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        outbox.changed_many(services.linkedin_changes(form.instance))

    def delete_model(self, request, obj) -> None:
        changes = services.linkedin_changes(obj)
        super().delete_model(request, obj)
        outbox.changed_many(changes)

    def delete_queryset(self, request, queryset) -> None:
        changes = [change for obj in queryset for change in services.linkedin_changes(obj)]
        super().delete_queryset(request, queryset)
        outbox.changed_many(changes)


class EmailInline(admin.TabularInline):
    model = models.CandidateEmail
    extra = 0


class PhoneInline(admin.TabularInline):
    model = models.CandidatePhone
    extra = 0


class LinkInline(admin.TabularInline):
    model = models.CandidateLink
    extra = 0


@admin.register(models.Candidate)
class CandidateAdmin(TellsLinkedIn):
    list_display = ("name", "current_title", "current_company", "location", "origin", "created_at")
    list_filter = ("origin",)
    search_fields = ("name", "current_company", "emails__email")
    autocomplete_fields = ("tags", "sources")
    inlines = (EmailInline, PhoneInline, LinkInline)
    readonly_fields = ("created_at", "updated_at")

    def delete_model(self, request, obj) -> None:
        """The same erasure as the candidate page's (audit row, LinkedIn told, the member's
        next duplicate promoted), without suppression: that is asked for on the page."""
        services.delete_candidate(request.user, obj)

    def delete_queryset(self, request, queryset) -> None:
        for candidate in queryset:
            services.delete_candidate(request.user, candidate)


@admin.register(models.Posting)
class PostingAdmin(TellsLinkedIn):
    list_display = ("title", "team", "location", "state", "confidential", "owner")
    list_filter = ("state", "confidential", "team")
    search_fields = ("title", "team", "department", "location")
    autocomplete_fields = ("owner", "hiring_manager", "members")
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # A posting's confidentiality is fixed once it exists (as in Lever).
        return (*self.readonly_fields, "confidential") if obj else self.readonly_fields


@admin.register(models.Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("text", "section", "position", "active", "id")
    list_filter = ("section", "active")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Stages are deactivated, never deleted: stage history points at them.
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("id", "section") if obj and obj.is_builtin else ("id",)


class StageChangeInline(admin.TabularInline):
    model = models.StageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "to_stage_index", "changed_by", "changed_at")
    can_delete = False


@admin.register(models.Opportunity)
class OpportunityAdmin(TellsLinkedIn):
    """Read-mostly: stage moves and archiving go through the pipeline services."""

    list_display = ("candidate", "posting", "stage", "origin", "archived_at", "created_at")
    list_filter = ("stage", "origin", "archive_reason")
    search_fields = ("candidate__name", "posting__title")
    list_select_related = ("candidate", "posting", "stage")
    autocomplete_fields = ("owner", "followers", "tags", "sources")
    readonly_fields = (
        "candidate",
        "posting",
        "stage",
        "archive_reason",
        "archived_at",
        "created_by",
        "created_at",
        "updated_at",
        "last_advanced_at",
        "last_interaction_at",
    )
    inlines = (StageChangeInline,)


@admin.register(models.ArchiveReason)
class ArchiveReasonAdmin(admin.ModelAdmin):
    list_display = ("text", "type", "active")
    list_filter = ("type", "active")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Tag, models.Source)
class LabelAdmin(admin.ModelAdmin):
    search_fields = ("text",)


@admin.register(models.Note)
class NoteAdmin(TellsLinkedIn):
    list_display = ("candidate", "source", "author", "external_author", "created_at")
    list_filter = ("source",)
    list_select_related = ("candidate", "author")
    search_fields = ("body", "candidate__name")
    raw_id_fields = ("candidate", "opportunity")


@admin.register(models.Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("candidate", "channel", "direction", "subject", "sender", "sent_at")
    list_filter = ("channel", "direction")
    list_select_related = ("candidate",)
    search_fields = ("subject", "body", "candidate__name")
    raw_id_fields = ("candidate", "opportunity")


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("candidate", "actor_name", "verb", "created_at")
    list_filter = ("verb", "automatic")
    list_select_related = ("candidate", "actor")
    raw_id_fields = ("candidate", "opportunity")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
