"""What a person or a test changes while the sandbox runs: feature switches, quotas and limits.

Kept in the database so a restart keeps them. Defaults are LinkedIn's published limits.
"""

import json
import sqlite3
from typing import Any

DEFAULTS: dict[str, Any] = {
    # The organization's Recruiter product settings.
    "one_click_export": True,
    "inmail_stub_profiles": True,
    "inmail_quota_per_seat": 150,
    "exports_per_seat_per_month": 300,
    # LinkedIn's throttles (per application; daily windows reset at midnight UTC).
    "batch_max": 100,
    "records_per_minute": 10_000,
    "write_calls_per_day": 100_000,
    "interaction_calls_per_day": 100_000,
    "integration_calls_per_day": 5_000,
    # How LinkedIn signs pushes: X-LI-Signature = hex HMAC over "hmacsha256=" + body
    # ("body_prefix"), or the header carries "hmacsha256=<hex of the body's HMAC>"
    # ("header_prefix"). LinkedIn's wording allows both readings.
    "push_signature": "body_prefix",
    # Seconds a simpleJobPostings task stays IN_PROGRESS before it settles.
    "job_task_seconds": 0,
}


def current(conn: sqlite3.Connection) -> dict[str, Any]:
    stored = {
        row["name"]: json.loads(row["value"]) for row in conn.execute("SELECT * FROM settings")
    }
    return {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}


def validate(patch: Any) -> dict[str, Any]:
    """The patch if every field is known and of the right type; ValueError naming the field."""
    if not isinstance(patch, dict):
        raise ValueError("body: expected a JSON object")
    for name, value in patch.items():
        if name not in DEFAULTS:
            raise ValueError(f"{name}: unknown setting (known: {', '.join(sorted(DEFAULTS))})")
        expected = type(DEFAULTS[name])
        if type(value) is not expected:
            raise ValueError(f"{name}: expected {expected.__name__}, got {type(value).__name__}")
        if expected is int and value < 0:
            raise ValueError(f"{name}: must not be negative")
    if patch.get("push_signature", "body_prefix") not in ("body_prefix", "header_prefix"):
        raise ValueError("push_signature: 'body_prefix' or 'header_prefix'")
    return patch


def update(conn: sqlite3.Connection, patch: dict[str, Any]) -> dict[str, Any]:
    for name, value in validate(patch).items():
        conn.execute(
            "INSERT INTO settings(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, json.dumps(value)),
        )
    return current(conn)
