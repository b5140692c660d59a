"""The candidate page: one person, the opportunities the user may see, what happened to them
(timeline, emails and InMails, notes) and the LinkedIn Recruiter box.

Every list on the page is read in a fixed number of queries, however long the history, and
shows only records that are not tied to an opportunity the user may not see: a Limited Team
Member meets the person, never another team's candidacy.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message as Notice
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from hirebridge.accounts import policy
from hirebridge.accounts.policy import AnyUser
from hirebridge.hiring.duplicates import duplicates_of
from hirebridge.hiring.models import Activity, Candidate, Message, Note, Opportunity
from hirebridge.linkedin import connections

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
    candidate = get_object_or_404(
        policy.visible_candidates(request.user).prefetch_related("emails", "phones", "links"),
        pk=candidate_id,
    )
    tab = request.GET.get("tab", TABS[0])
    if tab not in TABS:
        return HttpResponseBadRequest(f"tab: expected one of {', '.join(TABS)}, got {tab!r}")
    records = {"overview": _activities, "emails": _messages, "notes": _notes}[tab]
    shown = Paginator(records(request.user, candidate), PAGE_SIZE).get_page(request.GET.get("page"))
    panel = connections.panel(request.user, candidate)
    notices, refusal = _notices_and_refusal(request, candidate)
    context = {
        "candidate": candidate,
        "tab": tab,
        "tabs": TABS,
        "shown": shown,
        "threads": _threads(shown.object_list) if tab == "emails" else [],
        "opportunities": _opportunities(request.user, candidate),
        "panel": panel,
        "notices": notices,
        "refusal": refusal,
        "show_widget": panel.widget is not None and request.GET.get("connect") == "1",
        "duplicates": duplicates_of(request.user, candidate),
    }
    return render(request, "web/candidates/detail.html", context)


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


def _shown_to(user: AnyUser) -> Q:
    """Records about the person, or about an opportunity the user may see."""
    return Q(opportunity__isnull=True) | Q(
        opportunity__in=policy.visible_opportunities(user).values("pk")
    )


def _activities(user: AnyUser, candidate: Candidate) -> QuerySet[Activity]:
    return (
        candidate.activities.filter(_shown_to(user))
        .select_related("actor", "opportunity__posting")
        .order_by("-created_at", "-id")
    )


def _messages(user: AnyUser, candidate: Candidate) -> QuerySet[Message]:
    return (
        candidate.messages.filter(_shown_to(user))
        .select_related("opportunity__posting")
        .order_by("-sent_at", "id")
    )


def _notes(user: AnyUser, candidate: Candidate) -> QuerySet[Note]:
    return (
        candidate.notes.filter(_shown_to(user))
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
