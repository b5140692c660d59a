"""Changes to users that reach beyond the ATS: the admin saves and deletes users through here.

A user's role and deactivation decide which postings they see (accounts.policy), and LinkedIn
shows the synced jobs to their Recruiter seat accordingly, so a change to either is recorded for
LinkedIn in the same transaction.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from hirebridge import audit
from hirebridge.accounts.models import User
from hirebridge.linkedin.outbound import access

ACCESS_FIELDS = ("role", "deactivated_at")


@transaction.atomic
def save_user(user: User) -> None:
    """Save a new or changed user; a changed role or deactivation recomputes job visibility on
    LinkedIn (a new user holds no seat yet)."""
    before = User.objects.filter(pk=user.pk).values_list(*ACCESS_FIELDS).first()
    user.save()
    if before is not None and before != (user.role, user.deactivated_at):
        access.changed()
    _record_access_change(user, before)


@transaction.atomic
def delete_users(users: Iterable[User]) -> None:
    """Delete users; their seats are left without a holder, so job visibility is recomputed."""
    for user in users:
        audit.record("user.deleted", target=("user", user.pk), detail={"role": user.role})
        user.delete()
    access.changed()


def _record_access_change(user: User, before: tuple[Any, ...] | None) -> None:
    """Audit a new user's role, a role change and a (re)activation: ids and roles only."""
    if before is None:
        audit.record("user.created", target=user, detail={"role": user.role})
        return
    role, deactivated_at = before
    if role != user.role:
        audit.record("user.role_changed", target=user, detail={"from": role, "to": user.role})
    if (deactivated_at is None) != (user.deactivated_at is None):
        action = "user.reactivated" if user.deactivated_at is None else "user.deactivated"
        audit.record(action, target=user)
