"""Postings: the list, one posting with its pipeline, and the create and edit forms.

Everyone sees the postings accounts.policy lets them see (a Limited Team Member only their
hiring teams' ones, an Interviewer none); only `Action.MANAGE_POSTINGS` roles create and edit,
and the hiring services do every write. Each page reads a fixed number of queries however many
postings and opportunities there are: the list pages first and counts only that page.
"""

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action
from hirebridge.hiring import services
from hirebridge.hiring.models import Opportunity, Posting, Stage
from hirebridge.hiring.models.postings import Commitment, PostingState
from hirebridge.hiring.services import PipelineError

PAGE_SIZE = 25
RECENT_OPPORTUNITIES = 25
QUERY_MAX = 200
NOT_ALLOWED = (
    "Your role lacks the “manage postings” permission: only Super Admins, Admins and "
    "Team Members create and edit postings."
)


def _max_length(field: str) -> int | None:
    return getattr(Posting._meta.get_field(field), "max_length", None)


class PostingForm(forms.Form):
    title = forms.CharField(max_length=_max_length("title"))
    team = forms.CharField(max_length=_max_length("team"), required=False)
    department = forms.CharField(max_length=_max_length("department"), required=False)
    location = forms.CharField(max_length=_max_length("location"), required=False)
    commitment = forms.ChoiceField(
        choices=[("", "—"), *Commitment.choices], required=False, label="Work type"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    state = forms.ChoiceField(choices=PostingState.choices)
    confidential = forms.BooleanField(
        required=False,
        help_text="Only the hiring team and Super Admins will see it. Cannot be changed later.",
    )
    owner = forms.ModelChoiceField(queryset=User.objects.filter(deactivated_at__isnull=True))
    hiring_manager = forms.ModelChoiceField(
        queryset=User.objects.filter(deactivated_at__isnull=True), required=False
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(deactivated_at__isnull=True),
        required=False,
        help_text="Hiring team members; they see this posting's candidates.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, posting: Posting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if posting is not None:
            # Confidentiality is fixed at creation, and a posting never returns to draft.
            del self.fields["confidential"]
            if posting.state != PostingState.DRAFT:
                cast(forms.ChoiceField, self.fields["state"]).choices = [
                    c for c in PostingState.choices if c[0] != PostingState.DRAFT
                ]

    def refuse(self, refused: PipelineError) -> None:
        """Show a service's refusal next to the field it names."""
        field = refused.field if refused.field in self.fields else None
        message = refused.message.removeprefix(f"{refused.field}: ") if field else refused.message
        self.add_error(field, message)


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    count: int


@dataclass(frozen=True)
class SectionCounts:
    label: str
    stages: list[StageCount]


def _may_manage(request: HttpRequest) -> None:
    if not policy.can(request.user, Action.MANAGE_POSTINGS):
        raise PermissionDenied(NOT_ALLOWED)


def _posted(request: HttpRequest) -> Any:
    """The submitted data to bind a form to; None (an unbound form) for a GET."""
    return request.POST if request.method == "POST" else None


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required lets only a logged-in User through


def _see_other(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


@require_GET
@login_required
def postings_list(request: HttpRequest) -> HttpResponse:
    """Postings by title, filtered by state and a text search over title, team and location."""
    state = request.GET.get("state", "")
    if state and state not in PostingState.values:
        return HttpResponseBadRequest(
            f"state: expected one of {', '.join(PostingState.values)}, got {state!r}"
        )
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    visible = policy.visible_postings(request.user)
    if state:
        visible = visible.filter(state=state)
    if query:
        visible = visible.filter(
            Q(title__icontains=query) | Q(team__icontains=query) | Q(location__icontains=query)
        )
    page = Paginator(visible.select_related("owner").order_by("title", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    active = _active_counts([posting.pk for posting in page.object_list])
    rows = [(posting, active.get(posting.pk, 0)) for posting in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "state": state,
        "states": PostingState.choices,
        "may_manage": policy.can(request.user, Action.MANAGE_POSTINGS),
    }
    return render(request, "web/postings/list.html", context)


def _active_counts(posting_ids: list[Any]) -> dict[Any, int]:
    """Active opportunities per posting, in one grouped query over the (posting, archived_at)
    index. Every opportunity on a posting its viewer may see is visible to them too."""
    if not posting_ids:
        return {}
    rows = (
        Opportunity.objects.active()
        .filter(posting__in=posting_ids)
        .values("posting")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["posting"]: row["n"] for row in rows}


@require_GET
@login_required
def posting_detail(request: HttpRequest, posting_id: Any) -> HttpResponse:
    """404 for a posting the user may not see, so the page never tells that one exists."""
    posting = policy.visible_or_404(
        request.user,
        policy.visible_postings(request.user).select_related("owner", "hiring_manager"),
        pk=posting_id,
    )
    active = policy.visible_opportunities(request.user).filter(
        posting=posting, archived_at__isnull=True
    )
    sections = _pipeline(active)
    recent = active.select_related("candidate", "stage", "owner").order_by("-created_at", "id")
    context = {
        "posting": posting,
        "members": posting.members.order_by("name", "email"),
        "sections": sections,
        "active_total": sum(s.count for section in sections for s in section.stages),
        "recent": recent[:RECENT_OPPORTUNITIES],
        "may_manage": policy.can(request.user, Action.MANAGE_POSTINGS),
    }
    return render(request, "web/postings/detail.html", context)


def _pipeline(active: QuerySet[Opportunity]) -> list[SectionCounts]:
    """Counts per active stage, grouped by section in pipeline order (Offer last)."""
    counts = {
        row["stage"]: row["n"] for row in active.values("stage").annotate(n=Count("pk")).order_by()
    }
    sections: list[SectionCounts] = []
    for stage in Stage.objects.active():
        label = stage.get_section_display()
        if not sections or sections[-1].label != label:
            sections.append(SectionCounts(label=label, stages=[]))
        sections[-1].stages.append(StageCount(stage=stage, count=counts.get(stage.pk, 0)))
    return sections


@require_http_methods(["GET", "POST"])
@login_required
def posting_create(request: HttpRequest) -> HttpResponse:
    _may_manage(request)
    form = PostingForm(_posted(request), initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            posting = services.create_posting(
                _actor(request),
                title=data["title"],
                owner=data["owner"],
                location=data["location"],
                team=data["team"],
                department=data["department"],
                commitment=data["commitment"],
                description=data["description"],
                state=data["state"],
                confidential=data["confidential"],
                hiring_manager=data["hiring_manager"],
                members=list(data["members"]),
            )
        except PipelineError as refused:
            form.refuse(refused)
        else:
            messages.success(request, f"{posting.title} created.")
            return _see_other(reverse("posting", args=[posting.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "web/postings/form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def posting_edit(request: HttpRequest, posting_id: Any) -> HttpResponse:
    _may_manage(request)
    posting = policy.visible_or_404(
        request.user, policy.visible_postings(request.user), pk=posting_id
    )
    initial = {
        "title": posting.title,
        "team": posting.team,
        "department": posting.department,
        "location": posting.location,
        "commitment": posting.commitment,
        "description": posting.description,
        "state": posting.state,
        "owner": posting.owner_id,
        "hiring_manager": posting.hiring_manager_id,
        "members": list(posting.members.values_list("pk", flat=True)),
    }
    form = PostingForm(_posted(request), initial=initial, posting=posting)
    if request.method == "POST" and form.is_valid():
        try:
            _save(_actor(request), posting, form.cleaned_data)
        except PipelineError as refused:
            form.refuse(refused)
        else:
            messages.success(request, f"{posting.title} saved.")
            return _see_other(reverse("posting", args=[posting.pk]))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "posting": posting}
    return render(request, "web/postings/form.html", context, status=status)


def _save(actor: User, posting: Posting, data: dict[str, Any]) -> None:
    """What the job says, who works on it and its state, all or nothing."""
    with transaction.atomic():
        services.update_posting(
            actor,
            posting,
            title=data["title"],
            location=data["location"],
            team=data["team"],
            department=data["department"],
            commitment=data["commitment"],
            description=data["description"],
        )
        services.set_hiring_team(
            actor,
            posting,
            owner=data["owner"],
            hiring_manager=data["hiring_manager"],
            members=list(data["members"]),
        )
        services.set_posting_state(actor, posting, data["state"])
