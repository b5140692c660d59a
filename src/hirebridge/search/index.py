"""Keeping the search documents current.

`refresh` is called by every writer of what a document holds (the pipeline services, merge)
inside the writer's transaction, so a search never sees a change the database does not have;
a deleted candidate's document goes with it (ON DELETE CASCADE in the ORM). `rebuild` writes
documents set-based (INSERT … SELECT, no Python per row) for bulk loads and repairs.
"""
# ruff: noqa: S608 - SQL is built from constants and table names; user text is a parameter

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from hirebridge.hiring.models import Candidate, CandidateEmail, Note, Opportunity, Tag
from hirebridge.search import schema

CHUNK = 500


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "candidate": quote(Candidate._meta.db_table),
        "email": quote(CandidateEmail._meta.db_table),
        "note": quote(Note._meta.db_table),
        "opportunity": quote(Opportunity._meta.db_table),
        "tag": quote(Tag._meta.db_table),
        "candidate_tag": quote(Candidate.tags.through._meta.db_table),
        "opportunity_tag": quote(Opportunity.tags.through._meta.db_table),
    }


def _source_select(where: str) -> str:
    """The candidates' document texts, oldest first so that document ids follow recency."""
    t = _tables()
    join = "group_concat({0}, ' ')" if connection.vendor == "sqlite" else "string_agg({0}, ' ')"
    fold = "{0}" if connection.vendor == "sqlite" else "search_fold({0})"
    texts = [
        "c.name",
        "c.headline",
        "c.current_company",
        "c.current_title",
        "c.location",
        f"(SELECT {join.format('e.email')} FROM {t['email']} e WHERE e.candidate_id = c.id)",
        f"(SELECT {join.format('g.text')} FROM {t['tag']} g WHERE g.id IN ("
        f"SELECT ct.tag_id FROM {t['candidate_tag']} ct WHERE ct.candidate_id = c.id UNION "
        f"SELECT ot.tag_id FROM {t['opportunity_tag']} ot JOIN {t['opportunity']} o"
        " ON o.id = ot.opportunity_id WHERE o.candidate_id = c.id))",
        f"(SELECT {join.format('n.body')} FROM {t['note']} n WHERE n.candidate_id = c.id)",
    ]
    columns = ", ".join(fold.format(f"coalesce({text}, '')") for text in texts)
    return (
        f"SELECT c.id, {columns} FROM {t['candidate']} c WHERE {where} ORDER BY c.created_at, c.id"
    )


def _insert(where: str, params: list[Any], *, upsert: bool) -> None:
    columns = ", ".join(schema.TEXT_COLUMNS)
    select = _source_select(where)
    if connection.vendor == "postgresql":
        select = (
            f"SELECT s.*, setweight(to_tsvector('simple', s.name), 'A')"
            " || setweight(to_tsvector('simple', s.title || ' ' || s.company), 'B')"
            " || setweight(to_tsvector('simple', s.emails || ' ' || s.tags || ' ' || s.headline"
            " || ' ' || s.location), 'C') || setweight(to_tsvector('simple', s.notes), 'D')"
            f" FROM ({select}) s(candidate_id, {columns})"
        )
        columns += ", document"
    sql = f"INSERT INTO {schema.DOCUMENTS} (candidate_id, {columns}) {select}"
    if upsert:
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns.split(", "))
        sql += f" ON CONFLICT (candidate_id) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refresh(candidate_ids: Iterable[UUID]) -> None:
    """Rewrite the documents of these candidates from what the database holds now.

    The candidates stay locked until the writer commits, so two writers of one candidate
    take turns and the second reads what the first wrote (no document misses either change).
    """
    ids = sorted(set(candidate_ids))
    prepared = [
        Candidate._meta.pk.get_db_prep_value(pk, connection)  # type: ignore[union-attr]
        for pk in ids
    ]
    with transaction.atomic():
        list(Candidate.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        for start in range(0, len(prepared), CHUNK):
            chunk = prepared[start : start + CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            _insert(f"c.id IN ({placeholders})", chunk, upsert=True)


@transaction.atomic
def rebuild(candidate_ids: Iterable[UUID] | None = None) -> int:
    """Write the documents of these candidates (of all, by default); returns how many
    candidates that was. A full rebuild replaces every document and builds the index once, at
    the end; searches and writers wait for it (the table is locked until it commits)."""
    if candidate_ids is not None:
        ids = list(candidate_ids)
        refresh(ids)
        return len(ids)
    schema.drop_index(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {schema.DOCUMENTS}")
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Tables just bulk-loaded may have no statistics yet, and the per-candidate lookups
            # below, planned as if on empty tables, may become scans.
            for table in _tables().values():
                cursor.execute(f"ANALYZE {table}")
        _insert("1 = 1", [], upsert=False)
        cursor.execute(f"SELECT count(*) FROM {schema.DOCUMENTS}")
        (count,) = cursor.fetchone()
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with deferred foreign key checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema.create_index(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys, as before
            # The planner picks the GIN index or the walk down ids from the words' frequencies.
            cursor.execute(f"ANALYZE {schema.DOCUMENTS}")
    return count
