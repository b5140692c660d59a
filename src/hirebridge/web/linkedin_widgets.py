"""LinkedIn's widgets inside hirebridge: who may see them, the Unified Search and Recommended
Matches pages, and the endpoint the configuration plugin's onintegrate
callback posts the customer's organization and contracts to.

The widgets are LinkedIn's pages in iframes; hirebridge only places the tags and reacts to
their callbacks. A page loads the SDK only when it may show its widget, so a user never meets
a LinkedIn error where hirebridge can say why in its own words.
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect
"""

import json
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from hirebridge.accounts import policy
from hirebridge.accounts.policy import AnyUser
from hirebridge.hiring.models import Posting
from hirebridge.linkedin import enablement, seats
from hirebridge.linkedin.client import LinkedInError
from hirebridge.linkedin.enablement import CONTRACT_URN, ORGANIZATION_URN, ConfigurationError
from hirebridge.linkedin.models import (
    Integration,
    IntegrationType,
    LicenceTier,
    OutboxKind,
    SyncedRecord,
)
from hirebridge.web.linkedin_sdk import loader
from hirebridge.web.linkedin_settings import admin_only

COMPANY = "RECRUITER_SYSTEM_CONNECT_COMPANY"
CONTRACT = "RECRUITER_SYSTEM_CONNECT_CONTRACT"
# What the configuration plugin may report; hirebridge asks for (and stores) the RSC two only.
BUNDLED_TYPES = frozenset(
    {
        COMPANY,
        CONTRACT,
        "APPLY_WITH_LINKEDIN",
        "APPLY_STARTERS_EXP",
        "CANDIDATE_RELATIONSHIP_MANAGEMENT",
    }
)
TENANT_TYPE = "RECRUITER"
MAX_INTEGRATIONS = 50


def widget_gate(user: AnyUser, kind: IntegrationType) -> tuple[Integration | None, str]:
    """The integration when `user` may see the widget of `kind`, else None and why."""
    allowed, reason = seats.may_use_rsc(user)
    integration = enablement.current()
    if not allowed or integration is None:
        return None, reason
    feature = kind.label
    if integration.licence_tier != LicenceTier.TRM_ENTERPRISE:
        return None, (
            f"{feature} comes with {LicenceTier.TRM_ENTERPRISE.label}; this installation is "
            f"licensed for {LicenceTier(integration.licence_tier).label}."
        )
    onboarded = integration.statuses.filter(
        integration_type=kind, context_urn=integration.organization_urn, onboarded=True
    )
    if not integration.organization_urn or not onboarded.exists():
        organization = integration.organization_urn or "the organization"
        return None, (
            f"{feature} is not enabled in Recruiter for {organization}: the company's Recruiter "
            "admin enables it, then an admin refreshes the status under Settings → LinkedIn."
        )
    return integration, ""


def synced_postings(user: AnyUser) -> QuerySet[Posting]:
    """Postings the user may see that LinkedIn holds as jobs, with the title and location
    LinkedIn's matching needs. A job whose sync LinkedIn refused has its digest cleared."""
    synced = SyncedRecord.objects.filter(kind=OutboxKind.JOB).exclude(digest="")
    ids = [_uuid(entity_id) for entity_id in synced.values_list("entity_id", flat=True)]
    return (
        policy.visible_postings(user)
        .filter(pk__in=[posting_id for posting_id in ids if posting_id])
        .exclude(title="")
        .exclude(location="")
        .order_by("title", "location", "id")
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _titles(postings: QuerySet[Posting]) -> dict[str, str]:
    """For the Save to Job status line: the job id a widget reports → the posting's title."""
    return {str(posting.pk): posting.title for posting in postings}


@require_GET
@login_required
def unified_search(request: HttpRequest) -> HttpResponse:
    integration, reason = widget_gate(request.user, IntegrationType.UNIFIED_SEARCH)
    context: dict[str, Any] = {"reason": reason, "integration": integration}
    if integration is not None:
        context["sdk"] = loader(integration, "UnifiedSearchWidget")
        context["posting_titles"] = _titles(synced_postings(request.user))
    return render(request, "web/linkedin/unified_search.html", context)


@require_GET
@login_required
def recommendations(request: HttpRequest) -> HttpResponse:
    """Tabs of recommendations for one posting; LinkedIn's Recommended Matches is the first."""
    integration, reason = widget_gate(request.user, IntegrationType.RECOMMENDED_MATCHES)
    context: dict[str, Any] = {"reason": reason, "integration": integration}
    if integration is None:
        return render(request, "web/linkedin/recommendations.html", context)
    postings = synced_postings(request.user)
    context |= {"postings": postings, "posting_titles": _titles(postings)}
    chosen = request.GET.get("posting", "").strip()
    if chosen:
        posting_id = _uuid(chosen)
        posting = postings.filter(pk=posting_id).first() if posting_id else None
        if posting is None:
            context["error"] = (
                f"posting: no posting you can see is synced to LinkedIn with a title and a "
                f"location under the id {chosen!r}."
            )
            return render(request, "web/linkedin/recommendations.html", context, status=404)
        context |= {"posting": posting, "sdk": loader(integration, "RecommendedMatchesWidget")}
    return render(request, "web/linkedin/recommendations.html", context)


class BadReport(ValueError):
    """The configuration plugin's report does not hold; `field` names what is at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@require_POST
@admin_only
def onboarding(request: HttpRequest) -> HttpResponse:
    """The configuration plugin's onintegrate report (untrusted: the browser relays it): store
    the organization and contracts in one transaction, then register the integrations with
    LinkedIn as the settings page's Register does. A refusal leaves the contexts stored."""
    integration = enablement.current()
    if integration is None:
        return _refusal(400, "client_id", "save the customer application's credentials first")
    try:
        organization, contracts = _contexts(_report(request.body))
    except BadReport as bad:
        return _refusal(400, bad.field, str(bad))
    stored = {"organization": organization, "contracts": contracts}
    try:
        integration = enablement.set_contexts(integration, organization, contracts)
    except ConfigurationError as bad:
        return _refusal(400, bad.field, str(bad))
    try:
        callback = enablement.register(integration, settings.HIREBRIDGE_PUBLIC_URL)
    except ConfigurationError as bad:
        return _refusal(500, bad.field, str(bad), stored)
    except LinkedInError as refused:
        return _refusal(502, "linkedin", str(refused), stored)
    statuses = [
        {"integrationType": s.integration_type, "context": s.context_urn, "onboarded": s.onboarded}
        for s in integration.statuses.all()
    ]
    return JsonResponse(stored | {"callbackUrl": callback, "statuses": statuses})


def _refusal(
    status: int, field: str, error: str, stored: dict[str, Any] | None = None
) -> JsonResponse:
    body: dict[str, Any] = {"error": error, "field": field}
    if stored is not None:
        body["stored"] = stored
    return JsonResponse(body, status=status)


def _report(body: bytes) -> list[dict[str, Any]]:
    try:
        report = json.loads(body)
    except ValueError:
        raise BadReport("body", "not valid JSON") from None
    if not isinstance(report, list) or not report:
        raise BadReport("body", "expected a non-empty JSON list of integrations")
    if len(report) > MAX_INTEGRATIONS:
        raise BadReport("body", f"at most {MAX_INTEGRATIONS} integrations, got {len(report)}")
    for index, item in enumerate(report):
        if not isinstance(item, dict):
            raise BadReport(f"[{index}]", "expected an object")
    return report


def _contexts(report: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The one organization and the contracts of a report, each checked against its type."""
    organizations: list[str] = []
    contracts: list[str] = []
    for index, item in enumerate(report):
        kind = item.get("bundledIntegrationType")
        if kind not in BUNDLED_TYPES:
            raise BadReport(
                f"[{index}].bundledIntegrationType",
                f"expected one of {', '.join(sorted(BUNDLED_TYPES))}, got {kind!r}",
            )
        if item.get("tenantType") != TENANT_TYPE:
            raise BadReport(
                f"[{index}].tenantType", f"expected {TENANT_TYPE}, got {item.get('tenantType')!r}"
            )
        context = item.get("integrationContext")
        if not isinstance(context, str) or not (
            ORGANIZATION_URN.match(context) or CONTRACT_URN.match(context)
        ):
            raise BadReport(
                f"[{index}].integrationContext",
                f"expected urn:li:organization:<number> or urn:li:contract:<number>, "
                f"got {context!r}",
            )
        if kind == COMPANY:
            _expect(ORGANIZATION_URN.match(context), index, kind, "organization")
            organizations.append(context)
        elif kind == CONTRACT:
            _expect(CONTRACT_URN.match(context), index, kind, "contract")
            contracts.append(context)
    if len(set(organizations)) != 1:
        raise BadReport(
            "integrationContext",
            f"exactly one organization ({COMPANY}) expected, got {len(set(organizations))}",
        )
    return organizations[0], list(dict.fromkeys(contracts))


def _expect(matched: object, index: int, kind: str, what: str) -> None:
    if not matched:
        raise BadReport(
            f"[{index}].integrationContext", f"{kind} needs a urn:li:{what}:<number> context"
        )
