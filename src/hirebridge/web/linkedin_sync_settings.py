"""Settings → LinkedIn actions on the sync to LinkedIn: start the historical sync, send refused
rows again, choose who sees the jobs (RSC-102), and decide about closed LinkedIn profiles.

Like the rest of the page: POST only, Admins and Super Admins only, a redirect back on success
and the page again with the error next to its section on bad input. Nothing here calls
LinkedIn: the worker does, from the outbox or the queued task.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin import enablement, outbox, tasks
from hirebridge.linkedin.models import (
    ClosedProfile,
    ClosedProfileDecision,
    Integration,
    JobAvailability,
    OutboxKind,
)
from hirebridge.linkedin.outbound import closed_profiles
from hirebridge.web.linkedin_settings import (
    BAD_INPUT,
    NOT_CONFIGURED,
    JobAvailabilityForm,
    acting_user,
    admin_only,
    render_page,
)


@require_POST
@admin_only
def start_backfill(request: HttpRequest) -> HttpResponse:
    """Queue the historical sync; the worker runs it (it takes as long as the ATS is large)."""
    if enablement.current() is None:
        return render_page(request, errors={"outbound": NOT_CONFIGURED}, status=BAD_INPUT)
    tasks.backfill_linkedin()
    messages.success(request, "Historical sync started")
    return redirect("linkedin-settings")


@require_POST
@admin_only
def retry_refused(request: HttpRequest) -> HttpResponse:
    """The rows named by `item` (one or more), or every refused row when none is named."""
    named = request.POST.getlist("item")
    bad = [value for value in named if not value.isdigit()]
    if bad:
        error = f"item: expected the id of a refused row, got {bad[0]!r}"
        return render_page(request, errors={"refused": error}, status=BAD_INPUT)
    retried = outbox.retry_dead([int(value) for value in named] if named else None)
    if retried:
        messages.success(request, f"{retried} refused row(s) will be sent to LinkedIn again.")
    else:
        messages.success(request, "Nothing to retry: those rows were sent again already.")
    return redirect("linkedin-settings")


@require_POST
@admin_only
def save_job_availability(request: HttpRequest) -> HttpResponse:
    """Store the choice and send every non-draft posting again, so LinkedIn shows each job as
    chosen; saving the same choice again sends nothing."""
    integration = enablement.current()
    if integration is None:
        return render_page(request, errors={"availability": NOT_CONFIGURED}, status=BAD_INPUT)
    form = JobAvailabilityForm(request.POST)
    if not form.is_valid():
        error = "; ".join(
            f"{field}: {' '.join(str(message) for message in why)}"
            for field, why in form.errors.items()
        )
        return render_page(request, errors={"availability": error}, status=BAD_INPUT)
    chosen = JobAvailability(form.cleaned_data["job_availability"])
    resent = _set_availability(integration, chosen)
    if resent is None:
        messages.success(request, f"Jobs on LinkedIn stay: {chosen.label}.")
    else:
        messages.success(
            request, f"Jobs on LinkedIn are now: {chosen.label}. {resent} posting(s) to resend."
        )
    return redirect("linkedin-settings")


def _set_availability(integration: Integration, chosen: JobAvailability) -> int | None:
    """How many postings go to LinkedIn again, or None when the choice was already stored."""
    with transaction.atomic():
        changed = (
            Integration.objects.filter(pk=integration.pk)
            .exclude(job_availability=chosen)
            .update(job_availability=chosen)
        )
        if not changed:
            return None
        posting_ids = list(
            Posting.objects.exclude(state=PostingState.DRAFT).values_list("pk", flat=True)
        )
        outbox.changed_many((OutboxKind.JOB, posting_id, "") for posting_id in posting_ids)
    return len(posting_ids)


@require_POST
@admin_only
def decide_closed_profile(request: HttpRequest, closed_profile_id: int) -> HttpResponse:
    """`decision` is "kept" (a legal basis to keep the rest) or "deleted" (the candidate goes)."""
    row = get_object_or_404(ClosedProfile, pk=closed_profile_id, integration=enablement.current())
    decision = request.POST.get("decision", "")
    try:
        closed_profiles.decide(row, acting_user(request), decision)
    except closed_profiles.Undecidable as bad:
        error = f"{row.candidate_name or row.person_urn}: {bad}"
        return render_page(request, errors={"closed_profiles": error}, status=BAD_INPUT)
    who = row.candidate_name or row.person_urn
    if decision == ClosedProfileDecision.DELETED:
        messages.success(request, f"{who}: candidate deleted.")
    else:
        messages.success(request, f"{who}: kept.")
    return redirect("linkedin-settings")
