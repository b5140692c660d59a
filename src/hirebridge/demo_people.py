"""Demo people drawn in bulk: rows for every table a candidate touches, shaped like the small
demo's (hirebridge.demo_data) so every page works on them.

Candidates get an email, a phone, a LinkedIn URL when LinkedIn brought them, tags and sources,
one opportunity (on a posting or general) opened at New lead and moved to a stage drawn with the
demo's weights, the stage history and timeline the services would have written, some notes and
messages, some archiving, and one person in fifty is entered twice. Names and the like come from
Faker pools filled once and are combined by the seeded random.Random (Faker per row would take
longer than the database), so the same seed gives the same people.
"""

import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from faker import Faker

from hirebridge import demo_data
from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.hiring.models import (
    Activity,
    ArchiveReason,
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
    Message,
    Note,
    Opportunity,
    Posting,
    Source,
    Stage,
    StageChange,
    Tag,
)
from hirebridge.hiring.models.candidates import Origin, PhoneType
from hirebridge.hiring.models.labels import Label
from hirebridge.hiring.models.opportunities import ArchiveReasonType
from hirebridge.hiring.models.records import Channel, Direction, RecordSource, Verb
from hirebridge.hiring.models.stages import LEAD_NEW

HISTORY = timedelta(days=730)  # candidates arrived over the last two years
POOL_SIZES = {"first_names": 1_500, "last_names": 1_000, "companies": 2_000, "cities": 800}
TEXT_POOL = 400  # job titles, note and message bodies

# Where each kind of row goes: model and the fields every row gives, in order.
TABLES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "candidates": (
        Candidate,
        (
            "id",
            "name",
            "headline",
            "location",
            "current_company",
            "current_title",
            "origin",
            "created_by",
            "created_at",
            "updated_at",
        ),
    ),
    "emails": (CandidateEmail, ("candidate", "email")),
    "phones": (CandidatePhone, ("candidate", "type", "value")),
    "links": (CandidateLink, ("candidate", "url")),
    "candidate_tags": (Candidate.tags.through, ("candidate", "tag")),
    "candidate_sources": (Candidate.sources.through, ("candidate", "source")),
    "opportunities": (
        Opportunity,
        (
            "id",
            "candidate",
            "posting",
            "stage",
            "owner",
            "origin",
            "archive_reason",
            "archived_at",
            "created_by",
            "created_at",
            "updated_at",
            "last_advanced_at",
            "last_interaction_at",
        ),
    ),
    "opportunity_sources": (Opportunity.sources.through, ("opportunity", "source")),
    "opportunity_tags": (Opportunity.tags.through, ("opportunity", "tag")),
    "followers": (Opportunity.followers.through, ("opportunity", "user")),
    "stage_changes": (
        StageChange,
        ("opportunity", "from_stage", "to_stage", "to_stage_index", "changed_by", "changed_at"),
    ),
    "notes": (
        Note,
        (
            "id",
            "candidate",
            "opportunity",
            "author",
            "external_author",
            "source",
            "body",
            "created_at",
            "updated_at",
        ),
    ),
    "messages": (
        Message,
        (
            "id",
            "candidate",
            "opportunity",
            "channel",
            "direction",
            "subject",
            "body",
            "sender",
            "sender_user",
            "recipient",
            "sent_at",
            "thread_id",
            "created_at",
        ),
    ),
    "activities": (
        Activity,
        ("candidate", "opportunity", "actor", "automatic", "verb", "detail", "created_at"),
    ),
}
Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Pools:
    """Everything Faker contributes, drawn once; rows combine these at random."""

    first_names: list[str]
    last_names: list[str]
    companies: list[str]
    cities: list[str]
    jobs: list[str]
    email_domains: list[str]
    notes: list[str]
    messages: list[str]

    @classmethod
    def drawn(cls, seed: int) -> "Pools":
        fake = Faker()
        fake.seed_instance(seed)

        def distinct(make: Callable[[], str], size: int) -> list[str]:
            return sorted({make() for _ in range(size)})

        return cls(
            first_names=distinct(fake.first_name, POOL_SIZES["first_names"]),
            last_names=distinct(fake.last_name, POOL_SIZES["last_names"]),
            companies=distinct(fake.company, POOL_SIZES["companies"]),
            cities=distinct(fake.city, POOL_SIZES["cities"]),
            jobs=distinct(lambda: fake.job()[:120], TEXT_POOL),
            email_domains=distinct(fake.free_email_domain, 50),
            notes=[fake.paragraph(nb_sentences=3) for _ in range(TEXT_POOL)],
            messages=[fake.paragraph(nb_sentences=4) for _ in range(TEXT_POOL)],
        )


@dataclass(frozen=True)
class Person:
    """What the people entered twice repeat of the original."""

    first: str
    last: str
    email: str
    company: str
    created_at: datetime


class DemoPeople:
    """Draws candidates and everything that happened to them, as rows for TABLES."""

    def __init__(
        self, rng: random.Random, pools: Pools, users: dict[Role, User], postings: Sequence[Posting]
    ):
        self.rng = rng
        self.pools = pools
        self.now = timezone.now()
        self.issued = 0
        self.recruiters = [users[Role.ADMIN], users[Role.TEAM_MEMBER]]
        self.team_member = users[Role.TEAM_MEMBER]
        self.postings = [p for p in postings if p.accepts_candidates]
        self.stages = list(Stage.objects.active())
        self.stage_weights = demo_data.STAGE_WEIGHTS[: len(self.stages)]
        self.first_stage = Stage.objects.get(pk=LEAD_NEW)
        self.hired = ArchiveReason.objects.get(type=ArchiveReasonType.HIRED)
        self.reasons = list(
            ArchiveReason.objects.filter(active=True, type=ArchiveReasonType.NON_HIRED)
        )
        self.tags = sorted(_labels(Tag, demo_data.TAGS).items())
        self.sources = _labels(Source, demo_data.SOURCES)

    def batch(self, start: int, end: int) -> Rows:
        """Candidates number `start` to `end`, and the people among them entered again."""
        rows: Rows = {name: [] for name in TABLES}
        people = [self._candidate(rows, number) for number in range(start, end)]
        twice = end // demo_data.DUPLICATE_EVERY - start // demo_data.DUPLICATE_EVERY
        for original in self.rng.sample(people, min(twice, len(people))):
            self._entered_again(rows, original)
        return rows

    def _id(self) -> uuid.UUID:
        """Ordered like a UUIDv7 (a 48-bit counter, then 74 random bits), so each batch's ids
        land at the end of the primary-key and foreign-key indexes instead of all over them."""
        self.issued += 1
        random_bits = self.rng.getrandbits(74)
        return uuid.UUID(
            int=(self.issued << 80)
            | (7 << 76)
            | ((random_bits >> 62) << 64)
            | (0b10 << 62)
            | (random_bits & (2**62 - 1))
        )

    def _between(self, earliest: datetime) -> datetime:
        return earliest + (self.now - earliest) * self.rng.random()

    def _candidate(self, rows: Rows, number: int) -> Person:
        rng, pools = self.rng, self.pools
        first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
        name = f"{first} {last}"
        company = rng.choice(pools.companies)
        source = rng.choice(demo_data.SOURCES)
        origin = demo_data.ORIGIN_BY_SOURCE.get(source, Origin.SOURCED)
        handle = re.sub(r"[^a-z0-9]+", "-", f"{first} {last} {number}".lower())
        email = f"{handle.replace('-', '.')}@{rng.choice(pools.email_domains)}"
        tags = rng.sample(self.tags, rng.randrange(0, 3))
        recruiter = rng.choice(self.recruiters)
        created = self.now - HISTORY * rng.random()
        candidate = self._id()
        rows["candidates"].append(
            (
                candidate,
                name,
                rng.choice(pools.jobs),
                rng.choice(pools.cities),
                company,
                rng.choice(pools.jobs),
                origin,
                recruiter.id,
                created,
                created,
            )
        )
        rows["emails"].append((candidate, email))
        phone = f"+44 7{rng.randrange(100, 1000)} {rng.randrange(100_000, 1_000_000)}"
        rows["phones"].append((candidate, PhoneType.MOBILE, phone))
        if source == demo_data.LINKEDIN_SOURCE:
            rows["links"].append((candidate, f"https://www.linkedin.com/in/{handle}"))
        rows["candidate_tags"].extend((candidate, tag_id) for _, tag_id in tags)
        rows["candidate_sources"].append((candidate, self.sources[source]))
        posting = rng.choice(self.postings) if rng.random() < 0.9 else None
        self._opportunity(rows, candidate, name, posting, recruiter, source, origin, tags, created)
        return Person(first, last, email, company, created)

    def _opportunity(
        self,
        rows: Rows,
        candidate: uuid.UUID,
        name: str,
        posting: Posting | None,
        recruiter: User,
        source: str,
        origin: str,
        tags: list[tuple[str, int]],
        created: datetime,
    ) -> None:
        """Opened at New lead, moved to a stage drawn with the demo's weights, perhaps a note and
        a message, perhaps archived: the rows the services would have written for each."""
        rng = self.rng
        opportunity = self._id()
        stage = rng.choices(self.stages, weights=self.stage_weights)[0]
        activity = rows["activities"]
        self._opened(rows, candidate, opportunity, posting, recruiter, created)
        rows["opportunity_sources"].append((opportunity, self.sources[source]))
        rows["opportunity_tags"].extend((opportunity, tag_id) for _, tag_id in tags)
        advanced = last_interaction = updated = created
        if stage.id != self.first_stage.id:
            advanced = updated = self._between(created)
            rows["stage_changes"].append(
                (
                    opportunity,
                    self.first_stage.id,
                    stage.id,
                    self.stages.index(stage),
                    recruiter.id,
                    advanced,
                )
            )
            details: dict[str, Any] = {"from_stage": self.first_stage.text, "to_stage": stage.text}
            activity.append(
                (candidate, opportunity, recruiter.id, False, Verb.STAGE_CHANGED, details, advanced)
            )
        if rng.random() < 0.35:
            note, written = self._id(), self._between(advanced)
            body = rng.choice(self.pools.notes)
            rows["notes"].append(
                (
                    note,
                    candidate,
                    opportunity,
                    recruiter.id,
                    "",
                    RecordSource.ATS,
                    body,
                    written,
                    written,
                )
            )
            details = {"note": str(note), "source": RecordSource.ATS}
            activity.append(
                (candidate, opportunity, recruiter.id, False, Verb.NOTE_ADDED, details, written)
            )
            updated = max(updated, written)
        if rng.random() < 0.3:
            message, sent = self._id(), self._between(advanced)
            channel = rng.choice(Channel.values)
            rows["messages"].append(
                (
                    message,
                    candidate,
                    opportunity,
                    channel,
                    Direction.OUTBOUND,
                    f"Your next role: {posting.title if posting else 'let us talk'}",
                    rng.choice(self.pools.messages),
                    recruiter.name,
                    recruiter.id,
                    name,
                    sent,
                    "",
                    sent,
                )
            )
            details = {"message": str(message), "channel": channel, "direction": Direction.OUTBOUND}
            activity.append(
                (candidate, opportunity, recruiter.id, False, Verb.MESSAGE_LOGGED, details, sent)
            )
            last_interaction = updated = max(updated, sent)
        reason, archived = None, None
        roll = rng.random()
        if roll < 0.15:
            reason = self.hired if roll < 0.04 else rng.choice(self.reasons)
            archived = updated = self._between(updated)
            details = {"reason": reason.text, "hired": reason.type == ArchiveReasonType.HIRED}
            activity.append(
                (candidate, opportunity, recruiter.id, False, Verb.ARCHIVED, details, archived)
            )
        rows["opportunities"].append(
            (
                opportunity,
                candidate,
                posting.id if posting else None,
                stage.id,
                recruiter.id,
                origin,
                reason.id if reason else None,
                archived,
                recruiter.id,
                created,
                updated,
                advanced,
                last_interaction,
            )
        )

    def _opened(
        self,
        rows: Rows,
        candidate: uuid.UUID,
        opportunity: uuid.UUID,
        posting: Posting | None,
        actor: User,
        created: datetime,
    ) -> None:
        """What creating a candidate with their first opportunity records, at New lead."""
        rows["followers"].append((opportunity, actor.id))
        rows["stage_changes"].append((opportunity, None, self.first_stage.id, 0, actor.id, created))
        details = {"posting": posting.title if posting else None, "stage": self.first_stage.text}
        rows["activities"].append(
            (candidate, opportunity, actor.id, False, Verb.CANDIDATE_CREATED, details, created)
        )

    def _entered_again(self, rows: Rows, original: Person) -> None:
        """A referral of someone already here, added by hand: the same email under a shortened
        name, with a general opportunity, so the demo has duplicates to find and merge."""
        actor, referred = self.team_member, demo_data.ORIGIN_BY_SOURCE["Referral"]
        candidate, opportunity = self._id(), self._id()
        created = self._between(original.created_at)
        rows["candidates"].append(
            (
                candidate,
                f"{original.first[:1]}. {original.last}",
                "",
                "",
                original.company,
                "",
                referred,
                actor.id,
                created,
                created,
            )
        )
        rows["emails"].append((candidate, original.email))
        rows["candidate_sources"].append((candidate, self.sources["Referral"]))
        self._opened(rows, candidate, opportunity, None, actor, created)
        rows["opportunity_sources"].append((opportunity, self.sources["Referral"]))
        rows["opportunities"].append(
            (
                opportunity,
                candidate,
                None,
                self.first_stage.id,
                actor.id,
                referred,
                None,
                None,
                actor.id,
                created,
                created,
                created,
                created,
            )
        )


def _labels(model: type[Label], texts: Sequence[str]) -> dict[str, int]:
    """Each label's id by its text, created when missing."""
    manager = model._default_manager
    manager.bulk_create([model(text=text) for text in texts], ignore_conflicts=True)
    return dict(manager.filter(text__in=texts).values_list("text", "pk"))
