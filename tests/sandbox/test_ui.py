"""The Recruiter UI: a seat holder signs in, searches, opens a profile and exports, InMails or
notes; the member answers in their inbox. Each action must leave the same rows the
`/_sandbox/actions` API leaves, and every page must escape what members and seats typed."""

import re

import pytest

from sandbox import jobs, records, state
from tests.sandbox.conftest import ORG
from tests.sandbox.widget_pages import (
    open_jobs_to_all_users,
    rows,
    sandbox_of,
    secure_job,
    write,
)

RITA, SOURAV = 5000001, 5000002
MEMBER = 100


def settings(tenant, **patch):
    with sandbox_of(tenant).db.transaction() as conn:
        state.update(conn, patch)


def member(tenant, member_id=MEMBER):
    return rows(tenant, "SELECT * FROM members WHERE id = ?", member_id)[0]


def sign_in(tenant, seat=RITA):
    reply = tenant.client.post(
        "/recruiter/sign-in", data={"seat_id": str(seat)}, follow_redirects=False
    )
    assert reply.status_code == 303, reply.text
    return reply


def post(tenant, path, data, status=303):
    reply = tenant.client.post(path, data=data, follow_redirects=False)
    assert reply.status_code == status, reply.text
    return reply


def person_urn(tenant, member_id):
    return f"urn:li:person:{member(tenant, member_id)['person_id']}"


def sync_job(tenant, job_id, title):
    with sandbox_of(tenant).db.transaction() as conn:
        records.put(
            conn,
            tenant.info["customer_app"]["client_id"],
            jobs.RESOURCE,
            job_id,
            {
                "externalJobPostingId": job_id,
                "integrationContext": ORG,
                "state": "LISTED",
                "title": title,
            },
            tenant.clock.current,
            parent=ORG,
        )


def send_inmail(tenant, subject="A role at Acme", body="Hello!"):
    post(tenant, f"/recruiter/members/{MEMBER}/inmail", {"subject": subject, "body": body})
    return rows(tenant, "SELECT * FROM conversation_events ORDER BY id")[-1]["thread_id"]


# Sign-in -----------------------------------------------------------------------------------


def test_recruiter_pages_send_a_visitor_without_a_seat_to_sign_in(tenant):
    for path in ("/recruiter", "/recruiter/search", f"/recruiter/members/{MEMBER}"):
        reply = tenant.client.get(path, follow_redirects=False)
        assert (reply.status_code, reply.headers["location"]) == (303, "/recruiter/sign-in")


def test_the_sign_in_page_lists_every_seat_by_contract(tenant):
    page = tenant.client.get("/recruiter/sign-in")
    assert page.status_code == 200
    for name in ("Rita Recruiter", "Sourav Sourcer", "Hana Hiring", "Cole Coordinator"):
        assert name in page.text
    assert "Acme Robotics Recruiter (EMEA)" in page.text
    assert "Acme Robotics Recruiter (US)" in page.text


def test_signing_in_keeps_the_seat_in_a_cookie_and_the_header_shows_seat_and_organization(
    tenant,
):
    reply = sign_in(tenant, SOURAV)
    assert reply.headers["location"] == "/recruiter/search"
    assert tenant.client.cookies["recruiter_seat"] == str(SOURAV)
    page = tenant.client.get("/recruiter/search")
    assert "Sourav Sourcer" in page.text
    assert "Acme Robotics" in page.text


def test_an_unknown_seat_is_refused_naming_the_field(tenant):
    reply = post(tenant, "/recruiter/sign-in", {"seat_id": "42"}, status=400)
    assert "seat_id: no active seat 42" in reply.text
    reply = post(tenant, "/recruiter/sign-in", {}, status=400)
    assert "seat_id: expected a positive number" in reply.text


def test_signing_out_forgets_the_seat(tenant):
    sign_in(tenant)
    post(tenant, "/recruiter/sign-out", {})
    reply = tenant.client.get("/recruiter/search", follow_redirects=False)
    assert reply.headers["location"] == "/recruiter/sign-in"


# LinkedIn's profile address ---------------------------------------------------------------


def test_the_profile_address_signs_in_first_then_opens_the_member(tenant):
    person_id = member(tenant)["person_id"]
    first = tenant.client.get(f"/talent/profile/{person_id}", follow_redirects=False)
    assert (first.status_code, first.headers["location"]) == (
        303,
        f"/recruiter/talent/profile/{person_id}",
    )
    ask = tenant.client.get(first.headers["location"], follow_redirects=False)
    assert ask.headers["location"] == "/recruiter/sign-in"
    assert sign_in(tenant).headers["location"] == f"/recruiter/members/{MEMBER}"
    assert "recruiter_next" not in tenant.client.cookies

    page = tenant.client.get(f"/talent/profile/{person_id}")
    assert str(page.url).endswith(f"/recruiter/members/{MEMBER}")
    assert member(tenant)["last_name"] in page.text


def test_signing_in_goes_back_only_to_a_member_page(tenant):
    tenant.client.cookies.set("recruiter_next", "https://elsewhere.example/x", path="/recruiter")
    assert sign_in(tenant).headers["location"] == "/recruiter/search"


def test_an_unknown_profile_address_gets_an_html_404(tenant):
    sign_in(tenant)
    missing = tenant.client.get("/talent/profile/nobody-here")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


# Search ------------------------------------------------------------------------------------


def test_search_finds_a_member_by_name_title_company_or_location(tenant):
    sign_in(tenant)
    target = member(tenant, 150)
    for q in (
        f"{target['first_name']} {target['last_name']}",
        target["title"],
        target["company"],
        target["location"],
    ):
        page = tenant.client.get("/recruiter/search", params={"q": q})
        assert page.status_code == 200
        assert 'href="/recruiter/members/150"' in page.text, q


def test_search_pages_25_members_at_a_time(tenant):
    sign_in(tenant)
    first = tenant.client.get("/recruiter/search").text
    assert first.count('class="result"') == 25
    assert "page=2" in first
    second = tenant.client.get("/recruiter/search", params={"page": 2}).text
    links = set(re.findall(r'href="/recruiter/members/(\d+)"', second))
    assert len(links) == 25
    assert not links & set(re.findall(r'href="/recruiter/members/(\d+)"', first))


def test_search_leaves_out_closed_accounts(tenant):
    sign_in(tenant)
    target = member(tenant, 150)
    query = {"q": f"{target['first_name']} {target['last_name']}"}
    assert (
        'href="/recruiter/members/150"' in tenant.client.get("/recruiter/search", params=query).text
    )
    write(tenant, "UPDATE members SET closed_at = 1 WHERE id = 150")
    page = tenant.client.get("/recruiter/search", params=query)
    assert page.status_code == 200
    assert 'href="/recruiter/members/150"' not in page.text


@pytest.mark.parametrize(
    ("query", "field"), [({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"q": "a" * 201}, "q")]
)
def test_bad_search_input_gets_a_400_page_naming_the_field(tenant, query, field):
    sign_in(tenant)
    reply = tenant.client.get("/recruiter/search", params=query)
    assert reply.status_code == 400
    assert reply.headers["content-type"].startswith("text/html")
    assert f"{field}:" in reply.text


# Profile -----------------------------------------------------------------------------------


def test_the_profile_shows_the_member_and_contact_details_only_as_available(tenant):
    sign_in(tenant)
    write(
        tenant,
        "UPDATE members SET email = 'kim@example.com', phone = '+1 555 1234567', "
        "open_to_work = 1 WHERE id = ?",
        MEMBER,
    )
    shown = member(tenant)
    page = tenant.client.get(f"/recruiter/members/{MEMBER}")
    assert page.status_code == 200
    for value in ("headline", "location", "title", "company", "profile_url"):
        assert shown[value].replace("&", "&amp;").replace("'", "&#39;") in page.text
    assert "#OpenToWork" in page.text
    assert "Available" in page.text
    assert "kim@example.com" not in page.text
    assert "1234567" not in page.text


def test_an_unknown_member_or_panel_gets_an_html_error_page(tenant):
    sign_in(tenant)
    missing = tenant.client.get("/recruiter/members/999999")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "No member 999999" in missing.text
    assert "member_id:" in tenant.client.get("/recruiter/members/abc").text
    panel = tenant.client.get(f"/recruiter/members/{MEMBER}?panel=bogus")
    assert panel.status_code == 400 and "panel:" in panel.text


def test_the_pages_escape_what_members_wrote(tenant):
    sign_in(tenant)
    write(
        tenant, "UPDATE members SET first_name = '<script>alert(1)</script>' WHERE id = ?", MEMBER
    )
    pages = [
        tenant.client.get("/recruiter/search", params={"q": "<script>"}),
        tenant.client.get(f"/recruiter/members/{MEMBER}"),
        tenant.client.get(f"/recruiter/inbox/{MEMBER}"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_stylesheet_is_served(tenant):
    reply = tenant.client.get("/static/recruiter.css")
    assert reply.status_code == 200 and "--blue" in reply.text


# Export ------------------------------------------------------------------------------------


def test_export_records_the_export_with_the_job_and_typed_emails(tenant):
    sign_in(tenant)
    open_jobs_to_all_users(tenant)
    sync_job(tenant, "JOB-7", "Robot Whisperer")
    reply = post(
        tenant,
        f"/recruiter/members/{MEMBER}/export",
        {"job": "JOB-7", "email": ["kim@example.com", ""]},
    )
    [export] = rows(tenant, "SELECT * FROM exports")
    assert (export["seat_id"], export["member_id"]) == (RITA, MEMBER)
    assert export["external_job_posting_id"] == "JOB-7"
    assert export["email_addresses"] == '["kim@example.com"]'
    assert reply.headers["location"] == (
        f"/recruiter/members/{MEMBER}?done=export&request_id={export['request_id']}"
    )
    page = tenant.client.get(reply.headers["location"])
    assert "Exported to your ATS." in page.text and export["request_id"] in page.text


def test_the_job_picker_lists_only_the_jobs_the_seat_holder_may_see(tenant):
    sign_in(tenant)
    open_jobs_to_all_users(tenant)
    sync_job(tenant, "JOB-OPEN", "Open to everyone")
    sync_job(tenant, "JOB-MINE", "Secured, Rita assigned")
    sync_job(tenant, "JOB-THEIRS", "Secured, Sourav assigned")
    secure_job(tenant, "JOB-MINE", "RITA_GROUP", person_urn(tenant, 1))
    secure_job(tenant, "JOB-THEIRS", "SOURAV_GROUP", person_urn(tenant, 2))
    page = tenant.client.get(f"/recruiter/members/{MEMBER}?panel=export").text
    assert 'value="JOB-OPEN"' in page and 'value="JOB-MINE"' in page
    assert "JOB-THEIRS" not in page
    reply = post(tenant, f"/recruiter/members/{MEMBER}/export", {"job": "JOB-THEIRS"}, 400)
    assert "job: &#39;JOB-THEIRS&#39; is not one of the jobs you may export to" in reply.text
    assert rows(tenant, "SELECT * FROM exports") == []


def test_export_shows_linkedins_refusal_when_1_click_export_is_off(tenant):
    sign_in(tenant)
    settings(tenant, one_click_export=False)
    reply = post(tenant, f"/recruiter/members/{MEMBER}/export", {"job": ""}, status=403)
    assert "has turned 1-Click Export off" in reply.text
    assert 'role="alert"' in reply.text
    assert rows(tenant, "SELECT * FROM exports") == []


def test_export_shows_the_monthly_cap_when_it_is_reached(tenant):
    sign_in(tenant)
    settings(tenant, exports_per_seat_per_month=1)
    post(tenant, f"/recruiter/members/{MEMBER}/export", {})
    reply = post(tenant, f"/recruiter/members/{MEMBER}/export", {}, status=429)
    assert "exports_per_seat_per_month=1" in reply.text


def test_a_malformed_export_email_is_refused_naming_the_field(tenant):
    sign_in(tenant)
    reply = post(tenant, f"/recruiter/members/{MEMBER}/export", {"email": "not-an-email"}, 400)
    assert "email: &#39;not-an-email&#39; does not match" in reply.text
    assert 'value="not-an-email"' in reply.text  # kept for correcting


# InMail and notes --------------------------------------------------------------------------


def test_an_inmail_writes_a_conversation_event_and_counts_against_the_quota(tenant):
    sign_in(tenant)
    settings(tenant, inmail_quota_per_seat=5)
    assert (
        "5 of 5 InMails left" in tenant.client.get(f"/recruiter/members/{MEMBER}?panel=inmail").text
    )
    send_inmail(tenant, subject="A role <b>now</b>", body="Interested?")
    [event] = rows(tenant, "SELECT * FROM conversation_events")
    assert (event["seat_id"], event["member_id"], event["from_member"]) == (RITA, MEMBER, 0)
    assert (event["subject"], event["body"]) == ("A role <b>now</b>", "Interested?")
    page = tenant.client.get(f"/recruiter/members/{MEMBER}?panel=inmail&done=inmail").text
    assert "InMail sent." in page and "4 of 5 InMails left" in page
    assert "A role &lt;b&gt;now&lt;/b&gt;" in page


def test_an_inmail_past_the_quota_shows_the_refusal_and_keeps_the_draft(tenant):
    sign_in(tenant)
    settings(tenant, inmail_quota_per_seat=0)
    reply = post(
        tenant,
        f"/recruiter/members/{MEMBER}/inmail",
        {"subject": "Hello", "body": "My draft"},
        status=429,
    )
    assert "inmail_quota_per_seat=0" in reply.text and "My draft" in reply.text
    assert rows(tenant, "SELECT * FROM conversation_events") == []


def test_an_inmail_without_a_subject_is_refused_naming_the_field(tenant):
    sign_in(tenant)
    reply = post(tenant, f"/recruiter/members/{MEMBER}/inmail", {"body": "Hi"}, status=400)
    assert "subject: expected a non-empty string" in reply.text


def test_a_note_is_written_and_listed_on_the_profile_for_its_seat_only(tenant):
    sign_in(tenant)
    post(tenant, f"/recruiter/members/{MEMBER}/notes", {"body": "Strong in ROS"})
    [note] = rows(tenant, "SELECT * FROM prospect_notes")
    assert (note["seat_id"], note["member_id"], note["note"]) == (RITA, MEMBER, "Strong in ROS")
    assert note["contract_id"] == 70001001
    assert "Strong in ROS" in tenant.client.get(f"/recruiter/members/{MEMBER}").text
    sign_in(tenant, SOURAV)
    assert "Strong in ROS" not in tenant.client.get(f"/recruiter/members/{MEMBER}").text


# The member's inbox ------------------------------------------------------------------------


def test_the_inbox_lists_the_members_threads_and_opens_one(tenant):
    sign_in(tenant)
    thread = send_inmail(tenant, subject="Staff engineer")
    inbox = tenant.client.get(f"/recruiter/inbox/{MEMBER}")
    assert inbox.status_code == 200
    assert "Staff engineer" in inbox.text and f"/recruiter/inbox/{MEMBER}/{thread}" in inbox.text
    opened = tenant.client.get(f"/recruiter/inbox/{MEMBER}/{thread}").text
    assert "Hello!" in opened and "Yes, please share" in opened
    assert tenant.client.get(f"/recruiter/inbox/101/{thread}").status_code == 404


def test_yes_please_share_sends_the_answer_and_the_edited_contact_details(tenant):
    sign_in(tenant)
    thread = send_inmail(tenant)
    write(tenant, "UPDATE members SET email = 'kim@example.com' WHERE id = ?", MEMBER)
    page = tenant.client.get(f"/recruiter/inbox/{MEMBER}/{thread}").text
    assert 'value="kim@example.com"' in page  # prefilled from the member
    reply = post(
        tenant,
        f"/recruiter/inbox/{MEMBER}/{thread}/answer",
        {"answer": "yes_share", "email": "kim@work.example", "phone": "+1 555 0100"},
    )
    assert reply.headers["location"] == f"/recruiter/inbox/{MEMBER}/{thread}?done=shared"
    [stub] = rows(tenant, "SELECT * FROM mail_stubs")
    assert (stub["email"], stub["phone"], stub["seat_id"]) == (
        "kim@work.example",
        "+1 555 0100",
        RITA,
    )
    answered = tenant.client.get(reply.headers["location"]).text
    assert "were shared" in answered and "Yes, please share" not in answered


@pytest.mark.parametrize("answer", ["no_dont_share", "no_thanks"])
def test_declining_answers_without_sharing(tenant, answer):
    sign_in(tenant)
    thread = send_inmail(tenant)
    post(tenant, f"/recruiter/inbox/{MEMBER}/{thread}/answer", {"answer": answer, "email": "x@y.z"})
    assert rows(tenant, "SELECT * FROM mail_stubs") == []
    [_, event] = rows(tenant, "SELECT * FROM conversation_events ORDER BY id")
    assert event["from_member"] == 1


def test_a_second_answer_shows_the_conflict(tenant):
    sign_in(tenant)
    thread = send_inmail(tenant)
    post(tenant, f"/recruiter/inbox/{MEMBER}/{thread}/answer", {"answer": "no_thanks"})
    reply = post(tenant, f"/recruiter/inbox/{MEMBER}/{thread}/answer", {"answer": "yes_share"}, 409)
    assert "answered" in reply.text and 'role="alert"' in reply.text


def test_an_answer_must_be_one_of_the_three_buttons(tenant):
    sign_in(tenant)
    thread = send_inmail(tenant)
    reply = post(tenant, f"/recruiter/inbox/{MEMBER}/{thread}/answer", {"answer": "maybe"}, 400)
    assert "answer: expected one of" in reply.text


def test_a_reply_writes_the_members_message_into_the_thread(tenant):
    sign_in(tenant)
    thread = send_inmail(tenant)
    reply = post(tenant, f"/recruiter/inbox/{MEMBER}/{thread}/reply", {"body": "Tell me more"})
    assert reply.headers["location"] == f"/recruiter/inbox/{MEMBER}/{thread}?done=reply"
    [_, event] = rows(tenant, "SELECT * FROM conversation_events ORDER BY id")
    assert (event["thread_id"], event["from_member"], event["body"]) == (
        thread,
        1,
        "Tell me more",
    )
    assert "Tell me more" in tenant.client.get(f"/recruiter/members/{MEMBER}").text


def test_an_empty_reply_is_refused_naming_the_field(tenant):
    sign_in(tenant)
    thread = send_inmail(tenant)
    reply = post(tenant, f"/recruiter/inbox/{MEMBER}/{thread}/reply", {"body": " "}, 400)
    assert "body: expected a non-empty string" in reply.text
