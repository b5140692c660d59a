"""`hirebridge linkedin …`: enable LinkedIn RSC from the command line, as the settings page does.

The client secret is read from an environment variable (`--client-secret-env`), never from the
command line, where other users of the machine could read it.
"""

import os
from collections.abc import Callable
from typing import IO, Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from hirebridge.accounts.models import User
from hirebridge.linkedin import enablement, outbox, provisioning, seats
from hirebridge.linkedin.client import LinkedInError
from hirebridge.linkedin.enablement import ConfigurationError
from hirebridge.linkedin.inbound import reconcile
from hirebridge.linkedin.models import (
    Integration,
    LicenceTier,
    OutboxItem,
    OutboxStatus,
    Seat,
)
from hirebridge.linkedin.outbound import backfill as outbound_backfill
from hirebridge.linkedin.outbound import drain
from hirebridge.linkedin.outbound.progress import sync_progress
from hirebridge.linkedin.seats import SeatError


class Command(BaseCommand):
    help = "Configure, check and register the LinkedIn RSC integration; refresh and map seats."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        configure = actions.add_parser(
            "configure", help="store the customer application's credentials and contexts"
        )
        configure.add_argument("--client-id", required=True)
        configure.add_argument(
            "--client-secret-env",
            metavar="VAR",
            help="environment variable holding the client secret (required the first time)",
        )
        configure.add_argument("--organization", required=True, metavar="URN")
        configure.add_argument(
            "--contract", required=True, action="append", dest="contracts", metavar="URN"
        )
        configure.add_argument(
            "--tier", choices=LicenceTier.values, help="default: unchanged, or trm"
        )
        provision = actions.add_parser(
            "provision",
            help="create or find the customer application through the partner application "
            "(LINKEDIN_PARTNER_*) and allow an origin for the widgets",
        )
        provision.add_argument(
            "--origin", metavar="URL", help="default: the origin of HIREBRIDGE_PUBLIC_URL"
        )
        actions.add_parser("check", help="fetch a token with the stored credentials")
        register = actions.add_parser(
            "register", help="name the integrations at LinkedIn and set CALLBACK_URL"
        )
        register.add_argument("--public-url", metavar="URL", help="default: HIREBRIDGE_PUBLIC_URL")
        actions.add_parser("status", help="credentials, onboarding status and seats")
        actions.add_parser("refresh-seats", help="read the contracts' seats and map them to users")
        sync = actions.add_parser(
            "sync", help="send waiting ATS changes to LinkedIn (--backfill: send everything)"
        )
        sync.add_argument(
            "--backfill",
            action="store_true",
            help="the historical sync: every posting, candidate, application and note",
        )
        actions.add_parser(
            "reconcile",
            help="finish acknowledged exports left unfinished; give LinkedIn what it lacks of "
            "recent exports (LINKEDIN_RECONCILE_DAYS)",
        )
        map_seat = actions.add_parser("map-seat", help="give a seat to an ATS user by hand")
        map_seat.add_argument("seat_urn", metavar="SEAT_URN")
        map_seat.add_argument("email", metavar="EMAIL")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        self.console = Console(file=cast(IO[str], self.stdout), width=160)
        if action == "configure":
            self._configure(**options)
            return
        if action == "provision":
            self._provision(**options)
            return
        integration = enablement.current()
        if integration is None:
            raise CommandError("LinkedIn is not configured: run `hirebridge linkedin configure`")
        steps: dict[str, Callable[..., None]] = {
            "check": self._check,
            "register": self._register,
            "status": self._status,
            "refresh-seats": self._refresh_seats,
            "map-seat": self._map_seat,
            "sync": self._sync,
            "reconcile": self._reconcile,
        }
        try:
            steps[action](integration, **options)
        except LinkedInError as failure:
            raise CommandError(f"LinkedIn: {failure}") from None

    def _configure(
        self,
        *,
        client_id: str,
        client_secret_env: str | None,
        organization: str,
        contracts: list[str],
        tier: str | None,
        **options: Any,
    ) -> None:
        secret = ""
        if client_secret_env:
            secret = os.environ.get(client_secret_env, "")
            if not secret:
                raise CommandError(
                    f"--client-secret-env: the environment variable {client_secret_env} is not "
                    "set or empty"
                )
        existing = enablement.current()
        if existing is None and not secret:
            raise CommandError("--client-secret-env: required the first time")
        tier = tier or (existing.licence_tier if existing else LicenceTier.TRM)
        try:
            integration = enablement.configure(client_id, secret, organization, contracts, tier)
        except ConfigurationError as bad:
            raise CommandError(f"{OPTIONS.get(bad.field, bad.field)}: {bad.message}") from None
        contracts_stored = integration.contracts.count()
        tier_name = integration.get_licence_tier_display()
        self.stdout.write(
            f"Configured {integration.organization_urn} with {contracts_stored} contract(s), "
            f"tier {tier_name}."
        )

    def _provision(self, *, origin: str | None, **options: Any) -> None:
        public = urlsplit(settings.HIREBRIDGE_PUBLIC_URL)
        try:
            origin = provisioning.web_origin(origin or f"{public.scheme}://{public.netloc}")
            integration = provisioning.provision(origin)
        except ConfigurationError as bad:
            raise CommandError(f"{OPTIONS.get(bad.field, bad.field)}: {bad.message}") from None
        except LinkedInError as failure:
            raise CommandError(f"LinkedIn: {failure}") from None
        self.stdout.write(
            f"Customer application {integration.client_id} stored; widgets allowed on {origin}."
        )

    def _check(self, integration: Integration, **options: Any) -> None:
        if not enablement.check(integration):
            raise CommandError(f"LinkedIn refused the credentials: {integration.token_error}")
        self.stdout.write(f"Credentials of {integration.client_id} accepted: a token was issued.")

    def _register(
        self, integration: Integration, *, public_url: str | None, **options: Any
    ) -> None:
        try:
            url = enablement.register(integration, public_url or settings.HIREBRIDGE_PUBLIC_URL)
        except ConfigurationError as bad:
            raise CommandError(f"{OPTIONS.get(bad.field, bad.field)}: {bad.message}") from None
        self.stdout.write(f"Integrations named; CALLBACK_URL is {url}")
        self._print_statuses(integration)

    def _sync(self, integration: Integration, *, backfill: bool, **options: Any) -> None:
        try:
            self._send(integration, backfill=backfill)
        except KeyboardInterrupt:
            raise CommandError(
                f"Interrupted; {outbox.pending_count()} row(s) still pending. "
                "Run it again to resume."
            ) from None

    def _send(self, integration: Integration, *, backfill: bool) -> None:
        with sync_progress(self.console) as progress:
            task = progress.add_task("Sending to LinkedIn", total=outbox.pending_count())

            def advance(kind: str, rows: int) -> None:
                progress.update(task, advance=rows, description=f"Sending {kind}s")

            if backfill:
                run = outbound_backfill.backfill(
                    integration,
                    on_enqueued=lambda total: progress.update(task, total=total),
                    on_batch=advance,
                )
                counts, stopped = run.counts, run.error
            else:
                result = drain.drain(integration, on_batch=advance)
                counts = dict(result.counts)
                stopped = (
                    "another sync is running"
                    if result.busy
                    else "; ".join(f"{kind}: {why}" for kind, why in result.paused.items())
                )
        sent, failed = counts.get("sent", 0), counts.get("failed", 0)
        refused = OutboxItem.objects.filter(status=OutboxStatus.DEAD).count()
        self.stdout.write(
            f"Sent {sent} record(s); {failed} answered with an error; {refused} refused row(s) "
            f"wait for a fix (Settings → LinkedIn RSC); {outbox.pending_count()} still pending."
        )
        if stopped:
            raise CommandError(f"Stopped before the end: {stopped}. Run it again to resume.")

    def _reconcile(self, integration: Integration, **options: Any) -> None:
        counts = reconcile.reconcile(integration)
        self.stdout.write(
            f"Exports finished: {counts['finished']}, still unfinished: "
            f"{sum(n for what, n in counts.items() if what.startswith('still_'))}; "
            f"checked: {counts['checked']}; queued for LinkedIn again: "
            f"{counts['candidates_queued']} candidate(s), {counts['applications_queued']} "
            f"application(s); gone from the ATS: {counts['candidate_gone']} candidate(s), "
            f"{counts['opportunity_gone']} opportunity(ies)."
        )
        if counts["linkedin_unavailable"]:
            raise CommandError("LinkedIn could not be asked; run it again later.")

    def _status(self, integration: Integration, **options: Any) -> None:
        self.stdout.write(f"Client id:     {integration.client_id}")
        self.stdout.write(f"Credentials:   {_token_state(integration)}")
        self.stdout.write(f"Organization:  {integration.organization_urn}")
        contracts = ", ".join(integration.contracts.values_list("urn", flat=True))
        self.stdout.write(f"Contracts:     {contracts}")
        self.stdout.write(f"Licence tier:  {integration.get_licence_tier_display()}")
        interval = seats.poll_interval(integration)
        self.stdout.write(f"Poll interval: {interval.seconds} s ({interval.reason})")
        self._print_statuses(integration)
        self._print_seats(integration)

    def _refresh_seats(self, integration: Integration, **options: Any) -> None:
        result = seats.refresh_seats(integration)
        self.stdout.write(
            f"Seats: {result.created} new, {result.updated} updated, "
            f"{result.deactivated} deactivated, {result.mapped} newly mapped, "
            f"{result.unmapped} unmapped."
        )
        self._print_seats(integration)
        if result.errors:
            raise CommandError(
                "Seats not read for "
                + "; ".join(f"{urn}: {reason}" for urn, reason in result.errors.items())
            )

    def _map_seat(
        self, integration: Integration, *, seat_urn: str, email: str, **options: Any
    ) -> None:
        seat = Seat.objects.filter(urn=seat_urn, contract__integration=integration).first()
        if seat is None:
            raise CommandError(
                f"SEAT_URN: no seat {seat_urn}; run `hirebridge linkedin refresh-seats` first"
            )
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"EMAIL: no ATS user with the email {email}")
        try:
            seats.map_seat(seat, user, by=None)
        except SeatError as bad:
            raise CommandError(f"{ARGUMENTS[bad.field]}: {bad.message}") from None
        self.stdout.write(f"Seat {seat.urn} mapped to {user.name} <{user.email}>.")

    def _print_statuses(self, integration: Integration) -> None:
        table = Table(title="Integrations at LinkedIn")
        for column in ("type", "context", "name", "onboarded", "checked"):
            table.add_column(column)
        for status in integration.statuses.all():
            table.add_row(
                status.integration_type,
                status.context_urn,
                status.name or "(not named)",
                "yes" if status.onboarded else "no",
                f"{status.checked_at:%Y-%m-%d %H:%M}" if status.checked_at else "never",
            )
        self.console.print(table)

    def _print_seats(self, integration: Integration) -> None:
        table = Table(title="Recruiter seats")
        for column in ("seat", "contract", "holder", "email", "ATS user", "mapped"):
            table.add_column(column)
        rows = Seat.objects.filter(contract__integration=integration, active=True)
        for seat in rows.select_related("contract", "user"):
            table.add_row(
                seat.urn,
                seat.contract.urn,
                f"{seat.first_name} {seat.last_name}".strip(),
                seat.email,
                seat.user.email if seat.user else "UNMAPPED",
                seat.get_mapped_by_display() if seat.mapped_by else "",
            )
        self.console.print(table)


# The option that carries each field of enablement.configure.
OPTIONS = {
    "client_id": "--client-id",
    "client_secret": "--client-secret-env",
    "organization_urn": "--organization",
    "contract_urns": "--contract",
    "licence_tier": "--tier",
    "public_url": "--public-url",
    "origin": "--origin",
}
# The argument of map-seat that names each field of seats.map_seat.
ARGUMENTS = {"seat": "SEAT_URN", "user": "EMAIL"}


def _token_state(integration: Integration) -> str:
    checked = integration.token_checked_at
    if checked is None:
        return "never checked"
    if integration.token_error:
        return f"refused at {checked:%Y-%m-%d %H:%M} UTC: {integration.token_error}"
    return f"accepted at {checked:%Y-%m-%d %H:%M} UTC"
