"""LinkedIn Recommended Matches inside the ATS, in Chromium: a recruiter picks a posting,
saves a recommended member to it, and the member arrives as a New lead on that posting."""

import pytest
from playwright.sync_api import expect

from hirebridge.hiring import services
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin import seats, tasks
from tests.browser.linkedin import ingest_export, open_members, sign_in_to_widget, sync_to_linkedin

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]


@pytest.fixture
def synced_posting(onboarded, give_seat, tara, alex):
    posting = services.create_posting(
        alex, title="Backend Engineer", owner=alex, location="Berlin, Germany"
    )
    services.set_posting_state(alex, posting, PostingState.PUBLISHED)
    give_seat(tara)  # before the sync: the job's ACL names the seat holders
    sync_to_linkedin(onboarded)
    return posting


def test_a_recruiter_saves_a_recommended_member_to_the_posting(
    synced_posting, wired, tara, log_in, monkeypatch
):
    # The callback rings the worker's queue; here the test runs the worker's step itself.
    monkeypatch.setattr(tasks, "process_event", lambda event_id: None)
    page = log_in(tara)
    page.get_by_role("link", name="Recommendations").click()
    page.get_by_role("link", name="LinkedIn Recommended Matches").click()
    page.get_by_label("Posting").select_option(str(synced_posting.pk))
    page.get_by_role("button", name="Show matches").click()
    expect(page.get_by_role("heading", name="Matches for Backend Engineer")).to_be_visible()
    seat = seats.seat_for(tara)
    frame = sign_in_to_widget(page, f"{seat.first_name} {seat.last_name}")
    expect(frame.get_by_role("heading", name="Recommended for Backend Engineer")).to_be_visible()

    first = frame.locator("li.recommendation").first
    chosen = first.locator("strong").first.inner_text()
    first.get_by_role("button", name="Save to job").click()
    expect(frame.get_by_role("status").filter(has_text="Saved")).to_have_text(
        f"Saved {chosen} to job {synced_posting.pk}."
    )
    expect(frame.locator("li.recommendation").filter(has_text=chosen)).to_contain_text("Saved")
    expect(page.locator("#linkedin-widget-status")).to_contain_text("Backend Engineer")

    member = next(m for m in open_members(wired) if f"{m['firstName']} {m['lastName']}" == chosen)
    ingest_export(member, synced_posting)
    page.get_by_role("link", name="Candidates", exact=True).click()
    row = page.get_by_role("row").filter(has_text=chosen)
    expect(row).to_contain_text("Backend Engineer · New lead")


def test_a_hiring_manager_without_a_seat_is_told_why_instead_of_the_widget(
    synced_posting, lee, log_in, ats_url
):
    page = log_in(lee)
    page.goto(f"{ats_url}/candidates/recommendations/")
    expect(page.get_by_role("note")).to_contain_text("No LinkedIn Recruiter seat is mapped to you")
    expect(page.locator("iframe.IN-widget")).to_have_count(0)
