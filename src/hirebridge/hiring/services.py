"""The pipeline services: the only code that writes postings, candidates, opportunities, notes
and messages.

The UI, the API and the LinkedIn integration all call these, so every write records its
Activity and obeys the same rules. Callers check permissions (accounts.policy) first; these
functions enforce the domain rules. Each runs in one transaction, which also writes what
LinkedIn must hear about to the outbox (hirebridge.linkedin.outbox), so neither is ever
committed without the other.
"""

import calendar
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from types import EllipsisType
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from hirebridge import audit
from hirebridge.accounts.models import User
from hirebridge.hiring import progression
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
from hirebridge.hiring.models.candidates import Origin, PhoneType, link_identity, normalize_email
from hirebridge.hiring.models.labels import Label
from hirebridge.hiring.models.opportunities import ArchiveReasonType
from hirebridge.hiring.models.postings import Commitment, PostingState
from hirebridge.hiring.models.records import Channel, Direction, RecordSource, Verb
from hirebridge.hiring.models.stages import LEAD_NEW
from hirebridge.linkedin import outbox
from hirebridge.linkedin.models import OutboxKind, ProfileConnection
from hirebridge.linkedin.outbound import access
from hirebridge.privacy import suppression
from hirebridge.search import index as search_index
from hirebridge.webhooks import events as webhook_events

log = logging.getLogger("hirebridge.hiring")

NOTE_MAX_CHARS = 20_000

L = TypeVar("L", bound=Label)
PHONE_MAX = CandidatePhone._meta.get_field("value").max_length or 64


class Automatic:
    """The system acting on its own, e.g. automatic stage progression or a LinkedIn sync."""

    def __repr__(self) -> str:
        return "AUTOMATIC"


AUTOMATIC = Automatic()
Actor = User | Automatic


class PipelineError(Exception):
    """A request the pipeline refuses; `field` names the input at fault for a 4xx reply."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DuplicateOpportunity(PipelineError):
    def __init__(self) -> None:
        super().__init__(
            "This candidate already has an active opportunity for this posting.", field="posting"
        )


@dataclass(frozen=True)
class Phone:
    value: str
    type: str = PhoneType.OTHER


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _record(actor: Actor, candidate: Candidate, verb: str, opportunity=None, **detail) -> None:
    Activity.objects.create(
        candidate=candidate,
        opportunity=opportunity,
        actor=_user(actor),
        automatic=isinstance(actor, Automatic),
        verb=verb,
        detail=detail,
    )


def _labels(model: type[L], texts: Iterable[str]) -> list[L]:
    wanted = sorted({t.strip() for t in texts if t and t.strip()})
    if not wanted:
        return []
    for text in wanted:
        if len(text) > 100:
            raise PipelineError(
                f"{model.__name__.lower()}s: {text[:20]!r}… is over 100 characters",
                field=f"{model.__name__.lower()}s",
            )
    model._default_manager.bulk_create([model(text=t) for t in wanted], ignore_conflicts=True)
    return list(model._default_manager.filter(text__in=wanted))


def _clean_emails(emails: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for email in emails:
        address = normalize_email(email)
        try:
            validate_email(address)
        except ValidationError:
            raise PipelineError(
                f"emails: {email!r} is not a valid email address", field="emails"
            ) from None
        if address not in cleaned:
            cleaned.append(address)
    return cleaned


def _clean_links(links: Iterable[str]) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    cleaned: list[str] = []
    for link in links:
        url = link.strip()
        try:
            validate(url)
        except ValidationError:
            raise PipelineError(f"links: {link!r} is not an http(s) URL", field="links") from None
        if url not in cleaned:
            cleaned.append(url)
    return cleaned


def _clean_phones(phones: Iterable[Phone]) -> list[Phone]:
    """Phones with a known type and a value that fits, stripped, each once."""
    cleaned: list[Phone] = []
    for phone in phones:
        value = phone.value.strip()
        _no_nul(phones=value)
        if phone.type not in PhoneType.values or not value or len(value) > PHONE_MAX:
            raise PipelineError(
                f"phones: {phone.value!r} ({phone.type}) is not a valid phone", field="phones"
            )
        if value not in [p.value for p in cleaned]:
            cleaned.append(Phone(value, phone.type))
    return cleaned


def _no_nul(**texts: str) -> None:
    """Refuse a NUL character (PostgreSQL cannot store one; no text means it), naming the field."""
    for field, text in texts.items():
        if "\x00" in text:
            raise PipelineError(f"{field}: contains a NUL character", field=field)


def _text(model: type[models.Model], field: str, value: str, *, required: bool = False) -> str:
    """The value stripped, refused (naming the field) when required and empty, over its
    column's size or holding a NUL character."""
    _no_nul(**{field: value})
    text = value.strip()
    if required and not text:
        raise PipelineError(f"{field}: cannot be empty", field=field)
    size = getattr(model._meta.get_field(field), "max_length", None)
    if size is not None and len(text) > size:
        raise PipelineError(f"{field}: at most {size} characters", field=field)
    return text


def _candidate_name(name: str) -> str:
    return _text(Candidate, "name", " ".join(name.split()), required=True)


def _application_change(opportunity: Opportunity) -> list[outbox.Change]:
    """An opportunity on a posting is an application at LinkedIn; a general one is not."""
    if opportunity.posting_id is None:
        return []
    return [(OutboxKind.APPLICATION, opportunity.id, "")]


def _application_changes(opportunities: models.QuerySet[Opportunity]) -> list[outbox.Change]:
    applications = opportunities.filter(posting__isnull=False).values_list("id", flat=True)
    return [(OutboxKind.APPLICATION, opportunity_id, "") for opportunity_id in applications]


def _candidate_changes(candidate: Candidate) -> list[outbox.Change]:
    """The person and each of their applications, which carry the person's name and email."""
    return [
        (OutboxKind.CANDIDATE, candidate.id, ""),
        *_application_changes(candidate.opportunities.all()),
    ]


def _note_change(note: Note) -> outbox.Change:
    """LinkedIn files a note under its application when it has one, else under the candidate."""
    opportunity = note.opportunity
    if opportunity is not None and opportunity.posting_id is not None:
        return (OutboxKind.APPLICATION_NOTE, note.id, opportunity.id)
    return (OutboxKind.CANDIDATE_NOTE, note.id, note.candidate_id)


def _job_changes(posting: Posting, *, access_changed: bool) -> list[outbox.Change]:
    """The posting as a job; when who may see it changed (its team, state or confidentiality),
    LinkedIn's job ACLs are recomputed from every posting too."""
    changes: list[outbox.Change] = [(OutboxKind.JOB, posting.id, "")]
    if access_changed:
        changes.append((OutboxKind.JOB_ACCESS, access.ALL_JOBS, ""))
    return changes


def linkedin_changes(obj: Candidate | Posting | Opportunity | Note) -> list[outbox.Change]:
    """What LinkedIn must hear of when `obj` changed outside these services (the Django admin)."""
    if isinstance(obj, Candidate):
        return _candidate_changes(obj)
    if isinstance(obj, Posting):
        return _job_changes(obj, access_changed=True)
    if isinstance(obj, Opportunity):
        return [] if obj.posting_id is None else [(OutboxKind.APPLICATION, obj.id, "")]
    return [] if obj.source != RecordSource.ATS else [_note_change(obj)]


def _stage_index(stage: Stage) -> int:
    order = list(Stage.objects.active().values_list("id", flat=True))
    return order.index(stage.id) if stage.id in order else len(order)


def _open(
    actor: Actor,
    candidate: Candidate,
    *,
    posting: Posting | None,
    stage: Stage,
    origin: str,
    sources: Sequence[str],
    tags: Sequence[str],
    owner: User | None,
    opened_at: datetime | None,
) -> Opportunity:
    if posting is not None and not posting.accepts_candidates:
        raise PipelineError(
            f"posting: {posting.title!r} is {posting.get_state_display().lower()} "
            "and cannot take candidates",
            field="posting",
        )
    if not stage.active:
        raise PipelineError(f"stage: {stage.text!r} is not an active stage", field="stage")
    if origin not in Origin.values:
        raise PipelineError(
            f"origin: {origin!r} is not one of {', '.join(Origin.values)}", field="origin"
        )
    # A candidacy that began elsewhere (a LinkedIn export) dates from then, never the future,
    # so messages sent in between count towards its progression.
    now = min(opened_at or timezone.now(), timezone.now())
    try:
        with transaction.atomic():
            opportunity = Opportunity.objects.create(
                candidate=candidate,
                posting=posting,
                stage=stage,
                origin=origin,
                owner=owner or _user(actor),
                created_by=_user(actor),
                created_at=now,
                last_advanced_at=now,
                last_interaction_at=now,
            )
    except IntegrityError:
        if (
            posting is not None
            and candidate.opportunities.active().filter(posting=posting).exists()
        ):
            raise DuplicateOpportunity() from None
        raise
    source_labels = _labels(Source, sources)
    opportunity.sources.set(source_labels)
    opportunity.tags.set(_labels(Tag, tags))
    candidate.sources.add(*source_labels)
    if isinstance(actor, User):
        opportunity.followers.add(actor)
    StageChange.objects.create(
        opportunity=opportunity,
        to_stage=stage,
        to_stage_index=_stage_index(stage),
        changed_by=_user(actor),
        changed_at=now,
    )
    webhook_events.application_created(opportunity)
    return opportunity


@transaction.atomic
def create_candidate(
    actor: Actor,
    *,
    name: str,
    headline: str = "",
    location: str = "",
    current_company: str = "",
    current_title: str = "",
    emails: Sequence[str] = (),
    phones: Sequence[Phone] = (),
    links: Sequence[str] = (),
    tags: Sequence[str] = (),
    sources: Sequence[str] = (),
    origin: str = Origin.SOURCED,
    posting: Posting | None = None,
    stage_id: str = LEAD_NEW,
    owner: User | None = None,
    opened_at: datetime | None = None,
) -> Opportunity:
    """A new person with their first opportunity (on `posting`, or a general one); `opened_at`
    dates a candidacy that began elsewhere (a LinkedIn export), so later messages count."""
    name = _candidate_name(name)
    _no_nul(
        headline=headline,
        location=location,
        current_company=current_company,
        current_title=current_title,
        tags="".join(tags),
        sources="".join(sources),
    )
    stage = _get_stage(stage_id)
    clean_emails, clean_links = _clean_emails(emails), _clean_links(links)
    clean_phones = _clean_phones(phones)
    candidate = Candidate.objects.create(
        name=name,
        headline=headline.strip()[:500],
        location=location.strip()[:200],
        current_company=current_company.strip()[:200],
        current_title=current_title.strip()[:200],
        origin=origin,
        created_by=_user(actor),
    )
    CandidateEmail.objects.bulk_create(
        [CandidateEmail(candidate=candidate, email=e) for e in clean_emails]
    )
    CandidatePhone.objects.bulk_create(
        [CandidatePhone(candidate=candidate, type=p.type, value=p.value) for p in clean_phones]
    )
    CandidateLink.objects.bulk_create(
        [CandidateLink(candidate=candidate, url=u) for u in clean_links]
    )
    candidate.tags.set(_labels(Tag, tags))
    webhook_events.contact_created(candidate)
    opportunity = _open(
        actor,
        candidate,
        posting=posting,
        stage=stage,
        origin=origin,
        sources=sources,
        tags=tags,
        owner=owner,
        opened_at=opened_at,
    )
    _record(
        actor,
        candidate,
        Verb.CANDIDATE_CREATED,
        opportunity,
        posting=posting.title if posting else None,
        stage=stage.text,
    )
    search_index.refresh([candidate.id])
    outbox.changed_many(
        [(OutboxKind.CANDIDATE, candidate.id, ""), *_application_change(opportunity)]
    )
    return opportunity


@transaction.atomic
def update_candidate(
    actor: Actor,
    candidate: Candidate,
    *,
    name: str | None = None,
    headline: str | None = None,
    location: str | None = None,
    current_company: str | None = None,
    current_title: str | None = None,
) -> list[str]:
    """Change the person's profile (None leaves a field as it is); returns the fields that
    changed, so a repeated request changes nothing."""
    wanted = {
        "name": name,
        "headline": headline,
        "location": location,
        "current_company": current_company,
        "current_title": current_title,
    }
    cleaned = {
        field: _candidate_name(value) if field == "name" else _text(Candidate, field, value)
        for field, value in wanted.items()
        if value is not None
    }
    current = Candidate.objects.select_for_update().get(pk=candidate.pk)
    changed = [f for f, value in cleaned.items() if getattr(current, f) != value]
    if not changed:
        return []
    for field in changed:
        setattr(current, field, cleaned[field])
    current.save(update_fields=[*changed, "updated_at"])
    search_index.refresh([current.id])
    _record(actor, current, Verb.CANDIDATE_UPDATED, fields=changed)
    webhook_events.contact_updated(current)
    outbox.changed_many(_candidate_changes(current))
    candidate.refresh_from_db()
    return changed


@dataclass(frozen=True)
class Erasure:
    """What deleting a person removed, for the audit log and the confirmation."""

    opportunities: int
    notes: int
    messages: int
    suppressed: bool


@transaction.atomic
def delete_candidate(actor: Actor, candidate: Candidate, *, suppress: bool = False) -> Erasure:
    """Erase the person: the candidate with everything recorded about them (opportunities,
    notes, messages, activity, contact details, the LinkedIn connection, the search document);
    LinkedIn deletes the candidate and each application, with their notes (GDPR Art. 19). The
    audit log keeps who erased which id, and counts, never who the person was.

    `suppress` honours an erasure or objection request: the person's LinkedIn URN, emails and
    profile URL are kept as keyed hashes (hirebridge.privacy), so LinkedIn never brings them
    back. When the candidate was a LinkedIn member's primary one, the member's next connected
    duplicate takes that place."""
    connection = ProfileConnection.objects.filter(candidate=candidate).first()
    found = suppression.identifiers(
        person_urns=[connection.person_urn] if connection else [],
        emails=candidate.emails.values_list("email", flat=True),
        profile_urls=[link.url for link in candidate.links.all() if link.is_linkedin_profile],
    )
    erasure = Erasure(
        opportunities=candidate.opportunities.count(),
        notes=candidate.notes.count(),
        messages=candidate.messages.count(),
        suppressed=suppress and bool(found),
    )
    outbox.changed_many(_candidate_changes(candidate))
    event = audit.record(
        "candidate.deleted",
        target=("candidate", candidate.pk),
        actor=_user(actor) or "system",
        detail=asdict(erasure),
    )
    log.info("candidate %s deleted by %s:%s", candidate.pk, event.actor_kind, event.actor_id)
    webhook_events.candidate_deleted(candidate, _user(actor))
    candidate.delete()
    if connection is not None and connection.primary:
        ProfileConnection.objects.promote_next(connection.integration_id, connection.person_urn)
    if erasure.suppressed:
        suppression.suppress(found, event)
    return erasure


def one_month_after(day: date) -> date:
    """The same day of the next month, or that month's last day when it is shorter (31 January
    → 28 or 29 February): how EU law counts a period of one month (Regulation 1182/71)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def owe_privacy_notice(candidate: Candidate) -> bool:
    """Data about the person just came from elsewhere (LinkedIn), so GDPR Art. 14 asks that they
    be told within a month. Set once: a later import never moves the date, and a notice already
    sent stays sent. False when nothing changed."""
    due = one_month_after(timezone.localdate())
    owed = Candidate.objects.filter(
        pk=candidate.pk, privacy_notice_due_by__isnull=True, privacy_notice_sent_at__isnull=True
    ).update(privacy_notice_due_by=due)
    if owed:
        candidate.privacy_notice_due_by = due
    return bool(owed)


@transaction.atomic
def mark_privacy_notice_sent(actor: User, candidate: Candidate) -> bool:
    """The person was sent the privacy notice; False when that was recorded already, so a
    repeated click changes nothing."""
    now = timezone.now()
    marked = Candidate.objects.filter(pk=candidate.pk, privacy_notice_sent_at__isnull=True).update(
        privacy_notice_sent_at=now
    )
    if not marked:
        return False
    audit.record(
        "candidate.privacy_notice_sent",
        target=("candidate", candidate.pk),
        actor=actor,
        detail={"overdue": candidate.privacy_notice_overdue},
    )
    candidate.privacy_notice_sent_at = now
    return True


@transaction.atomic
def add_opportunity(
    actor: Actor,
    candidate: Candidate,
    *,
    posting: Posting | None = None,
    stage_id: str = LEAD_NEW,
    origin: str = Origin.SOURCED,
    sources: Sequence[str] = (),
    tags: Sequence[str] = (),
    owner: User | None = None,
    opened_at: datetime | None = None,
) -> Opportunity:
    """Another candidacy for an existing person; one active opportunity per posting at most."""
    if posting is not None and candidate.opportunities.active().filter(posting=posting).exists():
        raise DuplicateOpportunity()
    opportunity = _open(
        actor,
        candidate,
        posting=posting,
        stage=_get_stage(stage_id),
        origin=origin,
        sources=sources,
        tags=tags,
        owner=owner,
        opened_at=opened_at,
    )
    _record(
        actor,
        candidate,
        Verb.OPPORTUNITY_CREATED,
        opportunity,
        posting=posting.title if posting else None,
        stage=opportunity.stage.text,
    )
    if tags:
        search_index.refresh([candidate.id])
    outbox.changed_many(_application_change(opportunity))
    return opportunity


def _get_stage(stage_id: str) -> Stage:
    try:
        return Stage.objects.get(pk=stage_id)
    except Stage.DoesNotExist:
        raise PipelineError(f"stage: no stage with id {stage_id!r}", field="stage") from None


def _locked(opportunity: Opportunity) -> Opportunity:
    return Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)


@transaction.atomic
def move_to_stage(actor: Actor, opportunity: Opportunity, stage_id: str) -> bool:
    """Move to a stage; False when it is there already (so a repeated request changes nothing)."""
    target = _get_stage(stage_id)
    current = _locked(opportunity)
    if current.is_archived:
        raise PipelineError(
            "stage: an archived opportunity cannot change stage; unarchive it first", field="stage"
        )
    if current.stage_id == target.id:
        return False
    if not target.active:
        raise PipelineError(f"stage: {target.text!r} is not an active stage", field="stage")
    now = timezone.now()
    StageChange.objects.create(
        opportunity=current,
        from_stage=current.stage,
        to_stage=target,
        to_stage_index=_stage_index(target),
        changed_by=_user(actor),
        changed_at=now,
    )
    _record(
        actor,
        current.candidate,
        Verb.STAGE_CHANGED,
        current,
        from_stage=current.stage.text,
        to_stage=target.text,
    )
    Opportunity.objects.filter(pk=current.pk).update(
        stage=target, last_advanced_at=now, updated_at=now
    )
    webhook_events.stage_changed(current, current.stage_id, target.id)
    outbox.changed_many(_application_change(current))
    opportunity.refresh_from_db()
    return True


@transaction.atomic
def archive(actor: Actor, opportunity: Opportunity, reason: ArchiveReason) -> None:
    """Take the opportunity out of the pipeline; archiving again with another reason re-archives."""
    if not reason.active:
        raise PipelineError(f"reason: {reason.text!r} is no longer in use", field="reason")
    current = _locked(opportunity)
    if current.archive_reason_id == reason.id:
        return
    now = timezone.now()
    Opportunity.objects.filter(pk=current.pk).update(
        archive_reason=reason, archived_at=now, updated_at=now
    )
    webhook_events.archive_changed(current, archived_at=now, reason=reason)
    _record(
        actor,
        current.candidate,
        Verb.ARCHIVED,
        current,
        reason=reason.text,
        hired=reason.type == ArchiveReasonType.HIRED,
    )
    outbox.changed_many(_application_change(current))
    opportunity.refresh_from_db()


@transaction.atomic
def unarchive(actor: Actor, opportunity: Opportunity) -> None:
    """Back to the stage it was archived from, unless that would make a second active one."""
    current = _locked(opportunity)
    if not current.is_archived:
        return
    if (
        current.posting_id is not None
        and current.candidate.opportunities.active().filter(posting_id=current.posting_id).exists()
    ):
        raise DuplicateOpportunity()
    Opportunity.objects.filter(pk=current.pk).update(
        archive_reason=None, archived_at=None, updated_at=timezone.now()
    )
    webhook_events.archive_changed(current, archived_at=None, reason=None)
    _record(actor, current.candidate, Verb.UNARCHIVED, current, stage=current.stage.text)
    outbox.changed_many(_application_change(current))
    opportunity.refresh_from_db()


def _relabel(
    actor: Actor, opportunity: Opportunity, model: type[L], texts: Sequence[str], *, add: bool
) -> list[str]:
    """Add or remove the opportunity's tags or sources (created on first use, as in Lever);
    returns the texts that changed, so repeating a request changes nothing."""
    field = f"{model.__name__.lower()}s"
    _no_nul(**{field: "".join(texts)})
    current = _locked(opportunity)
    related = getattr(current, field)
    held = {label.text for label in related.all()}
    if add:
        labels = [label for label in _labels(model, texts) if label.text not in held]
        related.add(*labels)
        if model is Source:  # the person keeps every source that ever brought them
            current.candidate.sources.add(*[label.pk for label in labels])
    else:
        wanted = {text.strip() for text in texts}
        labels = [label for label in related.all() if label.text in wanted]
        related.remove(*labels)
    changed = sorted(label.text for label in labels)
    if not changed:
        return []
    Opportunity.objects.filter(pk=current.pk).update(updated_at=timezone.now())
    if model is Tag:
        search_index.refresh([current.candidate_id])
    _record(
        actor,
        current.candidate,
        Verb.CANDIDATE_UPDATED,
        current,
        fields=[field],
        **{"added" if add else "removed": changed},
    )
    if model is Source:  # LinkedIn's application carries its source
        outbox.changed_many(_application_change(current))
    opportunity.refresh_from_db()
    return changed


@transaction.atomic
def add_tags(actor: Actor, opportunity: Opportunity, tags: Sequence[str]) -> list[str]:
    return _relabel(actor, opportunity, Tag, tags, add=True)


@transaction.atomic
def remove_tags(actor: Actor, opportunity: Opportunity, tags: Sequence[str]) -> list[str]:
    return _relabel(actor, opportunity, Tag, tags, add=False)


@transaction.atomic
def add_sources(actor: Actor, opportunity: Opportunity, sources: Sequence[str]) -> list[str]:
    return _relabel(actor, opportunity, Source, sources, add=True)


@transaction.atomic
def remove_sources(actor: Actor, opportunity: Opportunity, sources: Sequence[str]) -> list[str]:
    return _relabel(actor, opportunity, Source, sources, add=False)


@transaction.atomic
def add_contact_details(
    actor: Actor,
    candidate: Candidate,
    *,
    emails: Sequence[str] = (),
    phones: Sequence[Phone] = (),
    links: Sequence[str] = (),
) -> list[str]:
    """Add the emails, phones and links the candidate lacks (nothing is ever removed); returns
    what was added. Links are compared without scheme, `www.` or trailing slash."""
    known_emails = set(candidate.emails.values_list("email", flat=True))
    new_emails = [e for e in _clean_emails(emails) if e not in known_emails]
    known_phones = set(candidate.phones.values_list("value", flat=True))
    new_phones = [p for p in _clean_phones(phones) if p.value not in known_phones]
    known_links = {link_identity(url) for url in candidate.links.values_list("url", flat=True)}
    new_links = [u for u in _clean_links(links) if link_identity(u) not in known_links]
    CandidateEmail.objects.bulk_create(
        [CandidateEmail(candidate=candidate, email=e) for e in new_emails]
    )
    CandidatePhone.objects.bulk_create(
        [CandidatePhone(candidate=candidate, type=p.type, value=p.value) for p in new_phones]
    )
    CandidateLink.objects.bulk_create(
        [CandidateLink(candidate=candidate, url=u) for u in new_links]
    )
    added = new_emails + [p.value for p in new_phones] + new_links
    if added:
        _contact_changed(actor, candidate, Verb.CONTACT_ADDED, added=added)
    return added


@transaction.atomic
def remove_contact_details(
    actor: Actor,
    candidate: Candidate,
    *,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    links: Sequence[str] = (),
) -> list[str]:
    """Remove the given emails, phone numbers and links (compared as add_contact_details does);
    returns what was removed, so a value the candidate lacks is no error."""
    unwanted_emails = {normalize_email(e) for e in emails}
    unwanted_phones = {p.strip() for p in phones}
    unwanted_links = {link_identity(u) for u in links}
    email_rows = [r for r in candidate.emails.all() if r.email in unwanted_emails]
    phone_rows = [r for r in candidate.phones.all() if r.value in unwanted_phones]
    link_rows = [r for r in candidate.links.all() if link_identity(r.url) in unwanted_links]
    CandidateEmail.objects.filter(pk__in=[r.pk for r in email_rows]).delete()
    CandidatePhone.objects.filter(pk__in=[r.pk for r in phone_rows]).delete()
    CandidateLink.objects.filter(pk__in=[r.pk for r in link_rows]).delete()
    removed = [r.email for r in email_rows] + [r.value for r in phone_rows]
    removed += [r.url for r in link_rows]
    if removed:
        _contact_changed(actor, candidate, Verb.CONTACT_REMOVED, removed=removed)
    return removed


@transaction.atomic
def forget_linkedin_data(actor: Actor, candidate: Candidate) -> dict[str, int]:
    """Remove what LinkedIn brought in about the person (its notes, the InMails, the LinkedIn
    profile links), e.g. when the member closed their account; counts per kind. What the ATS
    itself recorded stays."""
    linkedin_links = [link.url for link in candidate.links.all() if link.is_linkedin_profile]
    removed = {
        "notes": candidate.notes.filter(source=RecordSource.LINKEDIN).delete()[0],
        "inmails": candidate.messages.filter(channel=Channel.INMAIL).delete()[0],
        "links": CandidateLink.objects.filter(candidate=candidate, url__in=linkedin_links).delete()[
            0
        ],
    }
    # Modified even with nothing removed: LinkedIn's copy loses its member link with it.
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now())
    search_index.refresh([candidate.id])
    _record(actor, candidate, Verb.LINKEDIN_DATA_REMOVED, **removed)
    webhook_events.contact_updated(candidate)
    outbox.changed_many(_candidate_changes(candidate))
    return removed


def _contact_changed(actor: Actor, candidate: Candidate, verb: str, **detail: list[str]) -> None:
    """The candidate was modified (LinkedIn compares modification times) and LinkedIn hears."""
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now())
    search_index.refresh([candidate.id])
    _record(actor, candidate, verb, **detail)
    webhook_events.contact_updated(candidate)
    outbox.changed_many(_candidate_changes(candidate))


@transaction.atomic
def update_external_note(actor: Actor, source: str, external_id: str, body: str) -> bool:
    """Replace the text of a note kept in step with elsewhere (last modified wins); False when
    there is no such note or the text is the same."""
    note = Note.objects.select_for_update().filter(source=source, external_id=external_id).first()
    if note is None or note.body == body:
        return False
    if not body.strip():
        raise PipelineError("body: a note cannot be empty", field="body")
    _no_nul(body=body)
    note.body = body
    note.save(update_fields=["body", "updated_at"])
    search_index.refresh([note.candidate_id])
    _record(
        actor, note.candidate, Verb.NOTE_UPDATED, note.opportunity, note=str(note.id), source=source
    )
    return True


@transaction.atomic
def delete_external_note(actor: Actor, source: str, external_id: str) -> bool:
    """Remove a note that was deleted where it came from; False when there is none."""
    note = Note.objects.filter(source=source, external_id=external_id).first()
    if note is None:
        return False
    _record(
        actor,
        note.candidate,
        Verb.NOTE_DELETED,
        note.opportunity,
        source=source,
        external_id=external_id,
    )
    note.delete()
    search_index.refresh([note.candidate_id])
    return True


def _note_body(body: str, *, written_here: bool) -> None:
    """A note says something; one written here (UI, API) is also bounded. A note from LinkedIn
    is kept whole: it is LinkedIn's record, and refusing it would stall the import."""
    if not body.strip():
        raise PipelineError("body: a note cannot be empty", field="body")
    if written_here and len(body) > NOTE_MAX_CHARS:
        raise PipelineError(
            f"body: a note holds at most {NOTE_MAX_CHARS:,} characters (got {len(body):,})",
            field="body",
        )


@transaction.atomic
def add_note(
    actor: Actor,
    candidate: Candidate,
    body: str,
    *,
    opportunity: Opportunity | None = None,
    source: str = RecordSource.ATS,
    external_id: str | None = None,
    external_author: str = "",
    created_at: datetime | None = None,
) -> tuple[Note, bool]:
    """Add a note; a note from elsewhere is upserted on its external id, so repeats add nothing.

    Returns the note and whether it was created.
    """
    _note_body(body, written_here=source == RecordSource.ATS)
    _no_nul(body=body, external_author=external_author)
    if opportunity is not None and opportunity.candidate_id != candidate.id:
        raise PipelineError("opportunity: belongs to another candidate", field="opportunity")
    fields = {
        "candidate": candidate,
        "opportunity": opportunity,
        "author": _user(actor),
        "external_author": external_author[:200],
        "body": body,
        "created_at": created_at or timezone.now(),
    }
    if external_id is None:
        note, created = Note.objects.create(source=source, **fields), True
    else:
        note, created = Note.objects.get_or_create(
            source=source, external_id=external_id, defaults=fields
        )
    if created:
        search_index.refresh([candidate.id])
        _record(actor, candidate, Verb.NOTE_ADDED, opportunity, note=str(note.id), source=source)
        if source == RecordSource.ATS:  # LinkedIn keeps its own notes already
            outbox.changed_many([_note_change(note)])
    return note, created


def _own_note(note: Note) -> Note:
    """The note, locked; notes from elsewhere change only where they came from."""
    current = (
        Note.objects.select_for_update(of=("self",)).select_related("opportunity").get(pk=note.pk)
    )
    if current.source != RecordSource.ATS:
        raise PipelineError(
            f"note: a note from {current.get_source_display()} is changed only there", field="note"
        )
    return current


@transaction.atomic
def edit_note(actor: Actor, note: Note, body: str) -> bool:
    """Replace a note's text; False when it is the same."""
    _note_body(body, written_here=True)
    _no_nul(body=body)
    current = _own_note(note)
    if current.body == body:
        return False
    current.body = body
    current.save(update_fields=["body", "updated_at"])
    search_index.refresh([current.candidate_id])
    _record(actor, current.candidate, Verb.NOTE_UPDATED, current.opportunity, note=str(current.id))
    outbox.changed_many([_note_change(current)])
    note.refresh_from_db()
    return True


@transaction.atomic
def delete_note(actor: Actor, note: Note) -> None:
    current = _own_note(note)
    _record(actor, current.candidate, Verb.NOTE_DELETED, current.opportunity, note=str(current.id))
    outbox.changed_many([_note_change(current)])
    current.delete()
    search_index.refresh([current.candidate_id])


@transaction.atomic
def log_message(
    actor: Actor,
    candidate: Candidate,
    *,
    channel: str,
    direction: str,
    sender: str,
    sent_at: datetime,
    subject: str = "",
    body: str = "",
    recipient: str = "",
    sender_user: User | None = None,
    external_id: str | None = None,
    thread_id: str = "",
    opportunity: Opportunity | None = None,
) -> tuple[Message, bool]:
    """Record an email or InMail; upserted on (channel, external id) so repeats add nothing.

    Counts as an interaction on the opportunity (or on every active one of the candidate) and
    may move it forward in the Lead section (hiring.progression).
    """
    _no_nul(subject=subject, body=body, sender=sender, recipient=recipient, thread_id=thread_id)
    if channel not in Channel.values:
        raise PipelineError(
            f"channel: {channel!r} is not one of {', '.join(Channel.values)}", field="channel"
        )
    if direction not in Direction.values:
        raise PipelineError(f"direction: {direction!r} is not 'in' or 'out'", field="direction")
    if opportunity is not None and opportunity.candidate_id != candidate.id:
        raise PipelineError("opportunity: belongs to another candidate", field="opportunity")
    fields = {
        "candidate": candidate,
        "opportunity": opportunity,
        "channel": channel,
        "direction": direction,
        "subject": subject[:500],
        "body": body,
        "sender": sender[:300],
        "sender_user": sender_user,
        "recipient": recipient[:300],
        "sent_at": sent_at,
        "thread_id": thread_id[:200],
    }
    if external_id is None:
        message, created = Message.objects.create(**fields), True
    else:
        message, created = Message.objects.get_or_create(
            channel=channel, external_id=external_id, defaults=fields
        )
    if created:
        touched = (
            Opportunity.objects.filter(pk=opportunity.pk)
            if opportunity
            else candidate.opportunities.active()
        )
        touched.filter(last_interaction_at__lt=sent_at).update(
            last_interaction_at=sent_at, updated_at=timezone.now()
        )
        _record(
            actor,
            candidate,
            Verb.MESSAGE_LOGGED,
            opportunity,
            message=str(message.id),
            channel=channel,
            direction=direction,
        )
        progression.progress(message)
    return message, created


def _team_member(field: str, user: User) -> User:
    if not user.is_active:
        raise PipelineError(f"{field}: {user} is deactivated", field=field)
    return user


def _hiring_manager(user: User | None) -> User | None:
    return None if user is None else _team_member("hiring_manager", user)


def _commitment(value: str) -> str:
    if value not in ("", *Commitment.values):
        raise PipelineError(
            f"commitment: {value!r} is not one of {', '.join(Commitment.values)}",
            field="commitment",
        )
    return value


def _posting_state(value: str) -> PostingState:
    if value not in PostingState.values:
        raise PipelineError(
            f"state: {value!r} is not one of {', '.join(PostingState.values)}", field="state"
        )
    return PostingState(value)


@transaction.atomic
def create_posting(
    actor: Actor,
    *,
    title: str,
    owner: User,
    location: str = "",
    team: str = "",
    department: str = "",
    commitment: str = "",
    description: str = "",
    state: str = PostingState.DRAFT,
    confidential: bool = False,
    hiring_manager: User | None = None,
    members: Sequence[User] = (),
) -> Posting:
    """A new job; whether it is confidential is fixed here, for good."""
    team_members = [_team_member("members", member) for member in members]
    posting = Posting.objects.create(
        title=_text(Posting, "title", title, required=True),
        location=_text(Posting, "location", location),
        team=_text(Posting, "team", team),
        department=_text(Posting, "department", department),
        commitment=_commitment(commitment),
        description=description.strip(),
        state=_posting_state(state),
        confidential=confidential,
        owner=_team_member("owner", owner),
        hiring_manager=_hiring_manager(hiring_manager),
        created_by=_user(actor),
    )
    posting.members.set(team_members)
    outbox.changed_many(_job_changes(posting, access_changed=True))
    return posting


def _locked_posting(posting: Posting) -> Posting:
    return Posting.objects.select_for_update().get(pk=posting.pk)


@transaction.atomic
def update_posting(
    actor: Actor,
    posting: Posting,
    *,
    title: str | None = None,
    location: str | None = None,
    team: str | None = None,
    department: str | None = None,
    commitment: str | None = None,
    description: str | None = None,
    hiring_manager: User | EllipsisType | None = ...,
) -> list[str]:
    """Change what the job says (None, or ... for the hiring manager, leaves a field as it is);
    returns the fields that changed. State and hiring team have their own services."""
    wanted: dict[str, object] = {
        field: _text(Posting, field, value, required=field == "title")
        for field, value in (
            ("title", title),
            ("location", location),
            ("team", team),
            ("department", department),
        )
        if value is not None
    }
    if commitment is not None:
        wanted["commitment"] = _commitment(commitment)
    if description is not None:
        wanted["description"] = description.strip()
    if not isinstance(hiring_manager, EllipsisType):
        wanted["hiring_manager"] = _hiring_manager(hiring_manager)
    current = _locked_posting(posting)
    changed = [f for f, value in wanted.items() if getattr(current, f) != value]
    if not changed:
        return []
    for field in changed:
        setattr(current, field, wanted[field])
    current.save(update_fields=[*changed, "updated_at"])
    changes = _job_changes(current, access_changed="hiring_manager" in changed)
    if "title" in changed:  # each application carries its job's name
        changes += _application_changes(current.opportunities.all())
    outbox.changed_many(changes)
    posting.refresh_from_db()
    return changed


@transaction.atomic
def set_posting_state(actor: Actor, posting: Posting, state: str) -> bool:
    """Publish, unlist or close a job; False when it is in that state already. As in Lever, a
    posting that left draft never goes back to it."""
    target = _posting_state(state)
    current = _locked_posting(posting)
    if current.state == target:
        return False
    if target == PostingState.DRAFT:
        raise PipelineError(
            "state: a posting never goes back to draft once out of it", field="state"
        )
    current.state = target
    current.save(update_fields=["state", "updated_at"])
    outbox.changed_many(_job_changes(current, access_changed=True))
    posting.refresh_from_db()
    return True


@transaction.atomic
def set_hiring_team(
    actor: Actor,
    posting: Posting,
    *,
    owner: User | None = None,
    hiring_manager: User | EllipsisType | None = ...,
    members: Sequence[User] | None = None,
) -> list[str]:
    """Change who works on the job, and so who sees its candidates (None, or ... for the hiring
    manager, leaves a part as it is; `members` replaces them all); returns what changed."""
    wanted: dict[str, object] = {}
    if owner is not None:
        wanted["owner"] = _team_member("owner", owner)
    if not isinstance(hiring_manager, EllipsisType):
        wanted["hiring_manager"] = _hiring_manager(hiring_manager)
    team_members = None if members is None else {_team_member("members", m).pk: m for m in members}
    current = _locked_posting(posting)
    changed = [f for f, value in wanted.items() if getattr(current, f) != value]
    for field in changed:
        setattr(current, field, wanted[field])
    if changed:
        current.save(update_fields=[*changed, "updated_at"])
    if team_members is not None and (
        set(current.members.values_list("pk", flat=True)) != team_members.keys()
    ):
        current.members.set(team_members.values())
        changed.append("members")
    if changed:
        outbox.changed_many(_job_changes(current, access_changed=True))
        posting.refresh_from_db()
    return changed
