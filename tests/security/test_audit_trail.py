"""The audit trail through the product: each security-relevant event leaves one row naming its
actor, action, object, request id and IP, with no personal data in it; and the Settings → Audit
log page shows them to Super Admins only."""

import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hirebridge import audit
from hirebridge.accounts import services as accounts
from hirebridge.accounts.models import ApiKey
from hirebridge.accounts.roles import Role
from hirebridge.audit.context import RequestContext, current
from hirebridge.audit.denials import record_denial
from hirebridge.audit.models import AuditEvent
from hirebridge.hiring import services as hiring
from hirebridge.hiring.models import Candidate
from hirebridge.linkedin import enablement, provisioning, seats
from hirebridge.linkedin.inbound import events
from hirebridge.linkedin.models import IntegrationStatus, IntegrationType, Seat
from hirebridge.linkedin.provisioning import Partner
from hirebridge.webhooks import subscriptions
from hirebridge.webhooks.models import CreatedVia, Webhook
from tests.api.conftest import basic_auth
from tests.factories import PostingFactory, UserFactory, candidate
from tests.linkedin import inbound_data as data
from tests.linkedin.conftest import rsc_sandbox  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-Audit-Canary-7f1e"
PII = ("Zebulon Quixotic", "zebulon.quixotic@pii.example", "+44 7700 900123")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client_of(user) -> Client:
    return Client(HTTP_AUTHORIZATION=basic_auth(ApiKey.objects.issue(user, "tests")[1]))


def only(action: str, **fields) -> AuditEvent:
    return AuditEvent.objects.get(action=action, **fields)


def assert_from(row: AuditEvent, response, actor) -> None:
    """The row names the request that caused it and who sent it."""
    assert (row.request_id, row.ip) == (response["X-Request-ID"], "127.0.0.1")
    assert (row.actor_kind, row.actor_id) == ("user", str(actor.pk))


def every_field_of_every_row() -> str:
    return "\n".join(
        json.dumps(
            [
                e.actor_kind,
                e.actor_id,
                e.action,
                e.object_type,
                e.object_id,
                e.ip,
                e.request_id,
                e.detail,
            ],
            default=str,
        )
        for e in AuditEvent.objects.all()
    )


# Denials


def test_a_limited_team_members_refused_request_is_recorded_with_its_route(lee):
    response = client_of(lee).get(reverse("linkedin-settings") + "?q=anything")
    assert response.status_code == 403
    row = only("access.denied")
    assert_from(row, response, lee)
    assert row.detail == {"route": "linkedin-settings", "method": "GET", "status": 403}


def test_a_refused_api_call_is_recorded(lee):
    client = api_client_of(lee)
    refused = client.post("/v1/postings", {"text": "X"}, content_type="application/json")
    assert refused.status_code == 403
    row = only("access.denied")
    assert_from(row, refused, lee)
    assert row.detail["status"] == 403 and row.detail["route"].startswith("v1:")


def test_a_refusal_names_the_object_its_url_points_at(lee, posting):
    response = client_of(lee).get(reverse("posting-edit", args=[posting.pk]))
    assert response.status_code == 403
    row = only("access.denied")
    assert (row.object_type, row.object_id) == ("posting", str(posting.pk))
    assert row.detail["route"] == "posting-edit"


def test_a_hidden_object_is_a_404_with_a_row_but_a_missing_one_is_not(lee, tara):
    hidden = candidate(tara, posting=PostingFactory()).candidate
    client = client_of(lee)
    missing = client.get(reverse("candidate", args=[uuid.uuid4()]))
    assert missing.status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()
    response = client.get(reverse("candidate", args=[hidden.pk]))
    assert response.status_code == 404
    row = only("access.denied")
    assert_from(row, response, lee)
    assert (row.object_type, row.object_id) == ("candidate", str(hidden.pk))
    assert row.detail == {"route": "candidate", "method": "GET", "status": 404}


def test_the_api_records_a_hidden_opportunity_but_not_a_missing_one(lee, tara):
    hidden = candidate(tara, posting=PostingFactory())
    client = api_client_of(lee)
    assert client.get(f"/v1/opportunities/{uuid.uuid4()}").status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()
    response = client.get(f"/v1/opportunities/{hidden.pk}")
    assert response.status_code == 404
    row = only("access.denied")
    assert_from(row, response, lee)
    assert (row.object_type, row.object_id) == ("opportunity", str(hidden.pk))


def test_a_failed_csrf_check_is_a_recorded_denial(tara):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tara)
    response = client.post(reverse("api-key-create"), {"name": "No token"})
    assert response.status_code == 403
    row = only("access.denied")
    assert_from(row, response, tara)
    assert row.detail["route"] == "api-key-create"
    assert not ApiKey.objects.exists()


def test_a_request_records_one_denial_however_many_times_it_is_refused(rf, lee):
    request = rf.get("/")
    request.user = lee
    token = current.set(RequestContext("r1", "127.0.0.1", request))
    try:
        record_denial(404, target=("candidate", "1"))
        record_denial(403)
    finally:
        current.reset(token)
    assert AuditEvent.objects.count() == 1


# Roles, deactivation, API keys


def test_a_role_change_through_the_admin_site_is_recorded(sam, alex):
    response = client_of(sam).post(
        reverse("admin:accounts_user_change", args=[alex.pk]),
        {
            "email": alex.email,
            "name": alex.name,
            "role": Role.TEAM_MEMBER,
            "job_title": "",
            "deactivated_at_0": "",
            "deactivated_at_1": "",
        },
    )
    assert response.status_code == 302, response.content
    row = only("user.role_changed")
    assert_from(row, response, sam)
    assert (row.object_type, row.object_id) == ("user", str(alex.pk))
    assert row.detail == {"from": Role.ADMIN, "to": Role.TEAM_MEMBER}


def test_deactivation_reactivation_creation_and_deletion_are_recorded(sam, tara):
    tara.deactivated_at = timezone.now()
    accounts.save_user(tara)
    tara.deactivated_at = None
    accounts.save_user(tara)
    accounts.save_user(tara)  # nothing changed: nothing recorded
    tara_id = str(tara.pk)
    accounts.delete_users([tara])
    created = UserFactory.build(role=Role.ADMIN)
    accounts.save_user(created)
    assert list(AuditEvent.objects.order_by("id").values_list("action", "object_id")) == [
        ("user.deactivated", tara_id),
        ("user.reactivated", tara_id),
        ("user.deleted", tara_id),
        ("user.created", str(created.pk)),
    ]
    assert only("user.created").detail == {"role": Role.ADMIN}


def test_issuing_and_revoking_an_api_key_are_recorded_and_anothers_key_is_a_denial(lee, tara):
    client = client_of(lee)
    issued = client.post(reverse("api-key-create"), {"name": "Reports"})
    key = ApiKey.objects.get(user=lee)
    row = only("api_key.issued")
    assert_from(row, issued, lee)
    assert (row.object_type, row.object_id) == ("apikey", str(key.pk))
    revoked = client.post(reverse("api-key-revoke", args=[key.pk]))
    assert_from(only("api_key.revoked"), revoked, lee)
    client.post(reverse("api-key-revoke", args=[key.pk]))  # already revoked: no second row
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1
    taras, _ = ApiKey.objects.issue(tara, "Hers")
    assert client.post(reverse("api-key-revoke", args=[taras.pk])).status_code == 404
    assert (only("access.denied").object_type, only("access.denied").object_id) == (
        "apikey",
        str(taras.pk),
    )


# Integration, secrets, seats


@pytest.fixture
def linkedin(rsc_sandbox, settings):  # noqa: F811 (the fixture imported above)
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    return rsc_sandbox


@pytest.mark.timeout(120)
def test_integration_secret_status_and_seat_changes_are_recorded_without_the_secret(
    linkedin, alex, tara, caplog
):
    caplog.set_level(logging.DEBUG)
    tenant, admin = linkedin.tenant, client_of(alex)
    app = tenant["customer_app"]
    form = {
        "client_id": app["client_id"],
        "client_secret": SECRET,
        "organization_urn": tenant["organization_id"],
        "contract_urns": "\n".join(tenant["contract_ids"]),
        "licence_tier": "trm",
    }
    saved = admin.post(reverse("linkedin-settings-credentials"), form)
    row = only("integration.configured")
    assert_from(row, saved, alex)
    assert row.detail["secret_changed"] is True and row.detail["created"] is True
    form["client_secret"] = app["client_secret"]  # rotated to the working one
    admin.post(reverse("linkedin-settings-credentials"), form)
    assert AuditEvent.objects.filter(action="integration.configured").count() == 2

    admin.post(reverse("linkedin-settings-register"))
    registered = only("integration.registered")
    assert (registered.actor_kind, registered.actor_id) == ("user", str(alex.pk))
    enabled = AuditEvent.objects.filter(action="integration.enabled")
    assert enabled.count() == IntegrationStatus.objects.count() > 0
    assert {e.actor_kind for e in enabled} == {"linkedin"}
    linkedin.admin(
        "POST", "actions/disable-integration", json={"integration_type": "PROFILE_PLUGIN"}
    )
    admin.post(reverse("linkedin-settings-statuses"))
    disabled = only("integration.disabled")
    assert disabled.detail == {
        "type": IntegrationType.PROFILE_PLUGIN,
        "context": tenant["organization_id"],
    }

    UserFactory(email="rita.recruiter@acme-robotics.example")  # a seat holder's email
    result = seats.refresh_seats(enablement.current())
    assert result.mapped == 1
    assert only("seat.mapped_automatically").detail == {"seats": 1}
    seat = Seat.objects.filter(active=True).order_by("urn").first()
    mapped = admin.post(reverse("linkedin-settings-map-seat", args=[seat.pk]), {"user": tara.pk})
    row = only("seat.mapped")
    assert_from(row, mapped, alex)
    assert (row.object_type, row.object_id, row.detail) == (
        "seat",
        str(seat.pk),
        {"user": str(tara.pk)},
    )
    admin.post(reverse("linkedin-settings-map-seat", args=[seat.pk]), {"user": ""})
    assert only("seat.unmapped").detail == {"user": str(tara.pk)}

    partner = tenant["partner_app"]
    provisioning.provision(
        "http://127.0.0.1:8123", Partner(partner["client_id"], partner["client_secret"], "acme")
    )
    assert only("integration.provisioned").detail == {
        "origin": "http://127.0.0.1:8123",
        "origin_added": False,
    }
    stored = enablement.current().client_secret
    assert only("integration.credentials_stored").detail["secret_changed"] is True

    for secret in (SECRET, app["client_secret"], stored, partner["client_secret"]):
        assert secret not in every_field_of_every_row()
        assert secret not in caplog.text


# Exports, merges, connections, webhooks


@pytest.fixture
def exports(monkeypatch):
    fake = data.FakeLinkedIn()
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: fake)
    return fake


def test_each_export_is_recorded_as_linkedins_with_the_posting(exports, tara, posting):
    integration = data.make_integration(tara)
    for request_id in ("1", "2"):
        exports.exports[request_id] = [data.exported(job=str(posting.pk))]
        assert events.process_event(data.push(integration, request_id).pk)
    person = Candidate.objects.get()
    rows = AuditEvent.objects.filter(action="candidate.exported").order_by("id")
    assert [(r.actor_kind, r.object_type, r.object_id) for r in rows] == [
        ("linkedin", "candidate", str(person.pk))
    ] * 2
    assert [r.detail for r in rows] == [{"posting": str(posting.pk)}] * 2


def test_a_merge_is_recorded_on_the_profile_kept(sam):
    keep = candidate(sam, name="Grace Hopper").candidate
    gone = candidate(sam, name="Grace B. Hopper").candidate
    response = client_of(sam).post(
        reverse("candidate-merge", args=[keep.pk]) + f"?with={gone.pk}", {"keep": str(keep.pk)}
    )
    assert response.status_code == 302
    row = only("candidate.merged")
    assert_from(row, response, sam)
    assert (row.object_type, row.object_id) == ("candidate", str(keep.pk))
    assert row.detail["merged_id"] == str(gone.pk)


@pytest.fixture
def connectable(tara):
    integration = data.make_integration(tara)
    IntegrationStatus.objects.create(
        integration=integration,
        integration_type=IntegrationType.PROFILE_PLUGIN,
        context_urn=integration.organization_urn,
        onboarded=True,
        checked_at=timezone.now(),
    )
    return person(tara)


def person(actor) -> Candidate:
    """A candidate whose name, email and phone no audit row may hold."""
    name, email, phone = PII
    return candidate(actor, name=name, emails=[email], phones=[hiring.Phone(phone)]).candidate


def test_connecting_and_disconnecting_are_recorded_without_the_member(tara, connectable):
    client = client_of(tara)
    member = "urn:li:person:zq1"
    connected = client.post(
        reverse("candidate-linkedin-connect", args=[connectable.pk]), {"member": member}
    )
    row = only("linkedin.connected")
    assert_from(row, connected, tara)
    assert (row.object_type, row.object_id, row.detail) == (
        "candidate",
        str(connectable.pk),
        {"primary": True},
    )
    gone = client.post(reverse("candidate-linkedin-disconnect", args=[connectable.pk]))
    assert_from(only("linkedin.disconnected"), gone, tara)
    assert member not in every_field_of_every_row()


def test_webhook_creation_change_and_deletion_are_recorded_without_the_url(sam, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    url = "http://127.0.0.1:9/hook?token=receiver-own-secret"
    client = client_of(sam)
    created = client.post(reverse("webhook-create"), {"event": "candidateHired", "url": url})
    hook = Webhook.objects.get()
    row = only("webhook.created")
    assert_from(row, created, sam)
    assert (row.object_type, row.object_id) == ("webhook", str(hook.pk))
    assert row.detail == {"event": "candidateHired", "via": CreatedVia.UI}
    subscriptions.update(hook, via=CreatedVia.UI, url=url + "2")
    assert only("webhook.changed").detail["fields"] == ["url"]
    deleted = client.post(reverse("webhook-delete", args=[hook.pk]))
    assert_from(only("webhook.deleted"), deleted, sam)
    assert "receiver-own-secret" not in every_field_of_every_row()


def test_no_row_holds_the_candidates_name_email_or_phone(sam, lee, tara, connectable):
    duplicate = person(tara)
    assert client_of(lee).get(reverse("candidate", args=[connectable.pk])).status_code == 404
    client_of(tara).post(
        reverse("candidate-linkedin-connect", args=[connectable.pk]),
        {"member": "urn:li:person:zq1"},
    )
    client_of(tara).post(reverse("candidate-linkedin-disconnect", args=[connectable.pk]))
    client_of(sam).post(
        reverse("candidate-merge", args=[connectable.pk]) + f"?with={duplicate.pk}",
        {"keep": str(connectable.pk)},
    )
    assert {"access.denied", "linkedin.connected", "candidate.merged"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    recorded = every_field_of_every_row().lower()
    for value in PII:
        assert value.lower() not in recorded
    assert "7700" not in recorded


# The page


def test_only_super_admins_read_the_audit_log_and_a_refusal_is_itself_recorded(personas, sam):
    page = reverse("audit-log")
    for role, user in personas.items():
        response = client_of(user).get(page)
        assert response.status_code == (200 if role == Role.SUPER_ADMIN else 403), role
        nav = client_of(user).get(reverse("api-keys")).content.decode()
        assert (f'href="{page}"' in nav) == (role == Role.SUPER_ADMIN)
    assert AuditEvent.objects.filter(action="access.denied").count() == len(personas) - 1
    assert Client().get(page).status_code == 302  # to the login page


def test_the_page_filters_by_action_actor_object_and_dates_newest_first(sam, alex, lee):
    client = client_of(sam)  # signing in may be recorded too: before the rows below
    audit.record("user.role_changed", actor=sam, target=lee, detail={"from": "a", "to": "b"})
    audit.record("seat.mapped", actor=alex, target=("seat", 7), detail={"user": "x"})
    audit.record("candidate.exported", actor="linkedin", target=("candidate", "c1"))
    page = reverse("audit-log")

    def shown(**query) -> list[str]:
        response = client.get(page, query)
        assert response.status_code == 200
        return [row.event.action for row in response.context["rows"]]

    assert shown()[:3] == ["candidate.exported", "seat.mapped", "user.role_changed"]
    assert shown(action="seat.mapped") == ["seat.mapped"]
    assert shown(actor=f"user:{alex.pk}") == ["seat.mapped"]
    assert shown(actor="linkedin") == ["candidate.exported"]
    assert shown(object_type="seat", object_id="7") == ["seat.mapped"]
    today = timezone.localdate()
    assert shown(since=today.isoformat(), until=today.isoformat())[:3] == shown()[:3]
    assert shown(since=(today + timedelta(days=1)).isoformat()) == []
    html = client.get(page).content.decode()
    assert "Sam Super" in html and "Alex Admin" in html and "LinkedIn" in html


def test_bad_filters_are_a_400_naming_the_field(sam):
    client = client_of(sam)
    bad_date = client.get(reverse("audit-log"), {"since": "yesterday"})
    assert bad_date.status_code == 400 and bad_date.context["form"].errors.keys() == {"since"}
    reversed_range = client.get(
        reverse("audit-log"), {"since": "2026-02-02", "until": "2026-02-01"}
    )
    assert reversed_range.status_code == 400
    assert reversed_range.context["form"].errors.keys() == {"until"}


def test_the_page_is_paginated_keeps_its_filters_and_escapes_what_it_shows(sam):
    for n in range(51):
        audit.record("probe.sent", target=("thing", n), detail={"note": "<script>x</script>"})
    client = client_of(sam)
    first = client.get(reverse("audit-log"), {"action": "probe.sent"})
    html = first.content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "?action=probe.sent&amp;page=2" in html
    second = client.get(reverse("audit-log"), {"action": "probe.sent", "page": 2})
    assert [row.event.object_id for row in second.context["rows"]] == ["0"]
