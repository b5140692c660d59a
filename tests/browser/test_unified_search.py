"""LinkedIn Unified Search inside the ATS, in Chromium: a recruiter with a seat searches
LinkedIn and the ATS together, InMails until the seat's quota runs out, and saves a member to
a posting, who then arrives as a New lead."""

from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import FrameLocator, expect

from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin import tasks
from tests.browser.linkedin import (
    ingest_export,
    name,
    open_members,
    sign_in_to_widget,
    sync_to_linkedin,
)

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]

PAGE_SIZE = 25  # results per page in the widget
INMAIL_QUOTA = 2
ATS_ONLY = "Zora Quill"  # a candidate who is nobody on LinkedIn


@dataclass(frozen=True)
class Scenario:
    """Members picked from the sandbox's seeded data so that every facet visibly narrows a
    location search: `known` is in the ATS (by email), `saved` is saved to the posting."""

    prefix: str
    located: list[dict[str, Any]]
    known: dict[str, Any]
    saved: dict[str, Any]

    def names(self, keep: Any) -> list[str]:
        return [name(member) for member in self.located if keep(member)]


def scenario_from(members: list[dict[str, Any]]) -> Scenario:
    """The commonest first word of a location that fits one page of results and has members
    both open and not open to work."""
    prefixes: dict[str, list[dict[str, Any]]] = {}
    for member in members:
        if member["id"] >= 100:  # not one of the organization's own recruiters
            prefixes.setdefault(member["location"].split()[0], []).append(member)
    for prefix, _ in sorted(prefixes.items(), key=lambda item: -len(item[1])):
        located = [m for m in members if m["location"].lower().startswith(prefix.lower())]
        open_to_work = [m for m in located if m["openToWork"]]
        if len(located) <= PAGE_SIZE and 2 <= len(open_to_work) < len(located):
            return Scenario(prefix, located, open_to_work[0], open_to_work[1])
    pytest.fail("the seeded sandbox has no location prefix fit for this test")


def apply(frame: FrameLocator) -> None:
    frame.get_by_role("button", name="Apply filters").click()


def expect_members(frame: FrameLocator, names: list[str]) -> None:
    expect(frame.locator("li.member strong")).to_have_text(names)


def member_row(frame: FrameLocator, member: dict[str, Any]):
    return frame.locator("li.member").filter(has_text=name(member))


@pytest.fixture
def pushes_stay_here(monkeypatch):
    """The callback rings the worker's queue; here the test runs the worker's step itself."""
    monkeypatch.setattr(tasks, "process_event", lambda event_id: None)


def test_a_recruiter_searches_inmails_and_saves_to_a_job(
    onboarded, give_seat, wired, tara, alex, log_in, pushes_stay_here
):
    scenario = scenario_from(open_members(wired))
    known = scenario.known
    posting = services.create_posting(
        alex, title="Backend Engineer", owner=alex, location="Berlin, Germany"
    )
    services.set_posting_state(alex, posting, PostingState.PUBLISHED)
    services.create_candidate(tara, name="Known Person", emails=[known["email"]])
    services.create_candidate(
        tara,
        name=ATS_ONLY,
        emails=["zora.quill@example.org"],
        location=f"{scenario.prefix}brook, Atlantis",
        current_title="Lighthouse keeper",
    )
    seat = give_seat(tara)  # before the sync: the job's ACL names the seat holders
    sync_to_linkedin(onboarded)
    wired.admin("PUT", "settings", json={"inmail_quota_per_seat": INMAIL_QUOTA})

    page = log_in(tara)
    page.get_by_role("link", name="Candidates", exact=True).click()
    page.get_by_role("link", name="LinkedIn Unified Search").click()
    expect(page.get_by_role("heading", name="LinkedIn Unified Search")).to_be_visible()
    frame = sign_in_to_widget(page, f"{seat.first_name} {seat.last_name}")

    # Locations: only members whose location starts with the prefix; both groups show.
    frame.get_by_label("Add a location").fill(scenario.prefix)
    apply(frame)
    expect_members(frame, scenario.names(lambda m: True))
    expect(frame.locator("li.ats-candidate strong")).to_have_text([ATS_ONLY])
    expect(member_row(frame, known).get_by_text("In your ATS")).to_be_visible()
    expect(frame.locator("li.member").filter(has_text="In your ATS")).to_have_count(1)

    # Keywords narrow that to the members carrying the word.
    frame.get_by_label("Keywords").fill(known["lastName"])
    apply(frame)
    word = known["lastName"].lower()
    expect_members(
        frame,
        scenario.names(
            lambda m: any(
                word in field.lower()
                for field in (name(m), m["headline"], m["title"], m["company"], m["location"])
            )
        ),
    )
    frame.get_by_label("Keywords").fill("")

    # Open to work: LinkedIn members only; the ATS group says so.
    frame.get_by_label("Open to work").check()
    apply(frame)
    expect_members(frame, scenario.names(lambda m: m["openToWork"]))
    expect(frame.get_by_text("Open to work applies to LinkedIn members only.")).to_be_visible()
    frame.get_by_label("Open to work").uncheck()

    # Current job titles.
    frame.get_by_label("Add a job title").fill(known["title"])
    apply(frame)
    expect_members(frame, scenario.names(lambda m: known["title"].lower() in m["title"].lower()))
    frame.get_by_label("Job title 1").fill("")

    # Only candidates in my ATS: the member the ATS knows by email.
    frame.get_by_label("Only candidates in my ATS").check()
    apply(frame)
    expect_members(frame, [name(known)])

    # InMail until the seat's monthly quota refuses.
    for sent in range(1, INMAIL_QUOTA + 1):
        member_row(frame, known).get_by_role("link", name="Send InMail").click()
        expect(frame.get_by_text(f"{INMAIL_QUOTA - sent + 1} of {INMAIL_QUOTA} InMails left"))
        frame.get_by_label("Subject").fill(f"Hello, number {sent}")
        frame.get_by_label("Message").fill("Would you talk to us about a role?")
        frame.get_by_role("button", name="Send InMail").click()
        expect(frame.get_by_role("status").filter(has_text="InMail sent to")).to_have_text(
            f"InMail sent to {name(known)}."
        )
    member_row(frame, known).get_by_role("link", name="Send InMail").click()
    expect(frame.get_by_role("alert")).to_have_text("No InMail credits left this month")
    expect(frame.get_by_role("button", name="Send InMail")).to_be_disabled()
    frame.get_by_role("link", name="Cancel").click()

    # Save to Job on the synced posting: a 1-Click Export that lands as a New lead.
    frame.get_by_label("Only candidates in my ATS").uncheck()
    apply(frame)
    saved = scenario.saved
    member_row(frame, saved).get_by_role("link", name="Save to job").click()
    frame.get_by_label("Job", exact=True).select_option(str(posting.pk))
    frame.get_by_role("button", name="Save to job").click()
    expect(frame.get_by_role("status").filter(has_text="Saved")).to_have_text(
        f"Saved {name(saved)} to job {posting.pk}."
    )
    expect(page.locator("#linkedin-widget-status")).to_contain_text("Backend Engineer")

    ingest_export(saved, posting)
    page.get_by_role("link", name="Candidates", exact=True).click()
    row = page.get_by_role("row").filter(has_text=name(saved))
    expect(row).to_contain_text("Backend Engineer · New lead")
    assert Candidate.objects.filter(name=name(saved)).count() == 1


def test_a_hiring_manager_without_a_seat_is_told_why_instead_of_the_widget(
    onboarded, give_seat, tara, lee, log_in, ats_url
):
    give_seat(tara)
    page = log_in(lee)
    page.goto(f"{ats_url}/candidates/linkedin-search/")
    expect(page.get_by_role("note")).to_contain_text("No LinkedIn Recruiter seat is mapped to you")
    expect(page.locator("iframe.IN-widget")).to_have_count(0)
