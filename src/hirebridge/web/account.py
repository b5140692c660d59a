"""My API keys: every logged-in user issues and revokes their own keys for the REST API.

A key acts with its owner's role, so any role may have keys. Its plaintext is shown once, on
the page that answers the create request (never cached), and only its hash is stored; another
user's key is a 404, never a hint that it exists.
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hirebridge import audit
from hirebridge.accounts import policy
from hirebridge.accounts.models import ApiKey, User

PAGE_SIZE = 25


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=ApiKey._meta.get_field("name").max_length,
        help_text="What the key is for, e.g. “Reporting script”.",
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the key a name.")
        return name


def _owner(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required lets only a logged-in User through


def _render(
    request: HttpRequest,
    *,
    form: ApiKeyForm | None = None,
    issued: tuple[ApiKey, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    keys = ApiKey.objects.filter(user=_owner(request)).order_by("-created_at", "id")
    context: dict[str, Any] = {
        "page": Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form or ApiKeyForm(),
        "issued": issued[0] if issued else None,
        "plaintext": issued[1] if issued else "",
    }
    return render(request, "web/account/api_keys.html", context, status=status)


@require_GET
@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    return _render(request)


@never_cache
@require_POST
@login_required
def api_key_create(request: HttpRequest) -> HttpResponse:
    """The answer carries the plaintext, the only time it is ever shown."""
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, status=400)
    with transaction.atomic():
        issued = ApiKey.objects.issue(_owner(request), form.cleaned_data["name"])
        audit.record("api_key.issued", target=issued[0])
    return _render(request, issued=issued, status=201)


@require_POST
@login_required
def api_key_revoke(request: HttpRequest, key_id: Any) -> HttpResponse:
    """Revoking a revoked key changes nothing and says so."""
    key = policy.visible_or_404(
        request.user, ApiKey.objects.filter(user=_owner(request)), pk=key_id
    )
    if key.revoked_at is None:
        with transaction.atomic():
            key.revoke()
            audit.record("api_key.revoked", target=key)
        messages.success(request, f"{key} is revoked: it no longer opens the API.")
    else:
        messages.info(request, f"{key} was already revoked.")
    return HttpResponseRedirect(reverse("api-keys"), status=303)
