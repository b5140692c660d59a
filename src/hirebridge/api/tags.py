"""/tags: the free-text tags on opportunities."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from hirebridge.api.labels import LabelOut, label_list
from hirebridge.api.schemas import Page, responses
from hirebridge.hiring.models import Tag

router = Router(tags=["tags"])


@router.get(
    "",
    response=responses(200, Page[LabelOut], 400),
    summary="List tags with the number of visible opportunities carrying each",
)
def list_tags(
    request: HttpRequest, limit: int | None = None, offset: str | None = None
) -> dict[str, Any]:
    return label_list(request, Tag, limit=limit, offset=offset)
