"""Seats against the sandbox over real HTTP: refresh, automatic and manual mapping, who may use
RSC and why not."""

import pytest
from django.test import override_settings
from django.utils import timezone

from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.linkedin import enablement, seats
from hirebridge.linkedin.models import Contract, IntegrationStatus, Seat, SeatMapping
from hirebridge.linkedin.seats import PollInterval, SeatError
from tests.factories import UserFactory

EMEA, US = "urn:li:contract:70001001", "urn:li:contract:70001002"
# The sandbox's seat holders: EMEA has Rita, Sourav and Hana; US has Cole and Tess.
RITA = "rita.recruiter@acme-robotics.example"
HANA = "hana.hiring@acme-robotics.example"
COLE = "cole.coordinator@acme-robotics.example"


@pytest.fixture
def linkedin(rsc_sandbox):
    with override_settings(LINKEDIN_API_BASE=rsc_sandbox.url, LINKEDIN_OAUTH_BASE=rsc_sandbox.url):
        yield rsc_sandbox


@pytest.fixture
def integration(db, linkedin):
    tenant = linkedin.tenant
    app = tenant["customer_app"]
    integration = enablement.configure(
        app["client_id"], app["client_secret"], tenant["organization_id"], [EMEA, US], "trm"
    )
    enablement.refresh_statuses(integration)
    return integration


@pytest.fixture
def rita(db):
    user = UserFactory(name="Rita Recruiter", email=RITA, role=Role.TEAM_MEMBER)
    User.objects.filter(pk=user.pk).update(email="Rita.Recruiter@Acme-Robotics.example")
    return user


@pytest.fixture
def hana(db):
    return UserFactory(name="Hana Hiring", email=HANA, role=Role.ADMIN)


def seat_of(email):
    return Seat.objects.get(email=email)


def test_refresh_stores_every_active_seat_and_maps_the_ones_whose_email_is_a_user(
    linkedin, integration, rita, hana
):
    result = seats.refresh_seats(integration)
    assert (result.created, result.updated, result.deactivated) == (5, 0, 0)
    assert (result.mapped, result.unmapped, result.errors) == (2, 3, {})
    listed = {seat["id"]: seat for seat in linkedin.tenant["seats"]}
    assert set(Seat.objects.values_list("urn", flat=True)) == set(listed)
    for seat in Seat.objects.select_related("contract"):
        assert seat.member_urn == listed[seat.urn]["member"]
        assert seat.contract.urn == listed[seat.urn]["contract_id"]
        assert f"{seat.first_name} {seat.last_name}" == listed[seat.urn]["name"]
    assert seat_of(RITA).user == rita  # the user's email differs in case only
    assert seat_of(HANA).user == hana
    assert seat_of(RITA).mapped_by == SeatMapping.AUTOMATIC
    assert seats.seat_for(rita) == seat_of(RITA)
    again = seats.refresh_seats(integration)
    assert (again.created, again.updated, again.mapped, Seat.objects.count()) == (0, 5, 0, 5)


def test_a_manual_mapping_or_unmapping_survives_a_refresh(integration, rita, hana, tara, alex):
    seats.refresh_seats(integration)
    seats.map_seat(seat_of(RITA), tara, by=alex)
    seats.unmap_seat(seat_of(HANA), by=alex)
    seats.map_seat(seat_of(COLE), hana, by=None)
    result = seats.refresh_seats(integration)
    assert result.mapped == 0
    assert (seat_of(RITA).user, seat_of(RITA).mapped_by) == (tara, SeatMapping.MANUAL)
    assert (seat_of(HANA).user, seat_of(HANA).mapped_by) == (None, SeatMapping.MANUAL)
    assert seat_of(COLE).user == hana
    assert seats.seat_for(rita) is None


def test_a_seat_linkedin_no_longer_lists_goes_inactive(integration, tara):
    gone = Seat.objects.create(
        contract=Contract.objects.get(urn=EMEA), urn="urn:li:seat:999", user=tara
    )
    assert seats.seat_for(tara) == gone
    result = seats.refresh_seats(integration)
    assert result.deactivated == 1
    gone.refresh_from_db()
    assert gone.active is False and gone.user == tara
    assert seats.seat_for(tara) is None
    assert seats.may_use_rsc(tara) == (False, "Your LinkedIn Recruiter seat is no longer active.")


def test_a_member_who_held_a_seat_before_is_mapped_by_member_urn(linkedin, integration, lee):
    cole = next(seat for seat in linkedin.tenant["seats"] if seat["email"] == COLE)
    Seat.objects.create(
        contract=Contract.objects.get(urn=US),
        urn="urn:li:seat:42",
        member_urn=cole["member"],
        user=lee,
        mapped_by=SeatMapping.MANUAL,
        active=False,
    )
    seats.refresh_seats(integration)
    assert (seat_of(COLE).user, seat_of(COLE).mapped_by) == (lee, SeatMapping.AUTOMATIC)


def test_a_deactivated_user_is_not_mapped(integration, rita):
    rita.deactivated_at = timezone.now()
    rita.save()
    assert seats.refresh_seats(integration).mapped == 0
    assert seat_of(RITA).user is None
    with pytest.raises(SeatError) as error:
        seats.map_seat(seat_of(RITA), rita, by=None)
    assert error.value.field == "user"


def test_a_contract_linkedin_refuses_keeps_its_seats_and_is_reported(linkedin, integration):
    seats.refresh_seats(integration)
    linkedin.admin(
        "POST",
        "actions/disable-integration",
        json={"integration_type": "CSA_API", "integration_context": US},
    )
    result = seats.refresh_seats(integration)
    assert list(result.errors) == [US]
    assert "403" in result.errors[US]
    assert Seat.objects.filter(active=True).count() == 5


def test_an_inactive_seat_cannot_be_mapped_by_hand(integration, tara):
    seat = Seat.objects.create(
        contract=Contract.objects.get(urn=EMEA), urn="urn:li:seat:7", active=False
    )
    with pytest.raises(SeatError) as error:
        seats.map_seat(seat, tara, by=None)
    assert error.value.field == "seat"


def test_may_use_rsc_says_why_not(linkedin, ivy, tara):
    assert seats.may_use_rsc(ivy)[0] is False
    assert "role" in seats.may_use_rsc(ivy)[1]
    assert seats.may_use_rsc(tara) == (
        False,
        "LinkedIn Recruiter is not set up yet: an admin enters it under Settings.",
    )
    tenant = linkedin.tenant
    app = tenant["customer_app"]
    integration = enablement.configure(
        app["client_id"], app["client_secret"], tenant["organization_id"], [EMEA], "trm"
    )
    assert "not enabled yet" in seats.may_use_rsc(tara)[1]
    enablement.refresh_statuses(integration)
    assert "No LinkedIn Recruiter seat is mapped to you" in seats.may_use_rsc(tara)[1]
    seats.refresh_seats(integration)
    seats.map_seat(seat_of(RITA), tara, by=None)
    assert seats.may_use_rsc(tara) == (True, "")
    IntegrationStatus.objects.update(onboarded=False)
    assert seats.may_use_rsc(tara)[0] is False


def test_the_poll_interval_keeps_within_linkedins_daily_budget(db, settings):
    integration = enablement.configure("77abc", "s", "urn:li:organization:1", [EMEA], "trm")
    contract = integration.contracts.get()
    for number in range(6):
        Seat.objects.create(contract=contract, urn=f"urn:li:seat:{number}", active=number < 5)
    settings.LINKEDIN_POLL_SECONDS = 900
    assert seats.poll_interval(integration) == PollInterval(900, "LINKEDIN_POLL_SECONDS is 900 s")
    settings.LINKEDIN_POLL_SECONDS = 1
    # 86400 * (2 + 5 active seats) / (0.8 * 100,000) = 7.56 s
    interval = seats.poll_interval(integration)
    assert interval.seconds == 8
    assert "raised to 8 s so that 5 seat(s) stay within 80%" in interval.reason
