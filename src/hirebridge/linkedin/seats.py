"""Recruiter seats and the ATS users they belong to: who may use the RSC features.

Seats are read per contract (seatsV2, the client falls back to the legacy finder), upserted on
their URN, and mapped to ATS users automatically: first by a member URN a user's earlier seat
carried (LinkedIn's own identity of the person), then by the same email. An admin's mapping or
unmapping is theirs: a refresh never changes it.
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/recruiter-seatholders
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hirebridge import audit
from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action, AnyUser
from hirebridge.linkedin import enablement
from hirebridge.linkedin.client import LinkedInError
from hirebridge.linkedin.inbound import streams
from hirebridge.linkedin.models import Contract, Integration, Seat, SeatMapping
from hirebridge.linkedin.outbound import access
from hirebridge.linkedin.replies import Seat as ListedSeat

log = logging.getLogger("hirebridge.linkedin")

NAME_MAX_LENGTH = 100


class SeatError(ValueError):
    """A mapping the rules refuse; `field` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class RefreshResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    mapped: int = 0
    unmapped: int = 0  # active seats still without a user after the refresh
    errors: dict[str, str] = field(default_factory=dict)  # contract URN → why it was not read


@dataclass(frozen=True)
class PollInterval:
    seconds: int
    reason: str


def refresh_seats(integration: Integration) -> RefreshResult:
    """Read every contract's active seats, store them, map the unmapped ones. A contract LinkedIn
    refuses keeps its seats as they were and is named in `errors`. When who holds a seat (or as
    which member) changes, LinkedIn's job visibility is recomputed."""
    contracts = {contract.urn: contract for contract in integration.contracts.all()}
    listed: dict[str, list[ListedSeat]] = {}
    result = RefreshResult()
    with enablement.client_for(integration) as client:
        for urn in contracts:
            try:
                listed[urn] = [seat for seat in client.seats(urn) if seat.is_active]
            except LinkedInError as refused:
                log.warning("seats of %s not refreshed: %s", urn, refused)
                result.errors[urn] = str(refused)
    now = timezone.now()
    with transaction.atomic():
        holders_before = _holders(integration)
        for urn, seats in listed.items():
            _store(contracts[urn], seats, now, result)
        result.mapped = _map_automatically(integration)
        if _holders(integration) != holders_before:
            access.changed()
        if result.mapped:
            audit.record(
                "seat.mapped_automatically", target=integration, detail={"seats": result.mapped}
            )
        result.unmapped = Seat.objects.filter(
            contract__integration=integration, active=True, user__isnull=True
        ).count()
    log.info("seats refreshed: %s", result)
    return result


def _holders(integration: Integration) -> set[tuple[object, str]]:
    """What job visibility reads of the seats: who holds an active one, as which member."""
    return set(
        Seat.objects.filter(contract__integration=integration, active=True)
        .exclude(user=None)
        .values_list("user_id", "member_urn")
    )


def _store(
    contract: Contract, seats: list[ListedSeat], now: datetime, result: RefreshResult
) -> None:
    urns = [seat.urn for seat in seats]
    known = set(Seat.objects.filter(urn__in=urns).values_list("urn", flat=True))
    rows = [
        Seat(
            contract=contract,
            urn=seat.urn,
            member_urn=seat.member,
            first_name=(seat.first_name or "")[:NAME_MAX_LENGTH],
            last_name=(seat.last_name or "")[:NAME_MAX_LENGTH],
            email=seat.email or "",
            active=True,
            refreshed_at=now,
        )
        for seat in seats
    ]
    Seat.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["urn"],
        update_fields=[
            "contract",
            "member_urn",
            "first_name",
            "last_name",
            "email",
            "active",
            "refreshed_at",
        ],
    )
    result.created += len(set(urns) - known)
    result.updated += len(known)
    result.deactivated += (
        Seat.objects.filter(contract=contract, active=True)
        .exclude(urn__in=urns)
        .update(active=False, refreshed_at=now)
    )


def _map_automatically(integration: Integration) -> int:
    """Map each active seat no one mapped (and no admin unmapped) to the ATS user found by
    member URN, else by email; the conditional update never overwrites a mapping."""
    mapped = 0
    unmapped = (
        Seat.objects.filter(contract__integration=integration, active=True, user__isnull=True)
        .exclude(mapped_by=SeatMapping.MANUAL)
        .order_by("urn")
    )
    for seat in unmapped:
        user = _user_by_member(seat) or _user_by_email(seat.email)
        if user is None:
            continue
        mapped += (
            Seat.objects.filter(pk=seat.pk, user__isnull=True)
            .exclude(mapped_by=SeatMapping.MANUAL)
            .update(user=user, mapped_by=SeatMapping.AUTOMATIC)
        )
        log.info("seat %s mapped to %s (automatic)", seat.urn, user.email)
    return mapped


def _user_by_member(seat: Seat) -> User | None:
    if not seat.member_urn:
        return None
    held = (
        Seat.objects.filter(member_urn=seat.member_urn, user__deactivated_at__isnull=True)
        .exclude(pk=seat.pk)
        .exclude(user__isnull=True)
        .select_related("user")
        .order_by("-refreshed_at")
        .first()
    )
    return held.user if held else None


def _user_by_email(email: str) -> User | None:
    if not email:
        return None
    users = list(User.objects.filter(email__iexact=email, deactivated_at__isnull=True)[:2])
    return users[0] if len(users) == 1 else None


@transaction.atomic
def map_seat(seat: Seat, user: User, by: User | None) -> Seat:
    """Give the seat to `user` by hand (`by`: the admin, None at the command line); later
    refreshes keep this mapping, and LinkedIn's job visibility follows it. Callers check
    `Action.MANAGE_LINKEDIN` first."""
    if not seat.active:
        raise SeatError("seat", f"{seat.urn} is no longer active at LinkedIn")
    if not user.is_active:
        raise SeatError("user", f"{user.email} is deactivated")
    seat.user = user
    seat.mapped_by = SeatMapping.MANUAL
    seat.save(update_fields=["user", "mapped_by"])
    access.changed()
    audit.record("seat.mapped", target=seat, actor=by, detail={"user": str(user.pk)})
    log.info("seat %s mapped to %s by %s", seat.urn, user.email, _who(by))
    return seat


@transaction.atomic
def unmap_seat(seat: Seat, by: User | None) -> Seat:
    """Take the seat from its user by hand (and the jobs they saw through it on LinkedIn);
    later refreshes leave it unmapped."""
    previous = str(seat.user_id) if seat.user_id else None
    seat.user = None
    seat.mapped_by = SeatMapping.MANUAL
    seat.save(update_fields=["user", "mapped_by"])
    access.changed()
    audit.record("seat.unmapped", target=seat, actor=by, detail={"user": previous})
    log.info("seat %s unmapped by %s", seat.urn, _who(by))
    return seat


def _who(by: User | None) -> str:
    return by.email if by else "the command line"


def seat_for(user: AnyUser) -> Seat | None:
    """The user's active Recruiter seat, if one is mapped to them."""
    if not isinstance(user, User):
        return None
    return Seat.objects.filter(user=user, active=True).order_by("urn").first()


def may_use_rsc(user: AnyUser) -> tuple[bool, str]:
    """May the user use the RSC features, and if not, why (for the UI)."""
    if not isinstance(user, User) or not policy.can(user, Action.USE_LINKEDIN):
        return False, "Your role does not include the LinkedIn Recruiter features."
    integration = enablement.current()
    if integration is None:
        return False, "LinkedIn Recruiter is not set up yet: an admin enters it under Settings."
    if not enablement.is_onboarded(integration):
        return False, (
            "LinkedIn Recruiter is not enabled yet: the company's Recruiter admin enables the "
            "hirebridge integrations in Recruiter."
        )
    if seat_for(user) is None:
        if Seat.objects.filter(user=user, active=False).exists():
            return False, "Your LinkedIn Recruiter seat is no longer active."
        return False, (
            "No LinkedIn Recruiter seat is mapped to you: ask an admin to map yours under "
            "Settings → LinkedIn."
        )
    return True, ""


def poll_interval(integration: Integration | None) -> PollInterval:
    """How often the worker polls (inbound.streams decides) and why, for the settings page: the
    active seats may force it above LINKEDIN_POLL_SECONDS to stay within LinkedIn's budget."""
    configured = int(settings.LINKEDIN_POLL_SECONDS)
    seat_count = streams.active_seat_count(integration) if integration else 0
    seconds = streams.effective_poll_seconds(seat_count)
    if seconds <= configured:
        return PollInterval(configured, f"LINKEDIN_POLL_SECONDS is {configured} s")
    return PollInterval(
        seconds,
        f"LINKEDIN_POLL_SECONDS is {configured} s, raised to {seconds} s so that {seat_count} "
        f"seat(s) stay within {streams.BUDGET_SHARE:.0%} of LinkedIn's "
        f"{streams.DAILY_INTERACTION_CALLS:,} interaction calls a day",
    )
