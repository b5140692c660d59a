"""Who may see and do what: the one place that answers it, for the UI, the API and the worker.

The rules follow Lever's preconfigured roles:
- Super Admin sees everything and alone configures the pipeline, archive reasons, the
  integrations and the admin site.
- Admin and Team Member see every candidate, except on confidential postings, which only
  their hiring team (owner, hiring manager, members) and Super Admins see.
- Limited Team Member (a hiring manager, typically) sees only opportunities on postings whose
  hiring team includes them, plus opportunities they own or follow.
- Interviewer sees no candidate profiles (Lever shows them only what an assigned interview
  needs, and hirebridge has no interviews yet).
A candidate is visible when at least one of their opportunities is.
"""

from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.audit.denials import record_denial
from hirebridge.hiring.models import Candidate, Opportunity, Posting


class Action(StrEnum):
    VIEW_CANDIDATES = "view_candidates"
    ADD_CANDIDATE = "add_candidate"
    CHANGE_OPPORTUNITY = "change_opportunity"  # move stage, archive, note, tag; needs the object
    MERGE_CANDIDATES = "merge_candidates"  # fold a duplicate profile into another
    DELETE_CANDIDATE = "delete_candidate"  # remove a person with everything recorded about them
    MANAGE_POSTINGS = "manage_postings"  # create and edit postings
    MANAGE_PIPELINE = "manage_pipeline"  # stages and archive reasons
    MANAGE_USERS = "manage_users"
    MANAGE_INTEGRATIONS = "manage_integrations"
    MANAGE_LINKEDIN = "manage_linkedin"  # credentials, registration and seats of LinkedIn RSC
    USE_LINKEDIN = "use_linkedin"
    USE_ADMIN_SITE = "use_admin_site"
    VIEW_AUDIT_LOG = "view_audit_log"  # who did what, including Admins' own role changes


ROLES_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW_CANDIDATES: frozenset(
        {Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER}
    ),
    Action.ADD_CANDIDATE: frozenset(
        {Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER}
    ),
    Action.CHANGE_OPPORTUNITY: frozenset(
        {Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER}
    ),
    Action.MERGE_CANDIDATES: frozenset({Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER}),
    Action.DELETE_CANDIDATE: frozenset({Role.SUPER_ADMIN, Role.ADMIN}),
    Action.MANAGE_POSTINGS: frozenset({Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER}),
    Action.MANAGE_PIPELINE: frozenset({Role.SUPER_ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.SUPER_ADMIN, Role.ADMIN}),
    Action.MANAGE_INTEGRATIONS: frozenset({Role.SUPER_ADMIN}),
    Action.MANAGE_LINKEDIN: frozenset({Role.SUPER_ADMIN, Role.ADMIN}),
    Action.USE_LINKEDIN: frozenset(
        {Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER}
    ),
    Action.USE_ADMIN_SITE: frozenset({Role.SUPER_ADMIN}),
    Action.VIEW_AUDIT_LOG: frozenset({Role.SUPER_ADMIN}),
}


AnyUser = User | AnonymousUser | None


def _acting(user: AnyUser) -> User | None:
    """The user if they may act at all: logged in and not deactivated."""
    return user if isinstance(user, User) and user.is_active else None


def _on_hiring_team(user: User) -> Q:
    """Postings whose hiring team includes the user (a Q over Posting)."""
    return Q(owner=user) | Q(hiring_manager=user) | Q(members=user)


def visible_postings(user: AnyUser) -> QuerySet[Posting]:
    postings = Posting.objects.all()
    member = _acting(user)
    if member is None:
        return postings.none()
    role = Role(member.role)
    if role == Role.SUPER_ADMIN:
        return postings
    team_postings = Posting.objects.filter(_on_hiring_team(member)).values("pk")
    if role in (Role.ADMIN, Role.TEAM_MEMBER):
        return postings.filter(Q(confidential=False) | Q(pk__in=team_postings))
    if role == Role.LIMITED_TEAM_MEMBER:
        return postings.filter(pk__in=team_postings)
    return postings.none()


def visible_opportunities(user: AnyUser) -> QuerySet[Opportunity]:
    opportunities = Opportunity.objects.all()
    member = _acting(user)
    if member is None:
        return opportunities.none()
    role = Role(member.role)
    if role == Role.SUPER_ADMIN:
        return opportunities
    team_postings = Posting.objects.filter(_on_hiring_team(member)).values("pk")
    if role in (Role.ADMIN, Role.TEAM_MEMBER):
        return opportunities.filter(
            Q(posting__isnull=True) | Q(posting__confidential=False) | Q(posting__in=team_postings)
        )
    if role == Role.LIMITED_TEAM_MEMBER:
        followed = Opportunity.followers.through.objects.filter(
            opportunity=OuterRef("pk"), user=member
        )
        return opportunities.filter(
            Q(posting__in=team_postings) | Q(owner=member) | Exists(followed)
        )
    return opportunities.none()


def visible_candidates(user: AnyUser) -> QuerySet[Candidate]:
    candidates = Candidate.objects.all()
    member = _acting(user)
    if member is None or Role(member.role) not in ROLES_ALLOWED[Action.VIEW_CANDIDATES]:
        return candidates.none()
    if Role(member.role) == Role.SUPER_ADMIN:
        return candidates
    return candidates.filter(Exists(visible_opportunities(member).filter(candidate=OuterRef("pk"))))


def can(user: AnyUser, action: Action, obj: object = None) -> bool:
    """May `user` do `action` (on `obj`, when the action concerns one object)?"""
    member = _acting(user)
    if member is None or Role(member.role) not in ROLES_ALLOWED[action]:
        return False
    if obj is None:
        return True
    if isinstance(obj, Opportunity):
        return visible_opportunities(member).filter(pk=obj.pk).exists()
    if isinstance(obj, Candidate):
        return visible_candidates(member).filter(pk=obj.pk).exists()
    if isinstance(obj, Posting):
        return visible_postings(member).filter(pk=obj.pk).exists()
    raise TypeError(f"no policy for {type(obj).__name__}")


M = TypeVar("M", bound=Model)


def visible_or_404(user: AnyUser, queryset: QuerySet[M], **lookup: Any) -> M:
    """get_object_or_404 on a visible_* queryset. Both a missing and a hidden object are a 404,
    so the answer never tells that one exists; the hidden one is recorded as a denial."""
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:
        record_if_hidden(user, queryset.model, **lookup)
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def record_if_hidden(user: AnyUser, model: type[Model], **lookup: Any) -> None:
    """Record a denial when an object matching `lookup` exists (the caller could not see it)."""
    hidden = model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
    if hidden is not None:
        actor = user if isinstance(user, User) else None
        record_denial(404, target=(model._meta.model_name, hidden), actor=actor)
