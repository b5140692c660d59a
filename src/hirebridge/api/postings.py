"""/postings: jobs, listed, read, created and updated through the pipeline services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action, can, visible_postings
from hirebridge.api.errors import bad_request, forbidden, invalid, pipeline_refusal
from hirebridge.api.objects import get_visible
from hirebridge.api.pagination import epoch_ms, one, paginate
from hirebridge.api.params import acting_user, epoch_range, many
from hirebridge.api.params import expand as expansions
from hirebridge.api.schemas import PERFORM_AS, One, Page, responses
from hirebridge.api.users import UserOut, user_data
from hirebridge.hiring import services
from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState

router = Router(tags=["postings"])

EXPANDABLE = ("user", "owner", "hiringManager", "followers")
CONFIDENTIALITY = ("non-confidential", "confidential", "all")
DISTRIBUTION = {
    PostingState.PUBLISHED: ["public", "internal"],
    PostingState.INTERNAL: ["internal"],
}
# The pipeline's names for what a request sends under Lever's.
REQUEST_FIELDS = {
    "title": "text",
    "description": "content/description",
    "team": "categories/team",
    "department": "categories/department",
    "location": "categories/location",
    "commitment": "categories/commitment",
    "hiring_manager": "hiringManager",
    "members": "followers",
}


class CategoriesOut(Schema):
    team: str | None
    department: str | None
    location: str | None
    allLocations: list[str]
    commitment: str | None


class ContentOut(Schema):
    description: str
    lists: list[dict[str, Any]]
    closing: str


class PostingUrlsOut(Schema):
    list: str
    show: str


class PostingOut(Schema):
    """Users are ids or, where `expand` asks for them, user objects."""

    model_config = ConfigDict(extra="allow")

    id: str
    text: str
    createdAt: int
    updatedAt: int
    state: str
    distributionChannels: list[str]
    confidentiality: str
    user: UserOut | str | None
    owner: UserOut | str | None
    hiringManager: UserOut | str | None
    followers: list[UserOut | str]
    categories: CategoriesOut
    tags: list[str]
    content: ContentOut
    workplaceType: str
    urls: PostingUrlsOut


def _person(user: User | None, expanded: bool) -> Any:
    if user is None:
        return None
    return user_data(user) if expanded else str(user.id)


def posting_data(
    request: HttpRequest,
    posting: Posting,
    expanded: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    show = request.build_absolute_uri(reverse("posting", args=[posting.pk]))
    return {
        "id": str(posting.id),
        "text": posting.title,
        "createdAt": epoch_ms(posting.created_at),
        "updatedAt": epoch_ms(posting.updated_at),
        "state": posting.state,
        "distributionChannels": DISTRIBUTION.get(PostingState(posting.state), []),
        "confidentiality": "confidential" if posting.confidential else "non-confidential",
        "user": _person(posting.created_by, "user" in expanded),
        "owner": _person(posting.owner, "owner" in expanded),
        "hiringManager": _person(posting.hiring_manager, "hiringManager" in expanded),
        "followers": [_person(m, "followers" in expanded) for m in posting.members.all()],
        "categories": {
            "team": posting.team or None,
            "department": posting.department or None,
            "location": posting.location or None,
            "allLocations": [posting.location] if posting.location else [],
            "commitment": posting.commitment or None,
        },
        "tags": [],
        "content": {"description": posting.description, "lists": [], "closing": ""},
        "workplaceType": "unspecified",
        "urls": {"list": request.build_absolute_uri(reverse("postings")), "show": show},
    }


def _confidentiality(request: HttpRequest, postings: QuerySet[Posting]) -> QuerySet[Posting]:
    # Lever leaves confidential postings out of lists unless asked for them.
    wanted = request.GET.get("confidentiality") or "non-confidential"
    if wanted not in CONFIDENTIALITY:
        raise bad_request(
            f"Invalid value at /confidentiality: {wanted!r} is not one of "
            f"{', '.join(CONFIDENTIALITY)}"
        )
    if wanted == "all":
        return postings
    return postings.filter(confidential=wanted == "confidential")


def _any_of(postings: QuerySet[Posting], request: HttpRequest, param: str, field: str):
    values = many(request, param)
    return postings.filter(**{f"{field}__in": values}) if values else postings


@router.get(
    "",
    response=responses(200, Page[PostingOut], 400),
    summary="List postings the key may see (filters repeat and are OR-ed)",
)
def list_postings(
    request: HttpRequest,
    state: list[str] | None = Query(None),
    team: list[str] | None = Query(None),
    department: list[str] | None = Query(None),
    location: list[str] | None = Query(None),
    commitment: list[str] | None = Query(None),
    confidentiality: str | None = None,
    updated_at_start: int | None = None,
    updated_at_end: int | None = None,
    created_at_start: int | None = None,
    created_at_end: int | None = None,
    expand: list[str] | None = Query(None),
    limit: int | None = None,
    offset: str | None = None,
) -> dict[str, Any]:
    expanded = expansions(request, EXPANDABLE)
    postings = _confidentiality(request, visible_postings(request.auth))  # type: ignore[attr-defined]
    for value in many(request, "state"):
        if value not in PostingState.values:
            raise bad_request(
                f"Invalid value at /state: {value!r} is not one of {', '.join(PostingState.values)}"
            )
    for param, field in (
        ("state", "state"),
        ("team", "team"),
        ("department", "department"),
        ("location", "location"),
        ("commitment", "commitment"),
    ):
        postings = _any_of(postings, request, param, field)
    postings = postings.filter(
        **epoch_range(request, "updated_at", "updated_at"),
        **epoch_range(request, "created_at", "created_at"),
    )
    postings = postings.select_related("owner", "hiring_manager", "created_by").prefetch_related(
        "members"
    )
    return paginate(
        request,
        postings,
        order=("-created_at", "id"),
        limit=limit,
        offset=offset,
        serialize=lambda posting: posting_data(request, posting, expanded),
    )


@router.get(
    "/{posting_id}",
    response=responses(200, One[PostingOut], 400, 404),
    summary="Retrieve a posting",
)
def get_posting(
    request: HttpRequest, posting_id: str, expand: list[str] | None = Query(None)
) -> dict[str, Any]:
    expanded = expansions(request, EXPANDABLE)
    posting = get_visible(visible_postings(request.auth), posting_id, "Posting")  # type: ignore[attr-defined]
    return one(posting_data(request, posting, expanded))


class Categories(Schema):
    team: str | None = None
    department: str | None = None
    location: str | None = None
    commitment: str | None = None


class Content(Schema):
    description: str | None = None


class PostingUpdate(Schema):
    """Only the fields sent change."""

    text: str | None = Field(None, min_length=1)
    state: str | None = None
    confidentiality: str | None = None
    owner: str | None = None
    hiringManager: str | None = None
    followers: list[str] | None = None
    categories: Categories | None = None
    content: Content | None = None


class PostingCreate(PostingUpdate):
    text: str = Field(min_length=1)


def _user_at(field: str, user_id: str) -> User:
    try:
        user = User.objects.filter(pk=user_id).first()
    except (ValueError, ValidationError):
        user = None
    if user is None:
        raise invalid(field, f"no user with id {user_id!r}")
    return user


def _may_manage(actor: User) -> None:
    if not can(actor, Action.MANAGE_POSTINGS):
        raise forbidden("This API key's user may not create or edit postings")


@router.post(
    "",
    response=responses(201, One[PostingOut], 400, 403),
    summary="Create a posting (perform_as to act as another user)",
)
def create_posting(
    request: HttpRequest, payload: PostingCreate, perform_as: str | None = PERFORM_AS
) -> Status[dict[str, Any]]:
    actor = acting_user(request, perform_as)
    _may_manage(actor)
    if payload.confidentiality not in (None, "non-confidential", "confidential"):
        raise invalid("confidentiality", "must be non-confidential or confidential")
    categories = payload.categories or Categories()
    try:
        posting = _create(actor, payload, categories)
    except services.PipelineError as error:
        raise pipeline_refusal(error, REQUEST_FIELDS) from None
    return Status(201, one(posting_data(request, posting)))


def _create(actor: User, payload: PostingCreate, categories: Categories) -> Posting:
    return services.create_posting(
        actor,
        title=payload.text,
        owner=_user_at("owner", payload.owner) if payload.owner else actor,
        location=categories.location or "",
        team=categories.team or "",
        department=categories.department or "",
        commitment=categories.commitment or "",
        description=(payload.content.description or "") if payload.content else "",
        state=payload.state or PostingState.DRAFT,
        confidential=payload.confidentiality == "confidential",
        hiring_manager=_user_at("hiringManager", payload.hiringManager)
        if payload.hiringManager
        else None,
        members=[_user_at(f"followers/{i}", f) for i, f in enumerate(payload.followers or [])],
    )


@router.post(
    "/{posting_id}",
    response=responses(200, One[PostingOut], 400, 403, 404),
    summary="Update a posting: only the fields sent change",
)
def update_posting(
    request: HttpRequest,
    posting_id: str,
    payload: PostingUpdate,
    perform_as: str | None = PERFORM_AS,
) -> dict[str, Any]:
    actor = acting_user(request, perform_as)
    posting = get_visible(visible_postings(actor), posting_id, "Posting")
    _may_manage(actor)
    current = "confidential" if posting.confidential else "non-confidential"
    if payload.confidentiality not in (None, current):
        raise invalid("confidentiality", "a posting's confidentiality is fixed at creation")
    try:
        _update(actor, posting, payload)
    except services.PipelineError as error:
        raise pipeline_refusal(error, REQUEST_FIELDS) from None
    posting.refresh_from_db()
    return one(posting_data(request, posting))


def _update(actor: User, posting: Posting, payload: PostingUpdate) -> None:
    categories = payload.categories or Categories()
    with transaction.atomic():
        services.update_posting(
            actor,
            posting,
            title=payload.text,
            location=categories.location,
            team=categories.team,
            department=categories.department,
            commitment=categories.commitment,
            description=payload.content.description if payload.content else None,
        )
        fields = payload.model_fields_set
        services.set_hiring_team(
            actor,
            posting,
            owner=_user_at("owner", payload.owner) if payload.owner else None,
            hiring_manager=(
                _user_at("hiringManager", payload.hiringManager) if payload.hiringManager else None
            )
            if "hiringManager" in fields
            else ...,
            members=None
            if payload.followers is None
            else [_user_at(f"followers/{i}", f) for i, f in enumerate(payload.followers)],
        )
        if payload.state is not None:
            services.set_posting_state(actor, posting, payload.state)
