"""LinkedIn's JS SDK on a hirebridge page: the loader tag's context (web/linkedin/sdk.html) and
the origin LinkedIn must allow the page on. The loader and the extensions come from
LINKEDIN_PLATFORM_BASE, so the sandbox and LinkedIn differ by configuration only.
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from hirebridge.linkedin.models import Integration
from hirebridge.linkedin.provisioning import web_origin

# Tag name → the extension script under LINKEDIN_PLATFORM_BASE that registers it.
EXTENSIONS = {
    "HcmWidget": "profile-widget",
    "UnifiedSearchWidget": "unified-search-widget",
    "RecommendedMatchesWidget": "recommended-matches-widget",
    "ATSIntegrationWidget": "onboarding-widget",
}


@dataclass(frozen=True)
class Loader:
    """What sdk.html writes: in.js, the customer application's key and the extensions the
    page's tags need."""

    script_url: str
    api_key: str
    extensions: str  # "Name@URL,Name@URL"


def loader(integration: Integration, *tags: str) -> Loader:
    base = str(settings.LINKEDIN_PLATFORM_BASE).rstrip("/")
    extensions = ",".join(f"{tag}@{base}/rsc/extensions/{EXTENSIONS[tag]}" for tag in tags)
    return Loader(f"{base}/xdoor/scripts/in.js", integration.client_id, extensions)


def site_origin(request: HttpRequest) -> str:
    """The origin this page is served from: what LinkedIn must list in validJsSdkDomains."""
    return web_origin(f"{request.scheme}://{request.get_host()}")
