"""atsApplications (sync, read, delete with cascade) and their notes, stages and interview
feedback, sub-resources under the application's key.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-applications
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox import batch, records, restli
from sandbox.auth import App, ChildApp, require_enabled
from sandbox.context import Call, CallDep, Sandbox, SandboxDep
from sandbox.errors import LinkedInError
from sandbox.routes.candidates import validate_note

router = APIRouter()

RESOURCE = "atsApplications"
NOTES = "atsApplicationNotes"
STAGES = "atsApplicationStages"
FEEDBACK = "atsApplicationInterviewFeedback"
KEY = {"atsJobApplicationId": None, "dataProvider": "ATS", "integrationContext": None}
KEY_ORDER = ("atsJobApplicationId", "dataProvider", "integrationContext")


def _optional_text(body: dict[str, Any], name: str) -> None:
    """A string that may be left out (or null) but, when sent, has at least one character."""
    records.text(body, name, required=body.get(name) is not None)


def validate_application(entity: Any) -> dict[str, Any]:
    body = records.entity_object(entity)
    records.times(body, "atsCreatedAt", "atsLastModifiedAt", modified_required=False)
    records.text(body, "atsJobPostingId", required=True)
    records.text(body, "atsJobPostingName", required=True)
    for name in ("atsCandidateId", "firstName", "lastName"):
        _optional_text(body, name)
    for name in ("source", "dispositionReason"):  # Postman sends dispositionReason ""
        records.text(body, name)
    if body.get("candidateEmail") is not None:
        records.email(body["candidateEmail"], "candidateEmail")
    return body


def validate_stage(entity: Any) -> dict[str, Any]:
    body = records.entity_object(entity)
    records.epoch_ms(body, "atsCreatedAt")
    stage = records.text(body, "stage", required=True) or ""
    if stage.strip().casefold() == "not available":
        raise records.Invalid("stage must name a real stage, not 'Not Available'")
    return body


def validate_feedback(entity: Any) -> dict[str, Any]:
    body = records.entity_object(entity)
    records.epoch_ms(body, "atsCreatedAt", required=False)
    records.text(body, "feedback")
    evaluations = body.get("evaluations")
    if evaluations is not None:
        if not isinstance(evaluations, list):
            raise records.Invalid("evaluations must be a list of {attribute, result}")
        for index, evaluation in enumerate(evaluations):
            if not isinstance(evaluation, dict):
                raise records.Invalid(f"evaluations[{index}] must be an object")
            for name in ("attribute", "result"):
                if not isinstance(evaluation.get(name), str) or not evaluation[name]:
                    raise records.Invalid(f"evaluations[{index}].{name} is required")
    interviewer = body.get("interviewer")
    if interviewer is not None:
        if not isinstance(interviewer, dict):
            raise records.Invalid("interviewer must be an object")
        records.text(interviewer, "firstName", required=True)
        records.text(interviewer, "lastName", required=True)
    return body


@router.api_route("/v2/atsApplications", methods=["GET", "PUT", "POST", "DELETE"])
def ats_applications(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    keys = {key: records.key_with(key, KEY) for key in call.ids}
    if call.method not in ("batch_get", "batch_update", "batch_delete"):
        raise LinkedInError(405, f"{call.method} is not supported on atsApplications")
    writes = batch.charge(call, app, sandbox, RESOURCE, len(keys))
    result = restli.BatchResult.empty()
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        if writes:
            for context in {fields["integrationContext"] for fields in keys.values()}:
                require_enabled(conn, app, context)
        if call.method == "batch_get":
            for key, fields in keys.items():
                spelled = restli.render_key(key, KEY_ORDER)
                stored = records.get(conn, app.client_id, RESOURCE, key)
                if stored is None:
                    result.fail(spelled, 404, "No application with this key")
                else:
                    result.found(spelled, {**stored, **fields})
            return JSONResponse(result.get_body())
        if call.method == "batch_delete":
            for key in keys:
                records.delete(conn, app.client_id, RESOURCE, key)
                records.delete_children(conn, app.client_id, (NOTES, STAGES, FEEDBACK), key)
                result.ok(restli.render_key(key, KEY_ORDER))
            return JSONResponse(result.write_body())
        for key, spelled, entity in restli.entities_for(list(keys), call.body):
            try:
                body = validate_application(entity)
            except records.Invalid as invalid:
                result.fail(spelled, 400, str(invalid))
                continue
            records.put(conn, app.client_id, RESOURCE, key, body, now)
            result.ok(spelled)
    return JSONResponse(result.write_body())


@router.api_route("/v2/atsApplications/{key}/notes", methods=["GET", "PUT", "POST", "DELETE"])
def application_notes(
    request: Request, call: CallDep, app: ChildApp, sandbox: SandboxDep
) -> JSONResponse:
    return _children(request, call, app, sandbox, NOTES, validate_note)


@router.api_route("/v2/atsApplications/{key}/stages", methods=["GET", "PUT", "POST", "DELETE"])
def application_stages(
    request: Request, call: CallDep, app: ChildApp, sandbox: SandboxDep
) -> JSONResponse:
    return _children(request, call, app, sandbox, STAGES, validate_stage)


@router.api_route(
    "/v2/atsApplications/{key}/interviewFeedback", methods=["GET", "PUT", "POST", "DELETE"]
)
def application_feedback(
    request: Request, call: CallDep, app: ChildApp, sandbox: SandboxDep
) -> JSONResponse:
    return _children(request, call, app, sandbox, FEEDBACK, validate_feedback)


def _children(
    request: Request,
    call: Call,
    app: App,
    sandbox: Sandbox,
    resource: str,
    validate: Callable[[Any], dict[str, Any]],
) -> JSONResponse:
    return batch.children(
        request,
        call,
        app,
        sandbox,
        parent_resource=RESOURCE,
        parent_key=KEY,
        resource=resource,
        validate=validate,
    )
