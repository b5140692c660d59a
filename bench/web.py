"""Requests per second and latency of the ATS's pages and API under `hirebridge serve`, each
as a ratio to a trivial endpoint (/healthz) of the same server in the same run.

    uv run python bench/web.py [--database-url postgres://postgres@127.0.0.1:5432/seed_1m] \
        [--huey-url redis://127.0.0.1:6379/0] [--json web.json]

The database is one `hirebridge seed_demo --candidates N` filled, with an Admin and a Limited
Team Member; it is migrated first. For the run the bench logs both in (a session each), issues
the Admin an API key and adds a LinkedIn integration for the callback; it removes all of them,
with the pushes stored, at the end. Each endpoint gets a warm-up, a throughput run (`wrk`,
several connections) and a latency run (one connection per worker, so no request waits behind
another).

Goals (shared/reliability-perf.md §3.4): the callback (HMAC check plus one durable insert)
at ≥ 50% of hello-world (G2); `GET /v1/opportunities?limit=100` at ≥ 30% of hello-world with
p95 ≤ 50 ms (G8).
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from benchlib import free_port, git_sha

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/seed_1m"
WORKERS = 2
LUA_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK-JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"status_errors\\": %d, "
    .. "\\"socket_errors\\": %d, \\"p50_us\\": %d, \\"p90_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"p99_us\\": %d, \\"max_us\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Endpoint:
    """One thing to measure: a name, a path and the Lua that shapes its requests."""

    name: str
    path: str
    lua: str
    expect: str  # text the page must contain, checked once before the runs
    before_each_run: Callable[[], None] | None = None


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def server_env(args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    """The environment the server and this process share (so both derive the same keys)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "hirebridge.settings",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # The API's per-key rate limit would cap the figure at its own setting.
        "API_RATE_PER_SECOND": "1000000",
        "API_RATE_BURST": "1000000",
        "HUEY_NAME": "hirebridge-bench-web",
    }
    if args.huey_url:
        # The API's rate-limit cache then lives on the same Redis: keep it in the same database.
        env["HUEY_URL"] = args.huey_url
        env["API_CACHE_REDIS_DB"] = urlsplit(args.huey_url).path.strip("/") or "0"
    return env


@dataclass
class Visitors:
    """The sessions and the API key the bench uses, made in the database and removed after."""

    admin_cookie: str = ""
    limited_cookie: str = ""
    basic_auth: str = ""
    made: list[Any] = field(default_factory=list)

    def remove(self) -> None:
        for row in self.made:
            row.delete()


def log_in(user: Any, visitors: Visitors) -> str:
    """A session for `user`, as logging in makes one; the Cookie header that carries it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    visitors.made.append(Session.objects.get(session_key=store.session_key))
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def admit(visitors: Visitors) -> None:
    """Log in an Admin and a Limited Team Member, and issue the Admin an API key."""
    from hirebridge.accounts.models import ApiKey, User
    from hirebridge.accounts.roles import Role

    def someone(role: Role) -> Any:
        user = User.objects.filter(role=role, deactivated_at__isnull=True).first()
        if user is None:
            raise SystemExit(f"the database has no active {role.label}; seed it first")
        return user

    admin = someone(Role.ADMIN)
    visitors.admin_cookie = log_in(admin, visitors)
    visitors.limited_cookie = log_in(someone(Role.LIMITED_TEAM_MEMBER), visitors)
    key, plaintext = ApiKey.objects.issue(admin, "bench/web.py")
    visitors.made.append(key)
    visitors.basic_auth = "Basic " + base64.b64encode(f"{plaintext}:".encode()).decode()


def lua_get(headers: dict[str, str]) -> str:
    lines = [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    return "\n".join(lines) + "\n" + LUA_REPORT


def write_pushes(secret: str, count: int, data: Path) -> None:
    """Signed pushes, each with a requestId never sent before, so that every request is a new
    notification (a repeat is answered without an insert): a body and its signature a line,
    since Lua has no HMAC."""
    run_id = secrets.token_hex(6)
    with data.open("w") as out:
        for n in range(count):
            body = json.dumps({"type": "EXPORT_CANDIDATE_PROFILE", "requestId": f"{run_id}-{n}"})
            digest = hmac.new(
                secret.encode(), b"hmacsha256=" + body.encode(), hashlib.sha256
            ).hexdigest()
            out.write(f"{body}\t{digest}\n")


def lua_pushes(data: Path) -> str:
    """POST the pushes in `data`, shared out between wrk's threads (their count is the script's
    argument)."""
    return (
        "local next_id = 0\n"
        "setup = function(thread) thread:set('tid', next_id); next_id = next_id + 1 end\n"
        "local pushes, threads, sent = {}, 1, 0\n"
        "init = function(args)\n"
        "  threads = tonumber(args[1])\n"
        f"  for line in io.lines({json.dumps(str(data))}) do\n"
        "    local body, signature = line:match('^(.*)\\t(%x+)$')\n"
        "    pushes[#pushes + 1] = {body, signature}\n"
        "  end\n"
        "end\n"
        "request = function()\n"
        "  local item = pushes[(tid + sent * threads) % #pushes + 1]\n"
        "  sent = sent + 1\n"
        "  return wrk.format('POST', nil, {['Content-Type'] = 'application/json',\n"
        "    ['X-LI-Signature'] = item[2]}, item[1])\n"
        "end\n" + LUA_REPORT
    )


def wrk(base: str, endpoint: Endpoint, lua: Path, threads: int, connections: int, seconds: int):
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(lua),
        base + endpoint.path,
        "--",
        str(threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"^WRK-JSON (.*)$", done.stdout, re.MULTILINE)
    if found is None:
        raise SystemExit(f"wrk gave no summary for {endpoint.name}:\n{done.stdout}{done.stderr}")
    figures = json.loads(found.group(1))
    return Run(
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p90_ms=figures["p90_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests=figures["requests"],
        errors=figures["status_errors"] + figures["socket_errors"],
    )


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """`hirebridge serve` with a pinned worker count, until the block ends."""
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hirebridge",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
            ],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                if server.poll() is not None:
                    raise SystemExit(f"the server exited; see {log}")
                time.sleep(0.3)
            else:
                raise SystemExit(f"the server did not answer /healthz within 60 s; see {log}")
            yield base
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)


def prepare_database() -> dict[str, Any]:
    """Migrate, and describe the data the pages will show."""
    from django.core.management import call_command
    from django.db.models import Count

    from hirebridge.hiring.models import Candidate, Opportunity

    call_command("migrate", verbosity=0)
    busiest = (
        Opportunity.objects.filter(archived_at__isnull=True, posting__isnull=False)
        .values("posting", "stage")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise SystemExit("the database holds no active opportunity on a posting; seed it first")
    return {
        "candidates": Candidate.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "filter_posting": str(busiest["posting"]),
        "filter_stage": busiest["stage"],
        "filter_rows": busiest["n"],
    }


def add_integration(secret: str) -> Any:
    from hirebridge.linkedin.models import Integration

    integration = Integration(client_id=f"bench-web-{secrets.token_hex(4)}")
    integration.client_secret = secret
    integration.save()
    return integration


def stored_pushes(integration: Any) -> int:
    return int(integration.events.count())


def measure(
    base: str, endpoint: Endpoint, workdir: Path, args: argparse.Namespace
) -> dict[str, Run]:
    lua = workdir / (re.sub(r"[^a-z0-9]+", "-", endpoint.name.lower()) + ".lua")
    lua.write_text(endpoint.lua)
    runs = {}
    for kind, threads, connections, seconds in (
        ("warmup", args.threads, args.connections, args.warmup),
        ("loaded", args.threads, args.connections, args.seconds),
        ("alone", 1, WORKERS, args.seconds),
    ):
        if endpoint.before_each_run:
            endpoint.before_each_run()
        wait_until_idle(base)
        runs[kind] = wrk(base, endpoint, lua, threads, connections, seconds)
    return runs


def wait_until_idle(base: str) -> None:
    """Requests wrk gave up on still wait in the server's queue: a probe answered after them
    means they are done and will not slow the next endpoint down."""
    for _ in range(WORKERS):
        httpx.get(base + "/healthz", timeout=300)


def check(base: str, endpoint: Endpoint, headers: dict[str, str]) -> None:
    reply = httpx.get(base + endpoint.path, headers=headers, timeout=30)
    if reply.status_code != 200 or endpoint.expect not in reply.text:
        raise SystemExit(
            f"{endpoint.name}: GET {endpoint.path} answered {reply.status_code} "
            f"without {endpoint.expect!r}"
        )


def print_results(results: dict[str, dict[str, Run]], floor: float, goals: dict[str, str]) -> None:
    print(
        f"\n{'endpoint':<28}{'rps':>8}{'÷ hello':>9}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'errors':>8}   alone: p50 / p95 / p99 ms"
    )
    for name, runs in results.items():
        loaded, alone = runs["loaded"], runs["alone"]
        print(
            f"{name:<28}{loaded.rps:>8,.0f}{loaded.rps / floor:>8.1%} "
            f"{loaded.p50_ms:>7.1f}{loaded.p95_ms:>8.1f}{loaded.p99_ms:>8.1f}{loaded.errors:>8}"
            f"   {alone.p50_ms:.1f} / {alone.p95_ms:.1f} / {alone.p99_ms:.1f}"
            + (f"   goal: {goals[name]}" if name in goals else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--huey-url", default=None, help="the queue the callback rings (default: SQLite)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up before each endpoint")
    parser.add_argument("--pushes", type=int, default=50_000, help="signed pushes prepared")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    # A stopped bench still stops its server and removes what it added (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started_load = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    env = server_env(args, workdir / "data")
    setup_django(env)
    data = prepare_database()
    print(
        f"data: {data['candidates']:,} candidates, {data['opportunities']:,} opportunities; "
        f"gunicorn workers {WORKERS}, wrk -t{args.threads} -c{args.connections} "
        f"{args.seconds} s runs; {load()}"
    )
    secret = secrets.token_urlsafe(24)
    integration = add_integration(secret)
    visitors = Visitors()
    results: dict[str, dict[str, Run]] = {}
    stored = 0
    try:
        admit(visitors)
        with serving(env, free_port(), workdir / "server.log") as base:
            admin, limited = visitors.admin_cookie, visitors.limited_cookie
            basic = visitors.basic_auth
            page_two = (
                f"/pipeline/?posting={data['filter_posting']}&stage={data['filter_stage']}&page=2"
            )
            endpoints = [
                (Endpoint("healthz", "/healthz", lua_get({}), "ok"), {}),
                (
                    Endpoint(
                        "pipeline (Admin)", "/pipeline/", lua_get({"Cookie": admin}), "Page 1"
                    ),
                    {"Cookie": admin},
                ),
                (
                    Endpoint(
                        "pipeline (Limited)", "/pipeline/", lua_get({"Cookie": limited}), "Page 1"
                    ),
                    {"Cookie": limited},
                ),
                (
                    Endpoint(
                        "pipeline p2, posting", page_two, lua_get({"Cookie": admin}), "Page 2"
                    ),
                    {"Cookie": admin},
                ),
                (
                    Endpoint(
                        "/v1/opportunities?limit=100",
                        "/v1/opportunities?limit=100",
                        lua_get({"Authorization": basic}),
                        '"hasNext"',
                    ),
                    {"Authorization": basic},
                ),
            ]
            for endpoint, headers in endpoints:
                wait_until_idle(base)
                check(base, endpoint, headers)
                results[endpoint.name] = measure(base, endpoint, workdir, args)
                print(
                    f"  {endpoint.name}: {results[endpoint.name]['loaded'].rps:,.0f} rps ({load()})"
                )
            pushes = workdir / "pushes.tsv"
            callback = Endpoint(
                "callback (HMAC + insert)",
                f"/linkedin/callback/{integration.callback_token}",
                lua_pushes(pushes),
                "",
                before_each_run=lambda: write_pushes(secret, args.pushes, pushes),
            )
            before = stored_pushes(integration)
            results[callback.name] = measure(base, callback, workdir, args)
            answered = sum(run.requests - run.errors for run in results[callback.name].values())
            stored = stored_pushes(integration) - before
            print(f"  callback: {stored:,} pushes stored, {answered:,} answered ({load()})")
            if max(run.requests for run in results[callback.name].values()) > args.pushes:
                print(f"  (a run sent more than --pushes {args.pushes:,}: raise it)")
    finally:
        integration.delete()
        visitors.remove()
        if args.huey_url:
            from huey.contrib.djhuey import HUEY

            HUEY.flush()

    floor = results["healthz"]["loaded"].rps
    api = results["/v1/opportunities?limit=100"]["loaded"]
    goals = {
        "/v1/opportunities?limit=100": "≥ 30% of hello-world, p95 ≤ 50 ms (G8)",
        "callback (HMAC + insert)": "≥ 50% of hello-world (G2)",
    }
    print_results(results, floor, goals)
    print(
        f"\nphysical limit: /healthz {floor:,.0f} rps on the same server. "
        f"G8 /v1/opportunities: {api.rps / floor:.1%} of hello-world, p95 {api.p95_ms:.1f} ms "
        f"under load; G2 callback: {results['callback (HMAC + insert)']['loaded'].rps / floor:.1%}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "web",
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "git": git_sha(),
                    "load_avg": {"start": started_load, "end": os.getloadavg()},
                    "params": {
                        "workers": WORKERS,
                        "threads": args.threads,
                        "connections": args.connections,
                        "seconds": args.seconds,
                        "candidates": data["candidates"],
                        "opportunities": data["opportunities"],
                    },
                    "figures": {
                        name: {
                            **{
                                f"{kind}_{k}": v
                                for kind, run in runs.items()
                                if kind != "warmup"
                                for k, v in vars(run).items()
                            },
                            "ratio_to_hello": runs["loaded"].rps / floor,
                        }
                        for name, runs in results.items()
                    },
                    "callback_pushes_stored": stored,
                },
                indent=2,
            )
        )
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
