"""`hirebridge demo`: migrate, seed a new database, and run the web process, the worker and the
LinkedIn sandbox (the local stand-in for LinkedIn's RSC API and Recruiter).

Each step runs as its own `hirebridge` process with DATA_DIR set, so the data directory
chosen here is the one every process uses, whatever this process was started with.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

READY_TIMEOUT_SECONDS = 60


class Command(BaseCommand):
    help = "Run the whole demo on one machine: web on --port and the worker, on SQLite by default."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data-dir", type=Path, default=Path("var"))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8100)
        parser.add_argument(
            "--poll-seconds",
            type=int,
            default=10,
            help="how often the worker polls LinkedIn (the sandbox)",
        )
        parser.add_argument("--seed", type=int, default=42)

    def handle(
        self,
        *args,
        data_dir: Path,
        host: str,
        port: int,
        sandbox_port: int,
        poll_seconds: int,
        seed: int,
        **options,
    ) -> None:
        data_dir = data_dir.resolve()
        console = Console(file=cast(IO[str], self.stdout), width=160)
        url = f"http://{host}:{port}/"
        sandbox_url = f"http://{host}:{sandbox_port}/"
        env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            # The ATS talks to the sandbox exactly as it would to LinkedIn: only these differ.
            "LINKEDIN_API_BASE": sandbox_url.rstrip("/"),
            "LINKEDIN_OAUTH_BASE": sandbox_url.rstrip("/"),
            "LINKEDIN_PLATFORM_BASE": sandbox_url.rstrip("/"),
            "LINKEDIN_RECRUITER_BASE": sandbox_url.rstrip("/"),
            "LINKEDIN_POLL_SECONDS": str(poll_seconds),
            "HIREBRIDGE_PUBLIC_URL": url.rstrip("/"),
            "EMAIL_FILE_PATH": str(data_dir / "mail"),
            # Webhook receivers tried out beside the demo listen on this machine.
            "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        }
        demo_file = data_dir / "demo.json"

        self._run(["migrate", "--noinput"], env)
        logins = self._seed_if_new(env, data_dir, seed)
        if logins is None and demo_file.exists():
            logins = json.loads(demo_file.read_text())["logins"]
        demo = {
            "url": url,
            "admin_url": url + "admin/",
            "sandbox_url": sandbox_url,
            "recruiter_url": sandbox_url + "recruiter/",
            "data_dir": str(data_dir),
            "logins": logins or [],
            # True once the ATS is wired to the sandbox and the historical sync is done.
            "ready": False,
        }
        demo_file.touch(mode=0o600)
        demo_file.write_text(json.dumps(demo, indent=2))  # the logins are shown only once

        processes = [
            self._start(["serve", "--bind", f"{host}:{port}"], env),
            self._start(["worker"], env),
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sandbox",
                    "--host",
                    host,
                    "--port",
                    str(sandbox_port),
                    "--data-dir",
                    str(data_dir / "sandbox"),
                    "--seed",
                    str(seed),
                ],
                env=env,
            ),
        ]
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            self._wait_until_up(url + "healthz", processes)
            self._wait_until_up(sandbox_url + "_sandbox/tenant", processes)
            if not self._exists(env, "hirebridge.linkedin.models", "Integration"):
                self._run(["connect_sandbox", "--sandbox-url", sandbox_url], env)
            demo_file.write_text(json.dumps({**demo, "ready": True}, indent=2))
            self._announce(console, demo, demo_file)
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            raise CommandError("a demo process stopped unexpectedly; see its output above")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _command(self, args: list[str]) -> list[str]:
        return [sys.executable, "-m", "hirebridge", *args]

    def _run(self, args: list[str], env: dict[str, str], *, quiet: bool = False) -> None:
        result = subprocess.run(
            self._command(args), env=env, check=False, text=True, capture_output=quiet
        )
        if result.returncode != 0:
            raise CommandError(
                f"`hirebridge {' '.join(args)}` failed (exit {result.returncode})"
                + (f":\n{result.stderr}" if quiet else "")
            )

    def _exists(self, env: dict[str, str], module: str, model: str) -> bool:
        """Whether the demo's database holds any row of `model` (asked in its own process)."""
        probe = subprocess.run(
            self._command(
                ["shell", "-c", f"from {module} import {model}; print({model}.objects.exists())"]
            ),
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode != 0:
            raise CommandError(f"could not read the database: {probe.stderr.strip()}")
        return probe.stdout.strip().splitlines()[-1] == "True"

    def _start(self, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen(self._command(args), env=env)

    def _seed_if_new(self, env, data_dir: Path, seed: int) -> list[dict] | None:
        """Seed a database that has no users; returns the new logins, or None if not new."""
        if self._exists(env, "hirebridge.accounts.models", "User"):
            return None
        credentials = data_dir / "seed-credentials.json"
        self.stdout.write(f"Seeding demo data (seed {seed})…")
        self._run(
            ["seed_demo", "--seed", str(seed), "--credentials", str(credentials)], env, quiet=True
        )
        logins = json.loads(credentials.read_text())
        credentials.unlink()
        return logins

    def _wait_until_up(self, probe_url: str, processes: list[subprocess.Popen]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                raise CommandError("a demo process exited while starting; see its output above")
            try:
                with urllib.request.urlopen(probe_url, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise CommandError(f"{probe_url} did not answer within {READY_TIMEOUT_SECONDS} s")

    def _announce(self, console: Console, demo: dict, demo_file: Path) -> None:
        console.print(f"\n[bold]hirebridge is running at {demo['url']}[/bold]  (Ctrl+C stops it)")
        console.print(f"LinkedIn sandbox (RSC API and Recruiter): {demo['sandbox_url']}")
        if not demo["logins"]:
            console.print(
                f"[yellow]No logins are known for this database: {demo_file} was "
                "removed. Delete the data directory to start afresh.[/yellow]"
            )
            return
        table = Table(title=f"Logins (also in {demo_file})")
        for column in ("role", "email", "password", "API key"):
            table.add_column(column, overflow="fold")
        for login in demo["logins"]:
            table.add_row(login["role"], login["email"], login["password"], login["api_key"])
        console.print(table)
