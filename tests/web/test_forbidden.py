import pytest
from django.urls import reverse

from hirebridge.accounts.roles import Role
from hirebridge.web.postings import NOT_ALLOWED


@pytest.mark.parametrize(
    ("role", "url_name", "reason"),
    [
        (Role.INTERVIEWER, "candidates", "does not give access to candidate profiles"),
        (Role.TEAM_MEMBER, "linkedin-settings", "Only Admins and Super Admins manage the LinkedIn"),
        (Role.LIMITED_TEAM_MEMBER, "posting-create", NOT_ALLOWED),
        (Role.INTERVIEWER, "posting-create", "“manage postings” permission"),
    ],
)
def test_the_403_page_says_which_permission_is_missing(client, personas, role, url_name, reason):
    user = personas[role]
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    html = response.content.decode()
    assert reason in html
    assert f"{user.name}, {user.get_role_display()}" in html
    assert f'href="{reverse("home")}"' in html
    assert "Not allowed" in html
