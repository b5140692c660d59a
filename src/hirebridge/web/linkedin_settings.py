"""Settings → LinkedIn: this site's origin for the widgets, credentials, onboarding with
LinkedIn's configuration plugin, registration, onboarding status, seats and sync health, for
Admins and Super Admins (`Action.MANAGE_LINKEDIN`). What the page shows of the sync to LinkedIn
is read in linkedin_sync_status; its actions are in linkedin_sync_settings; the configuration
plugin's report is received in linkedin_widgets.

Each action is a POST that redirects back on success; a failure renders the page again with the
error next to its section (400 for bad input, 502 when LinkedIn refused). The client secret is
write-only: no page ever shows it.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.accounts.policy import Action
from hirebridge.linkedin import enablement, provisioning, seats
from hirebridge.linkedin.client import LinkedInError
from hirebridge.linkedin.enablement import ConfigurationError
from hirebridge.linkedin.models import (
    Integration,
    JobAvailability,
    LicenceTier,
    Seat,
    SyncCursor,
    SyncRun,
)
from hirebridge.linkedin.seats import SeatError
from hirebridge.web import linkedin_sync_status
from hirebridge.web.linkedin_sdk import loader, site_origin

RECENT_ERRORS = 10
BAD_INPUT, LINKEDIN_REFUSED = 400, 502

View = Callable[..., HttpResponse]


class CredentialsForm(forms.Form):
    client_id = forms.CharField(label="Client ID", max_length=enablement.CLIENT_ID_MAX_LENGTH)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again; leave blank to keep the stored one.",
    )
    organization_urn = forms.CharField(
        label="Organization",
        max_length=100,
        required=False,
        help_text="urn:li:organization:… (blank: Onboard with LinkedIn reports it)",
    )
    contract_urns = forms.CharField(
        label="Recruiter contracts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One urn:li:contract:… per line (blank: Onboard with LinkedIn reports them).",
    )
    licence_tier = forms.ChoiceField(label="Licence tier", choices=LicenceTier.choices)


class JobAvailabilityForm(forms.Form):
    job_availability = forms.ChoiceField(
        label="Who sees the jobs on LinkedIn", choices=JobAvailability.choices
    )


class SeatUserForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(deactivated_at__isnull=True), required=False
    )


def may_manage_linkedin(request: HttpRequest) -> dict[str, bool]:
    """Context processor: whether the nav shows Settings."""
    return {"may_manage_linkedin": policy.can(request.user, Action.MANAGE_LINKEDIN)}


def admin_only(view: View) -> View:
    """Anonymous users go to the login page; users without MANAGE_LINKEDIN get 403."""

    @login_required
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can(request.user, Action.MANAGE_LINKEDIN):
            raise PermissionDenied("Only Admins and Super Admins manage the LinkedIn integration.")
        return view(request, *args, **kwargs)

    return checked


@require_GET
@admin_only
def page(request: HttpRequest) -> HttpResponse:
    return render_page(request)


@require_POST
@admin_only
def save_credentials(request: HttpRequest) -> HttpResponse:
    form = CredentialsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            enablement.configure(
                data["client_id"],
                data["client_secret"],
                data["organization_urn"],
                data["contract_urns"].splitlines(),
                data["licence_tier"],
            )
        except ConfigurationError as bad:
            form.add_error(bad.field, bad.message)
        else:
            messages.success(request, "Credentials saved. Check them, then register with LinkedIn.")
            return redirect("linkedin-settings")
    return render_page(request, form=form, status=BAD_INPUT)


@require_POST
@admin_only
def check_credentials(request: HttpRequest) -> HttpResponse:
    integration = enablement.current()
    if integration is None:
        return render_page(request, errors={"credentials": NOT_CONFIGURED}, status=BAD_INPUT)
    if enablement.check(integration):
        messages.success(request, "LinkedIn accepted the credentials.")
        return redirect("linkedin-settings")
    return render_page(request, status=LINKEDIN_REFUSED)


@require_POST
@admin_only
def register(request: HttpRequest) -> HttpResponse:
    return _linkedin_step(
        request,
        "registration",
        lambda integration: enablement.register(integration, settings.HIREBRIDGE_PUBLIC_URL),
        "Integrations named and CALLBACK_URL set at LinkedIn.",
    )


@require_POST
@admin_only
def provision(request: HttpRequest) -> HttpResponse:
    """Register this site's origin with LinkedIn through the hosting partner's application (and
    store the customer application's credentials it answers with)."""
    origin = site_origin(request)
    try:
        provisioning.provision(origin)
    except ConfigurationError as bad:
        return render_page(request, errors={"site": str(bad)}, status=BAD_INPUT)
    except LinkedInError as refused:
        return render_page(request, errors={"site": str(refused)}, status=LINKEDIN_REFUSED)
    messages.success(request, f"{origin} is registered with LinkedIn: the widgets may load here.")
    return redirect("linkedin-settings")


@require_POST
@admin_only
def refresh_statuses(request: HttpRequest) -> HttpResponse:
    return _linkedin_step(
        request, "registration", enablement.refresh_statuses, "Status read from LinkedIn."
    )


@require_POST
@admin_only
def refresh_seats(request: HttpRequest) -> HttpResponse:
    integration = enablement.current()
    if integration is None:
        return render_page(request, errors={"seats": NOT_CONFIGURED}, status=BAD_INPUT)
    try:
        result = seats.refresh_seats(integration)
    except LinkedInError as refused:
        return render_page(request, errors={"seats": str(refused)}, status=LINKEDIN_REFUSED)
    summary = (
        f"Seats refreshed: {result.created} new, {result.deactivated} deactivated, "
        f"{result.mapped} newly mapped, {result.unmapped} unmapped."
    )
    if result.errors:
        unread = "; ".join(f"{urn}: {reason}" for urn, reason in result.errors.items())
        error = f"{summary} Not read: {unread}"
        return render_page(request, errors={"seats": error}, status=LINKEDIN_REFUSED)
    messages.success(request, summary)
    return redirect("linkedin-settings")


@require_POST
@admin_only
def map_seat(request: HttpRequest, seat_id: int) -> HttpResponse:
    """Give the seat to the chosen user by hand, or to nobody (an empty choice)."""
    seat = get_object_or_404(Seat, pk=seat_id)
    form = SeatUserForm(request.POST)
    if not form.is_valid():
        return render_page(
            request, errors={"seats": f"{seat}: choose a user from the list"}, status=BAD_INPUT
        )
    user = form.cleaned_data["user"]
    try:
        if user is None:
            seats.unmap_seat(seat, by=acting_user(request))
        else:
            seats.map_seat(seat, user, by=acting_user(request))
    except SeatError as bad:
        return render_page(request, errors={"seats": f"{seat}: {bad}"}, status=BAD_INPUT)
    messages.success(request, f"{seat} is mapped to {user}." if user else f"{seat} is unmapped.")
    return redirect("linkedin-settings")


NOT_CONFIGURED = "Save the credentials first."


def _linkedin_step(
    request: HttpRequest, section: str, step: Callable[[Integration], object], done: str
) -> HttpResponse:
    integration = enablement.current()
    if integration is None:
        return render_page(request, errors={section: NOT_CONFIGURED}, status=BAD_INPUT)
    try:
        step(integration)
    except ConfigurationError as bad:
        return render_page(request, errors={section: str(bad)}, status=BAD_INPUT)
    except LinkedInError as refused:
        return render_page(request, errors={section: str(refused)}, status=LINKEDIN_REFUSED)
    messages.success(request, done)
    return redirect("linkedin-settings")


def acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)  # admin_only lets only a logged-in User through


def render_page(
    request: HttpRequest,
    *,
    form: CredentialsForm | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    integration = enablement.current()
    if form is None:
        form = CredentialsForm(initial=_initial(integration))
    context: dict[str, Any] = {
        "integration": integration,
        "form": form,
        "errors": errors or {},
        "poll": seats.poll_interval(integration),
        "users": User.objects.filter(deactivated_at__isnull=True).order_by("name"),
        "site_origin": site_origin(request),
        "partner_configured": provisioning.Partner.from_settings().configured,
    }
    if integration is not None:
        context |= _integration_context(integration)
    return render(request, "web/linkedin/settings.html", context, status=status)


def _initial(integration: Integration | None) -> dict[str, str]:
    if integration is None:
        return {"licence_tier": LicenceTier.TRM}
    return {
        "client_id": integration.client_id,
        "organization_urn": integration.organization_urn,
        "contract_urns": "\n".join(integration.contracts.values_list("urn", flat=True)),
        "licence_tier": integration.licence_tier,
    }


def _integration_context(integration: Integration) -> dict[str, Any]:
    try:
        callback_url = enablement.callback_url(integration, settings.HIREBRIDGE_PUBLIC_URL)
        callback_error = ""
    except ConfigurationError as bad:
        callback_url, callback_error = "", f"HIREBRIDGE_PUBLIC_URL: {bad.message}"
    return {
        "callback_url": callback_url,
        "callback_error": callback_error,
        "statuses": integration.statuses.all(),
        "seats": Seat.objects.filter(contract__integration=integration)
        .select_related("contract", "user")
        .order_by("-active", F("user").asc(nulls_first=True), "last_name", "first_name"),
        "cursors": SyncCursor.objects.filter(integration=integration),
        "failed_runs": SyncRun.objects.filter(cursor__integration=integration, ok=False)
        .select_related("cursor")
        .order_by("-started_at")[:RECENT_ERRORS],
        "availability_form": JobAvailabilityForm(
            initial={"job_availability": integration.job_availability}
        ),
        "sdk": loader(integration, "ATSIntegrationWidget"),
    } | linkedin_sync_status.context(integration)
