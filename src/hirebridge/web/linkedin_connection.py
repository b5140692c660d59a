"""The candidate page's LinkedIn actions: make sure LinkedIn holds the candidate, connect it to
the member the profile plugin reports, disconnect it.

Callers asking for JSON (the page's script, relaying the profile plugin's callbacks) get JSON;
a plain form post (the page without JavaScript, the trash button) is redirected back to the
candidate page with a message. A candidate the user may not see answers 404, so these never
tell that it exists; the rules themselves are linkedin.connections'.
"""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from hirebridge.accounts import policy
from hirebridge.hiring.models import Candidate
from hirebridge.linkedin import connections
from hirebridge.linkedin.connections import ConnectError, DisconnectRefused, NotSynced


@require_POST
@login_required
def prepare(request: HttpRequest, candidate_id: Any) -> HttpResponse:
    candidate = _visible(request, candidate_id)
    try:
        connections.prepare(request.user, candidate)
    except PermissionDenied as refused:
        return _failed(request, candidate, 403, str(refused))
    except ConnectError as bad:
        return _failed(request, candidate, 400, str(bad), field=bad.field)
    except NotSynced as waiting:
        return _failed(request, candidate, 409 if waiting.busy else 502, waiting.message)
    if _wants_json(request):
        return JsonResponse({"synced": True})
    return redirect(reverse("candidate", args=[candidate.pk]) + "?connect=1#linkedin")


@require_POST
@login_required
def connect(request: HttpRequest, candidate_id: Any) -> HttpResponse:
    candidate = _visible(request, candidate_id)
    try:
        member = _member(request)
        linked = connections.link(request.user, candidate, member)
    except PermissionDenied as refused:
        return _failed(request, candidate, 403, str(refused))
    except ConnectError as bad:
        return _failed(request, candidate, 400, str(bad), field=bad.field)
    except DisconnectRefused as refused:
        return _refused(request, candidate, refused)
    imported = linked.imported
    if _wants_json(request):
        return JsonResponse(
            {
                "connected": True,
                "member": linked.connection.person_urn,
                "primary": linked.connection.primary,
                "imported": {"inmails": imported.inmails, "notes": imported.notes},
            }
        )
    messages.success(
        request,
        f"{candidate.name} is connected to LinkedIn Recruiter "
        f"({imported.inmails} InMails and {imported.notes} notes brought in).",
    )
    return _back(candidate)


@require_POST
@login_required
def disconnect(request: HttpRequest, candidate_id: Any) -> HttpResponse:
    candidate = _visible(request, candidate_id)
    try:
        connections.disconnect(request.user, candidate)
    except PermissionDenied as refused:
        return _failed(request, candidate, 403, str(refused))
    except DisconnectRefused as refused:
        return _refused(request, candidate, refused)
    if _wants_json(request):
        return JsonResponse({"connected": False})
    messages.success(request, f"{candidate.name} is no longer connected to LinkedIn Recruiter.")
    return _back(candidate)


def _visible(request: HttpRequest, candidate_id: Any) -> Candidate:
    return policy.visible_or_404(
        request.user, policy.visible_candidates(request.user), pk=candidate_id
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _member(request: HttpRequest) -> object:
    """The member from a JSON body (`{"member": …}`) or a form field."""
    if request.content_type != "application/json":
        return request.POST.get("member", "")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise ConnectError("body", "not valid JSON") from None
    if not isinstance(body, dict):
        raise ConnectError("body", 'expected a JSON object such as {"member": "urn:li:person:…"}')
    return body.get("member", "")


def _back(candidate: Candidate) -> HttpResponse:
    return redirect(reverse("candidate", args=[candidate.pk]) + "#linkedin")


def _failed(
    request: HttpRequest, candidate: Candidate, status: int, error: str, *, field: str = ""
) -> HttpResponse:
    if _wants_json(request):
        body = {"error": error} | ({"field": field} if field else {})
        return JsonResponse(body, status=status)
    messages.error(request, error)
    return _back(candidate)


def _refused(
    request: HttpRequest, candidate: Candidate, refused: DisconnectRefused
) -> HttpResponse:
    if not _wants_json(request):
        messages.error(request, refused.message)
        return _back(candidate)
    duplicates = [
        {
            "id": str(duplicate.pk),
            "name": duplicate.name,
            "url": reverse("candidate", args=[duplicate.pk]),
            "merge_url": reverse("candidate-merge", args=[candidate.pk]) + f"?with={duplicate.pk}",
            "disconnect_url": reverse("candidate-linkedin-disconnect", args=[duplicate.pk]),
            "delete_url": reverse("candidate-delete", args=[duplicate.pk]),
        }
        for duplicate in refused.duplicates
    ]
    return JsonResponse({"error": refused.message, "duplicates": duplicates}, status=409)
