"""/postings for each role: who sees which, and creating and updating through the API."""

from datetime import UTC, datetime

import pytest

from hirebridge.accounts.roles import Role
from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState
from tests.factories import PostingFactory

ROLES = list(Role)


@pytest.fixture
def jobs(sam, alex, lee):
    """An open posting of Alex's, a confidential one of Sam's and a draft Lee manages."""
    return {
        "open": PostingFactory(title="Open", owner=alex, team="Platform"),
        "secret": PostingFactory(title="Secret", owner=sam, confidential=True),
        "lees": PostingFactory(
            title="Lee's", owner=alex, hiring_manager=lee, state=PostingState.DRAFT
        ),
    }


def _titles(client, query=""):
    response = client.get(f"/v1/postings{query}")
    assert response.status_code == 200
    return sorted(p["text"] for p in response.json()["data"])


@pytest.mark.parametrize(
    ("role", "listed", "confidential"),
    [
        (Role.SUPER_ADMIN, ["Lee's", "Open"], ["Secret"]),
        (Role.ADMIN, ["Lee's", "Open"], []),
        (Role.TEAM_MEMBER, ["Lee's", "Open"], []),
        (Role.LIMITED_TEAM_MEMBER, ["Lee's"], []),
        (Role.INTERVIEWER, [], []),
    ],
)
def test_each_role_lists_the_postings_it_sees(
    api_client, personas, jobs, role, listed, confidential
):
    client = api_client(personas[role])
    assert _titles(client) == listed
    assert _titles(client, "?confidentiality=confidential") == confidential
    assert _titles(client, "?confidentiality=all") == sorted(listed + confidential)


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.SUPER_ADMIN, {"open", "secret", "lees"}),
        (Role.ADMIN, {"open", "lees"}),
        (Role.TEAM_MEMBER, {"open", "lees"}),
        (Role.LIMITED_TEAM_MEMBER, {"lees"}),
        (Role.INTERVIEWER, set()),
    ],
)
def test_each_role_reads_only_the_postings_it_sees(api_client, personas, jobs, role, visible):
    client = api_client(personas[role])
    for name, posting in jobs.items():
        response = client.get(f"/v1/postings/{posting.pk}")
        assert response.status_code == (200 if name in visible else 404), name


def test_a_posting_reads_like_levers(api_client, alex, lee, jobs):
    posting = jobs["lees"]
    posting.members.add(alex)
    data = api_client(alex).get(f"/v1/postings/{posting.pk}").json()["data"]
    assert data["id"] == str(posting.pk)
    assert data["text"] == "Lee's"
    assert data["state"] == "draft"
    assert data["distributionChannels"] == []
    assert data["confidentiality"] == "non-confidential"
    assert data["owner"] == str(alex.pk)
    assert data["hiringManager"] == str(lee.pk)
    assert data["followers"] == [str(alex.pk)]
    assert data["categories"]["team"] == "Platform"
    assert data["urls"]["show"].endswith(f"/postings/{posting.pk}/")
    assert isinstance(data["createdAt"], int)
    assert isinstance(data["updatedAt"], int)


def test_it_expands_people(api_client, alex, lee, jobs):
    url = f"/v1/postings/{jobs['lees'].pk}?expand=owner&expand=hiringManager"
    data = api_client(alex).get(url).json()["data"]
    assert data["owner"]["email"] == "alex@example.com"
    assert data["hiringManager"]["accessRole"] == "limited team member"
    assert data["user"] is None


def test_it_filters_by_state_and_time(api_client, sam, jobs):
    client = api_client(sam)
    assert _titles(client, "?state=draft") == ["Lee's"]
    assert _titles(client, "?state=draft&state=published") == ["Lee's", "Open"]
    assert client.get("/v1/postings?state=open").status_code == 400
    Posting.objects.filter(pk=jobs["open"].pk).update(created_at=datetime(2024, 5, 1, tzinfo=UTC))
    created = client.get(f"/v1/postings/{jobs['open'].pk}").json()["data"]["createdAt"]
    assert created == 1_714_521_600_000
    since = _titles(client, f"?created_at_start={created}&created_at_end={created}")
    assert since == ["Open"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SUPER_ADMIN, 201),
        (Role.ADMIN, 201),
        (Role.TEAM_MEMBER, 201),
        (Role.LIMITED_TEAM_MEMBER, 403),
        (Role.INTERVIEWER, 403),
    ],
)
def test_who_may_create_a_posting(api_client, personas, role, status):
    body = {
        "text": "Data Engineer",
        "state": "published",
        "categories": {"team": "Data", "location": "Lisbon", "commitment": "Full-time"},
        "content": {"description": "Pipelines."},
    }
    response = api_client(personas[role]).post(
        "/v1/postings", body, content_type="application/json"
    )
    assert response.status_code == status
    assert Posting.objects.filter(title="Data Engineer").exists() == (status == 201)
    if status == 201:
        data = response.json()["data"]
        assert data["owner"] == str(personas[role].pk)
        assert data["categories"]["location"] == "Lisbon"
        assert data["distributionChannels"] == ["public", "internal"]


def test_creating_names_a_bad_field(api_client, tara):
    client = api_client(tara)
    no_title = client.post("/v1/postings", {}, content_type="application/json")
    assert no_title.status_code == 400
    assert no_title.json()["message"].startswith("Invalid value at /text")
    no_owner = client.post(
        "/v1/postings", {"text": "X", "owner": "nobody"}, content_type="application/json"
    )
    assert no_owner.json()["message"].startswith("Invalid value at /owner")


def test_a_confidential_posting_is_made_so_once(api_client, sam):
    client = api_client(sam)
    created = client.post(
        "/v1/postings",
        {"text": "Hush", "confidentiality": "confidential"},
        content_type="application/json",
    ).json()["data"]
    assert created["confidentiality"] == "confidential"
    change = client.post(
        f"/v1/postings/{created['id']}",
        {"confidentiality": "non-confidential"},
        content_type="application/json",
    )
    assert change.status_code == 400
    assert "/confidentiality" in change.json()["message"]


def test_an_update_changes_only_the_fields_sent(api_client, tara, lee, jobs):
    posting = jobs["lees"]
    response = api_client(tara).post(
        f"/v1/postings/{posting.pk}",
        {"text": "Staff Engineer", "state": "published", "followers": [str(tara.pk)]},
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["text"] == "Staff Engineer"
    assert data["state"] == "published"
    assert data["followers"] == [str(tara.pk)]
    assert data["hiringManager"] == str(lee.pk)
    assert data["categories"]["team"] == "Platform"


def test_an_update_is_all_or_nothing(api_client, tara, jobs):
    posting = jobs["open"]
    response = api_client(tara).post(
        f"/v1/postings/{posting.pk}",
        {"text": "Renamed", "state": "draft"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid value at /state")
    posting.refresh_from_db()
    assert posting.title == "Open"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SUPER_ADMIN, 200),
        (Role.ADMIN, 404),
        (Role.TEAM_MEMBER, 404),
        (Role.LIMITED_TEAM_MEMBER, 404),
        (Role.INTERVIEWER, 404),
    ],
)
def test_updating_a_confidential_posting_needs_seeing_it(api_client, personas, jobs, role, status):
    response = api_client(personas[role]).post(
        f"/v1/postings/{jobs['secret'].pk}", {"text": "Leak"}, content_type="application/json"
    )
    assert response.status_code == status


def test_a_limited_team_member_may_not_edit_a_posting_they_see(api_client, lee, jobs):
    response = api_client(lee).post(
        f"/v1/postings/{jobs['lees'].pk}", {"text": "Mine"}, content_type="application/json"
    )
    assert response.status_code == 403
