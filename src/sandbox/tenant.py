"""The world a fresh sandbox starts with: apps, an organization, contracts, seats and members.

Members are drawn from pools of Faker values with one seeded generator, so a million of them
take seconds, and the same seed always gives the same people.
"""

import functools
import random
import sqlite3
import string
from collections.abc import Iterator
from dataclasses import dataclass

from faker import Faker

from sandbox.db import Database

ORGANIZATION_ID = 98765001
ORGANIZATION_NAME = "Acme Robotics"
CONTRACTS = [
    (70001001, "Acme Robotics Recruiter (EMEA)"),
    (70001002, "Acme Robotics Recruiter (US)"),
]
SEATS_PER_CONTRACT = (3, 2)
ORG_INTEGRATIONS = (
    "ONE_CLICK_EXPORT",
    "IN_ATS_INDICATOR",
    "PROFILE_PLUGIN",
    "RECOMMENDED_MATCHES",
    "UNIFIED_SEARCH",
)
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com")
_ID_CHARS = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Pools:
    first: list[str]
    last: list[str]
    titles: list[str]
    companies: list[str]
    cities: list[str]

    @classmethod
    @functools.cache
    def draw(cls, seed: int) -> "Pools":
        fake = Faker()
        fake.seed_instance(seed)
        return cls(
            first=sorted({fake.first_name() for _ in range(3000)}),
            last=sorted({fake.last_name() for _ in range(3000)}),
            titles=sorted({fake.job() for _ in range(1500)}),
            companies=sorted({fake.company() for _ in range(1500)}),
            cities=sorted({f"{fake.city()}, {fake.country()}" for _ in range(800)}),
        )


def person_id(rng: random.Random) -> str:
    return "".join(rng.choice(_ID_CHARS) for _ in range(10))


def members(count: int, seed: int, start_id: int = 1) -> Iterator[tuple]:
    """Rows for the members table, deterministic for a seed."""
    rng = random.Random(f"members:{seed}")
    pools = Pools.draw(seed)
    for member_id in range(start_id, start_id + count):
        first, last = rng.choice(pools.first), rng.choice(pools.last)
        title, company = rng.choice(pools.titles), rng.choice(pools.companies)
        slug = f"{first}-{last}-{member_id:x}".lower().replace(" ", "-")
        email = (
            f"{first}.{last}.{member_id}@{rng.choice(EMAIL_DOMAINS)}".lower().replace(" ", "")
            if rng.random() < 0.85
            else None
        )
        phone = f"+1 555 {rng.randrange(1_000_000, 9_999_999)}" if rng.random() < 0.35 else None
        yield (
            member_id,
            person_id(rng),
            first,
            last,
            f"{title} at {company}",
            rng.choice(pools.cities),
            title,
            company,
            email,
            phone,
            int(rng.random() < 0.25),
            f"https://www.linkedin.com/in/{slug}",
        )


def insert_members(conn: sqlite3.Connection, rows: Iterator[tuple], chunk: int = 50_000) -> int:
    sql = (
        "INSERT INTO members(id, person_id, first_name, last_name, headline, location, title, "
        "company, email, phone, open_to_work, profile_url) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    total, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            conn.executemany(sql, batch)
            total, batch = total + len(batch), []
    conn.executemany(sql, batch)
    return total + len(batch)


def credentials(rng: random.Random, prefix: str) -> tuple[str, str]:
    client_id = prefix + "".join(
        rng.choice(string.ascii_lowercase + string.digits) for _ in range(12)
    )
    secret = "".join(rng.choice(_ID_CHARS) for _ in range(16))
    return client_id, secret


def seed_if_new(
    db: Database, *, member_count: int, seed: int, now_ms: int, onboarded: bool = True
) -> bool:
    """Create the tenant in an empty database; False when one is there already."""
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM apps LIMIT 1").fetchone():
            return False
        rng = random.Random(seed)
        parent_id, parent_secret = credentials(rng, "86")
        child_id, child_secret = credentials(rng, "77")
        conn.execute(
            "INSERT INTO organizations(id, name) VALUES (?, ?)",
            (ORGANIZATION_ID, ORGANIZATION_NAME),
        )
        conn.executemany(
            "INSERT INTO contracts(id, organization_id, name) VALUES (?, ?, ?)",
            [(cid, ORGANIZATION_ID, name) for cid, name in CONTRACTS],
        )
        conn.execute(
            "INSERT INTO apps(client_id, client_secret, kind, name, created_at) "
            "VALUES (?, ?, 'parent', 'hirebridge partner application', ?)",
            (parent_id, parent_secret, now_ms),
        )
        conn.execute(
            "INSERT INTO apps(client_id, client_secret, kind, parent_client_id, app_key, "
            "unique_foreign_id, name, description, valid_js_sdk_domains, organization_id, "
            "created_at) VALUES (?, ?, 'child', ?, ?, 'demo-instance', ?, '', ?, ?, ?)",
            (
                child_id,
                child_secret,
                parent_id,
                f"urn:li:developerApplication:{rng.randrange(10**8)}",
                f"hirebridge - {ORGANIZATION_NAME}",
                "[]",
                ORGANIZATION_ID,
                now_ms,
            ),
        )
        _seat_holders(conn, rng, now_ms)
        insert_members(conn, members(member_count, seed, start_id=100))
        status = "ONBOARDED" if onboarded else "NOT_ONBOARDED"
        contexts = [(f"urn:li:organization:{ORGANIZATION_ID}", t) for t in ORG_INTEGRATIONS]
        contexts += [(f"urn:li:contract:{cid}", "CSA_API") for cid, _ in CONTRACTS]
        conn.executemany(
            "INSERT INTO integrations(client_id, integration_context, integration_type, "
            "tenant_type, data_provider, onboarding_status, onboarded_at) "
            "VALUES (?, ?, ?, 'RECRUITER', 'ATS', ?, ?)",
            [
                (child_id, ctx, kind, status, now_ms if onboarded else None)
                for ctx, kind in contexts
            ],
        )
    return True


def _seat_holders(conn: sqlite3.Connection, rng: random.Random, now_ms: int) -> None:
    """Recruiters of the organization: members themselves (ids below 100), each on one seat."""
    names = [
        ("Rita", "Recruiter"),
        ("Sourav", "Sourcer"),
        ("Hana", "Hiring"),
        ("Cole", "Coordinator"),
        ("Tess", "Talent"),
    ]
    member_id, seat_id = 1, 5_000_001
    for (contract_id, _), seats in zip(CONTRACTS, SEATS_PER_CONTRACT, strict=True):
        for index in range(seats):
            first, last = names[member_id - 1]
            email = f"{first}.{last}@acme-robotics.example".lower()
            conn.execute(
                "INSERT INTO members(id, person_id, first_name, last_name, headline, location, "
                "title, company, email, phone, open_to_work, profile_url) "
                "VALUES (?, ?, ?, ?, ?, 'Berlin, Germany', 'Recruiter', ?, ?, NULL, 0, ?)",
                (
                    member_id,
                    person_id(rng),
                    first,
                    last,
                    f"Recruiter at {ORGANIZATION_NAME}",
                    ORGANIZATION_NAME,
                    email,
                    f"https://www.linkedin.com/in/{first}-{last}".lower(),
                ),
            )
            conn.execute(
                "INSERT INTO seats(id, contract_id, member_id, first_name, last_name, email, "
                "state, admin, created_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)",
                (seat_id, contract_id, member_id, first, last, email, int(index == 0), now_ms),
            )
            member_id, seat_id = member_id + 1, seat_id + 1
