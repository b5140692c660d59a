"""Candidate search: one function, two backends (SQLite FTS5, PostgreSQL full text).

Ranking is two-phase so that a term held by a third of a million rows costs about what a rare
one does: the index yields at most RANKED hits, newest first (a walk down document ids, which
grow with recency), and only those are ranked (ts_rank on PostgreSQL, field weights on SQLite:
see `scoring`). The trade-off: when more than RANKED candidates match, the results are the
best among the newest RANKED matches, not among all of them; narrower words or a filter reach
older ones. Pages go no deeper than RANKED.

The user's permission and every filter are conditions of the same SQL statement.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from hirebridge.accounts import policy
from hirebridge.hiring.models import Candidate, Opportunity
from hirebridge.search import fts5, pgsearch, terms
from hirebridge.search.models import SearchDocument

RANKED = 200
MAX_LIMIT = 100
# The facets of LinkedIn's Unified Search that an ATS holds, as document columns.
FACETS = {"location": "location", "title": "title", "company": "company"}


@dataclass(frozen=True)
class Results:
    candidate_ids: list[UUID]  # best first
    has_more: bool


def _bounds(limit: object, offset: object) -> tuple[int, int]:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit: expected a whole number from 1 to {MAX_LIMIT}")
    if not isinstance(offset, int) or offset < 0:
        raise ValueError("offset: expected a whole number, 0 or more")
    if offset + limit > RANKED:
        raise ValueError(f"offset: results go no further than the best {RANKED}; refine the search")
    return limit, offset


def _conditions(user: policy.AnyUser, tag: str, posting: str) -> list[Q | Exists] | None:
    """Conditions over SearchDocument for what the user may see and the tag and posting
    filters; None when the user may see no candidate at all."""
    visible = policy.visible_candidates(user)
    if visible.query.is_empty():
        return None
    conditions: list[Q | Exists] = []
    if visible.query.where:
        conditions.append(Exists(visible.filter(pk=OuterRef("candidate_id"))))
    if tag:
        on_candidate = Candidate.tags.through.objects.filter(
            candidate=OuterRef("candidate_id"), tag__text=tag
        )
        on_opportunity = Opportunity.tags.through.objects.filter(
            opportunity__candidate=OuterRef("candidate_id"), tag__text=tag
        )
        conditions.append(Q(Exists(on_candidate)) | Q(Exists(on_opportunity)))
    if posting:
        considered = policy.visible_opportunities(user).filter(
            candidate=OuterRef("candidate_id"), posting=terms.posting_id(posting)
        )
        conditions.append(Exists(considered))
    return conditions


def _where(conditions: list[Q | Exists]) -> tuple[str, list[Any]]:
    """The conditions as SQL over the unaliased document table, for the backends' statements."""
    query = SearchDocument.objects.filter(*conditions).query
    if not query.where:
        return "1 = 1", []
    sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    return sql, list(params)


def find(
    user: policy.AnyUser,
    query: str = "",
    *,
    location: str | None = None,
    title: str | None = None,
    company: str | None = None,
    tag: str | None = None,
    posting: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """The candidates `user` may see that match `query` and the filters, best first.

    Filters: location, title (current job title) and company (employer) match words of that
    field; tag is a tag's exact text; posting a posting's id. Bad input raises ValueError
    naming the field. Without words or text filters, the newest candidates come first.
    """
    limit, offset = _bounds(limit, offset)
    words = terms.parse(query)
    given = {"location": location, "title": title, "company": company}
    facets = {FACETS[f]: terms.text(f, v) for f, v in given.items() if v is not None}
    facets = {column: value for column, value in facets.items() if value}
    conditions = _conditions(
        user,
        terms.text("tag", tag) if tag is not None else "",
        terms.text("posting", posting) if posting is not None else "",
    )
    if conditions is None:
        return Results([], False)
    if not words and not facets:
        newest = SearchDocument.objects.filter(*conditions).order_by("-id")
        ids = list(newest.values_list("candidate_id", flat=True)[offset : offset + limit + 1])
    else:
        where = _where(conditions)
        backend = pgsearch if connection.vendor == "postgresql" else fts5
        ids = backend.ranked(words, facets, where, ranked=RANKED, limit=limit + 1, offset=offset)
        if not ids and words and offset == 0 and connection.vendor == "postgresql":
            ids = pgsearch.similar_names(words, facets, where, limit=limit + 1)
    return Results(ids[:limit], len(ids) > limit)
