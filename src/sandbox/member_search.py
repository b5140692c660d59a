"""Unified Search: one set of facets run over the organization's synced ATS candidates and over
LinkedIn's members, as two groups of results.

With a million members nothing here scans without a filter: the widget asks for one first, a
location filter walks the location index, and every query stops at one row past the page.
"""

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox import in_ats
from sandbox.errors import bad_request

PAGE_SIZE = 25
TEXT_MAX = 200
VALUES_MAX = 10  # locations or titles in one search
MEMBER_FIELDS = ("first_name || ' ' || last_name", "headline", "title", "company", "location")
# What an ATS candidate's keywords and facets are matched against.
CANDIDATE_NAME = "coalesce(json_extract(r.body, '$.firstName'), '') || ' ' || "
CANDIDATE_NAME += "coalesce(json_extract(r.body, '$.lastName'), '')"
CANDIDATE_TITLE = "coalesce(json_extract(r.body, '$.currentJobTitle'), '')"
CANDIDATE_COMPANY = "coalesce(json_extract(r.body, '$.currentCompanyName'), '')"
CANDIDATE_LOCATION = (
    "rtrim(coalesce(json_extract(r.body, '$.addresses[0].city') || ', ', '') || "
    "coalesce(json_extract(r.body, '$.addresses[0].geographicArea') || ', ', '') || "
    "coalesce(json_extract(r.body, '$.addresses[0].country'), ''), ', ')"
)


@dataclass(frozen=True)
class Filters:
    keywords: str = ""
    open_to_work: bool = False
    locations: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    only_in_ats: bool = False

    @classmethod
    def parse(cls, params: list[tuple[str, str]]) -> "Filters":
        """The facets of a search form, checked; 400 naming the field."""

        def values(name: str) -> tuple[str, ...]:
            given = tuple(v.strip() for k, v in params if k == name and v.strip())
            if len(given) > VALUES_MAX:
                raise bad_request(f"{name}: at most {VALUES_MAX} values (got {len(given)})")
            for value in given:
                _short(value, name)
            return given

        keywords = _short(next((v for k, v in params if k == "keywords"), "").strip(), "keywords")
        return cls(
            keywords=keywords,
            open_to_work=_flag(params, "openToWork"),
            locations=values("location"),
            titles=values("title"),
            only_in_ats=_flag(params, "onlyInAts"),
        )

    @property
    def empty(self) -> bool:
        return self == Filters()

    def params(self) -> list[tuple[str, str]]:
        """The query parameters that give these filters back."""
        pairs = [("keywords", self.keywords)] if self.keywords else []
        pairs += [("openToWork", "on")] if self.open_to_work else []
        pairs += [("location", value) for value in self.locations]
        pairs += [("title", value) for value in self.titles]
        pairs += [("onlyInAts", "on")] if self.only_in_ats else []
        return pairs


def _short(value: str, name: str) -> str:
    if len(value) > TEXT_MAX:
        raise bad_request(f"{name}: at most {TEXT_MAX} characters (got {len(value)})")
    return value


def _flag(params: list[tuple[str, str]], name: str) -> bool:
    given = [v for k, v in params if k == name]
    if any(v not in ("on", "true") for v in given):
        raise bad_request(f"{name}: expected 'on' or 'true' when given")
    return bool(given)


@dataclass
class Page:
    rows: list[Any]
    number: int
    more: bool

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1


def _escaped(value: str) -> str:
    """A value for LIKE … ESCAPE '\\' with its wildcards taken literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_any(expression: str, values: tuple[str, ...], pattern: str) -> tuple[str, list[str]]:
    """One SQL condition: the expression is LIKE one of the values (ASCII case folded, as
    SQLite's LIKE does), `pattern` placing the value, e.g. '{}%' for a prefix."""
    condition = " OR ".join([f"{expression} LIKE ? ESCAPE '\\'"] * len(values))
    return f"({condition})", [pattern.format(_escaped(value)) for value in values]


def _contains_all(fields: tuple[str, ...], words: list[str]) -> tuple[list[str], list[str]]:
    """SQL conditions and arguments: every word somewhere in the fields (one LIKE per word over
    the fields joined by spaces: a word has no space, so it cannot straddle two fields)."""
    joined = " || ' ' || ".join(fields)
    where: list[str] = []
    args: list[str] = []
    for word in words:
        condition, arg = _like_any(f"({joined})", (word,), "%{}%")
        where.append(condition)
        args += arg
    return where, args


def _one_page(
    conn: sqlite3.Connection, sql: str, args: list[Any], page: int
) -> tuple[list[Any], bool]:
    rows = conn.execute(sql + " LIMIT ? OFFSET ?", [*args, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE])
    fetched = rows.fetchall()
    return fetched[:PAGE_SIZE], len(fetched) > PAGE_SIZE


def members(
    conn: sqlite3.Connection, client_id: str, organization_id: int, filters: Filters, page: int
) -> Page:
    """Open LinkedIn accounts matching every facet, each with `in_ats` (the indicator)."""
    where, words = _contains_all(MEMBER_FIELDS, filters.keywords.split())
    args: list[Any] = list(words)
    where.append("closed_at IS NULL")
    if filters.open_to_work:
        where.append("open_to_work = 1")
    for expression, values, pattern in (
        ("location", filters.locations, "{}%"),
        ("title", filters.titles, "%{}%"),
    ):
        if values:
            condition, values_args = _like_any(expression, values, pattern)
            where.append(condition)
            args += values_args
    if filters.only_in_ats:
        where.append(f"id IN ({in_ats.KNOWN_MEMBERS_SQL})")
        args += in_ats.known_members_args(client_id, organization_id)
    rows, more = _one_page(
        conn,
        f"SELECT * FROM members WHERE {' AND '.join(where)} ORDER BY id",  # noqa: S608
        args,
        page,
    )
    known = in_ats.known_among(conn, client_id, organization_id, [row["id"] for row in rows])
    hits = [{**dict(row), "in_ats": row["id"] in known} for row in rows]
    return Page(hits, page, more)


def ats_only_candidates(
    conn: sqlite3.Connection, client_id: str, filters: Filters, page: int
) -> Page:
    """Synced candidates of the app that match the facets and are no LinkedIn member.

    ATS candidates carry no open-to-work signal, so that facet leaves this group empty.
    """
    if filters.open_to_work:
        return Page([], page, False)
    fields = (CANDIDATE_NAME, CANDIDATE_TITLE, CANDIDATE_COMPANY, CANDIDATE_LOCATION)
    where, args = _contains_all(fields, filters.keywords.split())
    for expression, values, pattern in (
        (CANDIDATE_LOCATION, filters.locations, "{}%"),
        (CANDIDATE_TITLE, filters.titles, "%{}%"),
    ):
        if values:
            condition, values_args = _like_any(expression, values, pattern)
            where.append(condition)
            args += values_args
    where.append(in_ats.UNMATCHED_CANDIDATE_SQL)
    rows, more = _one_page(
        conn,
        "SELECT r.body FROM records r WHERE r.client_id = ? AND r.resource = ? AND "  # noqa: S608
        + " AND ".join(where)
        + " ORDER BY r.created_at, r.record_key",
        [client_id, in_ats.CANDIDATES, *args],
        page,
    )
    return Page([_candidate_view(json.loads(row["body"])) for row in rows], page, more)


def _candidate_view(body: dict[str, Any]) -> dict[str, str]:
    address = next((a for a in body.get("addresses") or [] if isinstance(a, dict)), {})
    location = ", ".join(
        str(address[part]) for part in ("city", "geographicArea", "country") if address.get(part)
    )
    return {
        "name": f"{body.get('firstName', '')} {body.get('lastName', '')}".strip(),
        "title": str(body.get("currentJobTitle") or ""),
        "company": str(body.get("currentCompanyName") or ""),
        "location": location,
        "profile_url": str(body.get("externalProfileUrl") or ""),
    }
