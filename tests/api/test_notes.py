"""/v1/opportunities/{id}/notes: reading and adding notes, for each role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hirebridge.accounts import policy
from hirebridge.accounts.policy import Action
from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import Activity, Note
from hirebridge.hiring.models.records import RecordSource, Verb
from tests.factories import PostingFactory, candidate


@pytest.fixture
def ada(tara, posting):
    return candidate(tara, "Ada Lovelace", posting=posting)


@pytest.fixture
def bob(alex, lee):
    """On a posting whose hiring manager is Lee."""
    return candidate(alex, "Bob Byte", posting=PostingFactory(owner=alex, hiring_manager=lee))


def url(opportunity) -> str:
    return f"/v1/opportunities/{opportunity.id}/notes"


def add(client, opportunity, body):
    return client.post(url(opportunity), body, content_type="application/json")


def error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    return response.json()["message"]


def note(actor, opportunity, body, *, minutes, general=False, **kwargs):
    made, _ = services.add_note(
        actor,
        opportunity.candidate,
        body,
        opportunity=None if general else opportunity,
        created_at=timezone.now() - timedelta(minutes=minutes),
        **kwargs,
    )
    return made


def test_it_lists_the_notes_of_an_opportunity_and_its_person_newest_first(
    api_client, tara, posting, ada
):
    other = services.add_opportunity(tara, ada.candidate)
    note(tara, ada, "First call", minutes=3)
    note(tara, ada, "About the person", minutes=2, general=True)
    note(tara, other, "About another opportunity", minutes=1)
    page = api_client(tara).get(url(ada)).json()
    assert [n["text"] for n in page["data"]] == ["About the person", "First call"]
    first = page["data"][1]
    assert first["fields"][0]["value"] == "First call"
    assert first["user"] == str(tara.id) and first["authorName"] == "Tara Team"
    assert first["opportunityId"] == str(ada.id) and first["source"] == "ats"
    assert isinstance(first["createdAt"], int) and first["deletedAt"] is None
    assert page["hasNext"] is False


def test_it_shows_who_wrote_a_note_elsewhere(api_client, tara, ada):
    services.add_note(
        services.AUTOMATIC,
        ada.candidate,
        "Seen on LinkedIn",
        opportunity=ada,
        source=RecordSource.LINKEDIN,
        external_id="n1",
        external_author="Rita Recruiter",
    )
    data = api_client(tara).get(url(ada)).json()["data"][0]
    assert data["user"] is None
    assert data["authorName"] == "Rita Recruiter" and data["source"] == "linkedin"


def test_it_pages_notes(api_client, tara, ada):
    for minutes in range(3):
        note(tara, ada, f"Note {minutes}", minutes=minutes)
    client = api_client(tara)
    page = client.get(f"{url(ada)}?limit=2").json()
    assert [n["text"] for n in page["data"]] == ["Note 0", "Note 1"]
    page = client.get(f"{url(ada)}?limit=2&offset={page['next']}").json()
    assert [n["text"] for n in page["data"]] == ["Note 2"]
    assert page["hasNext"] is False


def test_it_refuses_a_bad_page(api_client, tara, ada):
    client = api_client(tara)
    assert error(client.get(f"{url(ada)}?offset=x"), 400, "BadRequestError")
    assert "/limit" in error(client.get(f"{url(ada)}?limit=0"), 400, "BadRequestError")


def test_it_adds_a_note(api_client, tara, ada):
    response = add(api_client(tara), ada, {"value": "Strong on compilers"})
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["text"] == "Strong on compilers" and data["user"] == str(tara.id)
    saved = Note.objects.get(pk=data["id"])
    assert saved.opportunity == ada and saved.author == tara
    assert Activity.objects.filter(verb=Verb.NOTE_ADDED, opportunity=ada).exists()


def test_a_super_admin_adds_a_note_as_another_user(api_client, sam, tara, ada):
    data = (
        api_client(sam)
        .post(f"{url(ada)}?perform_as={tara.id}", {"value": "x"}, content_type="application/json")
        .json()["data"]
    )
    assert data["user"] == str(tara.id)


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "/value"), ({"value": "   "}, "/value"), ({"value": ["x"]}, "/value")],
)
def test_it_names_a_bad_note(api_client, tara, ada, body, field):
    assert field in error(add(api_client(tara), ada, body), 400, "BadRequestError")


def test_it_refuses_a_note_over_the_limit(api_client, tara, ada):
    body = {"value": "x" * (services.NOTE_MAX_CHARS + 1)}
    message = error(add(api_client(tara), ada, body), 400, "BadRequestError")
    assert message.startswith("Invalid value at /value: a note holds at most")


SEES_BOB = {Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reads_and_adds_notes_only_where_it_may_see(api_client, personas, ada, bob, role):
    client = api_client(personas[role])
    sees_ada = SEES_BOB - {Role.LIMITED_TEAM_MEMBER}
    for opportunity, visible in ((bob, role in SEES_BOB), (ada, role in sees_ada)):
        listed, added = client.get(url(opportunity)), add(client, opportunity, {"value": "Hi"})
        if visible:
            assert listed.status_code == 200, listed.content
            assert added.status_code == 201, added.content
        else:
            assert error(listed, 404, "ResourceNotFound") == "Opportunity was not found"
            assert error(added, 404, "ResourceNotFound") == "Opportunity was not found"


def test_a_user_who_may_see_but_not_change_may_not_add_notes(api_client, tara, ada, monkeypatch):
    monkeypatch.setitem(
        policy.ROLES_ALLOWED, Action.CHANGE_OPPORTUNITY, frozenset({Role.SUPER_ADMIN})
    )
    client = api_client(tara)
    assert client.get(url(ada)).status_code == 200
    assert "change_opportunity" in error(add(client, ada, {"value": "x"}), 403, "ForbiddenError")
