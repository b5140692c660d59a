"""/stages: the one pipeline every posting shares, in order."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from hirebridge.api.objects import get_visible
from hirebridge.api.pagination import one
from hirebridge.api.schemas import One, Page, responses
from hirebridge.hiring.models import Stage

router = Router(tags=["stages"])


class StageOut(Schema):
    id: str
    text: str


def stage_data(stage: Stage) -> dict[str, Any]:
    return {"id": stage.id, "text": stage.text}


@router.get(
    "",
    response=responses(200, Page[StageOut]),
    summary="List the active pipeline stages in pipeline order",
)
def list_stages(request: HttpRequest) -> dict[str, Any]:
    return {"data": [stage_data(s) for s in Stage.objects.active()], "hasNext": False}


@router.get(
    "/{stage_id}",
    response=responses(200, One[StageOut], 404),
    summary="Retrieve a stage (also a deactivated one)",
)
def get_stage(request: HttpRequest, stage_id: str) -> dict[str, Any]:
    return one(stage_data(get_visible(Stage.objects.all(), stage_id, "Stage")))
