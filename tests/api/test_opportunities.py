"""/v1/opportunities: what each role sees and may change, every filter, every error shape."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hirebridge.accounts import policy
from hirebridge.accounts.policy import Action
from hirebridge.accounts.roles import Role
from hirebridge.api.pagination import epoch_ms
from hirebridge.hiring import services
from hirebridge.hiring.models import Activity, ArchiveReason, Opportunity
from hirebridge.hiring.models.records import Channel, Direction
from hirebridge.linkedin.models import OutboxItem, OutboxKind, ProfileConnection
from tests.factories import PostingFactory, candidate, linkedin_integration

URL = "/v1/opportunities"


@pytest.fixture
def world(sam, alex, tara, lee, ivy, posting):
    """Ada on an open posting, Bob on Lee's posting, Cy on Sam's confidential posting and
    Gil on no posting at all."""
    lee_posting = PostingFactory(title="Data Lead", owner=alex, hiring_manager=lee)
    secret = PostingFactory(title="Secret CTO", owner=sam, confidential=True)
    return {
        "ada": candidate(tara, "Ada Lovelace", posting=posting, tags=["python"]),
        "bob": candidate(alex, "Bob Byte", posting=lee_posting, sources=["Referral"]),
        "cy": candidate(sam, "Cy Secret", posting=secret),
        "gil": candidate(tara, "Gil General", origin="applied"),
        "lee_posting": lee_posting,
        "secret": secret,
    }


SEES = {
    Role.SUPER_ADMIN: {"Ada Lovelace", "Bob Byte", "Cy Secret", "Gil General"},
    Role.ADMIN: {"Ada Lovelace", "Bob Byte", "Gil General"},
    Role.TEAM_MEMBER: {"Ada Lovelace", "Bob Byte", "Gil General"},
    Role.LIMITED_TEAM_MEMBER: {"Bob Byte"},
    Role.INTERVIEWER: set(),
}


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["data"]}


def error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    return body["message"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.INTERVIEWER])
def test_it_lists_what_each_role_may_see(api_client, personas, world, role):
    assert names(api_client(personas[role]).get(URL)) == SEES[role]


def test_it_refuses_the_list_to_an_interviewer(api_client, ivy, world):
    message = error(api_client(ivy).get(URL), 403, "ForbiddenError")
    assert "view_candidates" in message


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("who", ["ada", "bob", "cy", "gil"])
def test_it_shows_one_opportunity_only_to_who_may_see_it(api_client, personas, world, role, who):
    opportunity = world[who]
    response = api_client(personas[role]).get(f"{URL}/{opportunity.id}")
    if opportunity.candidate.name in SEES[role]:
        assert response.json()["data"]["id"] == str(opportunity.id)
    else:
        assert error(response, 404, "ResourceNotFound") == "Opportunity was not found"


def test_it_answers_404_for_an_id_that_is_not_one(api_client, sam, world):
    assert error(api_client(sam).get(f"{URL}/nope"), 404, "ResourceNotFound")


def test_it_needs_an_api_key(client, world):
    response = client.get(URL)
    assert error(response, 401, "UnauthorizedError")
    assert response["WWW-Authenticate"].startswith("Basic")


def test_it_serializes_an_opportunity_the_lever_way(api_client, tara, posting, world):
    ada = world["ada"]
    services.add_contact_details(
        tara, ada.candidate, phones=[services.Phone("+49 30 1234", "mobile")]
    )
    data = api_client(tara).get(f"{URL}/{ada.id}").json()["data"]
    ada.refresh_from_db()
    assert data["contact"] == str(ada.candidate_id)
    assert data["emails"] == ["ada@example.com"]
    assert data["phones"] == [{"type": "mobile", "value": "+49 30 1234"}]
    assert data["stage"] == "lead-new"
    assert data["stageChanges"][0]["toStageId"] == "lead-new"
    assert data["stageChanges"][0]["userId"] == str(tara.id)
    assert data["confidentiality"] == "non-confidential"
    assert data["archived"] is None
    assert data["tags"] == ["python"]
    assert data["origin"] == "sourced"
    assert data["owner"] == data["sourcedBy"] == str(tara.id)
    assert data["followers"] == [str(tara.id)]
    assert data["applications"] == [str(ada.id)]
    assert data["createdAt"] == epoch_ms(ada.created_at)
    assert data["updatedAt"] == epoch_ms(ada.updated_at)
    assert data["urls"]["show"].endswith(f"/candidates/{ada.candidate_id}/")


def test_it_marks_a_confidential_opportunity(api_client, sam, world):
    data = api_client(sam).get(f"{URL}/{world['cy'].id}").json()["data"]
    assert data["confidentiality"] == "confidential"


def test_it_expands_ids_into_objects(api_client, tara, posting, world):
    ada = world["ada"]
    query = "expand=stage&expand=owner&expand=applications&expand=contact&expand=followers"
    data = api_client(tara).get(f"{URL}/{ada.id}?{query}").json()["data"]
    assert data["stage"] == {"id": "lead-new", "text": "New lead"}
    assert data["owner"]["email"] == "tara@example.com"
    assert data["followers"][0]["accessRole"] == "team member"
    assert data["applications"][0]["posting"] == str(posting.id)
    assert data["applications"][0]["type"] == "user"
    assert data["contact"]["emails"] == ["ada@example.com"]


def test_it_refuses_an_unknown_expand_by_name(api_client, tara, world):
    message = error(api_client(tara).get(f"{URL}?expand=resume"), 400, "BadRequestError")
    assert "/expand" in message and "resume" in message


def test_a_general_opportunity_has_no_application(api_client, tara, world):
    data = api_client(tara).get(f"{URL}/{world['gil'].id}").json()["data"]
    assert data["applications"] == []


# Filters


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag=python", {"Ada Lovelace"}),
        ("tag=python&tag=nope", {"Ada Lovelace"}),
        ("email=ADA@Example.com", {"Ada Lovelace"}),
        ("email=ada@example.com&email=gil@example.com", {"Ada Lovelace", "Gil General"}),
        ("origin=applied", {"Gil General"}),
        ("source=Referral", {"Bob Byte"}),
        ("stage_id=lead-new", {"Ada Lovelace", "Bob Byte", "Cy Secret", "Gil General"}),
        ("stage_id=offer", set()),
        ("archived=false", {"Ada Lovelace", "Bob Byte", "Cy Secret", "Gil General"}),
        ("archived=true", set()),
    ],
)
def test_it_filters(api_client, sam, world, query, expected):
    assert names(api_client(sam).get(f"{URL}?{query}")) == expected


def test_it_filters_by_posting_and_contact(api_client, sam, posting, world):
    client = api_client(sam)
    both = f"posting_id={posting.id}&posting_id={world['lee_posting'].id}"
    assert names(client.get(f"{URL}?{both}")) == {"Ada Lovelace", "Bob Byte"}
    contact = f"contact_id={world['gil'].candidate_id}"
    assert names(client.get(f"{URL}?{contact}")) == {"Gil General"}


def test_it_filters_by_archive_state_and_reason(api_client, sam, world):
    withdrew = ArchiveReason.objects.get(text="Withdrew")
    services.archive(sam, world["ada"], withdrew)
    client = api_client(sam)
    assert names(client.get(f"{URL}?archived=true")) == {"Ada Lovelace"}
    assert names(client.get(f"{URL}?archive_reason_id={withdrew.id}")) == {"Ada Lovelace"}
    assert "Ada Lovelace" not in names(client.get(f"{URL}?archived=false"))


def test_it_filters_by_time_ranges_inclusively(api_client, sam, world):
    old = (timezone.now() - timedelta(days=30)).replace(microsecond=0)
    Opportunity.objects.filter(pk=world["gil"].pk).update(created_at=old, updated_at=old)
    client = api_client(sam)
    at = epoch_ms(old)
    assert names(client.get(f"{URL}?created_at_start={at}&created_at_end={at}")) == {"Gil General"}
    assert "Gil General" not in names(client.get(f"{URL}?updated_at_start={at + 1}"))
    assert names(client.get(f"{URL}?updated_at_end={at}")) == {"Gil General"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("origin=web", "/origin"),
        ("posting_id=x", "/posting_id"),
        ("contact_id=x", "/contact_id"),
        ("archive_reason_id=x", "/archive_reason_id"),
        ("archived=maybe", "/archived"),
        ("created_at_start=yesterday", "/created_at_start"),
        ("limit=0", "/limit"),
        ("limit=101", "/limit"),
        ("limit=many", "/limit"),
    ],
)
def test_it_names_the_bad_filter(api_client, sam, world, query, field):
    assert field in error(api_client(sam).get(f"{URL}?{query}"), 400, "BadRequestError")


def test_it_pages_through_every_opportunity_once(api_client, sam, world):
    client = api_client(sam)
    seen: list[str] = []
    page = client.get(f"{URL}?limit=3").json()
    seen += [row["id"] for row in page["data"]]
    assert page["hasNext"] is True
    page = client.get(f"{URL}?limit=3&offset={page['next']}").json()
    seen += [row["id"] for row in page["data"]]
    assert page["hasNext"] is False and "next" not in page
    assert len(seen) == len(set(seen)) == 4


def test_opportunities_created_at_the_same_moment_page_through_once(api_client, sam, world):
    for i in range(3):
        candidate(sam, f"Twin Number{i}")
    Opportunity.objects.update(created_at=timezone.now())
    client = api_client(sam)
    seen: list[str] = []
    offset = ""
    with CaptureQueriesContext(connection) as queries:
        while True:
            page = client.get(f"{URL}?limit=2{offset}").json()
            seen += [row["id"] for row in page["data"]]
            if not page["hasNext"]:
                break
            offset = f"&offset={page['next']}"
    assert len(seen) == len(set(seen)) == Opportunity.objects.count() == 7
    listed = [
        q["sql"] for q in queries if 'ORDER BY "hiring_opportunity"."created_at" DESC' in q["sql"]
    ]
    # A later page starts at its token's time: an index on the order reads nothing before it.
    assert all('"hiring_opportunity"."created_at" <= ' in sql for sql in listed[1:])


def test_the_query_count_does_not_grow_with_the_page(api_client, sam, alex, world):
    for i in range(6):
        opportunity = candidate(
            sam, f"Person Number{i}", tags=[f"tag-{i}"], sources=[f"Source {i}"], owner=alex
        )
        opportunity.followers.add(alex)
    client = api_client(sam)

    def queries_for(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{URL}?limit={limit}&expand=followers&expand=contact")
        assert len(response.json()["data"]) == limit
        return len(queries)

    queries_for(1)  # also records the key's first use, a write the next minute skips
    assert queries_for(1) == queries_for(10)


def test_it_refuses_an_offset_it_did_not_issue(api_client, sam, world):
    message = error(api_client(sam).get(f"{URL}?offset=abc"), 400, "BadRequestError")
    assert message == "Invalid offset token"


# Creating


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_it_creates_a_person_with_an_opportunity(api_client, tara, posting):
    body = {
        "name": "Grace Hopper",
        "headline": "Rear admiral",
        "location": "Arlington",
        "emails": ["Grace@Navy.mil"],
        "phones": [{"type": "work", "value": "+1 555 0100"}],
        "links": ["https://example.com/grace"],
        "tags": ["cobol"],
        "sources": ["Conference"],
        "origin": "referred",
        "postings": [str(posting.id)],
        "stage": "lead-reached-out",
    }
    response = post(api_client(tara), URL, body)
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["name"] == "Grace Hopper"
    assert data["emails"] == ["grace@navy.mil"]
    assert data["phones"] == [{"type": "work", "value": "+1 555 0100"}]
    assert data["stage"] == "lead-reached-out"
    assert data["origin"] == "referred"
    assert data["tags"] == ["cobol"] and data["sources"] == ["Conference"]
    assert data["applications"] == [data["id"]]
    assert data["owner"] == str(tara.id)
    assert Opportunity.objects.get(pk=data["id"]).posting == posting


def test_a_known_email_adds_an_opportunity_to_that_person(api_client, tara, posting, world):
    gil = world["gil"]
    body = {
        "name": "Someone Else",
        "emails": ["GIL@example.com", "gil@work.example"],
        "postings": [str(posting.id)],
    }
    data = post(api_client(tara), URL, body).json()["data"]
    assert data["contact"] == str(gil.candidate_id)
    assert data["name"] == "Gil General"  # the known person's details win
    assert set(data["emails"]) == {"gil@example.com", "gil@work.example"}
    assert gil.candidate.opportunities.count() == 2


def test_a_second_active_opportunity_on_a_posting_conflicts(api_client, tara, posting, world):
    body = {"name": "Ada", "emails": ["ada@example.com"], "postings": [str(posting.id)]}
    message = error(post(api_client(tara), URL, body), 409, "ConflictError")
    assert "active opportunity" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "/name"),
        ({"name": "  "}, "/name"),
        ({"name": "X", "emails": ["not-an-email"]}, "/emails"),
        ({"name": "X", "emails": "x@example.com"}, "/emails"),
        ({"name": "X", "phones": [{"type": "fax", "value": "1"}]}, "/phones"),
        ({"name": "X", "links": ["javascript:alert(1)"]}, "/links"),
        ({"name": "X", "origin": "web"}, "/origin"),
        ({"name": "X", "stage": "nowhere"}, "/stage"),
        ({"name": "X", "owner": "nobody"}, "/owner"),
        ({"name": "X", "postings": ["x"]}, "/postings/0"),
    ],
)
def test_it_names_the_bad_field_on_create(api_client, tara, world, body, field):
    assert field in error(post(api_client(tara), URL, body), 400, "BadRequestError")


def test_it_allows_one_posting_at_most(api_client, tara, posting, world):
    body = {"name": "X", "postings": [str(posting.id), str(world["lee_posting"].id)]}
    assert "/postings" in error(post(api_client(tara), URL, body), 400, "BadRequestError")


def test_a_posting_the_user_may_not_see_is_no_posting(api_client, lee, posting):
    body = {"name": "X", "postings": [str(posting.id)]}
    assert "/postings/0" in error(post(api_client(lee), URL, body), 400, "BadRequestError")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.INTERVIEWER])
def test_every_role_that_adds_candidates_may_create(api_client, personas, role):
    response = post(api_client(personas[role]), URL, {"name": "New Person"})
    assert response.status_code == 201, response.content


def test_an_interviewer_may_not_create(api_client, ivy):
    message = error(post(api_client(ivy), URL, {"name": "X"}), 403, "ForbiddenError")
    assert "add_candidate" in message


def test_a_super_admin_creates_as_another_user(api_client, sam, tara):
    response = post(api_client(sam), f"{URL}?perform_as={tara.id}", {"name": "X"})
    assert response.json()["data"]["sourcedBy"] == str(tara.id)


def test_only_a_super_admin_may_perform_as_another(api_client, sam, tara):
    response = post(api_client(tara), f"{URL}?perform_as={sam.id}", {"name": "X"})
    assert "perform_as" in error(response, 403, "ForbiddenError")


# Changing


def put(client, url, body):
    return client.put(url, body, content_type="application/json")


CHANGES = [
    ("put", "stage", {"stage": "lead-responded"}),
    ("put", "archived", {"reason": None}),
    ("post", "addTags", {"tags": ["x"]}),
    ("post", "removeTags", {"tags": ["x"]}),
    ("post", "addSources", {"sources": ["x"]}),
    ("post", "removeSources", {"sources": ["x"]}),
]


def change(client, method, opportunity, action, body):
    send = put if method == "put" else post
    return send(client, f"{URL}/{opportunity.id}/{action}", body)


@pytest.mark.parametrize(("method", "action", "body"), CHANGES)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_changes_only_what_it_may_see(
    api_client, personas, world, role, method, action, body
):
    client = api_client(personas[role])
    for who in ("bob", "cy"):
        response = change(client, method, world[who], action, body)
        if world[who].candidate.name in SEES[role]:
            assert response.status_code == 200, response.content
        else:
            assert error(response, 404, "ResourceNotFound") == "Opportunity was not found"


@pytest.mark.parametrize(("method", "action", "body"), CHANGES)
def test_a_user_who_may_see_but_not_change_is_forbidden(
    api_client, tara, world, monkeypatch, method, action, body
):
    monkeypatch.setitem(
        policy.ROLES_ALLOWED, Action.CHANGE_OPPORTUNITY, frozenset({Role.SUPER_ADMIN})
    )
    response = change(api_client(tara), method, world["ada"], action, body)
    assert "change_opportunity" in error(response, 403, "ForbiddenError")


def test_it_moves_an_opportunity_to_a_stage(api_client, tara, world):
    response = put(api_client(tara), f"{URL}/{world['ada'].id}/stage", {"stage": "offer"})
    data = response.json()["data"]
    assert data["stage"] == "offer"
    assert [c["toStageId"] for c in data["stageChanges"]] == ["lead-new", "offer"]
    assert data["stageChanges"][-1]["userId"] == str(tara.id)


@pytest.mark.parametrize("body", [{"stage": "nowhere"}, {}, {"stage": 3}])
def test_it_names_a_bad_stage(api_client, tara, world, body):
    response = put(api_client(tara), f"{URL}/{world['ada'].id}/stage", body)
    assert "/stage" in error(response, 400, "BadRequestError")


def test_it_archives_and_unarchives(api_client, tara, world):
    reason = ArchiveReason.objects.get(text="Hired")
    client, url = api_client(tara), f"{URL}/{world['ada'].id}/archived"
    archived = put(client, url, {"reason": str(reason.id)}).json()["data"]["archived"]
    assert archived["reason"] == str(reason.id)
    assert isinstance(archived["archivedAt"], int)
    assert put(client, url, {"reason": None}).json()["data"]["archived"] is None


@pytest.mark.parametrize(
    "body", [{"reason": "nope"}, {"reason": "00000000-0000-0000-0000-000000000000"}, {}]
)
def test_it_names_a_bad_archive_reason(api_client, tara, world, body):
    response = put(api_client(tara), f"{URL}/{world['ada'].id}/archived", body)
    assert "/reason" in error(response, 400, "BadRequestError")


def test_unarchiving_into_a_second_active_opportunity_conflicts(api_client, tara, posting, world):
    ada = world["ada"]
    services.archive(tara, ada, ArchiveReason.objects.get(text="Withdrew"))
    services.add_opportunity(tara, ada.candidate, posting=posting)
    response = put(api_client(tara), f"{URL}/{ada.id}/archived", {"reason": None})
    assert error(response, 409, "ConflictError")


def test_it_adds_and_removes_tags(api_client, tara, world):
    client, ada = api_client(tara), world["ada"]
    data = post(client, f"{URL}/{ada.id}/addTags", {"tags": ["Remote", "python"]}).json()
    assert data["data"]["tags"] == ["Remote", "python"]
    data = post(client, f"{URL}/{ada.id}/removeTags", {"tags": ["python", "absent"]}).json()
    assert data["data"]["tags"] == ["Remote"]
    verbs = Activity.objects.filter(opportunity=ada, detail__fields=["tags"])
    assert verbs.count() == 2


def test_it_adds_and_removes_sources(api_client, tara, world):
    client, ada = api_client(tara), world["ada"]
    data = post(client, f"{URL}/{ada.id}/addSources", {"sources": ["LinkedIn"]}).json()
    assert data["data"]["sources"] == ["LinkedIn"]
    assert ada.candidate.sources.filter(text="LinkedIn").exists()
    data = post(client, f"{URL}/{ada.id}/removeSources", {"sources": ["LinkedIn"]}).json()
    assert data["data"]["sources"] == []


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("addTags", {}, "/tags"),
        ("addTags", {"tags": "python"}, "/tags"),
        ("addTags", {"tags": ["x" * 101]}, "/tags"),
        ("addSources", {"sources": [None]}, "/sources/0"),
    ],
)
def test_it_names_bad_labels(api_client, tara, world, action, body, field):
    response = post(api_client(tara), f"{URL}/{world['ada'].id}/{action}", body)
    assert field in error(response, 400, "BadRequestError")


# hirebridge's own: messages and the LinkedIn connection


def log(actor, opportunity, subject, *, to_opportunity=True, minutes=0):
    message, _ = services.log_message(
        actor,
        opportunity.candidate,
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        sender="tara@example.com",
        recipient="ada@example.com",
        subject=subject,
        sent_at=timezone.now() - timedelta(minutes=minutes),
        thread_id="t1",
        opportunity=opportunity if to_opportunity else None,
    )
    return message


def test_it_lists_the_messages_of_an_opportunity_and_its_person(api_client, tara, posting, world):
    ada = world["ada"]
    other = services.add_opportunity(tara, ada.candidate)
    log(tara, ada, "Hello", minutes=2)
    log(tara, ada, "To the person", to_opportunity=False, minutes=1)
    log(tara, other, "About something else")
    page = api_client(tara).get(f"{URL}/{ada.id}/messages").json()
    assert [m["subject"] for m in page["data"]] == ["To the person", "Hello"]
    first = page["data"][1]
    assert first["channel"] == "email" and first["direction"] == "outbound"
    assert first["from"] == "tara@example.com" and first["to"] == "ada@example.com"
    assert first["threadId"] == "t1" and isinstance(first["sentAt"], int)
    assert page["hasNext"] is False


@pytest.mark.parametrize("role", list(Role))
def test_messages_and_linkedin_follow_visibility(api_client, personas, world, role):
    client = api_client(personas[role])
    for who in ("bob", "cy"):
        for part in ("messages", "linkedin"):
            response = client.get(f"{URL}/{world[who].id}/{part}")
            if world[who].candidate.name in SEES[role]:
                assert response.status_code == 200, response.content
            else:
                assert error(response, 404, "ResourceNotFound")


def test_it_tells_whether_the_person_is_connected_to_linkedin(api_client, tara, world):
    ada = world["ada"]
    client = api_client(tara)
    assert client.get(f"{URL}/{ada.id}/linkedin").json()["data"] == {
        "connected": False,
        "personUrn": None,
        "primary": False,
        "connectedAt": None,
    }
    connection = ProfileConnection.objects.create(
        candidate=ada.candidate, integration=linkedin_integration(), person_urn="urn:li:person:1"
    )
    data = client.get(f"{URL}/{ada.id}/linkedin").json()["data"]
    assert data == {
        "connected": True,
        "personUrn": "urn:li:person:1",
        "primary": True,
        "connectedAt": epoch_ms(connection.connected_at),
    }


def test_linkedin_hears_of_a_source_change_but_not_of_tags(api_client, tara, world):
    linkedin_integration()
    ada, client = world["ada"], api_client(tara)
    OutboxItem.objects.all().delete()
    post(client, f"{URL}/{ada.id}/addTags", {"tags": ["python", "Remote"]})
    assert not OutboxItem.objects.exists()
    post(client, f"{URL}/{ada.id}/addSources", {"sources": ["LinkedIn"]})
    assert set(OutboxItem.objects.values_list("kind", "entity_id")) == {
        (OutboxKind.APPLICATION, str(ada.id))
    }


def test_a_bad_expand_on_a_write_changes_nothing(api_client, tara, world):
    ada = world["ada"]
    response = put(api_client(tara), f"{URL}/{ada.id}/stage?expand=resume", {"stage": "offer"})
    assert "/expand" in error(response, 400, "BadRequestError")
    ada.refresh_from_db()
    assert ada.stage_id == "lead-new"


def test_a_write_expands_its_reply(api_client, tara, world):
    url = f"{URL}/{world['ada'].id}/stage?expand=stage"
    data = put(api_client(tara), url, {"stage": "offer"}).json()["data"]
    assert data["stage"] == {"id": "offer", "text": "Offer"}
