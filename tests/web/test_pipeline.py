import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Opportunity
from hirebridge.hiring.models.candidates import Origin
from hirebridge.hiring.models.stages import APPLICANT_NEW, LEAD_NEW, LEAD_REACHED_OUT, OFFER
from hirebridge.web import pipeline
from hirebridge.web.pipeline import COUNT_CAP, PAGE_SIZE
from tests.factories import PostingFactory, candidate


def names(response) -> list[str]:
    return [opportunity.candidate.name for opportunity in response.context["rows"]]


def counts(response) -> dict[str, int]:
    return {
        item.stage.text: item.count for _, items in response.context["sections"] for item in items
    }


@pytest.fixture
def two_postings(alex, lee):
    """Lee manages the platform posting; the sales posting is not theirs."""
    managed = PostingFactory(title="Platform Lead", owner=alex, hiring_manager=lee)
    other = PostingFactory(title="Sales Lead", owner=alex)
    return managed, other


def test_stages_come_in_section_order_with_offer_last(client, tara):
    client.force_login(tara)
    response = client.get(reverse("pipeline"))
    sections = response.context["sections"]
    assert [label for label, _ in sections] == ["Lead", "Applicant", "Interview"]
    assert [item.stage.text for item in sections[0][1]] == ["New lead", "Reached out", "Responded"]
    assert sections[2][1][-1].stage.id == OFFER
    html = response.content.decode()
    assert html.index(">Lead<") < html.index(">Applicant<") < html.index(">Interview<")


def test_opportunities_are_grouped_and_counted_by_stage(client, tara, posting):
    candidate(tara, "Ada Lovelace", posting=posting)
    candidate(tara, "Grace Hopper", posting=posting)
    candidate(tara, "Alan Turing", posting=posting, stage_id=APPLICANT_NEW)
    client.force_login(tara)
    response = client.get(reverse("pipeline"))
    assert counts(response)["New lead"] == 2
    assert counts(response)["New applicant"] == 1
    assert counts(response)["Offer"] == 0
    assert response.context["selected"].id == LEAD_NEW  # the first stage holding any
    assert sorted(names(response)) == ["Ada Lovelace", "Grace Hopper"]
    chosen = client.get(reverse("pipeline"), {"stage": APPLICANT_NEW})
    assert names(chosen) == ["Alan Turing"]


def test_the_first_stage_with_opportunities_is_shown_by_default(client, tara, posting):
    candidate(tara, "Alan Turing", posting=posting, stage_id=APPLICANT_NEW)
    client.force_login(tara)
    response = client.get(reverse("pipeline"))
    assert response.context["selected"].id == APPLICANT_NEW
    assert names(response) == ["Alan Turing"]


def test_stages_are_counted_in_one_query_with_the_filters_up_to_the_cap(client, tara, posting):
    candidate(tara, "Ada Lovelace", posting=posting, tags=["python"])
    candidate(tara, "Grace Hopper", posting=posting)
    client.force_login(tara)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pipeline"), {"tag": "python"})
    tallies = [q["sql"] for q in queries if "SELECT COUNT(*)" in q["sql"]]
    assert len(tallies) == 1
    assert tallies[0].count(f"LIMIT {COUNT_CAP + 1}") == 1  # one subquery, run per stage
    assert "hiring_opportunity_tags" in tallies[0]
    assert counts(response)["New lead"] == 1


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 and counts capped at 3, so that five opportunities go past both."""
    monkeypatch.setattr(pipeline, "PAGE_SIZE", 2)
    monkeypatch.setattr(pipeline, "COUNT_CAP", 3)


def test_a_stage_past_the_cap_shows_the_cap_and_pages_on(client, tara, posting, small_pages):
    for i in range(5):
        candidate(tara, f"Person Number{i}", posting=posting)
    candidate(tara, "Alan Turing", posting=posting, stage_id=APPLICANT_NEW)
    client.force_login(tara)
    first = client.get(reverse("pipeline"))
    assert (counts(first)["New lead"], counts(first)["New applicant"]) == (3, 1)
    assert str(first.context["total"]) == "4+"
    html = first.content.decode()
    assert '<span class="count">3+</span>' in html and '<span class="count">1</span>' in html
    assert "<span>Page 1</span>" in html and 'rel="next"' in html
    seen = names(first)
    last = client.get(reverse("pipeline"), {"page": 3})
    assert len(last.context["rows"]) == 1 and not last.context["pager"].has_next
    seen += names(client.get(reverse("pipeline"), {"page": 2})) + names(last)
    assert sorted(seen) == [f"Person Number{i}" for i in range(5)]


def test_a_page_past_the_end_of_a_capped_stage_shows_its_last(client, tara, posting, small_pages):
    for i in range(5):
        candidate(tara, f"Person Number{i}", posting=posting)
    client.force_login(tara)
    past_the_end = client.get(reverse("pipeline"), {"page": 9})
    assert past_the_end.context["pager"].number == 3
    assert past_the_end.context["pager"].num_pages == 3
    assert len(past_the_end.context["rows"]) == 1


def test_archived_opportunities_are_a_state_not_a_stage(client, tara, posting):
    kept = candidate(tara, "Ada Lovelace", posting=posting)
    gone = candidate(tara, "Grace Hopper", posting=posting)
    services.archive(tara, gone, ArchiveReason.objects.get(text="Withdrew"))
    client.force_login(tara)
    active = client.get(reverse("pipeline"))
    assert names(active) == ["Ada Lovelace"]
    assert "Archived" not in [
        item.stage.text for _, items in active.context["sections"] for item in items
    ]
    archived = client.get(reverse("pipeline"), {"state": "archived"})
    assert names(archived) == ["Grace Hopper"]
    assert "Archived: Withdrew" in archived.content.decode()
    both = client.get(reverse("pipeline"), {"state": "all"})
    assert sorted(names(both)) == ["Ada Lovelace", "Grace Hopper"]
    assert counts(both)["New lead"] == 2
    assert kept.pk in {o.pk for o in both.context["rows"]}


def test_the_posting_filter(client, tara, two_postings):
    platform, sales = two_postings
    candidate(tara, "Ada Lovelace", posting=platform)
    candidate(tara, "Grace Hopper", posting=sales)
    candidate(tara, "Alan Turing")  # a general opportunity
    client.force_login(tara)
    assert names(client.get(reverse("pipeline"), {"posting": str(sales.pk)})) == ["Grace Hopper"]
    assert names(client.get(reverse("pipeline"), {"posting": "general"})) == ["Alan Turing"]


def test_the_owner_filter(client, tara, alex, posting):
    candidate(tara, "Ada Lovelace", posting=posting, owner=alex)
    candidate(tara, "Grace Hopper", posting=posting)
    client.force_login(tara)
    assert names(client.get(reverse("pipeline"), {"owner": str(alex.pk)})) == ["Ada Lovelace"]


def test_the_source_and_origin_filters(client, tara, posting):
    candidate(tara, "Ada Lovelace", posting=posting, sources=["LinkedIn Recruiter"])
    candidate(tara, "Grace Hopper", posting=posting, sources=["Referral"], origin=Origin.REFERRED)
    client.force_login(tara)
    by_source = client.get(reverse("pipeline"), {"source": "LinkedIn Recruiter"})
    assert names(by_source) == ["Ada Lovelace"]
    assert names(client.get(reverse("pipeline"), {"origin": "referred"})) == ["Grace Hopper"]
    assert "LinkedIn Recruiter</span>" in by_source.content.decode()  # the row's badge


def test_the_tag_filter(client, tara, posting):
    candidate(tara, "Ada Lovelace", posting=posting, tags=["python", "senior"])
    candidate(tara, "Grace Hopper", posting=posting, tags=["cobol"])
    client.force_login(tara)
    response = client.get(reverse("pipeline"), {"tag": "senior"})
    assert names(response) == ["Ada Lovelace"]
    assert counts(response)["New lead"] == 1


def test_filters_combine_and_stay_in_the_stage_and_page_links(client, tara, alex, posting):
    for i in range(PAGE_SIZE + 1):
        candidate(tara, f"Person Number{i}", posting=posting, owner=alex, tags=["python"])
    candidate(tara, "Grace Hopper", posting=posting, owner=alex)
    client.force_login(tara)
    response = client.get(reverse("pipeline"), {"owner": str(alex.pk), "tag": "python"})
    assert counts(response)["New lead"] == PAGE_SIZE + 1
    html = response.content.decode()
    assert f"owner={alex.pk}&amp;tag=python&amp;stage={LEAD_NEW}&amp;page=2" in html
    assert f'href="?owner={alex.pk}&amp;tag=python&amp;stage={APPLICANT_NEW}"' in html


def test_the_list_pages_on_the_server(client, tara, posting):
    for i in range(PAGE_SIZE + 3):
        candidate(tara, f"Person Number{i}", posting=posting)
    client.force_login(tara)
    first = client.get(reverse("pipeline"))
    assert len(first.context["rows"]) == PAGE_SIZE
    assert first.context["pager"].num_pages == 2
    second = client.get(reverse("pipeline"), {"page": 2})
    assert len(second.context["rows"]) == 3
    assert not set(names(first)) & set(names(second))
    past_the_end = client.get(reverse("pipeline"), {"page": 9})
    assert past_the_end.context["pager"].number == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("posting", "not-a-uuid"),
        ("owner", "not-a-uuid"),
        ("owner", "00000000-0000-4000-8000-000000000000"),
        ("source", "Carrier pigeon"),
        ("origin", "teleported"),
        ("tag", "no-such-tag"),
        ("state", "deleted"),
        ("stage", "no-such-stage"),
        ("page", "two"),
        ("page", "0"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(client, tara, posting, field, value):
    candidate(tara, "Ada Lovelace", posting=posting, tags=["python"])
    client.force_login(tara)
    response = client.get(reverse("pipeline"), {field: value})
    assert response.status_code == 400
    assert list(response.context["errors"]) == [field]
    html = response.content.decode()
    assert "Ada Lovelace" not in html
    assert f'id="{field}-error"' in html or f"{field}: " in html


def test_a_limited_team_member_sees_only_their_postings(client, tara, lee, two_postings):
    platform, sales = two_postings
    candidate(tara, "Ada Lovelace", posting=platform)
    candidate(tara, "Grace Hopper", posting=sales)
    client.force_login(lee)
    response = client.get(reverse("pipeline"))
    assert names(response) == ["Ada Lovelace"]
    assert counts(response)["New lead"] == 1
    html = response.content.decode()
    assert "Grace Hopper" not in html
    assert "Sales Lead" not in html  # not even in the posting filter


def test_a_posting_the_user_may_not_see_is_not_found(client, tara, lee, two_postings):
    _, sales = two_postings
    candidate(tara, "Grace Hopper", posting=sales)
    client.force_login(lee)
    response = client.get(reverse("pipeline"), {"posting": str(sales.pk)})
    assert response.status_code == 404
    assert "Grace Hopper" not in response.content.decode()


def test_an_interviewer_is_refused_with_the_permission_named(client, ivy, posting, tara):
    candidate(tara, "Ada Lovelace", posting=posting)
    client.force_login(ivy)
    response = client.get(reverse("pipeline"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "View candidates" in html
    assert "Ada Lovelace" not in html


def test_the_page_needs_a_login(client, db):
    response = client.get(reverse("pipeline"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", list(Role))
def test_a_login_lands_on_the_pipeline_when_the_role_sees_candidates(client, personas, role):
    client.force_login(personas[role])
    response = client.get(reverse("home"))
    if role == Role.INTERVIEWER:
        assert response.status_code == 200
        assert reverse("pipeline") not in response.content.decode()  # no nav link either
    else:
        assert response.status_code == 302
        assert response.url == reverse("pipeline")
        nav = client.get(response.url).content.decode()
        assert nav.index(f'href="{reverse("pipeline")}"') < nav.index(
            f'href="{reverse("candidates")}"'
        )


@pytest.mark.parametrize(
    "role", [Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER]
)
def test_the_move_control_posts_to_the_stage_endpoint_and_comes_back(client, personas, alex, role):
    managed = PostingFactory(owner=alex, hiring_manager=personas[Role.LIMITED_TEAM_MEMBER])
    ada = candidate(alex, "Ada Lovelace", posting=managed)
    client.force_login(personas[role])
    response = client.get(reverse("pipeline"), {"tag": "", "stage": LEAD_NEW})
    assert response.context["may_move"]
    html = response.content.decode()
    assert f'action="{reverse("opportunity-stage", args=[ada.pk])}"' in html
    assert f'<option value="{LEAD_REACHED_OUT}"' in html
    assert 'name="next" value="/pipeline/?tag=&amp;stage=lead-new"' in html
    assert "csrfmiddlewaretoken" in html


def test_an_archived_row_has_no_move_control(client, tara, posting):
    gone = candidate(tara, "Grace Hopper", posting=posting)
    services.archive(tara, gone, ArchiveReason.objects.get(text="Withdrew"))
    client.force_login(tara)
    html = client.get(reverse("pipeline"), {"state": "archived"}).content.decode()
    assert "Grace Hopper" in html
    assert reverse("opportunity-stage", args=[gone.pk]) not in html


def test_the_move_control_is_hidden_from_a_role_that_may_not_change(
    client, tara, posting, monkeypatch
):
    from hirebridge.accounts import policy

    candidate(tara, "Ada Lovelace", posting=posting)
    monkeypatch.setitem(
        policy.ROLES_ALLOWED, policy.Action.CHANGE_OPPORTUNITY, frozenset({Role.SUPER_ADMIN})
    )
    client.force_login(tara)
    response = client.get(reverse("pipeline"))
    assert names(response) == ["Ada Lovelace"]
    assert 'action="/opportunities/' not in response.content.decode()


@pytest.mark.parametrize("user_fixture", ["tara", "lee"])
def test_the_query_count_is_the_same_for_2_and_25_opportunities(
    client, request, alex, lee, two_postings, user_fixture
):
    platform, _ = two_postings
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            candidate(
                alex,
                f"Person Number{i}",
                posting=platform,
                owner=alex,
                sources=[f"Source {i % 3}"],
                tags=[f"tag-{i}", "python"],
            )

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("pipeline"), {"owner": str(alex.pk), "tag": "python"})
        assert response.status_code == 200
        return len(queries)

    add(2, 0)
    few = queries_for_page()
    add(PAGE_SIZE - 2, 2)
    assert Opportunity.objects.count() == PAGE_SIZE
    many = queries_for_page()
    assert many == few
    assert few <= 14


def test_moving_from_the_pipeline_comes_back_to_the_same_view(client, tara, posting):
    ada = candidate(tara, "Ada Lovelace", posting=posting, tags=["python"])
    client.force_login(tara)
    here = reverse("pipeline") + f"?tag=python&stage={LEAD_NEW}"
    response = client.post(
        reverse("opportunity-stage", args=[ada.pk]), {"stage": LEAD_REACHED_OUT, "next": here}
    )
    assert response.status_code == 303
    assert response.url == here
    after = client.get(response.url)
    assert names(after) == []
    assert counts(after)["Reached out"] == 1
    assert "Reached out" in after.content.decode().split('role="status"')[1].split("</p>")[0]


def test_an_interviewer_is_not_offered_the_candidate_pages(client, personas):
    client.force_login(personas[Role.INTERVIEWER])
    nav = client.get(reverse("api-keys")).content.decode().split("</nav>")[0]
    assert "Pipeline" not in nav and "Candidates" not in nav and "Recommendations" not in nav
