"""Synced jobs (simpleJobPostings), their processing tasks, and which jobs a recruiter may pick.

LinkedIn accepts a job batch at once and evaluates each job asynchronously: the task stays
IN_PROGRESS for `job_task_seconds`, then SUCCEEDED, or FAILED for a job that passed the
required-field checks but that LinkedIn's processing rejects (a `companyApplyUrl` that is not
an absolute http(s) URL). A rejected job is not stored, so a previous version stays visible.

Storage layout (ACL routes write it, `visible_jobs` reads it): jobs under their
`externalJobPostingId` with the integration context as parent; ACLs under the entity they
secure (`acl_parent`), assignees under the person they name (`assignee_parent`).
"""

import json
import sqlite3
import uuid
from typing import Any
from urllib.parse import urlsplit

from sandbox import records, restli
from sandbox.errors import error_body

RESOURCE = "simpleJobPostings"
ACLS = "atsEntityAcls"
ASSIGNEES = "atsEntityAclAssignees"
STATES = ("LISTED", "CLOSED")
# PRIVATE is what RSC-102 calls the customer's choice; LinkedIn's field value for it is
# PRIVATE_TO_ATS_INTEGRATION. The sandbox takes both.
AVAILABILITIES = ("PUBLIC", "PRIVATE", "PRIVATE_TO_ATS_INTEGRATION")
TASK_LIFETIME_MS = 30 * 24 * 3600 * 1000
ALL_PRODUCT_USERS = "ALL_PRODUCT_USERS"


def validate(element: Any) -> dict[str, Any]:
    """The required-field rules of RSC's job sync, checked when the batch is received."""
    body = records.entity_object(element)
    context = records.text(body, "integrationContext", required=True)
    if not records.ORGANIZATION_URN.match(context or ""):
        raise records.Invalid(f"integrationContext {context!r} is not an organization URN")
    records.text(body, "externalJobPostingId", required=True)
    records.text(body, "title", required=True, max_length=200)
    records.text(body, "description", required=True)
    records.text(body, "companyApplyUrl", required=True)
    records.epoch_ms(body, "listedAt")
    _location(body)
    if body.get("state") not in STATES:
        raise records.Invalid(f"state must be one of {', '.join(STATES)}")
    if body.get("availability") not in AVAILABILITIES:
        raise records.Invalid(f"availability must be one of {', '.join(AVAILABILITIES)}")
    return body


def _location(body: dict[str, Any]) -> None:
    location = records.text(body, "location")
    if location is not None:
        parts = [part.strip() for part in location.split(",")]
        if len(parts) < 2 or not all(parts):
            raise records.Invalid(
                f"location {location!r} must read 'City, State' or 'City, Country'"
            )
        return
    country = records.text(body, "countryCode")
    postal = records.text(body, "postalCode")
    if country is None or postal is None:
        raise records.Invalid("location is required unless countryCode and postalCode are given")
    if len(country) != 2 or not country.isalpha():
        raise records.Invalid("countryCode must be a two-letter ISO 3166-1 code")
    if not postal.strip():
        raise records.Invalid("postalCode must not be empty")


def rejection(body: dict[str, Any]) -> str | None:
    """Why LinkedIn's asynchronous processing would refuse an accepted job, if it would."""
    url = urlsplit(body["companyApplyUrl"])
    if url.scheme not in ("http", "https") or not url.netloc:
        return "companyApplyUrl must be an absolute http(s) URL"
    return None


def submit(conn: sqlite3.Connection, client_id: str, body: dict[str, Any], now_ms: int) -> str:
    """Accept one validated job: open its task and store the job unless processing rejects it."""
    job_id = body["externalJobPostingId"]
    task_id = f"urn:li:simpleJobPostingTask:{uuid.uuid4()}"
    reason = rejection(body)
    conn.execute(
        "INSERT INTO job_tasks(id, client_id, record_key, error, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (task_id, client_id, job_id, reason, now_ms),
    )
    if reason is None:
        previous = records.get(conn, client_id, RESOURCE, job_id)
        if previous and previous["integrationContext"] != body["integrationContext"]:
            records.delete(conn, client_id, RESOURCE, job_id)  # re-parent under the new context
        records.put(
            conn, client_id, RESOURCE, job_id, body, now_ms, parent=body["integrationContext"]
        )
    return task_id


def task(
    conn: sqlite3.Connection, client_id: str, task_id: str, now_ms: int, settle_seconds: int
) -> dict[str, Any] | None:
    """A task as simpleJobPostingTasks shows it; None when unknown or past its 30 days."""
    row = conn.execute(
        "SELECT * FROM job_tasks WHERE id = ? AND client_id = ?", (task_id, client_id)
    ).fetchone()
    if row is None or now_ms - row["created_at"] > TASK_LIFETIME_MS:
        return None
    view: dict[str, Any] = {"id": task_id, "externalJobPostingId": row["record_key"]}
    if now_ms < row["created_at"] + settle_seconds * 1000:
        view["status"] = "IN_PROGRESS"
    elif row["error"]:
        view["status"] = "FAILED"
        view["error"] = error_body(400, row["error"])
    else:
        view["status"] = "SUCCEEDED"
    return view


def acl_parent(context: str, entity_id: str) -> restli.Key:
    return restli.complex_key(
        atsEntityId=entity_id,
        atsEntityType="JOB_POSTING",
        dataProvider="ATS",
        integrationContext=context,
    )


def assignee_parent(person_urn: str, context: str) -> restli.Key:
    return restli.complex_key(assignee=person_urn, dataProvider="ATS", integrationContext=context)


def visible_jobs(conn: sqlite3.Connection, client_id: str, person_urn: str) -> list[dict[str, Any]]:
    """The LISTED jobs a Recruiter user may pick when exporting (RSC-401..404).

    A job secured by ACLs shows only to assignees of one of its groups; a job without ACLs
    shows to everyone when JOB_POSTING_VIEWERS is ALL_PRODUCT_USERS, and to nobody otherwise.
    """
    visible = []
    for context in _organization_contexts(conn, client_id):
        open_to_all = job_posting_viewers(conn, client_id, context) == ALL_PRODUCT_USERS
        person_groups = {
            assignee["atsEntityAclId"]
            for assignee in records.children(
                conn, client_id, ASSIGNEES, assignee_parent(person_urn, context)
            )
        }
        groups_by_parent = _acl_groups(conn, client_id)
        for job in records.children(conn, client_id, RESOURCE, context):
            if job["state"] != "LISTED":
                continue
            job_parent = restli.canonical(acl_parent(context, job["externalJobPostingId"]))
            job_groups = groups_by_parent.get(job_parent, set())
            if (job_groups & person_groups) if job_groups else open_to_all:
                visible.append(job)
    return visible


def _acl_groups(conn: sqlite3.Connection, client_id: str) -> dict[str, set[str]]:
    """Every job's ACL groups, keyed by the job's ACL parent key: one query, not one per job."""
    groups: dict[str, set[str]] = {}
    for row in conn.execute(
        "SELECT parent_key, body FROM records WHERE client_id = ? AND resource = ?",
        (client_id, ACLS),
    ):
        groups.setdefault(row["parent_key"], set()).add(json.loads(row["body"])["atsEntityAclId"])
    return groups


def _organization_contexts(conn: sqlite3.Connection, client_id: str) -> list[str]:
    return [
        row["integration_context"]
        for row in conn.execute(
            "SELECT DISTINCT integration_context FROM integrations "
            "WHERE client_id = ? AND integration_context LIKE 'urn:li:organization:%' "
            "ORDER BY integration_context",
            (client_id,),
        )
    ]


def job_posting_viewers(conn: sqlite3.Connection, client_id: str, context: str) -> str | None:
    """The ONE_CLICK_EXPORT configuration JOB_POSTING_VIEWERS for an organization, if set."""
    integration = restli.complex_key(
        integrationContext=context,
        integrationType="ONE_CLICK_EXPORT",
        tenantType="RECRUITER",
        dataProvider="ATS",
    )
    row = conn.execute(
        "SELECT value FROM configurations WHERE client_id = ? AND integration_key = ? "
        "AND name = 'JOB_POSTING_VIEWERS'",
        (client_id, restli.canonical(integration)),
    ).fetchone()
    return row["value"] if row else None
