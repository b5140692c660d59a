"""`hirebridge serve`: the web process under gunicorn, a production WSGI server."""

import ipaddress
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def is_local(bind: str) -> bool:
    """Whether a gunicorn bind (`host:port`, `[::1]:port` or `unix:PATH`) is reachable only from
    this machine."""
    if bind.startswith("unix:"):
        return True
    host = bind.rpartition(":")[0] if ":" in bind else bind
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = "Serve the web app with gunicorn."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("WEB_BIND", "127.0.0.1:8000"),
            help="host:port to listen on (default: WEB_BIND or 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2)",
        )

    def handle(self, *args, bind: str, workers: int, **options) -> None:
        if settings.DEBUG and not is_local(bind):
            # Debug pages show settings and source to whoever triggers an error.
            raise CommandError(
                f"DEBUG is on, so serve binds only to loopback, not {bind}; "
                "turn DEBUG off to serve other machines"
            )
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
