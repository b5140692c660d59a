"""Enabling RSC for this ATS instance: store the customer application's credentials and
contexts, check them, name the integrations LinkedIn needs and set their configurations, and
keep each integration's onboarding status as LinkedIn reports it.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/rsc-customer-configuration

LinkedIn is called outside any database transaction; what it answered is stored afterwards, in
one transaction per step.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from hirebridge import audit
from hirebridge.linkedin.client import IntegrationKey, LinkedInClient, LinkedInError
from hirebridge.linkedin.models import (
    Contract,
    Integration,
    IntegrationStatus,
    IntegrationType,
    LicenceTier,
)
from hirebridge.linkedin.replies import ErrorBody
from hirebridge.linkedin.replies import Integration as LinkedInIntegration

log = logging.getLogger("hirebridge.linkedin")
security = logging.getLogger("hirebridge.security")

ORGANIZATION_URN = re.compile(r"^urn:li:organization:[0-9]+$")
CONTRACT_URN = re.compile(r"^urn:li:contract:[0-9]+$")
ONBOARDED = "ONBOARDED"
ALL_PRODUCT_USERS = "ALL_PRODUCT_USERS"
PRODUCT = "hirebridge"
EN_DASH = "\u2013"  # as in "hirebridge <en dash> One-Click Export"
CLIENT_ID_MAX_LENGTH = 100

# Every licence tier gets these on the organization; CSA_API goes on each contract.
ORGANIZATION_TYPES = (
    IntegrationType.ONE_CLICK_EXPORT,
    IntegrationType.IN_ATS_INDICATOR,
    IntegrationType.PROFILE_PLUGIN,
)
# Lever sells Recommended Matches and Unified Search as add-ons of LeverTRM for Enterprise
# (shared/product): hirebridge names them only for that tier.
ENTERPRISE_TYPES = (IntegrationType.RECOMMENDED_MATCHES, IntegrationType.UNIFIED_SEARCH)
# What the customer's admin reads in Recruiter when enabling each one (no "LinkedIn" in it).
NAMES = {
    IntegrationType.ONE_CLICK_EXPORT: "One-Click Export",
    IntegrationType.IN_ATS_INDICATOR: "In-ATS Indicator",
    IntegrationType.PROFILE_PLUGIN: "Profile Plugin",
    IntegrationType.CSA_API: "Recruiter Data",
    IntegrationType.RECOMMENDED_MATCHES: "Recommended Matches",
    IntegrationType.UNIFIED_SEARCH: "Unified Search",
}


class ConfigurationError(ValueError):
    """Bad input for the integration's settings; `field` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Refused(LinkedInError):
    """LinkedIn answered the batch but refused some of its entities (named in the message)."""


def current() -> Integration | None:
    """This instance's integration: one customer application, so at most one row."""
    return Integration.objects.order_by("created_at").first()


def client_for(integration: Integration) -> LinkedInClient:
    """A client that calls LinkedIn as the integration's customer application."""
    return LinkedInClient(integration.client_id, integration.client_secret)


def configure(
    client_id: str,
    client_secret: str,
    organization_urn: str,
    contract_urns: Iterable[str],
    licence_tier: str,
) -> Integration:
    """Create or update the integration. An empty `client_secret` keeps the stored one (the
    settings page never shows it back); new credentials forget the last check's result. The
    organization and contracts may stay blank: the configuration plugin reports them later."""
    client_id = _client_id(client_id)
    organization_urn, contracts = _contexts(organization_urn, contract_urns)
    if licence_tier not in LicenceTier.values:
        raise ConfigurationError(
            "licence_tier", f"expected one of {', '.join(LicenceTier.values)}, got {licence_tier!r}"
        )
    with transaction.atomic():
        integration = _with_credentials(client_id, client_secret)
        created = integration._state.adding
        integration.organization_urn = organization_urn
        integration.licence_tier = licence_tier
        integration.save()
        _store_contracts(integration, contracts)
        # Whether the secret changed, never the secret.
        audit.record(
            "integration.configured",
            target=integration,
            detail={
                "created": created,
                "secret_changed": bool(client_secret),
                "licence_tier": licence_tier,
                "contracts": len(contracts),
            },
        )
    log.info("LinkedIn integration configured: %s, contracts %s", organization_urn, contracts)
    return integration


def store_credentials(client_id: str, client_secret: str) -> Integration:
    """Create the integration or give it new credentials (a provisioned customer application),
    keeping its contexts. Unchanged credentials are not written again."""
    client_id = _client_id(client_id)
    if not client_secret:
        raise ConfigurationError("client_secret", "required")
    with transaction.atomic():
        stored = Integration.objects.select_for_update().order_by("created_at").first()
        if stored and stored.client_id == client_id and stored.client_secret == client_secret:
            return stored
        integration = _with_credentials(client_id, client_secret)
        created = integration._state.adding
        integration.save()
        audit.record(
            "integration.credentials_stored",
            target=integration,
            detail={"created": created, "secret_changed": True},
        )
    log.info("LinkedIn customer application %s stored", client_id)
    return integration


def set_contexts(
    integration: Integration, organization_urn: str, contract_urns: Iterable[str]
) -> Integration:
    """Store the organization and contracts the configuration plugin reported; contracts not
    listed are removed, as the credentials form removes them."""
    organization_urn, contracts = _contexts(organization_urn, contract_urns)
    if not organization_urn:
        raise ConfigurationError("organization_urn", "required")
    with transaction.atomic():
        integration = Integration.objects.select_for_update().get(pk=integration.pk)
        integration.organization_urn = organization_urn
        integration.save(update_fields=["organization_urn", "updated_at"])
        _store_contracts(integration, contracts)
        audit.record(
            "integration.contexts_reported",
            target=integration,
            detail={"contracts": len(contracts)},
        )
    log.info("LinkedIn contexts reported: %s, contracts %s", organization_urn, contracts)
    return integration


def _client_id(client_id: str) -> str:
    client_id = client_id.strip()
    if not client_id:
        raise ConfigurationError("client_id", "required")
    if len(client_id) > CLIENT_ID_MAX_LENGTH:
        raise ConfigurationError("client_id", f"at most {CLIENT_ID_MAX_LENGTH} characters")
    return client_id


def _contexts(organization_urn: str, contract_urns: Iterable[str]) -> tuple[str, list[str]]:
    """The organization (blank allowed) and the distinct contracts, validated."""
    organization_urn = organization_urn.strip()
    contracts = list(dict.fromkeys(urn.strip() for urn in contract_urns if urn.strip()))
    if organization_urn and not ORGANIZATION_URN.match(organization_urn):
        raise ConfigurationError(
            "organization_urn", f"expected urn:li:organization:<number>, got {organization_urn!r}"
        )
    for urn in contracts:
        if not CONTRACT_URN.match(urn):
            raise ConfigurationError(
                "contract_urns", f"expected urn:li:contract:<number>, got {urn!r}"
            )
    return organization_urn, contracts


def _with_credentials(client_id: str, client_secret: str) -> Integration:
    """The one integration row (locked; new if none), with the credentials set, not saved."""
    integration = Integration.objects.select_for_update().order_by("created_at").first()
    if integration is None:
        if not client_secret:
            raise ConfigurationError("client_secret", "required")
        integration = Integration(client_id=client_id)
    if client_secret or integration.client_id != client_id:
        integration.token_checked_at = None
        integration.token_error = ""
    if client_secret:
        integration.client_secret = client_secret
    integration.client_id = client_id
    return integration


def _store_contracts(integration: Integration, contracts: list[str]) -> None:
    integration.contracts.exclude(urn__in=contracts).delete()
    for urn in contracts:
        Contract.objects.get_or_create(integration=integration, urn=urn)
    _forget_unwanted(integration, wanted_keys(integration))


def check(integration: Integration) -> bool:
    """Fetch a token with the stored credentials; the outcome is kept for the settings page."""
    error = ""
    try:
        with client_for(integration) as client:
            client.token()
    except (LinkedInError, ImproperlyConfigured) as failure:
        error = str(failure)
    integration.token_checked_at = timezone.now()
    integration.token_error = error
    integration.save(update_fields=["token_checked_at", "token_error", "updated_at"])
    return not error


def wanted_keys(integration: Integration) -> list[IntegrationKey]:
    """The integrations this instance uses: organization ones, CSA_API per contract, and the
    Enterprise add-ons when licensed."""
    types = list(ORGANIZATION_TYPES)
    if integration.licence_tier == LicenceTier.TRM_ENTERPRISE:
        types += ENTERPRISE_TYPES
    if not integration.organization_urn:
        types = []  # not known yet: nothing to name on it
    keys = [IntegrationKey(integration.organization_urn, str(kind)) for kind in types]
    keys += [
        IntegrationKey(urn, str(IntegrationType.CSA_API))
        for urn in integration.contracts.values_list("urn", flat=True)
    ]
    return keys


def integration_name(key: IntegrationKey) -> str:
    name = f"{PRODUCT} {EN_DASH} {NAMES[IntegrationType(key.type)]}"
    if key.type == IntegrationType.CSA_API:
        name += f" (contract {key.context.rsplit(':', 1)[1]})"
    return name


def callback_url(integration: Integration, public_url: str) -> str:
    """The customer's own push URL: the ATS's public URL and the integration's secret path."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(
            "public_url", f"expected an absolute http(s) URL without query, got {public_url!r}"
        )
    return public_url.rstrip("/") + reverse("linkedin-callback", args=[integration.callback_token])


def register(integration: Integration, public_url: str) -> str:
    """Name every integration LinkedIn needs, set CALLBACK_URL and the default viewers, then
    read back the onboarding statuses. Returns the CALLBACK_URL registered."""
    url = callback_url(integration, public_url)
    _require_contexts(integration)
    keys = wanted_keys(integration)
    organization = integration.organization_urn
    configurations = {
        IntegrationKey(organization, str(IntegrationType.ONE_CLICK_EXPORT)): {
            "CALLBACK_URL": url,
            "JOB_POSTING_VIEWERS": ALL_PRODUCT_USERS,
        },
        IntegrationKey(organization, str(IntegrationType.IN_ATS_INDICATOR)): {
            "APPLICATION_VIEWERS": ALL_PRODUCT_USERS,
        },
    }
    with client_for(integration) as client:
        named = client.batch_partial_update_integrations(
            {key: integration_name(key) for key in keys}
        )
        _raise_refused("naming", {f"{k.type} on {k.context}": e for k, e in named.failed.items()})
        for key, values in configurations.items():
            outcome = client.set_configurations(key, values)
            _raise_refused(f"{key.type} configurations", outcome.failed)
        statuses = client.get_integrations(keys)
    _store_statuses(integration, keys, statuses.found, statuses.failed)
    audit.record("integration.registered", target=integration, detail={"integrations": len(keys)})
    log.info("LinkedIn integrations named for %s; CALLBACK_URL %s", organization, url)
    return url


def refresh_statuses(integration: Integration) -> list[IntegrationStatus]:
    """Ask LinkedIn for every integration's onboarding status and store what it says."""
    _require_contexts(integration)
    keys = wanted_keys(integration)
    with client_for(integration) as client:
        outcome = client.get_integrations(keys)
    _store_statuses(integration, keys, outcome.found, outcome.failed)
    return list(integration.statuses.all())


def apply_status_change(integration: Integration, request_id: str) -> list[IntegrationStatus]:
    """An INTEGRATION_STATUS_CHANGE push: fetch the integrations it announced and store their
    status. One for a context or type this instance does not use is logged and ignored."""
    with client_for(integration) as client:
        changed = client.integrations_by_request(request_id)
    wanted = set(wanted_keys(integration))
    now = timezone.now()
    stored = []
    with transaction.atomic():
        for item in changed:
            key = IntegrationKey(item.integration_context, item.integration_type)
            if key not in wanted or item.tenant_type not in (None, "RECRUITER"):
                security.warning(
                    "status change %s names %s on %s, not an integration of %s: ignored",
                    request_id,
                    item.integration_type,
                    item.integration_context,
                    integration.organization_urn,
                )
                continue
            stored.append(_store_status(integration, key, item, now))
    log.info("status change %s: %d integration(s) updated", request_id, len(stored))
    return stored


def _require_contexts(integration: Integration) -> None:
    if not integration.organization_urn:
        raise ConfigurationError(
            "organization_urn",
            "not known yet: enter it with the credentials or onboard with LinkedIn",
        )
    if not integration.contracts.exists():
        raise ConfigurationError(
            "contract_urns",
            "no Recruiter contract yet: enter one with the credentials or onboard with LinkedIn",
        )


def is_onboarded(integration: Integration) -> bool:
    """Has the customer enabled any of the integrations in Recruiter (as last reported)?"""
    return integration.statuses.filter(onboarded=True).exists()


def _store_statuses(
    integration: Integration,
    keys: list[IntegrationKey],
    found: Mapping[IntegrationKey, LinkedInIntegration],
    failed: Mapping[IntegrationKey, ErrorBody],
) -> None:
    """Keep one row per wanted key. LinkedIn's 404 means not named yet (so not onboarded); any
    other refusal leaves nothing half-stored."""
    _raise_refused(
        "status",
        {f"{k.type} on {k.context}": e for k, e in failed.items() if e.status != 404},
    )
    now = timezone.now()
    with transaction.atomic():
        for key in keys:
            _store_status(integration, key, found.get(key), now)
        _forget_unwanted(integration, keys)


def _forget_unwanted(integration: Integration, keys: list[IntegrationKey]) -> None:
    """Statuses of integrations this instance no longer uses (a contract or the Enterprise
    tier given up) would only mislead the settings page."""
    wanted = Q(pk__in=[])
    for key in keys:
        wanted |= Q(integration_type=key.type, context_urn=key.context)
    integration.statuses.exclude(wanted).delete()


def _store_status(
    integration: Integration,
    key: IntegrationKey,
    reported: LinkedInIntegration | None,
    now: datetime,
) -> IntegrationStatus:
    statuses = IntegrationStatus.objects.filter(
        integration=integration, integration_type=key.type, context_urn=key.context
    )
    was_onboarded = statuses.filter(onboarded=True).exists()
    status, _ = IntegrationStatus.objects.update_or_create(
        integration=integration,
        integration_type=key.type,
        context_urn=key.context,
        defaults={
            "name": (reported.integration_name or "") if reported else "",
            "onboarded": bool(reported and reported.onboarding_status == ONBOARDED),
            "checked_at": now,
        },
    )
    if status.onboarded != was_onboarded:
        # The customer's Recruiter admin switched it on LinkedIn; LinkedIn reports it.
        audit.record(
            "integration.enabled" if status.onboarded else "integration.disabled",
            target=integration,
            actor="linkedin",
            detail={"type": key.type, "context": key.context},
        )
    return status


def _raise_refused(what: str, failed: Mapping[str, ErrorBody]) -> None:
    if failed:
        reasons = "; ".join(f"{key}: {error.message}" for key, error in failed.items())
        first = next(iter(failed.values()))
        raise Refused(f"LinkedIn refused the {what}: {reasons}", status=first.status)
