"""Failed sign-ins slow the source that makes them and never lock the account (ASVS 6.3.1)."""

from django.urls import reverse

from hirebridge.audit.models import AuditEvent
from tests.factories import PASSWORD

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def sign_in(client, email, password, ip=ATTACKER):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client, email, times, ip=ATTACKER):
    for _ in range(times):
        assert sign_in(client, email, "wrong password, again", ip).status_code == 200


def test_after_five_failures_the_source_waits_even_with_the_right_password(client, tara):
    fail(client, tara.email, 5)
    response = sign_in(client, tara.email, PASSWORD)
    assert response.status_code == 429
    assert 890 <= int(response["Retry-After"]) <= 900
    page = response.content.decode()
    assert "Try again in 15 minutes" in page
    assert "No account is locked" in page
    assert not response.wsgi_request.user.is_authenticated


def test_the_owner_signs_in_from_another_address_meanwhile(client, tara):
    fail(client, tara.email, 5)
    assert sign_in(client, tara.email, PASSWORD).status_code == 429
    response = sign_in(client, tara.email, PASSWORD, ip=ELSEWHERE)
    assert response.status_code == 302
    assert response.wsgi_request.user == tara


def test_once_the_window_ends_the_same_source_signs_in(client, tara, clock):
    fail(client, tara.email, 5)
    clock.shift(14 * 60)
    assert sign_in(client, tara.email, PASSWORD).status_code == 429
    clock.shift(61)
    assert sign_in(client, tara.email, PASSWORD).status_code == 302


def test_a_success_clears_the_count_for_that_account_and_address(client, tara):
    fail(client, tara.email, 4)
    assert sign_in(client, tara.email, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, tara.email, 4)
    assert sign_in(client, tara.email, PASSWORD).status_code == 302


def test_the_email_is_counted_as_typed_in_any_case(client, tara):
    fail(client, tara.email.upper(), 3)
    fail(client, f"  {tara.email} ", 2)
    assert sign_in(client, tara.email, PASSWORD).status_code == 429


def test_an_unknown_email_is_answered_and_counted_like_a_known_one(client, tara):
    known = sign_in(client, tara.email, "wrong password, again")
    unknown = sign_in(client, "nobody@example.com", "wrong password, again")
    assert known.status_code == unknown.status_code == 200
    message = "That email and password do not match an active account."
    assert message in known.content.decode() and message in unknown.content.decode()
    fail(client, "nobody@example.com", 4)
    refused = sign_in(client, "nobody@example.com", "wrong password, again")
    assert refused.status_code == 429
    assert refused["Retry-After"] == sign_in(client, "nobody@example.com", "x").get("Retry-After")


def test_the_address_budget_covers_guesses_spread_over_many_accounts(client, tara, settings):
    settings.LOGIN_FAILURES_PER_IP = 6
    for n in range(6):
        fail(client, f"guess{n}@example.com", 1)
    assert sign_in(client, tara.email, PASSWORD).status_code == 429
    assert sign_in(client, tara.email, PASSWORD, ip=ELSEWHERE).status_code == 302


def test_an_empty_form_is_not_counted(client, tara):
    for _ in range(6):
        assert sign_in(client, tara.email, "").status_code == 200
    assert sign_in(client, tara.email, PASSWORD).status_code == 302


def test_failures_and_refusals_are_audited_without_the_typed_email(client, tara):
    fail(client, tara.email, 5)
    fail(client, "nobody@example.com", 1)
    sign_in(client, tara.email, PASSWORD)  # the address is past its budget for this account
    sign_in(client, tara.email, PASSWORD, ip=ELSEWHERE)
    rows = list(AuditEvent.objects.order_by("id"))
    assert [row.action for row in rows] == ["login.failed"] * 6 + [
        "login.throttled",
        "login.succeeded",
    ]
    assert [row.ip for row in rows] == [ATTACKER] * 7 + [ELSEWHERE]
    assert (rows[0].object_type, rows[0].object_id) == ("user", str(tara.pk))
    assert rows[0].detail == {"known_account": True}
    assert (rows[5].object_id, rows[5].detail) == ("", {"known_account": False})
    assert rows[6].detail["retry_after"] > 0
    assert (rows[7].actor_kind, rows[7].actor_id) == ("user", str(tara.pk))
    for row in rows:
        assert "example.com" not in f"{row.actor_id} {row.object_id} {row.detail}"


def test_behind_the_proxy_each_client_is_the_address_the_proxy_appended(client, tara, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = "10.0.0.5"
    for n in range(5):
        # The client varies what it sends itself; the proxy appends the address it saw.
        client.post(
            reverse("login"),
            {"username": tara.email, "password": "wrong password, again"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        )
    refused = client.post(
        reverse("login"),
        {"username": tara.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )
    assert refused.status_code == 429
    owner = client.post(
        reverse("login"),
        {"username": tara.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=ELSEWHERE,
    )
    assert owner.status_code == 302
