"""/opportunities/{id}/notes: notes on an opportunity and on its person, newest first.

Lever's notes cannot be edited through its API, only read and added; the same holds here.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from hirebridge.api import params
from hirebridge.api.errors import pipeline_refusal
from hirebridge.api.opportunities import changeable_opportunity, records_of, visible_opportunity
from hirebridge.api.pagination import one, paginate
from hirebridge.api.schemas import PERFORM_AS, One, Page, responses
from hirebridge.api.serializers import NoteOut, note_data
from hirebridge.hiring import services
from hirebridge.hiring.models import Note

router = Router(tags=["notes"])


class NoteIn(Schema):
    value: str = Field(min_length=1)


@router.get(
    "/{opportunity_id}/notes",
    response=responses(200, Page[NoteOut], 400, 404),
    summary="List the notes of an opportunity",
)
def list_notes(
    request: HttpRequest, opportunity_id: str, limit: int | None = None, offset: str | None = None
) -> dict[str, Any]:
    opportunity = visible_opportunity(request.auth, opportunity_id)  # type: ignore[attr-defined]
    return paginate(
        request,
        Note.objects.filter(records_of(opportunity)).select_related("author"),
        order=("-created_at", "id"),
        limit=limit,
        offset=offset,
        serialize=note_data,
    )


@router.post(
    "/{opportunity_id}/notes",
    response=responses(201, One[NoteOut], 400, 403, 404),
    summary="Add a note to an opportunity",
)
def add_note(
    request: HttpRequest,
    opportunity_id: str,
    payload: NoteIn,
    perform_as: str | None = PERFORM_AS,
) -> Status[dict[str, Any]]:
    actor = params.acting_user(request, perform_as)
    opportunity = changeable_opportunity(actor, opportunity_id)
    try:
        note, _ = services.add_note(
            actor, opportunity.candidate, payload.value, opportunity=opportunity
        )
    except services.PipelineError as error:  # the service calls the text `body`
        raise pipeline_refusal(error, {"body": "value"}) from None
    return Status(201, one(note_data(note)))
