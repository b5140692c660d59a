"""What every Rest.li batch resource does the same way: read a complex key from the path, size
and throttle a batch, and serve the simple-id children stored under a parent's key (candidate
notes; application notes, stages and interview feedback)."""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox import records, restli, state, throttle
from sandbox.auth import App, require_enabled
from sandbox.context import Call, Sandbox
from sandbox.errors import LinkedInError, bad_request


def raw_path_key(request: Request, position: int) -> restli.Key:
    """A complex key in a path segment, read from the raw path so encoded values survive."""
    segments = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("/")
    return restli.parse_key(segments[position])


def charge(call: Call, app: App, sandbox: Sandbox, family: str, count: int) -> bool:
    """Check the batch size and count the call (and, for writes, its records); True if a write."""
    with sandbox.db.reading() as conn:
        records.check_batch_size(count, state.current(conn)["batch_max"])
    writes = call.method != "batch_get"
    throttle.charge(
        sandbox,
        app.client_id,
        family,
        per_day="write_calls_per_day",
        records=count if writes else 0,
    )
    return writes


def children(
    request: Request,
    call: Call,
    app: App,
    sandbox: Sandbox,
    *,
    parent_resource: str,
    parent_key: dict[str, str | None],
    resource: str,
    validate: Callable[[Any], dict[str, Any]],
) -> JSONResponse:
    """batch_get, batch_update and batch_delete of children with simple ids under a parent key
    in the path (`/v2/<parent>/<key>/<children>?ids=A&ids=B`).

    Writes need the parent synced (404 otherwise); deletes succeed either way, so an ATS may
    delete the children of a parent it already deleted.
    """
    parent = raw_path_key(request, 3)
    fields = records.key_with(parent, parent_key)
    if call.method not in ("batch_get", "batch_update", "batch_delete"):
        raise LinkedInError(405, f"{call.method} is not supported on {resource}")
    if any(not isinstance(k, str) for k in call.ids):
        raise bad_request("Ids of this resource are simple keys: ?ids=ID1&ids=ID2")
    writes = charge(call, app, sandbox, resource, len(call.ids))
    result = restli.BatchResult.empty()
    now = sandbox.clock.now_ms()

    def child_key(child_id: restli.Key) -> str:
        return restli.canonical(parent) + "/" + str(child_id)

    with sandbox.db.transaction() as conn:
        if writes:
            require_enabled(conn, app, fields["integrationContext"])
        if call.method == "batch_get":
            for child_id in call.ids:
                stored = records.get(conn, app.client_id, resource, child_key(child_id))
                if stored is None:
                    result.fail(str(child_id), 404, f"No {resource} record with this id")
                else:
                    result.found(str(child_id), stored)
            return JSONResponse(result.get_body())
        if call.method == "batch_delete":
            for child_id in call.ids:
                records.delete(conn, app.client_id, resource, child_key(child_id))
                result.ok(str(child_id))
            return JSONResponse(result.write_body())
        if records.get(conn, app.client_id, parent_resource, parent) is None:
            raise LinkedInError(
                404, f"The {parent_resource} record of these {resource} is not synced"
            )
        for child_id, spelled, entity in restli.entities_for(call.ids, call.body):
            try:
                body = validate(entity)
            except records.Invalid as invalid:
                result.fail(spelled, 400, str(invalid))
                continue
            records.put(
                conn, app.client_id, resource, child_key(child_id), body, now, parent=parent
            )
            result.ok(spelled)
    return JSONResponse(result.write_body())
