"""Settings → Privacy: how many people are kept from being imported again, and lifting one.

The suppression list holds keyed hashes only, so it cannot be shown as a list of people: an
admin lifts a suppression by typing one value the person was known by (their email, LinkedIn
person URN or profile URL), e.g. when they ask to be considered after all. Who may erase may
lift (Action.DELETE_CANDIDATE); others get 403. Bad input is 400 naming the field.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hirebridge.accounts import policy
from hirebridge.accounts.policy import Action
from hirebridge.privacy import suppression
from hirebridge.privacy.models import Suppression
from hirebridge.web.candidate_actions import SeeOther

PERSON_URN_PREFIX = "urn:li:person:"


class LiftForm(forms.Form):
    value = forms.CharField(
        label="Email, LinkedIn person URN or LinkedIn profile URL",
        max_length=500,
        help_text="Exactly as the person was known; case and a trailing slash do not matter.",
    )

    def clean_value(self) -> suppression.Identifiers:
        value = self.cleaned_data["value"].strip()
        if value.startswith(PERSON_URN_PREFIX):
            return suppression.identifiers(person_urns=[value])
        if "linkedin.com/in/" in value.lower():
            return suppression.identifiers(profile_urls=[value])
        if "@" in value:
            return suppression.identifiers(emails=[value])
        raise forms.ValidationError(
            "value: expected an email address, a LinkedIn person URN (urn:li:person:…) or a "
            "LinkedIn profile URL (linkedin.com/in/…)"
        )


def may_manage_privacy(request: HttpRequest) -> dict[str, bool]:
    """Context processor: whether the nav shows Privacy."""
    return {"may_manage_privacy": policy.can(request.user, Action.DELETE_CANDIDATE)}


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, Action.DELETE_CANDIDATE):
        raise PermissionDenied("Only Admins and Super Admins manage the suppression list.")
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lifted = suppression.lift(form.cleaned_data["value"], request.user)
        if lifted:
            messages.success(request, "Lifted: LinkedIn may bring this person in again.")
        else:
            messages.info(request, "No suppression matches that value; nothing changed.")
        return SeeOther(reverse("privacy-settings"))
    context = {"form": form, "suppressions": Suppression.objects.count()}
    return render(request, "web/privacy_settings.html", context, status=400 if form.errors else 200)
