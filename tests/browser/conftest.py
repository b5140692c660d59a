"""Debian's Chromium, driven by Playwright, against Django's live server (and, for the LinkedIn
flows, the real sandbox over HTTP). Playwright never downloads a browser for these tests.

Playwright's sync API keeps its event loop running in the test's thread for as long as it is
started, and Django refuses ORM calls while a loop runs there; so the browser tests lift that
guard (DJANGO_ALLOW_ASYNC_UNSAFE) for exactly that long."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Page, Playwright, expect

from hirebridge.accounts.models import User
from hirebridge.linkedin import enablement, provisioning, seats
from hirebridge.linkedin.models import Integration, LicenceTier, Seat
from tests.factories import PASSWORD
from tests.linkedin import conftest as linkedin_fixtures
from tests.linkedin.conftest import RunningSandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
# A loaded CI machine running two workers is slower than Playwright's 5 s default assumes.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def playwright(django_db_setup, request: pytest.FixtureRequest) -> Iterator[Playwright]:
    """Playwright's own fixture, with Django's async guard lifted while its loop runs.

    While a loop runs in this thread, Django's connections live in a context variable instead
    of the thread: new connection objects, without the snapshot the test database was
    serialized to. They are given it, so `serialized_rollback` still restores what the
    migrations seeded."""
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    started: Playwright = request.getfixturevalue("playwright")
    for alias, snapshot in snapshots.items():
        connections[alias]._test_serialized_contents = snapshot
    yield started
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests run Debian's Chromium "
            "(apt-get install chromium; .ci/run does it). They never download a browser."
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": VIEWPORT}


@pytest.fixture
def ats_url(live_server) -> str:
    """The live server by IP, as a browser on the ATS machine reaches it (and as the sandbox
    is told the ATS's origin); `live_server.url` names the same server as localhost."""
    return live_server.url.replace("//localhost:", "//127.0.0.1:")


@pytest.fixture
def log_in(page: Page, ats_url: str) -> Callable[[User], Page]:
    """Log a user in through the real login form; returns the page, on where the login lands."""

    def logged_in(user: User, *, base: str = ats_url) -> Page:
        page.goto(f"{base}/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    return logged_in


rsc_sandbox = linkedin_fixtures.rsc_sandbox


@pytest.fixture
def wired(rsc_sandbox: RunningSandbox, settings, ats_url: str) -> RunningSandbox:
    """The ATS pointed at the sandbox for its API, OAuth and widgets, reachable back at the
    live server, with the sandbox's partner application as its hosting partner."""
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    settings.LINKEDIN_PLATFORM_BASE = rsc_sandbox.url
    settings.HIREBRIDGE_PUBLIC_URL = ats_url
    partner = rsc_sandbox.tenant["partner_app"]
    settings.LINKEDIN_PARTNER_CLIENT_ID = partner["client_id"]
    settings.LINKEDIN_PARTNER_CLIENT_SECRET = partner["client_secret"]
    settings.LINKEDIN_INSTANCE_ID = rsc_sandbox.tenant["customer_app"]["unique_foreign_id"]
    return rsc_sandbox


@pytest.fixture
def onboarded(wired: RunningSandbox, ats_url: str) -> Integration:
    """An enterprise-tier integration onboarded the way an admin does it: the customer
    application provisioned with this origin, contexts stored, integrations registered with the
    live server as CALLBACK_URL, seats read (none mapped yet)."""
    tenant = wired.tenant
    integration = provisioning.provision(ats_url)
    integration = enablement.configure(
        integration.client_id,
        "",
        tenant["organization_id"],
        tenant["contract_ids"],
        LicenceTier.TRM_ENTERPRISE,
    )
    enablement.register(integration, ats_url)
    assert enablement.is_onboarded(integration), "the sandbox's integrations are not onboarded"
    assert not seats.refresh_seats(integration).errors
    return integration


@pytest.fixture
def give_seat(onboarded: Integration) -> Callable[[User], Seat]:
    """Map a free Recruiter seat to the user, by hand as an admin would; returns the seat."""

    def mapped(user: User) -> Seat:
        free = Seat.objects.filter(active=True, user__isnull=True).order_by("urn").first()
        assert free is not None, "every sandbox seat is mapped already"
        return seats.map_seat(free, user, by=None)

    return mapped
