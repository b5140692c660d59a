import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.hiring.models.stages import APPLICANT_NEW, LEAD_NEW, OFFER
from hirebridge.web.postings import PAGE_SIZE, RECENT_OPPORTUNITIES
from tests.factories import PostingFactory, UserFactory, candidate


@pytest.fixture
def postings(alex, lee):
    """Lee manages the platform posting only; the sales one is closed; one is confidential."""
    platform = PostingFactory(title="Platform Lead", team="Infra", owner=alex, hiring_manager=lee)
    sales = PostingFactory(
        title="Sales Lead", team="Revenue", location="Lisbon", owner=alex, state="closed"
    )
    secret = PostingFactory(title="Secret CTO", owner=alex, confidential=True)
    return platform, sales, secret


def _titles(response) -> list[str]:
    return [posting.title for posting, _ in response.context["rows"]]


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        (Role.SUPER_ADMIN, ["Platform Lead", "Sales Lead", "Secret CTO"]),
        (Role.ADMIN, ["Platform Lead", "Sales Lead", "Secret CTO"]),  # Alex owns the secret one
        (Role.TEAM_MEMBER, ["Platform Lead", "Sales Lead"]),
        (Role.LIMITED_TEAM_MEMBER, ["Platform Lead"]),
        (Role.INTERVIEWER, []),
    ],
)
def test_the_list_shows_only_what_the_role_may_see(client, personas, postings, role, titles):
    client.force_login(personas[role])
    response = client.get(reverse("postings"))
    assert response.status_code == 200
    assert _titles(response) == titles
    assert response.context["page"].paginator.count == len(titles)
    html = response.content.decode()
    for hidden in {"Platform Lead", "Sales Lead", "Secret CTO"} - set(titles):
        assert hidden not in html


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"state": "closed"}, ["Sales Lead"]),
        ({"state": "published"}, ["Platform Lead"]),
        ({"q": "lisbon"}, ["Sales Lead"]),
        ({"q": "INFRA"}, ["Platform Lead"]),
        ({"q": "lead", "state": "published"}, ["Platform Lead"]),
        ({"q": "nothing like it"}, []),
    ],
)
def test_filter_by_state_and_search_title_team_location(client, tara, postings, params, titles):
    client.force_login(tara)
    assert _titles(client.get(reverse("postings"), params)) == titles


def test_an_unknown_state_is_refused_naming_the_field(client, tara):
    client.force_login(tara)
    response = client.get(reverse("postings"), {"state": "open"})
    assert response.status_code == 400
    assert b"state:" in response.content


def test_each_row_counts_its_active_opportunities(client, alex, tara, postings):
    platform = postings[0]
    candidate(alex, "Ada Lovelace", posting=platform)
    candidate(alex, "Grace Hopper", posting=platform)
    gone = candidate(alex, "Alan Turing", posting=platform)
    services.archive(alex, gone, ArchiveReason.objects.first())
    client.force_login(tara)
    counts = {p.title: n for p, n in client.get(reverse("postings")).context["rows"]}
    assert counts == {"Platform Lead": 2, "Sales Lead": 0}


def test_the_list_pages_in_a_fixed_number_of_queries(
    client, alex, tara, django_assert_max_num_queries
):
    def grow(n: int) -> None:
        for i in range(n):
            posting = PostingFactory(title=f"Role {Posting.objects.count():03d}", owner=alex)
            candidate(
                alex, f"Person Number{i}", posting=posting, emails=[f"p{i}-{posting.pk}@x.io"]
            )

    grow(3)
    client.force_login(tara)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("postings"))
    grow(PAGE_SIZE + 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("postings"))
    assert len(response.context["rows"]) == PAGE_SIZE
    assert all(count == 1 for _, count in response.context["rows"])
    second = client.get(reverse("postings"), {"page": 2})
    assert len(second.context["rows"]) == 5


def test_the_posting_page_counts_its_pipeline_by_stage_in_sections(client, alex, tara, postings):
    platform = postings[0]
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing"):
        candidate(alex, name, posting=platform)
    offered = candidate(alex, "Edsger Dijkstra", posting=platform)
    services.move_to_stage(alex, offered, OFFER)
    applied = candidate(alex, "Barbara Liskov", posting=platform)
    services.move_to_stage(alex, applied, APPLICANT_NEW)
    services.archive(
        alex, candidate(alex, "Ken Thompson", posting=platform), ArchiveReason.objects.first()
    )
    client.force_login(tara)
    response = client.get(reverse("posting", args=[platform.pk]))
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s.label for s in sections] == ["Lead", "Applicant", "Interview"]
    counts = {item.stage.pk: item.count for s in sections for item in s.stages}
    assert counts[LEAD_NEW] == 3
    assert counts[APPLICANT_NEW] == 1
    assert counts[OFFER] == 1
    assert sections[-1].stages[-1].stage.pk == OFFER
    assert response.context["active_total"] == 5
    html = response.content.decode()
    assert f"/pipeline/?posting={platform.pk}&amp;stage={OFFER}" in html
    assert "Ken Thompson" not in html  # archived: not among the active candidates
    assert "Barbara Liskov" in html


def test_the_posting_page_shows_details_and_hiring_team(client, alex, lee, tara, postings):
    platform = postings[0]
    services.set_hiring_team(alex, platform, members=[tara])
    client.force_login(tara)
    html = client.get(reverse("posting", args=[platform.pk])).content.decode()
    for text in ("Platform Lead", "Infra", "Berlin", "Alex Admin", "Lee Limited", "Tara Team"):
        assert text in html


def test_the_posting_page_reads_a_fixed_number_of_queries(
    client, alex, tara, postings, django_assert_max_num_queries
):
    platform = postings[0]
    candidate(alex, "Ada Lovelace", posting=platform)
    client.force_login(tara)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("posting", args=[platform.pk]))
    for i in range(RECENT_OPPORTUNITIES + 5):
        candidate(alex, f"Person Number{i}", posting=platform, emails=[f"n{i}@x.io"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("posting", args=[platform.pk]))
    assert len(response.context["recent"]) == RECENT_OPPORTUNITIES


def test_a_limited_team_member_sees_only_their_postings(client, lee, postings):
    platform, sales, secret = postings
    client.force_login(lee)
    assert client.get(reverse("posting", args=[platform.pk])).status_code == 200
    assert client.get(reverse("posting", args=[sales.pk])).status_code == 404
    assert client.get(reverse("posting", args=[secret.pk])).status_code == 404


def test_a_confidential_posting_is_404_outside_its_team(client, tara, postings):
    client.force_login(tara)
    assert client.get(reverse("posting", args=[postings[2].pk])).status_code == 404


def _form(by, **changes) -> dict:
    data = {
        "title": "Data Engineer",
        "team": "Data",
        "department": "Engineering",
        "location": "Remote",
        "commitment": "Full-time",
        "description": "Pipelines.",
        "state": PostingState.PUBLISHED,
        "owner": str(by.pk),
        "hiring_manager": "",
        "members": [],
    }
    return data | changes


@pytest.mark.parametrize("role", [Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER])
def test_managers_create_a_posting(client, personas, lee, role):
    user = personas[role]
    client.force_login(user)
    assert "New posting" in client.get(reverse("postings")).content.decode()
    response = client.post(
        reverse("posting-create"), _form(user, hiring_manager=str(lee.pk), members=[str(user.pk)])
    )
    assert response.status_code == 303
    posting = Posting.objects.get(title="Data Engineer")
    assert response["Location"] == reverse("posting", args=[posting.pk])
    assert (posting.state, posting.owner, posting.hiring_manager) == ("published", user, lee)
    assert list(posting.members.all()) == [user]
    assert posting.created_by == user


def test_a_confidential_posting_is_created_so(client, alex):
    client.force_login(alex)
    client.post(reverse("posting-create"), _form(alex, confidential="on"))
    assert Posting.objects.get(title="Data Engineer").confidential


@pytest.mark.parametrize("role", [Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER])
def test_other_roles_neither_see_nor_may_use_the_forms(client, personas, alex, postings, role):
    user = personas[role]
    client.force_login(user)
    assert "New posting" not in client.get(reverse("postings")).content.decode()
    if role == Role.LIMITED_TEAM_MEMBER:
        page = client.get(reverse("posting", args=[postings[0].pk])).content.decode()
        assert "Edit posting" not in page
    for url in (reverse("posting-create"), reverse("posting-edit", args=[postings[0].pk])):
        assert client.get(url).status_code == 403
        refused = client.post(url, _form(alex))
        assert refused.status_code == 403
        assert "manage postings" in refused.content.decode()
    assert not Posting.objects.filter(title="Data Engineer").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"state": "open"}, "state", "Select a valid choice"),
        ({"commitment": "Forever"}, "commitment", "Select a valid choice"),
        ({"owner": ""}, "owner", "This field is required."),
    ],
)
def test_a_bad_form_is_shown_again_with_the_error_next_to_the_field(
    client, tara, changes, field, message
):
    client.force_login(tara)
    response = client.post(reverse("posting-create"), _form(tara, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not Posting.objects.exists()


def test_a_deactivated_owner_is_refused_next_to_the_owner_field(client, tara):
    gone = UserFactory(name="Gone User", deactivated_at=timezone.now())
    client.force_login(tara)
    response = client.post(reverse("posting-create"), _form(tara, owner=str(gone.pk)))
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors


def test_managers_edit_text_team_and_state_together(client, alex, tara, lee, postings):
    platform = postings[0]
    client.force_login(tara)
    form = client.get(reverse("posting-edit", args=[platform.pk])).context["form"]
    assert form["title"].value() == "Platform Lead"
    assert "confidential" not in form.fields
    assert "draft" not in [value for value, _ in form.fields["state"].choices]
    response = client.post(
        reverse("posting-edit", args=[platform.pk]),
        _form(tara, title="Platform Lead (EU)", state="internal", members=[str(lee.pk)]),
    )
    assert response.status_code == 303
    platform.refresh_from_db()
    assert (platform.title, platform.state, platform.owner) == (
        "Platform Lead (EU)",
        "internal",
        tara,
    )
    assert platform.hiring_manager is None
    assert list(platform.members.all()) == [lee]
    assert "saved" in client.get(response["Location"]).content.decode()


def test_a_refused_edit_changes_nothing(client, alex, tara, postings):
    """A posting out of draft never goes back: the refusal shows at the state field and the
    title change in the same form is rolled back with it."""
    platform = postings[0]
    client.force_login(tara)
    response = client.post(
        reverse("posting-edit", args=[platform.pk]), _form(alex, title="Renamed", state="draft")
    )
    assert response.status_code == 400
    assert "state" in response.context["form"].errors
    platform.refresh_from_db()
    assert platform.title == "Platform Lead"


def test_a_draft_may_stay_a_draft(client, alex):
    draft = PostingFactory(title="Draft role", owner=alex, state=PostingState.DRAFT)
    client.force_login(alex)
    response = client.post(
        reverse("posting-edit", args=[draft.pk]), _form(alex, title="Draft role", state="draft")
    )
    assert response.status_code == 303
    draft.refresh_from_db()
    assert draft.state == PostingState.DRAFT


def test_editing_a_posting_one_may_not_see_is_404(client, tara, postings):
    client.force_login(tara)
    assert client.get(reverse("posting-edit", args=[postings[2].pk])).status_code == 404


def test_posting_forms_need_the_csrf_token(alex):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alex)
    assert strict.post(reverse("posting-create"), _form(alex)).status_code == 403
    assert not Posting.objects.filter(title="Data Engineer").exists()


def test_anonymous_users_go_to_the_login_page(client, postings):
    response = client.get(reverse("posting", args=[postings[0].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
