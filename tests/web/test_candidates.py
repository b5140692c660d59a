import pytest
from django.urls import reverse

from hirebridge.accounts.roles import Role
from hirebridge.web.views import PAGE_SIZE
from tests.factories import PostingFactory, candidate


@pytest.fixture
def two_postings(alex, lee):
    managed = PostingFactory(title="Platform Lead", owner=alex, hiring_manager=lee)
    other = PostingFactory(title="Sales Lead", owner=alex)
    candidate(alex, "Ada Lovelace", posting=managed, current_company="Analytical Engines")
    candidate(alex, "Grace Hopper", posting=other, emails=["grace@navy.example"])
    return managed, other


@pytest.mark.parametrize(
    ("role", "names"),
    [
        (Role.SUPER_ADMIN, {"Ada Lovelace", "Grace Hopper"}),
        (Role.ADMIN, {"Ada Lovelace", "Grace Hopper"}),
        (Role.TEAM_MEMBER, {"Ada Lovelace", "Grace Hopper"}),
        (Role.LIMITED_TEAM_MEMBER, {"Ada Lovelace"}),
    ],
)
def test_the_list_shows_only_what_the_role_may_see(client, personas, two_postings, role, names):
    client.force_login(personas[role])
    response = client.get(reverse("candidates"))
    shown = {c.name for c in response.context["page"].object_list}
    assert shown == names
    assert response.context["page"].paginator.count == len(names)  # totals leak nothing either
    html = response.content.decode()
    for hidden in {"Ada Lovelace", "Grace Hopper"} - names:
        assert hidden not in html


def test_an_interviewer_has_no_candidate_list(client, ivy, two_postings):
    client.force_login(ivy)
    response = client.get(reverse("candidates"))
    assert response.status_code == 403
    assert "Ada" not in response.content.decode()
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "does not include candidate profiles" in home.content.decode()


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("lovelace", "Ada Lovelace"),
        ("ANALYTICAL", "Ada Lovelace"),
        ("navy.example", "Grace Hopper"),
    ],
)
def test_search_by_name_employer_or_email(client, tara, two_postings, query, name):
    client.force_login(tara)
    response = client.get(reverse("candidates"), {"q": query})
    assert [c.name for c in response.context["page"].object_list] == [name]


def test_the_list_pages_on_the_server_with_a_fixed_number_of_queries(
    client, tara, posting, django_assert_max_num_queries
):
    for i in range(PAGE_SIZE + 5):
        candidate(tara, f"Person Number{i}", posting=posting, emails=[f"p{i}@example.com"])
    client.force_login(tara)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("candidates"))
    assert len(response.context["page"].object_list) == PAGE_SIZE
    second = client.get(reverse("candidates"), {"page": 2})
    assert len(second.context["page"].object_list) == 5
