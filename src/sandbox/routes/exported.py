"""exportedCandidates: what a recruiter exported, found by the request id of its push.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/retrieve-exported-candidates

Besides LinkedIn's `integrationContext` and `candidate` (a StubProfile), each element carries the
sandbox's `externalJobPostingId` (null when no job was picked), `exporter` (seat URN),
`exportedAt`, and the seat's `inMails` with the member and active prospect `notes` on them, as
they stood at the export.
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sandbox import push, restli
from sandbox.auth import ChildApp
from sandbox.context import CallDep, SandboxDep
from sandbox.errors import bad_request

router = APIRouter()


@router.get("/v2/exportedCandidates")
def exported_candidates(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    if call.method != "finder" or call.param("q") != "request":
        raise bad_request("exportedCandidates has one finder: q=request&requestId=…")
    request_id = call.required("requestId")
    start, count = restli.paging(call.first_values)
    with sandbox.db.reading() as conn:
        notification = push.readable(
            conn,
            client_id=app.client_id,
            request_id=request_id,
            type=push.EXPORT_CANDIDATE_PROFILE,
            now_ms=sandbox.clock.now_ms(),
        )
    elements = [notification.payload["exportedCandidate"]] if notification else []
    return JSONResponse(
        restli.finder_body(elements[start : start + count], start, count, len(elements))
    )
