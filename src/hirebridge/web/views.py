from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hirebridge.accounts import policy
from hirebridge.hiring.models import CandidateEmail

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: the pipeline, or a word on why a role has no candidates to see."""
    if policy.can(request.user, policy.Action.VIEW_CANDIDATES):
        return redirect("pipeline")
    return render(request, "web/home.html")


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    """The candidates the user may see, newest first, searchable by name, email or employer."""
    if not policy.can(request.user, policy.Action.VIEW_CANDIDATES):
        raise PermissionDenied("Your role does not give access to candidate profiles.")
    query = request.GET.get("q", "").strip()[:200]
    visible = policy.visible_candidates(request.user)
    if query:
        visible = visible.filter(
            Q(name__icontains=query)
            | Q(current_company__icontains=query)
            | Q(headline__icontains=query)
            | Q(pk__in=CandidateEmail.objects.filter(email__icontains=query).values("candidate"))
        )
    shown_opportunities = (
        policy.visible_opportunities(request.user)
        .select_related("posting", "stage")
        .order_by("-last_interaction_at")
    )
    page = Paginator(
        visible.order_by("-created_at", "id").prefetch_related(
            Prefetch("opportunities", queryset=shown_opportunities, to_attr="shown_opportunities"),
            Prefetch("emails", queryset=CandidateEmail.objects.order_by("id")),
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "web/candidates.html", {"page": page, "query": query})
