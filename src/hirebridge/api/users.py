"""/users: the people who work in hirebridge (read only; users are managed in the UI)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.api.errors import bad_request
from hirebridge.api.objects import get_visible
from hirebridge.api.pagination import epoch_ms, one, paginate
from hirebridge.api.params import many
from hirebridge.api.schemas import One, Page, responses

router = Router(tags=["users"])


class UserOut(Schema):
    id: str
    name: str
    username: str
    email: str
    accessRole: str
    photo: str | None
    createdAt: int
    deactivatedAt: int | None
    externalDirectoryId: str | None
    linkedContactIds: list[str]
    jobTitle: str | None
    managerId: str | None


def user_data(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "name": user.name,
        "username": user.email.split("@")[0],
        "email": user.email,
        "accessRole": user.role,
        "photo": None,
        "createdAt": epoch_ms(user.created_at),
        "deactivatedAt": epoch_ms(user.deactivated_at),
        "externalDirectoryId": None,
        "linkedContactIds": [],
        "jobTitle": user.job_title or None,
        "managerId": None,
    }


@router.get(
    "",
    response=responses(200, Page[UserOut], 400),
    summary="List users; deactivated ones only with includeDeactivated=true",
)
def list_users(
    request: HttpRequest,
    email: list[str] | None = Query(None),
    accessRole: list[str] | None = Query(None),
    includeDeactivated: bool = False,
    limit: int | None = None,
    offset: str | None = None,
) -> dict[str, Any]:
    users = User.objects.all()
    if not includeDeactivated:
        users = users.filter(deactivated_at__isnull=True)
    emails = [e.lower() for e in many(request, "email")]
    if emails:
        users = users.filter(email__in=emails)
    roles = many(request, "accessRole")
    for role in roles:
        if role not in Role.values:
            raise bad_request(
                f"Invalid value at /accessRole: {role!r} is not one of {', '.join(Role.values)}"
            )
    if roles:
        users = users.filter(role__in=roles)
    return paginate(
        request,
        users,
        order=("created_at", "id"),
        limit=limit,
        offset=offset,
        serialize=user_data,
    )


@router.get("/{user_id}", response=responses(200, One[UserOut], 404), summary="Retrieve a user")
def get_user(request: HttpRequest, user_id: str) -> dict[str, Any]:
    return one(user_data(get_visible(User.objects.all(), user_id, "User")))
