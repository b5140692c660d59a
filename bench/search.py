"""Candidate search latency at 10k/100k/1M candidates on SQLite FTS5 and PostgreSQL, against
the database's own floor (a plain indexed lookup on the same table, in the same run).

    uv run python bench/search.py [--sizes 10000,100000] [--backends sqlite,postgresql]
                                  [--queries 60] [--reuse] [--pg-prefix bench_search]
                                  [--json PATH]

Each (backend, size) runs in its own process (Django is configured once per process): it
builds the candidates with bulk inserts (executemany on SQLite, COPY on PostgreSQL) unless
--reuse finds them built, writes the search documents with `search.index.rebuild()` (timed),
then runs each query class through `search.candidates.find` as a Super Admin and prints
p50/p95/p99, and each class's p95 as a ratio to the floor and to the rare-term p95.

The data: names, employers, titles and cities drawn from Faker pools; a note on 40% of
candidates; the word "remote" in 30% of rows; 20 rare words each in about 250 rows.
"""

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchlib import git_sha

ROOT = Path(__file__).resolve().parent.parent
COMMON = "remote"  # in 30% of rows
RARE = [f"quokka{chr(97 + i)}" for i in range(20)]  # each in ~250 rows
RARE_HITS = 250
BUILD_CHUNK = 10_000  # rows generated and written at a time: memory stays flat at 1M
CLASSES = [
    "floor: name equality",
    "rare term",
    "common term (30%)",
    "rare AND common",
    "prefix",
    "name with a typo",
    "keyword + location",
]


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# The worker: one backend, one size, in this process.


def pools(rnd: random.Random) -> dict[str, list[str]]:
    from faker import Faker

    fake = Faker()
    fake.seed_instance(rnd.randrange(1 << 30))
    return {
        "first": list({fake.first_name() for _ in range(3000)}),
        "last": list({fake.last_name() for _ in range(6000)}),
        "company": list({fake.company() for _ in range(2000)}),
        "title": list({fake.job() for _ in range(1000)}),
        "city": list({f"{fake.city()}, {fake.country()}" for _ in range(600)}),
        "sentence": [fake.sentence(nb_words=12) for _ in range(3000)],
    }


def rows(size: int, words: dict[str, list[str]], rnd: random.Random):
    """Candidates oldest first, with their email and (for 40%) a note."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    rare_every = max(1, size // (RARE_HITS * len(RARE)))
    for n in range(size):
        first, last = rnd.choice(words["first"]), rnd.choice(words["last"])
        title, company = rnd.choice(words["title"]), rnd.choice(words["company"])
        created = start + timedelta(minutes=n)
        note = " ".join(rnd.sample(words["sentence"], 2)) if rnd.random() < 0.4 else ""
        headline = f"{title} at {company}"
        if rnd.random() < 0.3:
            headline += f", {COMMON}"
        if n % rare_every == 0:
            note += f" {RARE[(n // rare_every) % len(RARE)]}"
        yield {
            "id": uuid.UUID(int=rnd.getrandbits(128), version=4),
            "name": f"{first} {last}",
            "headline": headline,
            "location": rnd.choice(words["city"]),
            "company": company,
            "title": title,
            "created": created,
            "email": f"{first}.{last}{n}@example.com".lower().replace(" ", ""),
            "note": note.strip(),
        }


def build(size: int, seed: int) -> None:
    """N candidates with an email each and a note on some, written by the project's bulk writer
    (COPY on PostgreSQL, executemany on SQLite) in one transaction, a chunk at a time."""
    from django.db import connection, transaction

    from hirebridge.hiring.bulk import TableWriter
    from hirebridge.hiring.models import Candidate, CandidateEmail, Note

    rnd = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    words = pools(rnd)
    candidates = TableWriter(
        Candidate,
        [
            "id",
            "name",
            "headline",
            "location",
            "current_company",
            "current_title",
            "origin",
            "created_at",
            "updated_at",
        ],
    )
    emails = TableWriter(CandidateEmail, ["candidate", "email"])
    notes = TableWriter(
        Note,
        ["id", "candidate", "source", "body", "created_at", "updated_at", "external_author"],
    )
    generated = rows(size, words, rnd)
    with transaction.atomic():
        while chunk := list(itertools.islice(generated, BUILD_CHUNK)):
            candidates.write(
                [
                    (
                        r["id"],
                        r["name"],
                        r["headline"],
                        r["location"],
                        r["company"],
                        r["title"],
                        "sourced",
                        r["created"],
                        r["created"],
                    )
                    for r in chunk
                ]
            )
            emails.write([(r["id"], r["email"]) for r in chunk])
            notes.write(
                [
                    (uuid.uuid4(), r["id"], "ats", r["note"], r["created"], r["created"], "")
                    for r in chunk
                    if r["note"]
                ]
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def typo(name: str, rnd: random.Random) -> str:
    """The name with two neighbouring letters of the last name swapped."""
    first, _, last = name.partition(" ")
    if len(last) < 4:
        return name
    i = rnd.randrange(1, len(last) - 2)
    return f"{first} {last[:i]}{last[i + 1]}{last[i]}{last[i + 2 :]}"


def query_plan(count: int, seed: int) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """The queries of each class, drawn from the data so that every one finds something."""
    from hirebridge.hiring.models import Candidate

    rnd = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    sample = list(Candidate.objects.order_by("?").values_list("name", "location")[: count * 2])
    names = [name for name, _ in sample]
    cities = [location.split(",")[0] for _, location in sample]
    prefixes = [name.split(" ")[-1][:3] + "*" for name in names]
    return {
        "floor: name equality": [(n, {}) for n in names[:count]],
        "rare term": [(RARE[i % len(RARE)], {}) for i in range(count)],
        "common term (30%)": [(COMMON, {})] * count,
        "rare AND common": [(f"{RARE[i % len(RARE)]} {COMMON}", {}) for i in range(count)],
        "prefix": [(p, {}) for p in prefixes[:count]],
        "name with a typo": [(typo(n, rnd), {}) for n in names[:count]],
        "keyword + location": [(COMMON, {"location": c}) for c in cities[:count]],
    }


def measure(plan: dict[str, list[tuple[str, dict[str, str]]]]) -> dict[str, dict[str, float]]:
    from hirebridge.accounts.models import User
    from hirebridge.accounts.roles import Role
    from hirebridge.hiring.models import Candidate
    from hirebridge.search import candidates

    admin, _ = User.objects.get_or_create(
        email="search-bench@example.com", defaults={"name": "Bench", "role": Role.SUPER_ADMIN}
    )

    def run(kind: str, text: str, filters: dict[str, str]) -> int:
        if kind.startswith("floor"):
            return len(list(Candidate.objects.filter(name=text).values_list("pk")[:20]))
        return len(candidates.find(admin, text, limit=20, **filters).candidate_ids)

    figures = {}
    for kind, queries in plan.items():
        for text, filters in queries[:5]:  # warm the caches
            run(kind, text, filters)
        samples, found = [], []
        for text, filters in queries:
            started = time.perf_counter()
            found.append(run(kind, text, filters))
            samples.append((time.perf_counter() - started) * 1000)
        figures[kind] = {
            "p50_ms": round(statistics.median(samples), 3),
            "p95_ms": round(percentile(samples, 0.95), 3),
            "p99_ms": round(percentile(samples, 0.99), 3),
            "found_mean": round(statistics.mean(found), 1),
        }
    floor, rare = figures[CLASSES[0]]["p95_ms"], figures["rare term"]["p95_ms"]
    for values in figures.values():
        values["p95_over_floor"] = round(values["p95_ms"] / floor, 1)
        values["p95_over_rare"] = round(values["p95_ms"] / rare, 1)
    return figures


def worker(args: argparse.Namespace) -> None:
    """Build (or reuse), index and measure one backend at one size; JSON on stdout."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from hirebridge.hiring.models import Candidate
    from hirebridge.search import index, schema
    from hirebridge.search.models import SearchDocument

    call_command("migrate", verbosity=0)
    result: dict[str, object] = {"built": False}
    present = Candidate.objects.count()
    if present != args.size or not args.reuse:
        if present:
            raise SystemExit(f"{present} candidates already there: use a fresh database")
        started = time.perf_counter()
        build(args.size, args.seed)
        result["build_s"] = round(time.perf_counter() - started, 1)
        result["built"] = True
    if result["built"] or SearchDocument.objects.count() != args.size:
        started = time.perf_counter()
        index.rebuild()
        result["rebuild_s"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: set the rows' hint bits, so the first
        # queries do not pay for writing them.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {schema.DOCUMENTS}")
    result["figures"] = measure(query_plan(args.queries, args.seed))
    print(json.dumps(result))


# The driver: one worker process per (backend, size).


def worker_env(backend: str, size: int, args: argparse.Namespace) -> dict[str, str]:
    data_dir = ROOT / "var" / "bench" / f"search-{backend}-{size}"
    if not args.reuse and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "hirebridge.settings"}
    env.pop("DATABASE_URL", None)
    if backend == "postgresql":
        from psycopg import connect, sql

        name = f"{args.pg_prefix}_{size}"
        with connect(f"{args.pg_server}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not args.reuse:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            if not exists or not args.reuse:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env["DATABASE_URL"] = f"{args.pg_server}/{name}"
    return env


def print_figures(backend: str, size: int, result: dict[str, object]) -> None:
    figures: dict[str, dict[str, float]] = result["figures"]  # type: ignore[assignment]
    times = ", ".join(f"{k} {result[k]} s" for k in ("build_s", "rebuild_s") if k in result)
    print(f"\n{backend}, {size:,} candidates{f' ({times})' if times else ''}")
    print(
        f"  {'class':<22}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'hits':>7}"
        f"{'p95/floor':>11}{'p95/rare':>10}"
    )
    for kind in CLASSES:
        f = figures[kind]
        print(
            f"  {kind:<22}{f['p50_ms']:>9.2f}{f['p95_ms']:>9.2f}{f['p99_ms']:>9.2f}"
            f"{f['found_mean']:>7.0f}{f['p95_over_floor']:>10.1f}x{f['p95_over_rare']:>9.1f}x"
        )
    worst = max(figures[k]["p95_ms"] for k in CLASSES[1:])
    worst_ratio = max(figures[k]["p95_over_rare"] for k in CLASSES[1:])
    print(
        f"  G6: worst p95 {worst:.1f} ms (goal ≤ 50 ms), worst p95/rare {worst_ratio:.1f}x "
        "(goal ≤ 10x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=60, help="queries per class")
    parser.add_argument("--reuse", action="store_true", help="keep databases built before")
    parser.add_argument("--pg-server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-prefix", default="bench_search")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    report: dict[str, object] = {
        "bench": "search",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_sha(),
        "load_avg": {"start": load_avg()},
        "params": {k: v for k, v in vars(args).items() if k not in ("worker", "size", "json")},
        "figures": {},
    }
    print(f"search bench at {report['git']}, load {report['load_avg']['start']}")  # type: ignore[index]
    for backend in args.backends.split(","):
        for size in [int(s) for s in args.sizes.split(",")]:
            command = [
                sys.executable,
                __file__,
                "--worker",
                "--size",
                str(size),
                "--queries",
                str(args.queries),
                "--seed",
                str(args.seed),
            ]
            if args.reuse:
                command.append("--reuse")
            started = time.perf_counter()
            done = subprocess.run(
                command,
                env=worker_env(backend, size, args),
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                sys.exit(f"{backend} {size}: worker failed\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["wall_s"] = round(time.perf_counter() - started, 1)
            report["figures"][f"{backend}/{size}"] = result  # type: ignore[index]
            print_figures(backend, size, result)
    report["load_avg"]["end"] = load_avg()  # type: ignore[index]
    print(f"\nload {report['load_avg']}")  # type: ignore[index]
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
