"""The candidate page: one person, the opportunities the user may see, what happened to them
(timeline, emails and InMails, notes) and the LinkedIn Recruiter box. A person LinkedIn brought
in carries a "privacy notice due by" reminder (GDPR Art. 14) until it is marked as sent.

Every list on the page is read in a fixed number of queries, however long the history, and
shows only records that are not tied to an opportunity the user may not see: a Limited Team
Member meets the person, never another team's candidacy.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message as Notice
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hirebridge.accounts import policy
from hirebridge.accounts.policy import AnyUser
from hirebridge.hiring.duplicates import duplicates_of
from hirebridge.hiring.models import (
    Activity,
    ArchiveReason,
    Candidate,
    Message,
    Note,
    Opportunity,
    Stage,
)
from hirebridge.hiring.models.opportunities import ArchiveReasonType
from hirebridge.linkedin import connections
from hirebridge.web.candidate_forms import EmailForm, NoteForm

PAGE_SIZE = 50
TABS = ("overview", "emails", "notes")


@dataclass(frozen=True)
class Thread:
    """Messages of one conversation on the page, newest first; a message without a thread id is
    a conversation of its own."""

    subject: str
    messages: list[Message]


@require_GET
@login_required
def page(request: HttpRequest, candidate_id: Any) -> HttpResponse:
    """404 for a candidate the user may not see, so the page never tells that one exists."""
    candidate = visible_candidate(request, candidate_id)
    tab = request.GET.get("tab", TABS[0])
    if tab not in TABS:
        return HttpResponseBadRequest(f"tab: expected one of {', '.join(TABS)}, got {tab!r}")
    return render_page(request, candidate, tab, page_number=request.GET.get("page"))


def visible_candidate(request: HttpRequest, candidate_id: Any) -> Candidate:
    return policy.visible_or_404(
        request.user,
        policy.visible_candidates(request.user).prefetch_related("emails", "phones", "links"),
        pk=candidate_id,
    )


@dataclass(frozen=True)
class Refused:
    """An action on one opportunity that was refused: its form, errors on the fields."""

    opportunity_id: Any
    form: forms.Form


def render_page(
    request: HttpRequest,
    candidate: Candidate,
    tab: str,
    *,
    page_number: str | None = None,
    note_form: NoteForm | None = None,
    email_form: EmailForm | None = None,
    refused: Refused | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page on `tab`; an action that was refused passes its bound form, so the page shows
    what was typed and the errors beside the fields."""
    records = {"overview": _activities, "emails": _messages, "notes": _notes}[tab]
    shown = Paginator(records(request.user, candidate), PAGE_SIZE).get_page(page_number)
    panel = connections.panel(request.user, candidate)
    notices, refusal = _notices_and_refusal(request, candidate)
    opportunities = list(_opportunities(request.user, candidate))
    # Every opportunity listed is one the user sees, so the role alone decides the controls.
    may_change = policy.can(request.user, policy.Action.CHANGE_OPPORTUNITY)
    shown_opportunities = policy.visible_opportunities(request.user).filter(candidate=candidate)
    context = {
        "candidate": candidate,
        "tab": tab,
        "tabs": TABS,
        "shown": shown,
        "threads": _threads(shown.object_list) if tab == "emails" else [],
        "opportunities": opportunities,
        "opportunity_rows": [
            (opportunity, _errors_on(opportunity, refused)) for opportunity in opportunities
        ],
        "panel": panel,
        "notices": notices,
        "refusal": refusal,
        "show_widget": panel.widget is not None and request.GET.get("connect") == "1",
        "duplicates": duplicates_of(request.user, candidate),
        "may_change": may_change,
        "may_delete": policy.can(request.user, policy.Action.DELETE_CANDIDATE),
        "stage_sections": _stage_sections() if may_change and opportunities else [],
        "archive_reasons": _archive_reasons() if may_change and opportunities else [],
        "note_form": note_form or NoteForm(opportunities=shown_opportunities),
        "email_form": email_form or EmailForm(opportunities=shown_opportunities),
        "refused": refused,
    }
    return render(request, "web/candidates/detail.html", context, status=status)


def _errors_on(opportunity: Opportunity, refused: Refused | None) -> dict[str, Any]:
    """The errors to show beside an opportunity's controls; those not on a field under "all"."""
    if refused is None or refused.opportunity_id != opportunity.pk:
        return {}
    errors = refused.form.errors
    return {"all": errors.get(NON_FIELD_ERRORS, [])} | {
        field: listed for field, listed in errors.items() if field != NON_FIELD_ERRORS
    }


def _stage_sections() -> list[tuple[str, list[Stage]]]:
    """The active stages in pipeline order, grouped by section for the stage control."""
    sections: dict[str, list[Stage]] = {}
    for stage in Stage.objects.active():
        sections.setdefault(stage.get_section_display(), []).append(stage)
    return list(sections.items())


def _archive_reasons() -> list[tuple[str, list[ArchiveReason]]]:
    """The reasons in use, hired ones first, for the archive control."""
    groups: dict[str, list[ArchiveReason]] = {label: [] for label in ArchiveReasonType.labels}
    for reason in ArchiveReason.objects.filter(active=True):
        groups[reason.get_type_display()].append(reason)
    return [(label, reasons) for label, reasons in groups.items() if reasons]


def _notices_and_refusal(
    request: HttpRequest, candidate: Candidate
) -> tuple[list[Notice], connections.DisconnectRefused | None]:
    """The messages to show, and the disconnect refusal when the last action was one: the
    refusal then shows as a box with the duplicates' links instead of as a plain message."""
    notices = list(messages.get_messages(request))
    if not any(notice.level == messages.ERROR for notice in notices):
        return notices, None
    refusal = connections.refusal(request.user, candidate)
    if refusal is None or refusal.message not in [str(notice) for notice in notices]:
        return notices, None
    return [notice for notice in notices if str(notice) != refusal.message], refusal


def _opportunities(user: AnyUser, candidate: Candidate) -> QuerySet[Opportunity]:
    return (
        policy.visible_opportunities(user)
        .filter(candidate=candidate)
        .select_related("posting", "stage", "owner", "archive_reason")
        .order_by(F("archived_at").asc(nulls_first=True), "-created_at", "id")
    )


def _shown_to(user: AnyUser, candidate: Candidate) -> Q:
    """Records about the person, or about one of their opportunities the user may see. The
    opportunities are the candidate's own, so the check reads a few rows through the candidate
    index rather than every opportunity the user may see."""
    return Q(opportunity__isnull=True) | Q(
        opportunity__in=policy.visible_opportunities(user).filter(candidate=candidate).values("pk")
    )


def _activities(user: AnyUser, candidate: Candidate) -> QuerySet[Activity]:
    return (
        candidate.activities.filter(_shown_to(user, candidate))
        .select_related("actor", "opportunity__posting")
        .order_by("-created_at", "-id")
    )


def _messages(user: AnyUser, candidate: Candidate) -> QuerySet[Message]:
    return (
        candidate.messages.filter(_shown_to(user, candidate))
        .select_related("opportunity__posting")
        .order_by("-sent_at", "id")
    )


def _notes(user: AnyUser, candidate: Candidate) -> QuerySet[Note]:
    return (
        candidate.notes.filter(_shown_to(user, candidate))
        .select_related("author", "opportunity__posting")
        .order_by("-created_at", "id")
    )


def _threads(messages: Any) -> list[Thread]:
    """Group a page of messages (newest first) by thread, threads ordered by their newest one."""
    threads: dict[str, Thread] = {}
    for message in messages:
        key = f"thread:{message.thread_id}" if message.thread_id else f"message:{message.pk}"
        if key not in threads:
            threads[key] = Thread(subject=message.subject, messages=[])
        threads[key].messages.append(message)
    return list(threads.values())
