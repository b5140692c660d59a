"""The candidate page: who may open it, what each tab shows, the LinkedIn Recruiter box in each
of its states, and a query count that does not grow with the candidate's history."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason
from hirebridge.hiring.models.records import Channel, Direction, RecordSource
from hirebridge.linkedin import enablement
from hirebridge.linkedin.models import IntegrationStatus, IntegrationType, ProfileConnection, Seat
from hirebridge.web.candidate_page import PAGE_SIZE
from tests.factories import PostingFactory, candidate

ORG = "urn:li:organization:4242"
MEMBER = "urn:li:person:ada-42"
RECRUITER = "https://recruiter.example.test"


@pytest.fixture(autouse=True)
def linkedin_bases(settings):
    settings.LINKEDIN_RECRUITER_BASE = RECRUITER
    settings.LINKEDIN_PLATFORM_BASE = "https://platform.example.test"


@pytest.fixture
def ada(alex, posting):
    return candidate(
        alex,
        "Ada Lovelace",
        posting=posting,
        headline="Poet of numbers",
        current_title="Analyst",
        current_company="Analytical Engines",
        location="London",
        emails=["ada@example.com"],
        phones=[services.Phone("+44 20 7946 0000", "mobile")],
        links=["https://www.linkedin.com/in/ada-lovelace", "https://ada.example.com/"],
    ).candidate


@pytest.fixture
def integration(db):
    """LinkedIn set up and enabled in Recruiter for the organization."""
    integration = enablement.configure(
        "77page", "s3cret", ORG, ["urn:li:contract:1"], "trm_enterprise"
    )
    IntegrationStatus.objects.create(
        integration=integration,
        integration_type=IntegrationType.PROFILE_PLUGIN,
        context_urn=ORG,
        onboarded=True,
        checked_at=timezone.now(),
    )
    return integration


@pytest.fixture
def seated(integration, tara):
    """Tara holds a Recruiter seat of the organization."""
    Seat.objects.create(contract=integration.contracts.get(), urn="urn:li:seat:7", user=tara)
    return tara


def open_page(client, user, target, **params):
    client.force_login(user)
    return client.get(reverse("candidate", args=[target.pk]), params)


def html_of(response):
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_a_candidate_the_user_may_not_see_is_not_found(client, lee, ivy, ada):
    assert open_page(client, lee, ada).status_code == 404  # not on the posting's hiring team
    assert open_page(client, ivy, ada).status_code == 404  # an interviewer sees no profiles
    client.force_login(lee)
    assert client.get(reverse("candidate", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SUPER_ADMIN, 200),
        (Role.ADMIN, 200),
        (Role.TEAM_MEMBER, 200),
        (Role.LIMITED_TEAM_MEMBER, 404),
        (Role.INTERVIEWER, 404),
    ],
)
def test_each_role_opens_the_page_only_when_it_may_see_the_candidate(
    client, personas, ada, role, status
):
    assert open_page(client, personas[role], ada).status_code == status


def test_a_hiring_manager_opens_the_page_of_their_posting_s_candidate(client, alex, lee):
    managed = PostingFactory(title="Platform Lead", owner=alex, hiring_manager=lee)
    grace = candidate(alex, "Grace Hopper", posting=managed).candidate
    assert "Grace Hopper" in html_of(open_page(client, lee, grace))
    assert client.post(reverse("candidate", args=[grace.pk])).status_code == 405


def test_a_visitor_is_sent_to_log_in(client, ada):
    response = client.get(reverse("candidate", args=[ada.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_links_each_candidate_to_its_page(client, tara, ada):
    client.force_login(tara)
    html = html_of(client.get(reverse("candidates")))
    assert f'href="{reverse("candidate", args=[ada.pk])}"' in html


def test_the_header_shows_who_the_person_is_and_how_to_reach_them(client, tara, ada):
    html = html_of(open_page(client, tara, ada))
    for text in (
        "Ada Lovelace",
        "Poet of numbers",
        "Analyst at Analytical Engines",
        "London",
        'href="mailto:ada@example.com"',
        "+44 20 7946 0000",
        'href="https://www.linkedin.com/in/ada-lovelace"',
        'href="https://ada.example.com/"',
    ):
        assert text in html


def test_opportunities_show_posting_stage_archive_reason_and_owner(client, tara, alex, ada):
    general = services.add_opportunity(alex, ada, owner=tara)
    services.archive(alex, general, ArchiveReason.objects.get(text="Timing"))
    html = html_of(open_page(client, tara, ada))
    section = html.split('id="opportunities-title"')[1].split("</section>")[0]
    assert "Backend Engineer" in section
    assert "New lead" in section and "Lead" in section
    assert "General opportunity" in section
    assert "Archived: Timing" in section
    assert "Owner Tara Team" in section


def test_a_limited_team_member_sees_only_their_team_s_opportunity_and_its_records(
    client, alex, lee, ada
):
    managed = PostingFactory(title="Platform Lead", owner=alex, hiring_manager=lee)
    shared = services.add_opportunity(alex, ada, posting=managed)
    hidden = ada.opportunities.get(posting__title="Backend Engineer")
    services.add_note(alex, ada, "About the platform role", opportunity=shared)
    services.add_note(alex, ada, "Salary talk for backend", opportunity=hidden)
    html = html_of(open_page(client, lee, ada, tab="notes"))
    assert "Platform Lead" in html and "About the platform role" in html
    assert "Backend Engineer" not in html and "Salary talk" not in html


def test_the_overview_is_the_timeline_newest_first_with_who_did_it(client, tara, alex, ada):
    opportunity = ada.opportunities.get()
    services.move_to_stage(tara, opportunity, "lead-reached-out")
    services.add_note(services.AUTOMATIC, ada, "Imported")
    html = html_of(open_page(client, tara, ada))
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    entries = [
        (actor, did.strip())
        for actor, did in re.findall(r'<span class="actor">([^<]+)</span>\s*([^<]+)', timeline)
    ]
    assert entries[0] == ("automatic", "added a note")
    assert entries[1] == ("Tara Team", "moved the stage to")
    assert "Reached out" in timeline and "Backend Engineer" in timeline
    assert entries[-1] == ("Alex Admin", "added the candidate")


def test_an_unknown_tab_is_refused_naming_the_field(client, tara, ada):
    response = open_page(client, tara, ada, tab="secrets")
    assert response.status_code == 400
    assert b"tab:" in response.content


def inmail(ada, body, sent_at, thread="t-1", subject="Role at Analytical Engines"):
    services.log_message(
        services.AUTOMATIC,
        ada,
        channel=Channel.INMAIL,
        direction=Direction.OUTBOUND,
        sender="Tara Team",
        recipient="Ada Lovelace",
        sent_at=sent_at,
        subject=subject,
        body=body,
        thread_id=thread,
        external_id=f"inmail-{sent_at.timestamp()}",
    )


def connect(ada, integration, member=MEMBER):
    return ProfileConnection.objects.create(
        candidate=ada, integration=integration, person_urn=member
    )


def test_emails_mark_inmails_and_send_replies_to_linkedin_recruiter(client, tara, ada, integration):
    connect(ada, integration)
    now = timezone.now()
    inmail(ada, "Hello Ada,\n<b>interested?</b>", now - timedelta(hours=2))
    inmail(ada, "A follow-up", now - timedelta(hours=1))
    services.log_message(
        tara,
        ada,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        sender="ada@example.com",
        recipient="tara@example.com",
        sent_at=now,
        subject="Re: hello",
        body="Yes!",
    )
    html = html_of(open_page(client, tara, ada, tab="emails"))
    assert html.count('class="badge inmail">InMail<') == 2
    assert html.count('class="badge">Email<') == 1
    assert html.index("Yes!") < html.index("A follow-up") < html.index("Hello Ada")
    assert "Hello Ada,<br>&lt;b&gt;interested?&lt;/b&gt;" in html  # escaped, lines kept
    assert html.count('class="thread"') == 2  # the two InMails share one thread
    profile = f"{RECRUITER}/talent/profile/ada-42"
    reply = f'href="{profile}" target="_blank" rel="noopener">Reply on LinkedIn<'
    assert html.count(reply) == 2
    assert "Received from the candidate" in html and "From</small> ada@example.com" in html


def test_notes_mark_those_from_linkedin_recruiter(client, tara, alex, ada):
    services.add_note(alex, ada, "Strong systems background")
    services.add_note(
        services.AUTOMATIC,
        ada,
        "Met at the meetup",
        source=RecordSource.LINKEDIN,
        external_id="note-1",
        external_author="Rita Recruiter",
    )
    html = html_of(open_page(client, tara, ada, tab="notes"))
    assert "From LinkedIn Recruiter · Rita Recruiter" in html
    assert "<strong>Alex Admin</strong>" in html and "Strong systems background" in html


def linkedin_box(html):
    return html.split('id="linkedin"')[1].split("</section>")[0]


def test_a_connected_candidate_shows_the_recruiter_link_and_a_guarded_trash_button(
    client, seated, ada, integration
):
    connect(ada, integration)
    box = linkedin_box(html_of(open_page(client, seated, ada)))
    assert f'href="{RECRUITER}/talent/profile/ada-42" target="_blank"' in box
    assert "LinkedIn Recruiter connected" in box
    form = re.search(
        r'<form method="post" action="([^"]+)" class="trash-form">(.*?)</form>', box, re.S
    )
    assert form.group(1) == reverse("candidate-linkedin-disconnect", args=[ada.pk])
    assert 'aria-label="Disconnect from LinkedIn Recruiter"' in form.group(2)
    assert (
        'data-confirm="Disconnect Ada Lovelace from LinkedIn Recruiter? Messages and notes '
        'already imported stay."' in form.group(2)
    )
    assert "csrfmiddlewaretoken" in form.group(2)


def test_a_candidate_ready_to_connect_offers_the_connect_form(client, seated, ada, integration):
    html = html_of(open_page(client, seated, ada))
    box = linkedin_box(html)
    assert (
        f'action="{reverse("candidate-linkedin-prepare", args=[ada.pk])}" class="connect-form"'
        in box
    )
    assert "+ Connect to LinkedIn Recruiter" in box
    assert "IN/HcmWidget" not in html  # the plugin opens only on request


def test_the_connect_request_opens_the_profile_plugin_beside_the_page(
    client, seated, ada, integration
):
    html = html_of(open_page(client, seated, ada, connect="1"))
    sheet = html.split('class="side-sheet"')[1]
    assert f'data-ats-candidate-id="{ada.pk}"' in sheet
    assert f'data-integration-context="{ORG}"' in sheet
    assert 'data-onlink="hirebridgeProfileLinked"' in sheet
    assert "https://platform.example.test/xdoor/scripts/in.js" in sheet


def test_a_candidate_without_an_email_says_what_is_missing(client, seated, alex, posting):
    grace = candidate(alex, "Grace Hopper", posting=posting, emails=[]).candidate
    box = linkedin_box(html_of(open_page(client, seated, grace)))
    assert "Add an email to connect this candidate." in box
    assert "connect-form" not in box


def test_a_user_without_a_seat_is_told_why_and_offered_nothing(client, tara, ada, integration):
    box = linkedin_box(html_of(open_page(client, tara, ada)))
    assert "No LinkedIn Recruiter seat is mapped to you" in box
    assert "connect-form" not in box and "trash-form" not in box


def fill_history(ada, alex, count):
    posting_owner = alex
    for index in range(count):
        services.add_opportunity(
            alex,
            ada,
            posting=PostingFactory(title=f"Role {index}", owner=posting_owner),
            owner=alex,
        )
        services.add_note(alex, ada, f"note {index}")
        services.log_message(
            alex,
            ada,
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            sender="Alex",
            sent_at=timezone.now(),
            body=f"email {index}",
            thread_id=f"thread-{index % 3}",
        )


@pytest.mark.parametrize("tab", ["overview", "emails", "notes"])
def test_the_page_reads_a_long_history_in_as_many_queries_as_a_short_one(
    client, seated, alex, posting, integration, tab
):
    short = candidate(alex, "Short History", posting=posting).candidate
    long = candidate(alex, "Long History", posting=posting).candidate
    fill_history(short, alex, 1)
    fill_history(long, alex, 20)
    connect(short, integration, "urn:li:person:short")
    connect(long, integration, "urn:li:person:long")
    client.force_login(seated)
    counts = []
    for target in (short, long):
        url = reverse("candidate", args=[target.pk])
        client.get(url, {"tab": tab})  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            html_of(client.get(url, {"tab": tab}))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_refused_disconnect_shows_the_duplicates_and_what_to_do_with_them(
    client, seated, alex, posting, ada, integration
):
    connect(ada, integration)
    twin = candidate(alex, "Ada King", posting=posting, emails=["ada@example.com"]).candidate
    ProfileConnection.objects.create(
        candidate=twin, integration=integration, person_urn=MEMBER, primary=False
    )
    assert "refusal" not in linkedin_box(html_of(open_page(client, seated, ada)))

    response = client.post(reverse("candidate-linkedin-disconnect", args=[ada.pk]), follow=True)
    html = html_of(response)
    box = linkedin_box(html)
    refusal = box.split('class="refusal"')[1]
    assert "Ada King" in refusal and "stays connected to LinkedIn" in refusal
    for link in (
        f'href="{reverse("candidate", args=[twin.pk])}"',
        f'action="{reverse("candidate-linkedin-disconnect", args=[twin.pk])}"',
        f'href="{reverse("candidate-delete", args=[twin.pk])}"',
        f'href="{reverse("candidate-merge", args=[ada.pk])}?with={twin.pk}"',
    ):
        assert link in refusal
    assert html.count("stays connected to LinkedIn") == 1  # the box, not also a message
    assert ProfileConnection.objects.filter(candidate=ada).exists()


def test_a_connected_candidate_s_profile_plugin_opens_on_request(client, seated, ada, integration):
    connect(ada, integration)
    box = linkedin_box(html_of(open_page(client, seated, ada)))
    assert f'href="{reverse("candidate", args=[ada.pk])}?connect=1#linkedin"' in box
    sheet = html_of(open_page(client, seated, ada, connect="1")).split('class="side-sheet"')[1]
    assert 'data-onunlink="hirebridgeProfileUnlinked"' in sheet


def test_each_tab_pages_fifty_at_a_time(client, tara, alex, ada):
    for index in range(PAGE_SIZE + 1):
        services.add_note(alex, ada, f"note number {index}")
    first = html_of(open_page(client, tara, ada, tab="notes"))
    assert "note number 50" in first and "note number 0<" not in first
    page_two = f'href="{reverse("candidate", args=[ada.pk])}?tab=notes&amp;page=2"'
    assert "Page 1 of 2" in first and page_two in first
    second = html_of(open_page(client, tara, ada, tab="notes", page="2"))
    assert "note number 0<" in second and "note number 50" not in second
