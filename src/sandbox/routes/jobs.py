"""simpleJobPostings (batch create, one task per job) and simpleJobPostingTasks (batch get).

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-jobs
https://learn.microsoft.com/linkedin/talent/job-postings/api/check-job-taskstatus
"""

from collections import Counter
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sandbox import jobs, records, restli, state, throttle
from sandbox.auth import App, ChildApp, require_enabled
from sandbox.context import Call, CallDep, Sandbox, SandboxDep
from sandbox.errors import LinkedInError, bad_request, error_body

router = APIRouter()

TASKS = "simpleJobPostingTasks"


@router.post("/v2/simpleJobPostings")
def simple_job_postings(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    return create_jobs(call, app, sandbox)


def create_jobs(call: Call, app: App, sandbox: Sandbox) -> JSONResponse:
    """Answer each element in request order: 201 with its task id, or its own error."""
    if call.method != "batch_create":
        raise LinkedInError(405, f"{call.method} is not supported on simpleJobPostings")
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("elements"), list):
        raise bad_request("Body must be an object with an 'elements' list")
    elements: list[Any] = body["elements"]
    with sandbox.db.reading() as conn:
        records.check_batch_size(len(elements), state.current(conn)["batch_max"])
    ids: Counter[str] = Counter(
        e["externalJobPostingId"]
        for e in elements
        if isinstance(e, dict) and isinstance(e.get("externalJobPostingId"), str)
    )
    repeated = sorted(job_id for job_id, count in ids.items() if count > 1)
    if repeated:
        raise bad_request(f"externalJobPostingId repeated within one request: {repeated}")
    throttle.charge(
        sandbox, app.client_id, jobs.RESOURCE, per_day="write_calls_per_day", records=len(elements)
    )
    answers = []
    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        for element in elements:
            try:
                job = jobs.validate(element)
                require_enabled(conn, app, job["integrationContext"])
            except records.Invalid as invalid:
                answers.append({"status": 400, "error": error_body(400, str(invalid))})
                continue
            except LinkedInError as refused:
                answers.append(
                    {"status": refused.status, "error": error_body(refused.status, refused.message)}
                )
                continue
            answers.append({"status": 201, "id": jobs.submit(conn, app.client_id, job, now)})
    return JSONResponse({"elements": answers})


@router.get("/v2/simpleJobPostingTasks")
def simple_job_posting_tasks(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    return get_tasks(call, app, sandbox)


def get_tasks(call: Call, app: App, sandbox: Sandbox) -> JSONResponse:
    if call.method != "batch_get":
        raise LinkedInError(405, f"{call.method} is not supported on simpleJobPostingTasks")
    if any(not isinstance(task_id, str) for task_id in call.ids):
        raise bad_request("Task ids are simple keys: ?ids=TASK1&ids=TASK2")
    with sandbox.db.reading() as conn:
        records.check_batch_size(len(call.ids), state.current(conn)["batch_max"])
    throttle.charge(sandbox, app.client_id, TASKS, per_day="write_calls_per_day")
    result = restli.BatchResult.empty()
    now = sandbox.clock.now_ms()
    with sandbox.db.reading() as conn:
        settle_seconds = state.current(conn)["job_task_seconds"]
        for task_id in call.ids:
            view = jobs.task(conn, app.client_id, str(task_id), now, settle_seconds)
            if view is None:
                result.fail(str(task_id), 404, "No task with this id (task ids live 30 days)")
            else:
                result.found(str(task_id), view)
    return JSONResponse(result.get_body())
