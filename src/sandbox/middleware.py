"""What LinkedIn's gateway does before a resource sees a request: query tunnelling, the 414
for an untunnelled long query, and (the sandbox's own) ledger of every request received."""

import email.parser
import email.policy
import json
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Any

from sandbox import restli
from sandbox.context import Sandbox
from sandbox.errors import error_body

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def untunnel(content_type: bytes, body: bytes) -> tuple[bytes, bytes, bytes]:
    """(query string, inner body, inner content type) of a tunnelled request."""
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        return body, b"", b""
    if content_type.startswith(b"multipart/mixed"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type + b"\r\n\r\n" + body
        )
        parts = [part for part in message.iter_parts() if isinstance(part, EmailMessage)]
        if not parts:
            raise ValueError("multipart/mixed body has no parts")
        query = parts[0].get_payload(decode=True)
        inner = parts[1].get_payload(decode=True) if len(parts) > 1 else b""
        inner_type = parts[1].get_content_type().encode() if len(parts) > 1 else b""
        if not isinstance(query, bytes) or not isinstance(inner, bytes):
            raise ValueError("multipart/mixed parts must be plain bodies")
        return query.strip(), inner, inner_type
    raise ValueError("a tunnelled request needs a form or multipart/mixed body")


class Gateway:
    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        headers = dict(scope["headers"])
        override = headers.get(b"x-http-method-override")
        if scope["method"] == "POST" and override:
            try:
                query, inner, inner_type = untunnel(
                    headers.get(b"content-type", b""), await read_body(receive)
                )
            except ValueError as exc:
                await send_json(send, 400, error_body(400, f"Bad tunnelled request: {exc}"))
                return
            kept = [
                (k, v)
                for k, v in scope["headers"]
                if k not in (b"content-type", b"content-length", b"x-http-method-override")
            ]
            if inner_type:
                kept.append((b"content-type", inner_type))
            kept.append((b"content-length", str(len(inner)).encode()))
            scope = {
                **scope,
                "method": override.decode().upper(),
                "query_string": query,
                "headers": kept,
            }
            scope["state"]["tunnelled"] = True
            receive = replay(inner)
        elif len(scope.get("query_string", b"")) > self.sandbox.settings.max_query_bytes:
            await send_json(
                send,
                414,
                error_body(
                    414, "Request-URI Too Long: tunnel the query with X-HTTP-Method-Override"
                ),
            )
            self.record(scope, 414)
            return

        status = 500

        async def capture(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.record(scope, status)

    def record(self, scope: Scope, status: int) -> None:
        path = scope["path"]
        if path.startswith("/_sandbox/ledger") or path.startswith("/static"):
            return
        with self.sandbox.db.transaction() as conn:
            conn.execute(
                "INSERT INTO ledger(method, path, query, client_id, status, fault, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    scope["method"],
                    path,
                    scope.get("query_string", b"").decode("latin-1"),
                    scope["state"].get("client_id"),
                    status,
                    scope["state"].get("fault"),
                    self.sandbox.clock.now_ms(),
                ),
            )


def ledger_ids(query: str) -> list[str]:
    """The batch ids of a recorded request, rendered as protocol 1.0 key strings."""
    try:
        return [restli.render_key(k) for k in restli.parse_batch_ids(restli.parse_query(query))]
    except Exception:  # a malformed query was answered 400 already; the ledger keeps the raw text
        return []
