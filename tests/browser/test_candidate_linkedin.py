"""The candidate page's LinkedIn Recruiter box in Chromium: a recruiter with a seat connects a
candidate through LinkedIn's profile plugin (its closest matches, then Link), the connection
survives a reload, then the trash button disconnects it."""

import pytest
from playwright.sync_api import expect

from hirebridge.linkedin.models import ProfileConnection
from tests.browser.linkedin import name, open_members, sign_in_to_widget
from tests.factories import PostingFactory, candidate

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]


def test_a_recruiter_connects_a_candidate_and_disconnects_it(
    onboarded, give_seat, wired, tara, alex, log_in, ats_url
):
    member = next(m for m in open_members(wired) if m["id"] >= 100 and m["email"])
    posting = PostingFactory(title="Data Engineer", owner=alex)
    ada = candidate(alex, name(member), posting=posting, emails=[member["email"]]).candidate
    seat = give_seat(tara)
    page = log_in(tara)
    page.goto(f"{ats_url}/candidates/{ada.pk}/")

    page.get_by_role("button", name="+ Connect to LinkedIn Recruiter").click()
    expect(page.get_by_role("dialog", name="Connect to LinkedIn Recruiter")).to_be_visible()
    frame = sign_in_to_widget(page, f"{seat.first_name} {seat.last_name}")
    expect(frame.get_by_role("button", name="This is the right person: link")).to_be_visible()
    frame.get_by_role("link", name="Not the right profile?").click()
    closest = frame.get_by_role("listitem").filter(has_text=name(member))
    expect(closest).to_contain_text("email matches")
    expect(closest.locator(".score")).to_have_text("100")
    closest.get_by_role("button", name="Link").click()
    connected = page.get_by_role("link", name="LinkedIn Recruiter connected")
    expect(connected).to_be_visible()
    page.reload()
    expect(connected).to_be_visible()
    assert ProfileConnection.objects.get(candidate=ada).person_urn == member["person"]
    assert connected.get_attribute("href").endswith(
        "/talent/profile/" + member["person"].removeprefix("urn:li:person:")
    )

    trash = page.get_by_role("button", name="Disconnect from LinkedIn Recruiter")
    connected.hover()
    expect(trash).to_have_css("opacity", "1")
    page.once("dialog", lambda dialog: dialog.accept())
    trash.click()
    expect(page.get_by_text("is no longer connected to LinkedIn Recruiter")).to_be_visible()
    expect(page.get_by_role("button", name="+ Connect to LinkedIn Recruiter")).to_be_visible()
    assert not ProfileConnection.objects.filter(candidate=ada).exists()
