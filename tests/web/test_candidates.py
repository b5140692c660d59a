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
    assert response.context["page"].total.count == len(names)  # totals leak nothing either
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


def test_a_search_ranks_and_shows_each_candidates_opportunities(client, tara, two_postings):
    managed, _ = two_postings
    candidate(tara, "Charles Babbage", headline="Worked with Lovelace", posting=managed)
    client.force_login(tara)
    response = client.get(reverse("candidates"), {"q": "lovelace"})
    assert [c.name for c in response.context["page"].object_list] == [
        "Ada Lovelace",
        "Charles Babbage",
    ]
    assert "Platform Lead" in response.content.decode()


def test_a_limited_team_member_searches_only_their_candidates(client, lee, two_postings):
    client.force_login(lee)
    for query in ["grace", "navy.example", "lead"]:
        response = client.get(reverse("candidates"), {"q": query})
        assert "Grace Hopper" not in response.content.decode(), query


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"company": "analytical"}, ["Ada Lovelace"]),
        ({"q": "grace", "location": "nowhere"}, []),
        ({"tag": "missing"}, []),
    ],
)
def test_the_filters(client, tara, two_postings, filters, names):
    client.force_login(tara)
    response = client.get(reverse("candidates"), filters)
    assert [c.name for c in response.context["page"].object_list] == names


def test_the_posting_filter_and_its_choices(client, tara, two_postings):
    _, other = two_postings
    client.force_login(tara)
    response = client.get(reverse("candidates"), {"posting": str(other.pk)})
    assert [c.name for c in response.context["page"].object_list] == ["Grace Hopper"]
    assert f'<option value="{other.pk}" selected>Sales Lead</option>' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"posting": "<script>alert(1)</script>"}, "posting"),
        ({"q": "ada", "page": "0"}, "page"),
        ({"q": "ada", "page": "999"}, "offset"),
        ({"location": "x" * 201}, "location"),
    ],
)
def test_bad_search_input_is_a_400_naming_the_field(client, tara, two_postings, params, field):
    client.force_login(tara)
    response = client.get(reverse("candidates"), params)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}: ")
    assert response["Content-Type"].startswith("text/plain")


def test_search_results_page_with_their_filters_kept(
    client, tara, posting, django_assert_max_num_queries
):
    for i in range(PAGE_SIZE + 5):
        candidate(tara, f"Person Number{i}", posting=posting, location="Berlin")
    client.force_login(tara)
    with django_assert_max_num_queries(10):
        first = client.get(reverse("candidates"), {"q": "person", "location": "berlin"})
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert "q=person&amp;location=berlin&amp;page=2" in first.content.decode()
    second = client.get(reverse("candidates"), {"q": "person", "location": "berlin", "page": 2})
    assert len(second.context["page"].object_list) == 5
    assert not second.context["page"].has_next


def test_a_long_list_counts_up_to_a_cap_and_pages_on_by_looking_ahead(
    client, tara, posting, monkeypatch
):
    monkeypatch.setattr("hirebridge.web.views.COUNT_CAP", 3)
    monkeypatch.setattr("hirebridge.web.views.PAGE_SIZE", 2)
    for i in range(5):
        candidate(tara, f"Person Number{i}", posting=posting)
    client.force_login(tara)
    first = client.get(reverse("candidates"))
    assert str(first.context["page"].total) == "3+"
    assert first.context["page"].num_pages is None
    assert first.context["page"].has_next
    html = first.content.decode()
    assert '<small class="muted">3+</small>' in html
    assert "Page 1</span>" in html
    last = client.get(reverse("candidates"), {"page": 3})
    assert [c.name for c in last.context["page"].object_list] == ["Person Number0"]
    assert not last.context["page"].has_next
    past_the_end = client.get(reverse("candidates"), {"page": 9})
    assert past_the_end.context["page"].number == 3
    assert [c.name for c in past_the_end.context["page"].object_list] == ["Person Number0"]


def test_a_short_list_shows_its_exact_count_and_pages(client, tara, posting, monkeypatch):
    monkeypatch.setattr("hirebridge.web.views.PAGE_SIZE", 2)
    for i in range(3):
        candidate(tara, f"Person Number{i}", posting=posting)
    client.force_login(tara)
    response = client.get(reverse("candidates"), {"page": "7"})
    page = response.context["page"]
    assert (str(page.total), page.num_pages, page.number) == ("3", 2, 2)
    assert "Page 2 of 2</span>" in response.content.decode()
    not_a_number = client.get(reverse("candidates"), {"page": "two"})
    assert not_a_number.context["page"].number == 1
