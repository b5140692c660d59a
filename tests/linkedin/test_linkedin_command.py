"""`hirebridge linkedin …` against the sandbox over real HTTP."""

from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from hirebridge.linkedin import enablement
from hirebridge.linkedin.models import Integration, IntegrationStatus, Seat, SeatMapping
from tests.factories import UserFactory

SECRET_VAR = "TEST_LINKEDIN_SECRET"


@pytest.fixture
def linkedin(rsc_sandbox):
    with override_settings(LINKEDIN_API_BASE=rsc_sandbox.url, LINKEDIN_OAUTH_BASE=rsc_sandbox.url):
        yield rsc_sandbox


def linkedin_command(*args: str) -> str:
    out = StringIO()
    call_command("linkedin", *args, stdout=out)
    return out.getvalue()


def configure_args(tenant) -> list[str]:
    args = ["configure", "--client-id", tenant["customer_app"]["client_id"]]
    args += ["--client-secret-env", SECRET_VAR, "--organization", tenant["organization_id"]]
    for contract in tenant["contract_ids"]:
        args += ["--contract", contract]
    return args


@pytest.fixture
def configured(db, linkedin, monkeypatch):
    monkeypatch.setenv(SECRET_VAR, linkedin.tenant["customer_app"]["client_secret"])
    linkedin_command(*configure_args(linkedin.tenant), "--tier", "trm_enterprise")
    return Integration.objects.get()


def test_configure_reads_the_secret_from_the_environment(linkedin, configured):
    assert configured.client_secret == linkedin.tenant["customer_app"]["client_secret"]
    assert configured.licence_tier == "trm_enterprise"
    assert configured.contracts.count() == 2
    assert "Configured urn:li:organization:98765001 with 2 contract(s)" in linkedin_command(
        *configure_args(linkedin.tenant)
    )
    configured.refresh_from_db()
    assert configured.licence_tier == "trm_enterprise"  # unchanged when --tier is left out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--organization", "acme"], "--organization: expected urn:li:organization:<number>"),
        (["--contract", "urn:li:seat:1"], "--contract: expected urn:li:contract:<number>"),
        (["--client-secret-env", "NOT_SET_ANYWHERE"], "--client-secret-env: the environment"),
    ],
)
def test_configure_names_the_option_at_fault(linkedin, configured, change, message):
    with pytest.raises(CommandError, match=message):
        linkedin_command(*configure_args(linkedin.tenant), *change)


def test_the_first_configure_needs_a_secret(db, linkedin):
    args = [
        a for a in configure_args(linkedin.tenant) if a not in ("--client-secret-env", SECRET_VAR)
    ]
    with pytest.raises(CommandError, match="--client-secret-env: required the first time"):
        linkedin_command(*args)
    assert not Integration.objects.exists()


def test_commands_other_than_configure_need_an_integration(db):
    with pytest.raises(CommandError, match="LinkedIn is not configured"):
        linkedin_command("status")


def test_check_reports_a_good_and_a_wrong_secret(linkedin, configured, monkeypatch):
    assert "accepted" in linkedin_command("check")
    monkeypatch.setenv(SECRET_VAR, "wrong")
    linkedin_command(*configure_args(linkedin.tenant))
    with pytest.raises(CommandError, match="LinkedIn refused the credentials"):
        linkedin_command("check")


def test_register_status_refresh_and_map_a_seat(linkedin, configured):
    out = linkedin_command("register", "--public-url", "http://127.0.0.1:8123")
    callback = f"http://127.0.0.1:8123/linkedin/callback/{configured.callback_token}"
    assert f"CALLBACK_URL is {callback}" in out
    assert httpx.get(f"{linkedin.url}/_sandbox/tenant").json()["callback_url"] == callback
    assert IntegrationStatus.objects.filter(onboarded=True).count() == 7

    hana = UserFactory(name="Hana Hiring", email="hana.hiring@acme-robotics.example")
    out = linkedin_command("refresh-seats")
    assert "Seats: 5 new, 0 updated, 0 deactivated, 1 newly mapped, 4 unmapped." in out
    assert Seat.objects.get(user=hana).email == hana.email

    tess = next(s for s in linkedin.tenant["seats"] if s["name"] == "Tess Talent")
    out = linkedin_command("map-seat", tess["id"], "HANA.hiring@acme-robotics.example")
    assert f"Seat {tess['id']} mapped to Hana Hiring" in out
    assert Seat.objects.get(urn=tess["id"]).mapped_by == SeatMapping.MANUAL

    out = linkedin_command("status")
    assert "Licence tier:  LeverTRM for Enterprise" in out
    assert "Poll interval: 900 s" in out
    assert "UNMAPPED" in out and "UNIFIED_SEARCH" in out


def test_register_refuses_a_public_url_that_is_not_one(configured):
    with pytest.raises(CommandError, match="--public-url: expected an absolute http"):
        linkedin_command("register", "--public-url", "ats.example.com")


def test_map_seat_names_the_argument_at_fault(linkedin, configured):
    linkedin_command("refresh-seats")
    seat = linkedin.tenant["seats"][0]["id"]
    with pytest.raises(CommandError, match=r"SEAT_URN: no seat urn:li:seat:1;"):
        linkedin_command("map-seat", "urn:li:seat:1", "sam@example.com")
    with pytest.raises(
        CommandError, match=r"EMAIL: no ATS user with the email nobody@example\.com"
    ):
        linkedin_command("map-seat", seat, "nobody@example.com")


def test_refresh_seats_fails_naming_the_contract_linkedin_refused(linkedin, configured):
    contract = linkedin.tenant["contract_ids"][1]
    linkedin.admin(
        "POST",
        "actions/disable-integration",
        json={"integration_type": "CSA_API", "integration_context": contract},
    )
    with pytest.raises(CommandError, match=f"Seats not read for {contract}: .*403"):
        linkedin_command("refresh-seats")
    assert Seat.objects.count() == 3
    assert enablement.current() == configured
