"""Steps the widget tests share: getting ATS data to the sandbox, signing in inside a widget,
and taking a 1-Click Export from the sandbox's push to a New lead."""

import time
from typing import Any

from playwright.sync_api import FrameLocator, Page, expect

from hirebridge.hiring.models import Opportunity, Posting
from hirebridge.hiring.models.stages import LEAD_NEW
from hirebridge.linkedin import inbound
from hirebridge.linkedin.inbound import events
from hirebridge.linkedin.models import InboundEvent, Integration
from hirebridge.linkedin.outbound import drain, job_tasks
from tests.linkedin.conftest import RunningSandbox

PUSH_SECONDS = 20


def sync_to_linkedin(integration: Integration) -> None:
    """Send what the outbox holds and follow the job tasks until LinkedIn settled them, as the
    worker does between polls."""
    drain.drain(integration)
    job_tasks.check_job_tasks(inbound.client(integration))


def open_members(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    """The sandbox's open member accounts, in id order (the widgets' result order)."""
    page = sandbox.admin("GET", "members", params={"count": 1000})
    assert page["paging"]["total"] <= 1000, "more members than one page: raise the count"
    return [member for member in page["elements"] if not member["closed"]]


def name(member: dict[str, Any]) -> str:
    return f"{member['firstName']} {member['lastName']}"


def widget(page: Page) -> FrameLocator:
    return page.frame_locator("iframe.IN-widget")


def sign_in_to_widget(page: Page, holder: str) -> FrameLocator:
    """Inside the widget, sign in as the seat holder named (the widget remembers the seat)."""
    frame = widget(page)
    frame.get_by_role("button", name=f"Sign in as {holder.split()[0]}").click()
    expect(frame.get_by_text(f"{holder} ·")).to_be_visible()
    return frame


def ingest_export(member: dict[str, Any], posting: Posting) -> Opportunity:
    """Wait for the sandbox's EXPORT_CANDIDATE_PROFILE push to reach the live server, run the
    worker's step on it, and return the member's new opportunity on the posting."""
    deadline = time.monotonic() + PUSH_SECONDS
    pushed = InboundEvent.objects.filter(type=events.EXPORT_CANDIDATE_PROFILE)
    while not pushed.exists():
        assert time.monotonic() < deadline, "the sandbox's export push never reached the ATS"
        time.sleep(0.05)
    for event in pushed:
        events.process_event(event.pk)
    return Opportunity.objects.select_related("candidate", "stage").get(
        posting=posting, candidate__name=name(member), stage_id=LEAD_NEW
    )
