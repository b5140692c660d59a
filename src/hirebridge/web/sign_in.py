"""Signing in: the password, then a code for a user with two-factor sign-in; a user who must
have it and has none sets it up first.

Between the steps the session holds only who passed the password step, for PENDING_SECONDS;
it is not signed in, so nothing but the code and set-up pages answers it. Django's login() runs
once, after the last step, and gives the session a new key. Failed passwords and codes are
counted per source (accounts.throttle): past the budget the source gets a 429 naming when to
retry, and the account itself stays open to everyone else.
"""

import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django import forms
from django.contrib import auth, messages
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.models import Device

from hirebridge import audit
from hirebridge.accounts import throttle, two_factor
from hirebridge.accounts.models import User

PENDING_KEY = "hirebridge.sign_in.pending"
PENDING_SECONDS = 5 * 60
BAD_INPUT = 400
TOO_MANY = 429

R = TypeVar("R")


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def posted(request: HttpRequest) -> Any:
    """The submitted data to bind a form to; None (an unbound form) for a GET."""
    return request.POST if request.method == "POST" else None


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def too_many_attempts(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 page: how long to wait, and that nothing is locked."""
    retry_at = timezone.now() + timedelta(seconds=retry_after)
    context = {"minutes": math.ceil(retry_after / 60), "retry_at": retry_at}
    response = render(request, "registration/too_many_attempts.html", context, status=TOO_MANY)
    response["Retry-After"] = str(retry_after)
    return response


def checked_code(request: HttpRequest, user: User, check: Callable[[], R | None]) -> R | None:
    """Run `check` (which tries a code for `user`) unless this source has failed too often
    (raises Throttled); a failure is counted and audited."""
    source = throttle.Source.of(request, "code", str(user.pk), per_account=True)
    wait = throttle.retry_after(source)
    if wait:
        audit.record("two_factor.throttled", target=user, detail={"retry_after": wait})
        raise Throttled(wait)
    result = check()
    if result is None:
        throttle.record_failure(source)
        audit.record("two_factor.failed", target=user)
    else:
        throttle.record_success(source)
    return result


class SignInView(LoginView):
    """The password step."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.source = throttle.Source.of(request, "password", request.POST.get("username", ""))
        wait = throttle.retry_after(self.source)
        if wait:
            audit.record("login.throttled", detail={"retry_after": wait})
            return too_many_attempts(request, wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        if form.data.get("username") and form.data.get("password"):
            throttle.record_failure(self.source)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        throttle.record_success(self.source)
        if two_factor.is_enabled(user):
            _start_pending(self.request, user, self.get_success_url())
            return redirect("sign-in-code")
        if two_factor.is_required():
            _start_pending(self.request, user, self.get_success_url())
            return redirect("sign-in-enrol")
        return super().form_valid(form)


def _start_pending(request: HttpRequest, user: User, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": str(user.pk),
        "backend": user.backend,  # type: ignore[attr-defined]  # set by authenticate()
        "at": time.time(),
        "next": next_url,
    }


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The user who passed the password step on this session, if recently and still active."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"]).first()
    if user is None or not user.is_active:
        return None
    return user, pending


def _sign_in_again(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    messages.info(
        request, "Your sign-in took too long or was interrupted: enter your password again."
    )
    return redirect("login")


def _finish(request: HttpRequest, user: User, pending: dict[str, Any], device: Device) -> None:
    """Sign in for good. django-otp's login receiver stores the device that confirmed it."""
    del request.session[PENDING_KEY]
    user.otp_device = device  # type: ignore[attr-defined]
    auth.login(request, user, backend=pending["backend"])


@never_cache
@require_http_methods(["GET", "POST"])
def code_step(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        return _sign_in_again(request)
    user, pending = found
    if not two_factor.is_enabled(user):  # removed since the password step: start over
        return _sign_in_again(request)
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            device = checked_code(
                request, user, lambda: two_factor.verify(user, form.cleaned_data["code"])
            )
        except Throttled as refused:
            return too_many_attempts(request, refused.retry_after)
        if device is not None:
            _finish(request, user, pending, device)
            return redirect(pending["next"])
        form.add_error("code", "That code is not right, or it was used already. Try the next one.")
    status = BAD_INPUT if form.errors else 200
    return render(request, "registration/two_factor_code.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def enrol_step(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in is required and this user has none: set it up, then be signed in."""
    found = _pending(request)
    if found is None:
        return _sign_in_again(request)
    user, pending = found
    if two_factor.is_enabled(user):
        return redirect("sign-in-code")
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = checked_code(
                request, user, lambda: two_factor.confirm(user, form.cleaned_data["code"])
            )
        except Throttled as refused:
            return too_many_attempts(request, refused.retry_after)
        if confirmed is not None:
            device, codes = confirmed
            audit.record("two_factor.enrolled", actor=user, target=user)
            _finish(request, user, pending, device)
            context = {"codes": codes, "continue_url": pending["next"]}
            return render(request, "web/account/two_factor_recovery_codes.html", context)
        form.add_error("code", "That code is not right: check the app shows hirebridge's code.")
    device = two_factor.enrolment(user)
    context = {
        "form": form,
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
    }
    status = BAD_INPUT if form.errors else 200
    return render(request, "registration/two_factor_enrol.html", context, status=status)
