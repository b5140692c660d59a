"""Settings → LinkedIn in Chromium: an Admin reads the Recruiter seats from the sandbox and gives
one to a recruiter by hand; a Team Member is turned away, told why."""

import pytest
from playwright.sync_api import expect

from hirebridge.linkedin.models import Seat, SeatMapping

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]

SETTINGS_PATH = "/settings/integrations/linkedin/"


def test_an_admin_refreshes_the_seats_and_maps_one_to_a_recruiter(
    onboarded, wired, alex, tara, log_in
):
    Seat.objects.all().delete()  # as before the first refresh
    page = log_in(alex)
    page.get_by_role("link", name="Settings").click()
    seats_panel = page.locator("#seats")
    expect(seats_panel).to_contain_text("No seats yet")

    seats_panel.get_by_role("button", name="Refresh seats").click()
    listed = wired.tenant["seats"]
    expect(page.get_by_role("status")).to_contain_text(f"Seats refreshed: {len(listed)} new")
    rows = seats_panel.locator("table.seats tbody tr")
    expect(rows).to_have_count(len(listed))
    for seat in listed:
        expect(rows.filter(has_text=seat["id"])).to_contain_text(seat["name"])

    free = Seat.objects.filter(active=True, user__isnull=True).order_by("urn").first()
    assert free is not None, "the sandbox has no active seat left unmapped"
    holder = f"{free.first_name} {free.last_name}"
    row = rows.filter(has_text=free.urn)
    expect(row.get_by_text("unmapped", exact=True)).to_be_visible()
    row.get_by_label(f"ATS user for {holder}").select_option(label=f"{tara.name} ({tara.email})")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text(f"{free} is mapped to {tara}.")
    expect(row.get_by_label(f"ATS user for {holder}")).to_have_value(str(tara.pk))
    expect(row.get_by_text("unmapped", exact=True)).to_have_count(0)
    expect(row).to_contain_text("By an admin")
    free.refresh_from_db()
    assert (free.user, free.mapped_by) == (tara, SeatMapping.MANUAL)


def test_a_team_member_is_told_the_settings_are_for_admins(tara, log_in, ats_url):
    page = log_in(tara)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    response = page.goto(f"{ats_url}{SETTINGS_PATH}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text(
        "Only Admins and Super Admins manage the LinkedIn integration."
    )
