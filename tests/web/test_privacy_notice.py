"""GDPR Art. 14: a candidate LinkedIn brought in owes the person a privacy notice within one
calendar month; the candidate page reminds until someone marks it as sent."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hirebridge.accounts.roles import Role
from hirebridge.audit.models import AuditEvent
from hirebridge.hiring import services
from hirebridge.hiring.models import Candidate
from hirebridge.hiring.services import one_month_after
from hirebridge.linkedin.inbound import events
from tests.factories import PostingFactory, candidate
from tests.linkedin import inbound_data as data


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2026, 11, 30), date(2026, 12, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 2, 28), date(2026, 3, 28)),
    ],
)
def test_one_month_is_the_same_day_next_month_or_its_last_day(day, due):
    assert one_month_after(day) == due


@pytest.fixture
def exported(tara, monkeypatch):
    """Ada as a 1-click export brought her in."""
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    integration = data.make_integration(tara)

    def export(request_id: str) -> Candidate:
        fake.exports[request_id] = [data.exported()]
        assert events.process_event(data.push(integration, request_id).pk)
        return Candidate.objects.get()

    return export


def test_linkedin_data_makes_the_notice_due_in_a_month_and_hand_made_data_does_not(exported, tara):
    ada = exported("1")
    assert ada.privacy_notice_due_by == one_month_after(timezone.localdate())
    assert ada.privacy_notice_sent_at is None
    by_hand = candidate(tara, "Grace Hopper").candidate
    assert by_hand.privacy_notice_due_by is None


def test_a_later_import_never_moves_the_date_nor_reopens_a_sent_notice(exported, tara):
    ada = exported("1")
    Candidate.objects.filter(pk=ada.pk).update(privacy_notice_due_by=date(2026, 1, 5))
    assert exported("2").privacy_notice_due_by == date(2026, 1, 5)
    assert services.mark_privacy_notice_sent(tara, ada)
    Candidate.objects.filter(pk=ada.pk).update(privacy_notice_due_by=None)
    assert exported("3").privacy_notice_due_by is None


def page_of(client: Client, person: Candidate) -> str:
    response = client.get(reverse("candidate", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def owing(person: Candidate, due: date) -> Candidate:
    Candidate.objects.filter(pk=person.pk).update(privacy_notice_due_by=due)
    person.refresh_from_db()
    return person


@pytest.fixture
def ada(tara, posting):
    return candidate(tara, "Ada Lovelace", posting=posting).candidate


def test_the_page_reminds_of_the_due_date_with_a_button(client, tara, ada):
    due = timezone.localdate() + timedelta(days=10)
    owing(ada, due)
    client.force_login(tara)
    html = page_of(client, ada)
    banner = html.split('id="privacy-notice"')[1].split("</div>")[0]
    assert f'Privacy notice due by <time datetime="{due:%Y-%m-%d}">' in banner
    assert "Overdue" not in banner and 'class="privacy-notice"' in html
    assert reverse("candidate-privacy-notice-sent", args=[ada.pk]) in banner
    assert "Mark notice as sent" in banner


def test_an_overdue_notice_says_so(client, tara, ada):
    owing(ada, timezone.localdate() - timedelta(days=1))
    client.force_login(tara)
    html = page_of(client, ada)
    assert 'class="privacy-notice overdue"' in html
    assert "Overdue: privacy notice due by" in html


def test_no_reminder_without_linkedin_data(client, tara, ada):
    client.force_login(tara)
    assert 'id="privacy-notice"' not in page_of(client, ada)


def test_marking_it_sent_ends_the_reminder_and_is_audited_once(client, tara, ada):
    owing(ada, timezone.localdate() - timedelta(days=3))
    client.force_login(tara)
    url = reverse("candidate-privacy-notice-sent", args=[ada.pk])

    response = client.post(url)
    assert response.status_code == 303
    assert response.url == reverse("candidate", args=[ada.pk])
    ada.refresh_from_db()
    assert ada.privacy_notice_sent_at is not None
    html = page_of(client, ada)
    assert 'id="privacy-notice"' not in html
    assert "Privacy notice marked as sent." in html and "<dt>Privacy notice</dt>" in html

    assert client.post(url).status_code == 303
    [event] = AuditEvent.objects.filter(action="candidate.privacy_notice_sent")
    assert (event.actor_id, event.object_id, event.detail) == (
        str(tara.pk),
        str(ada.pk),
        {"overdue": True},
    )


def test_only_someone_who_sees_the_candidate_may_mark_it(client, personas, ada):
    owing(ada, timezone.localdate())
    url = reverse("candidate-privacy-notice-sent", args=[ada.pk])
    assert client.post(url).status_code == 302  # to the login page
    for role in (Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER):
        client.force_login(personas[role])
        assert client.post(url).status_code == 404
    ada.refresh_from_db()
    assert ada.privacy_notice_sent_at is None
    assert not AuditEvent.objects.filter(action="candidate.privacy_notice_sent").exists()


def test_a_limited_team_member_on_the_hiring_team_may_mark_it(client, lee, tara):
    team_posting = PostingFactory(hiring_manager=lee)
    person = owing(candidate(tara, "Ada Lovelace", posting=team_posting).candidate, date.today())
    client.force_login(lee)
    assert "Mark notice as sent" in page_of(client, person)
    assert (
        client.post(reverse("candidate-privacy-notice-sent", args=[person.pk])).status_code == 303
    )


def test_marking_needs_a_post_with_the_csrf_token(tara, ada):
    owing(ada, timezone.localdate())
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tara)
    url = reverse("candidate-privacy-notice-sent", args=[ada.pk])
    assert browser.get(url).status_code == 405
    assert browser.post(url).status_code == 403
    ada.refresh_from_db()
    assert ada.privacy_notice_sent_at is None
