"""The sandbox's ASGI app: LinkedIn's OAuth and API paths, its admin API and its Recruiter UI."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from sandbox import push, tenant
from sandbox.clock import Clock
from sandbox.config import Settings
from sandbox.context import Sandbox
from sandbox.db import Database
from sandbox.errors import LinkedInError, error_body, handle_linkedin_error
from sandbox.fault_injection import FaultInjection
from sandbox.middleware import Gateway
from sandbox.routes import (
    acls,
    applications,
    candidates,
    exported,
    integrations,
    jobs,
    oauth,
    provisioning,
    recruiter,
    rest_aliases,
    sandbox_admin,
    sandbox_integrations,
    sandbox_recruiter,
    sdk,
    ui,
    widget_onboarding,
    widget_profile,
    widget_search,
    widget_sign_in,
)


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, *, onboarded: bool = True
) -> FastAPI:
    settings = settings or Settings()
    clock = clock or Clock()
    db = Database(settings.database_path)
    db.create()
    tenant.seed_if_new(
        db,
        member_count=settings.members,
        seed=settings.seed,
        now_ms=clock.now_ms(),
        onboarded=onboarded,
    )
    sandbox = Sandbox(settings=settings, db=db, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop_pusher = push.start(sandbox)
        yield
        stop_pusher()

    app = FastAPI(
        lifespan=lifespan,
        title="LinkedIn RSC sandbox",
        docs_url="/_sandbox/docs",
        openapi_url="/_sandbox/openapi.json",
        redoc_url=None,
    )
    app.state.sandbox = sandbox
    # What /_sandbox/reset restores the seeded integrations to.
    app.state.onboarded = onboarded
    app.add_exception_handler(LinkedInError, handle_linkedin_error)

    async def invalid(request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body(400, str(exc)), 400)

    app.add_exception_handler(RequestValidationError, invalid)
    # One router per resource group; each module's docstring names the LinkedIn page it follows.
    for module in (
        oauth,
        candidates,
        jobs,
        applications,
        acls,
        recruiter,
        sandbox_recruiter,
        provisioning,
        integrations,
        exported,
        sandbox_integrations,
        rest_aliases,
        sandbox_admin,
        ui,
        sdk,
        widget_sign_in,
        widget_profile,
        widget_onboarding,
        widget_search,
    ):
        app.include_router(module.router)
    app.mount("/static", ui.static, name="static")
    # Added first, so it runs inside Gateway (the ledger sees which fault fired).
    app.add_middleware(FaultInjection, sandbox=sandbox)
    app.add_middleware(Gateway, sandbox=sandbox)
    return app
