"""Send one claimed batch of outbox rows of one kind: read each entity's state now, map it, skip
what LinkedIn already holds (same digest), write the rest, and apply LinkedIn's answer entity by
entity. A row leaves the outbox only once LinkedIn accepted its state.

Failures, by how far they reach:
- a row the mapping refuses, or LinkedIn refuses with a 4xx for that entity → dead letter;
- a parent LinkedIn does not hold yet (404 for a child) → tried again, dead after a while;
- 429, 5xx, time-outs for one entity → tried again with backoff;
- 400 for the whole batch → split in halves until the poison row stands alone (dead letter);
- anything else for the whole batch (throttle, daily quota, LinkedIn down) → `Pause`: the rows
  wait (Retry-After, midnight UTC or backoff) and this kind stops for the current drain.
"""

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from hirebridge.hiring.models.postings import PostingState
from hirebridge.hiring.models.records import RecordSource
from hirebridge.linkedin import outbox
from hirebridge.linkedin.client import (
    AuthError,
    DailyQuotaExceeded,
    LinkedInClient,
    LinkedInError,
    Permanent,
    Throttled,
)
from hirebridge.linkedin.models import Integration, OutboxItem, OutboxKind, SyncedRecord
from hirebridge.linkedin.outbound import access, mapping
from hirebridge.linkedin.outbound.bucket import Buckets
from hirebridge.linkedin.replies import ErrorBody, WriteOutcome

log = logging.getLogger("hirebridge.linkedin.outbound")

PARENT_WAIT_ATTEMPTS = 8  # a child whose parent LinkedIn still lacks after this is dead
SPLIT_STATUSES = (400, 413, 414, 422)
DAILY_RESET_MARGIN_SECONDS = 300
CHILD_CALLS_AT_ONCE = 4
CASCADES = {
    OutboxKind.CANDIDATE: (OutboxKind.CANDIDATE_NOTE,),
    OutboxKind.APPLICATION: (OutboxKind.APPLICATION_NOTE, OutboxKind.APPLICATION_STAGES),
}


class Pause(Exception):
    """LinkedIn cannot take more of this kind now; its rows wait, the drain moves on."""


@dataclass
class Work:
    """One outbox row and what will be sent for it (no body: a delete)."""

    item: OutboxItem
    body: dict[str, Any] | None = None
    digest: str = ""
    parent: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    done: bool = False

    @property
    def key(self) -> str:
        return self.item.entity_id


@dataclass
class Sync:
    """What a drain shares across batches."""

    client: LinkedInClient
    integration: Integration
    buckets: Buckets
    pool: ThreadPoolExecutor
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def org(self) -> str:
        return self.integration.organization_urn


def digest_of(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def send(sync: Sync, kind: str, items: list[OutboxItem]) -> None:
    """Send one claimed batch; rows not settled when LinkedIn pauses us wait and are retried."""
    works: list[Work] = []
    try:
        SENDERS[OutboxKind(kind)](sync, items, works)
    except DailyQuotaExceeded as spent:
        wait = (spent.resets_at - datetime.now(UTC)).total_seconds()
        _wait(items, works, str(spent), after=max(0.0, wait) + DAILY_RESET_MARGIN_SECONDS)
        raise Pause(str(spent)) from spent
    except Throttled as throttled:
        _wait(items, works, str(throttled), after=throttled.retry_after)
        raise Pause(str(throttled)) from throttled
    except Pause as pause:
        _wait(items, works, str(pause), after=None)
        raise
    except AuthError:
        outbox.release(items)
        raise
    except LinkedInError as failure:
        _wait(items, works, str(failure), after=None)
        log.warning("LinkedIn sync of %s paused: %s", kind, failure)
        raise Pause(str(failure)) from failure
    except BaseException:  # a bug, or Ctrl+C: the rows are free for the next drain at once
        outbox.release(items)
        raise


def _wait(items: list[OutboxItem], works: list[Work], error: str, *, after: float | None) -> None:
    """Every row of the batch not already settled or refused waits to be tried again."""
    handled = {work.item.pk for work in works if work.done}
    waiting = [item for item in items if item.pk not in handled]
    outbox.retry_later(waiting, error, after=after)


# What LinkedIn already holds.


def _held(kind: str, keys: Iterable[str]) -> dict[str, SyncedRecord]:
    return {
        record.entity_id: record
        for record in SyncedRecord.objects.filter(kind=kind, entity_id__in=list(keys))
    }


def _settle(works: Iterable[Work]) -> None:
    works = [w for w in works if not w.done]
    outbox.settle(w.item for w in works)
    for work in works:
        work.done = True


def _refuse(work: Work, reason: str) -> None:
    outbox.refuse(work.item, reason)
    work.done = True


def _accepted(kind: str, works: Sequence[Work]) -> None:
    """Record what LinkedIn now holds (or no longer holds) and remove the rows, in one
    transaction (none when there is nothing to record)."""
    if works:
        with transaction.atomic():
            _record(kind, works)


def _record(kind: str, works: Sequence[Work]) -> None:
    kept = [w for w in works if w.body is not None or w.detail]
    gone = [w.key for w in works if w.body is None and not w.detail]
    if kept:
        SyncedRecord.objects.bulk_create(
            [
                SyncedRecord(
                    kind=kind,
                    entity_id=w.key,
                    parent_id=w.parent,
                    digest=w.digest,
                    detail=w.detail,
                    synced_at=datetime.now(UTC),
                )
                for w in kept
            ],
            update_conflicts=True,
            unique_fields=["kind", "entity_id"],
            update_fields=["parent_id", "digest", "detail", "synced_at"],
        )
    if gone:
        SyncedRecord.objects.filter(kind=kind, entity_id__in=gone).delete()
        children = CASCADES.get(OutboxKind(kind), ())
        if children:  # LinkedIn deleted them with their parent
            SyncedRecord.objects.filter(kind__in=children, parent_id__in=gone).delete()
    _settle(works)


def _unchanged(work: Work, held: SyncedRecord | None) -> bool:
    return held is not None and held.digest == work.digest


def _entity_failed(work: Work, error: ErrorBody, what: str) -> None:
    status = error.status
    message = f"LinkedIn refused {what}: {error.message}"
    if status == 404 and work.item.attempts < PARENT_WAIT_ATTEMPTS:
        outbox.retry_later([work.item], message)
    elif status == 429:
        outbox.retry_later([work.item], message, after=60)
    elif status is None or status >= 500 or status == 408:
        outbox.retry_later([work.item], message)
    else:
        _refuse(work, message)
        return
    work.done = True


def _write(
    sync: Sync,
    family: str,
    works: list[Work],
    call: Callable[[list[Work]], WriteOutcome[str]],
    accepted: Callable[[list[Work]], None],
    what: str,
) -> None:
    """One batch write and LinkedIn's answer per entity; a 400 for the whole batch is split."""
    if not works:
        return
    sync.buckets.take(family, len(works))
    try:
        outcome = call(works)
    except Permanent as refused:
        if refused.status not in SPLIT_STATUSES:
            raise
        if len(works) == 1:
            _refuse(works[0], f"LinkedIn refused {what}: {refused.message}")
            sync.counts["refused"] += 1
            return
        half = len(works) // 2
        _write(sync, family, works[:half], call, accepted, what)
        _write(sync, family, works[half:], call, accepted, what)
        return
    ok = set(outcome.succeeded)
    accepted([w for w in works if w.key in ok])
    sync.counts["sent"] += len(ok)
    for work in works:
        if work.key in outcome.failed:
            _entity_failed(work, outcome.failed[work.key], what)
            sync.counts["failed"] += 1


def _in_parallel(sync: Sync, calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """HTTP calls only (no database work: other threads would not see this transaction)."""
    return list(sync.pool.map(lambda call: call(), calls))


# Jobs.


def send_jobs(sync: Sync, items: list[OutboxItem], works: list[Work]) -> None:
    postings = mapping.load_postings([i.entity_id for i in items])
    held = _held(OutboxKind.JOB, postings.keys() | {i.entity_id for i in items})
    for item in items:
        work = Work(item)
        works.append(work)
        posting = postings.get(item.entity_id)
        record = held.get(item.entity_id)
        if posting is None or posting.state == PostingState.DRAFT:
            last = (record.detail or {}).get("body") if record else None
            if last is None:
                _settle([work])
                continue
            work.body = {**last, "state": "CLOSED"}  # LinkedIn has no job delete: close it
        else:
            try:
                work.body = mapping.job_body(posting, sync.integration)
            except mapping.Unmappable as reason:
                _refuse(work, str(reason))
                continue
        work.digest = digest_of(work.body)
        if _unchanged(work, record):
            _settle([work])

    def create(batch: list[Work]) -> WriteOutcome[str]:
        created = sync.client.create_jobs([w.body for w in batch if w.body is not None])
        outcome: WriteOutcome[str] = WriteOutcome()
        for work, element in zip(batch, created, strict=True):
            if element.id:
                work.detail = {"body": work.body, "task": element.id, "task_status": "IN_PROGRESS"}
                outcome.succeeded.append(work.key)
            else:
                outcome.failed[work.key] = element.error or ErrorBody(message="refused")
        return outcome

    pending = [w for w in works if not w.done]
    _write(
        sync,
        "simpleJobPostings",
        pending,
        create,
        lambda ok: _accepted(OutboxKind.JOB, ok),
        "the job",
    )


# Who sees which job.


def send_job_access(sync: Sync, items: list[OutboxItem], works: list[Work]) -> None:
    works += [Work(item) for item in items]
    desired = access.desired_access(sync.integration)
    record = _held(OutboxKind.JOB_ACCESS, [access.ALL_JOBS]).get(access.ALL_JOBS)
    held = record.detail if record else {}
    changes = access.diff(desired, held)
    org, client, take = sync.org, sync.client, sync.buckets.take
    # In the order access.AccessChanges explains: no job is ever left without an ACL.
    steps: list[tuple[str, Sequence[Any], Callable[[str, Any], WriteOutcome[Any]]]] = [
        ("atsEntityAcls", changes.upsert_acls, client.upsert_acls),
        ("atsEntityAclAssignees", changes.delete_assignees, client.delete_assignees),
        ("atsEntityAclAssignees", changes.upsert_assignees, client.upsert_assignees),
        ("atsEntityAcls", changes.delete_acls, client.delete_acls),
    ]
    for family, keys, call in steps:
        if not keys:
            continue
        take(family, len(keys))
        outcome = call(org, keys)
        if outcome.failed:
            key, error = next(iter(outcome.failed.items()))
            raise Pause(f"LinkedIn refused job access for {key}: {error.message}")
    for email, why in desired.refused.items():
        log.warning("LinkedIn job access for %s is incomplete: %s", email, why)
    detail = access.as_detail(desired) | {"refused": dict(desired.refused)}
    for work in works:
        work.detail, work.digest = detail, digest_of(detail)
    _accepted(OutboxKind.JOB_ACCESS, [w for w in works if w.key == access.ALL_JOBS])
    _settle(works)


# Candidates.


def send_candidates(sync: Sync, items: list[OutboxItem], works: list[Work]) -> None:
    candidates = mapping.load_candidates([i.entity_id for i in items])
    held = _held(OutboxKind.CANDIDATE, [i.entity_id for i in items])
    deletes: list[Work] = []
    upserts: list[Work] = []
    for item in items:
        work = Work(item)
        works.append(work)
        candidate = candidates.get(item.entity_id)
        if candidate is None:
            deletes.append(work)
            continue
        person = _person_of(candidate, sync.integration)
        record = held.get(item.entity_id)
        try:
            work.body = mapping.candidate_body(candidate, person_urn=person)
        except mapping.Unmappable as reason:
            if record is None:
                _refuse(work, str(reason))
            else:
                # LinkedIn holds an older state (e.g. with a member link since removed): take
                # it back rather than leave it stale, and say why it is not sent.
                work.extra["refusal"] = f"{reason} (removed from LinkedIn until fixed)"
                deletes.append(work)
            continue
        work.detail = {"person": person}
        work.digest = digest_of({"body": work.body, "person": person})
        if _unchanged(work, record):
            _settle([work])
            continue
        work.extra["held_person"] = (record.detail or {}).get("person") if record else None
        upserts.append(work)

    def upsert(batch: list[Work]) -> WriteOutcome[str]:
        bodies = {w.key: w.body for w in batch if w.body is not None}
        return sync.client.upsert_candidates(sync.org, bodies)

    def linked(ok: list[Work]) -> None:
        _link_people(sync, ok)

    _write(sync, "atsCandidates", upserts, upsert, linked, "the candidate")
    _write(
        sync,
        "atsCandidates",
        deletes,
        lambda batch: sync.client.delete_candidates(sync.org, [w.key for w in batch]),
        _candidates_deleted,
        "the candidate's deletion",
    )


def _candidates_deleted(works: list[Work]) -> None:
    refused = [w for w in works if "refusal" in w.extra]
    _accepted(OutboxKind.CANDIDATE, [w for w in works if "refusal" not in w.extra])
    SyncedRecord.objects.filter(
        kind=OutboxKind.CANDIDATE, entity_id__in=[w.key for w in refused]
    ).delete()
    for work in refused:
        _refuse(work, work.extra["refusal"])


def _person_of(candidate: Any, integration: Integration) -> str | None:
    connection = getattr(candidate, "linkedin_connection", None)
    if connection is None or connection.integration_id != integration.id:
        return None
    return str(connection.person_urn)


def _link_people(sync: Sync, upserted: list[Work]) -> None:
    """Attach (or detach) the member of each candidate whose link changed; the candidate's row
    is settled only once LinkedIn has both its body and its link."""
    changed = [w for w in upserted if w.detail["person"] != w.extra.get("held_person")]
    settled_now = [w for w in upserted if w.detail["person"] == w.extra.get("held_person")]
    if changed:
        sync.buckets.take("atsCandidates", len(changed))
        outcome = sync.client.link_members(
            sync.org, {work.key: work.detail["person"] for work in changed}
        )
        ok = set(outcome.succeeded)
        settled_now += [w for w in changed if w.key in ok]
        for work in changed:
            if work.key in outcome.failed:
                _entity_failed(work, outcome.failed[work.key], "the candidate's LinkedIn member")
    _accepted(OutboxKind.CANDIDATE, settled_now)


# Applications, then their stage history.


def send_applications(sync: Sync, items: list[OutboxItem], works: list[Work]) -> None:
    """Applications go in batches; each one's stage history follows as its own row, in the
    children's round, so one call per application never holds up the batches."""
    opportunities = mapping.load_applications([i.entity_id for i in items])
    held = _held(OutboxKind.APPLICATION, [i.entity_id for i in items])
    deletes: list[Work] = []
    upserts: list[Work] = []
    unchanged: list[Work] = []
    for item in items:
        work = Work(item)
        works.append(work)
        opportunity = opportunities.get(item.entity_id)
        if opportunity is None:
            deletes.append(work)
            continue
        if opportunity.posting_id is None:
            _settle([work])  # a general opportunity is no job application
            continue
        try:
            work.body = mapping.application_body(opportunity)
        except mapping.Unmappable as reason:
            _refuse(work, str(reason))
            continue
        work.digest = digest_of(work.body)
        (unchanged if _unchanged(work, held.get(item.entity_id)) else upserts).append(work)
    _applications_accepted(unchanged)

    def upsert(batch: list[Work]) -> WriteOutcome[str]:
        bodies = {w.key: w.body for w in batch if w.body is not None}
        return sync.client.upsert_applications(sync.org, bodies)

    _write(sync, "atsApplications", upserts, upsert, _applications_accepted, "the application")
    _write(
        sync,
        "atsApplications",
        deletes,
        lambda batch: sync.client.delete_applications(sync.org, [w.key for w in batch]),
        lambda ok: _accepted(OutboxKind.APPLICATION, ok),
        "the application's deletion",
    )


def _applications_accepted(works: list[Work]) -> None:
    """LinkedIn holds these applications: their stage history may go now, in this drain's
    children round (its sender skips what LinkedIn already has). The rows go straight into the
    outbox: the drain running this is the worker `outbox.changed_many` would ring."""
    if not works:
        return
    now = timezone.now()
    stages = [
        OutboxItem(
            kind=OutboxKind.APPLICATION_STAGES, entity_id=w.key, parent_id=w.key, changed_at=now
        )
        for w in works
    ]
    with transaction.atomic():
        _record(OutboxKind.APPLICATION, works)
        outbox.write(stages)


def send_application_stages(sync: Sync, items: list[OutboxItem], works: list[Work]) -> None:
    """The stage records LinkedIn lacks, one call per application (LinkedIn keys them under
    it), a few at a time. Stage history only grows, so only new records are sent."""
    opportunities = mapping.load_opportunities([i.entity_id for i in items])
    held = _held(OutboxKind.APPLICATION_STAGES, [i.entity_id for i in items])
    pending: list[Work] = []
    up_to_date: list[Work] = []  # nothing new to send; the mirror still records the full set
    for item in items:
        work = Work(item, parent=item.entity_id)
        works.append(work)
        opportunity = opportunities.get(item.entity_id)
        if opportunity is None or opportunity.posting_id is None:
            _settle([work])  # gone with its application
            continue
        try:
            stages = mapping.stage_records(opportunity)
        except mapping.Unmappable as reason:
            _refuse(work, str(reason))
            continue
        record = held.get(item.entity_id)
        sent = set((record.detail or {}).get("stages", [])) if record else set()
        work.extra["stages"] = {k: v for k, v in stages.items() if k not in sent}
        work.detail = {"stages": sorted(stages)}
        work.digest = digest_of(stages)
        (pending if work.extra["stages"] else up_to_date).append(work)
    for work in pending:
        sync.buckets.take("atsApplicationStages", len(work.extra["stages"]))

    def call(work: Work) -> Callable[[], WriteOutcome[str] | Exception]:
        def run() -> WriteOutcome[str] | Exception:
            try:
                return sync.client.upsert_application_stages(
                    sync.org, work.key, work.extra["stages"]
                )
            except Permanent as refused:
                return refused

        return run

    answers = _in_parallel(sync, [call(w) for w in pending])
    accepted = up_to_date
    for work, answer in zip(pending, answers, strict=True):
        if isinstance(answer, Exception):
            _refuse(work, f"LinkedIn refused the application's stages: {answer}")
        elif answer.failed:
            stage, error = next(iter(answer.failed.items()))
            _entity_failed(work, error, f"stage record {stage}")
        else:
            accepted.append(work)
            sync.counts["sent"] += len(work.extra["stages"])
    _accepted(OutboxKind.APPLICATION_STAGES, accepted)


# Notes, under a candidate or an application.


def send_notes(sync: Sync, items: list[OutboxItem], works: list[Work], kind: OutboxKind) -> None:
    notes = mapping.load_notes([i.entity_id for i in items])
    held = _held(kind, [i.entity_id for i in items])
    upserts: dict[str, list[Work]] = {}
    deletes: dict[str, list[Work]] = {}
    for item in items:
        work = Work(item)
        works.append(work)
        note = notes.get(item.entity_id)
        record = held.get(item.entity_id)
        if note is None or note.source != RecordSource.ATS:
            work.parent = (record.parent_id if record else "") or item.parent_id
            if not work.parent or (note is not None and record is None):
                _settle([work])
                continue
            deletes.setdefault(work.parent, []).append(work)
            continue
        parent_kind, work.parent = mapping.note_parent(note)
        if (parent_kind == "application") != (kind == OutboxKind.APPLICATION_NOTE):
            # The note changed sides (its opportunity went); the other kind sends it.
            outbox.changed(_other(kind), note.id, work.parent)
            old_parent = record.parent_id if record else ""
            if old_parent:
                work.parent = old_parent
                deletes.setdefault(old_parent, []).append(work)
            else:
                _settle([work])
            continue
        try:
            work.body = mapping.note_body(note)
        except mapping.Unmappable as reason:
            _refuse(work, str(reason))
            continue
        work.digest = digest_of(work.body)
        if _unchanged(work, record):
            _settle([work])
            continue
        upserts.setdefault(work.parent, []).append(work)
    family = "atsApplicationNotes" if kind == OutboxKind.APPLICATION_NOTE else "atsCandidateNotes"
    client = sync.client
    put, drop = (
        (client.upsert_application_notes, client.delete_application_notes)
        if kind == OutboxKind.APPLICATION_NOTE
        else (client.upsert_candidate_notes, client.delete_candidate_notes)
    )

    def accepted(ok: list[Work]) -> None:
        _accepted(kind, ok)

    for parent, batch in upserts.items():
        _write(sync, family, batch, _put_notes(put, sync.org, parent), accepted, "the note")
    for parent, batch in deletes.items():
        for work in batch:
            work.body = None
        _write(sync, family, batch, _drop_notes(drop, sync.org, parent), accepted, "the deletion")


def _put_notes(
    put: Callable[[str, str, Mapping[str, Mapping[str, Any]]], WriteOutcome[str]],
    org: str,
    parent: str,
) -> Callable[[list[Work]], WriteOutcome[str]]:
    return lambda batch: put(org, parent, {w.key: w.body or {} for w in batch})


def _drop_notes(
    drop: Callable[[str, str, Iterable[str]], WriteOutcome[str]], org: str, parent: str
) -> Callable[[list[Work]], WriteOutcome[str]]:
    return lambda batch: drop(org, parent, [w.key for w in batch])


def _other(kind: OutboxKind) -> OutboxKind:
    if kind == OutboxKind.APPLICATION_NOTE:
        return OutboxKind.CANDIDATE_NOTE
    return OutboxKind.APPLICATION_NOTE


Sender = Callable[[Sync, list[OutboxItem], list[Work]], None]
SENDERS: dict[OutboxKind, Sender] = {
    OutboxKind.JOB: send_jobs,
    OutboxKind.JOB_ACCESS: send_job_access,
    OutboxKind.CANDIDATE: send_candidates,
    OutboxKind.APPLICATION: send_applications,
    OutboxKind.APPLICATION_STAGES: send_application_stages,
    OutboxKind.CANDIDATE_NOTE: lambda s, i, w: send_notes(s, i, w, OutboxKind.CANDIDATE_NOTE),
    OutboxKind.APPLICATION_NOTE: lambda s, i, w: send_notes(s, i, w, OutboxKind.APPLICATION_NOTE),
}
