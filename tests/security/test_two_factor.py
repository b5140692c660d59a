"""Two-factor sign-in: a code after the password, enrolment, recovery codes, turning it off,
the policy that requires it, and the sessions each change ends."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hirebridge.accounts import two_factor
from hirebridge.accounts.models import ApiKey, SignInPolicy
from hirebridge.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def code(device: TOTPDevice) -> str:
    """What the authenticator app shows now (the `clock` fixture's now, when used)."""
    import time

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def password_step(client, user, ip=ATTACKER, **extra):
    return client.post(
        reverse("login") + extra.pop("query", ""),
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR=ip,
    )


def code_step(client, typed, ip=ATTACKER):
    return client.post(reverse("sign-in-code"), {"code": typed}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return client.get(reverse("two-factor")).status_code == 200


def test_the_password_alone_does_not_sign_in_a_user_with_two_factor(client, tara):
    enrolled(tara)
    response = password_step(client, tara)
    assert response["Location"] == reverse("sign-in-code")
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("candidates"))["Location"].startswith(reverse("login"))


def test_the_code_signs_in_verified_on_a_new_session_key_each_step(client, tara, clock):
    device = enrolled(tara)
    client.get(reverse("login"))
    client.cookies["sessionid"] = "x"  # whatever key a visitor brings
    password_step(client, tara)
    after_password = client.session.session_key
    response = code_step(client, code(device))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session.session_key not in ("x", after_password)
    page = client.get(reverse("two-factor"))
    assert page.wsgi_request.user == tara
    assert page.wsgi_request.user.is_verified()


def test_every_login_gets_a_new_session_key(client, tara):
    client.get(reverse("login"))
    password_step(client, tara)
    first = client.session.session_key
    client.post(reverse("logout"))
    password_step(client, tara)
    assert client.session.session_key != first


def test_the_page_asked_for_is_kept_through_the_code_step(client, tara, clock):
    device = enrolled(tara)
    password_step(client, tara, query="?next=/postings/")
    assert code_step(client, code(device))["Location"] == "/postings/"


def test_a_wrong_code_is_refused_naming_the_field_and_audited(client, tara):
    enrolled(tara)
    password_step(client, tara)
    response = code_step(client, "000000")
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not signed_in(client)
    assert AuditEvent.objects.filter(action="two_factor.failed", object_id=str(tara.pk)).exists()
    assert code_step(client, "").status_code == 400


def test_a_code_is_accepted_once(client, tara, clock):
    device = enrolled(tara)
    password_step(client, tara)
    used = code(device)
    code_step(client, used)
    client.post(reverse("logout"))
    password_step(client, tara)
    assert code_step(client, used).status_code == 400
    clock.shift(30)
    assert code_step(client, code(device)).status_code == 302


def test_a_recovery_code_signs_in_once(client, tara):
    enrolled(tara)
    spare, *_ = two_factor.issue_recovery_codes(tara)
    password_step(client, tara)
    assert code_step(client, spare.upper()).status_code == 302
    assert two_factor.recovery_codes_left(tara) == 9
    client.post(reverse("logout"))
    password_step(client, tara)
    assert code_step(client, spare).status_code == 400


def test_the_code_step_lasts_five_minutes(client, tara, clock):
    device = enrolled(tara)
    password_step(client, tara)
    clock.shift(5 * 60 + 1)
    response = code_step(client, code(device))
    assert response["Location"] == reverse("login")
    assert "enter your password again" in client.get(reverse("login")).content.decode()


def test_the_second_steps_need_the_password_step_first(client, db):
    for name in ("sign-in-code", "sign-in-enrol"):
        assert client.get(reverse(name))["Location"] == reverse("login")
        assert client.post(reverse(name), {"code": "123456"})["Location"] == reverse("login")


def test_an_empty_code_is_refused_naming_the_field(client, tara):
    enrolled(tara)
    password_step(client, tara)
    response = client.post(reverse("sign-in-code"), {})
    assert response.status_code == 400
    assert "Enter the 6-digit code" in response.content.decode()


def test_an_authenticator_removed_meanwhile_sends_back_to_the_password(client, tara):
    enrolled(tara)
    password_step(client, tara)
    two_factor.disable(tara)
    assert client.get(reverse("sign-in-code"))["Location"] == reverse("login")
    assert password_step(client, tara)["Location"] == reverse("home")


def test_a_deactivated_user_cannot_finish_the_code_step(client, tara, clock):
    device = enrolled(tara)
    password_step(client, tara)
    tara.deactivated_at = timezone.now()
    tara.save()
    assert code_step(client, code(device))["Location"] == reverse("login")
    assert not signed_in(client)


def test_wrong_codes_are_throttled_per_source_and_the_owner_signs_in_elsewhere(client, tara, clock):
    device = enrolled(tara)
    password_step(client, tara)
    for _ in range(5):
        assert code_step(client, "000000").status_code == 400
    refused = code_step(client, code(device))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert AuditEvent.objects.filter(action="two_factor.throttled").count() == 1
    owner = Client()
    password_step(owner, tara, ip=ELSEWHERE)
    assert code_step(owner, code(device), ip=ELSEWHERE).status_code == 302


def test_codes_guessed_from_many_addresses_share_one_budget(client, tara, settings, clock):
    settings.LOGIN_FAILURES_PER_IP = 8
    device = enrolled(tara)
    password_step(client, tara)
    for n in range(8):
        code_step(client, "000000", ip=f"203.0.113.{n}")
    assert code_step(client, code(device), ip="203.0.113.99").status_code == 429


def test_enrolment_counts_only_once_a_code_confirms_it(client, tara, clock):
    client.force_login(tara)
    page = client.get(reverse("two-factor")).content.decode()
    device = TOTPDevice.objects.get(user=tara)
    assert not device.confirmed and not two_factor.is_enabled(tara)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    assert "<svg" in page and "<img" not in page
    wrong = client.post(reverse("two-factor-enable"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert not two_factor.is_enabled(tara)
    response = client.post(reverse("two-factor-enable"), {"code": code(device)})
    assert response.status_code == 201
    shown = re.findall(r'<code class="secret">([a-z2-7]{8})</code>', response.content.decode())
    assert len(shown) == 10
    assert sorted(shown) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert response["Cache-Control"].startswith("max-age=0")
    assert two_factor.is_enabled(tara)
    assert client.get(reverse("two-factor")).wsgi_request.user.is_verified()
    assert AuditEvent.objects.filter(action="two_factor.enrolled").count() == 1


def test_the_qr_code_is_drawn_inline(tara):
    device = two_factor.enrolment(tara)
    svg = two_factor.qr_svg(device)
    assert svg.startswith("<svg") and "http" not in svg
    assert device.config_url.startswith("otpauth://totp/hirebridge%3A")


def test_turning_two_factor_on_ends_the_other_sessions_only(client, tara, clock):
    other = Client()
    other.force_login(tara)
    client.force_login(tara)
    device = two_factor.enrolment(tara)
    client.post(reverse("two-factor-enable"), {"code": code(device)})
    assert signed_in(client)
    assert not signed_in(other)


def test_turning_off_needs_a_current_code_and_ends_the_other_sessions(client, tara, clock):
    device = enrolled(tara)
    two_factor.issue_recovery_codes(tara)
    other = Client()
    other.force_login(tara)
    client.force_login(tara)
    assert client.post(reverse("two-factor-disable"), {"code": "000000"}).status_code == 400
    assert two_factor.is_enabled(tara)
    response = client.post(reverse("two-factor-disable"), {"code": code(device)})
    assert response.status_code == 303
    assert not two_factor.is_enabled(tara) and two_factor.recovery_codes_left(tara) == 0
    assert signed_in(client) and not signed_in(other)
    assert AuditEvent.objects.filter(action="two_factor.disabled").count() == 1


def test_new_recovery_codes_replace_the_old_ones(client, tara, clock):
    device = enrolled(tara)
    old = set(two_factor.issue_recovery_codes(tara))
    client.force_login(tara)
    response = client.post(reverse("two-factor-recovery-codes"), {"code": code(device)})
    assert response.status_code == 201
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10 and not new & old


def test_only_those_who_manage_users_set_the_policy(client, personas):
    for role, user in personas.items():
        client.force_login(user)
        may = role in ("super admin", "admin")
        assert client.get(reverse("sign-in-policy")).status_code == (200 if may else 403)
        response = client.post(reverse("sign-in-policy"), {"two_factor_required": "on"})
        assert response.status_code == (400 if may else 403)
    assert not two_factor.is_required()


def test_requiring_it_first_needs_the_admin_to_use_it(client, alex):
    client.force_login(alex)
    response = client.post(reverse("sign-in-policy"), {"two_factor_required": "on"})
    assert response.status_code == 400
    assert "Turn on two-factor sign-in for yourself first" in response.content.decode()
    assert not SignInPolicy.objects.exists()


def test_when_required_users_without_it_are_signed_out_and_enrol_before_anything_else(
    client, alex, tara, clock
):
    enrolled(alex)
    tara_elsewhere = Client()
    tara_elsewhere.force_login(tara)
    client.force_login(alex)
    response = client.post(reverse("sign-in-policy"), {"two_factor_required": "on"})
    assert response.status_code == 303 and two_factor.is_required()
    assert signed_in(client), "the admin who requires it stays signed in"
    assert not signed_in(tara_elsewhere)
    policy = SignInPolicy.current()
    assert (policy.changed_by, policy.two_factor_required) == (alex, True)
    row = AuditEvent.objects.get(action="sign_in_policy.changed")
    assert (row.actor_id, row.detail) == (str(alex.pk), {"two_factor_required": True})

    tara_client = Client()
    assert password_step(tara_client, tara)["Location"] == reverse("sign-in-enrol")
    assert tara_client.get(reverse("candidates")).status_code == 302
    assert not signed_in(tara_client)
    page = tara_client.get(reverse("sign-in-enrol"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=tara, confirmed=False)
    done = tara_client.post(reverse("sign-in-enrol"), {"code": code(device)})
    assert done.status_code == 200 and "Save these codes now" in done.content.decode()
    assert signed_in(tara_client)
    assert tara_client.get(reverse("two-factor")).wsgi_request.user.is_verified()


def test_the_requirement_is_lifted_by_saving_without_the_box(client, sam):
    enrolled(sam)
    two_factor.set_required(True, by=sam)
    client.force_login(sam)
    assert client.post(reverse("sign-in-policy"), {}).status_code == 303
    assert not two_factor.is_required()
    row = AuditEvent.objects.get(action="sign_in_policy.changed")
    assert row.detail == {"two_factor_required": False}


def test_while_required_it_cannot_be_turned_off(client, tara, clock):
    device = enrolled(tara)
    SignInPolicy.objects.create(two_factor_required=True)
    client.force_login(tara)
    assert "cannot be turned off" in client.get(reverse("two-factor")).content.decode()
    response = client.post(reverse("two-factor-disable"), {"code": code(device)})
    assert response.status_code == 403
    assert two_factor.is_enabled(tara)


def test_api_keys_do_not_ask_for_a_code(client, tara):
    enrolled(tara)
    SignInPolicy.objects.create(two_factor_required=True)
    _, plaintext = ApiKey.objects.issue(tara, "script")
    auth = "Basic " + base64.b64encode(f"{plaintext}:".encode()).decode()
    assert client.get("/v1/postings", HTTP_AUTHORIZATION=auth).status_code == 200


def test_the_admin_login_form_leads_to_the_two_step_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/"


def test_a_deactivated_users_sessions_end(client, tara):
    client.force_login(tara)
    tara.deactivated_at = timezone.now()
    tara.save()
    assert not signed_in(client)


def test_a_new_password_ends_every_session(client, tara):
    client.force_login(tara)
    tara.set_password("another long passphrase for tara")
    tara.save()
    assert not signed_in(client)


def test_sign_in_and_out_are_audited_with_the_second_factor(client, tara, clock):
    device = enrolled(tara)
    password_step(client, tara)
    assert not AuditEvent.objects.filter(action="login.succeeded").exists()
    code_step(client, code(device))
    client.post(reverse("logout"))
    login, logout = AuditEvent.objects.filter(action__in=["login.succeeded", "logout"]).order_by(
        "id"
    )
    assert (login.action, login.actor_id, login.detail) == (
        "login.succeeded",
        str(tara.pk),
        {"second_factor": "authenticator"},
    )
    assert (logout.action, logout.actor_id) == ("logout", str(tara.pk))
