"""The candidate page's actions: move an opportunity to a stage, archive or unarchive it, add a
note, send an email.

Each answers a form post: success redirects (303) to `next` when it is a local path (the
pipeline board sends one) or back to the candidate page with a message; bad input re-renders
the candidate page with status 400 and the error beside the field. Something the user may not
see is 404, so these never tell that it exists; seeing it without the permission to change it
is 403 naming the permission. The pipeline services do the writing, one transaction each.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.hiring import services
from hirebridge.hiring.email import EmailNotSent, send_email
from hirebridge.hiring.models import Candidate, Opportunity
from hirebridge.web import candidate_page
from hirebridge.web.candidate_forms import (
    ArchiveForm,
    EmailForm,
    NoteForm,
    StageForm,
    add_refusal,
)


class SeeOther(HttpResponseRedirect):
    """After a POST, the browser fetches the next page with GET."""

    status_code = 303


@require_POST
@login_required
def move_to_stage(request: HttpRequest, opportunity_id: Any) -> HttpResponse:
    opportunity = _changeable_opportunity(request, opportunity_id)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            moved = services.move_to_stage(_user(request), opportunity, form.cleaned_data["stage"])
        except services.PipelineError as refused:
            add_refusal(form, refused)
        else:
            stage = opportunity.stage.text
            messages.success(
                request,
                f"{_title(opportunity)}: moved to {stage}."
                if moved
                else f"{_title(opportunity)} is already at {stage}.",
            )
            return _done(request, opportunity.candidate)
    return _refused_on(request, opportunity, form)


@require_POST
@login_required
def archive(request: HttpRequest, opportunity_id: Any) -> HttpResponse:
    opportunity = _changeable_opportunity(request, opportunity_id)
    form = ArchiveForm(request.POST)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            services.archive(_user(request), opportunity, reason)
        except services.PipelineError as refused:
            add_refusal(form, refused)
        else:
            messages.success(request, f"{_title(opportunity)}: archived ({reason.text}).")
            return _done(request, opportunity.candidate)
    return _refused_on(request, opportunity, form)


@require_POST
@login_required
def unarchive(request: HttpRequest, opportunity_id: Any) -> HttpResponse:
    opportunity = _changeable_opportunity(request, opportunity_id)
    form = forms.Form(request.POST)
    try:
        services.unarchive(_user(request), opportunity)
    except services.PipelineError as refused:
        add_refusal(form, refused)
        return _refused_on(request, opportunity, form)
    messages.success(
        request, f"{_title(opportunity)}: back in the pipeline at {opportunity.stage.text}."
    )
    return _done(request, opportunity.candidate)


@require_POST
@login_required
def add_note(request: HttpRequest, candidate_id: Any) -> HttpResponse:
    candidate = _changeable_candidate(request, candidate_id)
    form = NoteForm(request.POST, opportunities=_opportunities(request, candidate))
    if form.is_valid():
        try:
            services.add_note(
                _user(request),
                candidate,
                form.cleaned_data["body"],
                opportunity=form.cleaned_data["opportunity"],
            )
        except services.PipelineError as refused:
            add_refusal(form, refused)
        else:
            messages.success(request, "Note added.")
            return _done(request, candidate, tab="notes")
    return candidate_page.render_page(request, candidate, "notes", note_form=form, status=400)


@require_POST
@login_required
def send(request: HttpRequest, candidate_id: Any) -> HttpResponse:
    """Sends outside any transaction (the mail server is I/O); send_email logs it afterwards."""
    candidate = _changeable_candidate(request, candidate_id)
    form = EmailForm(request.POST, opportunities=_opportunities(request, candidate))
    status = 400
    if form.is_valid():
        try:
            message = send_email(
                _user(request),
                candidate,
                to=form.cleaned_data["to"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                opportunity=form.cleaned_data["opportunity"],
            )
        except services.PipelineError as refused:
            add_refusal(form, refused)
        except EmailNotSent as failed:
            form.add_error(None, f"Not sent: {failed}. Try again later.")
            status = 502
        else:
            messages.success(request, f"Email sent to {message.recipient}.")
            return _done(request, candidate, tab="emails")
    return candidate_page.render_page(request, candidate, "emails", email_form=form, status=status)


def _user(request: HttpRequest) -> User:
    """The signed-in user (login_required has sent anyone else to log in)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def _refuse_without_permission(request: HttpRequest, obj: Opportunity | Candidate) -> None:
    if not policy.can(request.user, policy.Action.CHANGE_OPPORTUNITY, obj):
        raise PermissionDenied(
            "Moving, archiving, notes and emails need the “change opportunity” permission "
            f"({policy.Action.CHANGE_OPPORTUNITY}), which the "
            f"{_user(request).get_role_display()} role does not have."
        )


def _changeable_opportunity(request: HttpRequest, opportunity_id: Any) -> Opportunity:
    opportunity = policy.visible_or_404(
        request.user,
        policy.visible_opportunities(request.user).select_related("candidate", "posting"),
        pk=opportunity_id,
    )
    _refuse_without_permission(request, opportunity)
    return opportunity


def _changeable_candidate(request: HttpRequest, candidate_id: Any) -> Candidate:
    candidate = candidate_page.visible_candidate(request, candidate_id)
    _refuse_without_permission(request, candidate)
    return candidate


def _opportunities(request: HttpRequest, candidate: Candidate) -> QuerySet[Opportunity]:
    """The opportunities a note or an email may be tied to: the candidate's that the user sees."""
    return policy.visible_opportunities(request.user).filter(candidate=candidate)


def _title(opportunity: Opportunity) -> str:
    return opportunity.posting.title if opportunity.posting else "General opportunity"


def _refused_on(request: HttpRequest, opportunity: Opportunity, form: forms.Form) -> HttpResponse:
    candidate = candidate_page.visible_candidate(request, opportunity.candidate_id)
    return candidate_page.render_page(
        request,
        candidate,
        "overview",
        refused=candidate_page.Refused(opportunity.pk, form),
        status=400,
    )


def _done(request: HttpRequest, candidate: Candidate, *, tab: str = "") -> HttpResponse:
    """To `next` when it is a path on this site, else to the candidate page's tab."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts=None, require_https=request.is_secure()
    ):
        return SeeOther(wanted)
    page = reverse("candidate", args=[candidate.pk])
    return SeeOther(f"{page}?tab={tab}" if tab else f"{page}#opportunities-title")
