"""ATS rows as the bodies LinkedIn keeps (jobs, candidates, applications, stages, notes).

Every rule LinkedIn applies is checked here, before anything is sent: a row that breaks one
raises `Unmappable`, whose message names the field and says why (an admin reads it in the
list of refused items), so nothing goes out half valid. The body functions only read the
objects given; the loaders fetch a batch of them in a fixed number of queries.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/required-fields
"""

import functools
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model, Prefetch, prefetch_related_objects
from nameparser import HumanName

from hirebridge.accounts.models import User
from hirebridge.hiring.models import (
    Activity,
    ArchiveReason,
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
    Note,
    Opportunity,
    Posting,
    Source,
    Stage,
    StageChange,
)
from hirebridge.hiring.models.candidates import is_linkedin_profile
from hirebridge.hiring.models.postings import PostingState
from hirebridge.hiring.models.records import RecordSource, Verb
from hirebridge.linkedin.models import Integration, JobAvailability

TITLE_MAX = 200  # LinkedIn's limit for a job title, applied to application job names too
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # LinkedIn's "X@X.X"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STAGE_VERBS = (Verb.ARCHIVED, Verb.UNARCHIVED)
FETCHED = "_linkedin_fetched"  # where a loader leaves the related values it read for a batch


class Unmappable(ValueError):
    """A row LinkedIn would refuse; the message reads "field: why"."""


def _values(row: Model, relation: str, field: str) -> list[Any]:
    """`field` of each row related by `relation`, in the relation's order: what the loader read
    for the whole batch, or else read now (a body built for one row needs no loader)."""
    fetched = row.__dict__.get(FETCHED, {})
    if relation in fetched:
        return fetched[relation]
    return [getattr(related, field) for related in getattr(row, relation).all()]


def epoch_ms(dt: datetime) -> int:
    """LinkedIn's times: whole milliseconds since 1970 (integer arithmetic, no float rounding)."""
    return (dt - EPOCH) // timedelta(milliseconds=1)


def _positive_ms(field: str, dt: datetime) -> int:
    ms = epoch_ms(dt)
    if ms <= 0:
        raise Unmappable(f"{field}: {dt.isoformat()} is not after 1970")
    return ms


def _times(created: datetime, modified: datetime) -> dict[str, int]:
    """Created and last-modified, the latter never before the former (LinkedIn refuses that)."""
    created_ms = _positive_ms("atsCreatedAt", created)
    return {"atsCreatedAt": created_ms, "atsLastModifiedAt": max(created_ms, epoch_ms(modified))}


def _column(value: str, model: type[Model], field: str) -> str:
    """Trimmed and cut to the ATS column's size, where LinkedIn documents no limit of its own."""
    size = getattr(model._meta.get_field(field), "max_length", None)
    return value.strip()[:size].rstrip()


def _public_url(path: str) -> str:
    return f"{settings.HIREBRIDGE_PUBLIC_URL.rstrip('/')}/{path}"


def _location_parts(location: str) -> list[str]:
    return [" ".join(part.split()) for part in location.split(",")]


def _job_location(posting: Posting) -> str:
    """Empty parts dropped, so "Berlin, , Germany" reads "Berlin, Germany"."""
    joined = ", ".join(part for part in _location_parts(posting.location) if part)
    parts = [part for part in _location_parts(_column(joined, Posting, "location")) if part]
    if len(parts) < 2:
        raise Unmappable(
            f"location: {posting.location!r} must read 'City, Country' or 'City, State'"
        )
    return ", ".join(parts)


def _availability(posting: Posting, integration: Integration) -> str:
    """The customer's choice (RSC-102), except that an unlisted or confidential posting is never
    shown to every LinkedIn member."""
    chosen = integration.job_availability
    if chosen == JobAvailability.PUBLIC and (
        posting.state == PostingState.INTERNAL or posting.confidential
    ):
        return JobAvailability.PRIVATE_TO_INTEGRATION
    return chosen


def job_body(posting: Posting, integration: Integration) -> dict[str, Any]:
    """A posting as a LinkedIn job (simpleJobPostings); the job id LinkedIn keeps is its id."""
    if posting.state == PostingState.DRAFT:
        raise Unmappable("state: drafts stay in the ATS")
    title = posting.title.strip()[:TITLE_MAX].rstrip()
    if not title:
        raise Unmappable("title: the posting has no title")
    return {
        "integrationContext": integration.organization_urn,
        "externalJobPostingId": str(posting.id),
        "title": title,
        "description": posting.description.strip() or title,
        "location": _job_location(posting),
        "state": "LISTED" if posting.accepts_candidates else "CLOSED",
        "availability": _availability(posting, integration),
        "companyApplyUrl": _public_url(f"postings/{posting.id}"),
        "listedAt": _positive_ms("listedAt", posting.created_at),
    }


@functools.lru_cache(maxsize=4096)  # a candidate's name is parsed for each of its records
def _first_last(name: str) -> tuple[str, str, str] | None:
    """First name, last name and middle initial, or None when no first and last can be told."""
    parsed = HumanName(name)
    if parsed.first and parsed.last:
        initial = next((char for char in parsed.middle if char.isalpha()), "")
        return parsed.first, parsed.last, initial
    # nameparser reads some first names as titles ("Prince Nelson", "Dean Smith"): two or more
    # words still make a first and a last name, unless the first is an abbreviation ("Dr.").
    words = name.split()
    if len(words) < 2 or words[0].endswith("."):
        return None
    return words[0], " ".join(words[1:]), ""


def _candidate_names(candidate: Candidate) -> tuple[str, str, str]:
    names = _first_last(_column(candidate.name, Candidate, "name"))
    if names is None:
        raise Unmappable(
            f"firstName/lastName: {candidate.name!r} has no separate first and last name"
        )
    return names


def _valid_emails(candidate: Candidate) -> list[str]:
    """The addresses that match X@X.X, lower-cased, each once; the others are left out."""
    valid: list[str] = []
    for email in _values(candidate, "emails", "email"):
        address = email.strip().lower()
        if EMAIL.fullmatch(address) and address not in valid:
            valid.append(address)
    return valid


def _addresses(location: str) -> list[dict[str, str]]:
    """One address when the location reads "City, Area"; any other shape is not guessed at."""
    parts = _location_parts(_column(location, Candidate, "location"))
    if len(parts) != 2 or not all(parts):
        return []
    city, area = parts
    return [{"city": city, "geographicArea": area}]


def _profile_url(candidate: Candidate) -> str:
    """The first link that is a LinkedIn profile (Candidate.linkedin_url, from what was read)."""
    urls = _values(candidate, "links", "url")
    return next((url for url in urls if is_linkedin_profile(url)), "")


def candidate_body(candidate: Candidate, *, person_urn: str | None) -> dict[str, Any]:
    """A candidate as atsCandidates keeps it; with no email it is sent only when a LinkedIn
    member (`person_urn`) is attached, since LinkedIn then needs no address to match."""
    first, last, initial = _candidate_names(candidate)
    emails = _valid_emails(candidate)
    if not emails and person_urn is None:
        raise Unmappable("emailAddresses: no valid email address and no LinkedIn member attached")
    phones = [
        _column(value, CandidatePhone, "value") for value in _values(candidate, "phones", "value")
    ]
    body: dict[str, Any] = {
        "firstName": first,
        "lastName": last,
        "emailAddresses": emails,
        "phoneNumbers": [{"number": number} for number in phones if number],
        "addresses": _addresses(candidate.location),
        "externalProfileUrl": _public_url(f"candidates/{candidate.id}"),
        **_times(candidate.created_at, candidate.updated_at),
    }
    optional = {
        "middleInitial": initial,
        "currentCompanyName": _column(candidate.current_company, Candidate, "current_company"),
        "currentJobTitle": _column(candidate.current_title, Candidate, "current_title"),
        "linkedInProfileUrl": _column(_profile_url(candidate), CandidateLink, "url"),
    }
    return body | {name: value for name, value in optional.items() if value}


def application_body(opportunity: Opportunity) -> dict[str, Any]:
    """An opportunity on a posting as atsApplications keeps it (its stages go separately)."""
    posting = opportunity.posting
    if posting is None:
        raise Unmappable("posting: a general opportunity is not a job application")
    job_name = posting.title.strip()[:TITLE_MAX].rstrip()
    if not job_name:
        raise Unmappable("atsJobPostingName: the posting has no title")
    candidate = opportunity.candidate
    first, last, _ = _candidate_names(candidate)
    emails = _valid_emails(candidate)
    source = next(iter(_values(opportunity, "sources", "text")), "")
    reason = opportunity.archive_reason
    body: dict[str, Any] = {
        "atsCandidateId": str(candidate.id),
        "atsJobPostingId": str(posting.id),
        "atsJobPostingName": job_name,
        "firstName": first,
        "lastName": last,
        "source": _column(source, Source, "text"),
        "dispositionReason": (
            _column(reason.text, ArchiveReason, "text")
            if opportunity.is_archived and reason
            else ""
        ),
        **_times(opportunity.created_at, opportunity.updated_at),
    }
    if emails:
        body["candidateEmail"] = emails[0]
    return body


def _stage_text(text: str) -> str:
    stage = _column(text, Stage, "text")
    if not stage:
        raise Unmappable("stage: a stage has no name")
    if stage.casefold() == "not available":
        raise Unmappable(f"stage: LinkedIn refuses the name {stage!r}; rename the stage")
    return stage


def _archive_stage(activity: Activity) -> str:
    if activity.verb == Verb.UNARCHIVED:
        return "Unarchived"
    if activity.detail.get("hired"):
        return "Hired"
    reason = _column(str(activity.detail.get("reason") or ""), ArchiveReason, "text")
    return f"Archived: {reason}" if reason else "Archived"


def stage_records(opportunity: Opportunity) -> dict[str, dict[str, Any]]:
    """The application's stage history: every move, every archive and unarchive, keyed by a
    record id that stays the same on every sync (`s` + stage change id, `a` + activity id)."""
    records = {
        f"s{change.id}": {
            "atsCreatedAt": _positive_ms("atsCreatedAt", change.changed_at),
            "stage": _stage_text(change.to_stage.text),
        }
        for change in opportunity.stage_changes.all()
    }
    for activity in opportunity.activities.all():
        if activity.verb in STAGE_VERBS:
            records[f"a{activity.id}"] = {
                "atsCreatedAt": _positive_ms("atsCreatedAt", activity.created_at),
                "stage": _archive_stage(activity),
            }
    return records


def _note_author(note: Note) -> dict[str, str] | None:
    if note.author:
        names = _first_last(_column(note.author.name, User, "name"))
    else:
        names = _first_last(_column(note.external_author, Note, "external_author"))
    if names is None:
        return None
    first, last, _ = names
    return {"firstName": first, "lastName": last}


def note_body(note: Note) -> dict[str, Any]:
    """A note as LinkedIn keeps it under its candidate or application; the author is left out
    when no first and last name can be made of it."""
    if note.source == RecordSource.LINKEDIN:
        raise Unmappable("source: came from LinkedIn")
    body: dict[str, Any] = {
        "atsCreatedAt": _positive_ms("atsCreatedAt", note.created_at),
        "note": note.body,
    }
    author = _note_author(note)
    if author:
        body["author"] = author
    return body


def note_parent(note: Note) -> tuple[str, str]:
    """Where LinkedIn files the note: under its application when it has one, else its candidate."""
    opportunity = note.opportunity
    if opportunity is not None and opportunity.posting_id is not None:
        return "application", str(opportunity.id)
    return "candidate", str(note.candidate_id)


def _uuids(ids: Iterable[str]) -> list[uuid.UUID]:
    """The ids that can name a row; any other can only be absent."""
    valid = []
    for value in ids:
        try:
            valid.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return valid


def _attach(rows: Iterable[Model], relation: str, pairs: Iterable[tuple[Any, Any]]) -> None:
    """Hand each row its related values, read for the whole batch as (row pk, value) pairs in
    the relation's order: one query per relation, no queryset or model per row."""
    grouped: defaultdict[Any, list[Any]] = defaultdict(list)
    for pk, value in pairs:
        grouped[pk].append(value)
    for row in rows:
        row.__dict__.setdefault(FETCHED, {})[relation] = grouped[row.pk]


def _attach_emails(candidates: list[Candidate]) -> None:
    emails = CandidateEmail.objects.filter(candidate__in=candidates).order_by("id")
    _attach(candidates, "emails", emails.values_list("candidate_id", "email"))


def _attach_sources(opportunities: list[Opportunity]) -> None:
    labels = Opportunity.sources.through.objects.filter(opportunity__in=opportunities)
    pairs = labels.order_by("source__text").values_list("opportunity_id", "source__text")
    _attach(opportunities, "sources", pairs)


def load_candidates(ids: Iterable[str]) -> dict[str, Candidate]:
    """What candidate_body and the member link read."""
    rows = list(
        Candidate.objects.filter(pk__in=_uuids(ids))
        .select_related("linkedin_connection")
        .order_by()
    )
    _attach_emails(rows)
    phones = CandidatePhone.objects.filter(candidate__in=rows).order_by("id")
    _attach(rows, "phones", phones.values_list("candidate_id", "value"))
    links = CandidateLink.objects.filter(candidate__in=rows).order_by("id")
    _attach(rows, "links", links.values_list("candidate_id", "url"))
    return {str(row.id): row for row in rows}


def _opportunities(ids: Iterable[str]) -> list[Opportunity]:
    return list(
        Opportunity.objects.filter(pk__in=_uuids(ids))
        .select_related("candidate", "posting", "archive_reason")
        .order_by()
    )


def load_applications(ids: Iterable[str]) -> dict[str, Opportunity]:
    """What application_body reads (not the stage history)."""
    rows = _opportunities(ids)
    _attach_emails([row.candidate for row in rows])
    _attach_sources(rows)
    return {str(row.id): row for row in rows}


def load_opportunities(ids: Iterable[str]) -> dict[str, Opportunity]:
    """What application_body and stage_records read."""
    rows = _opportunities(ids)
    _attach_emails([row.candidate for row in rows])
    _attach_sources(rows)
    prefetch_related_objects(
        rows,
        Prefetch("stage_changes", StageChange.objects.select_related("to_stage")),
        Prefetch("activities", Activity.objects.filter(verb__in=STAGE_VERBS)),
    )
    return {str(row.id): row for row in rows}


def load_notes(ids: Iterable[str]) -> dict[str, Note]:
    rows = Note.objects.filter(pk__in=_uuids(ids)).select_related("author", "opportunity")
    return {str(row.id): row for row in rows}


def load_postings(ids: Iterable[str]) -> dict[str, Posting]:
    return {str(row.id): row for row in Posting.objects.filter(pk__in=_uuids(ids))}
