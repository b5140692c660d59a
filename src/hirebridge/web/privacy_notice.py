"""The candidate page's "Mark notice as sent": the person was told what the ATS holds about them
and that it came from LinkedIn (GDPR Art. 14), so the reminder goes away.

Like the page's other actions: a candidate the user may not see is 404; seeing them without
the permission to change their opportunities is 403 naming it; success redirects (303) back to
the page with a message, and repeating the click changes nothing.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from hirebridge.accounts import policy
from hirebridge.accounts.models import User
from hirebridge.hiring import services
from hirebridge.web.candidate_actions import SeeOther
from hirebridge.web.candidate_page import visible_candidate


@require_POST
@login_required
def mark_sent(request: HttpRequest, candidate_id: Any) -> HttpResponse:
    candidate = visible_candidate(request, candidate_id)
    user = request.user
    if not isinstance(user, User) or not policy.can(
        user, policy.Action.CHANGE_OPPORTUNITY, candidate
    ):
        raise PermissionDenied(
            "Marking the privacy notice as sent needs the “change opportunity” permission "
            f"({policy.Action.CHANGE_OPPORTUNITY})."
        )
    if services.mark_privacy_notice_sent(user, candidate):
        messages.success(request, "Privacy notice marked as sent.")
    else:
        messages.info(request, "The privacy notice was already marked as sent.")
    return SeeOther(reverse("candidate", args=[candidate.pk]))
