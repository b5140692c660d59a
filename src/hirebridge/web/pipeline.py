"""The pipeline: the opportunities a user may see, counted per stage under Lever's sections
(Lead, Applicant, Interview, with Offer last), and one stage listed a page at a time.

The page stays quick at a million candidates: each stage is counted only up to COUNT_CAP (the
bar then says "1000+"), so a count stops after that many rows however large the stage, and only
the shown page of rows is read (from an index in the list's order), with everything a row
displays fetched in a fixed number of queries.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action, AnyUser
from hirebridge.hiring.models import Opportunity, Source, Stage
from hirebridge.hiring.models.candidates import Origin
from hirebridge.hiring.models.stages import Section
from hirebridge.web import pipeline_filters
from hirebridge.web.pipeline_filters import GENERAL, Filters, State

PAGE_SIZE = 25
COUNT_CAP = 1000


@dataclass(frozen=True)
class Tally:
    """How many opportunities a stage holds, counted no further than COUNT_CAP: past it the
    exact figure would cost a read of the whole stage and tells a recruiter nothing more."""

    count: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.count + other.count, self.capped or other.capped)


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    tally: Tally
    link: str

    @property
    def count(self) -> int:
        return self.tally.count


@dataclass(frozen=True)
class Pager:
    """Page numbers over a count already known, so paging costs no second COUNT; over a
    capped count the number of pages is left unknown and the next page is looked for."""

    number: int
    num_pages: int | None
    has_next: bool

    @classmethod
    def over(cls, count: int, wanted: int) -> "Pager":
        """A page past the end shows the last one, as Django's Paginator.get_page does."""
        num_pages = max(1, -(-count // PAGE_SIZE))
        number = min(wanted, num_pages)
        return cls(number=number, num_pages=num_pages, has_next=number < num_pages)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def may_view_candidates(request: HttpRequest) -> dict[str, bool]:
    """For the navigation: the pipeline and candidate links are for roles that see candidates."""
    return {"may_view_candidates": policy.can(request.user, Action.VIEW_CANDIDATES)}


@require_GET
@login_required
def page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policy.can(user, Action.VIEW_CANDIDATES):
        raise PermissionDenied(
            "Seeing the pipeline needs the “View candidates” permission, "
            "which your role does not include."
        )
    filters = pipeline_filters.read(user, request.GET)
    context: dict[str, Any] = {
        "filters": filters,
        "choices": _filter_choices(user),
        "general": GENERAL,
        "states": State.CHOICES,
    }
    errors = dict(filters.errors)
    stages = list(Stage.objects.all())
    wanted_stage = request.GET.get("stage", "")
    if wanted_stage and wanted_stage not in {stage.id for stage in stages}:
        errors["stage"] = "No stage has this id; pick one from the bar."
    pager_number = _page_number(request.GET.get("page", ""), errors)
    if errors:
        context["errors"] = errors
        return render(request, "web/pipeline.html", context, status=400)

    opportunities = filters.apply(policy.visible_opportunities(user))
    tallies = _tallies(opportunities)
    counts = {stage_id: tally.count for stage_id, tally in tallies.items()}
    shown_stages = [stage for stage in stages if stage.active or counts[stage.id]]
    selected = _selected_stage(stages, shown_stages, counts, wanted_stage)
    pager, rows = Pager.over(0, wanted=1), list[Opportunity]()
    if selected is not None:
        in_stage = opportunities.filter(stage=selected)
        pager, rows = _page_of(in_stage, tallies[selected.id], wanted=pager_number)
    context.update(
        sections=_sections(shown_stages, tallies, filters),
        selected=selected,
        rows=rows,
        pager=pager,
        page_link=_link(filters, selected),
        move_stages=[stage for stage in stages if stage.active],
        # Every row is one the user may see, so the role alone decides, as can() would per row.
        may_move=policy.can(user, Action.CHANGE_OPPORTUNITY),
        here=request.get_full_path(),
        total=sum(tallies.values(), Tally(0)),
    )
    return render(request, "web/pipeline.html", context)


class _CountUpTo(Subquery):
    """COUNT(*) over a sliced subquery: how many rows it holds, up to its LIMIT."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _tallies(opportunities: QuerySet[Opportunity]) -> dict[str, Tally]:
    """Every stage's count in one query: per stage, a COUNT over at most COUNT_CAP + 1 rows."""
    in_stage = opportunities.filter(stage=OuterRef("pk")).order_by().values("pk")
    found = Stage.objects.annotate(found=_CountUpTo(in_stage[: COUNT_CAP + 1]))
    return {
        stage_id: Tally(min(n, COUNT_CAP), capped=n > COUNT_CAP)
        for stage_id, n in found.values_list("pk", "found")
    }


def _page_of(
    in_stage: QuerySet[Opportunity], tally: Tally, wanted: int
) -> tuple[Pager, list[Opportunity]]:
    """The page asked for and its rows. Past a capped count the rows tell whether a next page
    exists; only a page beyond the last of such a stage costs a full count, to find the last."""
    if not tally.capped:
        pager = Pager.over(tally.count, wanted)
        return pager, _rows(in_stage, pager.offset, PAGE_SIZE) if tally.count else []
    offset = (wanted - 1) * PAGE_SIZE
    rows = _rows(in_stage, offset, PAGE_SIZE + 1)
    if not rows:
        pager = Pager.over(in_stage.count(), wanted)
        return pager, _rows(in_stage, pager.offset, PAGE_SIZE)
    return Pager(wanted, num_pages=None, has_next=len(rows) > PAGE_SIZE), rows[:PAGE_SIZE]


def _rows(opportunities: QuerySet[Opportunity], offset: int, limit: int) -> list[Opportunity]:
    """Rows of a stage, most recently active first, with all a row shows in 3 queries."""
    return list(
        opportunities.select_related("candidate", "posting", "owner", "archive_reason")
        .prefetch_related("sources", "tags")
        .order_by("-last_interaction_at", "-pk")[offset : offset + limit]
    )


def _page_number(value: str, errors: dict[str, str]) -> int:
    if not value:
        return 1
    if not value.isdigit() or int(value) < 1:
        errors["page"] = "A page is a whole number from 1."
        return 1
    return int(value)


def _selected_stage(
    stages: list[Stage], shown: list[Stage], counts: dict[str, int], wanted: str
) -> Stage | None:
    """The stage asked for, else the first one holding opportunities, else the first."""
    if wanted:
        return next(stage for stage in stages if stage.id == wanted)
    return next((stage for stage in shown if counts.get(stage.id)), shown[0] if shown else None)


def _sections(
    stages: list[Stage], tallies: dict[str, Tally], filters: Filters
) -> list[tuple[str, list[StageCount]]]:
    """Stages under their section headers, in pipeline order (the Stage model's ordering)."""
    return [
        (
            section.label,
            [
                StageCount(stage, tallies[stage.id], _link(filters, stage))
                for stage in stages
                if stage.section == section
            ],
        )
        for section in Section
    ]


def _link(filters: Filters, stage: Stage | None) -> str:
    """The query string of a stage's list with the filters kept; paging appends `&page=`."""
    params = {**filters.query, **({"stage": stage.id} if stage else {})}
    return "?" + urlencode(params)


def _filter_choices(user: AnyUser) -> dict[str, Any]:
    return {
        "postings": policy.visible_postings(user).only("id", "title", "state"),
        "owners": User.objects.only("id", "name", "email", "deactivated_at"),
        "sources": Source.objects.all(),
        "origins": Origin.choices,
    }
