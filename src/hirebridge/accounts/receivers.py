"""Every sign-in, failed sign-in and sign-out is an audit row (ASVS 16.3.1), from Django's
auth signals, so a login by any path is recorded.

A failed sign-in names the account only when it exists, by id; the typed email is never
stored, since a mistyped one may be someone else's address or a password typed in its place.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hirebridge import audit
from hirebridge.accounts.models import User
from hirebridge.accounts.throttle import normalise


def second_factor(device: Any) -> str:
    """How the sign-in was confirmed, as the audit detail names it."""
    if isinstance(device, TOTPDevice):
        return "authenticator"
    if isinstance(device, StaticDevice):
        return "recovery_code"
    return "none"


@receiver(user_logged_in, dispatch_uid="hirebridge.audit.login")
def record_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    device = getattr(user, "otp_device", None)
    audit.record(
        "login.succeeded",
        actor=user,
        target=user,
        request=request,
        detail={"second_factor": second_factor(device)},
    )


@receiver(user_logged_out, dispatch_uid="hirebridge.audit.logout")
def record_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record("logout", actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="hirebridge.audit.login_failed")
def record_login_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    typed = credentials.get(User.USERNAME_FIELD) or credentials.get("username") or ""
    account = User.objects.filter(email=normalise(str(typed))).values_list("pk", flat=True).first()
    audit.record(
        "login.failed",
        target=("user", account) if account else None,
        request=request,
        detail={"known_account": account is not None},
    )
