"""The ASGI middleware that applies the HTTP fault rules (see `faults.py`) to LinkedIn's paths.

It sits inside `Gateway`, so it sees untunnelled requests and the ledger records the name of
the rule that fired (`scope["state"]["fault"]`). Resources know nothing of faults: per-entity
errors are made by taking the chosen entities out of the request before the resource sees it
(so they are not written) and putting their errors into its answer; paging drift moves the
finder's `start` on the way in and shows the requested `start` on the way out.
"""

import asyncio
import json
from typing import Any
from urllib.parse import quote, unquote_plus

from sandbox import faults, restli
from sandbox.context import Sandbox
from sandbox.errors import LinkedInError, error_body
from sandbox.middleware import ASGIApp, Receive, Scope, Send, read_body, replay, send_json


class ConnectionDropped(Exception):
    """Raised after the response headers went out: the server closes the connection."""


class FaultInjection:
    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not faults.is_linkedin_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        with self.sandbox.db.reading() as conn:
            config = faults.stored(conn)
        if not config["http"]:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        receive = replay(body)
        entities = batch_entities(body)
        finder = is_paged_finder(scope)

        def applies(rule: dict[str, Any]) -> bool:
            if "entity_errors" in rule:
                return bool(entities)
            return finder if "paging_drift" in rule else True

        with self.sandbox.db.transaction() as conn:
            fired = faults.decide(conn, config, scope["method"], scope["path"], applies)
        if fired is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["fault"] = fired.name
        await EFFECTS[fired.effect](self.app, fired, scope, body, send)


async def answer_status(
    app: ASGIApp, fired: faults.Fired, scope: Scope, body: bytes, send: Send
) -> None:
    status = fired.rule["status"]
    headers = [(b"content-type", b"application/json")]
    if "retry_after" in fired.rule:
        headers.append((b"retry-after", str(fired.rule["retry_after"]).encode()))
    payload = json.dumps(error_body(status, f"Injected fault {fired.name}")).encode()
    headers.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def delay(app: ASGIApp, fired: faults.Fired, scope: Scope, body: bytes, send: Send) -> None:
    await asyncio.sleep(fired.rule["delay_ms"] / 1000)
    await app(scope, replay(body), send)


async def reset(app: ASGIApp, fired: faults.Fired, scope: Scope, body: bytes, send: Send) -> None:
    """The resource does its work; the headers go out, then the connection closes."""
    status, headers, _ = await run(app, scope, body)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    raise ConnectionDropped(f"Injected fault {fired.name}")


async def truncate(
    app: ASGIApp, fired: faults.Fired, scope: Scope, body: bytes, send: Send
) -> None:
    _, headers, payload = await run(app, scope, body)
    await send_raw(send, 200, headers, payload[: len(payload) // 2])


async def entity_errors(
    app: ASGIApp, fired: faults.Fired, scope: Scope, body: bytes, send: Send
) -> None:
    parsed = json.loads(body)
    chosen = faults.chosen_entities(fired, list(parsed["entities"]))
    status = fired.rule["entity_errors"]["status"]
    errors = {key: error_body(status, f"Injected fault {fired.name}") for key in chosen}
    kept = {k: v for k, v in parsed["entities"].items() if k not in errors}
    if not kept:
        await send_json(send, 200, {"results": {}, "errors": errors})
        return
    try:
        query = without_ids(scope.get("query_string", b""), {restli.parse_key(k) for k in errors})
    except (LinkedInError, ValueError):  # keys the resource refuses anyway: let it answer
        await app(scope, replay(body), send)
        return
    inner_body = json.dumps({**parsed, "entities": kept}).encode()
    inner = {**scope, "query_string": query, "headers": with_length(scope, len(inner_body))}
    status_code, headers, payload = await run(app, inner, inner_body)
    answer = loads(payload)
    if status_code == 200 and isinstance(answer, dict) and isinstance(answer.get("errors"), dict):
        answer["errors"].update(errors)
        payload = json.dumps(answer).encode()
    await send_raw(send, status_code, headers, payload)


async def paging_drift(
    app: ASGIApp, fired: faults.Fired, scope: Scope, body: bytes, send: Send
) -> None:
    query = scope.get("query_string", b"").decode("latin-1")
    try:
        requested = int(dict(restli.parse_query(query))["start"])
    except ValueError:
        requested = -1
    if requested < 0:  # the finder refuses it: no drift to show
        await app(scope, replay(body), send)
        return
    shifted = max(0, requested + fired.rule["paging_drift"])
    segments = [s for s in query.split("&") if s and unquote_plus(s.split("=", 1)[0]) != "start"]
    inner = {**scope, "query_string": "&".join([*segments, f"start={shifted}"]).encode()}
    status, headers, payload = await run(app, inner, body)
    answer = loads(payload)
    if isinstance(answer, dict) and isinstance(answer.get("paging"), dict):
        answer["paging"]["start"] = requested
        payload = json.dumps(answer).encode()
    await send_raw(send, status, headers, payload)


EFFECTS = {
    "status": answer_status,
    "delay_ms": delay,
    "reset": reset,
    "truncate": truncate,
    "entity_errors": entity_errors,
    "paging_drift": paging_drift,
}


async def run(app: ASGIApp, scope: Scope, body: bytes) -> tuple[int, list, bytes]:
    """The resource's whole answer, held back so a fault can change it."""
    status, headers, chunks = 500, [], []

    async def capture(message: dict[str, Any]) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, replay(body), capture)
    return status, headers, b"".join(chunks)


async def send_raw(send: Send, status: int, headers: list, payload: bytes) -> None:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    kept.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": kept})
    await send({"type": "http.response.body", "body": payload})


def loads(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        return None


def with_length(scope: Scope, length: int) -> list:
    kept = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
    return [*kept, (b"content-length", str(length).encode())]


def is_paged_finder(scope: Scope) -> bool:
    """A finder call that names its `start` (the one paging drift can move)."""
    if scope["method"] != "GET":
        return False
    method = dict(scope["headers"]).get(b"x-restli-method", b"").decode().strip().lower()
    names = {name for name, _ in restli.parse_query(scope.get("query_string", b"").decode())}
    return "start" in names and (method == "finder" or (not method and "q" in names))


def batch_entities(body: bytes) -> list[str]:
    """The keys of a batch write's `entities` map (batch_update, batch_partial_update)."""
    parsed = loads(body) if body else None
    if isinstance(parsed, dict) and isinstance(parsed.get("entities"), dict):
        return list(parsed["entities"])
    return []


def without_ids(query_string: bytes, dropped: set[restli.Key]) -> bytes:
    """The query string with the batch ids in `dropped` taken out, other parameters untouched.

    Handles `ids=A&ids=B`, `ids[0].field=…` (renumbered from 0) and protocol 2.0 `List(…)`.
    """
    segments = [s for s in query_string.decode("latin-1").split("&") if s]
    kept: list[str] = []
    indexed: dict[int, list[tuple[str, str]]] = {}
    for segment in segments:
        raw_name, _, raw_value = segment.partition("=")
        name, value = unquote_plus(raw_name), unquote_plus(raw_value)
        if name.startswith("ids[") and "]." in name:
            number, field_name = name[4:].split("].", 1)
            indexed.setdefault(int(number), []).append((field_name, raw_value))
        elif name == "ids" and value.startswith("List("):
            items = [k for k in split_list(value) if restli.parse_key(k) not in dropped]
            kept.append("ids=" + quote(f"List({','.join(items)})", safe="(),:"))
        elif name == "ids" and restli.parse_key(value) in dropped:
            continue
        else:
            kept.append(segment)
    position = 0
    for index in sorted(indexed):
        fields = indexed[index]
        key = frozenset((field_name, unquote_plus(raw)) for field_name, raw in fields)
        if key in dropped:
            continue
        kept.extend(f"ids[{position}].{field_name}={raw}" for field_name, raw in fields)
        position += 1
    return "&".join(kept).encode("latin-1")


def split_list(text: str) -> list[str]:
    """The top-level items of a protocol 2.0 `List(…)`, as written."""
    inner, items, depth, start = text[len("List(") : -1], [], 0, 0
    for index, char in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(inner[start:index])
            start = index + 1
    if inner[start:]:
        items.append(inner[start:])
    return items
