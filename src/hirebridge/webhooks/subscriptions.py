"""Create, change and remove webhooks: the one place that checks what a hook may be, for the
API and the settings page alike. Callers check that the user may manage integrations."""

from collections.abc import Sequence
from datetime import timedelta
from types import EllipsisType

from django.db import transaction
from django.utils import timezone

from hirebridge import audit
from hirebridge.accounts.models import User
from hirebridge.hiring.models.candidates import Origin
from hirebridge.webhooks import deliver, signing, ssrf
from hirebridge.webhooks.models import CreatedVia, Delivery, Event, Webhook

URL_MAX = Webhook._meta.get_field("url").max_length or 2000


class WebhookError(Exception):
    """A hook refused; `field` names the input at fault, `status` the HTTP answer it deserves."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def _event(value: str) -> Event:
    if value not in Event.values:
        raise WebhookError(
            f"event: {value!r} is not one of {', '.join(Event.values)}", field="event"
        )
    return Event(value)


def _url(value: str) -> str:
    url = value.strip()
    if not url:
        raise WebhookError("url: cannot be empty", field="url")
    if len(url) > URL_MAX:
        raise WebhookError(f"url: at most {URL_MAX} characters", field="url")
    try:
        ssrf.check(url)
    except ssrf.UnsafeTarget as refused:
        raise WebhookError(f"url: {refused}", field="url") from None
    return url


def _conditions(origins: Sequence[str]) -> dict[str, list[str]]:
    unknown = [origin for origin in origins if origin not in Origin.values]
    if unknown:
        raise WebhookError(
            f"origins: {unknown[0]!r} is not one of {', '.join(Origin.values)}", field="origins"
        )
    return {"origins": sorted(set(origins))} if origins else {}


@transaction.atomic
def create(
    user: User, *, event: str, url: str, origins: Sequence[str] = (), via: CreatedVia
) -> Webhook:
    hook = Webhook.objects.create(
        event=_event(event),
        url=_url(url),
        conditions=_conditions(origins),
        created_by=user,
        created_via=via,
    )
    _record("webhook.created", hook, via)
    return hook


def _record(action: str, hook: Webhook, via: CreatedVia, **detail: object) -> None:
    """The URL is left out: a receiver's URL may carry its own token."""
    audit.record(action, target=hook, detail={"event": hook.event, "via": via, **detail})


def _owned(hook: Webhook, via: CreatedVia) -> None:
    if hook.created_via != via:
        where = "the API" if hook.created_via == CreatedVia.API else "Settings → Webhooks"
        raise WebhookError(
            f"This webhook was created in {where} and can be changed only there.", status=403
        )


def update(
    hook: Webhook,
    *,
    via: CreatedVia,
    event: str | None = None,
    url: str | None = None,
    origins: Sequence[str] | EllipsisType = ...,
) -> Webhook:
    """Change what is given (None, or ... for origins, leaves it); the token stays."""
    _owned(hook, via)
    if event is not None:
        hook.event = _event(event)
    if url is not None:
        hook.url = _url(url)
    if not isinstance(origins, EllipsisType):
        hook.conditions = _conditions(origins)
    with transaction.atomic():
        hook.save(update_fields=["event", "url", "conditions"])
        changed = [name for name, given in (("event", event), ("url", url)) if given is not None]
        if not isinstance(origins, EllipsisType):
            changed.append("origins")
        _record("webhook.changed", hook, via, fields=changed)
    return hook


def delete(hook: Webhook, *, via: CreatedVia) -> None:
    """The hook goes with its deliveries, so none is sent after."""
    _owned(hook, via)
    with transaction.atomic():
        _record("webhook.deleted", hook, via)
        hook.delete()


VERIFY_DATA = {"verification": True}


def verify(hook: Webhook) -> Delivery:
    """Send a test delivery of the hook's event now (one attempt, no retry); the row records the
    receiver's answer. The data says it is a test, so a receiver can ignore it."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            webhook=hook,
            event=hook.event,
            body=signing.envelope(hook.event, VERIFY_DATA, now),
            attempts=1,
            # Leased for the send below, so that no sweeper sends it too.
            next_attempt_at=now + timedelta(seconds=deliver.LEASE_SECONDS),
            created_at=now,
        )
    deliver.send(delivery, retry=False)
    delivery.refresh_from_db()
    return delivery
