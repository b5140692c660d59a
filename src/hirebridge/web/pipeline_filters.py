"""The pipeline's filters: read from the query string, checked field by field, applied to a
queryset of opportunities, and written back into every link so paging keeps them.

A filter names a record the user may pick from a list; a value that names nothing is a
mistake to point out (400, with the field), not a silent empty page. A posting the user may
not see is answered like one that does not exist (404), so the page never tells it exists.
"""

import uuid
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, QueryDict

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import AnyUser
from hirebridge.hiring.models import Opportunity, Posting, Source, Tag
from hirebridge.hiring.models.candidates import Origin

GENERAL = "general"  # the posting filter's value for opportunities without a posting


class State:
    """Archived opportunities have left the pipeline: a state beside the stages, not a stage."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    ALL = "all"
    CHOICES = ((ACTIVE, "Active"), (ARCHIVED, "Archived"), (ALL, "Active and archived"))


@dataclass(frozen=True)
class Filters:
    """What the user asked to see; `errors` maps a field to what is wrong with its value."""

    posting: Posting | None = None
    general: bool = False
    owner: User | None = None
    source: Source | None = None
    origin: str = ""
    tag: Tag | None = None
    state: str = State.ACTIVE
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def apply(self, opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
        if self.state == State.ACTIVE:
            opportunities = opportunities.filter(archived_at__isnull=True)
        elif self.state == State.ARCHIVED:
            opportunities = opportunities.filter(archived_at__isnull=False)
        if self.general:
            opportunities = opportunities.filter(posting__isnull=True)
        elif self.posting is not None:
            opportunities = opportunities.filter(posting=self.posting)
        if self.owner is not None:
            opportunities = opportunities.filter(owner=self.owner)
        if self.origin:
            opportunities = opportunities.filter(origin=self.origin)
        # Exists rather than a join: a join through a many-to-many table could repeat rows.
        if self.source is not None:
            sourced = Opportunity.sources.through.objects.filter(
                opportunity=OuterRef("pk"), source=self.source
            )
            opportunities = opportunities.filter(Exists(sourced))
        if self.tag is not None:
            tagged = Opportunity.tags.through.objects.filter(
                opportunity=OuterRef("pk"), tag=self.tag
            )
            opportunities = opportunities.filter(Exists(tagged))
        return opportunities

    @property
    def query(self) -> dict[str, str]:
        """The filters as query parameters, for links that must keep them."""
        return {name: value for name, value in self.raw.items() if value}


FIELDS = ("posting", "owner", "source", "origin", "tag", "state")


def read(user: AnyUser, params: QueryDict) -> Filters:
    """The filters in `params`; raises Http404 for a posting id the user may not see."""
    raw = {name: params.get(name, "").strip()[:200] for name in FIELDS}
    errors: dict[str, str] = {}
    general = raw["posting"] == GENERAL
    posting = _posting(user, raw["posting"], errors) if raw["posting"] and not general else None
    owner = _owner(raw["owner"], errors) if raw["owner"] else None
    source = Source.objects.filter(text=raw["source"]).first() if raw["source"] else None
    if raw["source"] and source is None:
        errors["source"] = f"No source is named “{raw['source']}”."
    tag = Tag.objects.filter(text=raw["tag"]).first() if raw["tag"] else None
    if raw["tag"] and tag is None:
        errors["tag"] = f"No tag is named “{raw['tag']}” (tags match exactly, case included)."
    if raw["origin"] and raw["origin"] not in Origin.values:
        errors["origin"] = f"Choose one of {', '.join(map(str, Origin.labels))}."
    if raw["state"] and raw["state"] not in dict(State.CHOICES):
        errors["state"] = "Choose active, archived or all."
    return Filters(
        posting=posting,
        general=general,
        owner=owner,
        source=source,
        origin="" if "origin" in errors else raw["origin"],
        tag=tag,
        state=raw["state"] if raw["state"] and "state" not in errors else State.ACTIVE,
        raw=raw,
        errors=errors,
    )


def _posting(user: AnyUser, value: str, errors: dict[str, str]) -> Posting | None:
    try:
        posting_id = uuid.UUID(value)
    except ValueError:
        errors["posting"] = "Choose a posting from the list."
        return None
    posting = policy.visible_postings(user).filter(pk=posting_id).first()
    if posting is None:
        raise Http404("No posting you can see has this id.")
    return posting


def _owner(value: str, errors: dict[str, str]) -> User | None:
    try:
        owner = User.objects.filter(pk=uuid.UUID(value)).first()
    except ValueError:
        owner = None
    if owner is None:
        errors["owner"] = "Choose an owner from the list."
    return owner
