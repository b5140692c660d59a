"""The candidate page's actions in a real browser: the forms post with their CSRF token, come
back with a message, and a refusal keeps what was typed."""

import pytest
from playwright.sync_api import expect

from hirebridge.hiring.models import Opportunity
from tests.factories import candidate

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]


def test_a_recruiter_moves_archives_notes_and_emails_from_the_candidate_page(
    log_in, tara, alex, posting, ats_url
):
    ada = candidate(alex, "Ada Lovelace", posting=posting, emails=["ada@example.com"]).candidate
    page = log_in(tara)
    page.goto(f"{ats_url}/candidates/{ada.pk}/")

    page.get_by_label("Stage of Backend Engineer").select_option(label="Phone interview")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_have_text("Backend Engineer: moved to Phone interview.")

    page.get_by_role("link", name="Notes").click()
    page.get_by_label("Note", exact=True).fill("Sharp on systems design")
    page.get_by_label("About").select_option(label="Backend Engineer")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_have_text("Note added.")
    expect(page.locator("ol.notes")).to_contain_text("Sharp on systems design")

    page.get_by_role("link", name="Emails").click()
    page.get_by_label("Subject").fill("x" * 501)
    page.get_by_label("Message").fill("Hello Ada")
    page.get_by_role("button", name="Send email").click()
    expect(page.locator("#email-subject-error")).to_have_text(
        "A subject holds at most 500 characters."
    )
    expect(page.get_by_label("Message")).to_have_value("Hello Ada")

    page.get_by_role("link", name="Overview").click()
    page.get_by_label("Archive reason for Backend Engineer").select_option(label="Hired")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status")).to_have_text("Backend Engineer: archived (Hired).")
    page.get_by_role("button", name="Unarchive").click()
    expect(page.get_by_role("status")).to_have_text(
        "Backend Engineer: back in the pipeline at Phone interview."
    )
    assert Opportunity.objects.get(candidate=ada).archived_at is None
