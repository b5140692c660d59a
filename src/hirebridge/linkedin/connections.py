"""Connecting a candidate to their LinkedIn member by hand, and disconnecting them: what the
candidate page's LinkedIn box shows and the rules its actions follow.

Connecting needs a user who may use LinkedIn Recruiter (a mapped, active seat) and may change
the candidate, and a candidate with a name and an email (what LinkedIn's matching reads). The
first candidate connected to a member is its primary: LinkedIn's InMails and notes land there,
and what was held for the member (inbound.held) comes in at once. Disconnecting a primary is
refused while a duplicate connected to the same member shares one of its emails, since
LinkedIn's activity and email matching would silently move to that duplicate. LinkedIn learns
of either change through the outbox (the candidate's `manualMatchedMember`).
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/profile-plugin
"""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Subquery

from hirebridge import audit
from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action, AnyUser
from hirebridge.hiring.models import Activity, Candidate, CandidateEmail
from hirebridge.hiring.models.records import Verb
from hirebridge.linkedin import enablement, outbox, seats
from hirebridge.linkedin.client import LinkedInError
from hirebridge.linkedin.inbound import held, people
from hirebridge.linkedin.models import (
    Integration,
    IntegrationType,
    OutboxItem,
    OutboxKind,
    ProfileConnection,
    SyncedRecord,
)
from hirebridge.linkedin.outbound import drain
from hirebridge.web.linkedin_sdk import loader

log = logging.getLogger("hirebridge.linkedin")

PERSON_PREFIX = "urn:li:person:"
LINK_ATTEMPTS = 2  # a second try sees the primary a concurrent connection made


@dataclass(frozen=True)
class Panel:
    """What the candidate page's LinkedIn box shows."""

    connection: ProfileConnection | None
    may_connect: bool  # the user may use RSC (mapped active seat) and may change this candidate
    reason: str  # why not, for the user ("" when may_connect)
    missing: list[str]  # what the candidate lacks to be connected: "a name", "an email"
    recruiter_url: str  # the member's profile in LinkedIn Recruiter, "" when not connected
    widget: dict[str, Any] | None  # the profile plugin's loader context when it may be shown


@dataclass(frozen=True)
class Linked:
    connection: ProfileConnection
    imported: held.Imported


class ConnectError(ValueError):
    """Input a connection cannot use; `field` names what is at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DisconnectRefused(Exception):
    """Disconnecting would move LinkedIn's activity to these duplicates (those the user may
    see; the message counts the others)."""

    def __init__(self, message: str, duplicates: list[Candidate]) -> None:
        super().__init__(message)
        self.message = message
        self.duplicates = duplicates


class NotSynced(Exception):
    """LinkedIn does not hold the candidate (yet); `busy` when another sync is running."""

    def __init__(self, message: str, *, busy: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.busy = busy


def recruiter_profile_url(person_urn: str) -> str:
    """The member's profile in LinkedIn Recruiter (LINKEDIN_RECRUITER_BASE)."""
    member = _person_urn(person_urn)
    base = str(settings.LINKEDIN_RECRUITER_BASE).rstrip("/")
    return f"{base}/talent/profile/{quote(member.removeprefix(PERSON_PREFIX), safe='')}"


def missing_details(candidate: Candidate) -> list[str]:
    """What LinkedIn's matching needs that the candidate lacks."""
    missing = []
    if not candidate.name.strip():
        missing.append("a name")
    if not candidate.emails.exists():
        missing.append("an email")
    return missing


def panel(user: AnyUser, candidate: Candidate) -> Panel:
    connection = ProfileConnection.objects.filter(candidate=candidate).first()
    integration, reason = _gate(user, candidate)
    missing = missing_details(candidate)
    widget = None
    if integration is not None and (connection is not None or not missing):
        widget = {"integration": integration, "sdk": loader(integration, "HcmWidget")}
    return Panel(
        connection=connection,
        may_connect=integration is not None,
        reason=reason,
        missing=missing,
        recruiter_url=recruiter_profile_url(connection.person_urn) if connection else "",
        widget=widget,
    )


def refusal(user: AnyUser, candidate: Candidate) -> DisconnectRefused | None:
    """Why disconnecting the candidate would be refused now, if it would."""
    connection = ProfileConnection.objects.filter(candidate=candidate).first()
    return _refusal(user, candidate, connection) if connection else None


def connect(user: AnyUser, candidate: Candidate, person_urn: object) -> ProfileConnection:
    return link(user, candidate, person_urn).connection


def link(user: AnyUser, candidate: Candidate, person_urn: object) -> Linked:
    """Connect the candidate to the member (replacing another member it was connected to) and
    import what was held for the member when the candidate becomes its primary."""
    integration, actor = _require(user, candidate)
    member = _person_urn(person_urn)
    _require_details(candidate)
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                outcome = _link(actor, integration, candidate, member)
        except IntegrityError:
            if attempt == LINK_ATTEMPTS:
                raise
            attempt += 1
            continue
        if isinstance(outcome, DisconnectRefused):
            raise outcome
        return outcome


def disconnect(user: AnyUser, candidate: Candidate) -> None:
    """Remove the candidate's connection (its imported InMails and notes stay); the member's
    earliest other connection, if any, becomes primary. Disconnecting needs no seat: a wrong
    link must be removable by whoever may change the candidate."""
    if not policy.can(user, Action.USE_LINKEDIN) or not policy.can(
        user, Action.CHANGE_OPPORTUNITY, candidate
    ):
        raise PermissionDenied("Your role may not change this candidate's LinkedIn connection.")
    refused = None
    with transaction.atomic():
        connection = ProfileConnection.objects.filter(candidate=candidate).first()
        if connection is None:
            return
        locked = ProfileConnection.objects.lock_member(
            connection.integration_id, connection.person_urn
        )
        connection = next((c for c in locked if c.candidate_id == candidate.pk), None)
        if connection is None:
            return
        refused = _refusal(user, candidate, connection)
        if refused is None:
            _unlink(user, candidate, connection)
        else:
            _reassert(candidate)
    if refused is not None:
        raise refused


def prepare(user: AnyUser, candidate: Candidate) -> None:
    """Make sure LinkedIn holds the candidate (its profile plugin knows synced candidates
    only): queue it if it is not synced and drain the outbox now."""
    integration, _ = _require(user, candidate)
    _require_details(candidate)
    if _synced(candidate):
        return
    with transaction.atomic():
        outbox.changed(OutboxKind.CANDIDATE, candidate.pk)
    try:
        result = drain.drain(integration)
    except LinkedInError as failure:
        raise NotSynced(f"LinkedIn could not be reached: {failure}") from None
    if result.busy:
        raise NotSynced("The sync with LinkedIn is running; try again in a moment.", busy=True)
    if _synced(candidate):
        return
    row = OutboxItem.objects.filter(kind=OutboxKind.CANDIDATE, entity_id=str(candidate.pk)).first()
    why = (row.last_error if row else "") or "; ".join(result.paused.values())
    raise NotSynced(f"LinkedIn has not accepted this candidate yet: {why or 'no answer'}")


# Rules


def _gate(user: AnyUser, candidate: Candidate) -> tuple[Integration | None, str]:
    """The integration when `user` may connect `candidate` through LinkedIn, else why not."""
    allowed, reason = seats.may_use_rsc(user)
    if not allowed:
        return None, reason
    if not policy.can(user, Action.CHANGE_OPPORTUNITY, candidate):
        return None, "Your role may not change this candidate."
    integration = enablement.current()
    if integration is None or not integration.organization_urn:
        return None, "LinkedIn does not know this organization yet: an admin onboards it."
    enabled = integration.statuses.filter(
        integration_type=IntegrationType.PROFILE_PLUGIN,
        context_urn=integration.organization_urn,
        onboarded=True,
    )
    if not enabled.exists():
        return None, (
            f"The profile plugin is not enabled in Recruiter for {integration.organization_urn}: "
            "the company's Recruiter admin enables it, then an admin refreshes the status "
            "under Settings → LinkedIn."
        )
    return integration, ""


def _require(user: AnyUser, candidate: Candidate) -> tuple[Integration, User]:
    integration, reason = _gate(user, candidate)
    if integration is None or not isinstance(user, User):
        raise PermissionDenied(reason)
    return integration, user


def _require_details(candidate: Candidate) -> None:
    missing = missing_details(candidate)
    if missing:
        field = "name" if "a name" in missing else "emails"
        raise ConnectError(
            field, f"the candidate needs {' and '.join(missing)} to be connected to LinkedIn"
        )


def _person_urn(value: object) -> str:
    member = value.strip() if isinstance(value, str) else ""
    if not people.PERSON_URN.fullmatch(member):
        raise ConnectError("member", f"expected urn:li:person:<id>, got {value!r}")
    return member


def _refusal(
    user: AnyUser, candidate: Candidate, connection: ProfileConnection
) -> DisconnectRefused | None:
    if not connection.primary:
        return None
    emails = CandidateEmail.objects.filter(candidate=candidate).values("email")
    sharing = (
        Candidate.objects.filter(
            linkedin_connection__integration=connection.integration_id,
            linkedin_connection__person_urn=connection.person_urn,
            emails__email__in=Subquery(emails),
        )
        .exclude(pk=candidate.pk)
        .distinct()
        .order_by("created_at", "id")
    )
    duplicates = list(sharing)
    if not duplicates:
        return None
    visible = set(
        policy.visible_candidates(user)
        .filter(pk__in=[d.pk for d in duplicates])
        .values_list("pk", flat=True)
    )
    shown = [d for d in duplicates if d.pk in visible]
    names = [d.name for d in shown]
    hidden = len(duplicates) - len(shown)
    if hidden:
        names.append(f"{hidden} profile{'s' if hidden > 1 else ''} you cannot see")
    which = " and ".join(names)
    return DisconnectRefused(
        f"{candidate.name} stays connected to LinkedIn: {which} "
        f"{'is' if len(duplicates) == 1 else 'are'} connected to the same LinkedIn member with "
        "an email this profile has too, so LinkedIn's InMails, notes and email matching would "
        "move there. Disconnect or remove the duplicate first, or merge the two profiles, then "
        "disconnect.",
        shown,
    )


# Writes (inside the caller's transaction)


def _link(
    user: User, integration: Integration, candidate: Candidate, member: str
) -> Linked | DisconnectRefused:
    current = ProfileConnection.objects.select_for_update().filter(candidate=candidate).first()
    if current is not None:
        if (current.integration_id, current.person_urn) == (integration.pk, member):
            return Linked(current, held.Imported())
        ProfileConnection.objects.lock_member(current.integration_id, current.person_urn)
        refused = _refusal(user, candidate, current)
        if refused is not None:
            _reassert(candidate)
            return refused
        _unlink(user, candidate, current)
    others = ProfileConnection.objects.lock_member(integration.pk, member)
    primary = not any(connection.primary for connection in others)
    connection = ProfileConnection.objects.create(
        candidate=candidate,
        integration=integration,
        person_urn=member,
        primary=primary,
        connected_by=user,
    )
    outbox.changed(OutboxKind.CANDIDATE, candidate.pk)
    imported = held.import_held(integration, candidate, member) if primary else held.Imported()
    _record(
        user,
        candidate,
        Verb.LINKEDIN_CONNECTED,
        member=member,
        primary=primary,
        inmails=imported.inmails,
        notes=imported.notes,
    )
    # The member's URN identifies a person: the audit row keeps the candidate's id alone.
    audit.record("linkedin.connected", actor=user, target=candidate, detail={"primary": primary})
    log.info("candidate %s connected to %s by %s", candidate.pk, member, user.email)
    return Linked(connection, imported)


def _unlink(user: AnyUser, candidate: Candidate, connection: ProfileConnection) -> None:
    connection.delete()
    if connection.primary:
        ProfileConnection.objects.promote_next(connection.integration_id, connection.person_urn)
    outbox.changed(OutboxKind.CANDIDATE, candidate.pk)
    _record(user, candidate, Verb.LINKEDIN_DISCONNECTED, member=connection.person_urn)
    audit.record(
        "linkedin.disconnected",
        actor=user if isinstance(user, User) else None,
        target=candidate,
        detail={"primary": connection.primary},
    )
    log.info("candidate %s disconnected from %s", candidate.pk, connection.person_urn)


def _reassert(candidate: Candidate) -> None:
    """Send the candidate and its member to LinkedIn again: LinkedIn's profile plugin changes
    the link on its side before hirebridge hears of it, so a refused change must be undone
    there too."""
    SyncedRecord.objects.filter(kind=OutboxKind.CANDIDATE, entity_id=str(candidate.pk)).update(
        digest="", detail={}
    )
    outbox.changed(OutboxKind.CANDIDATE, candidate.pk)


def _record(actor: AnyUser, candidate: Candidate, verb: str, **detail: Any) -> None:
    Activity.objects.create(
        candidate=candidate,
        actor=actor if isinstance(actor, User) else None,
        verb=verb,
        detail=detail,
    )


def _synced(candidate: Candidate) -> bool:
    return SyncedRecord.objects.filter(
        kind=OutboxKind.CANDIDATE, entity_id=str(candidate.pk)
    ).exists()
