"""/webhooks: Lever's Webhooks Subscription API, for Super Admins only (as in Lever).

Each hook has its own signature token, returned in `configuration.signatureToken`. Hooks made
here are changed only here; those made on the settings page only there.
"""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action, can
from hirebridge.api.errors import ApiError, bad_request, forbidden
from hirebridge.api.objects import get_visible
from hirebridge.api.pagination import epoch_ms, one, paginate
from hirebridge.api.schemas import One, Page, responses
from hirebridge.webhooks import subscriptions
from hirebridge.webhooks.models import CreatedVia, Webhook

router = Router(tags=["webhooks"])


class Conditions(Schema):
    origins: list[str] | None = None


class Configuration(Schema):
    conditions: Conditions | None = None


class WebhookWrite(Schema):
    url: str | None = None
    event: str | None = None
    configuration: Configuration | None = None


class ConfigurationOut(Schema):
    conditions: Conditions
    signatureToken: str


class WebhookOut(Schema):
    id: str
    event: str
    url: str
    configuration: ConfigurationOut
    createdVia: str
    createdAt: int


def webhook_data(hook: Webhook) -> dict[str, Any]:
    return {
        "id": str(hook.pk),
        "event": hook.event,
        "url": hook.url,
        "configuration": {
            "conditions": {"origins": hook.origins},
            "signatureToken": hook.signature_token,
        },
        "createdVia": hook.created_via,
        "createdAt": epoch_ms(hook.created_at),
    }


def _super_admin(request: HttpRequest) -> User:
    user = cast(User, request.auth)  # type: ignore[attr-defined]
    if not can(user, Action.MANAGE_INTEGRATIONS):
        raise forbidden("Only a Super Admin's API key may manage webhooks")
    return user


def _origins(payload: WebhookWrite) -> list[str] | None:
    """The origins sent, or None when the request says nothing about them."""
    if payload.configuration is None or payload.configuration.conditions is None:
        return None
    return payload.configuration.conditions.origins or []


def _refused(error: subscriptions.WebhookError) -> ApiError:
    if error.status == 403:
        return forbidden(error.message)
    path = {"origins": "configuration/conditions/origins"}.get(error.field or "", error.field)
    return bad_request(f"{error.message} at /{path}" if path else error.message)


@router.get("", response=responses(200, Page[WebhookOut], 400, 403), summary="List the webhooks")
def list_webhooks(
    request: HttpRequest, limit: int | None = None, offset: str | None = None
) -> dict[str, Any]:
    _super_admin(request)
    return paginate(
        request,
        Webhook.objects.all(),
        order=("created_at", "id"),
        limit=limit,
        offset=offset,
        serialize=webhook_data,
    )


@router.post(
    "", response=responses(201, One[WebhookOut], 400, 403), summary="Create a webhook for one event"
)
def create_webhook(request: HttpRequest, payload: WebhookWrite) -> Status:
    user = _super_admin(request)
    if not payload.url:
        raise bad_request("Invalid value at /url: required")
    if not payload.event:
        raise bad_request("Invalid value at /event: required")
    try:
        hook = subscriptions.create(
            user,
            event=payload.event,
            url=payload.url,
            origins=_origins(payload) or [],
            via=CreatedVia.API,
        )
    except subscriptions.WebhookError as error:
        raise _refused(error) from None
    return Status(201, one(webhook_data(hook)))


@router.put(
    "/{webhook_id}",
    response=responses(200, One[WebhookOut], 400, 403, 404),
    summary="Change a webhook created through the API",
)
def update_webhook(request: HttpRequest, webhook_id: str, payload: WebhookWrite) -> dict[str, Any]:
    _super_admin(request)
    hook = get_visible(Webhook.objects.all(), webhook_id, "Webhook")
    origins = _origins(payload)
    try:
        subscriptions.update(
            hook,
            via=CreatedVia.API,
            event=payload.event,
            url=payload.url,
            origins=... if origins is None else origins,
        )
    except subscriptions.WebhookError as error:
        raise _refused(error) from None
    return one(webhook_data(hook))


@router.delete("/{webhook_id}", response=responses(204, None, 403, 404), summary="Delete a webhook")
def delete_webhook(request: HttpRequest, webhook_id: str) -> HttpResponse:
    _super_admin(request)
    hook = get_visible(Webhook.objects.all(), webhook_id, "Webhook")
    try:
        subscriptions.delete(hook, via=CreatedVia.API)
    except subscriptions.WebhookError as error:
        raise _refused(error) from None
    return HttpResponse(status=204)
