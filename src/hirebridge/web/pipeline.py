"""The pipeline: the opportunities a user may see, counted per stage under Lever's sections
(Lead, Applicant, Interview, with Offer last), and one stage listed a page at a time.

The page stays quick at a million candidates: every count comes from one GROUP BY over the
filtered opportunities, and only the shown page of rows is read, with everything a row
displays fetched in a fixed number of queries.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
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


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    count: int
    link: str


@dataclass(frozen=True)
class Pager:
    """Page numbers over a count already known, so paging costs no second COUNT."""

    number: int
    num_pages: int

    @classmethod
    def over(cls, count: int, wanted: int) -> "Pager":
        """A page past the end shows the last one, as Django's Paginator.get_page does."""
        num_pages = max(1, -(-count // PAGE_SIZE))
        return cls(number=min(wanted, num_pages), num_pages=num_pages)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

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
    counts = dict(
        opportunities.order_by()
        .values("stage")
        .annotate(total=Count("pk"))
        .values_list("stage", "total")
    )
    shown_stages = [stage for stage in stages if stage.active or counts.get(stage.id)]
    selected = _selected_stage(stages, shown_stages, counts, wanted_stage)
    in_stage = counts.get(selected.id, 0) if selected else 0
    pager = Pager.over(in_stage, wanted=pager_number)
    rows = _rows(opportunities.filter(stage=selected), pager) if in_stage else []
    context.update(
        sections=_sections(shown_stages, counts, filters),
        selected=selected,
        rows=rows,
        pager=pager,
        page_link=_link(filters, selected),
        move_stages=[stage for stage in stages if stage.active],
        # Every row is one the user may see, so the role alone decides, as can() would per row.
        may_move=policy.can(user, Action.CHANGE_OPPORTUNITY),
        here=request.get_full_path(),
        total=sum(counts.values()),
    )
    return render(request, "web/pipeline.html", context)


def _rows(opportunities: QuerySet[Opportunity], pager: Pager) -> list[Opportunity]:
    """One page of a stage, most recently active first, with all a row shows in 3 queries."""
    return list(
        opportunities.select_related("candidate", "posting", "owner", "archive_reason")
        .prefetch_related("sources", "tags")
        .order_by("-last_interaction_at", "-pk")[pager.offset : pager.offset + PAGE_SIZE]
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
    stages: list[Stage], counts: dict[str, int], filters: Filters
) -> list[tuple[str, list[StageCount]]]:
    """Stages under their section headers, in pipeline order (the Stage model's ordering)."""
    return [
        (
            section.label,
            [
                StageCount(stage, counts.get(stage.id, 0), _link(filters, stage))
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
