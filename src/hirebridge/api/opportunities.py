"""/opportunities: candidacies as Lever serves them, read and changed through the pipeline
services, so the API obeys exactly the rules (and writes exactly the records) the UI does.

A key sees and changes what its user (or the `perform_as` user) may in the UI: an
opportunity they may not see is answered 404, one they may see but not change 403.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action
from hirebridge.api import params
from hirebridge.api.errors import bad_request, forbidden
from hirebridge.api.objects import get_visible
from hirebridge.api.pagination import one, paginate
from hirebridge.api.schemas import PERFORM_AS, One, Page, responses
from hirebridge.api.serializers import (
    OPPORTUNITY_EXPANDS,
    LinkedInOut,
    MessageOut,
    OpportunityOut,
    UiLinks,
    linkedin_data,
    message_data,
    opportunity_data,
    with_relations,
)
from hirebridge.hiring import services
from hirebridge.hiring.models import (
    ArchiveReason,
    Candidate,
    CandidateEmail,
    Message,
    Opportunity,
    Posting,
)
from hirebridge.hiring.models.candidates import Origin, PhoneType, normalize_email
from hirebridge.hiring.models.stages import LEAD_NEW
from hirebridge.linkedin.models import ProfileConnection

router = Router(tags=["opportunities"])


class PhoneIn(Schema):
    type: str = PhoneType.OTHER
    value: str


class OpportunityIn(Schema):
    name: str = Field(min_length=1)
    headline: str = ""
    location: str = ""
    emails: list[str] = []
    phones: list[PhoneIn] = []
    links: list[str] = []
    tags: list[str] = []
    sources: list[str] = []
    origin: str = Origin.SOURCED
    owner: str | None = None
    postings: list[str] = []
    stage: str = LEAD_NEW


class StageIn(Schema):
    stage: str


class ArchivedIn(Schema):
    reason: str | None


class TagsIn(Schema):
    tags: list[str]


class SourcesIn(Schema):
    sources: list[str]


# What every change to one opportunity answers: the opportunity as it is afterwards.
CHANGED = responses(200, One[OpportunityOut], 400, 403, 404)


def visible_opportunity(user: User, opportunity_id: str) -> Opportunity:
    opportunities = with_relations(policy.visible_opportunities(user))
    found: Opportunity = get_visible(opportunities, opportunity_id, "Opportunity")
    return found


def changeable_opportunity(user: User, opportunity_id: str) -> Opportunity:
    """The opportunity `user` may change; 404 when they may not see it, 403 when they may
    see but not change it."""
    opportunity = visible_opportunity(user, opportunity_id)
    if not policy.can(user, Action.CHANGE_OPPORTUNITY, opportunity):
        raise forbidden(f"This needs the {Action.CHANGE_OPPORTUNITY} permission")
    return opportunity


def records_of(opportunity: Opportunity) -> Q:
    """Notes and messages shown with an opportunity: its own and its person's general ones
    (those filed under another opportunity belong there)."""
    return Q(candidate_id=opportunity.candidate_id) & (
        Q(opportunity__isnull=True) | Q(opportunity=opportunity)
    )


def _expand(request: HttpRequest) -> set[str]:
    """What to expand in the reply, checked before any write so a bad value changes nothing."""
    return params.expand(request, OPPORTUNITY_EXPANDS)


def _reply(request: HttpRequest, opportunity: Opportunity, expand: set[str]) -> dict[str, Any]:
    """The opportunity as it is now, re-read so the reply shows what the write did."""
    fresh = with_relations(Opportunity.objects.all()).get(pk=opportunity.pk)
    return one(opportunity_data(UiLinks(request), fresh, expand))


def _ids(request: HttpRequest, name: str) -> list[uuid.UUID]:
    ids = []
    for value in params.many(request, name):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            raise bad_request(f"Invalid value at /{name}: {value!r} is not an id") from None
    return ids


def _filtered(request: HttpRequest, opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Lever's list filters: a repeated parameter matches any of its values, and every
    parameter given must match."""
    # Exists rather than joins: a join through a many-to-many table would repeat rows.
    if tags := params.many(request, "tag"):
        tagged = Opportunity.tags.through.objects.filter(
            opportunity=OuterRef("pk"), tag__text__in=tags
        )
        opportunities = opportunities.filter(Exists(tagged))
    if sources := params.many(request, "source"):
        sourced = Opportunity.sources.through.objects.filter(
            opportunity=OuterRef("pk"), source__text__in=sources
        )
        opportunities = opportunities.filter(Exists(sourced))
    if emails := [normalize_email(e) for e in params.many(request, "email")]:
        addressed = CandidateEmail.objects.filter(candidate=OuterRef("candidate"), email__in=emails)
        opportunities = opportunities.filter(Exists(addressed))
    if origins := params.many(request, "origin"):
        for origin in origins:
            if origin not in Origin.values:
                raise bad_request(
                    f"Invalid value at /origin: {origin!r} is not one of {', '.join(Origin.values)}"
                )
        opportunities = opportunities.filter(origin__in=origins)
    if stages := params.many(request, "stage_id"):
        opportunities = opportunities.filter(stage_id__in=stages)
    if postings := _ids(request, "posting_id"):
        opportunities = opportunities.filter(posting_id__in=postings)
    if reasons := _ids(request, "archive_reason_id"):
        opportunities = opportunities.filter(archive_reason_id__in=reasons)
    if contacts := _ids(request, "contact_id"):
        opportunities = opportunities.filter(candidate_id__in=contacts)
    archived = params.flag(request, "archived")
    if archived is not None:
        opportunities = opportunities.filter(archived_at__isnull=not archived)
    return opportunities.filter(
        **params.epoch_range(request, "created_at", "created_at"),
        **params.epoch_range(request, "updated_at", "updated_at"),
    )


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


REPEATED = {"type": "array", "items": {"type": "string"}}
EPOCH_MS = {"type": "integer"}
LIST_FILTERS = [
    *(
        _query(name, REPEATED, "Repeat to match any of several values")
        for name in ("tag", "email", "origin", "source", "stage_id", "posting_id")
    ),
    *(
        _query(name, REPEATED, "Ids; repeat to match any")
        for name in ("archive_reason_id", "contact_id")
    ),
    _query("archived", {"type": "boolean"}, "Only archived (true) or active (false) ones"),
    *(
        _query(f"{name}_{end}", EPOCH_MS, "Epoch milliseconds, inclusive")
        for name in ("created_at", "updated_at")
        for end in ("start", "end")
    ),
    _query("expand", REPEATED, f"Any of {', '.join(OPPORTUNITY_EXPANDS)}"),
]


@router.get(
    "",
    response=responses(200, Page[OpportunityOut], 400, 403),
    summary="List opportunities",
    openapi_extra={"parameters": LIST_FILTERS},
)
def list_opportunities(
    request: HttpRequest, limit: int | None = None, offset: str | None = None
) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    if not policy.can(user, Action.VIEW_CANDIDATES):
        raise forbidden(f"This needs the {Action.VIEW_CANDIDATES} permission")
    expand = _expand(request)
    opportunities = _filtered(request, with_relations(policy.visible_opportunities(user)))
    links = UiLinks(request)
    return paginate(
        request,
        opportunities,
        order=("-created_at", "id"),
        limit=limit,
        offset=offset,
        serialize=lambda row: opportunity_data(links, row, expand),
    )


@router.get(
    "/{opportunity_id}",
    response=responses(200, One[OpportunityOut], 400, 404),
    summary="Retrieve an opportunity",
)
def get_opportunity(request: HttpRequest, opportunity_id: str) -> dict[str, Any]:
    expand = _expand(request)
    opportunity = visible_opportunity(request.auth, opportunity_id)  # type: ignore[attr-defined]
    return _reply(request, opportunity, expand)


def _posting(user: User, ids: list[str]) -> Posting | None:
    if len(ids) > 1:
        raise bad_request("Invalid value at /postings: an opportunity holds at most one posting")
    if not ids:
        return None
    try:
        posting = policy.visible_postings(user).filter(pk=uuid.UUID(ids[0])).first()
    except ValueError:
        posting = None
    if posting is None:
        raise bad_request(f"Invalid value at /postings/0: no posting with id {ids[0]!r}")
    return posting


def _owner(user_id: str | None) -> User | None:
    if user_id is None:
        return None
    try:
        owner = User.objects.filter(pk=uuid.UUID(user_id)).first()
    except ValueError:
        owner = None
    if owner is None or not owner.is_active:
        raise bad_request(f"Invalid value at /owner: no active user with id {user_id!r}")
    return owner


def _same_person(emails: list[str]) -> Candidate | None:
    """The person who already has one of these emails (the earliest, if several do)."""
    addresses = [normalize_email(email) for email in emails]
    match = (
        CandidateEmail.objects.filter(email__in=addresses)
        .select_related("candidate")
        .order_by("candidate__created_at", "candidate_id")
        .first()
    )
    return None if match is None else match.candidate


@router.post(
    "",
    response=responses(201, One[OpportunityOut], 400, 403, 409),
    summary="Create an opportunity; a known email adds it to that person instead of a new one",
)
def create_opportunity(
    request: HttpRequest, payload: OpportunityIn, perform_as: str | None = PERFORM_AS
) -> Status[dict[str, Any]]:
    expand = _expand(request)
    actor = params.acting_user(request, perform_as)
    if not policy.can(actor, Action.ADD_CANDIDATE):
        raise forbidden(f"This needs the {Action.ADD_CANDIDATE} permission")
    if not payload.name.strip():
        raise bad_request("Invalid value at /name: cannot be empty")
    posting = _posting(actor, payload.postings)
    owner = _owner(payload.owner)
    phones = [services.Phone(phone.value, phone.type) for phone in payload.phones]
    with transaction.atomic():
        person = _same_person(payload.emails)
        if person is None:
            opportunity = services.create_candidate(
                actor,
                name=payload.name,
                headline=payload.headline,
                location=payload.location,
                emails=payload.emails,
                phones=phones,
                links=payload.links,
                tags=payload.tags,
                sources=payload.sources,
                origin=payload.origin,
                posting=posting,
                stage_id=payload.stage,
                owner=owner,
            )
        else:
            # Lever: the known person's details win; only what they lack is added.
            services.add_contact_details(
                actor, person, emails=payload.emails, phones=phones, links=payload.links
            )
            opportunity = services.add_opportunity(
                actor,
                person,
                posting=posting,
                stage_id=payload.stage,
                origin=payload.origin,
                sources=payload.sources,
                tags=payload.tags,
                owner=owner,
            )
    return Status(201, _reply(request, opportunity, expand))


def _change(
    request: HttpRequest,
    opportunity_id: str,
    perform_as: str | None,
    change: Callable[..., object],
    *args: object,
) -> dict[str, Any]:
    """What every write on one opportunity does: check `expand` before writing anything, act as
    the acting user on an opportunity they may change, answer with the opportunity as it is now."""
    expand = _expand(request)
    actor = params.acting_user(request, perform_as)
    opportunity = changeable_opportunity(actor, opportunity_id)
    change(actor, opportunity, *args)
    return _reply(request, opportunity, expand)


@router.put(
    "/{opportunity_id}/stage",
    response=CHANGED,
    summary="Move an opportunity to a stage",
)
def change_stage(
    request: HttpRequest,
    opportunity_id: str,
    payload: StageIn,
    perform_as: str | None = PERFORM_AS,
) -> dict[str, Any]:
    return _change(
        request,
        opportunity_id,
        perform_as,
        services.move_to_stage,
        payload.stage,
    )


def _archive_reason(reason_id: str) -> ArchiveReason:
    try:
        reason = ArchiveReason.objects.filter(pk=uuid.UUID(reason_id)).first()
    except ValueError:
        reason = None
    if reason is None:
        raise bad_request(f"Invalid value at /reason: no archive reason with id {reason_id!r}")
    return reason


@router.put(
    "/{opportunity_id}/archived",
    response=CHANGED,
    summary="Archive an opportunity with a reason, or unarchive it with reason null",
)
def change_archived(
    request: HttpRequest,
    opportunity_id: str,
    payload: ArchivedIn,
    perform_as: str | None = PERFORM_AS,
) -> dict[str, Any]:

    def archive_or_unarchive(actor: User, opportunity: Opportunity) -> None:
        if payload.reason is None:
            services.unarchive(actor, opportunity)
        else:
            services.archive(actor, opportunity, _archive_reason(payload.reason))

    return _change(request, opportunity_id, perform_as, archive_or_unarchive)


@router.post(
    "/{opportunity_id}/addTags",
    response=CHANGED,
    summary="Add tags to an opportunity",
)
def add_tags(
    request: HttpRequest,
    opportunity_id: str,
    payload: TagsIn,
    perform_as: str | None = PERFORM_AS,
) -> dict[str, Any]:
    return _change(
        request,
        opportunity_id,
        perform_as,
        services.add_tags,
        payload.tags,
    )


@router.post(
    "/{opportunity_id}/removeTags",
    response=CHANGED,
    summary="Remove tags from an opportunity",
)
def remove_tags(
    request: HttpRequest,
    opportunity_id: str,
    payload: TagsIn,
    perform_as: str | None = PERFORM_AS,
) -> dict[str, Any]:
    return _change(
        request,
        opportunity_id,
        perform_as,
        services.remove_tags,
        payload.tags,
    )


@router.post(
    "/{opportunity_id}/addSources",
    response=CHANGED,
    summary="Add sources to an opportunity",
)
def add_sources(
    request: HttpRequest,
    opportunity_id: str,
    payload: SourcesIn,
    perform_as: str | None = PERFORM_AS,
) -> dict[str, Any]:
    return _change(
        request,
        opportunity_id,
        perform_as,
        services.add_sources,
        payload.sources,
    )


@router.post(
    "/{opportunity_id}/removeSources",
    response=CHANGED,
    summary="Remove sources from an opportunity",
)
def remove_sources(
    request: HttpRequest,
    opportunity_id: str,
    payload: SourcesIn,
    perform_as: str | None = PERFORM_AS,
) -> dict[str, Any]:
    return _change(
        request,
        opportunity_id,
        perform_as,
        services.remove_sources,
        payload.sources,
    )


@router.get(
    "/{opportunity_id}/messages",
    response=responses(200, Page[MessageOut], 400, 404),
    by_alias=True,
    summary="List the emails and InMails of the opportunity and of its person (hirebridge's own)",
)
def list_messages(
    request: HttpRequest, opportunity_id: str, limit: int | None = None, offset: str | None = None
) -> dict[str, Any]:
    opportunity = visible_opportunity(request.auth, opportunity_id)  # type: ignore[attr-defined]
    return paginate(
        request,
        Message.objects.filter(records_of(opportunity)),
        order=("-sent_at", "id"),
        limit=limit,
        offset=offset,
        serialize=message_data,
    )


@router.get(
    "/{opportunity_id}/linkedin",
    response=responses(200, One[LinkedInOut], 404),
    summary="Whether the opportunity's person is connected to a LinkedIn member (hirebridge's own)",
)
def get_linkedin(request: HttpRequest, opportunity_id: str) -> dict[str, Any]:
    opportunity = visible_opportunity(request.auth, opportunity_id)  # type: ignore[attr-defined]
    connection = ProfileConnection.objects.filter(candidate_id=opportunity.candidate_id).first()
    return one(linkedin_data(connection))
