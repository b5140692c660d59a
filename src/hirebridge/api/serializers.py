"""Opportunities and what hangs off them in Lever's shape: camelCase names, string ids,
epoch-millisecond times, and ids turned into objects only where `expand` asks for it.

The reply shapes are plain pydantic models, not ninja Schemas: the serializers already build
dicts, and a Schema reads every field of every row through Django's template-variable lookup,
which made checking a page of 100 opportunities cost more than building it.
"""

import uuid
from collections.abc import Collection
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from pydantic import BaseModel, ConfigDict, Field

from hirebridge.accounts.models import User
from hirebridge.api.pagination import epoch_ms
from hirebridge.api.stages import StageOut
from hirebridge.api.users import UserOut, user_data
from hirebridge.hiring.models import Message, Note, Opportunity, Posting
from hirebridge.hiring.models.candidates import Origin
from hirebridge.hiring.models.records import Direction
from hirebridge.linkedin.models import ProfileConnection

OPPORTUNITY_EXPANDS = ("applications", "stage", "owner", "followers", "sourcedBy", "contact")

# Lever's application types: through a job site, added by a user, or referred.
APPLICATION_TYPES = {Origin.APPLIED: "posting", Origin.REFERRED: "referral"}


class PhoneOut(BaseModel):
    type: str
    value: str


class LocationOut(BaseModel):
    name: str


class ContactOut(BaseModel):
    id: str
    name: str
    headline: str
    location: LocationOut
    emails: list[str]
    phones: list[PhoneOut]
    isAnonymized: bool


class ArchivedOut(BaseModel):
    archivedAt: int | None
    reason: str | None


class ApplicationOut(BaseModel):
    id: str
    opportunityId: str
    candidateId: str
    type: str
    posting: str
    postingOwner: str
    postingHiringManager: str | None
    createdAt: int
    archived: ArchivedOut | None


class StageChangeOut(BaseModel):
    toStageId: str
    toStageIndex: int
    updatedAt: int
    userId: str | None


class UrlsOut(BaseModel):
    list: str
    show: str


class OpportunityOut(BaseModel):
    """Ids or, where `expand` asks for them, the objects they name. The id comes first in each
    union: pydantic then takes a plain id at once instead of first trying it as an object."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    headline: str
    contact: str | ContactOut
    emails: list[str]
    phones: list[PhoneOut]
    location: str
    links: list[str]
    stage: str | StageOut
    stageChanges: list[StageChangeOut]
    confidentiality: str
    archived: ArchivedOut | None
    tags: list[str]
    sources: list[str]
    origin: str
    owner: str | UserOut | None
    sourcedBy: str | UserOut | None
    followers: list[str | UserOut]
    applications: list[str | ApplicationOut]
    createdAt: int
    updatedAt: int
    lastInteractionAt: int | None
    lastAdvancedAt: int | None
    snoozedUntil: int | None
    isAnonymized: bool
    urls: UrlsOut


class NoteFieldOut(BaseModel):
    type: str
    text: str
    value: str
    createdAt: int


class NoteOut(BaseModel):
    id: str
    text: str
    fields: list[NoteFieldOut]
    user: str | None
    authorName: str
    source: str
    opportunityId: str | None
    secret: bool
    completedAt: int
    createdAt: int
    updatedAt: int
    deletedAt: int | None


class MessageOut(BaseModel):
    id: str
    channel: str
    direction: str
    sender: str = Field(alias="from")
    to: str
    subject: str
    body: str
    sentAt: int
    threadId: str | None
    opportunityId: str | None


class LinkedInOut(BaseModel):
    connected: bool
    personUrn: str | None
    primary: bool
    connectedAt: int | None


# The lists an opportunity's serialization reads, fetched once per page into plain lists
# (`Prefetch(..., to_attr=...)`): kept as querysets, Django would build one queryset per row and
# relation to hold them, which for a page of 100 cost more than the 7 queries themselves.
LISTED = (
    "candidate__emails",
    "candidate__phones",
    "candidate__links",
    "tags",
    "sources",
    "followers",
    "stage_changes",
)


def _attribute(path: str) -> str:
    return f"listed_{path.rpartition('__')[2]}"


def _listed(obj: Model, relation: str) -> list[Any]:
    """A list `with_relations` fetched, by the relation's name."""
    rows: list[Any] = getattr(obj, _attribute(relation))
    return rows


def with_relations(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Everything an opportunity's serialization reads, fetched once per page."""
    return opportunities.select_related(
        "candidate", "stage", "posting", "owner", "created_by", "archive_reason"
    ).prefetch_related(*(Prefetch(path, to_attr=_attribute(path)) for path in LISTED))


def _id(obj: Any) -> str | None:
    return None if obj is None else str(obj.pk)


def _user(user: User | None, expanded: bool) -> Any:
    if user is None:
        return None
    return user_data(user) if expanded else str(user.pk)


def _contact(opportunity: Opportunity) -> dict[str, Any]:
    candidate = opportunity.candidate
    return {
        "id": str(candidate.pk),
        "name": candidate.name,
        "headline": candidate.headline,
        "location": {"name": candidate.location},
        "emails": [row.email for row in _listed(candidate, "emails")],
        "phones": [{"type": row.type, "value": row.value} for row in _listed(candidate, "phones")],
        "isAnonymized": False,
    }


def _application(opportunity: Opportunity, posting: Posting) -> dict[str, Any]:
    """A hirebridge opportunity holds at most one posting, so its application is the
    opportunity's link to that posting and shares the opportunity's id."""
    return {
        "id": str(opportunity.pk),
        "opportunityId": str(opportunity.pk),
        "candidateId": str(opportunity.pk),
        "type": APPLICATION_TYPES.get(Origin(opportunity.origin), "user"),
        "posting": str(posting.pk),
        "postingOwner": str(posting.owner_id),
        "postingHiringManager": _id(posting.hiring_manager),
        "createdAt": epoch_ms(opportunity.created_at),
        "archived": _archived(opportunity),
    }


def _archived(opportunity: Opportunity) -> dict[str, Any] | None:
    if not opportunity.is_archived:
        return None
    return {
        "archivedAt": epoch_ms(opportunity.archived_at),
        "reason": _id(opportunity.archive_reason),
    }


class UiLinks:
    """Absolute URLs of the UI pages an opportunity links to, resolved once per reply: calling
    reverse() twice per row took about a tenth of the time a page of 100 took to serve."""

    ANY_ID = uuid.UUID(int=0)

    def __init__(self, request: HttpRequest) -> None:
        self.pipeline = request.build_absolute_uri(reverse("pipeline"))
        self._candidate = request.build_absolute_uri(reverse("candidate", args=[self.ANY_ID]))

    def candidate(self, candidate_id: uuid.UUID) -> str:
        return self._candidate.replace(str(self.ANY_ID), str(candidate_id))


def opportunity_data(
    links: UiLinks, opportunity: Opportunity, expand: Collection[str] = ()
) -> dict[str, Any]:
    """`opportunity` as Lever shows it; it must come from a `with_relations` queryset."""
    candidate = opportunity.candidate
    posting = opportunity.posting
    return {
        "id": str(opportunity.pk),
        "name": candidate.name,
        "headline": candidate.headline,
        "contact": _contact(opportunity) if "contact" in expand else str(candidate.pk),
        "emails": [row.email for row in _listed(candidate, "emails")],
        "phones": [{"type": row.type, "value": row.value} for row in _listed(candidate, "phones")],
        "location": candidate.location,
        "links": [row.url for row in _listed(candidate, "links")],
        "stage": (
            {"id": opportunity.stage.pk, "text": opportunity.stage.text}
            if "stage" in expand
            else opportunity.stage.pk
        ),
        "stageChanges": [
            {
                "toStageId": change.to_stage_id,
                "toStageIndex": change.to_stage_index,
                "updatedAt": epoch_ms(change.changed_at),
                "userId": None if change.changed_by_id is None else str(change.changed_by_id),
            }
            for change in _listed(opportunity, "stage_changes")
        ],
        "confidentiality": (
            "confidential" if posting is not None and posting.confidential else "non-confidential"
        ),
        "archived": _archived(opportunity),
        "tags": [label.text for label in _listed(opportunity, "tags")],
        "sources": [label.text for label in _listed(opportunity, "sources")],
        "origin": opportunity.origin,
        "owner": _user(opportunity.owner, "owner" in expand),
        "sourcedBy": _user(opportunity.created_by, "sourcedBy" in expand),
        "followers": [
            _user(user, "followers" in expand) for user in _listed(opportunity, "followers")
        ],
        "applications": (
            []
            if posting is None
            else [
                _application(opportunity, posting)
                if "applications" in expand
                else str(opportunity.pk)
            ]
        ),
        "createdAt": epoch_ms(opportunity.created_at),
        "updatedAt": epoch_ms(opportunity.updated_at),
        "lastInteractionAt": epoch_ms(opportunity.last_interaction_at),
        "lastAdvancedAt": epoch_ms(opportunity.last_advanced_at),
        "snoozedUntil": None,
        "isAnonymized": False,
        "urls": {"list": links.pipeline, "show": links.candidate(candidate.pk)},
    }


def note_data(note: Note) -> dict[str, Any]:
    """Lever keeps a note's text in its one field's `value`; `text` repeats it for clients
    that read the top level."""
    created = epoch_ms(note.created_at)
    return {
        "id": str(note.pk),
        "text": note.body,
        "fields": [{"type": "note", "text": "Note", "value": note.body, "createdAt": created}],
        "user": _id(note.author),
        "authorName": note.author_name,
        "source": note.source,
        "opportunityId": None if note.opportunity_id is None else str(note.opportunity_id),
        "secret": False,
        "completedAt": created,
        "createdAt": created,
        "updatedAt": epoch_ms(note.updated_at),
        "deletedAt": None,
    }


def message_data(message: Message) -> dict[str, Any]:
    return {
        "id": str(message.pk),
        "channel": message.channel,
        "direction": "outbound" if message.direction == Direction.OUTBOUND else "inbound",
        "from": message.sender,
        "to": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "sentAt": epoch_ms(message.sent_at),
        "threadId": message.thread_id or None,
        "opportunityId": None if message.opportunity_id is None else str(message.opportunity_id),
    }


def linkedin_data(connection: ProfileConnection | None) -> dict[str, Any]:
    if connection is None:
        return {"connected": False, "personUrn": None, "primary": False, "connectedAt": None}
    return {
        "connected": True,
        "personUrn": connection.person_urn,
        "primary": connection.primary,
        "connectedAt": epoch_ms(connection.connected_at),
    }
