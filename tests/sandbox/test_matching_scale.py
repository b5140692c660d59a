"""Closest matches through blocking keys: a typo in one name still finds the member, each query
scores a bounded set of members, and every key is served by an index (no scan at 1M members)."""

import itertools
import sqlite3

import pytest

from sandbox import matching
from sandbox.db import Database
from sandbox.tenant import insert_members, members

_ids = itertools.count(1)


def member(first: str, last: str, email: str | None = None, company: str = "Initech") -> tuple:
    member_id = next(_ids)
    return (
        member_id,
        f"p{member_id}",
        first,
        last,
        f"Engineer at {company}",
        "Berlin, Germany",
        "Engineer",
        company,
        email,
        None,
        0,
        f"https://www.linkedin.com/in/{first}-{last}-{member_id}".lower(),
    )


@pytest.fixture
def conn(tmp_path):
    db = Database(tmp_path / "sandbox.sqlite3")
    db.create()
    with db.transaction() as conn:
        insert_members(conn, members(2_000, seed=7, start_id=10_000))
        insert_members(
            conn,
            iter(
                [
                    member("Ada", "Lovelace", "ada@example.com"),
                    member("Adam", "Lovell"),
                    member("Charles", "Babbage"),
                ]
            ),
        )
    with db.reading() as conn:
        yield conn


def closest_names(conn: sqlite3.Connection, **candidate: str) -> list[str]:
    return [m.name for m in matching.closest(conn, candidate)]


def test_it_finds_the_member_despite_a_typo_in_the_last_name(conn):
    found = closest_names(conn, firstName="Ada", lastName="Lovleace", currentCompanyName="Initech")
    assert found[0] == "Ada Lovelace"


def test_it_finds_the_member_despite_a_typo_in_the_first_letter_of_the_last_name(conn):
    found = closest_names(conn, firstName="Ada", lastName="Kovelace", currentCompanyName="Initech")
    assert found[0] == "Ada Lovelace"


def test_it_finds_the_member_despite_a_typo_in_the_first_name(conn):
    found = closest_names(conn, firstName="Charels", lastName="Babbage")
    assert found[0] == "Charles Babbage"


def test_names_match_whatever_their_case(conn):
    assert closest_names(conn, firstName="ada", lastName="LOVELACE")[0] == "Ada Lovelace"


def test_an_email_finds_the_member_under_another_name(conn):
    ranked = matching.closest(
        conn, {"firstName": "Augusta", "lastName": "King", "emailAddresses": ["ADA@example.com"]}
    )
    assert [(m.name, m.score, m.reasons) for m in ranked[:1]] == [
        ("Ada Lovelace", 100.0, ["email matches"])
    ]


def test_a_closed_member_is_not_offered(conn):
    conn.execute("UPDATE members SET closed_at = 1 WHERE last_name = 'Lovelace'")
    assert "Ada Lovelace" not in closest_names(conn, firstName="Ada", lastName="Lovelace")


def test_only_members_sharing_a_blocking_key_are_scored(conn):
    query = matching.Query.of({"firstName": "Ada", "lastName": "Lovleace"})
    block = matching.blocked(conn, query)
    names = {(row["first_name"], row["last_name"]) for row in block.by_name}
    assert ("Ada", "Lovelace") in names
    assert all(
        (first.lower() == "ada" and (last[0].lower() == "l" or last[-2:].lower() == "ce"))
        or (last.lower() == "lovleace" and (first[0].lower() == "a" or first[-2:] == "da"))
        for first, last in names
    )
    assert block.exact == []


def test_a_very_common_name_scores_a_bounded_number_of_members(conn, monkeypatch):
    monkeypatch.setattr(matching, "BLOCK_LIMIT", 50)
    insert_members(conn, iter([member("John", "Smith") for _ in range(300)]))
    block = matching.blocked(conn, matching.Query.of({"firstName": "John", "lastName": "Smith"}))
    assert 50 <= len(block) <= 200  # each of the four name blocks is capped at 50
    assert len(matching.closest(conn, {"firstName": "John", "lastName": "Smith"})) == 5


def test_a_query_scores_few_members_of_many(conn):
    generated = conn.execute(
        "SELECT first_name, last_name FROM members WHERE id >= 10000 ORDER BY id LIMIT 50"
    ).fetchall()
    sizes = [
        len(matching.blocked(conn, matching.Query.of({"firstName": f, "lastName": last})))
        for f, last in generated
    ]
    assert max(sizes) <= 20  # of 2,003 members


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (matching._BY_EMAIL, ('["ada@example.com"]',)),
        (matching._BY_PROFILE_URL, ("https://www.linkedin.com/in/ada",)),
        (matching._BY_LAST_NAME, ("Lovelace", "a", "b", 10)),
        (matching._BY_FIRST_NAME, ("Ada", "l", "m", 10)),
        (matching._BY_LAST_NAME_AND_ENDING, ("Lovelace", "da", 10)),
        (matching._BY_FIRST_NAME_AND_ENDING, ("Ada", "ce", 10)),
    ],
)
def test_every_blocking_key_is_served_by_an_index(conn, sql, params):
    plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "SEARCH members USING INDEX" in plan, plan
