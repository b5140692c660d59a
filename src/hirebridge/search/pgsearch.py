"""PostgreSQL full text: a stored, weighted tsvector with a GIN index, and trigram similarity
on names for typos.

The tsquery is built by the database from the user's text (phraseto_tsquery over the same
folding as the documents), then sent back as a constant so the planner can weigh it: for a
rare word it reads the GIN index; for a common one it walks document ids backwards and stops
after `ranked` hits. ts_rank ranks only those.
"""
# ruff: noqa: S608 - SQL is built from constants and table names; user text is a parameter

from typing import Any
from uuid import UUID

from django.db import connection, transaction

from hirebridge.search import schema
from hirebridge.search.terms import Term

# Typo tolerance, tried in turn until one finds someone: a close name is found at once from a
# selective index read; only a wild one ("jon smtih" is 0.24 from "john smith") reads more.
NAME_SIMILARITY = (0.5, 0.35, 0.2)

_PHRASE = "phraseto_tsquery('simple', search_fold(%s))"
_PREFIX = (
    f"(SELECT CASE WHEN numnode(p) = 0 THEN p ELSE (p::text || ':*')::tsquery END FROM {_PHRASE} p)"
)


def _tsqueries(words: list[Term], facets: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The whole query and each facet's own phrase, as tsquery text ('' when nothing is left)."""
    pieces = [_PREFIX if w.prefix else _PHRASE for w in words] + [_PHRASE] * len(facets)
    values = [w.text for w in words] + list(facets.values())
    whole = " && ".join(pieces)
    each = ", ".join(f"({_PHRASE})::text" for _ in facets)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN numnode(q) = 0 THEN '' ELSE q::text END{', ' if each else ''}{each}"
            f" FROM (SELECT {whole} AS q) query",
            [*facets.values(), *values],
        )
        row = cursor.fetchone()
    return row[0], dict(zip(facets, row[1:], strict=True))


def _facet_checks(facets: dict[str, str]) -> tuple[str, list[str]]:
    """Each facet's phrase must be in its own field, not just anywhere in the document."""
    sql = "".join(f" AND to_tsvector('simple', {column}) @@ %s::tsquery" for column in facets)
    return sql, list(facets.values())


def ranked(
    words: list[Term],
    facets: dict[str, str],
    where: tuple[str, list[Any]],
    *,
    ranked: int,
    limit: int,
    offset: int,
) -> list[UUID]:
    query, facet_queries = _tsqueries(words, facets)
    if not query or not all(facet_queries.values()):
        return []
    condition, params = where
    checks, check_params = _facet_checks(facet_queries)
    docs = schema.DOCUMENTS
    sql = (
        f"SELECT candidate_id FROM (SELECT candidate_id, id, document FROM {docs}"
        f" WHERE document @@ %s::tsquery{checks} AND {condition} ORDER BY id DESC LIMIT %s) hits"
        " ORDER BY ts_rank(document, %s::tsquery) DESC, id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, *check_params, *params, ranked, query, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def similar_names(
    words: list[Term], facets: dict[str, str], where: tuple[str, list[Any]], *, limit: int
) -> list[UUID]:
    """Candidates whose name is close to the words (a typo), most similar first, at the
    strictest similarity that finds any."""
    _, facet_queries = _tsqueries([], facets) if facets else ("", {})
    if not all(facet_queries.values()):
        return []
    condition, params = where
    checks, check_params = _facet_checks(facet_queries)
    name = " ".join(w.text for w in words)
    docs = schema.DOCUMENTS
    with transaction.atomic(), connection.cursor() as cursor:
        for threshold in NAME_SIMILARITY:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(threshold)]
            )
            cursor.execute(
                f"SELECT candidate_id FROM {docs} WHERE name %% search_fold(%s){checks}"
                f" AND {condition} ORDER BY similarity(name, search_fold(%s)) DESC, id DESC"
                " LIMIT %s",
                [name, *check_params, *params, name, limit],
            )
            if found := [row[0] for row in cursor.fetchall()]:
                return found
    return []
