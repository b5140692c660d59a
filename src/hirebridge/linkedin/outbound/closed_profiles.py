"""Members who closed their LinkedIn account after being exported (certification: old TC13).

LinkedIn asks partners to read its list of closed profiles at least every 30 days, to remove
what LinkedIn brought in about those members, and to let the customer decide whether to keep
the rest (a legal basis) or delete the candidate.

For a closed member whose person URN a candidate carries (the only link trusted), one
transaction removes the connection, the LinkedIn notes, the InMails and the LinkedIn profile
links, tells the outbox the candidate changed (LinkedIn's copy then loses the member too), and
records a ClosedProfile listing what was removed, pending an admin's decision. The timeline
shows only the links removed (no activity verb says more); the ClosedProfile has the counts. A
member who matches no candidate is recorded too, so the admin sees everything LinkedIn reported.

The cursor keeps the latest closure committed; a check reads from it minus OVERLAP_MS (the list is
short, a repeat changes nothing) and moves it only after the members' rows are committed.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action
from hirebridge.hiring import services
from hirebridge.linkedin import claims, inbound, replies
from hirebridge.linkedin.client import LinkedInClient, LinkedInError
from hirebridge.linkedin.inbound import Rejected
from hirebridge.linkedin.models import (
    ClosedProfile,
    ClosedProfileDecision,
    Integration,
    ProfileConnection,
    SyncCursor,
    SyncRun,
)

log = logging.getLogger("hirebridge.linkedin")

STREAM = "closedCandidateProfiles"
OVERLAP_MS = 24 * 60 * 60_000
CLOCK_SKEW_MS = 10 * 60_000
MAX_HOURS = 30 * 24  # LinkedIn: at least once every 30 days
RETRY_AFTER = timedelta(hours=1)  # after a failed check, sooner than the next scheduled one
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PROFILE_URL_MAX = ClosedProfile._meta.get_field("profile_url").max_length or 500
NAME_MAX = ClosedProfile._meta.get_field("candidate_name").max_length or 200
web_url = URLValidator(schemes=["http", "https"])


class Undecidable(ValueError):
    """A decision the closed profile cannot take; the message names the field."""


@dataclass(frozen=True)
class CheckResult:
    """What one check did: members per outcome ("cleaned": a candidate lost its LinkedIn data,
    "unmatched": no candidate, "repeated": recorded before, "failed") and why any failed.
    `ran` is False when another worker was checking already, or onboarding has not named the
    organization yet."""

    ran: bool
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ran and not self.errors


def interval() -> timedelta:
    """LINKEDIN_CLOSED_PROFILES_HOURS, refused beyond LinkedIn's 30 days."""
    hours = settings.LINKEDIN_CLOSED_PROFILES_HOURS
    if not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise ImproperlyConfigured(
            f"LINKEDIN_CLOSED_PROFILES_HOURS must be 1 to {MAX_HOURS} (LinkedIn asks for a check "
            f"at least every 30 days), got {hours!r}"
        )
    return timedelta(hours=hours)


def due(integration: Integration) -> bool:
    """True when no check succeeded within the interval and none was tried within the last
    RETRY_AFTER (so a failing check is retried hourly, not at every tick)."""
    every = interval()
    cursor = (
        SyncCursor.objects.filter(integration=integration, stream=STREAM)
        .annotate(last_run=Max("runs__started_at"))
        .first()
    )
    if cursor is None:
        return True
    now = timezone.now()
    if cursor.paused_until is not None and cursor.paused_until > now:
        return False
    succeeded = cursor.last_success_at is not None and now - cursor.last_success_at < every
    last_run = getattr(cursor, "last_run", None)
    tried = last_run is not None and now - last_run < min(every, RETRY_AFTER)
    return not succeeded and not tried


def check_closed_profiles(integration: Integration) -> CheckResult:
    """Read the members closed since the cursor and record each; one check at a time (none
    before onboarding names the organization they are read for)."""
    if not integration.organization_urn:
        return CheckResult(ran=False)
    SyncCursor.objects.bulk_create(
        [SyncCursor(integration=integration, stream=STREAM)], ignore_conflicts=True
    )
    cursor = claims.claim_cursor(SyncCursor.objects.get(integration=integration, stream=STREAM).pk)
    if cursor is None:
        return CheckResult(ran=False)
    try:
        return _check(inbound.client(integration), integration, cursor)
    finally:
        claims.release_cursor(cursor)


def _check(client: LinkedInClient, integration: Integration, cursor: SyncCursor) -> CheckResult:
    closed_after = cursor.watermark_ms - OVERLAP_MS if cursor.watermark_ms else None
    now = timezone.now()
    run = SyncRun.objects.create(
        cursor=cursor, window_start_ms=closed_after or 0, window_end_ms=_epoch_ms(now)
    )
    try:
        fetched = client.closed_candidate_profiles(integration.organization_urn, closed_after)
    except LinkedInError as failure:
        return _failed(cursor, run, str(failure))
    counts: Counter[str] = Counter()
    errors: list[str] = []
    committed: list[int] = []
    refused: list[int] = []
    try:
        for closed in fetched:
            try:
                with transaction.atomic():
                    counts[_record(integration, closed, now)] += 1
            except Rejected as reason:
                counts["failed"] += 1
                errors.append(f"{closed.member}: {reason}")
                refused.append(closed.closed_at)
            else:
                committed.append(closed.closed_at)
    except Exception as failure:
        log.exception("%s: check failed", STREAM)
        return _failed(cursor, run, f"{type(failure).__name__}: {failure}")
    # Up to the earliest refused member only: the next check reads it (and what follows) again.
    blocked = min(refused, default=None)
    watermark = max(
        [cursor.watermark_ms] + [at for at in committed if blocked is None or at < blocked]
    )
    with transaction.atomic():
        progress: dict[str, object] = {"last_error": "\n".join(errors), "paused_until": None}
        if not errors:
            progress["last_success_at"] = timezone.now()
        SyncCursor.objects.filter(pk=cursor.pk).update(**progress)
        SyncCursor.objects.filter(pk=cursor.pk, watermark_ms__lt=watermark).update(
            watermark_ms=watermark
        )
        SyncRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(),
            ok=not errors,
            counts={"fetched": len(fetched), **counts},
            error="\n".join(errors),
        )
    log.info("%s: %s", STREAM, dict(counts))
    return CheckResult(ran=True, counts=dict(counts), errors=errors)


def _record(integration: Integration, closed: replies.ClosedProfile, now: datetime) -> str:
    """One member, in the caller's transaction: the outcome's name."""
    if closed.integration_context not in (None, integration.organization_urn):
        raise Rejected(
            f"integrationContext: {closed.integration_context!r} is not "
            f"{integration.organization_urn}"
        )
    if closed.closed_at > _epoch_ms(now) + CLOCK_SKEW_MS:
        raise Rejected(f"closedAt: {closed.closed_at} is in the future")
    row = ClosedProfile(
        integration=integration,
        person_urn=closed.member,
        profile_url=_profile_url(closed),
        closed_at=EPOCH + timedelta(milliseconds=closed.closed_at),
        found_at=now,
    )
    # Duplicates may share the member: each loses what LinkedIn brought in; the row (and the
    # admin's decision) is about the primary one.
    connections = list(
        ProfileConnection.objects.select_for_update()
        .select_related("candidate")
        .filter(integration=integration, person_urn=closed.member)
        .order_by("-primary", "connected_at", "id")
    )
    known = (
        ClosedProfile.objects.select_for_update()
        .filter(integration=integration, person_urn=closed.member)
        .first()
    )
    if not connections:
        if known is not None:
            return "repeated"
        ClosedProfile.objects.bulk_create([row], ignore_conflicts=True)
        return "unmatched"
    candidate = connections[0].candidate
    removed: Counter[str] = Counter()
    for connection in connections:
        removed.update(_forget(connection))
    # Connected again since an earlier check saw the member (e.g. linked by hand, and the
    # closure read again within the overlap): the counts add up, and the admin is asked again.
    if known is not None:
        removed.update(known.removed)
    row.candidate = candidate
    row.candidate_name = candidate.name[:NAME_MAX]
    row.removed = dict(removed)
    ClosedProfile.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["integration", "person_urn"],
        update_fields=[
            "profile_url",
            "closed_at",
            "candidate",
            "candidate_name",
            "removed",
            "found_at",
            "decision",
            "decided_by",
            "decided_at",
        ],
    )
    return "cleaned"


def _forget(connection: ProfileConnection) -> dict[str, int]:
    """Remove the connection and what LinkedIn brought in about the member; counts per kind."""
    removed = services.forget_linkedin_data(services.AUTOMATIC, connection.candidate)
    connection.delete()
    return removed


def _profile_url(closed: replies.ClosedProfile) -> str:
    """The profile URL when it is a web address that fits; it is only shown (the URN is what
    counts), and anything else (e.g. a javascript: URL) must never become a link."""
    url = (closed.profile_url or "").strip()
    try:
        web_url(url)
    except ValidationError:
        valid = False
    else:
        valid = len(url) <= PROFILE_URL_MAX
    if url and not valid:
        log.warning(
            "%s: profileUrl %r is not a web address of at most %d characters; not kept",
            closed.member,
            url[:100],
            PROFILE_URL_MAX,
        )
    return url if valid else ""


def _failed(cursor: SyncCursor, run: SyncRun, error: str) -> CheckResult:
    log.warning("%s: %s", STREAM, error)
    SyncCursor.objects.filter(pk=cursor.pk).update(last_error=error)
    SyncRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), ok=False, error=error)
    return CheckResult(ran=True, errors=[error])


def decide(closed_profile: ClosedProfile, user: policy.AnyUser, decision: str) -> ClosedProfile:
    """An admin's decision: KEPT records it (a legal basis to keep the rest); DELETED deletes
    the candidate, then records it. Deciding the same again changes nothing."""
    if not isinstance(user, User) or not policy.can(user, Action.MANAGE_LINKEDIN):
        raise PermissionDenied("Only an Admin or a Super Admin decides about closed profiles.")
    if decision not in (ClosedProfileDecision.KEPT, ClosedProfileDecision.DELETED):
        raise Undecidable(f"decision: expected 'kept' or 'deleted', got {decision!r}")
    with transaction.atomic():
        row = ClosedProfile.objects.select_for_update().get(pk=closed_profile.pk)
        if row.decision == decision:
            return row
        if row.decision == ClosedProfileDecision.DELETED:
            raise Undecidable("decision: the candidate is deleted already")
        if decision == ClosedProfileDecision.DELETED and row.candidate is not None:
            services.delete_candidate(user, row.candidate)
            row.candidate = None
        row.decision = decision
        row.decided_by = user
        row.decided_at = timezone.now()
        row.save(update_fields=["candidate", "decision", "decided_by", "decided_at"])
    return row


def _epoch_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)
