"""Duplicate profiles: the list of candidates sharing an email, phone, profile URL or LinkedIn
member; the side-by-side page that merges two; the page that deletes one.

Roles without the right get 403; a candidate the user may not see is a 404, so these pages
never tell that one exists.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action, AnyUser
from hirebridge.hiring import duplicates, services
from hirebridge.hiring.merge import MergeRefused, merge
from hirebridge.hiring.models import Candidate, Opportunity
from hirebridge.linkedin.models import ProfileConnection

GROUPS_PER_PAGE = 25


@login_required
def duplicates_list(request: HttpRequest) -> HttpResponse:
    """Groups of visible candidates that share a value only one person should have."""
    if not policy.can(request.user, Action.VIEW_CANDIDATES):
        raise PermissionDenied("Your role does not give access to candidate profiles.")
    page = Paginator(duplicates.shared_keys(request.user), GROUPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "groups": duplicates.groups(request.user, list(page.object_list)),
        "may_merge": policy.can(request.user, Action.MERGE_CANDIDATES),
    }
    return render(request, "web/candidates/duplicates.html", context)


@dataclass(frozen=True)
class Side:
    """One of the two profiles as the merge page shows it."""

    candidate: Candidate
    opportunities: list[Opportunity]
    hidden_opportunities: int  # on postings the user may not see; they move too
    notes: int
    messages: int
    connection: ProfileConnection | None


@login_required
@require_http_methods(["GET", "POST"])
def merge_page(request: HttpRequest, candidate_id: uuid.UUID) -> HttpResponse:
    """GET: both profiles side by side, the user picks the one to keep. POST: merge."""
    if not policy.can(request.user, Action.MERGE_CANDIDATES):
        raise PermissionDenied("Your role may not merge candidate profiles.")
    other_id = _uuid(request.GET.get("with", ""))
    if other_id is None:
        return HttpResponseBadRequest("with: the id of the profile to merge with is missing")
    visible = policy.visible_candidates(request.user).prefetch_related("emails", "phones", "links")
    first = policy.visible_or_404(request.user, visible, pk=candidate_id)
    second = policy.visible_or_404(request.user, visible, pk=other_id)
    if first.pk == second.pk:
        return HttpResponseBadRequest("with: a profile cannot be merged into itself")
    sides = [_side(request.user, first), _side(request.user, second)]
    error = ""
    if request.method == "POST":
        keep_id = _uuid(request.POST.get("keep", ""))
        if keep_id not in (first.pk, second.pk):
            return HttpResponseBadRequest("keep: choose one of the two profiles to keep")
        survivor, other = (first, second) if keep_id == first.pk else (second, first)
        try:
            kept = merge(_member(request), survivor, other)
        except MergeRefused as refused:
            error = refused.message
        else:
            messages.success(request, f"{other.name} was merged into {kept.name}.")
            return redirect(reverse("candidate", args=[kept.pk]))
    context = {
        "sides": sides,
        "default_keep": _default_keep(sides),
        "error": error,
    }
    return render(request, "web/candidates/merge.html", context, status=409 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete_page(request: HttpRequest, candidate_id: uuid.UUID) -> HttpResponse:
    """GET: what will be erased. POST: delete the person with everything recorded and, when
    "Do not re-import from LinkedIn" is ticked (it is by default), keep them from coming back."""
    if not policy.can(request.user, Action.DELETE_CANDIDATE):
        raise PermissionDenied("Your role may not delete candidate profiles.")
    candidate = policy.visible_or_404(
        request.user,
        policy.visible_candidates(request.user).prefetch_related("emails"),
        pk=candidate_id,
    )
    if request.method == "POST":
        erased = services.delete_candidate(
            _member(request), candidate, suppress=request.POST.get("suppress") == "1"
        )
        forgotten = " LinkedIn will not bring them back." if erased.suppressed else ""
        messages.success(request, f"{candidate.name} was deleted.{forgotten}")
        return redirect("candidates")
    context = {"candidate": candidate, **_counts(candidate)}
    return render(request, "web/candidates/delete.html", context)


def _member(request: HttpRequest) -> User:
    """The signed-in user (login_required let only one through)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _counts(candidate: Candidate) -> dict[str, int]:
    return {
        "opportunities": candidate.opportunities.count(),
        "notes": candidate.notes.count(),
        "messages": candidate.messages.count(),
    }


def _side(user: AnyUser, candidate: Candidate) -> Side:
    shown = list(
        policy.visible_opportunities(user)
        .filter(candidate=candidate)
        .select_related("posting", "stage")
        .order_by("archived_at", "-created_at")
    )
    counts = _counts(candidate)
    return Side(
        candidate=candidate,
        opportunities=shown,
        hidden_opportunities=counts["opportunities"] - len(shown),
        notes=counts["notes"],
        messages=counts["messages"],
        connection=ProfileConnection.objects.filter(candidate=candidate).first(),
    )


def _default_keep(sides: list[Side]) -> Any:
    """The profile LinkedIn knows (connected, primary first), else the older one."""
    ranked = sorted(
        sides,
        key=lambda s: (
            s.connection is None,
            not (s.connection and s.connection.primary),
            s.candidate.created_at,
        ),
    )
    return ranked[0].candidate.pk
