"""The browser harness itself: Chromium logs in through the real form and sees the app."""

import re

import pytest
from playwright.sync_api import expect

from hirebridge.hiring.models import Opportunity
from tests.factories import candidate

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]


def test_a_team_member_logs_in_and_lands_on_the_pipeline(log_in, tara, ats_url):
    candidate(tara, name="Grace Hopper")
    page = log_in(tara)
    expect(page).to_have_url(re.compile(r"/pipeline/$"))
    expect(page.get_by_role("heading", name="Pipeline")).to_contain_text(
        str(Opportunity.objects.count())
    )
    expect(page.get_by_role("link", name="New lead 1")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()


def test_a_wrong_password_is_refused_with_an_explanation(page, tara, ats_url):
    page.goto(f"{ats_url}/login/")
    page.get_by_label("Email").fill(tara.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an active account."
    )
