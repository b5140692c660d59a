"""/sources: where opportunities came from."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from hirebridge.api.labels import LabelOut, label_list
from hirebridge.api.schemas import Page, responses
from hirebridge.hiring.models import Source

router = Router(tags=["sources"])


@router.get(
    "",
    response=responses(200, Page[LabelOut], 400),
    summary="List sources with the number of visible opportunities carrying each",
)
def list_sources(
    request: HttpRequest, limit: int | None = None, offset: str | None = None
) -> dict[str, Any]:
    return label_list(request, Source, limit=limit, offset=offset)
