import pytest
from django.urls import resolve

from hirebridge.audit.context import RequestContext, current
from hirebridge.audit.denials import record_denial
from hirebridge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def denied_at(rf, path: str, **target) -> AuditEvent:
    request = rf.get(path + "?q=Ada+Lovelace")
    request.resolver_match = resolve(path)
    request.request_id = "req-1"
    token = current.set(RequestContext("req-1", "127.0.0.1", request))
    try:
        record_denial(403, **target)
    finally:
        current.reset(token)
    return AuditEvent.objects.get()


def test_the_row_names_the_route_and_the_id_in_the_url_never_the_path_or_query(rf):
    row = denied_at(rf, "/postings/7d0b9c56-4c55-4a7e-9a48-2f3d1c1e0b11/edit/")
    assert (row.object_type, row.object_id) == ("posting", "7d0b9c56-4c55-4a7e-9a48-2f3d1c1e0b11")
    assert row.detail == {"route": "posting-edit", "method": "GET", "status": 403}
    assert (row.request_id, row.ip, row.actor_kind) == ("req-1", "127.0.0.1", "anonymous")
    assert "Ada" not in str(row.detail)


def test_a_secret_url_segment_is_not_taken_for_an_object(rf):
    row = denied_at(rf, "/linkedin/callback/unguessable-token-123")
    assert (row.object_type, row.object_id) == ("", "")
    assert row.detail["route"] == "linkedin-callback"


def test_an_explicit_target_wins_over_the_url(rf):
    row = denied_at(rf, "/postings/7d0b9c56-4c55-4a7e-9a48-2f3d1c1e0b11/edit/", target=("seat", 3))
    assert (row.object_type, row.object_id) == ("seat", "3")
