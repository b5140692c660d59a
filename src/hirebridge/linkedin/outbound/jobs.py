"""Postings as LinkedIn job postings (simpleJobPostings), so recruiters can pick them when they
export a profile from Recruiter. The job id LinkedIn keeps is the posting's id.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-jobs
"""

from collections.abc import Iterable
from dataclasses import dataclass

from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.models import Integration
from hirebridge.linkedin.outbound.mapping import Unmappable, job_body


@dataclass(frozen=True)
class JobSync:
    task_ids: dict[str, str]  # posting id → LinkedIn task id
    refused: dict[str, str]  # posting id → why (mapping or LinkedIn's answer)


def syncable(postings: Iterable[Posting]) -> list[Posting]:
    """Drafts stay in the ATS; every other posting, open or closed, goes to LinkedIn."""
    return [p for p in postings if p.state != PostingState.DRAFT]


def sync_postings(
    client: LinkedInClient, integration: Integration, postings: Iterable[Posting]
) -> JobSync:
    """Send the postings; one that cannot be mapped is reported and never blocks the others."""
    elements, refused = [], {}
    for posting in syncable(postings):
        try:
            elements.append(job_body(posting, integration))
        except Unmappable as reason:
            refused[str(posting.id)] = str(reason)
    task_ids = {}
    for element, created in zip(elements, client.create_jobs(elements), strict=True):
        job_id = element["externalJobPostingId"]
        if created.id:
            task_ids[job_id] = created.id
        else:
            refused[job_id] = created.error.message if created.error else "refused"
    return JobSync(task_ids, refused)
