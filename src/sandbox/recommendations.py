"""Recommended Matches: a ranked stream of LinkedIn members for one synced job, each with the
reasons it fits, minus those a seat marked "Not interested" for that job.

LinkedIn needs a job's title and location to recommend anyone. Members are drawn from two small
pools (the job's city through the location index, and titles sharing a word with the job's,
each capped), then ranked with rapidfuzz: title similarity, same city, open to work.
"""

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from sandbox import jobs, records
from sandbox.errors import LinkedInError

POOL_LIMIT = 2000
COUNT_MAX = 100
TITLE_WORD_MIN = 3
STOP_WORDS = frozenset({"and", "the", "for", "with"})
# Score weights: title similarity (0-100) scaled to 60, same city 30, open to work 10.
TITLE_WEIGHT, CITY_POINTS, OPEN_POINTS = 0.6, 30.0, 10.0
TITLE_MATCH, TITLE_SIMILAR = 100.0, 70.0
# Open accounts that are not the organization's own recruiters.
OPEN_NOT_SEATED = "closed_at IS NULL AND id NOT IN (SELECT member_id FROM seats)"


@dataclass(frozen=True)
class Target:
    """What a job is matched on."""

    job_id: str
    title: str
    location: str

    @property
    def city(self) -> str:
        return city_of(self.location)


@dataclass
class Recommendation:
    member: dict[str, Any]
    score: float
    reasons: list[str] = field(default_factory=list)
    saved: bool = False


def city_of(location: str) -> str:
    return location.split(",", 1)[0].strip().lower()


def job(conn: sqlite3.Connection, client_id: str, organization: str, job_id: str) -> Target:
    """The synced job this widget recommends for; 404 when none, 422 without title or location."""
    body = records.get(conn, client_id, jobs.RESOURCE, job_id)
    if body is None or body.get("integrationContext") != organization:
        raise LinkedInError(404, f"No job {job_id!r} synced for {organization}")
    title, location = body.get("title"), body.get("location")
    missing = [
        name
        for name, value in (("title", title), ("location", location))
        if not isinstance(value, str) or not value.strip()
    ]
    if missing:
        raise LinkedInError(
            422,
            f"LinkedIn needs a job's title and location ('City, State' or 'City, Country') to "
            f"recommend members; job {job_id!r} has no {' and no '.join(missing)}",
        )
    return Target(job_id, str(title).strip(), str(location).strip())


def title_words(title: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return [w for w in dict.fromkeys(words) if len(w) >= TITLE_WORD_MIN and w not in STOP_WORDS]


def _pool(conn: sqlite3.Connection, target: Target) -> dict[int, sqlite3.Row]:
    escaped = target.city.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows: dict[int, sqlite3.Row] = {
        row["id"]: row
        for row in conn.execute(
            f"SELECT * FROM members WHERE location LIKE ? ESCAPE '\\' AND {OPEN_NOT_SEATED} "  # noqa: S608
            "LIMIT ?",
            (escaped + ",%", POOL_LIMIT),
        )
    }
    words = title_words(target.title)
    if words:
        any_word = " OR ".join(["instr(lower(title), ?) > 0"] * len(words))
        for row in conn.execute(
            f"SELECT * FROM members WHERE ({any_word}) AND {OPEN_NOT_SEATED} LIMIT ?",  # noqa: S608
            (*words, POOL_LIMIT),
        ):
            rows.setdefault(row["id"], row)
    return rows


def _rank(target: Target, member: sqlite3.Row) -> Recommendation:
    title_score = fuzz.token_sort_ratio(target.title.lower(), member["title"].lower())
    score, reasons = title_score * TITLE_WEIGHT, []
    if title_score >= TITLE_MATCH:
        reasons.append(f"title matches '{target.title}'")
    elif title_score >= TITLE_SIMILAR:
        reasons.append(f"title is similar to '{target.title}'")
    if city_of(member["location"]) == target.city:
        score += CITY_POINTS
        reasons.append(f"in {member['location'].split(',', 1)[0].strip()}")
    if member["open_to_work"]:
        score += OPEN_POINTS
        reasons.append("open to work")
    return Recommendation(dict(member), round(score, 1), reasons)


def stream(
    conn: sqlite3.Connection,
    client_id: str,
    target: Target,
    seat_id: int,
    start: int,
    count: int,
) -> tuple[list[Recommendation], bool]:
    """Members `start` to `start + count` of the stream, best first, and whether more follow."""
    dismissed = {
        row["member_id"]
        for row in conn.execute(
            "SELECT member_id FROM recommendation_dismissals "
            "WHERE client_id = ? AND external_job_posting_id = ? AND seat_id = ?",
            (client_id, target.job_id, seat_id),
        )
    }
    ranked = [
        _rank(target, member)
        for member_id, member in _pool(conn, target).items()
        if member_id not in dismissed
    ]
    ranked = [r for r in ranked if r.reasons]
    ranked.sort(key=lambda r: (-r.score, r.member["id"]))
    shown = ranked[start : start + count]
    saved = saved_members(conn, client_id, target.job_id, [r.member["id"] for r in shown])
    for recommendation in shown:
        recommendation.saved = recommendation.member["id"] in saved
    return shown, len(ranked) > start + count


def saved_members(
    conn: sqlite3.Connection, client_id: str, job_id: str, member_ids: list[int]
) -> set[int]:
    """Those of `member_ids` someone already exported to the job."""
    if not member_ids:
        return set()
    marks = ",".join("?" * len(member_ids))
    return {
        row["member_id"]
        for row in conn.execute(
            "SELECT DISTINCT member_id FROM exports WHERE client_id = ? "  # noqa: S608
            f"AND external_job_posting_id = ? AND member_id IN ({marks})",
            (client_id, job_id, *member_ids),
        )
    }


def not_interested(
    conn: sqlite3.Connection, client_id: str, job_id: str, seat_id: int, member_id: int, now: int
) -> None:
    """Hide the member from this seat's stream for this job (again: no change)."""
    conn.execute(
        "INSERT INTO recommendation_dismissals(client_id, external_job_posting_id, seat_id, "
        "member_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (client_id, job_id, seat_id, member_id, now),
    )
