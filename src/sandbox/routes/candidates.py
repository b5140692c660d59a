"""atsCandidates (sync, matches, attach a person URN, delete) and their notes.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-candidates
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox import batch, matching, records, restli
from sandbox.auth import ChildApp, require_enabled
from sandbox.context import CallDep, SandboxDep
from sandbox.errors import LinkedInError

router = APIRouter()

RESOURCE = "atsCandidates"
NOTES = "atsCandidateNotes"
KEY = {"atsCandidateId": None, "dataProvider": "ATS", "integrationContext": None}
KEY_ORDER = ("atsCandidateId", "dataProvider", "integrationContext")


def validate_candidate(entity: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    body = records.entity_object(entity)
    records.times(body, "atsCreatedAt", "atsLastModifiedAt", modified_required=True)
    records.text(body, "firstName", required=True)
    records.text(body, "lastName", required=True)
    records.text(body, "externalProfileUrl", required=True)
    for name in (
        "currentCompanyName",
        "currentJobTitle",
        "linkedInProfileUrl",
        "middleInitial",
        "prefix",
        "suffix",
    ):
        records.text(body, name)
    for name in ("addresses", "phoneNumbers"):
        if not isinstance(body.get(name), list):
            raise records.Invalid(f"{name} is required (an empty list is fine)")
    for phone in body["phoneNumbers"]:
        if not isinstance(phone, dict) or not isinstance(phone.get("number"), str):
            raise records.Invalid("phoneNumbers: each needs a 'number' string")
    emails = body.get("emailAddresses")
    has_person = bool(existing and existing.get("manualMatchedMember"))
    if emails is None and not has_person:
        raise records.Invalid("emailAddresses is required unless a person URN is attached")
    if emails is not None:
        if not isinstance(emails, list):
            raise records.Invalid("emailAddresses must be a list")
        for index, address in enumerate(emails):
            records.email(address, f"emailAddresses[{index}]")
    if "doNotContact" in body and not isinstance(body["doNotContact"], bool):
        raise records.Invalid("doNotContact must be a boolean")
    return body


@router.api_route("/v2/atsCandidates", methods=["GET", "PUT", "POST", "DELETE"])
def ats_candidates(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    keys = {key: records.key_with(key, KEY) for key in call.ids}
    if call.method not in ("batch_get", "batch_update", "batch_partial_update", "batch_delete"):
        raise LinkedInError(405, f"{call.method} is not supported on atsCandidates")
    writes = batch.charge(call, app, sandbox, RESOURCE, len(keys))
    result = restli.BatchResult.empty()
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        if writes:
            for context in {fields["integrationContext"] for fields in keys.values()}:
                require_enabled(conn, app, context)
        if call.method == "batch_get":
            for key in keys:
                spelled = restli.render_key(key, KEY_ORDER)
                stored = records.get(conn, app.client_id, RESOURCE, key)
                if stored is None:
                    result.fail(spelled, 404, "No candidate with this key")
                else:
                    result.found(spelled, _with_matches(conn, key, stored))
            return JSONResponse(result.get_body())
        if call.method == "batch_delete":
            for key in keys:
                records.delete(conn, app.client_id, RESOURCE, key)
                records.delete_children(conn, app.client_id, (NOTES,), key)
                result.ok(restli.render_key(key, KEY_ORDER))
            return JSONResponse(result.write_body())
        for key, spelled, entity in restli.entities_for(list(keys), call.body):
            existing = records.get(conn, app.client_id, RESOURCE, key)
            try:
                if call.method == "batch_update":
                    body = validate_candidate(entity, existing)
                    if existing and existing.get("manualMatchedMember"):
                        body.setdefault("manualMatchedMember", existing["manualMatchedMember"])
                else:
                    body = _patched(entity, existing)
            except records.Invalid as invalid:
                status = 404 if "not synced" in str(invalid) else 400
                result.fail(spelled, status, str(invalid))
                continue
            records.put(conn, app.client_id, RESOURCE, key, body, now)
            result.ok(spelled)
    return JSONResponse(result.write_body())


def _patched(entity: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    """A Rest.li partial update: only `manualMatchedMember` may be set or deleted."""
    if existing is None:
        raise records.Invalid("This candidate is not synced yet: sync it with batch_update first")
    patch = records.entity_object(entity).get("patch")
    if not isinstance(patch, dict) or not (set(patch) <= {"$set", "$delete"}) or not patch:
        raise records.Invalid(
            "Expected {'patch': {'$set': {...}}} or {'patch': {'$delete': [...]}}"
        )
    body = dict(existing)
    for name, value in (patch.get("$set") or {}).items():
        if name != "manualMatchedMember":
            raise records.Invalid(f"{name} cannot be changed by a partial update")
        if not isinstance(value, str) or not value.startswith("urn:li:person:"):
            raise records.Invalid("manualMatchedMember must be a person URN")
        body[name] = value
    for name in patch.get("$delete") or []:
        if name != "manualMatchedMember":
            raise records.Invalid(f"{name} cannot be deleted by a partial update")
        body.pop(name, None)
    return body


def _with_matches(conn, key: restli.Key, stored: dict[str, Any]) -> dict[str, Any]:
    fields = restli.key_fields(key)
    return {**stored, **fields, "matchedMembers": matching.best(conn, stored)}


@router.api_route("/v2/atsCandidates/{key}/notes", methods=["GET", "PUT", "POST", "DELETE"])
def candidate_notes(
    request: Request, call: CallDep, app: ChildApp, sandbox: SandboxDep
) -> JSONResponse:
    return batch.children(
        request,
        call,
        app,
        sandbox,
        parent_resource=RESOURCE,
        parent_key=KEY,
        resource=NOTES,
        validate=validate_note,
    )


def validate_note(entity: Any) -> dict[str, Any]:
    """Candidate and application notes: atsCreatedAt, note, author {firstName, lastName}."""
    body = records.entity_object(entity)
    records.epoch_ms(body, "atsCreatedAt", required=False)
    records.text(body, "note")
    author = body.get("author")
    if author is not None:
        if not isinstance(author, dict):
            raise records.Invalid("author must be an object")
        records.text(author, "firstName", required=True)
        records.text(author, "lastName", required=True)
    return body
