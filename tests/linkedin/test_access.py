"""Job visibility on LinkedIn (ACL groups) computed from the ATS's roles and hiring teams: the
personas' seats by postings, the limits, the diff, the hooks, then the real sandbox's export
dropdown."""

import re
import uuid

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from hirebridge.accounts import policy, services
from hirebridge.accounts.roles import Role
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin import enablement, seats
from hirebridge.linkedin.client import AclKey, AssigneeKey, IntegrationKey
from hirebridge.linkedin.models import (
    Contract,
    Integration,
    IntegrationType,
    OutboxItem,
    OutboxKind,
    Seat,
)
from hirebridge.linkedin.outbound import access, mapping
from hirebridge.linkedin.outbound.access import SHARED_GROUP, Access, as_detail, desired_access
from tests.factories import PostingFactory, UserFactory

NAMES = ("sam", "alex", "tara", "lee", "ivy")
OWN = "own group"
# posting → the groups securing its job ("hb-all": sam, alex and tara) and who is in its own
EXPECTED = {
    "open": ({SHARED_GROUP}, set()),
    "open, lee manages it": ({SHARED_GROUP, OWN}, {"lee"}),
    "open, lee and ivy are members": ({SHARED_GROUP, OWN}, {"lee"}),
    "confidential, sam's": ({OWN}, {"sam"}),
    "confidential, lee and tara on the team": ({OWN}, {"sam", "lee", "tara"}),
    "confidential, alex owns it": ({OWN}, {"sam", "alex"}),
    "closed, lee manages it": ({SHARED_GROUP, OWN}, {"lee"}),
    "draft, lee manages it": (set(), set()),
}


def person(name: str) -> str:
    return f"urn:li:person:{name}"


@pytest.fixture
def integration(db):
    integration = Integration(client_id="x", organization_urn="urn:li:organization:1")
    integration.client_secret = "s"
    integration.save()
    return integration


@pytest.fixture
def contract(integration):
    return Contract.objects.create(integration=integration, urn="urn:li:contract:1")


def give_seat(contract, user, name, **fields):
    return Seat.objects.create(
        contract=contract,
        urn=f"urn:li:seat:{name}",
        member_urn=person(name),
        user=user,
        **fields,
    )


@pytest.fixture
def seated(personas, contract):
    """Every persona holds a seat; their person URN is urn:li:person:<name>."""
    users = dict(zip(NAMES, personas.values(), strict=True))
    for name, user in users.items():
        give_seat(contract, user, name)
    return users


@pytest.fixture
def world(seated):
    sam, alex, tara, lee, ivy = (seated[name] for name in NAMES)
    confidential_team = PostingFactory(owner=sam, confidential=True)
    confidential_team.members.add(lee, tara)
    open_members = PostingFactory(owner=alex)
    open_members.members.add(lee, ivy)
    return {
        "open": PostingFactory(owner=alex),
        "open, lee manages it": PostingFactory(owner=tara, hiring_manager=lee),
        "open, lee and ivy are members": open_members,
        "confidential, sam's": PostingFactory(owner=sam, confidential=True),
        "confidential, lee and tara on the team": confidential_team,
        "confidential, alex owns it": PostingFactory(owner=alex, confidential=True),
        "closed, lee manages it": PostingFactory(
            owner=alex, hiring_manager=lee, state=PostingState.CLOSED
        ),
        "draft, lee manages it": PostingFactory(
            owner=alex, hiring_manager=lee, state=PostingState.DRAFT
        ),
    }


def groups_of(found: Access, job_id: str) -> set[str]:
    return {key.group for key in found.acls if key.job_id == job_id}


def members_of(found: Access, group: str) -> set[str]:
    return {key.person_urn for key in found.assignees if key.group == group}


def seen_on_linkedin(found: Access, urn: str) -> set[str]:
    """The jobs LinkedIn shows the person: every job here is secured, so only its groups'."""
    mine = {key.group for key in found.assignees if key.person_urn == urn}
    return {key.job_id for key in found.acls if key.group in mine}


@pytest.mark.parametrize("label", EXPECTED)
def test_each_posting_is_secured_by_the_expected_groups_with_the_expected_people(
    integration, world, label
):
    groups, own_members = EXPECTED[label]
    job_id = str(world[label].id)
    own = access.job_group(job_id)
    found = desired_access(integration)
    assert groups_of(found, job_id) == {own if group == OWN else group for group in groups}
    assert members_of(found, own) == {person(name) for name in own_members}
    assert members_of(found, SHARED_GROUP) == {person(n) for n in ("sam", "alex", "tara")}
    assert found.refused == {}


def test_every_seat_holder_sees_on_linkedin_exactly_what_the_policy_shows_them(
    integration, world, seated
):
    found = desired_access(integration)
    for name, user in seated.items():
        expected = {
            str(pk)
            for pk in policy.visible_postings(user)
            .exclude(state=PostingState.DRAFT)
            .values_list("pk", flat=True)
        }
        assert seen_on_linkedin(found, person(name)) == expected, name
    assert seen_on_linkedin(found, person("ivy")) == set()


def test_no_one_spends_a_group_on_hb_all_while_it_secures_no_job(integration, contract, tara):
    give_seat(contract, tara, "tara")
    posting = PostingFactory(owner=tara, confidential=True)
    found = desired_access(integration)
    assert found.assignees == {AssigneeKey(access.job_group(str(posting.id)), person("tara"))}


def test_a_confidential_posting_is_secured_even_when_no_seat_holder_may_see_it(
    integration, contract, ivy
):
    give_seat(contract, ivy, "ivy")
    posting = PostingFactory(confidential=True)
    found = desired_access(integration)
    assert found.acls == {AclKey(access.job_group(str(posting.id)), str(posting.id))}
    assert found.assignees == set()


def test_unmapped_inactive_and_deactivated_seats_are_not_assignees(
    integration, contract, sam, alex, tara, lee
):
    give_seat(contract, sam, "sam")
    give_seat(contract, None, "alex")  # the seat of alex, never mapped to them
    give_seat(contract, tara, "tara")
    tara.deactivated_at = timezone.now()
    tara.save()
    give_seat(contract, lee, "lee", active=False)
    other_integration = Integration.objects.create(
        client_id="y", organization_urn="urn:li:organization:2"
    )
    other_contract = Contract.objects.create(integration=other_integration, urn="urn:li:contract:2")
    give_seat(other_contract, alex, "alex-elsewhere")
    posting = PostingFactory(owner=alex, hiring_manager=lee)
    found = desired_access(integration)
    assert found.acls == {AclKey(SHARED_GROUP, str(posting.id))}
    assert found.assignees == {AssigneeKey(SHARED_GROUP, person("sam"))}


def test_a_seat_whose_member_is_no_person_urn_is_reported_not_assigned(integration, contract, tara):
    seat = give_seat(contract, tara, "tara")
    Seat.objects.filter(pk=seat.pk).update(member_urn="urn:li:member:7")
    PostingFactory()
    found = desired_access(integration)
    assert found.assignees == set()
    assert found.refused == {"tara@example.com": f"seat {seat.urn} has no person URN as its member"}


def test_a_person_needing_more_than_ten_groups_keeps_the_first_ten_by_posting_id(
    integration, contract, lee, tara
):
    give_seat(contract, lee, "lee")
    give_seat(contract, tara, "tara")
    postings = [PostingFactory(hiring_manager=lee) for _ in range(12)]
    ids = sorted(str(posting.id) for posting in postings)
    found = desired_access(integration)
    assert members_of(found, SHARED_GROUP) == {person("tara")}
    lee_groups = {key.group for key in found.assignees if key.person_urn == person("lee")}
    assert lee_groups == {access.job_group(job_id) for job_id in ids[:10]}
    assert seen_on_linkedin(found, person("lee")) == set(ids[:10])
    why = found.refused["lee@example.com"]
    assert "10 ACL groups per person" in why and "needs 12" in why
    assert ids[10] in why and ids[11] in why and ids[9] not in why
    assert list(found.refused) == ["lee@example.com"]


def test_the_shared_group_is_kept_before_a_persons_own_groups(integration, contract, tara):
    give_seat(contract, tara, "tara")
    PostingFactory(owner=tara)
    for n in range(10):  # ids that sort before "all"
        PostingFactory(id=uuid.UUID(int=n), owner=tara, confidential=True)
    found = desired_access(integration)
    tara_groups = {key.group for key in found.assignees if key.person_urn == person("tara")}
    assert SHARED_GROUP in tara_groups and len(tara_groups) == 10
    assert "needs 11" in found.refused["tara@example.com"]


def test_the_diff_against_nothing_held_upserts_everything_and_deletes_nothing(integration, world):
    found = desired_access(integration)
    changes = access.diff(found, {})
    assert set(changes.upsert_acls) == found.acls
    assert set(changes.upsert_assignees) == found.assignees
    assert changes.delete_acls == changes.delete_assignees == []
    assert changes.upsert_acls == sorted(changes.upsert_acls, key=lambda k: (k.group, k.job_id))


def test_the_diff_against_what_is_held_sends_only_the_changes(integration, world, seated):
    held = as_detail(desired_access(integration))
    assert access.diff(desired_access(integration), held) == ([], [], [], [])
    managed = world["open, lee manages it"]
    managed.hiring_manager = None
    managed.save()
    added = PostingFactory(owner=seated["alex"], confidential=True)
    changes = access.diff(desired_access(integration), held)
    own_managed, own_added = access.job_group(str(managed.id)), access.job_group(str(added.id))
    assert changes.upsert_acls == [AclKey(own_added, str(added.id))]
    assert changes.delete_acls == [AclKey(own_managed, str(managed.id))]
    assert changes.upsert_assignees == [
        AssigneeKey(own_added, person("alex")),
        AssigneeKey(own_added, person("sam")),
    ]
    assert changes.delete_assignees == [AssigneeKey(own_managed, person("lee"))]


def test_as_detail_is_sorted_json_that_reads_back_as_the_same_access(integration, world):
    found = desired_access(integration)
    detail = as_detail(found)
    assert detail["acls"] == sorted(detail["acls"])
    assert detail["assignees"] == sorted(detail["assignees"])
    assert {AclKey(*row) for row in detail["acls"]} == found.acls
    assert {AssigneeKey(*row) for row in detail["assignees"]} == found.assignees


@pytest.mark.parametrize(
    ("held", "field"),
    [
        ({"acls": [["hb-all"]]}, "acls"),
        ({"acls": "hb-all"}, "acls"),
        ({"assignees": [["hb-all", 7]]}, "assignees"),
        ({"assignees": [["hb-all", "someone"]]}, "person_urn"),
        ({"acls": [["", "job"]]}, "group"),
    ],
)
def test_a_malformed_held_record_is_refused_naming_the_field(db, held, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        access.diff(Access(), held)


# Hooks: whatever changes who sees what records one JOB_ACCESS "all" row.


def access_rows():
    return list(
        OutboxItem.objects.filter(kind=OutboxKind.JOB_ACCESS).values_list("entity_id", flat=True)
    )


def test_mapping_and_unmapping_a_seat_records_a_job_access_change(integration, contract, tara, sam):
    seat = give_seat(contract, None, "tara")
    seats.map_seat(seat, tara, by=sam)
    assert access_rows() == ["all"]
    OutboxItem.objects.all().delete()
    seats.unmap_seat(seat, by=sam)
    assert access_rows() == ["all"]


def test_a_refused_mapping_records_nothing(integration, contract, tara, sam):
    seat = give_seat(contract, None, "tara", active=False)
    with pytest.raises(seats.SeatError):
        seats.map_seat(seat, tara, by=sam)
    assert access_rows() == []


@pytest.mark.parametrize(
    "change",
    [
        {"role": Role.LIMITED_TEAM_MEMBER},
        {"deactivated_at": timezone.now()},
    ],
)
def test_a_role_change_or_deactivation_records_a_job_access_change(integration, tara, change):
    for name, value in change.items():
        setattr(tara, name, value)
    services.save_user(tara)
    assert access_rows() == ["all"]


def test_other_user_changes_and_new_users_record_nothing(integration, tara):
    tara.name = "Tara Renamed"
    tara.role = Role.TEAM_MEMBER  # unchanged
    services.save_user(tara)
    services.save_user(UserFactory.build(email="new@example.com"))
    assert access_rows() == []


def test_deleting_a_user_records_a_job_access_change(integration, ivy):
    services.delete_users([ivy])
    assert access_rows() == ["all"]


def test_nothing_is_recorded_without_an_integration(db, tara):
    tara.role = Role.ADMIN
    services.save_user(tara)
    assert access_rows() == []


def test_a_role_changed_in_the_admin_site_records_a_job_access_change(
    integration, client, sam, tara
):
    client.force_login(sam)
    reply = client.post(
        reverse("admin:accounts_user_change", args=[tara.pk]),
        {
            "email": tara.email,
            "name": tara.name,
            "role": Role.LIMITED_TEAM_MEMBER,
            "job_title": "",
            "deactivated_at_0": "",
            "deactivated_at_1": "",
        },
    )
    assert reply.status_code == 302, reply.content
    tara.refresh_from_db()
    assert tara.role == Role.LIMITED_TEAM_MEMBER
    assert access_rows() == ["all"]


# The real sandbox: RSC-401 and RSC-403 through the export dropdown of Recruiter's UI.

EMEA, US = "urn:li:contract:70001001", "urn:li:contract:70001002"
RITA = "rita.recruiter@acme-robotics.example"
HANA = "hana.hiring@acme-robotics.example"
SOURAV = "sourav.sourcer@acme-robotics.example"
MEMBER = 150


@pytest.fixture
def sandboxed(rsc_sandbox, settings, db):
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    tenant = rsc_sandbox.tenant
    app = tenant["customer_app"]
    integration = enablement.configure(
        app["client_id"], app["client_secret"], tenant["organization_id"], [EMEA, US], "trm"
    )
    with enablement.client_for(integration) as client:
        # What registration sets: a job without ACLs shows to every Recruiter user.
        viewers = IntegrationKey(integration.organization_urn, IntegrationType.ONE_CLICK_EXPORT)
        assert not client.set_configurations(
            viewers, {"JOB_POSTING_VIEWERS": "ALL_PRODUCT_USERS"}
        ).failed
        yield client, integration


def dropdown(rsc_sandbox, email: str) -> set[str]:
    """The job ids in the 1-Click Export dropdown of the seat holder with this email."""
    [seat] = [seat for seat in rsc_sandbox.tenant["seats"] if seat["email"] == email]
    page = httpx.get(
        f"{rsc_sandbox.url}/recruiter/members/{MEMBER}?panel=export",
        cookies={"recruiter_seat": seat["id"].rsplit(":", 1)[1]},
        timeout=10,
    )
    assert page.status_code == 200, page.text
    return set(re.findall(r'<option value="([^"]+)"', page.text))


def send(client, integration, changes):
    org = integration.organization_urn
    for outcome in (
        client.upsert_acls(org, changes.upsert_acls),
        client.delete_assignees(org, changes.delete_assignees),
        client.upsert_assignees(org, changes.upsert_assignees),
        client.delete_acls(org, changes.delete_acls),
    ):
        assert outcome.failed == {}


def test_a_confidential_job_shows_only_in_its_hiring_teams_dropdown(sandboxed, rsc_sandbox, sam):
    client, integration = sandboxed
    rita = UserFactory(name="Rita Recruiter", email=RITA, role=Role.TEAM_MEMBER)
    hana = UserFactory(name="Hana Hiring", email=HANA, role=Role.LIMITED_TEAM_MEMBER)
    refreshed = seats.refresh_seats(integration)
    assert refreshed.mapped == 2 and access_rows() == ["all"]
    OutboxItem.objects.all().delete()
    seats.refresh_seats(integration)
    assert access_rows() == []  # the same holders: nothing to recompute
    open_posting = PostingFactory(title="Robot Whisperer", location="Berlin, Germany", owner=rita)
    secret = PostingFactory(
        title="Chief Secret Officer", location="Paris, France", owner=sam, confidential=True
    )
    secret.members.add(hana)
    created = client.create_jobs(
        [mapping.job_body(posting, integration) for posting in (open_posting, secret)]
    )
    assert all(job.id for job in created)
    assert dropdown(rsc_sandbox, SOURAV) >= {str(open_posting.id), str(secret.id)}  # no ACLs yet

    found = desired_access(integration)
    send(client, integration, access.diff(found, {}))
    assert dropdown(rsc_sandbox, HANA) == {str(secret.id)}
    assert dropdown(rsc_sandbox, RITA) == {str(open_posting.id)}
    assert dropdown(rsc_sandbox, SOURAV) == set()  # a seat no ATS user holds sees neither
    assert set(
        client.acl_groups_of(integration.organization_urn, seats.seat_for(hana).member_urn)
    ) == {access.job_group(str(secret.id))}

    secret.members.remove(hana)  # RSC-403: removing the assignee hides the job
    held = as_detail(found)
    send(client, integration, access.diff(desired_access(integration), held))
    assert dropdown(rsc_sandbox, HANA) == set()
    assert dropdown(rsc_sandbox, RITA) == {str(open_posting.id)}
