"""Which LinkedIn member an ATS candidate is: exact email or profile URL first, then fuzzy scores
on name, employer and location (rapidfuzz). Used by atsCandidates and the profile plugin."""

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

# Below this a fuzzy candidate is not offered as a match at all.
MIN_SCORE = 60.0


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


def _fields(candidate: dict[str, Any]) -> tuple[str, list[str], str, str, str]:
    name = f"{candidate.get('firstName', '')} {candidate.get('lastName', '')}".strip()
    emails = [e.lower() for e in candidate.get("emailAddresses") or [] if isinstance(e, str)]
    if isinstance(candidate.get("emailAddress"), str):
        emails.append(candidate["emailAddress"].lower())
    addresses = candidate.get("addresses") or []
    city = next((a.get("city", "") for a in addresses if isinstance(a, dict)), "")
    return (
        name,
        emails,
        str(candidate.get("currentCompanyName") or ""),
        str(city or candidate.get("location") or ""),
        str(candidate.get("linkedInProfileUrl") or "").rstrip("/").lower(),
    )


def closest(conn: sqlite3.Connection, candidate: dict[str, Any], limit: int = 5) -> list[Match]:
    """Members ranked by how well they fit the candidate, best first, with the reasons why."""
    name, emails, company, location, profile_url = _fields(candidate)
    rows: dict[int, sqlite3.Row] = {}
    if emails:
        marks = ",".join("?" * len(emails))
        for row in conn.execute(
            f"SELECT * FROM members WHERE lower(email) IN ({marks}) "  # noqa: S608
            "AND closed_at IS NULL",
            emails,
        ):
            rows[row["id"]] = row
    if profile_url:
        for row in conn.execute(
            "SELECT * FROM members WHERE lower(profile_url) = ? AND closed_at IS NULL",
            (profile_url,),
        ):
            rows[row["id"]] = row
    last = str(candidate.get("lastName") or "").strip()
    if last:
        for row in conn.execute(
            "SELECT * FROM members WHERE last_name = ? COLLATE NOCASE "
            "AND closed_at IS NULL LIMIT 2000",
            (last,),
        ):
            rows.setdefault(row["id"], row)
    matches = [_score(row, name, emails, company, location, profile_url) for row in rows.values()]
    matches = [m for m in matches if m.score >= MIN_SCORE]
    matches.sort(key=lambda m: (-m.score, m.member_id))
    return matches[:limit]


def _score(
    row: sqlite3.Row, name: str, emails: list[str], company: str, location: str, profile_url: str
) -> Match:
    member_name = f"{row['first_name']} {row['last_name']}"
    reasons: list[str] = []
    if row["email"] and row["email"].lower() in emails:
        score, reasons = 100.0, ["email matches"]
    elif profile_url and row["profile_url"].rstrip("/").lower() == profile_url:
        score, reasons = 99.0, ["LinkedIn profile URL matches"]
    else:
        name_score = fuzz.token_sort_ratio(name, member_name)
        score = name_score * 0.7
        if name_score >= 85:
            reasons.append("name matches" if name_score == 100 else "name is similar")
        if company:
            company_score = fuzz.token_set_ratio(company, row["company"])
            score += company_score * 0.2
            if company_score >= 85:
                reasons.append("same employer")
        else:
            score += 10
        if location:
            location_score = fuzz.partial_ratio(location.lower(), row["location"].lower())
            score += location_score * 0.1
            if location_score >= 85:
                reasons.append("same location")
        else:
            score += 5
        score = min(score, 98.0)
    return Match(
        row["id"],
        row["person_id"],
        member_name,
        row["headline"],
        row["location"],
        round(score, 1),
        reasons,
    )


def best(conn: sqlite3.Connection, candidate: dict[str, Any]) -> list[str]:
    """LinkedIn's algorithmic `matchedMembers`: exact matches, or the one clear fuzzy winner."""
    ranked = closest(conn, candidate, limit=3)
    exact = [m.urn for m in ranked if m.score >= 99]
    if exact:
        return exact
    return [ranked[0].urn] if ranked and ranked[0].score >= 85 else []
