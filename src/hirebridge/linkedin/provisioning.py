"""Provisioning: the hosting partner's parent application creates this installation's customer
application at LinkedIn and keeps the origins the widgets load on in its validJsSdkDomains
(LinkedIn's JS SDK refuses to run on any other page).

https://learn.microsoft.com/linkedin/talent/middleware-platform/provisioning-api

A create LinkedIn answers 409 (the uniqueForeignId has an application already) becomes a lookup
by q=credentialsByUniqueForeignId and, when the origin is missing, a partial update that adds it
to the domains already there. Running it again changes nothing, at LinkedIn or here.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from pydantic import Field

from hirebridge import audit
from hirebridge.linkedin import enablement, restli
from hirebridge.linkedin.client import LinkedInClient, LinkedInError
from hirebridge.linkedin.enablement import ConfigurationError
from hirebridge.linkedin.models import Integration
from hirebridge.linkedin.replies import Reply

log = logging.getLogger("hirebridge.linkedin")

ROUTE = restli.Route("/v2/provisionedApplications")
CONFLICT = 409
NAME_MAX_LENGTH = 50  # LinkedIn's limit on an application's name
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Partner:
    """The parent application and the id LinkedIn knows this installation by."""

    client_id: str
    client_secret: str
    unique_foreign_id: str

    @classmethod
    def from_settings(cls) -> "Partner":
        return cls(
            settings.LINKEDIN_PARTNER_CLIENT_ID,
            settings.LINKEDIN_PARTNER_CLIENT_SECRET,
            settings.LINKEDIN_INSTANCE_ID,
        )

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret and self.unique_foreign_id)


class Credentials(Reply):
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1, repr=False)


class ProvisionedApplication(Reply):
    """A child application as the create and the finder answer it."""

    key: str = Field(min_length=1)
    unique_foreign_id: str
    valid_js_sdk_domains: list[str] = []
    credentials: Credentials


class PartnerClient(LinkedInClient):
    """The parent application's calls: the token and wire of LinkedInClient, other resources."""

    def create_application(
        self, unique_foreign_id: str, name: str, js_sdk_domains: list[str]
    ) -> ProvisionedApplication:
        body = {
            "uniqueForeignId": unique_foreign_id,
            "name": name,
            "description": f"hirebridge installation {unique_foreign_id}",
            "validJsSdkDomains": js_sdk_domains,
        }
        response = self._send(ROUTE, "POST", "", body)
        return self._parse(ProvisionedApplication, response)

    def application(self, unique_foreign_id: str) -> ProvisionedApplication | None:
        params = {"q": "credentialsByUniqueForeignId", "uniqueForeignId": unique_foreign_id}
        found = self.find_all(ROUTE, params, ProvisionedApplication)
        return found[0] if found else None

    def set_js_sdk_domains(self, key: str, domains: list[str]) -> None:
        route = restli.Route(f"{ROUTE.path}/{restli.encode_key(key, ROUTE.protocol)}")
        self._send(route, "POST", "", {"patch": {"$set": {"validJsSdkDomains": domains}}})


def web_origin(value: str) -> str:
    """`scheme://host[:port]` as a browser's location.origin spells it (lower case, no default
    port), which is what LinkedIn compares with validJsSdkDomains."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ConfigurationError("origin", f"{value!r} is not a valid URL") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ConfigurationError("origin", f"expected http(s)://host[:port], got {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ConfigurationError("origin", f"expected an origin without a path, got {value!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def application_name(unique_foreign_id: str) -> str:
    """ "{ATS} - {customer}", as LinkedIn asks; the installation id stands for the customer."""
    return f"hirebridge - {unique_foreign_id}"[:NAME_MAX_LENGTH].rstrip()


def provision(origin: str, partner: Partner | None = None) -> Integration:
    """Make sure this installation's customer application exists with `origin` among its JS SDK
    domains, and store its credentials (encrypted) on the integration."""
    origin = web_origin(origin)
    partner = partner or Partner.from_settings()
    if not partner.configured:
        raise ConfigurationError(
            "LINKEDIN_PARTNER_CLIENT_ID",
            "the partner application's credentials are not configured",
        )
    client = PartnerClient(partner.client_id, partner.client_secret)
    with client:
        application = _created_or_found(client, partner.unique_foreign_id, origin)
        added = origin not in application.valid_js_sdk_domains
        if added:
            client.set_js_sdk_domains(application.key, [*application.valid_js_sdk_domains, origin])
            log.info("origin %s added to the JS SDK domains of %s", origin, application.key)
    credentials = application.credentials
    with transaction.atomic():
        integration = enablement.store_credentials(credentials.client_id, credentials.client_secret)
        audit.record(
            "integration.provisioned",
            target=integration,
            detail={"origin": origin, "origin_added": added},
        )
    return integration


def _created_or_found(
    client: PartnerClient, unique_foreign_id: str, origin: str
) -> ProvisionedApplication:
    try:
        created = client.create_application(
            unique_foreign_id, application_name(unique_foreign_id), [origin]
        )
    except LinkedInError as refused:
        if refused.status != CONFLICT:
            raise
    else:
        log.info("customer application %s created for %s", created.key, unique_foreign_id)
        return created
    found = client.application(unique_foreign_id)
    if found is None:
        raise LinkedInError(
            f"LinkedIn answered 409 for uniqueForeignId {unique_foreign_id!r} but its finder "
            "returns no application",
            status=CONFLICT,
        )
    return found
