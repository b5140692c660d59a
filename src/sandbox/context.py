"""The services every route needs, and the request-level facts (caller, Rest.li call) it reads."""

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from sandbox import restli
from sandbox.clock import Clock
from sandbox.config import Settings
from sandbox.db import Database
from sandbox.errors import bad_request


@dataclass
class Sandbox:
    settings: Settings
    db: Database
    clock: Clock
    # Set by the push module at start-up: wakes the delivery thread after a commit.
    wake_pusher: Any = field(default=lambda: None)


def get_sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]


@dataclass
class Call:
    """One Rest.li request, after tunnelling has been undone."""

    method: str
    params: list[tuple[str, str]]
    ids: list[restli.Key]
    body: Any

    def param(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.params if k == name), default)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]

    def required(self, name: str) -> str:
        value = self.param(name)
        if not value:
            raise bad_request(f"Missing required query parameter '{name}'")
        return value

    @property
    def first_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name, value in self.params:
            values.setdefault(name, value)
        return values


async def get_call(request: Request) -> Call:
    params = restli.parse_query(request.scope.get("query_string", b"").decode("latin-1"))
    ids = restli.parse_batch_ids(params)
    raw = await request.body()
    body: Any = None
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            raise bad_request("Request body is not valid JSON") from None
    on_entity = bool(request.path_params.get("key"))
    method = restli.restli_method(
        request.method,
        request.headers.get("x-restli-method"),
        has_ids=bool(ids),
        has_q=any(name == "q" for name, _ in params),
        on_entity=on_entity,
    )
    return Call(method=method, params=params, ids=ids, body=body)


CallDep = Annotated[Call, Depends(get_call)]
