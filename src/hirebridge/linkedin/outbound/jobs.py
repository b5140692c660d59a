"""Postings as LinkedIn job postings (simpleJobPostings), so recruiters can pick them when they
export a profile from Recruiter. The job id LinkedIn keeps is the posting's id.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-jobs
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.models import Integration

# Certification RSC-102: without a customer's choice, jobs go private to the integration.
DEFAULT_AVAILABILITY = "PRIVATE_TO_ATS_INTEGRATION"
TITLE_MAX = 200


class Unmappable(ValueError):
    """A posting LinkedIn would refuse; the message says which field and why."""


@dataclass(frozen=True)
class JobSync:
    task_ids: dict[str, str]  # posting id → LinkedIn task id
    refused: dict[str, str]  # posting id → why (mapping or LinkedIn's answer)


def job_element(posting: Posting, integration: Integration) -> dict:
    """LinkedIn's body for one posting, every required field checked before anything is sent."""
    location = " ".join(posting.location.split())
    if len([part for part in location.split(",") if part.strip()]) < 2:
        raise Unmappable(
            f"location {posting.location!r} must read 'City, Country' or 'City, State'"
        )
    title = posting.title.strip()
    if not title:
        raise Unmappable("title is empty")
    return {
        "integrationContext": integration.organization_urn,
        "externalJobPostingId": str(posting.id),
        "title": title[:TITLE_MAX],
        "description": posting.description.strip() or title,
        "location": location,
        "state": "LISTED" if posting.accepts_candidates else "CLOSED",
        "availability": DEFAULT_AVAILABILITY,
        "companyApplyUrl": f"{settings.HIREBRIDGE_PUBLIC_URL.rstrip('/')}/postings/{posting.id}",
        "listedAt": int(posting.created_at.timestamp() * 1000),
    }


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
            elements.append(job_element(posting, integration))
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
