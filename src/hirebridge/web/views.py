from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render

from hirebridge.accounts import policy
from hirebridge.hiring.models import Candidate, CandidateEmail
from hirebridge.search import candidates as search
from hirebridge.web.pipeline import COUNT_CAP, Tally

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: the pipeline, or a word on why a role has no candidates to see."""
    if policy.can(request.user, policy.Action.VIEW_CANDIDATES):
        return redirect("pipeline")
    return render(request, "web/home.html")


SEARCH_FIELDS = ("q", "location", "title", "company", "tag", "posting")


@dataclass(frozen=True)
class Page:
    """One page of candidates, shaped like a Paginator page for the template. The list also
    knows its total, counted no further than COUNT_CAP, and its number of pages when that
    count is exact; a ranked search knows neither."""

    object_list: list[Candidate]
    number: int
    has_next: bool
    total: Tally | None = None
    num_pages: int | None = None

    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _search_page(request: HttpRequest, asked: dict[str, str], shown: Prefetch) -> Page:
    """The page of the search the request asks for; ValueError names a bad field."""
    page = request.GET.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise ValueError("page: expected a page number from 1")
    number = int(page)
    found = search.find(
        request.user,
        asked.get("q", ""),
        location=asked.get("location"),
        title=asked.get("title"),
        company=asked.get("company"),
        tag=asked.get("tag"),
        posting=asked.get("posting"),
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    by_id = Candidate.objects.prefetch_related(
        shown, Prefetch("emails", queryset=CandidateEmail.objects.order_by("id"))
    ).in_bulk(found.candidate_ids)
    # A candidate deleted since the search is left out.
    shown_now = [by_id[pk] for pk in found.candidate_ids if pk in by_id]
    return Page(shown_now, number, found.has_more)


def _list_page(visible: QuerySet[Candidate], wanted: str | None) -> Page:
    """The page asked for of the newest-first list, as Paginator.get_page picks it (a page that
    is not a number shows the first, a page past the end the last) without counting a million
    rows: past COUNT_CAP the rows fetched tell whether a next page exists, and only a page
    beyond the last of such a list costs a full count, to find the last."""
    number = int(wanted) if wanted and wanted.isdigit() and int(wanted) > 0 else 1
    found = visible.order_by().values("pk")[: COUNT_CAP + 1].count()
    total = Tally(min(found, COUNT_CAP), capped=found > COUNT_CAP)
    if not total.capped:
        num_pages = max(1, -(-found // PAGE_SIZE))
        number = min(number, num_pages)
        rows = _rows(visible, number, PAGE_SIZE)
        return Page(rows, number, number < num_pages, total, num_pages)
    rows = _rows(visible, number, PAGE_SIZE + 1)
    if not rows:
        number = max(1, -(-visible.count() // PAGE_SIZE))
        rows = _rows(visible, number, PAGE_SIZE)
        return Page(rows, number, False, total)
    return Page(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE, total)


def _rows(visible: QuerySet[Candidate], number: int, limit: int) -> list[Candidate]:
    offset = (number - 1) * PAGE_SIZE
    return list(visible[offset : offset + limit])


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    """The candidates the user may see: newest first, or ranked by a search over names,
    headlines, employers, titles, locations, emails, tags and notes, with filters."""
    if not policy.can(request.user, policy.Action.VIEW_CANDIDATES):
        raise PermissionDenied("Your role does not give access to candidate profiles.")
    asked = {f: request.GET[f].strip() for f in SEARCH_FIELDS if request.GET.get(f, "").strip()}
    shown = Prefetch(
        "opportunities",
        queryset=policy.visible_opportunities(request.user)
        .select_related("posting", "stage")
        .order_by("-last_interaction_at"),
        to_attr="shown_opportunities",
    )
    context: dict[str, object] = {
        "asked": asked,
        "query": asked.get("q", ""),
        "params": urlencode(asked),
        "postings": policy.visible_postings(request.user).order_by("title").only("id", "title"),
    }
    if asked:
        try:
            context["page"] = _search_page(request, asked, shown)
        except ValueError as refused:
            # Plain text: the message may quote what was typed.
            return HttpResponseBadRequest(str(refused), content_type="text/plain; charset=utf-8")
        return render(request, "web/candidates.html", context)
    visible = policy.visible_candidates(request.user).order_by("-created_at", "id")
    context["page"] = _list_page(
        visible.prefetch_related(
            shown, Prefetch("emails", queryset=CandidateEmail.objects.order_by("id"))
        ),
        request.GET.get("page"),
    )
    return render(request, "web/candidates.html", context)
