"""`hirebridge serve`: the web process under gunicorn, a production WSGI server."""

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app with gunicorn."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2)",
        )

    def handle(self, *args, bind: str, workers: int, **options) -> None:
        # exec, so that signals sent to this process reach gunicorn's master directly.
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hirebridge.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--no-control-socket",
            ],
        )
