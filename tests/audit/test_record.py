import json
import logging

import pytest
from django.urls import reverse

from hirebridge import audit
from hirebridge.accounts.roles import Role
from hirebridge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_row_names_actor_action_object_and_logs_one_json_line(personas, caplog):
    admin = personas[Role.ADMIN]
    caplog.set_level(logging.INFO, logger="hirebridge.audit")
    audit.record("role.changed", actor=admin, target=admin, detail={"to": "admin"})
    row = AuditEvent.objects.get()
    assert (row.actor_kind, row.actor_id, row.action) == ("user", str(admin.pk), "role.changed")
    assert (row.object_type, row.object_id) == ("user", str(admin.pk))
    assert (row.ip, row.request_id) == (None, "")
    logged = json.loads(caplog.records[-1].getMessage())
    assert logged["action"] == "role.changed"
    assert logged["object"] == f"user:{admin.pk}"


def test_rows_cannot_be_changed_or_deleted(personas):
    audit.record("login.succeeded", actor=personas[Role.ADMIN])
    row = AuditEvent.objects.get()
    row.action = "nothing.happened"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="x")
    assert AuditEvent.objects.get().action == "login.succeeded"


def test_outside_a_request_the_actor_is_the_system():
    audit.record("integration.polled", target=("integration", 7))
    row = AuditEvent.objects.get()
    assert (row.actor_kind, row.actor_id, row.object_type, row.object_id) == (
        "system",
        "",
        "integration",
        "7",
    )


def test_every_response_carries_a_request_id_and_keeps_a_well_formed_one(client):
    first = client.get(reverse("login"))
    assert len(first["X-Request-ID"]) == 32
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="edge-42.a")["X-Request-ID"] == (
        "edge-42.a"
    )
    spoofed = client.get(reverse("login"), HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")
    assert spoofed["X-Request-ID"] != "x\r\nSet-Cookie: a=b"
