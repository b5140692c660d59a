"""The JSON documents the ATS syncs (candidates, notes, applications, ACLs, jobs…), and the
field rules LinkedIn applies to them. Resource modules call these; none writes SQL of its own
for synced data."""

import json
import re
import sqlite3
from typing import Any

from sandbox import restli
from sandbox.errors import bad_request

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # LinkedIn's "X@X.X"
ORGANIZATION_URN = re.compile(r"^urn:li:organization:\d+$")


class Invalid(ValueError):
    """One entity of a batch breaks a rule: answered in that entity's `errors` slot."""


def key_with(key: restli.Key, required: dict[str, str | None]) -> dict[str, str]:
    """The fields of a complex key, checked: each required field present (and equal to the
    given value when one is given), the integration context an organization URN."""
    fields = restli.key_fields(key)
    if not fields:
        raise bad_request(f"Expected a complex key with {', '.join(required)}")
    unknown = set(fields) - set(required)
    if unknown:
        raise bad_request(f"Unknown key field(s): {', '.join(sorted(unknown))}")
    for name, expected in required.items():
        if name not in fields:
            raise bad_request(f"Key is missing the field '{name}'")
        if expected is not None and fields[name] != expected:
            raise bad_request(f"Key field '{name}' must be {expected!r}")
    context = fields.get("integrationContext")
    if context is not None and not ORGANIZATION_URN.match(context):
        raise bad_request(f"integrationContext {context!r} is not an organization URN")
    return fields


def epoch_ms(entity: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = entity.get(name)
    if value is None:
        if required:
            raise Invalid(f"{name} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Invalid(f"{name} must be a positive epoch time in milliseconds")
    return value


def text(
    entity: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    max_length: int = 0,
    min_length: int = 1,
) -> str | None:
    value = entity.get(name)
    if value is None:
        if required:
            raise Invalid(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string")
    if required and len(value) < min_length:
        raise Invalid(f"{name} must have at least {min_length} character(s)")
    if max_length and len(value) > max_length:
        raise Invalid(f"{name} must be at most {max_length} characters")
    return value


def email(value: Any, name: str) -> str:
    if not isinstance(value, str) or not EMAIL.match(value):
        raise Invalid(f"{name}: {value!r} does not match the pattern X@X.X")
    return value


def times(entity: dict[str, Any], created: str, modified: str, *, modified_required: bool) -> None:
    created_at = epoch_ms(entity, created)
    modified_at = epoch_ms(entity, modified, required=modified_required)
    if created_at and modified_at and modified_at < created_at:
        raise Invalid(f"{modified} must not be before {created}")


def entity_object(entity: Any) -> dict[str, Any]:
    if not isinstance(entity, dict):
        raise Invalid("entity must be a JSON object")
    return entity


def put(
    conn: sqlite3.Connection,
    client_id: str,
    resource: str,
    key: restli.Key,
    body: dict[str, Any],
    now_ms: int,
    parent: restli.Key | None = None,
) -> None:
    """Store `body` as the whole record (a PUT replaces everything)."""
    conn.execute(
        "INSERT INTO records(client_id, resource, record_key, parent_key, body, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(client_id, resource, record_key) DO UPDATE SET "
        "body = excluded.body, updated_at = excluded.updated_at",
        (
            client_id,
            resource,
            restli.canonical(key),
            restli.canonical(parent) if parent is not None else None,
            json.dumps(body),
            now_ms,
            now_ms,
        ),
    )


def get(
    conn: sqlite3.Connection, client_id: str, resource: str, key: restli.Key
) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT body FROM records WHERE client_id = ? AND resource = ? AND record_key = ?",
        (client_id, resource, restli.canonical(key)),
    ).fetchone()
    return json.loads(row["body"]) if row else None


def delete(conn: sqlite3.Connection, client_id: str, resource: str, key: restli.Key) -> bool:
    cursor = conn.execute(
        "DELETE FROM records WHERE client_id = ? AND resource = ? AND record_key = ?",
        (client_id, resource, restli.canonical(key)),
    )
    return cursor.rowcount > 0


def delete_children(
    conn: sqlite3.Connection, client_id: str, resources: tuple[str, ...], parent: restli.Key
) -> None:
    marks = ",".join("?" * len(resources))
    conn.execute(
        f"DELETE FROM records WHERE client_id = ? AND parent_key = ? AND resource IN ({marks})",  # noqa: S608
        (client_id, restli.canonical(parent), *resources),
    )


def children(
    conn: sqlite3.Connection, client_id: str, resource: str, parent: restli.Key
) -> list[dict[str, Any]]:
    return [
        json.loads(row["body"])
        for row in conn.execute(
            "SELECT body FROM records WHERE client_id = ? AND resource = ? AND parent_key = ? "
            "ORDER BY created_at, record_key",
            (client_id, resource, restli.canonical(parent)),
        )
    ]


def check_batch_size(count: int, limit: int) -> None:
    if count == 0:
        raise bad_request("A batch request needs at least one id")
    if count > limit:
        raise bad_request(f"A batch may hold at most {limit} records; this one has {count}")
