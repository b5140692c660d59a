"""The duplicates list, the merge page and the delete page: who may use them, what they show,
and that a POST needs its CSRF token."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from hirebridge.accounts.roles import Role
from hirebridge.hiring.duplicates import duplicates_of
from hirebridge.hiring.models import Candidate
from hirebridge.web.candidate_duplicates import GROUPS_PER_PAGE
from tests.factories import PostingFactory, candidate


@pytest.fixture
def twins(tara, posting):
    """Ada twice, sharing an email; the first is the older."""
    ada = candidate(tara, "Ada Lovelace", posting=posting, emails=["ada@example.com"]).candidate
    king = candidate(tara, "Ada King", posting=posting, emails=["ada@example.com"]).candidate
    return ada, king


def merge_url(first, second):
    return f"{reverse('candidate-merge', args=[first.pk])}?with={second.pk}"


def test_the_list_pages_through_groups_of_profiles_sharing_a_value(client, tara, posting):
    for i in range(GROUPS_PER_PAGE + 2):
        for name in ("One", "Two"):
            candidate(tara, f"Person{i} {name}", posting=posting, emails=[f"p{i}@example.com"])
    client.force_login(tara)
    first = client.get(reverse("candidate-duplicates"))
    assert first.status_code == 200
    assert len(first.context["groups"]) == GROUPS_PER_PAGE
    assert first.context["page"].paginator.count == GROUPS_PER_PAGE + 2
    second = client.get(reverse("candidate-duplicates"), {"page": 2})
    assert [g.key for g in second.context["groups"]] == ["p8@example.com", "p9@example.com"]
    assert "Merge Person9 Two…" in second.content.decode()


def test_the_list_shows_only_profiles_the_user_may_see(client, alex, lee):
    managed = PostingFactory(owner=alex, hiring_manager=lee)
    elsewhere = PostingFactory(owner=alex)
    candidate(alex, "Ada One", posting=managed, emails=["ada@example.com"])
    candidate(alex, "Ada Two", posting=elsewhere, emails=["ada@example.com"])
    client.force_login(lee)
    response = client.get(reverse("candidate-duplicates"))
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "Ada Two" not in response.content.decode()


def test_an_interviewer_has_no_duplicates_list(client, ivy):
    client.force_login(ivy)
    assert client.get(reverse("candidate-duplicates")).status_code == 403


def test_the_merge_page_shows_both_profiles_and_keeps_the_older_by_default(client, tara, twins):
    ada, king = twins
    client.force_login(tara)
    response = client.get(merge_url(king, ada))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html and "Ada King" in html
    assert response.context["default_keep"] == ada.pk
    assert "The other profile is removed" in html


def test_merging_redirects_to_the_profile_kept(client, tara, twins):
    ada, king = twins
    client.force_login(tara)
    response = client.post(merge_url(ada, king), {"keep": str(king.pk)})
    assert response.status_code == 302
    assert response.url == f"/candidates/{king.pk}/"
    assert not Candidate.objects.filter(pk=ada.pk).exists()


def test_the_merge_post_names_a_bad_choice(client, tara, twins):
    ada, king = twins
    client.force_login(tara)
    response = client.post(merge_url(ada, king), {"keep": "someone"})
    assert response.status_code == 400
    assert b"keep:" in response.content
    assert client.get(reverse("candidate-merge", args=[ada.pk])).status_code == 400
    assert client.get(merge_url(ada, ada)).status_code == 400
    assert Candidate.objects.count() == 2


def test_the_merge_post_needs_its_csrf_token(tara, twins):
    ada, king = twins
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tara)
    response = browser.post(merge_url(ada, king), {"keep": str(ada.pk)})
    assert response.status_code == 403
    assert Candidate.objects.count() == 2


@pytest.mark.parametrize("role", [Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER])
def test_roles_below_team_member_may_not_merge(client, personas, twins, role):
    ada, king = twins
    client.force_login(personas[role])
    assert client.get(merge_url(ada, king)).status_code == 403
    assert client.post(merge_url(ada, king), {"keep": str(ada.pk)}).status_code == 403
    assert Candidate.objects.count() == 2


def test_a_profile_the_user_may_not_see_is_not_found(client, alex, tara, twins):
    secret = PostingFactory(owner=alex, confidential=True)
    hidden = candidate(alex, "Ada Hidden", posting=secret, emails=["ada@example.com"]).candidate
    ada, _ = twins
    client.force_login(tara)
    assert client.get(merge_url(ada, hidden)).status_code == 404
    assert client.post(merge_url(hidden, ada), {"keep": str(ada.pk)}).status_code == 404
    assert Candidate.objects.filter(pk=hidden.pk).exists()


def test_an_admin_deletes_a_profile_after_confirming(client, alex, twins):
    _, king = twins
    client.force_login(alex)
    page = client.get(reverse("candidate-delete", args=[king.pk]))
    assert page.status_code == 200
    assert "Delete and forget Ada King?" in page.content.decode()
    response = client.post(reverse("candidate-delete", args=[king.pk]))
    assert response.status_code == 302
    assert response.url == reverse("candidates")
    assert not Candidate.objects.filter(pk=king.pk).exists()


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER, Role.INTERVIEWER])
def test_roles_below_admin_may_not_delete(client, personas, twins, role):
    _, king = twins
    client.force_login(personas[role])
    assert client.get(reverse("candidate-delete", args=[king.pk])).status_code == 403
    assert client.post(reverse("candidate-delete", args=[king.pk])).status_code == 403
    assert Candidate.objects.filter(pk=king.pk).exists()


def test_deleting_needs_the_csrf_token_and_a_visible_profile(alex, sam, twins):
    _, king = twins
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alex)
    assert browser.post(reverse("candidate-delete", args=[king.pk])).status_code == 403
    secret = PostingFactory(owner=sam, confidential=True)
    hidden = candidate(sam, "Ada Hidden", posting=secret).candidate
    client = Client()
    client.force_login(alex)
    assert client.post(reverse("candidate-delete", args=[hidden.pk])).status_code == 404
    assert Candidate.objects.filter(pk__in=[king.pk, hidden.pk]).count() == 2


def test_the_hints_list_each_duplicate_with_its_reasons_and_a_merge_link(tara, twins):
    ada, king = twins
    html = render_to_string(
        "web/candidates/_duplicate_hints.html",
        {"candidate": ada, "duplicates": duplicates_of(tara, ada)},
    )
    assert "Possible duplicates" in html
    assert "Ada King" in html and "same email ada@example.com" in html
    assert merge_url(ada, king).replace("&", "&amp;") in html or merge_url(ada, king) in html


def test_the_hints_say_nothing_without_duplicates(tara, twins):
    ada, _ = twins
    html = render_to_string("web/candidates/_duplicate_hints.html", {"candidate": ada})
    assert html.strip() == ""
