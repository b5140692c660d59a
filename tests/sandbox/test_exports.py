"""1-Click Export: the Recruiter action, its refusals and quota, and exportedCandidates."""

import pytest

from sandbox import exporting, records, state
from tests.sandbox.conftest import ORG

SEAT, OTHER_SEAT = 5000001, 5000002


def export(tenant, **body):
    return tenant.client.post(
        "/_sandbox/actions/export", json={"seat_id": SEAT, "member_id": 100, **body}
    )


def exported(tenant, request_id: str, headers=None):
    return tenant.client.get(
        f"/v2/exportedCandidates?q=request&requestId={request_id}",
        headers=headers or tenant.auth(),
    )


def update_state(tenant, **patch) -> None:
    with tenant.client.app.state.sandbox.db.transaction() as conn:
        state.update(conn, patch)


def member(tenant, member_id: int = 100) -> dict:
    with tenant.client.app.state.sandbox.db.reading() as conn:
        return dict(conn.execute("SELECT * FROM members WHERE id = ?", (member_id,)).fetchone())


def sync_job(tenant, job_id: str, context: str = ORG) -> None:
    sandbox = tenant.client.app.state.sandbox
    with sandbox.db.transaction() as conn:
        records.put(
            conn,
            tenant.info["customer_app"]["client_id"],
            "simpleJobPostings",
            job_id,
            {"externalJobPostingId": job_id, "integrationContext": context, "state": "LISTED"},
            tenant.clock.current,
            parent=context,
        )


def test_an_export_is_readable_by_its_request_id(tenant):
    reply = export(tenant, email_addresses=["ada@example.com"])
    assert reply.status_code == 201, reply.text
    answer = reply.json()
    person = member(tenant)
    assert answer["member_id"] == 100 and answer["seat_id"] == SEAT
    assert answer["person"] == f"urn:li:person:{person['person_id']}"
    found = exported(tenant, answer["request_id"]).json()
    assert found["paging"]["total"] == 1
    [element] = found["elements"]
    assert element == {
        "integrationContext": ORG,
        "candidate": {
            "firstName": person["first_name"],
            "lastName": person["last_name"],
            "headline": person["headline"],
            "location": person["location"],
            "currentEmployerNames": [person["company"]],
            "member": answer["person"],
            "profileUrl": person["profile_url"],
            "emailAddresses": ["ada@example.com"],
        },
        "externalJobPostingId": None,
        "exporter": f"urn:li:seat:{SEAT}",
        "exportedAt": tenant.clock.current,
        "inMails": [],
        "notes": [],
    }


def test_the_export_carries_the_seats_inmails_and_active_notes_on_the_member(tenant):
    actions = "/_sandbox/actions"
    sent = tenant.client.post(
        f"{actions}/inmail",
        json={"seat_id": SEAT, "member_id": 100, "subject": "Hello", "body": "Interested?"},
    ).json()
    tenant.clock.advance(60)
    tenant.client.post(
        f"{actions}/reply",
        json={"member_id": 100, "conversation_id": sent["conversation_id"], "body": "Yes!"},
    )
    kept = tenant.client.post(
        f"{actions}/note", json={"seat_id": SEAT, "member_id": 100, "body": "Strong on Rust"}
    ).json()
    dropped = tenant.client.post(
        f"{actions}/note", json={"seat_id": SEAT, "member_id": 100, "body": "Old note"}
    ).json()
    tenant.client.put(f"{actions}/note/{dropped['note_id']}", json={"active": False})
    tenant.client.post(
        f"{actions}/note", json={"seat_id": OTHER_SEAT, "member_id": 100, "body": "Not mine"}
    )
    element = exported(tenant, export(tenant).json()["request_id"]).json()["elements"][0]
    person = element["candidate"]["member"]
    assert [(m["author"], m["body"]) for m in element["inMails"]] == [
        (f"urn:li:seat:{SEAT}", "Interested?"),
        (person, "Yes!"),
    ]
    assert element["inMails"][0]["thread"] == sent["thread"]
    assert [n["note"] for n in element["notes"]] == ["Strong on Rust"]
    assert element["notes"][0]["id"] == kept["note_id"]


def test_an_export_to_a_synced_job_names_it(tenant):
    sync_job(tenant, "JOB-1")
    reply = export(tenant, external_job_posting_id="JOB-1")
    element = exported(tenant, reply.json()["request_id"]).json()["elements"][0]
    assert element["externalJobPostingId"] == "JOB-1"


@pytest.mark.parametrize("job_context", [None, "urn:li:organization:1"])
def test_an_export_to_a_job_not_synced_for_the_organization_is_refused(tenant, job_context):
    if job_context:
        sync_job(tenant, "JOB-9", job_context)
    reply = export(tenant, external_job_posting_id="JOB-9")
    assert reply.status_code == 404
    assert "JOB-9" in reply.json()["message"]


def test_unknown_or_other_apps_request_ids_find_nothing(tenant):
    request_id = export(tenant).json()["request_id"]
    assert exported(tenant, "123456789").json()["elements"] == []
    created = tenant.client.post(
        "/v2/provisionedApplications",
        json={"uniqueForeignId": "globex", "name": "hirebridge - Globex"},
        headers=tenant.auth("partner_app"),
    ).json()["credentials"]
    token = tenant.client.post(
        "/oauth/v2/accessToken",
        data={
            "grant_type": "client_credentials",
            "client_id": created["clientId"],
            "client_secret": created["clientSecret"],
        },
    ).json()["access_token"]
    other = exported(tenant, request_id, {"Authorization": f"Bearer {token}"})
    assert other.status_code == 200 and other.json()["elements"] == []


def test_exported_candidates_has_only_the_request_finder_for_child_apps(tenant):
    request_id = export(tenant).json()["request_id"]
    assert exported(tenant, request_id, tenant.auth("partner_app")).status_code == 403
    wrong = tenant.client.get("/v2/exportedCandidates?q=criteria", headers=tenant.auth())
    assert wrong.status_code == 400
    missing = tenant.client.get("/v2/exportedCandidates?q=request", headers=tenant.auth())
    assert missing.status_code == 400 and "requestId" in missing.json()["message"]


def test_the_organization_may_turn_one_click_export_off(tenant):
    update_state(tenant, one_click_export=False)
    reply = export(tenant)
    assert reply.status_code == 403
    assert "one_click_export" in reply.json()["message"]


def test_an_export_needs_an_enabled_one_click_export_integration(tenant):
    tenant.client.post(
        "/_sandbox/actions/disable-integration", json={"integration_type": "ONE_CLICK_EXPORT"}
    )
    reply = export(tenant)
    assert reply.status_code == 403
    assert "not enabled" in reply.json()["message"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"seat_id": 4000000}, 404, "seat"),
        ({"member_id": 99_999_999}, 404, "member"),
        ({"seat_id": "seat-1"}, 400, "seat_id"),
        ({"member_id": None}, 400, "member_id"),
        ({"email_addresses": ["nope"]}, 400, "email_addresses[0]"),
        ({"email_addresses": "a@b.co"}, 400, "email_addresses"),
        ({"external_job_posting_id": ""}, 400, "external_job_posting_id"),
        ({"colour": "blue"}, 400, "colour"),
    ],
)
def test_bad_exports_are_refused_naming_the_field(tenant, body, status, words):
    reply = export(tenant, **body)
    assert reply.status_code == status
    assert words in reply.json()["message"]


def test_a_closed_member_cannot_be_exported(tenant):
    tenant.client.post("/_sandbox/actions/close-profile", json={"member_id": 100})
    assert export(tenant).status_code == 404


def test_each_seat_has_a_monthly_export_quota(tenant):
    update_state(tenant, exports_per_seat_per_month=2)
    assert export(tenant).status_code == 201
    assert export(tenant, seat_id=f"urn:li:seat:{SEAT}", member_id=101).status_code == 201
    refused = export(tenant, member_id=102)
    assert refused.status_code == 429
    assert "exports_per_seat_per_month" in refused.json()["message"]
    assert export(tenant, seat_id=OTHER_SEAT).status_code == 201
    tenant.clock.advance(31 * 24 * 3600)
    assert export(tenant, member_id=102).status_code == 201


def test_the_recruiter_ui_calls_export_directly(tenant):
    sandbox = tenant.client.app.state.sandbox
    answer = exporting.export(sandbox, seat_id=SEAT, member_id=101)
    assert set(answer) == {"request_id", "member_id", "person", "seat_id"}
    assert exported(tenant, answer["request_id"]).json()["elements"][0]["exporter"] == (
        f"urn:li:seat:{SEAT}"
    )
