"""Settings → Audit log: who did what to which object, when, from where and under which request,
newest first, filtered by action, actor, object and date range.

Only Super Admins read it (Action.VIEW_AUDIT_LOG): Admins change roles and the LinkedIn
integration, so the record of those changes is kept out of their hands. Rows hold ids only;
an actor's name is looked up when the page is shown, so the log itself never stores it.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action
from hirebridge.audit.models import AuditEvent

PAGE_SIZE = 50
BAD_INPUT = 400
ANY = [("", "Any")]
USER_PREFIX = "user:"
# Actors that are not a user account; a row names them by kind alone.
OTHER_ACTORS = [
    (AuditEvent.ActorKind.LINKEDIN.value, "LinkedIn"),
    (AuditEvent.ActorKind.SYSTEM.value, "System (worker, command line)"),
    (AuditEvent.ActorKind.ANONYMOUS.value, "Not signed in"),
]
ACTOR_LABELS = dict(AuditEvent.ActorKind.choices)


def may_view_audit_log(request: HttpRequest) -> dict[str, bool]:
    """Context processor: whether the nav shows Audit log."""
    return {"may_view_audit_log": policy.can(request.user, Action.VIEW_AUDIT_LOG)}


def _distinct(field: str) -> list[tuple[str, str]]:
    values = AuditEvent.objects.order_by(field).values_list(field, flat=True).distinct()
    return [(value, value) for value in values if value]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False)
    actor = forms.ChoiceField(required=False)
    object_type = forms.ChoiceField(label="Object type", required=False)
    object_id = forms.CharField(label="Object id", required=False, max_length=64)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields  # ChoiceField's choices are set per request
        fields["action"].choices = ANY + _distinct("action")
        fields["object_type"].choices = ANY + _distinct("object_type")
        users = User.objects.order_by("name", "email").values_list("pk", "name")
        fields["actor"].choices = (
            ANY + [(f"{USER_PREFIX}{pk}", name) for pk, name in users] + OTHER_ACTORS
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        if since and until and since > until:
            self.add_error("until", "must not be before From")
        return self.cleaned_data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        actor = data["actor"]
        if actor.startswith(USER_PREFIX):
            events = events.filter(actor_kind="user", actor_id=actor.removeprefix(USER_PREFIX))
        elif actor:
            events = events.filter(actor_kind=actor)
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"])
        if data["object_id"].strip():
            events = events.filter(object_id=data["object_id"].strip())
        if data["since"]:
            events = events.filter(at__gte=_start_of(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=_start_of(data["until"] + timedelta(days=1)))
        return events


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    actor: str
    detail: str


@require_GET
@login_required
@never_cache
def page(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, Action.VIEW_AUDIT_LOG):
        raise PermissionDenied("Only Super Admins read the audit log.")
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _render(request, form, AuditEvent.objects.none(), status=BAD_INPUT)
    return _render(request, form, form.apply(AuditEvent.objects.all()))


def _render(
    request: HttpRequest, form: AuditFilterForm, events: QuerySet[AuditEvent], status: int = 200
) -> HttpResponse:
    shown = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _user_names(e.actor_id for e in shown if e.actor_kind == "user")
    rows = [Row(e, _actor(e, names), _detail(e.detail)) for e in shown]
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {"form": form, "page": shown, "rows": rows, "filters": filters.urlencode()}
    return render(request, "web/audit_log.html", context, status=status)


def _user_names(ids: Any) -> dict[str, str]:
    pks = []
    for value in ids:
        try:
            pks.append(uuid.UUID(value))
        except ValueError:
            continue
    return {str(pk): name for pk, name in User.objects.filter(pk__in=pks).values_list("pk", "name")}


def _actor(event: AuditEvent, names: dict[str, str]) -> str:
    if event.actor_kind == "user":
        return names.get(event.actor_id) or f"Deleted user {event.actor_id}"
    label = ACTOR_LABELS.get(event.actor_kind, event.actor_kind)
    return f"{label} {event.actor_id}".strip()


def _detail(detail: dict[str, Any]) -> str:
    return ", ".join(
        f"{key}={json.dumps(value, sort_keys=True, default=str)}"
        for key, value in sorted(detail.items())
    )
