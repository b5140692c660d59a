"""Stages, archive reasons, tags, sources and users, read by every role."""

import pytest
from django.utils import timezone

from hirebridge.accounts.roles import Role
from hirebridge.hiring.models import ArchiveReason, Stage
from tests.factories import PostingFactory, UserFactory, candidate

ROLES = list(Role)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_the_pipeline_in_order(api_client, personas, role):
    response = api_client(personas[role]).get("/v1/stages")
    assert response.status_code == 200
    body = response.json()
    assert body["hasNext"] is False
    assert [s["id"] for s in body["data"]] == [s.id for s in Stage.objects.active()]
    assert body["data"][0] == {"id": "lead-new", "text": "New lead"}
    assert body["data"][-1]["id"] == "offer"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_one_stage(api_client, personas, role):
    client = api_client(personas[role])
    assert client.get("/v1/stages/offer").json() == {"data": {"id": "offer", "text": "Offer"}}
    missing = client.get("/v1/stages/nope")
    assert missing.status_code == 404
    assert missing.json() == {"code": "ResourceNotFound", "message": "Stage was not found"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_archive_reasons_by_type(api_client, personas, role):
    client = api_client(personas[role])
    every = client.get("/v1/archive_reasons").json()["data"]
    assert len(every) == ArchiveReason.objects.count()
    hired = client.get("/v1/archive_reasons?type=hired").json()["data"]
    assert [r["text"] for r in hired] == ["Hired"]
    assert hired[0]["status"] == "active"
    not_hired = client.get("/v1/archive_reasons?type=non-hired").json()["data"]
    assert {r["type"] for r in not_hired} == {"non-hired"}
    assert len(hired) + len(not_hired) == len(every)
    one = client.get(f"/v1/archive_reasons/{hired[0]['id']}").json()["data"]
    assert one == hired[0]


def test_archive_reasons_refuse_an_unknown_type_and_id(api_client, tara):
    client = api_client(tara)
    bad = client.get("/v1/archive_reasons?type=fired")
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("Invalid value at /type")
    missing = client.get("/v1/archive_reasons/00000000-0000-0000-0000-000000000000")
    assert missing.json()["message"] == "Archive reason was not found"


@pytest.fixture
def labelled(sam, alex, lee):
    """Two candidates on an open posting, one on a confidential posting of Sam's."""
    open_posting = PostingFactory(owner=alex)
    secret = PostingFactory(owner=sam, confidential=True)
    candidate(alex, "Ada Lovelace", posting=open_posting, tags=["python"], sources=["Referral"])
    candidate(
        alex, "Alan Turing", posting=open_posting, tags=["python", "go"], sources=["Referral"]
    )
    candidate(sam, "Grace Hopper", posting=secret, tags=["cobol"], sources=["Headhunter"])
    return open_posting, secret


@pytest.mark.parametrize(
    ("role", "tags", "sources"),
    [
        (Role.SUPER_ADMIN, {"cobol": 1, "go": 1, "python": 2}, {"Headhunter": 1, "Referral": 2}),
        (Role.ADMIN, {"go": 1, "python": 2}, {"Referral": 2}),
        (Role.TEAM_MEMBER, {"go": 1, "python": 2}, {"Referral": 2}),
        (Role.LIMITED_TEAM_MEMBER, {}, {}),
        (Role.INTERVIEWER, {}, {}),
    ],
)
def test_tags_and_sources_count_only_what_the_role_sees(
    api_client, personas, labelled, role, tags, sources
):
    client = api_client(personas[role])
    tag_rows = client.get("/v1/tags").json()
    assert {r["text"]: r["count"] for r in tag_rows["data"]} == tags
    assert tag_rows["hasNext"] is False
    source_rows = client.get("/v1/sources").json()["data"]
    assert {r["text"]: r["count"] for r in source_rows} == sources


def test_a_limited_team_member_sees_the_labels_of_their_postings(api_client, lee, labelled):
    open_posting, _ = labelled
    open_posting.members.add(lee)
    tags = api_client(lee).get("/v1/tags").json()["data"]
    assert {r["text"]: r["count"] for r in tags} == {"go": 1, "python": 2}


def test_tags_page(api_client, sam, labelled):
    client = api_client(sam)
    first = client.get("/v1/tags?limit=2").json()
    assert [r["text"] for r in first["data"]] == ["cobol", "go"]
    rest = client.get(f"/v1/tags?limit=2&offset={first['next']}").json()
    assert [r["text"] for r in rest["data"]] == ["python"]
    assert rest["hasNext"] is False


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_the_active_users(api_client, personas, role):
    UserFactory(email="gone@example.com", deactivated_at=timezone.now())
    client = api_client(personas[role])
    emails = {u["email"] for u in client.get("/v1/users").json()["data"]}
    assert emails == {p.email for p in personas.values()}
    everyone = client.get("/v1/users?includeDeactivated=true").json()["data"]
    gone = next(u for u in everyone if u["email"] == "gone@example.com")
    assert isinstance(gone["deactivatedAt"], int)


def test_users_filter_by_email_and_role(api_client, personas, tara):
    client = api_client(tara)
    by_email = client.get("/v1/users?email=SAM@example.com&email=lee@example.com").json()["data"]
    assert sorted(u["name"] for u in by_email) == ["Lee Limited", "Sam Super"]
    by_role = client.get("/v1/users?accessRole=admin&accessRole=team member").json()["data"]
    assert sorted(u["accessRole"] for u in by_role) == ["admin", "team member"]
    bad = client.get("/v1/users?accessRole=boss")
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("Invalid value at /accessRole")


def test_a_user_is_read_by_id(api_client, personas, ivy):
    client = api_client(ivy)
    sam = personas[Role.SUPER_ADMIN]
    data = client.get(f"/v1/users/{sam.pk}").json()["data"]
    assert data["id"] == str(sam.pk)
    assert data["accessRole"] == "super admin"
    assert isinstance(data["createdAt"], int)
    assert client.get("/v1/users/nope").json() == {
        "code": "ResourceNotFound",
        "message": "User was not found",
    }
