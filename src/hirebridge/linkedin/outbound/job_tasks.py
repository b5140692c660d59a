"""LinkedIn takes jobs asynchronously: each sync answers a task id, and the task says later
whether the job was accepted. A refused job becomes a dead letter like any refused row, with
LinkedIn's reason, so an admin sees it and retries it after a fix.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-jobs
"""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.models import OutboxItem, OutboxKind, OutboxStatus, SyncedRecord

IN_PROGRESS = "IN_PROGRESS"
ACCEPTED = {"SUCCEEDED", "PROCESSED"}


def check_job_tasks(client: LinkedInClient) -> Counter[str]:
    """Read the tasks submitted at least LINKEDIN_JOB_TASK_CHECK_SECONDS ago and still open."""
    settled_before = timezone.now() - timedelta(seconds=settings.LINKEDIN_JOB_TASK_CHECK_SECONDS)
    records = {
        record.detail["task"]: record
        for record in SyncedRecord.objects.filter(
            kind=OutboxKind.JOB, detail__task_status=IN_PROGRESS, synced_at__lte=settled_before
        )
        if record.detail.get("task")
    }
    counts: Counter[str] = Counter()
    if not records:
        return counts
    answer = client.job_tasks(records)
    for task_id, task in answer.found.items():
        record = records[task_id]
        if task.status == IN_PROGRESS:
            counts["in_progress"] += 1
        elif task.status in ACCEPTED and not task.error:
            _store(record, task.status)
            counts["accepted"] += 1
        else:
            _refused(record, task.status, task.error)
            counts["refused"] += 1
    return counts


def _store(record: SyncedRecord, status: str, **extra: object) -> None:
    record.detail = {**record.detail, "task_status": status, **extra}
    record.save(update_fields=["detail"])


@transaction.atomic
def _refused(record: SyncedRecord, status: str, error: object) -> None:
    """Forget the digest, so a Retry sends the job again, and dead-letter it with the reason."""
    reason = f"LinkedIn's job task ended {status}: {error or 'no reason given'}"
    _store(record, status, task_error=str(error or ""))
    SyncedRecord.objects.filter(pk=record.pk).update(digest="")
    # A newer change already waiting is sent as it is: it may be the fix.
    OutboxItem.objects.get_or_create(
        kind=OutboxKind.JOB,
        entity_id=record.entity_id,
        defaults={"status": OutboxStatus.DEAD, "last_error": reason[:2000]},
    )
