"""Which LinkedIn members an organization's ATS already knows (the In-ATS indicator), and which
synced ATS candidates are nobody on LinkedIn.

A member is in the ATS when a synced atsCandidates record of the child app names them
(manualMatchedMember), carries their email, or carries their profile URL, or when a seat of
the organization exported them. The SQL runs over the app's candidate records each time (no
copy to keep in step with the candidate sync); member lookups go through indexes.
"""

import sqlite3

CANDIDATES = "atsCandidates"
PERSON_PREFIX_LENGTH = len("urn:li:person:")

# Parameters: client_id three times, then the organization id.
KNOWN_MEMBERS_SQL = f"""
    SELECT m.id FROM records r
    JOIN members m ON m.person_id = substr(
        json_extract(r.body, '$.manualMatchedMember'), {PERSON_PREFIX_LENGTH + 1})
    WHERE r.client_id = ? AND r.resource = '{CANDIDATES}'
    UNION
    SELECT m.id FROM records r, json_each(r.body, '$.emailAddresses') e
    JOIN members m ON m.email = lower(e.value)
    WHERE r.client_id = ? AND r.resource = '{CANDIDATES}'
    UNION
    SELECT m.id FROM records r
    JOIN members m
        ON m.profile_url = rtrim(lower(json_extract(r.body, '$.linkedInProfileUrl')), '/')
    WHERE r.client_id = ? AND r.resource = '{CANDIDATES}'
    UNION
    SELECT x.member_id FROM exports x JOIN seats s ON s.id = x.seat_id
    JOIN contracts c ON c.id = s.contract_id WHERE c.organization_id = ?
"""  # noqa: S608 (constants only)

# True for a candidate record `r` that no open member account matches.
UNMATCHED_CANDIDATE_SQL = """
    json_extract(r.body, '$.manualMatchedMember') IS NULL
    AND NOT EXISTS (
        SELECT 1 FROM json_each(r.body, '$.emailAddresses') e
        JOIN members m ON m.email = lower(e.value) WHERE m.closed_at IS NULL)
    AND NOT EXISTS (
        SELECT 1 FROM members m
        WHERE m.profile_url = rtrim(lower(json_extract(r.body, '$.linkedInProfileUrl')), '/')
        AND m.closed_at IS NULL)
"""


def known_members_args(client_id: str, organization_id: int) -> tuple[str, str, str, int]:
    return (client_id, client_id, client_id, organization_id)


def known_among(
    conn: sqlite3.Connection, client_id: str, organization_id: int, member_ids: list[int]
) -> set[int]:
    """Those of `member_ids` the ATS knows (a page of results at a time)."""
    if not member_ids:
        return set()
    marks = ",".join("?" * len(member_ids))
    rows = conn.execute(
        f"SELECT id FROM ({KNOWN_MEMBERS_SQL}) WHERE id IN ({marks})",  # noqa: S608
        (*known_members_args(client_id, organization_id), *member_ids),
    )
    return {row["id"] for row in rows}
