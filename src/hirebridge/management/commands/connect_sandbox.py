"""`hirebridge connect_sandbox`: wire this ATS to a running LinkedIn sandbox, as the demo does.

Demo tooling, not the product: it reads the sandbox's own tenant page for the hosting partner's
application and the customer's contexts, then does what the partner and an admin do: provision
the customer application with the public URL's origin among its JS SDK domains (the widgets load
there), store the contexts, check the credentials, register the integrations and CALLBACK_URL,
refresh the seats and map them to the demo users, and run the historical sync (postings,
candidates, applications, notes, job access).
"""

import os
from urllib.parse import urlsplit

import httpx
from django.core.management.base import BaseCommand, CommandError

from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.linkedin import enablement, provisioning, seats
from hirebridge.linkedin.client import LinkedInError
from hirebridge.linkedin.enablement import ConfigurationError
from hirebridge.linkedin.models import LicenceTier, Seat
from hirebridge.linkedin.outbound import backfill

# The sandbox's seats in order, given to the demo's users; the last seat stays unmapped so the
# settings page has one to show.
SEAT_HOLDERS = (Role.TEAM_MEMBER, Role.ADMIN, Role.LIMITED_TEAM_MEMBER, Role.SUPER_ADMIN)


class Command(BaseCommand):
    help = "Connect this ATS to a running LinkedIn RSC sandbox (demo setup)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sandbox-url", required=True)
        parser.add_argument(
            "--public-url",
            default=os.environ.get("HIREBRIDGE_PUBLIC_URL"),
            help="where the sandbox reaches this ATS (default HIREBRIDGE_PUBLIC_URL)",
        )
        parser.add_argument(
            "--no-backfill",
            action="store_true",
            help="leave the historical sync for later (`hirebridge linkedin sync --backfill`)",
        )

    def handle(
        self, *args, sandbox_url: str, public_url: str | None, no_backfill: bool, **options
    ) -> None:
        if not public_url:
            raise CommandError("--public-url (or HIREBRIDGE_PUBLIC_URL) is required")
        try:
            tenant = httpx.get(sandbox_url.rstrip("/") + "/_sandbox/tenant", timeout=10)
            tenant.raise_for_status()
        except httpx.HTTPError as exc:
            raise CommandError(f"the sandbox at {sandbox_url} did not answer: {exc}") from None
        info = tenant.json()
        partner = provisioning.Partner(
            info["partner_app"]["client_id"],
            info["partner_app"]["client_secret"],
            info["customer_app"]["unique_foreign_id"],
        )
        try:
            origin = provisioning.web_origin(
                urlsplit(public_url)._replace(path="", query="", fragment="").geturl()
            )
            provisioned = provisioning.provision(origin, partner)
            integration = enablement.configure(
                provisioned.client_id,
                "",  # keep the provisioned secret
                info["organization_id"],
                info["contract_ids"],
                LicenceTier.TRM_ENTERPRISE,
            )
            if not enablement.check(integration):
                raise CommandError(
                    f"the sandbox refused the credentials: {integration.token_error}"
                )
            callback = enablement.register(integration, public_url)
            refreshed = seats.refresh_seats(integration)
            self._map_demo_seats(info["seats"])
            run = None if no_backfill else backfill.backfill(integration)
        except ConfigurationError as exc:
            raise CommandError(str(exc)) from None
        except LinkedInError as exc:
            raise CommandError(f"LinkedIn (the sandbox) refused: {exc}") from None
        synced = (
            "historical sync left for later"
            if run is None
            else f"historical sync {'done' if run.ok else 'stopped: ' + run.error}, "
            f"{run.counts.get('sent', 0)} records sent"
        )
        self.stdout.write(
            f"Connected to the LinkedIn sandbox: widgets allowed on {origin}; "
            f"CALLBACK_URL {callback}; "
            f"{refreshed.created + refreshed.updated} seats; {synced}."
        )

    def _map_demo_seats(self, sandbox_seats: list[dict]) -> None:
        for holder, role in zip(sandbox_seats, SEAT_HOLDERS, strict=False):
            user = User.objects.filter(role=role, deactivated_at__isnull=True).first()
            seat = Seat.objects.filter(urn=holder["id"], active=True).first()
            if user and seat and seat.user_id is None:
                seats.map_seat(seat, user, by=None)
