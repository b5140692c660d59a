"""hirebridge's REST API v1, shaped after Lever's Data API so Lever tooling works with it."""

from ninja import NinjaAPI

from hirebridge.api import errors
from hirebridge.api.auth import ApiKeyAuth

api = NinjaAPI(
    title="hirebridge API",
    version="1",
    urls_namespace="v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=ApiKeyAuth(),
)
errors.install(api)

from hirebridge.api import (  # noqa: E402 - the routers need `api` configured first
    archive_reasons,
    notes,
    opportunities,
    postings,
    sources,
    stages,
    tags,
    users,
    webhooks,
)

api.add_router("/stages", stages.router)
api.add_router("/archive_reasons", archive_reasons.router)
api.add_router("/tags", tags.router)
api.add_router("/sources", sources.router)
api.add_router("/users", users.router)
api.add_router("/postings", postings.router)
api.add_router("/opportunities", opportunities.router)
api.add_router("/opportunities", notes.router)
api.add_router("/webhooks", webhooks.router)
