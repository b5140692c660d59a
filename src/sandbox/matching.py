"""Which LinkedIn member an ATS candidate is: exact email or profile URL first, then fuzzy scores
on name, employer and location (rapidfuzz). Used by atsCandidates and the profile plugin.

Scoring every member is far too slow at a million of them, so a query scores only the members
its blocking keys find through an index: the same email, the same profile URL, or one name the
same and the other sharing its first letter or its last two. One typo in a name therefore still
finds the member (it spares either the first letter or the last two), and each name block is
capped so a very common name cannot make a query score thousands.
"""
# ruff: noqa: S608 - SQL is built from this module's column names; values are parameters

import heapq
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

# Below this a fuzzy candidate is not offered as a match at all.
MIN_SCORE = 60.0
# Members taken from each name block, so a query scores at most 4 times this plus its exact hits.
BLOCK_LIMIT = 250

# Members' emails and profile URLs are stored lower-case (tenant.py), so their plain indexes serve
# the exact keys; the name keys use the NOCASE indexes on (last, first) and (first, last).
_MEMBERS = (
    "SELECT id, person_id, first_name, last_name, headline, location, company, email, "
    "profile_url FROM members WHERE closed_at IS NULL AND "
)
_BY_EMAIL = _MEMBERS + "email IN (SELECT value FROM json_each(?))"
_BY_PROFILE_URL = _MEMBERS + "profile_url = ?"


def _name_block(exact: str, other: str, *, by_initial: bool) -> str:
    """Members with `exact` equal to a name, and `other` starting with a letter range (by
    initial) or ending in the same two letters."""
    near = (
        f"{other} >= ? COLLATE NOCASE AND {other} < ? COLLATE NOCASE"
        if by_initial
        else f"substr({other}, -2) = ? COLLATE NOCASE"
    )
    return _MEMBERS + f"{exact} = ? COLLATE NOCASE AND {near} LIMIT ?"


_BY_LAST_NAME = _name_block("last_name", "first_name", by_initial=True)
_BY_FIRST_NAME = _name_block("first_name", "last_name", by_initial=True)
_BY_LAST_NAME_AND_ENDING = _name_block("last_name", "first_name", by_initial=False)
_BY_FIRST_NAME_AND_ENDING = _name_block("first_name", "last_name", by_initial=False)


@dataclass
class Match:
    member_id: int
    person_id: str
    name: str
    headline: str
    location: str
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.person_id}"


@dataclass(frozen=True)
class Query:
    """What of an atsCandidates record matching looks at, normalised once."""

    first: str
    last: str
    name: str  # lower-cased: names are compared whatever their case
    emails: tuple[str, ...]
    company: str
    location: str  # lower-cased for partial matching
    profile_url: str

    @classmethod
    def of(cls, candidate: dict[str, Any]) -> "Query":
        emails = [e.lower() for e in candidate.get("emailAddresses") or [] if isinstance(e, str)]
        if isinstance(candidate.get("emailAddress"), str):
            emails.append(candidate["emailAddress"].lower())
        addresses = candidate.get("addresses") or []
        city = next((a.get("city", "") for a in addresses if isinstance(a, dict)), "")
        first = str(candidate.get("firstName") or "").strip()
        last = str(candidate.get("lastName") or "").strip()
        return cls(
            first=first,
            last=last,
            name=f"{first} {last}".strip().lower(),
            emails=tuple(dict.fromkeys(emails)),
            company=str(candidate.get("currentCompanyName") or ""),
            location=str(city or candidate.get("location") or "").lower(),
            profile_url=str(candidate.get("linkedInProfileUrl") or "").rstrip("/").lower(),
        )


def closest(conn: sqlite3.Connection, candidate: dict[str, Any], limit: int = 5) -> list[Match]:
    """Members ranked by how well they fit the candidate, best first, with the reasons why."""
    query = Query.of(candidate)
    return rank(blocked(conn, query), query, limit)


@dataclass
class Block:
    """The open members worth scoring for one query: exact hits and those sharing a name key."""

    exact: list[sqlite3.Row]
    by_name: list[sqlite3.Row]

    def __len__(self) -> int:
        return len(self.exact) + len(self.by_name)


def blocked(conn: sqlite3.Connection, query: Query) -> Block:
    """Every open member sharing an exact key with `query`, and up to BLOCK_LIMIT per name key."""
    exact: dict[int, sqlite3.Row] = {}
    if query.emails:
        emails = json.dumps(query.emails)
        exact.update((r["id"], r) for r in conn.execute(_BY_EMAIL, (emails,)))
    if query.profile_url:
        exact.update((r["id"], r) for r in conn.execute(_BY_PROFILE_URL, (query.profile_url,)))
    by_name: dict[int, sqlite3.Row] = {}
    for sql, params in _name_blocks(query):
        for row in conn.execute(sql, (*params, BLOCK_LIMIT)):
            if row["id"] not in exact:
                by_name[row["id"]] = row
    return Block(list(exact.values()), list(by_name.values()))


def _name_blocks(query: Query) -> list[tuple[str, tuple[str, ...]]]:
    """(SQL, parameters) of each name key: one name the same, the other's first letter or last
    two the same (with no first name, every member of that last name, up to the cap)."""
    if not query.last:
        return []
    if not query.first:
        return [(_BY_LAST_NAME, (query.last, "", chr(0x10FFFF)))]
    return [
        (_BY_LAST_NAME, (query.last, *_initial_range(query.first))),
        (_BY_FIRST_NAME, (query.first, *_initial_range(query.last))),
        (_BY_LAST_NAME_AND_ENDING, (query.last, query.first[-2:])),
        (_BY_FIRST_NAME_AND_ENDING, (query.first, query.last[-2:])),
    ]


def _initial_range(name: str) -> tuple[str, str]:
    """Bounds, under NOCASE, of the names sharing `name`'s first letter."""
    initial = name[0].lower()
    return initial, chr(min(ord(initial) + 1, 0x10FFFF))


def rank(block: Block, query: Query, limit: int) -> list[Match]:
    """The `limit` best-scoring members of `block` at or above MIN_SCORE, best first."""
    if limit < 1:
        return []
    exact = [_exact_match(row, query) for row in block.exact]
    totals = ((_total(_parts(row, query)), row) for row in block.by_name)
    fuzzy = heapq.nsmallest(
        limit, ((-total, row["id"], row) for total, row in totals if total >= MIN_SCORE)
    )
    fuzzy_matches = [_fuzzy_match(row, query) for _, _, row in fuzzy]
    return sorted([*exact, *fuzzy_matches], key=lambda m: (-m.score, m.member_id))[:limit]


def _full_name(row: sqlite3.Row) -> str:
    return f"{row['first_name']} {row['last_name']}"


def _exact_match(row: sqlite3.Row, query: Query) -> Match:
    """A member found by the candidate's email (100) or, failing that, profile URL (99)."""
    if row["email"] in query.emails:
        return _match(row, 100.0, ["email matches"])
    return _match(row, 99.0, ["LinkedIn profile URL matches"])


def _parts(row: sqlite3.Row, query: Query) -> tuple[float, float | None, float | None]:
    """Name, employer and location similarity (0-100); None where the candidate has none."""
    return (
        fuzz.token_sort_ratio(query.name, _full_name(row).lower()),
        fuzz.token_set_ratio(query.company, row["company"]) if query.company else None,
        fuzz.partial_ratio(query.location, row["location"].lower()) if query.location else None,
    )


def _total(parts: tuple[float, float | None, float | None]) -> float:
    """Name weighs 70, employer 20, location 10; a part the candidate lacks gives half marks."""
    name, company, location = parts
    score = name * 0.7
    score += 10 if company is None else company * 0.2
    score += 5 if location is None else location * 0.1
    return round(min(score, 98.0), 1)


def _fuzzy_match(row: sqlite3.Row, query: Query) -> Match:
    parts = _parts(row, query)
    name, company, location = parts
    reasons = []
    if name >= 85:
        reasons.append("name matches" if name == 100 else "name is similar")
    if company is not None and company >= 85:
        reasons.append("same employer")
    if location is not None and location >= 85:
        reasons.append("same location")
    return _match(row, _total(parts), reasons)


def _match(row: sqlite3.Row, score: float, reasons: list[str]) -> Match:
    return Match(
        row["id"],
        row["person_id"],
        _full_name(row),
        row["headline"],
        row["location"],
        score,
        reasons,
    )


def best(conn: sqlite3.Connection, candidate: dict[str, Any]) -> list[str]:
    """LinkedIn's algorithmic `matchedMembers`: exact matches, or the one clear fuzzy winner."""
    ranked = closest(conn, candidate, limit=3)
    exact = [m.urn for m in ranked if m.score >= 99]
    if exact:
        return exact
    return [ranked[0].urn] if ranked and ranked[0].score >= 85 else []
