"""Looking one object up by the id in a URL, among those the key may see."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from hirebridge.accounts import policy
from hirebridge.api.errors import not_found


def get_visible(queryset: QuerySet[Any], pk: str, what: str) -> Any:
    """The object, or 404 "<What> was not found" — also when it exists but is not visible, so a
    key never learns that an object it may not see exists (the audit log does)."""
    try:
        found = queryset.filter(pk=pk).first()
    except (ValidationError, ValueError):  # not even a well-formed id
        raise not_found(what) from None
    if found is None:
        policy.record_if_hidden(None, queryset.model, pk=pk)
        raise not_found(what)
    return found
