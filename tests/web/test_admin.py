import pytest
from django.contrib import admin
from django.urls import reverse

from hirebridge.accounts.roles import Role


def changelist_urls():
    return [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]


def test_every_model_of_ours_is_in_the_admin_on_its_own_or_inline():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m.__module__.startswith("hirebridge.")}
    inline = {i.model for a in admin.site._registry.values() for i in a.inlines}
    assert ours <= set(admin.site._registry) | inline


def test_a_super_admin_can_open_every_admin_list(client, sam, posting):
    client.force_login(sam)
    for url in changelist_urls():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SUPER_ADMIN])
def test_no_other_role_gets_into_the_admin(client, personas, role):
    client.force_login(personas[role])
    for url in [reverse("admin:index"), *changelist_urls()]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]


def test_deleting_a_candidate_in_the_admin_tells_linkedin_and_the_audit_log(client, sam, posting):
    from hirebridge.audit.models import AuditEvent
    from hirebridge.hiring import services
    from hirebridge.linkedin.models import OutboxItem
    from tests.factories import linkedin_integration

    opportunity = services.create_candidate(sam, name="Ada Lovelace", posting=posting)
    linkedin_integration()
    client.force_login(sam)
    url = reverse("admin:hiring_candidate_delete", args=[opportunity.candidate_id])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert set(OutboxItem.objects.values_list("kind", "entity_id")) == {
        ("candidate", str(opportunity.candidate_id)),
        ("application", str(opportunity.id)),
    }
    deleted = AuditEvent.objects.get(action="candidate.deleted")
    assert (deleted.actor_id, deleted.object_id) == (str(sam.pk), str(opportunity.candidate_id))


def test_editing_a_posting_in_the_admin_tells_linkedin(client, sam, posting):
    from hirebridge.linkedin.models import OutboxItem
    from tests.factories import linkedin_integration

    linkedin_integration()
    client.force_login(sam)
    url = reverse("admin:hiring_posting_change", args=[posting.pk])
    form = {
        "title": "Staff Engineer",
        "team": "",
        "department": "",
        "location": "Berlin, Germany",
        "commitment": "",
        "description": "",
        "state": posting.state,
        "owner": posting.owner_id,
    }
    assert client.post(url, form).status_code == 302
    assert set(OutboxItem.objects.values_list("kind", "entity_id")) == {
        ("job", str(posting.pk)),
        ("job_access", "all"),
    }
