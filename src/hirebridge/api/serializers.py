"""Opportunities and what hangs off them in Lever's shape: camelCase names, string ids,
epoch-millisecond times, and ids turned into objects only where `expand` asks for it."""

from collections.abc import Collection
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema
from pydantic import ConfigDict, Field

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


class PhoneOut(Schema):
    type: str
    value: str


class LocationOut(Schema):
    name: str


class ContactOut(Schema):
    id: str
    name: str
    headline: str
    location: LocationOut
    emails: list[str]
    phones: list[PhoneOut]
    isAnonymized: bool


class ArchivedOut(Schema):
    archivedAt: int | None
    reason: str | None


class ApplicationOut(Schema):
    id: str
    opportunityId: str
    candidateId: str
    type: str
    posting: str
    postingOwner: str
    postingHiringManager: str | None
    createdAt: int
    archived: ArchivedOut | None


class StageChangeOut(Schema):
    toStageId: str
    toStageIndex: int
    updatedAt: int
    userId: str | None


class UrlsOut(Schema):
    list: str
    show: str


class OpportunityOut(Schema):
    """Ids or, where `expand` asks for them, the objects they name."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    headline: str
    contact: ContactOut | str
    emails: list[str]
    phones: list[PhoneOut]
    location: str
    links: list[str]
    stage: StageOut | str
    stageChanges: list[StageChangeOut]
    confidentiality: str
    archived: ArchivedOut | None
    tags: list[str]
    sources: list[str]
    origin: str
    owner: UserOut | str | None
    sourcedBy: UserOut | str | None
    followers: list[UserOut | str]
    applications: list[ApplicationOut | str]
    createdAt: int
    updatedAt: int
    lastInteractionAt: int | None
    lastAdvancedAt: int | None
    snoozedUntil: int | None
    isAnonymized: bool
    urls: UrlsOut


class NoteFieldOut(Schema):
    type: str
    text: str
    value: str
    createdAt: int


class NoteOut(Schema):
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


class MessageOut(Schema):
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


class LinkedInOut(Schema):
    connected: bool
    personUrn: str | None
    primary: bool
    connectedAt: int | None


def with_relations(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Everything an opportunity's serialization reads, fetched once per page."""
    return opportunities.select_related(
        "candidate", "stage", "posting", "owner", "created_by", "archive_reason"
    ).prefetch_related(
        "candidate__emails",
        "candidate__phones",
        "candidate__links",
        "tags",
        "sources",
        "followers",
        "stage_changes",
    )


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
        "emails": [row.email for row in candidate.emails.all()],
        "phones": [{"type": row.type, "value": row.value} for row in candidate.phones.all()],
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


def opportunity_data(
    request: HttpRequest, opportunity: Opportunity, expand: Collection[str] = ()
) -> dict[str, Any]:
    candidate = opportunity.candidate
    posting = opportunity.posting
    show = request.build_absolute_uri(reverse("candidate", args=[candidate.pk]))
    return {
        "id": str(opportunity.pk),
        "name": candidate.name,
        "headline": candidate.headline,
        "contact": _contact(opportunity) if "contact" in expand else str(candidate.pk),
        "emails": [row.email for row in candidate.emails.all()],
        "phones": [{"type": row.type, "value": row.value} for row in candidate.phones.all()],
        "location": candidate.location,
        "links": [row.url for row in candidate.links.all()],
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
            for change in opportunity.stage_changes.all()
        ],
        "confidentiality": (
            "confidential" if posting is not None and posting.confidential else "non-confidential"
        ),
        "archived": _archived(opportunity),
        "tags": [label.text for label in opportunity.tags.all()],
        "sources": [label.text for label in opportunity.sources.all()],
        "origin": opportunity.origin,
        "owner": _user(opportunity.owner, "owner" in expand),
        "sourcedBy": _user(opportunity.created_by, "sourcedBy" in expand),
        "followers": [_user(user, "followers" in expand) for user in opportunity.followers.all()],
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
        "urls": {"list": request.build_absolute_uri(reverse("pipeline")), "show": show},
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
