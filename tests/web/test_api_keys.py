import pytest
from django.test import Client
from django.urls import reverse

from hirebridge.accounts.models import ApiKey
from hirebridge.accounts.roles import Role
from hirebridge.web.account import PAGE_SIZE


def _create(client, name="Reporting script"):
    return client.post(reverse("api-key-create"), {"name": name})


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_the_page_in_the_user_menu(client, personas, role):
    client.force_login(personas[role])
    response = client.get(reverse("api-keys"))
    assert response.status_code == 200
    assert f'href="{reverse("api-keys")}"' in response.content.decode()


def test_the_plaintext_is_shown_once_and_the_key_opens_the_api(client, tara):
    client.force_login(tara)
    response = _create(client)
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    plaintext = response.context["plaintext"]
    html = response.content.decode()
    assert plaintext in html
    assert "will not be shown again" in html
    assert ApiKey.objects.authenticate(plaintext) == tara
    key = ApiKey.objects.get(user=tara)
    assert (key.name, key.prefix) == ("Reporting script", plaintext[:10])
    later = client.get(reverse("api-keys")).content.decode()
    assert plaintext not in later
    assert key.prefix in later and "Reporting script" in later


def test_the_list_shows_last_use_and_revocation(client, tara):
    client.force_login(tara)
    plaintext = _create(client, "Used").context["plaintext"]
    ApiKey.objects.authenticate(plaintext)
    _create(client, "Unused")
    rows = {key.name: key for key in client.get(reverse("api-keys")).context["page"].object_list}
    assert rows["Used"].last_used_at is not None
    assert rows["Unused"].last_used_at is None


def test_revoke_closes_the_key(client, tara):
    client.force_login(tara)
    plaintext = _create(client).context["plaintext"]
    key = ApiKey.objects.get(user=tara)
    page = client.get(reverse("api-keys")).content.decode()
    assert 'data-confirm="Revoke' in page
    response = client.post(reverse("api-key-revoke", args=[key.pk]))
    assert response.status_code == 303
    assert response["Location"] == reverse("api-keys")
    assert ApiKey.objects.authenticate(plaintext) is None
    after = client.get(reverse("api-keys")).content.decode()
    assert "is revoked: it no longer opens the API" in after
    assert 'class="badge no">revoked' in after
    again = client.post(reverse("api-key-revoke", args=[key.pk]), follow=True)
    assert "already revoked" in again.content.decode()


def test_another_users_key_is_404(client, tara, lee):
    key, plaintext = ApiKey.objects.issue(lee, "Lee's key")
    client.force_login(tara)
    assert client.post(reverse("api-key-revoke", args=[key.pk])).status_code == 404
    assert ApiKey.objects.authenticate(plaintext) == lee
    assert "Lee's key" not in client.get(reverse("api-keys")).content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 101, "at most 100"),
    ],
)
def test_a_bad_name_is_refused_next_to_the_field(client, tara, name, message):
    client.force_login(tara)
    response = _create(client, name)
    assert response.status_code == 400
    assert message in response.context["form"].errors["name"][0]
    assert not ApiKey.objects.exists()


def test_posts_need_the_csrf_token(tara):
    key, _ = ApiKey.objects.issue(tara, "Kept")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(tara)
    assert strict.post(reverse("api-key-create"), {"name": "Sneaky"}).status_code == 403
    assert strict.post(reverse("api-key-revoke", args=[key.pk])).status_code == 403
    assert list(ApiKey.objects.values_list("name", "revoked_at")) == [("Kept", None)]


def test_the_list_pages_in_a_fixed_number_of_queries(client, tara, django_assert_max_num_queries):
    for i in range(PAGE_SIZE + 3):
        ApiKey.objects.issue(tara, f"Key {i}")
    client.force_login(tara)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("api-keys"))
    assert len(response.context["page"].object_list) == PAGE_SIZE
    assert len(client.get(reverse("api-keys"), {"page": 2}).context["page"].object_list) == 3


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(reverse("api-keys"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
