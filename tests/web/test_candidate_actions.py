"""The candidate page's actions: move a stage, archive and unarchive, add a note, send an email.
Each succeeds with a redirect and a message, refuses bad input beside the field, and refuses a
user who may not see (404) or may not change (403) what it acts on."""

import re
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hirebridge.accounts import policy
from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Message, Note
from hirebridge.hiring.models.records import Channel, Direction
from hirebridge.web.candidate_forms import NOTE_MAX_CHARS
from tests.factories import PostingFactory, candidate


@pytest.fixture
def ada(alex, posting):
    return candidate(alex, "Ada Lovelace", posting=posting, emails=["ada@example.com"]).candidate


@pytest.fixture
def lead(ada):
    return ada.opportunities.get()


@pytest.fixture
def no_permission_to_change(monkeypatch):
    """Team Members keep seeing candidates but lose the permission to change opportunities."""
    allowed = policy.ROLES_ALLOWED[policy.Action.CHANGE_OPPORTUNITY] - {Role.TEAM_MEMBER}
    monkeypatch.setitem(policy.ROLES_ALLOWED, policy.Action.CHANGE_OPPORTUNITY, allowed)


def reason(text):
    return ArchiveReason.objects.get(text=text)


def page_url(target, tab=""):
    url = reverse("candidate", args=[target.pk])
    return f"{url}?tab={tab}" if tab else url


def post(client, user, name, target, **data):
    client.force_login(user)
    return client.post(reverse(name, args=[target.pk]), data)


def html_of(response, status=200):
    assert response.status_code == status, response.content[:800]
    return response.content.decode()


def notices(client, response):
    return html_of(client.get(response["Location"]))


# Stage


def test_a_move_changes_the_stage_and_says_so_on_the_candidate_page(client, tara, ada, lead):
    response = post(client, tara, "opportunity-stage", lead, stage="lead-reached-out")
    assert response.status_code == 303
    assert response["Location"] == page_url(ada) + "#opportunities-title"
    lead.refresh_from_db()
    assert lead.stage_id == "lead-reached-out"
    html = notices(client, response)
    assert "Backend Engineer: moved to Reached out." in html
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    assert re.search(r'<span class="actor">Tara Team</span>\s*moved the stage to', timeline)


def test_a_move_to_the_current_stage_changes_nothing_and_says_so(client, tara, lead):
    response = post(client, tara, "opportunity-stage", lead, stage="lead-new")
    assert "Backend Engineer is already at New lead." in notices(client, response)
    assert lead.stage_changes.count() == 1


def test_a_move_returns_to_a_local_next_path(client, tara, lead):
    response = post(client, tara, "opportunity-stage", lead, stage="offer", next="/pipeline/?q=1")
    assert response.status_code == 303
    assert response["Location"] == "/pipeline/?q=1"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "pipeline/"]
)
def test_a_next_that_leaves_the_site_is_ignored(client, tara, ada, lead, unsafe):
    response = post(client, tara, "opportunity-stage", lead, stage="offer", next=unsafe)
    assert response.status_code == 303
    assert response["Location"] == page_url(ada) + "#opportunities-title"


def test_an_unknown_stage_is_refused_beside_the_stage_control(client, tara, lead):
    html = html_of(post(client, tara, "opportunity-stage", lead, stage="nope"), 400)
    assert f'id="stage-{lead.pk}" aria-invalid="true"' in html
    assert f'id="stage-{lead.pk}-error">No stage with id &#x27;nope&#x27;<' in html
    lead.refresh_from_db()
    assert lead.stage_id == "lead-new"


def test_a_refused_action_s_page_links_back_to_the_candidate_page(client, tara, ada, lead):
    """The page is shown at the action's URL, so its tabs must not be relative to it."""
    html = html_of(post(client, tara, "opportunity-stage", lead, stage="nope"), 400)
    assert f'<a href="{page_url(ada, "notes")}"' in html
    assert 'href="?' not in html


def test_a_missing_stage_is_refused(client, tara, lead):
    html = html_of(post(client, tara, "opportunity-stage", lead), 400)
    assert "Choose the stage to move to." in html


def test_an_archived_opportunity_does_not_move(client, tara, alex, lead):
    services.archive(alex, lead, reason("Timing"))
    html = html_of(post(client, tara, "opportunity-stage", lead, stage="offer"), 400)
    assert "An archived opportunity cannot change stage; unarchive it first" in html


# Archive and unarchive


@pytest.mark.parametrize("text", ["Hired", "Withdrew"])
def test_archive_takes_the_opportunity_out_with_a_hired_or_not_hired_reason(
    client, tara, ada, lead, text
):
    response = post(client, tara, "opportunity-archive", lead, reason=str(reason(text).pk))
    assert response.status_code == 303
    lead.refresh_from_db()
    assert lead.is_archived and lead.archive_reason.text == text
    html = notices(client, response)
    assert f"Backend Engineer: archived ({text})." in html
    assert f"Archived: {text}" in html
    assert f'action="{reverse("opportunity-unarchive", args=[lead.pk])}"' in html


@pytest.mark.parametrize("value", ["", "not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_archive_reason_is_refused_beside_the_reason_control(client, tara, lead, value):
    html = html_of(post(client, tara, "opportunity-archive", lead, reason=value), 400)
    assert f'id="reason-{lead.pk}" required aria-invalid="true"' in html
    assert f'id="reason-{lead.pk}-error">Choose' in html
    lead.refresh_from_db()
    assert not lead.is_archived


def test_a_reason_no_longer_in_use_is_refused(client, tara, lead):
    retired = reason("Timing")
    ArchiveReason.objects.filter(pk=retired.pk).update(active=False)
    html = html_of(post(client, tara, "opportunity-archive", lead, reason=str(retired.pk)), 400)
    assert "Choose one of the archive reasons in use." in html


def test_unarchive_puts_the_opportunity_back_at_its_stage(client, tara, alex, lead):
    services.archive(alex, lead, reason("Timing"))
    response = post(client, tara, "opportunity-unarchive", lead)
    assert response.status_code == 303
    lead.refresh_from_db()
    assert not lead.is_archived
    assert "Backend Engineer: back in the pipeline at New lead." in notices(client, response)


def test_unarchive_is_refused_when_another_candidacy_on_the_posting_is_active(
    client, tara, alex, ada, posting, lead
):
    services.archive(alex, lead, reason("Timing"))
    services.add_opportunity(alex, ada, posting=posting)
    html = html_of(post(client, tara, "opportunity-unarchive", lead), 400)
    assert "already has an active opportunity for this posting" in html
    lead.refresh_from_db()
    assert lead.is_archived


# Notes


def test_a_note_is_added_to_the_candidate_or_one_of_their_opportunities(client, tara, ada, lead):
    response = post(
        client, tara, "candidate-note-add", ada, body="Strong on systems", opportunity=lead.pk
    )
    assert response.status_code == 303
    assert response["Location"] == page_url(ada, "notes")
    note = Note.objects.get(candidate=ada)
    assert (note.body, note.opportunity, note.author) == ("Strong on systems", lead, tara)
    html = notices(client, response)
    assert "Note added." in html and "Strong on systems" in html
    post(client, tara, "candidate-note-add", ada, body="About the person")
    assert Note.objects.get(body="About the person").opportunity is None


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_note_is_refused_beside_the_text(client, tara, ada, body):
    html = html_of(post(client, tara, "candidate-note-add", ada, body=body), 400)
    assert 'id="note-body" rows="3" required aria-invalid="true"' in html
    assert 'id="note-body-error">Write the note first: it cannot be empty.<' in html
    assert not Note.objects.exists()


def test_a_note_too_long_is_refused_and_the_text_kept(client, tara, ada):
    body = "word " * (NOTE_MAX_CHARS // 5) + "overflow"
    html = html_of(post(client, tara, "candidate-note-add", ada, body=body), 400)
    assert f"A note holds at most {NOTE_MAX_CHARS:,} characters." in html
    assert "overflow</textarea>" in html
    assert not Note.objects.exists()


def test_a_note_cannot_be_tied_to_an_opportunity_the_user_does_not_see(client, alex, lee, ada):
    managed = PostingFactory(title="Platform Lead", owner=alex, hiring_manager=lee)
    shared = services.add_opportunity(alex, ada, posting=managed)
    hidden = ada.opportunities.get(posting__title="Backend Engineer")
    other = candidate(alex, "Grace Hopper", posting=managed).candidate.opportunities.get()
    for opportunity in (hidden, other):
        html = html_of(
            post(client, lee, "candidate-note-add", ada, body="hi", opportunity=opportunity.pk),
            400,
        )
        assert (
            'id="note-opportunity-error">Choose one of this candidate&#x27;s opportunities' in html
        )
    post(client, lee, "candidate-note-add", ada, body="On my role", opportunity=shared.pk)
    assert Note.objects.get().opportunity == shared


# Emails


def test_an_email_is_sent_logged_and_moves_the_lead_to_reached_out(client, tara, ada, lead):
    response = post(
        client,
        tara,
        "candidate-email-send",
        ada,
        to="ada@example.com",
        subject="Backend role",
        body="Hello Ada",
        opportunity=lead.pk,
    )
    assert response.status_code == 303
    assert response["Location"] == page_url(ada, "emails")
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["ada@example.com"], "Backend role", "Hello Ada")
    message = Message.objects.get()
    assert (message.channel, message.direction) == (Channel.EMAIL, Direction.OUTBOUND)
    assert message.opportunity == lead
    lead.refresh_from_db()
    assert lead.stage_id == "lead-reached-out"
    html = notices(client, response)
    assert "Email sent to ada@example.com." in html and "Hello Ada" in html


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"to": "not-an-address"}, "to", "Not a valid email address."),
        ({"to": "grace@example.com"}, "to", "&#x27;grace@example.com&#x27; is not one of Ada"),
        ({"subject": ""}, "subject", "An email needs a subject."),
        ({"subject": "two\nlines"}, "subject", "One line of 1 to 500 characters"),
        ({"body": ""}, "body", "Write the email first: it cannot be empty."),
        ({"opportunity": str(uuid.uuid4())}, "opportunity", "Choose one of this candidate"),
    ],
)
def test_a_bad_email_is_refused_beside_the_field_and_nothing_is_sent(
    client, tara, ada, data, field, error
):
    fields = {"to": "ada@example.com", "subject": "Hi", "body": "Hello there"} | data
    html = html_of(post(client, tara, "candidate-email-send", ada, **fields), 400)
    assert f'id="email-{field}-error">{error}' in html
    assert 'aria-invalid="true"' in html
    assert "Hello there</textarea>" in html or field == "body"
    assert mail.outbox == [] and not Message.objects.exists()


def test_an_email_the_mail_server_refuses_is_reported_and_not_logged(
    client, tara, ada, monkeypatch
):
    def refuse(self, messages):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    html = html_of(
        post(
            client, tara, "candidate-email-send", ada, to="ada@example.com", subject="Hi", body="x"
        ),
        502,
    )
    assert "Not sent: the mail server did not take the email" in html
    assert not Message.objects.exists()


def test_a_candidate_without_an_email_says_so_and_offers_no_form(client, tara, alex, posting):
    grace = candidate(alex, "Grace Hopper", posting=posting, emails=[]).candidate
    client.force_login(tara)
    html = html_of(client.get(page_url(grace, "emails")))
    assert "Grace Hopper has no email address on file" in html
    assert 'id="send-email"' not in html


def test_the_emails_tab_offers_the_candidate_s_addresses_and_no_inmail(client, tara, alex, ada):
    services.add_contact_details(alex, ada, emails=["lovelace@example.org"])
    client.force_login(tara)
    form = html_of(client.get(page_url(ada, "emails"))).split('id="send-email"')[1]
    form = form.split("</form>")[0]
    assert '<option value="ada@example.com">' in form
    assert '<option value="lovelace@example.org">' in form
    assert "InMail" not in form


# Who may do it

ACTIONS = [
    ("opportunity-stage", "opportunity", {"stage": "offer"}),
    ("opportunity-archive", "opportunity", {"reason": "?"}),
    ("opportunity-unarchive", "opportunity", {}),
    ("candidate-note-add", "candidate", {"body": "hi"}),
    ("candidate-email-send", "candidate", {"to": "ada@example.com", "subject": "s", "body": "b"}),
]


def target_of(kind, ada, lead):
    return lead if kind == "opportunity" else ada


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
@pytest.mark.parametrize("role", [Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER])
def test_a_user_who_may_not_see_the_target_gets_404(
    client, personas, ada, lead, name, kind, data, role
):
    response = post(client, personas[role], name, target_of(kind, ada, lead), **data)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_an_unknown_target_is_404(client, tara, name, kind, data):
    client.force_login(tara)
    assert client.post(reverse(name, args=[uuid.uuid4()]), data).status_code == 404


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_a_role_without_the_permission_is_refused_naming_it(
    client, tara, ada, lead, no_permission_to_change, name, kind, data
):
    response = post(client, tara, name, target_of(kind, ada, lead), **data)
    assert response.status_code == 403
    assert "change opportunity" in response.content.decode()
    assert "Team Member role does not have" in response.content.decode()
    assert not Note.objects.exists() and mail.outbox == []


def test_a_role_without_the_permission_sees_no_controls(client, tara, ada, no_permission_to_change):
    client.force_login(tara)
    for tab in ("overview", "notes", "emails"):
        html = html_of(client.get(page_url(ada, tab)))
        assert "opportunity-actions" not in html
        assert 'id="add-note"' not in html and 'id="send-email"' not in html


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_only_post_is_allowed(client, tara, ada, lead, name, kind, data):
    client.force_login(tara)
    assert client.get(reverse(name, args=[target_of(kind, ada, lead).pk])).status_code == 405


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_a_post_without_the_csrf_token_is_refused(tara, ada, lead, name, kind, data):
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(tara)
    response = guarded.post(reverse(name, args=[target_of(kind, ada, lead).pk]), data)
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.stage_id == "lead-new" and not Note.objects.exists()


@pytest.mark.parametrize(("name", "kind", "data"), ACTIONS)
def test_a_visitor_is_sent_to_log_in(client, ada, lead, name, kind, data):
    response = client.post(reverse(name, args=[target_of(kind, ada, lead).pk]), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_hiring_manager_moves_their_team_s_candidacy(client, alex, lee):
    managed = PostingFactory(title="Platform Lead", owner=alex, hiring_manager=lee)
    grace = candidate(alex, "Grace Hopper", posting=managed).candidate
    opportunity = grace.opportunities.get()
    assert post(client, lee, "opportunity-stage", opportunity, stage="offer").status_code == 303
    opportunity.refresh_from_db()
    assert opportunity.stage_id == "offer"


# The page


def test_each_opportunity_offers_its_stages_and_the_archive_reasons(client, tara, alex, ada, lead):
    general = services.add_opportunity(alex, ada)
    services.archive(alex, general, reason("Timing"))
    client.force_login(tara)
    html = html_of(client.get(page_url(ada)))
    stage_form = html.split(f'action="{reverse("opportunity-stage", args=[lead.pk])}"')[1]
    stage_form = stage_form.split("</form>")[0]
    assert '<optgroup label="Lead">' in stage_form and '<optgroup label="Interview">' in stage_form
    assert '<option value="lead-new" selected>New lead</option>' in stage_form
    archive_form = html.split(f'action="{reverse("opportunity-archive", args=[lead.pk])}"')[1]
    archive_form = archive_form.split("</form>")[0]
    assert archive_form.index('label="Hired"') < archive_form.index('label="Not hired"')
    assert f'<option value="{reason("Withdrew").pk}">Withdrew</option>' in archive_form
    assert f'action="{reverse("opportunity-unarchive", args=[general.pk])}"' in html
    assert f'action="{reverse("opportunity-stage", args=[general.pk])}"' not in html


def test_an_automatic_move_from_linkedin_shows_as_automatic(client, tara, ada, lead):
    """An InMail sent in LinkedIn Recruiter moves the lead to Reached out on its own."""
    services.log_message(
        services.AUTOMATIC,
        ada,
        channel=Channel.INMAIL,
        direction=Direction.OUTBOUND,
        sender="Rita Recruiter",
        sent_at=lead.created_at,
        body="Interested?",
        external_id="inmail-1",
    )
    client.force_login(tara)
    timeline = html_of(client.get(page_url(ada))).split('class="timeline"')[1].split("</ol>")[0]
    assert re.search(
        r'<span class="actor">automatic</span>\s*moved the stage to <strong>Reached out</strong>',
        timeline,
    )


@pytest.mark.parametrize("tab", ["overview", "notes", "emails"])
def test_the_controls_cost_as_many_queries_for_many_opportunities_as_for_one(
    client, tara, alex, posting, tab
):
    few = candidate(alex, "Few Roles", posting=posting).candidate
    many = candidate(alex, "Many Roles", posting=posting).candidate
    for index in range(12):
        role = services.add_opportunity(alex, many, posting=PostingFactory(title=f"Role {index}"))
        if index % 3 == 0:
            services.archive(alex, role, reason("Timing"))
    client.force_login(tara)
    counts = []
    for target in (few, many):
        client.get(page_url(target, tab))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            html = html_of(client.get(page_url(target, tab)))
        counts.append(len(queries))
        assert "opportunity-actions" in html
    assert counts[0] == counts[1], counts
