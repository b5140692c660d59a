from django.contrib import admin

from hirebridge.search.models import SearchDocument


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    """What each candidate is found by, to check the index; written only by `search.index`
    (deleted with its candidate, which the admin's delete of a candidate must be allowed to do)."""

    list_display = ("name", "company", "title", "location")
    readonly_fields = ("candidate",)
    show_full_result_count = False  # a million documents: no second COUNT per page

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
