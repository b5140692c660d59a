"""Two-factor sign-in in the account area, and the sign-in policy in Settings.

Every user turns two-factor sign-in on for themselves (scan, confirm with a code), gets new
recovery codes, or turns it off, each confirmed with a current code; turning it off is refused
while the policy requires it. Those who manage users (Action.MANAGE_USERS) require it of
everyone, or stop requiring it; they must use it themselves first, so the change cannot sign
them out. Each change ends the user's other sessions and keeps the current one.
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hirebridge import audit
from hirebridge.accounts import policy, two_factor
from hirebridge.accounts.models import SignInPolicy, User
from hirebridge.web.sign_in import (
    BAD_INPUT,
    CodeForm,
    Throttled,
    checked_code,
    posted,
    too_many_attempts,
)


class PolicyForm(forms.Form):
    two_factor_required = forms.BooleanField(
        required=False, label="Require two-factor sign-in of everyone"
    )


R = TypeVar("R")


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required lets only a signed-in User through


def _render(request: HttpRequest, *, form: CodeForm | None = None, status: int = 200):
    user = _me(request)
    enabled = two_factor.is_enabled(user)
    context: dict[str, Any] = {
        "enabled": enabled,
        "required": two_factor.is_required(),
        "form": form or CodeForm(),
        "may_set_policy": policy.can(user, policy.Action.MANAGE_USERS),
    }
    if enabled:
        context["recovery_codes_left"] = two_factor.recovery_codes_left(user)
    else:
        device = two_factor.enrolment(user)
        context["qr"] = two_factor.qr_svg(device)
        context["secret"] = two_factor.secret_text(device)
    return render(request, "web/account/two_factor.html", context, status=status)


def _back(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("two-factor"), status=303)


def _refused_code(request: HttpRequest, user: User) -> HttpResponse | None:
    """None when the posted code (current or recovery) confirms the user's two-factor sign-in;
    else the answer that refuses it."""
    _, refused = _posted_code(
        request,
        lambda code: two_factor.verify(user, code),
        user,
        "That code is not right, or it was used already.",
    )
    return refused


def _posted_code(
    request: HttpRequest, check: Callable[[str], R | None], user: User, wrong: str
) -> tuple[R | None, HttpResponse | None]:
    """What `check` makes of the posted code, or the answer that refuses it: the form naming
    the error (`wrong` when the code does not check out), or the throttle's 429."""
    form = CodeForm(request.POST)
    if not form.is_valid():
        return None, _render(request, form=form, status=BAD_INPUT)
    try:
        result = checked_code(request, user, lambda: check(form.cleaned_data["code"]))
    except Throttled as throttled:
        return None, too_many_attempts(request, throttled.retry_after)
    if result is None:
        form.add_error("code", wrong)
        return None, _render(request, form=form, status=BAD_INPUT)
    return result, None


def _keep_this_session(request: HttpRequest) -> None:
    """The change ended every session of the user; this one goes on (with a new key)."""
    update_session_auth_hash(request, _me(request))


@never_cache
@require_GET
@login_required
def page(request: HttpRequest) -> HttpResponse:
    return _render(request)


@never_cache
@require_POST
@login_required
def enable(request: HttpRequest) -> HttpResponse:
    """Confirm the authenticator with a code; the answer shows the recovery codes, once."""
    user = _me(request)
    if two_factor.is_enabled(user):
        messages.info(request, "Two-factor sign-in is already on.")
        return _back(request)
    confirmed, refused = _posted_code(
        request,
        lambda code: two_factor.confirm(user, code),
        user,
        "That code is not right: check the app shows hirebridge's code.",
    )
    if refused is not None:
        return refused
    device, codes = cast("tuple[TOTPDevice, list[str]]", confirmed)
    _keep_this_session(request)
    otp_login(request, device)
    audit.record("two_factor.enrolled", target=user)
    context = {"codes": codes, "continue_url": reverse("two-factor")}
    return render(request, "web/account/two_factor_recovery_codes.html", context, status=201)


@never_cache
@require_POST
@login_required
def disable(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not two_factor.is_enabled(user):
        messages.info(request, "Two-factor sign-in is already off.")
        return _back(request)
    if two_factor.is_required():
        raise PermissionDenied(
            "Two-factor sign-in is required of everyone here, so it cannot be turned off."
        )
    refused = _refused_code(request, user)
    if refused is not None:
        return refused
    two_factor.disable(user)
    _keep_this_session(request)
    audit.record("two_factor.disabled", target=user)
    messages.success(request, "Two-factor sign-in is off. Your other sessions were signed out.")
    return _back(request)


@never_cache
@require_POST
@login_required
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes, confirmed with a current code; shown once."""
    user = _me(request)
    if not two_factor.is_enabled(user):
        messages.info(request, "Turn two-factor sign-in on first.")
        return _back(request)
    refused = _refused_code(request, user)
    if refused is not None:
        return refused
    codes = two_factor.issue_recovery_codes(user)
    audit.record("two_factor.recovery_codes_issued", target=user)
    context = {"codes": codes, "continue_url": reverse("two-factor")}
    return render(request, "web/account/two_factor_recovery_codes.html", context, status=201)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def policy_page(request: HttpRequest) -> HttpResponse:
    """Settings → Sign-in: require two-factor sign-in of everyone, or not."""
    user = _me(request)
    if not policy.can(user, policy.Action.MANAGE_USERS):
        raise PermissionDenied("Only Admins and Super Admins set how everyone signs in.")
    current = SignInPolicy.current()
    form = PolicyForm(posted(request), initial={"two_factor_required": current.two_factor_required})
    status = 200
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["two_factor_required"]
        if required and not two_factor.is_enabled(user):
            form.add_error(
                "two_factor_required",
                "Turn on two-factor sign-in for yourself first: requiring it signs out everyone "
                "who has not set it up.",
            )
        else:
            if two_factor.set_required(required, by=user):
                audit.record(
                    "sign_in_policy.changed",
                    target=("signinpolicy", SignInPolicy.SINGLE_ROW),
                    detail={"two_factor_required": required},
                )
                messages.success(
                    request,
                    "Two-factor sign-in is now required of everyone; those without it were "
                    "signed out and set it up when they next sign in."
                    if required
                    else "Two-factor sign-in is no longer required.",
                )
            return HttpResponseRedirect(reverse("sign-in-policy"), status=303)
    if form.errors:
        status = BAD_INPUT
    context = {"form": form, "policy": SignInPolicy.current()}
    return render(request, "web/account/two_factor_policy.html", context, status=status)
