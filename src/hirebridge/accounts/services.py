"""Changes to users that reach beyond the ATS: the admin saves and deletes users through here.

A user's role and deactivation decide which postings they see (accounts.policy), and LinkedIn
shows the synced jobs to their Recruiter seat accordingly, so a change to either is recorded for
LinkedIn in the same transaction.
"""

from collections.abc import Iterable

from django.db import transaction

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


@transaction.atomic
def delete_users(users: Iterable[User]) -> None:
    """Delete users; their seats are left without a holder, so job visibility is recomputed."""
    for user in users:
        user.delete()
    access.changed()
