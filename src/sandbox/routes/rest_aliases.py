"""The versioned `/rest/` surface: `LinkedIn-Version: YYYYMM` and Rest.li protocol 2.0 keys,
translated onto the `/v2/` resources so both read and write the same stored records.

`/rest/candidates` renames atsCandidateId, atsCreatedAt and atsLastModifiedAt to their
`external…` names and drops dataProvider from the key; the job resources keep their fields.
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/rsc-release-notes
https://learn.microsoft.com/linkedin/marketing/versioning
"""

import json
import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from sandbox import records, restli
from sandbox.auth import ChildApp
from sandbox.context import Call, CallDep, SandboxDep
from sandbox.errors import LinkedInError, bad_request
from sandbox.routes import candidates, jobs

VERSION = re.compile(r"^\d{6}(\.\d{2})?$")


def versioned(request: Request) -> None:
    """LinkedIn refuses a `/rest/` call without a version header or with protocol 1.0."""
    version = request.headers.get("linkedin-version")
    if not version:
        raise bad_request("Missing header LinkedIn-Version (YYYYMM) on a versioned /rest call")
    if not VERSION.match(version.strip()):
        raise bad_request(f"LinkedIn-Version {version!r} is not of the form YYYYMM")
    if request.headers.get("x-restli-protocol-version", "").strip() != "2.0.0":
        raise bad_request("Versioned /rest calls need X-Restli-Protocol-Version: 2.0.0")


router = APIRouter(dependencies=[Depends(versioned)])

CANDIDATE_KEY: dict[str, str | None] = {"externalCandidateId": None, "integrationContext": None}
# /rest name → /v2 name for candidate fields.
CANDIDATE_FIELDS = {
    "externalCandidateId": "atsCandidateId",
    "externalCreatedAt": "atsCreatedAt",
    "externalLastModifiedAt": "atsLastModifiedAt",
}
V2_NAMES = re.compile(r"\b(" + "|".join(CANDIDATE_FIELDS.values()) + r")\b")


def render_v2_protocol(fields: dict[str, str]) -> str:
    """A complex key as protocol 2.0 spells it: `(a:1,b:urn%3Ali%3A…)`, fields sorted."""
    return "(" + ",".join(f"{n}:{quote(v, safe='')}" for n, v in sorted(fields.items())) + ")"


def _to_v2(entity: Any) -> Any:
    if not isinstance(entity, dict):
        return entity
    return {CANDIDATE_FIELDS.get(name, name): value for name, value in entity.items()}


def _from_v2(entity: dict[str, Any]) -> dict[str, Any]:
    back = {v2: rest for rest, v2 in CANDIDATE_FIELDS.items()}
    return {back.get(name, name): value for name, value in entity.items() if name != "dataProvider"}


def _error_from_v2(error: dict[str, Any]) -> dict[str, Any]:
    back = {v2: rest for rest, v2 in CANDIDATE_FIELDS.items()}
    return {**error, "message": V2_NAMES.sub(lambda m: back[m.group(1)], error["message"])}


@router.api_route("/rest/candidates", methods=["GET", "PUT", "POST", "DELETE"])
def rest_candidates(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    """batch_update / batch_get / batch_delete (and the person-URN partial update) of
    /v2/atsCandidates, with each answer keyed as the request spelled it."""
    if call.method not in ("batch_get", "batch_update", "batch_partial_update", "batch_delete"):
        raise LinkedInError(405, f"{call.method} is not supported on candidates")
    v2_keys: dict[restli.Key, restli.Key] = {}
    for key in call.ids:
        fields = records.key_with(key, CANDIDATE_KEY)
        v2_keys[key] = restli.complex_key(
            atsCandidateId=fields["externalCandidateId"],
            dataProvider="ATS",
            integrationContext=fields["integrationContext"],
        )

    def v2_spelling(key: restli.Key) -> str:
        return restli.render_key(v2_keys[key], candidates.KEY_ORDER)

    spelled_as = {v2_spelling(key): render_v2_protocol(restli.key_fields(key)) for key in call.ids}
    body = None
    if call.method in ("batch_update", "batch_partial_update"):
        entities = restli.entities_for(call.ids, call.body)
        spelled_as = {v2_spelling(key): spelled for key, spelled, _ in entities}
        body = {"entities": {v2_spelling(key): _to_v2(entity) for key, _, entity in entities}}
    v2_call = Call(method=call.method, params=call.params, ids=list(v2_keys.values()), body=body)
    answer = json.loads(bytes(candidates.ats_candidates(v2_call, app, sandbox).body))
    translated: dict[str, Any] = {
        "results": {
            spelled_as[key]: _from_v2(value) if call.method == "batch_get" else value
            for key, value in answer["results"].items()
        },
        "errors": {spelled_as[key]: _error_from_v2(e) for key, e in answer["errors"].items()},
    }
    if "statuses" in answer:
        translated["statuses"] = {spelled_as[k]: s for k, s in answer["statuses"].items()}
    return JSONResponse(translated)


@router.post("/rest/simpleJobPostings")
def rest_simple_job_postings(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    return jobs.create_jobs(call, app, sandbox)


@router.get("/rest/simpleJobPostingTasks")
def rest_simple_job_posting_tasks(
    call: CallDep, app: ChildApp, sandbox: SandboxDep
) -> JSONResponse:
    """Task ids are URNs; protocol 2.0 keys the answer maps with them encoded."""
    answer = json.loads(bytes(jobs.get_tasks(call, app, sandbox).body))
    return JSONResponse(
        {part: {quote(k, safe=""): v for k, v in answer[part].items()} for part in answer}
    )
