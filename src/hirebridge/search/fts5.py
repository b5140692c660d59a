"""SQLite FTS5: the MATCH walks the index newest first and stops after `ranked` hits that pass
the conditions; `scoring` ranks those. Text filters are FTS5 column filters, so the index
serves them too (a filter FTS5 cannot serve would make SQLite test every hit)."""
# ruff: noqa: S608 - SQL is built from constants and table names; user text is a parameter

from typing import Any
from uuid import UUID

from django.db import connection

from hirebridge.search import schema, scoring
from hirebridge.search.terms import Term


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def match_expression(words: list[Term], facets: dict[str, str]) -> str:
    """An FTS5 query in which every piece of user text is a quoted string."""
    parts = [_quoted(w.text) + ("*" if w.prefix else "") for w in words]
    parts += [f"{column} : {_quoted(value)}" for column, value in facets.items()]
    return " AND ".join(parts)


def ranked(
    words: list[Term],
    facets: dict[str, str],
    where: tuple[str, list[Any]],
    *,
    ranked: int,
    limit: int,
    offset: int,
) -> list[UUID]:
    condition, params = where
    docs, fts = schema.DOCUMENTS, schema.FTS
    joined = f" || char({ord(scoring.SEPARATOR)}) || ".join(
        f"{docs}.{column}" for column in scoring.WEIGHTS
    )
    sql = (
        f"SELECT {docs}.candidate_id, {joined} FROM {fts} JOIN {docs} ON {docs}.id = {fts}.rowid"
        f" WHERE {fts} MATCH %s AND {condition} ORDER BY {fts}.rowid DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match_expression(words, facets), *params, ranked])
        hits = cursor.fetchall()
    scorer = scoring.Scorer(words)
    scored = [
        (scorer.score(columns), -n, pk)
        for n, (pk, columns) in enumerate(hits)  # newest first: -n breaks ties to recency
    ]
    scored.sort(reverse=True)
    return [UUID(pk) if isinstance(pk, str) else pk for _, _, pk in scored[offset : offset + limit]]
