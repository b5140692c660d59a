"""The candidate page's LinkedIn endpoints: prepare (LinkedIn must hold the candidate), connect
and disconnect, for the page's script (JSON) and for plain forms, with who may call them."""

import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from hirebridge.accounts.roles import Role
from hirebridge.linkedin import connections
from hirebridge.linkedin.models import ProfileConnection, SyncCursor, SyncedRecord
from hirebridge.linkedin.outbound import drain
from tests.linkedin import inbound_data as data
from tests.linkedin.conftest import rsc_sandbox  # noqa: F401 (the sandbox fixture)
from tests.linkedin.test_connections import ada, enable_profile_plugin, wired  # noqa: F401

pytestmark = pytest.mark.timeout(180)

ENDPOINTS = (
    "candidate-linkedin-prepare",
    "candidate-linkedin-connect",
    "candidate-linkedin-disconnect",
)
JSON = {"HTTP_ACCEPT": "application/json"}


def url(name, candidate):
    return reverse(name, args=[candidate.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def post_json(client, name, candidate, body=None):
    return client.post(
        url(name, candidate), json.dumps(body or {}), content_type="application/json", **JSON
    )


@pytest.fixture
def configured(tara):
    """An integration with the profile plugin enabled; Tara holds its seat (no sandbox)."""
    integration = data.make_integration(tara)
    enable_profile_plugin(integration)
    return integration


def test_every_endpoint_is_in_the_matrix():
    names = {n for n in get_resolver().reverse_dict if str(n).startswith("candidate-linkedin")}
    assert names == set(ENDPOINTS)


@pytest.mark.parametrize("role", [*Role, None], ids=[*(r.name for r in Role), "anonymous"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_role_matrix_without_a_seat(client, personas, configured, tara, role, name):
    """Tara holds the only seat: everyone else who may see the candidate is refused with the
    reason, an Interviewer (who sees no candidates) is told nothing exists."""
    person = ada(tara)
    connections.connect(tara, person, data.ADA)
    if role is not None:
        client.force_login(personas[role])
    response = post_json(client, name, person, {"member": data.ADA})
    if role is None:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif role == Role.INTERVIEWER:
        assert response.status_code == 404
    elif role == Role.TEAM_MEMBER:
        assert response.status_code in (200, 409, 502)  # Tara herself
    elif name == "candidate-linkedin-disconnect" and role != Role.LIMITED_TEAM_MEMBER:
        assert response.status_code == 200  # a wrong link is removable without a seat
    else:
        assert response.status_code in (403, 404), response.content
        assert ProfileConnection.objects.filter(candidate=person).exists()


# Connect


def test_connect_answers_json_with_what_came_in(client, configured, tara):
    person = ada(tara)
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-connect", person, {"member": data.ADA})
    assert response.status_code == 200
    assert response.json() == {
        "connected": True,
        "member": data.ADA,
        "primary": True,
        "imported": {"inmails": 0, "notes": 0},
    }
    assert ProfileConnection.objects.get().candidate == person


def test_connect_from_a_form_redirects_back_with_a_message(client, configured, tara):
    person = ada(tara)
    client.force_login(tara)
    response = client.post(url("candidate-linkedin-connect", person), {"member": data.ADA})
    assert response.status_code == 302
    assert response.url == reverse("candidate", args=[person.pk]) + "#linkedin"
    assert "is connected to LinkedIn Recruiter" in messages_of(response)[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"member": "urn:li:seat:1"}, "member"),
        ({}, "member"),
        ([1, 2], "body"),
    ],
)
def test_connect_names_the_field_at_fault(client, configured, tara, body, field):
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-connect", ada(tara), body)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_connect_refuses_a_body_that_is_not_json(client, configured, tara):
    client.force_login(tara)
    response = client.post(
        url("candidate-linkedin-connect", ada(tara)), "{", content_type="application/json", **JSON
    )
    assert (response.status_code, response.json()["field"]) == (400, "body")


def test_connect_refuses_a_candidate_without_an_email(client, configured, tara):
    client.force_login(tara)
    response = post_json(
        client, "candidate-linkedin-connect", ada(tara, emails=()), {"member": data.ADA}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "emails"


def test_connect_refuses_a_user_without_a_seat(client, configured, tara, alex):
    client.force_login(alex)
    response = post_json(client, "candidate-linkedin-connect", ada(tara), {"member": data.ADA})
    assert response.status_code == 403
    assert "No LinkedIn Recruiter seat" in response.json()["error"]


def test_connect_hides_a_candidate_the_user_may_not_see(client, configured, tara, lee, posting):
    hidden = ada(tara)
    client.force_login(lee)
    response = post_json(client, "candidate-linkedin-connect", hidden, {"member": data.ADA})
    assert response.status_code == 404
    assert not ProfileConnection.objects.exists()


def test_connect_needs_the_csrf_token(configured, tara):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-connect", ada(tara), {"member": data.ADA})
    assert response.status_code == 403
    assert not ProfileConnection.objects.exists()


def test_connect_accepts_only_post(client, configured, tara):
    client.force_login(tara)
    assert client.get(url("candidate-linkedin-connect", ada(tara))).status_code == 405


# Disconnect


def test_disconnect_answers_json(client, configured, tara):
    person = ada(tara)
    connections.connect(tara, person, data.ADA)
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-disconnect", person)
    assert (response.status_code, response.json()) == (200, {"connected": False})
    assert not ProfileConnection.objects.exists()


def test_a_refused_disconnect_lists_the_duplicate_with_its_ways_out(client, configured, tara):
    first = ada(tara)
    duplicate = ada(tara, name="Ada King")
    connections.connect(tara, first, data.ADA)
    connections.connect(tara, duplicate, data.ADA)
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-disconnect", first)
    assert response.status_code == 409
    reply = response.json()
    assert "Ada King" in reply["error"]
    assert reply["duplicates"] == [
        {
            "id": str(duplicate.pk),
            "name": "Ada King",
            "url": reverse("candidate", args=[duplicate.pk]),
            "merge_url": reverse("candidate-merge", args=[first.pk]) + f"?with={duplicate.pk}",
            "disconnect_url": url("candidate-linkedin-disconnect", duplicate),
            "delete_url": reverse("candidate-delete", args=[duplicate.pk]),
        }
    ]
    assert ProfileConnection.objects.count() == 2


def test_the_trash_button_redirects_with_the_refusal_or_the_success(client, configured, tara):
    first = ada(tara)
    duplicate = ada(tara, name="Ada King")
    connections.connect(tara, first, data.ADA)
    connections.connect(tara, duplicate, data.ADA)
    client.force_login(tara)

    refused = client.post(url("candidate-linkedin-disconnect", first))
    assert refused.status_code == 302
    assert "Ada King" in messages_of(refused)[0]

    client.post(url("candidate-linkedin-disconnect", duplicate))
    done = client.post(url("candidate-linkedin-disconnect", first))
    assert done.url == reverse("candidate", args=[first.pk]) + "#linkedin"
    assert "no longer connected" in messages_of(done)[-1]
    assert not ProfileConnection.objects.exists()


# Prepare (against the sandbox)


def test_prepare_syncs_the_candidate_to_linkedin_now(client, wired, tara):  # noqa: F811
    person = ada(tara)
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-prepare", person)
    assert (response.status_code, response.json()) == (200, {"synced": True})
    assert SyncedRecord.objects.filter(entity_id=str(person.pk)).exists()
    assert wired.linkedin_candidate(person.pk)["body"]["emailAddresses"] == ["ada@example.com"]


def test_prepare_from_a_form_opens_the_profile_plugin(client, wired, tara):  # noqa: F811
    person = ada(tara)
    client.force_login(tara)
    response = client.post(url("candidate-linkedin-prepare", person))
    assert response.url == reverse("candidate", args=[person.pk]) + "?connect=1#linkedin"


def test_prepare_says_when_the_sync_is_busy(client, wired, tara):  # noqa: F811
    person = ada(tara)
    SyncCursor.objects.create(
        integration=wired.integration,
        stream=drain.STREAM,
        lease_until=timezone.now() + timedelta(minutes=5),
    )
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-prepare", person)
    assert response.status_code == 409
    assert "try again in a moment" in response.json()["error"]


def test_prepare_reports_what_linkedin_refused(client, wired, tara):  # noqa: F811
    person = ada(tara)
    wired.sandbox.admin(
        "PUT",
        "faults",
        json={"seed": 1, "http": [{"path": "/v2/atsCandidates", "status": 400, "times": 5}]},
    )
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-prepare", person)
    assert response.status_code == 502
    assert "LinkedIn has not accepted this candidate yet" in response.json()["error"]


def test_prepare_refuses_a_candidate_without_an_email(client, configured, tara):
    client.force_login(tara)
    response = post_json(client, "candidate-linkedin-prepare", ada(tara, emails=()))
    assert (response.status_code, response.json()["field"]) == (400, "emails")
