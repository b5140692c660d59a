"""Demo data: one user per role, a dozen postings with hiring teams, candidates across the pipeline.

The same seed gives the same people, postings and stages, so demos and tests can refer to them.
Everything is written through the pipeline services, as a recruiter's actions would be.
"""

import random
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from hirebridge.accounts.models import ApiKey, User
from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Candidate, Posting, Stage
from hirebridge.hiring.models.candidates import Origin
from hirebridge.hiring.models.opportunities import ArchiveReasonType
from hirebridge.hiring.models.postings import Commitment, PostingState
from hirebridge.hiring.models.records import Channel, Direction

USERS = [
    (Role.SUPER_ADMIN, "Sam Okafor", "Head of People"),
    (Role.ADMIN, "Alex Moreau", "Head of Talent Acquisition"),
    (Role.TEAM_MEMBER, "Taylor Brooks", "Senior Recruiter"),
    (Role.LIMITED_TEAM_MEMBER, "Lee Nakamura", "Engineering Manager"),
    (Role.INTERVIEWER, "Ines Duarte", "Staff Engineer"),
]
EMAIL_DOMAIN = "demo.hirebridge.test"

# (title, team, department, location, commitment, state, confidential)
POSTINGS = [
    (
        "Senior Backend Engineer",
        "Platform",
        "Engineering",
        "Berlin, Germany",
        "Full-time",
        "published",
        False,
    ),
    (
        "Frontend Engineer",
        "Web",
        "Engineering",
        "Remote, European Union",
        "Full-time",
        "published",
        False,
    ),
    (
        "Site Reliability Engineer",
        "Platform",
        "Engineering",
        "Amsterdam, Netherlands",
        "Full-time",
        "published",
        False,
    ),
    (
        "Data Engineer",
        "Data",
        "Engineering",
        "London, United Kingdom",
        "Full-time",
        "published",
        False,
    ),
    (
        "Engineering Manager, Payments",
        "Payments",
        "Engineering",
        "Berlin, Germany",
        "Full-time",
        "internal",
        False,
    ),
    ("Product Designer", "Design", "Product", "Paris, France", "Full-time", "published", False),
    (
        "Product Manager, Growth",
        "Growth",
        "Product",
        "London, United Kingdom",
        "Full-time",
        "published",
        False,
    ),
    (
        "Technical Recruiter",
        "Talent",
        "People",
        "Remote, European Union",
        "Contract",
        "published",
        False,
    ),
    ("Account Executive", "Sales", "Revenue", "New York, NY", "Full-time", "published", False),
    (
        "Customer Success Manager",
        "Success",
        "Revenue",
        "Dublin, Ireland",
        "Full-time",
        "published",
        False,
    ),
    ("VP of Finance", "Finance", "G&A", "London, United Kingdom", "Full-time", "published", True),
    (
        "Mobile Engineer (iOS)",
        "Mobile",
        "Engineering",
        "Lisbon, Portugal",
        "Full-time",
        "closed",
        False,
    ),
]
# Where the Limited Team Member sits on the hiring team (by posting index): hiring manager of the
# first two, member of the third. Everything else is hidden from them.
LTM_MANAGES = (0, 4)
LTM_MEMBER_OF = (2,)

SOURCES = ["LinkedIn Recruiter", "Referral", "Job site", "Added manually", "Agency"]
LINKEDIN_SOURCE = "LinkedIn Recruiter"  # these candidates carry their LinkedIn profile's URL
ORIGIN_BY_SOURCE = {
    "Referral": Origin.REFERRED,
    "Job site": Origin.APPLIED,
    "Agency": Origin.AGENCY,
}
TAGS = ["python", "go", "kubernetes", "leadership", "remote", "relocation", "senior", "fintech"]
# Weighted spread over the pipeline: most opportunities sit early, few reach Offer.
STAGE_WEIGHTS = [30, 10, 8, 25, 10, 7, 5, 3]
# One candidate in this many was entered a second time (duplicates to find and merge).
DUPLICATE_EVERY = 50


@dataclass(frozen=True)
class Login:
    role: str
    name: str
    email: str
    password: str
    api_key: str


def seed(*, seed: int = 42, candidates: int = 300) -> list[Login]:
    """Fill an empty database; returns each user's login and API key (shown only here)."""
    rng = random.Random(seed)
    fake = Faker()
    fake.seed_instance(seed)
    logins, users, postings = create_team(rng)
    stages = list(Stage.objects.active())
    reasons = list(ArchiveReason.objects.filter(active=True, type=ArchiveReasonType.NON_HIRED))
    hired = ArchiveReason.objects.get(type=ArchiveReasonType.HIRED)
    for _ in range(candidates):
        _candidate(rng, fake, users, postings, stages, reasons, hired)
    _entered_twice(rng, users, candidates // DUPLICATE_EVERY)
    return logins


def create_team(rng: random.Random) -> tuple[list[Login], dict[Role, User], list[Posting]]:
    """One user per role and the postings with their hiring teams, in a database without users."""
    if User.objects.exists():
        raise ValueError("the database already has users; demo data goes only into a new one")
    with transaction.atomic():
        logins, users = _users()
        return logins, users, _postings(rng, users)


def _users() -> tuple[list[Login], dict[Role, User]]:
    logins, users = [], {}
    for role, name, title in USERS:
        email = f"{role.replace(' ', '.')}@{EMAIL_DOMAIN}"
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(email, password, name=name, role=role, job_title=title)
        _, api_key = ApiKey.objects.issue(user, "demo")
        users[role] = user
        logins.append(
            Login(role=role.label, name=name, email=email, password=password, api_key=api_key)
        )
    return logins, users


def _postings(rng: random.Random, users: dict[Role, User]) -> list[Posting]:
    recruiters = [users[Role.ADMIN], users[Role.TEAM_MEMBER]]
    postings = []
    for index, (title, team, dept, location, commitment, state, confidential) in enumerate(
        POSTINGS
    ):
        posting = Posting.objects.create(
            title=title,
            team=team,
            department=dept,
            location=location,
            commitment=Commitment(commitment),
            state=PostingState(state),
            confidential=confidential,
            owner=users[Role.SUPER_ADMIN] if confidential else rng.choice(recruiters),
            hiring_manager=users[Role.LIMITED_TEAM_MEMBER] if index in LTM_MANAGES else None,
            created_by=users[Role.ADMIN],
            description=f"Join the {team} team as our {title} in {location}.",
        )
        if index in LTM_MEMBER_OF:
            posting.members.add(users[Role.LIMITED_TEAM_MEMBER])
        if not confidential:
            posting.members.add(users[Role.INTERVIEWER])
        postings.append(posting)
    return postings


def _candidate(rng, fake, users, postings, stages, reasons, hired) -> None:
    open_postings = [p for p in postings if p.accepts_candidates]
    posting = rng.choice(open_postings) if rng.random() < 0.9 else None
    stage = rng.choices(stages, weights=STAGE_WEIGHTS[: len(stages)])[0]
    first, last = fake.first_name(), fake.last_name()
    source = rng.choice(SOURCES)
    origin = ORIGIN_BY_SOURCE.get(source, Origin.SOURCED)
    handle = f"{first}-{last}-{rng.randrange(100, 999)}".lower()
    recruiter = users[rng.choice([Role.ADMIN, Role.TEAM_MEMBER])]
    opportunity = services.create_candidate(
        recruiter,
        name=f"{first} {last}",
        headline=fake.job()[:120],
        location=fake.city(),
        current_company=fake.company(),
        current_title=fake.job()[:120],
        emails=[f"{handle}@{fake.free_email_domain()}"],
        phones=[services.Phone(fake.numerify("+44 7### ######"), "mobile")],
        links=[f"https://www.linkedin.com/in/{handle}"] if source == LINKEDIN_SOURCE else [],
        tags=rng.sample(TAGS, rng.randrange(0, 3)),
        sources=[source],
        origin=origin,
        posting=posting,
        owner=recruiter,
    )
    candidate = opportunity.candidate
    if stage.id != opportunity.stage_id:
        services.move_to_stage(recruiter, opportunity, stage.id)
    if rng.random() < 0.35:
        services.add_note(
            recruiter, candidate, fake.paragraph(nb_sentences=3), opportunity=opportunity
        )
    if rng.random() < 0.3:
        sent = timezone.now() - timedelta(days=rng.randrange(1, 40))
        services.log_message(
            recruiter,
            candidate,
            channel=rng.choice(Channel.values),
            direction=Direction.OUTBOUND,
            sender=recruiter.name,
            sender_user=recruiter,
            recipient=candidate.name,
            subject=f"Your next role: {posting.title if posting else 'let us talk'}",
            body=fake.paragraph(nb_sentences=4),
            sent_at=sent,
            opportunity=opportunity,
        )
    roll = rng.random()
    if roll < 0.04:
        services.archive(recruiter, opportunity, hired)
    elif roll < 0.15:
        services.archive(recruiter, opportunity, rng.choice(reasons))


def _entered_twice(rng: random.Random, users: dict[Role, User], count: int) -> None:
    """Some people were added a second time by hand (a referral of someone already sourced):
    the same email under a shortened name, so the demo has duplicates to find and merge."""
    people = list(Candidate.objects.order_by("name", "created_at")[: count * DUPLICATE_EVERY])
    for original in rng.sample(people, min(count, len(people))):
        first, _, last = original.name.partition(" ")
        services.create_candidate(
            users[Role.TEAM_MEMBER],
            name=f"{first[:1]}. {last}",
            emails=list(original.emails.values_list("email", flat=True)),
            current_company=original.current_company,
            sources=["Referral"],
            origin=Origin.REFERRED,
            owner=users[Role.TEAM_MEMBER],
        )


def logins_as_dicts(logins: list[Login]) -> list[dict[str, str]]:
    return [asdict(login) for login in logins]
