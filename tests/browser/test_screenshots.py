"""Screenshots of the recruiter UI at 1280 by 800 (the pipeline, a busy candidate page, Unified
Search with a search applied), written to var/screenshots/ so a change to a page can be seen."""

import struct
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hirebridge.hiring import email, services
from hirebridge.hiring.models import Stage
from hirebridge.hiring.models.postings import PostingState
from hirebridge.hiring.models.records import Channel, Direction
from hirebridge.hiring.models.stages import LEAD_NEW
from tests.browser.conftest import VIEWPORT
from tests.browser.linkedin import name, open_members, sign_in_to_widget
from tests.factories import candidate

# The live server sees only committed data; a flush after each test would take the stages
# the migrations seed with it, so they are restored.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shoot(page: Page, file_name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / file_name
    page.screenshot(path=path, full_page=False)
    return path


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, which always comes first."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def busy_pipeline(alex, tara):
    """Two postings with a handful of candidates in several stages; returns the busiest one."""
    backend, analyst = (
        services.create_posting(
            alex, title=title, owner=alex, location="Berlin, Germany", state=PostingState.PUBLISHED
        )
        for title in ("Backend Engineer", "Data Analyst")
    )
    people = [
        ("Grace Hopper", backend, ["cobol"], "Referral"),
        ("Linus Torvalds", backend, ["c", "kernel"], "Job board"),
        ("Margaret Hamilton", analyst, ["apollo"], "Referral"),
        ("Alan Turing", analyst, [], "Agency"),
    ]
    for person, posting, tags, source in people:
        candidate(tara, person, posting=posting, tags=tags, sources=[source])
    ada = candidate(
        tara,
        "Ada Lovelace",
        posting=backend,
        headline="Analytical engines and the programs they run",
        location="London, United Kingdom",
        current_title="Engineer",
        current_company="Babbage & Co",
        tags=["python"],
        sources=["Referral"],
    )
    services.add_opportunity(tara, ada.candidate, posting=analyst, stage_id=LEAD_NEW)
    return ada


def fill_candidate_history(tara, ada) -> None:
    """Notes and a conversation, so the candidate page shows what it holds."""
    services.move_to_stage(tara, ada, Stage.objects.get(text="Phone interview").pk)
    services.add_note(tara, ada.candidate, "Sharp on systems design.", opportunity=ada)
    services.add_note(tara, ada.candidate, "Prefers a hybrid role in London.")
    email.send_email(
        tara,
        ada.candidate,
        to="ada@example.com",
        subject="Your application",
        body="Could we talk on Thursday?",
        opportunity=ada,
    )
    services.log_message(
        services.AUTOMATIC,
        ada.candidate,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        sender="ada@example.com",
        recipient=tara.email,
        sent_at=timezone.now() + timedelta(minutes=5),
        subject="Re: Your application",
        body="Thursday at 10 works for me.",
        external_id="<reply-1@example.com>",
        opportunity=ada,
    )


def test_screenshots_of_the_pipeline_a_candidate_and_unified_search(
    onboarded, give_seat, wired, alex, tara, log_in, ats_url, mailoutbox
):
    ada = busy_pipeline(alex, tara)
    fill_candidate_history(tara, ada)
    seat = give_seat(tara)
    shots = []

    page = log_in(tara)
    page.get_by_role("link", name="Pipeline", exact=True).click()
    expect(page.locator("table.pipeline-list tbody tr")).not_to_have_count(0)
    shots.append(shoot(page, "pipeline.png"))

    page.goto(f"{ats_url}/candidates/{ada.candidate.pk}/")
    expect(page.locator("li.opportunity")).to_have_count(2)
    expect(page.locator("ol.timeline")).to_contain_text("Phone interview")
    shots.append(shoot(page, "candidate.png"))

    member = next(m for m in open_members(wired) if m["id"] >= 100)
    page.get_by_role("link", name="Candidates", exact=True).click()
    page.get_by_role("link", name="LinkedIn Unified Search").click()
    frame = sign_in_to_widget(page, f"{seat.first_name} {seat.last_name}")
    frame.get_by_label("Keywords").fill(member["lastName"])
    frame.get_by_role("button", name="Apply filters").click()
    expect(frame.locator("li.member").filter(has_text=name(member))).to_be_visible()
    # The results, with the applied filters' buttons above them, rather than the empty form.
    frame.get_by_role("button", name="Apply filters").evaluate(
        "button => button.scrollIntoView({block: 'start'})"
    )
    shots.append(shoot(page, "unified-search.png"))

    assert [shot.name for shot in shots] == ["pipeline.png", "candidate.png", "unified-search.png"]
    for shot in shots:
        assert png_size(shot) == (VIEWPORT["width"], VIEWPORT["height"])
