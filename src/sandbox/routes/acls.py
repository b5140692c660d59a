"""atsEntityAcls (a job secured by a security group) and atsEntityAclAssignees (a person in a
group): batch update with empty entities, criteria finders, batch delete.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls
"""

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sandbox import jobs, records, restli, state, throttle
from sandbox.auth import App, ChildApp, require_enabled
from sandbox.context import Call, CallDep, Sandbox, SandboxDep
from sandbox.errors import LinkedInError, bad_request

router = APIRouter()

ACL_KEY = {
    "atsEntityAclId": None,
    "dataProvider": "ATS",
    "integrationContext": None,
    "atsEntityType": "JOB_POSTING",
    "atsEntityId": None,
}
ACL_ORDER = tuple(ACL_KEY)
ASSIGNEE_KEY = {
    "atsEntityAclId": None,
    "integrationContext": None,
    "dataProvider": "ATS",
    "assignee": None,
    "atsEntityType": "JOB_POSTING",
}
ASSIGNEE_ORDER = tuple(ASSIGNEE_KEY)
PERSON_URN = re.compile(r"^urn:li:person:[^\s:]+$")
MAX_GROUPS_PER_ASSIGNEE = 10


def acl_parent(fields: dict[str, str]) -> restli.Key:
    return jobs.acl_parent(fields["integrationContext"], fields["atsEntityId"])


def assignee_parent(fields: dict[str, str]) -> restli.Key:
    return jobs.assignee_parent(fields["assignee"], fields["integrationContext"])


def assignee_fields(key: restli.Key) -> dict[str, str]:
    fields = records.key_with(key, ASSIGNEE_KEY)
    if not PERSON_URN.match(fields["assignee"]):
        raise bad_request(f"assignee {fields['assignee']!r} is not a person URN")
    return fields


@router.api_route("/v2/atsEntityAcls", methods=["GET", "PUT", "POST", "DELETE"])
def entity_acls(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    if call.method == "finder":
        criteria = _criteria(call, ("atsEntityId", "atsEntityType", "dataProvider"))
        if criteria["atsEntityType"] != "JOB_POSTING" or criteria["dataProvider"] != "ATS":
            raise bad_request("atsEntityType must be 'JOB_POSTING' and dataProvider 'ATS'")
        return _find(call, app, sandbox, jobs.ACLS, acl_parent(criteria))
    keys = {key: records.key_with(key, ACL_KEY) for key in call.ids}
    return _batch(call, app, sandbox, jobs.ACLS, keys, ACL_ORDER, acl_parent, lambda *_: None)


@router.api_route("/v2/atsEntityAclAssignees", methods=["GET", "PUT", "POST", "DELETE"])
def entity_acl_assignees(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    if call.method == "finder":
        criteria = _criteria(call, ("assignee", "dataProvider"))
        if criteria["dataProvider"] != "ATS":
            raise bad_request("dataProvider must be 'ATS'")
        return _find(call, app, sandbox, jobs.ASSIGNEES, assignee_parent(criteria))
    keys = {key: assignee_fields(key) for key in call.ids}
    return _batch(
        call, app, sandbox, jobs.ASSIGNEES, keys, ASSIGNEE_ORDER, assignee_parent, _group_limit
    )


def _criteria(call: Call, names: tuple[str, ...]) -> dict[str, str]:
    if call.required("q") != "criteria":
        raise bad_request(f"Unknown finder q={call.param('q')!r}; this resource has 'criteria'")
    criteria = {name: call.required(name) for name in (*names, "integrationContext")}
    if not records.ORGANIZATION_URN.match(criteria["integrationContext"]):
        raise bad_request(
            f"integrationContext {criteria['integrationContext']!r} is not an organization URN"
        )
    return criteria


def _find(
    call: Call, app: App, sandbox: Sandbox, resource: str, parent: restli.Key
) -> JSONResponse:
    """A criteria finder, paged with start/count, projected to `fields=` when given."""
    start, count = restli.paging(call.first_values)
    wanted = [name for name in (call.param("fields") or "").split(",") if name]
    throttle.charge(sandbox, app.client_id, resource, per_day="write_calls_per_day")
    with sandbox.db.reading() as conn:
        found = records.children(conn, app.client_id, resource, parent)
    page = found[start : start + count]
    if wanted:
        page = [{name: element[name] for name in wanted if name in element} for element in page]
    return JSONResponse(restli.finder_body(page, start, count, len(found)))


def _group_limit(conn: sqlite3.Connection, client_id: str, fields: dict[str, str]) -> None:
    """LinkedIn allows a person at most ten ACL groups; a new eleventh is refused."""
    groups = {
        assignee["atsEntityAclId"]
        for assignee in records.children(conn, client_id, jobs.ASSIGNEES, assignee_parent(fields))
    }
    if fields["atsEntityAclId"] not in groups and len(groups) >= MAX_GROUPS_PER_ASSIGNEE:
        raise records.Invalid(
            f"{fields['assignee']} is already in {MAX_GROUPS_PER_ASSIGNEE} ACL groups, "
            "the most LinkedIn allows per user"
        )


def _batch(
    call: Call,
    app: App,
    sandbox: Sandbox,
    resource: str,
    keys: dict[restli.Key, dict[str, str]],
    order: tuple[str, ...],
    parent_of: Callable[[dict[str, str]], restli.Key],
    check: Callable[[sqlite3.Connection, str, dict[str, str]], None],
) -> JSONResponse:
    """batch_update (entities carry nothing but their key) and batch_delete."""
    if call.method not in ("batch_update", "batch_delete"):
        raise LinkedInError(405, f"{call.method} is not supported on {resource}")
    with sandbox.db.reading() as conn:
        records.check_batch_size(len(keys), state.current(conn)["batch_max"])
    throttle.charge(
        sandbox, app.client_id, resource, per_day="write_calls_per_day", records=len(keys)
    )
    result = restli.BatchResult.empty()
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        for fields in keys.values():
            require_enabled(conn, app, fields["integrationContext"])
        if call.method == "batch_delete":
            for key in keys:
                records.delete(conn, app.client_id, resource, key)
                result.ok(restli.render_key(key, order))
            return JSONResponse(result.write_body())
        for key, spelled, entity in restli.entities_for(list(keys), call.body):
            fields = keys[key]
            try:
                _key_only(entity, fields)
                check(conn, app.client_id, fields)
            except records.Invalid as invalid:
                result.fail(spelled, 400, str(invalid))
                continue
            records.put(conn, app.client_id, resource, key, fields, now, parent=parent_of(fields))
            result.ok(spelled)
    return JSONResponse(result.write_body())


def _key_only(entity: Any, fields: dict[str, str]) -> None:
    """An ACL record has no fields of its own; it may repeat its key fields, nothing else."""
    for name, value in records.entity_object(entity).items():
        if name not in fields:
            raise records.Invalid(f"{name} is not a field of this record (send an empty object)")
        if value != fields[name]:
            raise records.Invalid(f"{name} in the entity does not match the key")
