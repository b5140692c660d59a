"""Settings → Webhooks: Super Admins (Action.MANAGE_INTEGRATIONS, as in Lever) list the hooks
with their recent deliveries, add one (event, URL, origins), delete one and Verify one, which
sends a test delivery at once and shows the receiver's answer.

Hooks created through the API are listed but changed only through the API (Lever's rule).
Each action is a POST that redirects back; bad input renders the page again with the error
beside the form (400).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action
from hirebridge.hiring.models.candidates import Origin
from hirebridge.webhooks import subscriptions
from hirebridge.webhooks.models import CreatedVia, DeliveryStatus, Event, Webhook

RECENT_DELIVERIES = 5
BAD_INPUT = 400

View = Callable[..., HttpResponse]


class WebhookForm(forms.Form):
    event = forms.ChoiceField(choices=Event.choices)
    url = forms.CharField(
        label="URL", max_length=subscriptions.URL_MAX, help_text="Receives a POST per event."
    )
    origins = forms.MultipleChoiceField(
        choices=Origin.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only opportunities of these origins; none ticked means every origin. "
        "Contact events are never filtered.",
    )


def may_manage_webhooks(request: HttpRequest) -> dict[str, bool]:
    """Context processor: whether the nav shows Webhooks."""
    return {"may_manage_webhooks": policy.can(request.user, Action.MANAGE_INTEGRATIONS)}


def super_admin_only(view: View) -> View:
    @login_required
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can(request.user, Action.MANAGE_INTEGRATIONS):
            raise PermissionDenied("Only Super Admins manage webhooks.")
        return view(request, *args, **kwargs)

    return checked


def _render(request: HttpRequest, *, form: WebhookForm | None = None, status: int = 200):
    hooks = list(Webhook.objects.select_related("created_by"))
    for hook in hooks:  # a few hooks, each with many deliveries: the latest of each
        hook.recent_deliveries = list(  # type: ignore[attr-defined]
            hook.deliveries.order_by("-created_at", "id")[:RECENT_DELIVERIES]
        )
    context = {
        "hooks": hooks,
        "form": form or WebhookForm(),
        "ui": CreatedVia.UI,
        "delivered": DeliveryStatus.DELIVERED,
        "dead": DeliveryStatus.DEAD,
    }
    return render(request, "web/webhooks/settings.html", context, status=status)


@require_GET
@super_admin_only
def page(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
@super_admin_only
def create(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, status=BAD_INPUT)
    try:
        hook = subscriptions.create(
            cast(User, request.user),
            event=form.cleaned_data["event"],
            url=form.cleaned_data["url"],
            origins=form.cleaned_data["origins"],
            via=CreatedVia.UI,
        )
    except subscriptions.WebhookError as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return _render(request, form=form, status=BAD_INPUT)
    messages.success(request, f"Webhook added: {hook.get_event_display()} → {hook.url}")
    return redirect("webhook-settings")


@require_POST
@super_admin_only
def delete(request: HttpRequest, webhook_id: Any) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=webhook_id)
    try:
        subscriptions.delete(hook, via=CreatedVia.UI)
    except subscriptions.WebhookError as refused:
        raise PermissionDenied(refused.message) from None
    messages.success(request, f"Webhook removed: {hook.get_event_display()} → {hook.url}")
    return redirect("webhook-settings")


@require_POST
@super_admin_only
def verify(request: HttpRequest, webhook_id: Any) -> HttpResponse:
    """Calls the receiver within this request: the answer is what the Super Admin wants."""
    hook = get_object_or_404(Webhook, pk=webhook_id)
    delivery = subscriptions.verify(hook)
    if delivery.status == DeliveryStatus.DELIVERED:
        messages.success(
            request, f"{hook.url} answered {delivery.last_status_code}: the test was delivered."
        )
    else:
        messages.error(request, f"{hook.url} did not take the test: {delivery.last_error}")
    return redirect("webhook-settings")
