"""`hirebridge seed_demo`: fill a new database with demo users, postings and candidates."""

import json
from pathlib import Path
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from hirebridge import demo_data


class Command(BaseCommand):
    help = "Create one user per role, a dozen postings and candidates across the pipeline."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="same seed, same data")
        parser.add_argument("--candidates", type=int, default=300)
        parser.add_argument(
            "--credentials", type=Path, help="also write the logins and API keys to this JSON file"
        )

    def handle(self, *args, seed: int, candidates: int, credentials: Path | None, **options):
        if candidates < 0:
            raise CommandError("--candidates must be 0 or more")
        try:
            logins = demo_data.seed(seed=seed, candidates=candidates)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if credentials:
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.touch(mode=0o600)
            credentials.write_text(json.dumps(demo_data.logins_as_dicts(logins), indent=2))
        table = Table(title=f"Demo users (seed {seed}, {candidates} candidates)")
        for column in ("role", "email", "password", "API key"):
            table.add_column(column)
        for login in logins:
            table.add_row(login.role, login.email, login.password, login.api_key)
        Console(file=cast(IO[str], self.stdout), width=160).print(table)
