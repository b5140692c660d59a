"""Two-factor sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password.

A user has at most one authenticator. Enrolling creates it unconfirmed; it counts only once a
code from the app confirms it, and then ten one-time recovery codes are issued for a lost phone.
Turning two-factor sign-in on or off ends the user's other sessions (ASVS 7.4.3). The REST API
is not affected: an API key is a separate secret that never passes through this sign-in.

Codes are checked by django-otp: a TOTP code is accepted once (a replayed code is refused).
Failed codes are limited by accounts.throttle, not by django-otp's own back-off, which grows
without bound per device and would let anyone with the password lock its owner out for good.
"""

import base64

import segno
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hirebridge.accounts.models import SignInPolicy, User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required() -> bool:
    return SignInPolicy.current().two_factor_required


def enrolment(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, with a new secret if there is none yet."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return pending or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for typing into an app by hand."""
    encoded = base64.b32encode(device.bin_key).decode()
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code: drawn here, never fetched from elsewhere."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code")


def clean_code(code: str) -> str:
    """A code as typed: spaces and dashes dropped, recovery codes lower-case."""
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def confirm(user: User, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the user's enrolment with a code from the app: the authenticator and the new
    recovery codes (shown once), or None when the code is wrong or nothing is being set up.
    The user's other sessions end."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(clean_code(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = issue_recovery_codes(user)
    user.end_sessions()
    return device, codes


def verify(user: User, code: str) -> Device | None:
    """The device that accepts `code` (an app code, or an unused recovery code, which is then
    spent), or None."""
    code = clean_code(code)
    if not code:
        return None
    devices: QuerySet[TOTPDevice] | QuerySet[StaticDevice] = (
        TOTPDevice.objects.filter(user=user, confirmed=True)
        if code.isdigit()
        else StaticDevice.objects.filter(user=user, confirmed=True)
    )
    with transaction.atomic():
        for device in devices.select_for_update():
            if device.verify_token(code):
                return device
    return None


def issue_recovery_codes(user: User) -> list[str]:
    """Ten new one-time codes; the previous ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def disable(user: User) -> None:
    """Remove the authenticator and the recovery codes; the user's other sessions end."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.end_sessions()


@transaction.atomic
def set_required(required: bool, by: User) -> bool:
    """Require two-factor sign-in of everyone, or stop requiring it; True if that changed.

    Turning it on ends the sessions of everyone who has no authenticator yet: their next sign-in
    takes them through enrolment before anything else."""
    policy, _ = SignInPolicy.objects.select_for_update().get_or_create(pk=SignInPolicy.SINGLE_ROW)
    if policy.two_factor_required == required:
        return False
    policy.two_factor_required = required
    policy.changed_at = timezone.now()
    policy.changed_by = by
    policy.save()
    if required:
        enrolled = TOTPDevice.objects.filter(confirmed=True).values("user")
        User.objects.exclude(pk__in=enrolled).update(session_generation=F("session_generation") + 1)
    return True
