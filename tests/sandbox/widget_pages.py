"""What the widget tests share: register the ATS origin the way the ATS does (a partial update of
provisionedApplications), embed a widget as the ATS page would, sign a seat in to the widgets,
sync what the ATS syncs, shape a few members."""

import json
import re
from urllib.parse import urlencode

from sandbox import jobs, records, restli
from tests.sandbox.conftest import ORG, candidate_body, candidate_ids, candidate_key

ORIGIN = ATS = "http://127.0.0.1:8000"  # the ATS page the widgets are embedded in
RITA, SOURAV, HANA = 5000001, 5000002, 5000003  # Rita and Cole hold the admin seats
CALLBACK = re.compile(r'<script type="application/json" class="in-callback">(.*?)</script>', re.S)


def sandbox_of(tenant):
    return tenant.client.app.state.sandbox


def rows(tenant, sql, *params):
    with sandbox_of(tenant).db.reading() as conn:
        return [dict(r) for r in conn.execute(sql, params)]


def write(tenant, sql, *params):
    with sandbox_of(tenant).db.transaction() as conn:
        conn.execute(sql, params)


def settings(tenant, **patch):
    reply = tenant.client.put("/_sandbox/settings", json=patch)
    assert reply.status_code == 200, reply.text


def embed(tenant, **extra) -> list[tuple[str, str]]:
    """The query a widget iframe is opened with, plus `extra` (lists give repeated params)."""
    pairs = [
        ("api_key", tenant.info["customer_app"]["client_id"]),
        ("origin", ORIGIN),
        ("integrationContext", ORG),
    ]
    for name, value in extra.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, str(item)))
    return pairs


def url(path, tenant, **extra) -> str:
    return f"{path}?{urlencode(embed(tenant, **extra))}"


def child_app(tenant) -> dict:
    with sandbox_of(tenant).db.reading() as conn:
        return dict(conn.execute("SELECT * FROM apps WHERE kind = 'child'").fetchone())


def register_origin(tenant, *origins: str) -> None:
    reply = tenant.client.post(
        f"/v2/provisionedApplications/{child_app(tenant)['app_key']}",
        json={"patch": {"$set": {"validJsSdkDomains": list(origins)}}},
        headers=tenant.auth("partner_app"),
    )
    assert reply.status_code == 204, reply.text


def allow_origin(tenant, origin=ORIGIN):
    """The ATS registered its page origin as a JS SDK domain of the child app."""
    register_origin(tenant, origin)


def widget_url(tenant, path: str, origin: str = ORIGIN, **params: str) -> str:
    api_key = tenant.info["customer_app"]["client_id"]
    return f"/rsc/widgets/{path}?" + urlencode({"api_key": api_key, "origin": origin, **params})


def sign_in(tenant, seat_id: int = RITA, origin: str = ORIGIN) -> None:
    next_page = widget_url(tenant, "unified-search", origin)
    reply = tenant.client.post(
        widget_url(tenant, "sign-in", origin, next=next_page),
        data={"seat_id": str(seat_id)},
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text


def callbacks(page) -> list[dict]:
    return [json.loads(item) for item in CALLBACK.findall(page.text)]


def shape_member(tenant, member_id, **fields):
    """Give a seeded member known values (members are Faker-random otherwise)."""
    sets = ", ".join(f"{name} = ?" for name in fields)
    write(tenant, f"UPDATE members SET {sets} WHERE id = ?", *fields.values(), member_id)  # noqa: S608
    return rows(tenant, "SELECT * FROM members WHERE id = ?", member_id)[0]


def person_urn(tenant, member_id) -> str:
    person_id = rows(tenant, "SELECT person_id FROM members WHERE id = ?", member_id)[0]
    return f"urn:li:person:{person_id['person_id']}"


def sync_candidates(tenant, bodies: dict[str, dict]):
    """atsCandidates as the ATS syncs them."""
    reply = tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids(*bodies),
        json={"entities": {candidate_key(c): b for c, b in bodies.items()}},
        headers={**tenant.auth(), "X-RestLi-Method": "batch_update"},
    )
    assert reply.status_code == 200 and not reply.json()["errors"], reply.text


def link_candidate(tenant, candidate_id, person):
    reply = tenant.client.post(
        "/v2/atsCandidates?" + candidate_ids(candidate_id),
        json={
            "entities": {
                candidate_key(candidate_id): {"patch": {"$set": {"manualMatchedMember": person}}}
            }
        },
        headers={**tenant.auth(), "X-RestLi-Method": "batch_partial_update"},
    )
    assert reply.status_code == 200 and not reply.json()["errors"], reply.text


def candidate(first, last, email, **extra) -> dict:
    return candidate_body(first, last, (email,), **extra)


def sync_job(tenant, job_id, title="Data Engineer", location="Berlin, Germany", **extra):
    """A LISTED job as stored after the job sync (fields left None are left out)."""
    body = {
        "externalJobPostingId": job_id,
        "integrationContext": ORG,
        "state": "LISTED",
        "title": title,
        "location": location,
        **extra,
    }
    with sandbox_of(tenant).db.transaction() as conn:
        records.put(
            conn,
            tenant.info["customer_app"]["client_id"],
            jobs.RESOURCE,
            job_id,
            {k: v for k, v in body.items() if v is not None},
            tenant.clock.current,
            parent=ORG,
        )


def open_jobs_to_all_users(tenant):
    integration = restli.complex_key(
        integrationContext=ORG,
        integrationType="ONE_CLICK_EXPORT",
        tenantType="RECRUITER",
        dataProvider="ATS",
    )
    write(
        tenant,
        "INSERT INTO configurations(client_id, integration_key, name, value) "
        "VALUES (?, ?, 'JOB_POSTING_VIEWERS', 'ALL_PRODUCT_USERS')",
        tenant.info["customer_app"]["client_id"],
        restli.canonical(integration),
    )


def secure_job(tenant, job_id, group, person):
    """An ACL group on the job with one assignee: only they see it."""
    client_id = tenant.info["customer_app"]["client_id"]
    with sandbox_of(tenant).db.transaction() as conn:
        records.put(
            conn,
            client_id,
            jobs.ACLS,
            f"{group}:{job_id}",
            {"atsEntityAclId": group},
            tenant.clock.current,
            parent=jobs.acl_parent(ORG, job_id),
        )
        records.put(
            conn,
            client_id,
            jobs.ASSIGNEES,
            f"{group}:{person}",
            {"atsEntityAclId": group},
            tenant.clock.current,
            parent=jobs.assignee_parent(person, ORG),
        )
