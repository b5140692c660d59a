"""Who sees which synced job on LinkedIn: ACL groups computed from the ATS's own answer.

accounts.policy alone says who may see a posting; LinkedIn must show a synced job only to the
seat holders the ATS shows that posting to. LinkedIn shows a job without ACLs to every Recruiter
user, so every synced job is bound to at least one group. The groups keep each person within
LinkedIn's ten: "hb-all" holds the Super Admins, Admins and Team Members and secures every
non-confidential job they all see; a job seen by anyone else gets a group of its own, "hb-<id>",
holding just those extra viewers (a confidential job always gets one, so nobody else sees it).

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar, cast

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin import outbox
from hirebridge.linkedin.client import PERSON_URN, AclKey, AssigneeKey
from hirebridge.linkedin.models import Integration, OutboxKind, Seat

ALL_JOBS = "all"  # the entity id of the one JOB_ACCESS outbox row: access is computed as a whole
SHARED_GROUP = "hb-all"
SHARED_ROLES = frozenset({Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER})
GROUPS_PER_PERSON = 10  # LinkedIn's limit of ACLs per user
Key = TypeVar("Key", AclKey, AssigneeKey)


@dataclass(frozen=True)
class Access:
    acls: set[AclKey] = field(default_factory=set)
    assignees: set[AssigneeKey] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)  # user email → why LinkedIn shows less


class AccessChanges(NamedTuple):
    """What to send; the safe order is upserted ACLs, deleted assignees, upserted assignees,
    deleted ACLs: a job never loses its last ACL (it would show to everyone), and a person at
    LinkedIn's ten groups leaves one before joining another."""

    upsert_acls: list[AclKey]
    delete_acls: list[AclKey]
    upsert_assignees: list[AssigneeKey]
    delete_assignees: list[AssigneeKey]


def changed() -> None:
    """Someone may now see other postings: LinkedIn's ACLs are recomputed from all of them."""
    outbox.changed(OutboxKind.JOB_ACCESS, ALL_JOBS)


def job_group(posting_id: str) -> str:
    return f"hb-{posting_id}"


def desired_access(integration: Integration) -> Access:
    """The ACLs and assignees that show each synced job to exactly the seat holders who see
    its posting in the ATS (within LinkedIn's ten groups per person). Reads, never writes."""
    refused: dict[str, str] = {}
    holders = _seat_holders(integration, refused)
    synced = dict(
        Posting.objects.exclude(state=PostingState.DRAFT).values_list("pk", "confidential")
    )
    viewers = _viewers(holders)
    shared = {user for user in holders if user.role in SHARED_ROLES}
    acls: set[AclKey] = set()
    groups: dict[str, set[str]] = defaultdict(set)  # person URN → groups
    for posting_id, confidential in synced.items():
        job_id = str(posting_id)
        in_shared = not confidential and shared <= viewers[job_id]
        extra = viewers[job_id] - shared if in_shared else viewers[job_id]
        if in_shared:
            acls.add(AclKey(SHARED_GROUP, job_id))
        if extra or not in_shared:
            acls.add(AclKey(job_group(job_id), job_id))
        for user in extra:
            for urn in holders[user]:
                groups[urn].add(job_group(job_id))
    if any(key.group == SHARED_GROUP for key in acls):
        for user in shared:
            for urn in holders[user]:
                groups[urn].add(SHARED_GROUP)
    assignees = _within_limit(groups, _emails_by_person(holders), refused)
    return Access(acls, assignees, refused)


def _viewers(holders: Iterable[User]) -> dict[str, set[User]]:
    """Synced posting id → the holders the ATS shows it to (accounts.policy's answer)."""
    viewers: dict[str, set[User]] = defaultdict(set)
    for user in holders:
        visible = policy.visible_postings(user).exclude(state=PostingState.DRAFT)
        for posting_id in visible.values_list("pk", flat=True):
            viewers[str(posting_id)].add(user)
    return viewers


def _seat_holders(integration: Integration, refused: dict[str, str]) -> dict[User, set[str]]:
    """Active users holding an active seat of the integration → their person URNs. A seat whose
    member LinkedIn gave in another shape cannot be assigned and is reported."""
    holders: dict[User, set[str]] = {}
    seats = (
        Seat.objects.filter(
            contract__integration=integration, active=True, user__deactivated_at__isnull=True
        )
        .exclude(user=None)
        .select_related("user")
        .order_by("urn")
    )
    for seat in seats:
        user = cast(User, seat.user)  # seats without a user are excluded above
        if PERSON_URN.match(seat.member_urn):
            holders.setdefault(user, set()).add(seat.member_urn)
        else:
            _refuse(refused, user.email, f"seat {seat.urn} has no person URN as its member")
    return holders


def _emails_by_person(holders: Mapping[User, set[str]]) -> dict[str, list[str]]:
    emails: dict[str, list[str]] = defaultdict(list)
    for user, urns in holders.items():
        for urn in urns:
            emails[urn].append(user.email)
    return emails


def _within_limit(
    groups: Mapping[str, set[str]], emails: Mapping[str, list[str]], refused: dict[str, str]
) -> set[AssigneeKey]:
    """Each person's groups, "hb-all" first then in posting-id order, cut at LinkedIn's ten."""
    assignees: set[AssigneeKey] = set()
    for urn, wanted in groups.items():
        ordered = sorted(wanted, key=lambda group: (group != SHARED_GROUP, group))
        kept, dropped = ordered[:GROUPS_PER_PERSON], ordered[GROUPS_PER_PERSON:]
        assignees.update(AssigneeKey(group, urn) for group in kept)
        if dropped:
            hidden = ", ".join(group.removeprefix("hb-") for group in dropped)
            for email in emails[urn]:
                _refuse(
                    refused,
                    email,
                    f"LinkedIn allows {GROUPS_PER_PERSON} ACL groups per person and {urn} "
                    f"needs {len(ordered)}: these jobs stay hidden from them there: {hidden}",
                )
    return assignees


def _refuse(refused: dict[str, str], email: str, why: str) -> None:
    refused[email] = f"{refused[email]}; {why}" if email in refused else why


def diff(desired: Access, held: Mapping[str, Any]) -> AccessChanges:
    """What LinkedIn must be told to go from `held` (the `as_detail` of the last accepted
    sync, or {} before the first) to `desired`; each list sorted."""
    held_acls = {AclKey(group, job_id) for group, job_id in _pairs(held, "acls")}
    held_assignees = {AssigneeKey(group, urn) for group, urn in _pairs(held, "assignees")}
    return AccessChanges(
        upsert_acls=_sorted(desired.acls - held_acls),
        delete_acls=_sorted(held_acls - desired.acls),
        upsert_assignees=_sorted(desired.assignees - held_assignees),
        delete_assignees=_sorted(held_assignees - desired.assignees),
    )


def as_detail(access: Access) -> dict[str, list[list[str]]]:
    """The ACLs and assignees as JSON to store once LinkedIn accepted them (sorted, so equal
    access always reads the same)."""
    return {
        "acls": [_row(key) for key in _sorted(access.acls)],
        "assignees": [_row(key) for key in _sorted(access.assignees)],
    }


def _row(key: AclKey | AssigneeKey) -> list[str]:
    return [key.group, key.job_id if isinstance(key, AclKey) else key.person_urn]


def _sorted(keys: Iterable[Key]) -> list[Key]:
    return sorted(keys, key=_row)


def _pairs(held: Mapping[str, Any], name: str) -> list[tuple[str, str]]:
    rows = held.get(name, [])
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and len(row) == 2 and all(isinstance(v, str) for v in row)
        for row in rows
    ):
        raise ValueError(f"{name}: expected a list of [group, id] pairs of strings")
    return [(group, other) for group, other in rows]
