"""Likely duplicates of a candidate: other profiles of the same person.

Strong signals are things one person owns: an email, a phone number, a LinkedIn profile URL,
a LinkedIn member. A weaker hint is a near-identical name at the same employer. Every lookup
goes through an index and is capped, so a profile page stays fast at a million candidates.
"""

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

import phonenumbers
from anyascii import anyascii
from django.db import models
from django.db.models import CharField, Count, Expression, F, Func, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace
from rapidfuzz import fuzz

from hirebridge.accounts import policy
from hirebridge.accounts.policy import AnyUser
from hirebridge.hiring.models import Candidate, CandidateEmail, CandidateLink, CandidatePhone
from hirebridge.hiring.models.candidates import is_linkedin_profile, link_identity
from hirebridge.linkedin.models import ProfileConnection

MAX_DUPLICATES = 20
MAX_PER_SIGNAL = 50  # a shared value (an agency's phone) must not pull in thousands of rows
MAX_NAME_CANDIDATES = 200
NAME_SIMILARITY = 92


@dataclass(frozen=True)
class Duplicate:
    candidate: Candidate
    reasons: list[str]
    strong: bool


def link_spellings(url: str) -> set[str]:
    """The ways the same profile URL is commonly stored (scheme, `www.`, trailing slash; as
    written and lower-cased), so an indexed `IN` finds them; other mixes of case are not."""
    identity = link_identity(url)
    bare = url.strip().split("://", 1)[-1]
    bare = bare[4:] if bare.lower().startswith("www.") else bare
    spellings = set()
    for path in {identity, bare.rstrip("/")}:
        for scheme in ("https://", "http://"):
            for www in ("", "www."):
                spellings |= {f"{scheme}{www}{path}", f"{scheme}{www}{path}/"}
    return spellings


def phone_key(value: str) -> str:
    """E.164 when the number says its country, else its digits: two spellings of one number
    give one key."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(c for c in value if c.isdigit())
    return f"+{digits}" if value.strip().startswith("+") else digits


def phone_spellings(value: str) -> set[str]:
    """The stored forms of one number this lookup can find: as typed, and as phonenumbers
    writes it (E.164, international, national)."""
    spellings = {value.strip()}
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return spellings
    for style in (
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL,
    ):
        spellings.add(phonenumbers.format_number(number, style))
    return spellings


def fold(text: str) -> str:
    """Lower-case ASCII with single spaces: "José  García" and "jose garcia" fold alike."""
    return " ".join(anyascii(text).lower().split())


def duplicates_of(user: AnyUser, candidate: Candidate) -> list[Duplicate]:
    """Other candidates the user may see who are likely the same person, strongest first."""
    reasons: dict[UUID, list[str]] = defaultdict(list)
    for signal in (_same_emails, _same_phones, _same_links, _same_member):
        for other_id, reason in signal(candidate):
            if other_id != candidate.pk and reason not in reasons[other_id]:
                reasons[other_id].append(reason)
    strong = set(reasons)
    for other_id, reason in _similar_name_same_employer(candidate):
        if other_id != candidate.pk and other_id not in strong:
            reasons[other_id].append(reason)
    if not reasons:
        return []
    visible = policy.visible_candidates(user).filter(pk__in=list(reasons))
    found = [
        Duplicate(candidate=other, reasons=reasons[other.pk], strong=other.pk in strong)
        for other in visible
    ]
    found.sort(key=lambda d: (not d.strong, -len(d.reasons), d.candidate.name, d.candidate.pk))
    return found[:MAX_DUPLICATES]


Signal = list[tuple[UUID, str]]


def _same_emails(candidate: Candidate) -> Signal:
    emails = list(candidate.emails.values_list("email", flat=True))
    rows = (
        CandidateEmail.objects.filter(email__in=emails)
        .exclude(candidate=candidate)
        .values_list("candidate_id", "email")[:MAX_PER_SIGNAL]
    )
    return [(other_id, f"same email {email}") for other_id, email in rows]


def _same_phones(candidate: Candidate) -> Signal:
    mine = {phone_key(value): value for value in candidate.phones.values_list("value", flat=True)}
    spellings = set().union(*(phone_spellings(value) for value in mine.values()))
    if not spellings:
        return []
    rows = (
        CandidatePhone.objects.filter(value__in=spellings)
        .exclude(candidate=candidate)
        .values_list("candidate_id", "value")[:MAX_PER_SIGNAL]
    )
    return [
        (other_id, f"same phone {mine[phone_key(value)]}")
        for other_id, value in rows
        if phone_key(value) in mine
    ]


def _same_links(candidate: Candidate) -> Signal:
    mine = {
        link_identity(url): url
        for url in candidate.links.values_list("url", flat=True)
        if is_linkedin_profile(url)
    }
    spellings = set().union(*(link_spellings(url) for url in mine.values()))
    if not spellings:
        return []
    rows = (
        CandidateLink.objects.filter(url__in=spellings)
        .exclude(candidate=candidate)
        .values_list("candidate_id", "url")[:MAX_PER_SIGNAL]
    )
    return [
        (other_id, "same LinkedIn profile URL")
        for other_id, url in rows
        if link_identity(url) in mine
    ]


def _same_member(candidate: Candidate) -> Signal:
    connection = ProfileConnection.objects.filter(candidate=candidate).first()
    if connection is None:
        return []
    others = (
        ProfileConnection.objects.filter(
            integration_id=connection.integration_id, person_urn=connection.person_urn
        )
        .exclude(candidate=candidate)
        .values_list("candidate_id", flat=True)[:MAX_PER_SIGNAL]
    )
    return [(other_id, "same LinkedIn member") for other_id in others]


def _name_prefixes(name: str) -> set[str]:
    """Where near-identical names sort in the name index: "Ada L…" and, reordered, "Lovelace A…",
    as written and accent-folded, as written and capitalised."""
    prefixes: set[str] = set()
    for spelling in {" ".join(name.split()), " ".join(anyascii(name).split())}:
        tokens = spelling.split()
        if len(tokens) < 2:
            continue
        for first, last in ((tokens[0], tokens[-1]), (tokens[-1], tokens[0])):
            for prefix in (f"{first} {last[0]}", f"{first.capitalize()} {last[0].upper()}"):
                prefixes.add(prefix)
    return prefixes


def _similar_name_same_employer(candidate: Candidate) -> Signal:
    employer = fold(candidate.current_company)
    prefixes = _name_prefixes(candidate.name)
    if not employer or not prefixes:
        return []
    in_name_index = Q()
    for prefix in prefixes:
        in_name_index |= Q(name__gte=prefix, name__lt=prefix + "\uffff")
    rows = (
        Candidate.objects.filter(in_name_index)
        .exclude(pk=candidate.pk)
        .values_list("pk", "name", "current_company")[:MAX_NAME_CANDIDATES]
    )
    name = fold(candidate.name)
    return [
        (other_id, f"similar name at {candidate.current_company}")
        for other_id, other_name, company in rows
        if fold(company) == employer
        and fuzz.token_sort_ratio(name, fold(other_name)) >= NAME_SIMILARITY
    ]


# The duplicates list: groups of candidates sharing one email, phone, profile URL or member.


class Shared(models.TextChoices):
    EMAIL = "email", "email"
    PHONE = "phone", "phone"
    LINK = "link", "LinkedIn profile URL"
    MEMBER = "member", "LinkedIn member"


@dataclass(frozen=True)
class Group:
    shared: Shared
    key: str
    candidates: list[Candidate]  # oldest first: the usual profile to keep

    @property
    def pairs(self) -> list[tuple[Candidate, Candidate]]:
        """What to merge: the oldest profile with each of the others."""
        first, *rest = self.candidates
        return [(first, other) for other in rest]


def _profile_url_key(url: Expression | str) -> Func:
    """link_identity in SQL: lower-cased, without scheme, `www.` or trailing slashes."""
    bare: Func = Lower(url if isinstance(url, Expression) else F(url))
    for prefix in ("https://", "http://", "www."):
        bare = Replace(bare, Value(prefix), Value(""))
    return Func(bare, Value("/"), function="RTRIM", output_field=CharField())


def _keyed(shared: Shared) -> QuerySet:
    """Rows of one signal, each with its comparable `key` and its `candidate_id`."""
    if shared == Shared.EMAIL:
        return CandidateEmail.objects.annotate(key=F("email"))
    if shared == Shared.PHONE:
        return CandidatePhone.objects.annotate(key=F("value"))
    if shared == Shared.LINK:
        return CandidateLink.objects.filter(url__icontains="linkedin.com/in/").annotate(
            key=_profile_url_key("url")
        )
    return ProfileConnection.objects.annotate(key=F("person_urn"))


def shared_keys(user: AnyUser) -> QuerySet:
    """(signal, key, how many) for every value two or more visible candidates share, in one
    ordered query the list pages through. Name hints are left out: fuzzy matching cannot be
    grouped in SQL, and each profile page shows them."""
    visible = policy.visible_candidates(user).values("pk")
    per_signal = [
        _keyed(shared)
        .filter(candidate__in=visible)
        .values("key")
        .annotate(signal=Value(shared.value), n=Count("candidate_id", distinct=True))
        .filter(n__gt=1)
        .values_list("signal", "key", "n")
        .order_by()
        for shared in Shared
    ]
    first, *rest = per_signal
    return first.union(*rest, all=True).order_by("signal", "key")


def groups(user: AnyUser, keys: list[tuple[str, str, int]]) -> list[Group]:
    """The visible candidates behind one page of shared keys."""
    visible = policy.visible_candidates(user).values("pk")
    members: dict[tuple[str, str], dict[UUID, Candidate]] = defaultdict(dict)
    for shared in Shared:
        wanted = [key for signal, key, _ in keys if signal == shared.value]
        if not wanted:
            continue
        rows = (
            _keyed(shared)
            .filter(key__in=wanted, candidate__in=visible)
            .select_related("candidate")
            .order_by("candidate__created_at", "candidate_id")
        )
        for row in rows:
            members[(shared.value, row.key)][row.candidate_id] = row.candidate
    found = []
    for signal, key, _ in keys:
        candidates = list(members[(signal, key)].values())
        if len(candidates) > 1:
            found.append(Group(Shared(signal), key, candidates))
    return found
