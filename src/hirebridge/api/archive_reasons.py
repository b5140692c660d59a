"""/archive_reasons: why opportunities leave the pipeline, hired or not."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from hirebridge.api.errors import bad_request
from hirebridge.api.objects import get_visible
from hirebridge.api.pagination import one
from hirebridge.api.schemas import One, Page, responses
from hirebridge.hiring.models import ArchiveReason
from hirebridge.hiring.models.opportunities import ArchiveReasonType

router = Router(tags=["archive reasons"])


class ArchiveReasonOut(Schema):
    id: str
    text: str
    status: str
    type: str


def archive_reason_data(reason: ArchiveReason) -> dict[str, Any]:
    return {
        "id": str(reason.id),
        "text": reason.text,
        "status": "active" if reason.active else "inactive",
        "type": reason.type,
    }


@router.get(
    "",
    response=responses(200, Page[ArchiveReasonOut], 400),
    summary="List archive reasons, optionally of one type (hired or non-hired)",
)
def list_archive_reasons(request: HttpRequest, type: str | None = None) -> dict[str, Any]:
    reasons = ArchiveReason.objects.all()
    if type:
        if type not in ArchiveReasonType.values:
            raise bad_request(
                f"Invalid value at /type: {type!r} is not one of "
                f"{', '.join(ArchiveReasonType.values)}"
            )
        reasons = reasons.filter(type=type)
    return {"data": [archive_reason_data(r) for r in reasons], "hasNext": False}


@router.get(
    "/{reason_id}",
    response=responses(200, One[ArchiveReasonOut], 404),
    summary="Retrieve an archive reason",
)
def get_archive_reason(request: HttpRequest, reason_id: str) -> dict[str, Any]:
    reason = get_visible(ArchiveReason.objects.all(), reason_id, "Archive reason")
    return one(archive_reason_data(reason))
