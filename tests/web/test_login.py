import pytest
from django.urls import reverse

from hirebridge.accounts.roles import Role
from tests.factories import PASSWORD


@pytest.mark.parametrize("role", list(Role))
def test_every_role_can_log_in_and_lands_on_a_page(client, personas, role):
    user = personas[role]
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"] == user
    assert user.name in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, tara):
    response = client.post(reverse("login"), {"username": tara.email, "password": "nope"})
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_deactivated_user_cannot_log_in(client, tara):
    from django.utils import timezone

    tara.deactivated_at = timezone.now()
    tara.save()
    response = client.post(reverse("login"), {"username": tara.email, "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated


def test_pages_need_a_login(client, db):
    for name in ("home", "candidates"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_logout_is_a_post(client, tara):
    client.force_login(tara)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("candidates")).status_code == 302
