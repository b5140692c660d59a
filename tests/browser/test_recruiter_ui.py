"""A recruiter's day in Chromium: narrow the pipeline, open a candidate, read the tabs, move the
stage, write a note, send an email and find the candidate again by search; then a hiring
manager on one posting, who sees nothing of the others."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from hirebridge.hiring import services
from hirebridge.hiring.models import Opportunity, Stage
from tests.factories import PostingFactory, candidate

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]


def pipeline_names(page: Page) -> Locator:
    return page.locator("table.pipeline-list tbody tr strong")


def filter_pipeline(page: Page, **choices: str) -> None:
    """Set the filters named (a select by its option label, the tag as text) and apply them."""
    form = page.get_by_role("form", name="Filter the pipeline")
    for field, value in choices.items():
        control = form.get_by_label(field.capitalize(), exact=True)
        if field == "tag":
            control.fill(value)
        else:
            control.select_option(label=value)
    form.get_by_role("button", name="Filter").click()


def test_a_recruiter_works_a_candidate_from_the_pipeline(
    log_in, tara, alex, posting, ats_url, mailoutbox
):
    analyst = PostingFactory(title="Data Analyst", owner=alex)
    ada = candidate(tara, "Ada Lovelace", posting=posting, tags=["python"], sources=["Referral"])
    candidate(tara, "Grace Hopper", posting=posting, tags=["cobol"], sources=["Job board"])
    candidate(tara, "Linus Torvalds", posting=analyst, tags=["python"])

    page = log_in(tara)
    page.get_by_role("link", name="Pipeline", exact=True).click()
    expect(pipeline_names(page)).to_have_count(3)

    filter_pipeline(page, posting="Backend Engineer")
    expect(pipeline_names(page)).to_have_count(2)
    expect(page.locator("table.pipeline-list")).not_to_contain_text("Linus Torvalds")
    filter_pipeline(page, tag="python")
    expect(pipeline_names(page)).to_have_text(["Ada Lovelace"])
    filter_pipeline(page, posting="All postings", tag="", source="Referral")
    expect(pipeline_names(page)).to_have_text(["Ada Lovelace"])

    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    tabs = page.get_by_role("navigation", name="Candidate history")
    tabs.get_by_role("link", name="Emails").click()
    expect(tabs.get_by_role("link", name="Emails")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No emails or InMails yet.")).to_be_visible()
    tabs.get_by_role("link", name="Notes").click()
    expect(page.get_by_text("No notes yet.")).to_be_visible()
    tabs.get_by_role("link", name="Overview").click()
    expect(page.locator("ol.timeline")).to_contain_text("Tara Team")

    page.get_by_label("Stage of Backend Engineer").select_option(label="Phone interview")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_have_text("Backend Engineer: moved to Phone interview.")
    expect(page.locator("li.opportunity .stage")).to_have_text("Phone interview")
    moved = Opportunity.objects.select_related("stage").get(candidate=ada.candidate)
    assert moved.stage == Stage.objects.get(text="Phone interview")

    tabs.get_by_role("link", name="Notes").click()
    page.get_by_label("Note", exact=True).fill("Strong on distributed systems")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_have_text("Note added.")
    expect(page.locator("ol.notes li.note")).to_have_count(1)
    expect(page.locator("ol.notes")).to_contain_text("Strong on distributed systems")

    tabs.get_by_role("link", name="Emails").click()
    page.get_by_label("Subject").fill("Your application")
    page.get_by_label("Message").fill("Could we talk on Thursday?")
    page.get_by_role("button", name="Send email").click()
    expect(page.get_by_role("status")).to_have_text("Email sent to ada@example.com.")
    thread = page.get_by_role("region", name="Your application")
    expect(thread).to_contain_text("Could we talk on Thursday?")
    assert [(sent.subject, sent.to) for sent in mailoutbox] == [
        ("Your application", ["ada@example.com"])
    ]

    page.get_by_role("link", name="Candidates", exact=True).click()
    page.get_by_label("Search candidates").fill("Lovelace")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/candidates/\?q=Lovelace(&|$)"))
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Backend Engineer · Phone interview")
    rows.get_by_role("link", name="Ada Lovelace").click()
    expect(page).to_have_url(f"{ats_url}/candidates/{ada.candidate.pk}/")


def test_a_hiring_manager_sees_only_the_postings_they_hire_for(
    log_in, lee, alex, tara, posting, ats_url
):
    services.set_hiring_team(alex, posting, members=[lee])
    secret = PostingFactory(title="Secret Project", owner=alex)
    candidate(tara, "Grace Hopper", posting=posting)
    hidden = candidate(tara, "Hedy Lamarr", posting=secret).candidate

    page = log_in(lee)
    page.get_by_role("link", name="Pipeline", exact=True).click()
    expect(page.get_by_role("heading", name="Pipeline")).to_have_text(re.compile(r"Pipeline\s+1$"))
    expect(pipeline_names(page)).to_have_text(["Grace Hopper"])
    postings = page.get_by_label("Posting").locator("option")
    expect(postings.filter(has_text="Backend Engineer")).to_have_count(1)
    expect(postings.filter(has_text="Secret Project")).to_have_count(0)

    response = page.goto(f"{ats_url}/candidates/{hidden.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("Hedy Lamarr")).to_have_count(0)

    response = page.goto(f"{ats_url}/postings/new/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("“manage postings” permission")
