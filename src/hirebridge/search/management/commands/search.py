"""`hirebridge search rebuild`: rewrite every candidate's search document and rebuild the index
(after a bulk load that bypassed the pipeline services, or to repair)."""

import time

from django.core.management.base import BaseCommand, CommandParser

from hirebridge.search import index


class Command(BaseCommand):
    help = "Candidate search: `rebuild` rewrites every document and the index, in one transaction"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        count = index.rebuild()
        self.stdout.write(f"{count:,} search documents in {time.monotonic() - started:.1f} s")
