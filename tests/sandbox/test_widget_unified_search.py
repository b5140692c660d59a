"""Unified Search inside the ATS: facets narrow both groups of results (ATS candidates nobody on
LinkedIn, and LinkedIn members with the In-ATS indicator), and Send InMail and Save to Job act
for the signed-in seat and tell the embedding page through callbacks."""

import html
import json
import re

import pytest

from sandbox import exporting
from tests.sandbox.conftest import ORG
from tests.sandbox.widget_pages import (
    ORIGIN,
    RITA,
    SOURAV,
    allow_origin,
    callbacks,
    candidate,
    link_candidate,
    open_jobs_to_all_users,
    person_urn,
    rows,
    sandbox_of,
    secure_job,
    settings,
    shape_member,
    sign_in,
    sync_candidates,
    sync_job,
    url,
    write,
)

PATH = "/rsc/widgets/unified-search"
WELDER, DRIFTER, CHEF, OTHER_WELDER = 150, 151, 152, 153


@pytest.fixture
def embedded(tenant):
    """The ATS page embeds the widget and Rita is signed in to LinkedIn's widgets; four members
    have known titles and places."""
    allow_origin(tenant)
    sign_in(tenant)
    shape_member(tenant, WELDER, title="Quantum Welder", location="Quuxville, Nowhere")
    shape_member(tenant, DRIFTER, title="Quantum Welder", location="Zedburg, Elsewhere")
    shape_member(tenant, CHEF, title="Pastry Chef", location="Quuxville, Nowhere")
    shape_member(tenant, OTHER_WELDER, title="Quantum Welder", location="Zedburg, Elsewhere")
    write(tenant, "UPDATE members SET open_to_work = (id IN (?, ?))", WELDER, CHEF)
    return tenant


def search(tenant, status=200, **facets):
    page = tenant.client.get(url(PATH, tenant, **facets), follow_redirects=False)
    assert page.status_code == status, page.text
    return page


def linkedin_ids(page) -> list[int]:
    group = page.text.split('id="linkedin-group"', 1)[1]
    return [int(m) for m in re.findall(r"act=inmail&member=(\d+)", group)]


def ats_group(page) -> str:
    return page.text.split('id="ats-group"', 1)[1].split('id="linkedin-group"', 1)[0]


def indicated(page, member_id) -> bool:
    group = page.text.split('id="linkedin-group"', 1)[1]
    item = group.split(f"act=inmail&member={member_id}", 1)[0].rsplit('<li class="member">')[-1]
    return "In your ATS" in item


# Opening the widget ------------------------------------------------------------------------


def test_it_sends_a_visitor_without_a_seat_to_the_widget_sign_in(tenant):
    allow_origin(tenant)
    reply = tenant.client.get(url(PATH, tenant), follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/rsc/widgets/sign-in?")
    assert "next=%2Frsc%2Fwidgets%2Funified-search" in reply.headers["location"]


def test_it_opens_with_the_facets_and_no_results_until_a_filter_is_applied(embedded):
    page = search(embedded)
    assert page.headers["content-security-policy"] == f"frame-ancestors {ORIGIN}"
    for facet in ("Keywords", "Open to work", "Locations", "Current job titles"):
        assert facet in page.text
    assert "Only candidates in my ATS" in page.text and "Apply filters" in page.text
    assert "Choose at least one filter" in page.text
    assert 'id="linkedin-group"' not in page.text


@pytest.mark.parametrize(
    ("context", "status", "message"),
    [
        ("", 400, "integrationContext: required"),
        ("urn:li:organization:1", 403, "is not the organization of application"),
    ],
)
def test_it_refuses_a_context_that_is_not_the_apps_organization(embedded, context, status, message):
    page = search(embedded, status, integrationContext=context)
    assert message in page.text


def test_it_refuses_while_the_organization_has_not_enabled_unified_search(embedded):
    write(
        embedded,
        "UPDATE integrations SET onboarding_status = 'NOT_ONBOARDED' "
        "WHERE integration_type = 'UNIFIED_SEARCH'",
    )
    page = search(embedded, 403, keywords="quantum")
    assert "has not enabled UNIFIED_SEARCH" in page.text


@pytest.mark.parametrize(
    ("facets", "message"),
    [
        ({"page": "0"}, "page: expected a page number from 1"),
        ({"atsPage": "x"}, "atsPage: expected a page number from 1"),
        ({"keywords": "q" * 201}, "keywords: at most 200 characters"),
        ({"openToWork": "maybe"}, "openToWork: expected 'on' or 'true'"),
        ({"location": ["x"] * 11}, "location: at most 10 values"),
    ],
)
def test_bad_input_is_refused_naming_the_field(embedded, facets, message):
    assert message in html.unescape(search(embedded, 400, **facets).text)


# Facets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facets", "expected"),
    [
        ({"keywords": "quantum welder"}, [WELDER, DRIFTER, OTHER_WELDER]),
        ({"title": "QUANTUM"}, [WELDER, DRIFTER, OTHER_WELDER]),
        ({"location": "quuxville"}, [WELDER, CHEF]),
        ({"location": "Quuxville, Nowhere", "title": "welder"}, [WELDER]),
        (
            {"location": ["Quuxville", "Zedburg"], "title": "welder"},
            [WELDER, DRIFTER, OTHER_WELDER],
        ),
        ({"location": "Quuxville", "openToWork": "on"}, [WELDER, CHEF]),
        ({"title": ["welder", "pastry"], "openToWork": "on"}, [WELDER, CHEF]),
        ({"keywords": "quantum zedburg"}, [DRIFTER, OTHER_WELDER]),
    ],
)
def test_each_facet_narrows_the_linkedin_members(embedded, facets, expected):
    assert linkedin_ids(search(embedded, **facets)) == expected


def test_a_location_is_matched_from_its_start_with_wildcards_taken_literally(embedded):
    assert linkedin_ids(search(embedded, location="Nowhere")) == []
    assert linkedin_ids(search(embedded, location="Quux%")) == []
    assert linkedin_ids(search(embedded, location="Quu_ville")) == []


def test_closed_accounts_are_left_out(embedded):
    write(embedded, "UPDATE members SET closed_at = 1 WHERE id = ?", DRIFTER)
    assert linkedin_ids(search(embedded, title="quantum")) == [WELDER, OTHER_WELDER]


def test_members_come_25_to_a_page(embedded):
    write(embedded, "UPDATE members SET open_to_work = 1")
    first = search(embedded, openToWork="on")
    assert len(linkedin_ids(first)) == 25 and "page=2" in first.text
    second = search(embedded, openToWork="on", page=2)
    assert len(linkedin_ids(second)) == 25
    assert not set(linkedin_ids(first)) & set(linkedin_ids(second))


# The two groups and the In-ATS indicator ---------------------------------------------------


def test_candidates_nobody_on_linkedin_form_their_own_group(embedded):
    welder = rows(embedded, "SELECT * FROM members WHERE id = ?", WELDER)[0]
    sync_candidates(
        embedded,
        {
            "C1": candidate(
                "Nadia",
                "Offline",
                "nadia@ats.example",
                currentJobTitle="Quantum Welder",
                currentCompanyName="Forge Works",
                addresses=[{"city": "Quuxville", "country": "Nowhere"}],
            ),
            "C2": candidate("Same", "Person", welder["email"].upper(), currentJobTitle="Quantum"),
            "C3": candidate("Linked", "Person", "linked@ats.example", currentJobTitle="Quantum"),
            "C4": candidate("Pat", "Baker", "pat@ats.example", currentJobTitle="Pastry Chef"),
        },
    )
    link_candidate(embedded, "C3", person_urn(embedded, DRIFTER))
    group = ats_group(search(embedded, keywords="quantum"))
    assert "Nadia Offline" in group and "Quantum Welder at Forge Works" in group
    assert "Quuxville, Nowhere" in group
    assert "Same Person" not in group  # matched by email to a member
    assert "Linked Person" not in group  # matched by hand to a member
    assert "Pat Baker" not in group  # does not match the keywords
    assert "Nadia Offline" in ats_group(search(embedded, location="quuxville"))
    assert "Nadia Offline" not in ats_group(search(embedded, location="Zedburg"))
    assert "Nadia Offline" in ats_group(search(embedded, title="welder"))
    with_open_to_work = ats_group(search(embedded, keywords="quantum", openToWork="on"))
    assert "Nadia Offline" not in with_open_to_work
    assert "Open to work applies to LinkedIn members only" in with_open_to_work


def test_members_the_ats_knows_carry_the_indicator(embedded):
    welder = rows(embedded, "SELECT * FROM members WHERE id = ?", WELDER)[0]
    chef = rows(embedded, "SELECT * FROM members WHERE id = ?", CHEF)[0]
    sync_candidates(
        embedded,
        {
            "C1": candidate("By", "Email", welder["email"].upper()),
            "C2": candidate("By", "Hand", "hand@ats.example"),
            "C3": candidate(
                "By", "Url", "url@ats.example", linkedInProfileUrl=chef["profile_url"] + "/"
            ),
        },
    )
    link_candidate(embedded, "C2", person_urn(embedded, DRIFTER))
    page = search(embedded, keywords="quantum")
    assert indicated(page, WELDER) and indicated(page, DRIFTER)
    assert not indicated(page, OTHER_WELDER)
    assert indicated(search(embedded, title="pastry"), CHEF)


def test_members_the_organization_exported_carry_the_indicator(embedded):
    assert not indicated(search(embedded, keywords="quantum"), OTHER_WELDER)
    exporting.export(sandbox_of(embedded), seat_id=SOURAV, member_id=OTHER_WELDER)
    assert indicated(search(embedded, keywords="quantum"), OTHER_WELDER)


def test_only_candidates_in_my_ats_keeps_the_indicated_members(embedded):
    welder = rows(embedded, "SELECT * FROM members WHERE id = ?", WELDER)[0]
    sync_candidates(embedded, {"C1": candidate("By", "Email", welder["email"])})
    assert linkedin_ids(search(embedded, title="quantum")) == [WELDER, DRIFTER, OTHER_WELDER]
    assert linkedin_ids(search(embedded, title="quantum", onlyInAts="on")) == [WELDER]
    assert linkedin_ids(search(embedded, onlyInAts="on")) == [WELDER]


# Send InMail -------------------------------------------------------------------------------


def send(tenant, member_id, status=303, **form):
    reply = tenant.client.post(
        url(f"{PATH}/inmail", tenant, keywords="quantum"),
        data={"member": str(member_id), "subject": "A role", "body": "Hello!", **form},
        follow_redirects=False,
    )
    assert reply.status_code == status, reply.text
    return reply


def test_send_inmail_counts_against_the_monthly_quota_until_it_refuses(embedded):
    settings(embedded, inmail_quota_per_seat=2)
    form = search(embedded, keywords="quantum", act="inmail", member=WELDER)
    assert "Send InMail to" in form.text and "2 of 2 InMails left this month" in form.text
    reply = send(embedded, WELDER)
    back = reply.headers["location"]
    assert back.startswith(PATH + "?") and "keywords=quantum" in back and "thread=" in back
    page = embedded.client.get(back)
    assert "InMail sent to" in page.text
    assert callbacks(page) == [
        {"callback": "oninmail", "payload": {"member": person_urn(embedded, WELDER)}}
    ]
    send(embedded, DRIFTER)
    refused = send(embedded, OTHER_WELDER, status=429)
    assert "inmail_quota_per_seat=2" in refused.text
    assert "No InMail credits left this month" in refused.text
    assert callbacks(refused) == []
    sent = rows(embedded, "SELECT member_id FROM conversation_events WHERE seat_id = ?", RITA)
    assert [row["member_id"] for row in sent] == [WELDER, DRIFTER]
    form = search(embedded, keywords="quantum", act="inmail", member=WELDER)
    assert "No InMail credits left this month" in form.text
    assert re.search(r'<button class="button" type="submit" disabled>Send InMail', form.text)


def test_send_inmail_without_a_subject_is_refused_inline_naming_the_field(embedded):
    refused = send(embedded, WELDER, status=400, subject="")
    assert "subject: expected a non-empty string" in refused.text
    assert 'name="body"' in refused.text  # the form is still there, with what was typed
    assert "Hello!" in refused.text


def test_a_callback_names_only_what_the_signed_in_seat_did(embedded):
    thread = send(embedded, WELDER).headers["location"].split("thread=")[1]
    sign_in(embedded, SOURAV)
    assert callbacks(search(embedded, keywords="quantum", thread=thread)) == []


# Save to Job -------------------------------------------------------------------------------


def test_save_to_job_exports_into_the_job_and_tells_the_ats(embedded):
    sync_job(embedded, "J1", title="Welding Lead")
    open_jobs_to_all_users(embedded)
    picker = search(embedded, keywords="quantum", act="save", member=WELDER)
    assert '<option value="J1"' in picker.text and "Welding Lead" in picker.text
    reply = embedded.client.post(
        url(f"{PATH}/save", embedded, keywords="quantum"),
        data={"member": str(WELDER), "job": "J1"},
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    export = rows(embedded, "SELECT * FROM exports")
    assert [(e["seat_id"], e["member_id"], e["external_job_posting_id"]) for e in export] == [
        (RITA, WELDER, "J1")
    ]
    request_id = export[0]["request_id"]
    notification = rows(embedded, "SELECT * FROM notifications WHERE request_id = ?", request_id)
    assert notification[0]["type"] == "EXPORT_CANDIDATE_PROFILE"
    assert notification[0]["integration_context"] == ORG
    exported = json.loads(notification[0]["payload"])["exportedCandidate"]
    assert exported["externalJobPostingId"] == "J1"
    page = embedded.client.get(reply.headers["location"])
    assert callbacks(page) == [
        {
            "callback": "onsave",
            "payload": {
                "member": person_urn(embedded, WELDER),
                "jobId": "J1",
                "requestId": request_id,
            },
        }
    ]
    assert "Saved" in page.text and "to job J1" in page.text


def test_save_to_a_job_the_seat_may_not_see_is_refused(embedded):
    sync_job(embedded, "J1")
    sync_job(embedded, "J2")
    open_jobs_to_all_users(embedded)
    secure_job(embedded, "J2", "hiring-team", "urn:li:person:someoneElse")
    picker = search(embedded, keywords="quantum", act="save", member=WELDER)
    assert '<option value="J1"' in picker.text and '<option value="J2"' not in picker.text
    reply = embedded.client.post(
        url(f"{PATH}/save", embedded, keywords="quantum"),
        data={"member": str(WELDER), "job": "J2"},
    )
    assert reply.status_code == 403
    assert "'J2' is not one of the jobs you may save members to" in html.unescape(reply.text)
    assert rows(embedded, "SELECT * FROM exports") == []


def test_save_without_a_job_is_refused_naming_the_field(embedded):
    reply = embedded.client.post(
        url(f"{PATH}/save", embedded, keywords="quantum"), data={"member": str(WELDER)}
    )
    assert reply.status_code == 400
    assert "job: choose the job to save the member to" in reply.text
