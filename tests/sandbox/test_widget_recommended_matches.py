"""Recommended Matches for one synced job: a ranked stream with the reasons each member fits;
Not interested hides a member from that seat's stream; Save to Job and Save and InMail export
into this job (and InMail) and tell the embedding page."""

import html
import re

import pytest

from tests.sandbox.conftest import ORG
from tests.sandbox.widget_pages import (
    RITA,
    SOURAV,
    allow_origin,
    callbacks,
    open_jobs_to_all_users,
    person_urn,
    rows,
    secure_job,
    settings,
    shape_member,
    sign_in,
    sync_job,
    url,
    write,
)

PATH = "/rsc/widgets/recommended-matches"
BERLIN_ENGINEER, REMOTE_ENGINEER, BERLIN_CHEF, SENIOR_ENGINEER = 150, 151, 152, 153


@pytest.fixture
def embedded(tenant):
    """Rita signed in to the widgets; job J1 (Data Engineer in Berlin) synced and open to all
    seats; four members with known titles and places."""
    allow_origin(tenant)
    sign_in(tenant)
    sync_job(tenant, "J1", title="Data Engineer", location="Berlin, Germany")
    open_jobs_to_all_users(tenant)
    shape_member(tenant, BERLIN_ENGINEER, title="Data Engineer", location="Berlin, Germany")
    shape_member(
        tenant,
        REMOTE_ENGINEER,
        title="Data Engineer",
        location="Zedburg, Elsewhere",
        open_to_work=1,
    )
    shape_member(
        tenant, BERLIN_CHEF, title="Pastry Chef", location="Berlin, Germany", open_to_work=0
    )
    shape_member(tenant, SENIOR_ENGINEER, title="Senior Data Engineer", location="Zedburg, Nowhere")
    return tenant


def matches(tenant, status=200, **query):
    page = tenant.client.get(url(PATH, tenant, **{"jobId": "J1", **query}))
    assert page.status_code == status, page.text
    return page


def stream(page) -> list[tuple[int, list[str]]]:
    """(member, reasons) in the order shown."""
    items = page.text.split('<li class="recommendation">')[1:]
    return [
        (
            int(re.search(r'name="member" value="(\d+)"', item).group(1)),
            [
                html.unescape(reason)
                for reason in re.findall(
                    r"<li>(.*?)</li>", item.split('<ul class="reasons">', 1)[1].split("</ul>")[0]
                )
            ],
        )
        for item in items
    ]


def post(tenant, action, member_id, status=303, **form):
    reply = tenant.client.post(
        url(f"{PATH}/{action}", tenant, jobId="J1"),
        data={"member": str(member_id), **form},
        follow_redirects=False,
    )
    assert reply.status_code == status, reply.text
    return reply


# The job -----------------------------------------------------------------------------------


def test_an_unknown_job_is_a_404_page(embedded):
    page = matches(embedded, 404, jobId="nope")
    assert f"No job 'nope' synced for {ORG}" in html.unescape(page.text)


def test_a_missing_job_id_is_refused_naming_the_field(embedded):
    assert "jobId: required" in matches(embedded, 400, jobId="").text


@pytest.mark.parametrize(
    ("job", "missing"),
    [
        ({"title": "", "location": "Berlin, Germany"}, "has no title"),
        ({"location": None, "countryCode": "DE", "postalCode": "10115"}, "has no location"),
    ],
)
def test_linkedin_needs_the_jobs_title_and_location(embedded, job, missing):
    sync_job(embedded, "J2", **job)
    page = html.unescape(matches(embedded, 422, jobId="J2").text)
    assert "LinkedIn needs a job's title and location" in page
    assert f"job 'J2' {missing}" in page


def test_the_organization_must_have_enabled_recommended_matches(embedded):
    write(
        embedded,
        "UPDATE integrations SET onboarding_status = 'NOT_ONBOARDED' "
        "WHERE integration_type = 'RECOMMENDED_MATCHES'",
    )
    assert "has not enabled RECOMMENDED_MATCHES" in matches(embedded, 403).text


# The stream --------------------------------------------------------------------------------


def test_a_title_and_location_match_ranks_first_with_its_reasons(embedded):
    page = matches(embedded, count=20)
    assert page.headers["content-security-policy"] == "frame-ancestors http://127.0.0.1:8000"
    shown = stream(page)
    assert shown[0] == (BERLIN_ENGINEER, ["title matches 'Data Engineer'", "in Berlin"])
    assert shown[1] == (REMOTE_ENGINEER, ["title matches 'Data Engineer'", "open to work"])
    ranked = [member for member, _ in shown]
    # A similar title weighs more than the same city alone.
    assert ranked.index(SENIOR_ENGINEER) < ranked.index(BERLIN_CHEF)
    assert dict(shown)[SENIOR_ENGINEER] == ["title is similar to 'Data Engineer'"]
    assert dict(shown)[BERLIN_CHEF] == ["in Berlin"]
    assert not {member for member in ranked if member < 100}  # never the organization's seats


def test_the_stream_shows_more_on_demand(embedded):
    first = matches(embedded, count=1)
    assert [member for member, _ in stream(first)] == [BERLIN_ENGINEER]
    more = re.search(r'href="\?([^"]+)">Show more', first.text).group(1)
    assert "count=11" in more
    longer = embedded.client.get(f"{PATH}?{html.unescape(more)}")
    assert [member for member, _ in stream(longer)][:2] == [BERLIN_ENGINEER, REMOTE_ENGINEER]
    assert [member for member, _ in stream(matches(embedded, start=1, count=1))] == [
        REMOTE_ENGINEER
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [({"count": "0"}, "count: expected a number from 1 to 100"), ({"start": "-1"}, "start:")],
)
def test_a_bad_window_is_refused_naming_the_field(embedded, query, message):
    assert message in matches(embedded, 400, **query).text


def test_not_interested_hides_the_member_from_that_seats_stream_for_that_job(embedded):
    post(embedded, "not-interested", BERLIN_ENGINEER)
    post(embedded, "not-interested", BERLIN_ENGINEER)  # again: no change
    assert BERLIN_ENGINEER not in dict(stream(matches(embedded, count=20)))
    sync_job(embedded, "J2", title="Data Engineer", location="Berlin, Germany")
    assert stream(matches(embedded, jobId="J2"))[0][0] == BERLIN_ENGINEER
    sign_in(embedded, SOURAV)
    assert stream(matches(embedded))[0][0] == BERLIN_ENGINEER


# Save to Job, Save and InMail ----------------------------------------------------------------


def test_save_to_job_exports_into_this_job_and_then_shows_saved(embedded):
    reply = post(embedded, "save", BERLIN_ENGINEER)
    exports = rows(embedded, "SELECT * FROM exports")
    assert [(e["seat_id"], e["member_id"], e["external_job_posting_id"]) for e in exports] == [
        (RITA, BERLIN_ENGINEER, "J1")
    ]
    notification = rows(
        embedded, "SELECT type FROM notifications WHERE request_id = ?", exports[0]["request_id"]
    )
    assert notification == [{"type": "EXPORT_CANDIDATE_PROFILE"}]
    page = embedded.client.get(reply.headers["location"])
    assert callbacks(page) == [
        {
            "callback": "onsave",
            "payload": {
                "member": person_urn(embedded, BERLIN_ENGINEER),
                "jobId": "J1",
                "requestId": exports[0]["request_id"],
            },
        }
    ]
    first = page.text.split('<li class="recommendation">')[1]
    assert '<span class="badge green">Saved</span>' in first and "Save to job" not in first
    assert "In your ATS" in first  # exported by the organization


def test_save_and_inmail_exports_then_inmails_and_says_both(embedded):
    form = matches(embedded, act="save-inmail", member=REMOTE_ENGINEER)
    assert "and send an InMail" in form.text and "InMails left this month" in form.text
    reply = post(embedded, "save-and-inmail", REMOTE_ENGINEER, subject="Data role", body="Hi!")
    location = reply.headers["location"]
    assert "requestId=" in location and "thread=" in location and "act=" not in location
    exported = rows(embedded, "SELECT member_id, external_job_posting_id FROM exports")
    assert exported == [{"member_id": REMOTE_ENGINEER, "external_job_posting_id": "J1"}]
    sent = rows(embedded, "SELECT seat_id, member_id, subject FROM conversation_events")
    assert sent == [{"seat_id": RITA, "member_id": REMOTE_ENGINEER, "subject": "Data role"}]
    urn = person_urn(embedded, REMOTE_ENGINEER)
    assert [
        (c["callback"], c["payload"]["member"]) for c in callbacks(embedded.client.get(location))
    ] == [("onsave", urn), ("oninmail", urn)]


def test_save_and_inmail_saves_nothing_when_no_inmail_credit_is_left(embedded):
    settings(embedded, inmail_quota_per_seat=0)
    form = matches(embedded, act="save-inmail", member=REMOTE_ENGINEER)
    assert "No InMail credits left this month" in form.text
    refused = post(embedded, "save-and-inmail", REMOTE_ENGINEER, status=429, subject="S", body="B")
    assert "No InMail credits left this month" in refused.text
    assert rows(embedded, "SELECT * FROM exports") == []
    assert rows(embedded, "SELECT * FROM conversation_events") == []


def test_a_job_the_seat_may_not_see_offers_no_save(embedded):
    secure_job(embedded, "J1", "hiring-team", "urn:li:person:someoneElse")
    page = matches(embedded)
    assert "Save to job" not in page.text and "Not interested" in page.text
    assert "is not one of the jobs you may export to" in page.text
    refused = post(embedded, "save", BERLIN_ENGINEER, status=403)
    assert "is not one of the jobs you may save members to" in html.unescape(refused.text)
    assert rows(embedded, "SELECT * FROM exports") == []
