"""Settings → Privacy: the suppression list is counted, never listed, and lifted only by
typing a value the person was known by."""

import pytest
from django.test import Client
from django.urls import reverse

from hirebridge.accounts.roles import Role
from hirebridge.audit.models import AuditEvent
from hirebridge.hiring import services
from hirebridge.privacy import suppression
from hirebridge.privacy.models import Suppression
from tests.factories import candidate

URL = reverse("privacy-settings")


@pytest.fixture
def forgotten(tara, alex):
    ada = candidate(tara, "Ada Lovelace", emails=["ada@example.com"]).candidate
    services.delete_candidate(alex, ada, suppress=True)


def test_an_admin_sees_how_many_are_suppressed_but_not_who(client, alex, forgotten):
    client.force_login(alex)
    html = client.get(URL).content.decode()
    assert '<strong id="suppression-count">1</strong> erased person asked' in html
    assert "ada@example.com" not in html and "Lovelace" not in html


def test_typing_the_email_again_lifts_the_suppression(client, alex, forgotten):
    client.force_login(alex)
    response = client.post(URL, {"value": " ADA@example.com "})
    assert (response.status_code, response.url) == (303, URL)
    assert not Suppression.objects.exists()
    assert not suppression.is_suppressed(suppression.identifiers(emails=["ada@example.com"]))
    assert AuditEvent.objects.get(action="candidate.suppression_lifted").detail == {
        "kinds": ["email"],
        "lifted": 1,
    }
    assert "LinkedIn may bring this person in again." in client.get(URL).content.decode()


def test_a_value_that_matches_nothing_changes_nothing(client, alex, forgotten):
    client.force_login(alex)
    client.post(URL, {"value": "urn:li:person:someone"})
    assert Suppression.objects.count() == 1
    assert "No suppression matches that value" in client.get(URL).content.decode()


def test_a_value_that_is_none_of_the_three_is_a_400_naming_the_field(client, alex, forgotten):
    client.force_login(alex)
    response = client.post(URL, {"value": "Ada Lovelace"})
    assert response.status_code == 400
    assert "value: expected an email address, a LinkedIn person URN" in response.content.decode()
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER])
def test_only_those_who_may_erase_may_lift(client, personas, forgotten, role):
    client.force_login(personas[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"value": "ada@example.com"}).status_code == 403
    assert Suppression.objects.count() == 1


def test_lifting_needs_the_csrf_token(alex, forgotten):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alex)
    assert browser.post(URL, {"value": "ada@example.com"}).status_code == 403
    assert Suppression.objects.count() == 1


def test_the_nav_links_the_page_for_those_who_may_erase(client, alex, tara):
    link = f'<a href="{URL}"'
    client.force_login(alex)
    assert link in client.get(reverse("postings")).content.decode()
    client.force_login(tara)
    assert link not in client.get(reverse("postings")).content.decode()
