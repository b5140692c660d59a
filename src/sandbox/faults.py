"""Fault injection: the stored fault configuration, its validation and every seeded decision.

The configuration lives in the `settings` table under "faults" as JSON:
`{seed, http: [rules], push: {duplicate, reorder, drop, bad_signature, early, early_ms, delay_ms}}`.
How many times each HTTP rule was tried and fired, and how many push decisions were drawn, live
under "fault_counts"; both start again when the configuration is replaced. Each decision uses a
`random.Random` seeded from (seed, what is decided, how many times before), so the same seed and
the same sequence of requests give the same faults, across restarts too.

An HTTP rule: `{name?, method: "*"|"GET"|…, path, rate: 0..1 (default 1), times?}` plus exactly
one effect (see EFFECTS). `path` is a prefix of the request path ("/v2/atsCandidates"), or a
regular expression searched in it when it starts with "^" ("^/v2/atsCandidates/[^/]+/notes").
"""

import json
import math
import random
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

SETTING = "faults"
COUNTS = "fault_counts"
LINKEDIN_PREFIXES = ("/oauth", "/v2", "/rest")
EFFECTS = ("status", "delay_ms", "reset", "truncate", "entity_errors", "paging_drift")
PUSH_RATES = ("duplicate", "reorder", "drop", "bad_signature", "early")
PUSH_MILLISECONDS = ("delay_ms", "early_ms")
METHODS = ("*", "GET", "POST", "PUT", "DELETE", "PATCH")


def seeded(text: str) -> random.Random:
    return random.Random(text)  # noqa: S311 - replayable faults, not secrets


class Invalid(ValueError):
    """A fault configuration that cannot be used; the message names the field."""


@dataclass
class PushFaults:
    """Rates (0..1) of what goes wrong with push deliveries; all zero means pushes behave."""

    duplicate: float = 0.0
    reorder: float = 0.0
    drop: float = 0.0
    bad_signature: float = 0.0
    early: float = 0.0
    delay_ms: int = 0
    early_ms: int = 0
    rng: random.Random = field(default_factory=lambda: seeded("push"))

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in PUSH_RATES + PUSH_MILLISECONDS)


@dataclass
class Fired:
    """An HTTP rule that fires for this request, with the generator its further choices use."""

    name: str
    rule: dict[str, Any]
    rng: random.Random

    @property
    def effect(self) -> str:
        return next(name for name in EFFECTS if name in self.rule)


def empty() -> dict[str, Any]:
    return {"seed": 0, "http": [], "push": {name: 0 for name in PUSH_RATES + PUSH_MILLISECONDS}}


def stored(conn: sqlite3.Connection) -> dict[str, Any]:
    row = conn.execute("SELECT value FROM settings WHERE name = ?", (SETTING,)).fetchone()
    return json.loads(row["value"]) if row else empty()


def save(conn: sqlite3.Connection, config: dict[str, Any]) -> dict[str, Any]:
    """Replace the configuration (validated first) and start every count again."""
    config = validate(config)
    conn.execute(
        "INSERT INTO settings(name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        (SETTING, json.dumps(config)),
    )
    conn.execute("DELETE FROM settings WHERE name = ?", (COUNTS,))
    return config


def clear(conn: sqlite3.Connection) -> dict[str, Any]:
    conn.execute("DELETE FROM settings WHERE name IN (?, ?)", (SETTING, COUNTS))
    return empty()


def _counts(conn: sqlite3.Connection) -> dict[str, Any]:
    row = conn.execute("SELECT value FROM settings WHERE name = ?", (COUNTS,)).fetchone()
    return json.loads(row["value"]) if row else {"http": {}, "push": 0}


def _save_counts(conn: sqlite3.Connection, counts: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO settings(name, value) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        (COUNTS, json.dumps(counts)),
    )


def push_faults(conn: sqlite3.Connection) -> PushFaults:
    """The push faults now in force. Each call with faults set takes the next generator of the
    seeded sequence (the count is kept in the database), so a run of deliveries replays."""
    config = stored(conn)
    push = config["push"]
    faults = PushFaults(**{name: push.get(name, 0) for name in PUSH_RATES + PUSH_MILLISECONDS})
    if faults.any:
        counts = _counts(conn)
        faults.rng = seeded(f"push:{config['seed']}:{counts['push']}")
        counts["push"] += 1
        _save_counts(conn, counts)
    return faults


def is_linkedin_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in LINKEDIN_PREFIXES)


def rule_name(rule: dict[str, Any], index: int) -> str:
    return rule.get("name") or f"http[{index}].{next(n for n in EFFECTS if n in rule)}"


def matches(rule: dict[str, Any], method: str, path: str) -> bool:
    if rule["method"] not in ("*", method.upper()):
        return False
    pattern = rule["path"]
    return bool(re.search(pattern, path)) if pattern.startswith("^") else path.startswith(pattern)


def decide(
    conn: sqlite3.Connection,
    config: dict[str, Any],
    method: str,
    path: str,
    applies: Any = lambda rule: True,
) -> Fired | None:
    """The first rule that matches this request and fires, counting every rule it tried.

    `applies(rule)` says whether the request can take the rule's effect at all (a finder for
    paging drift, a batch write for entity errors); a rule that cannot apply is not tried.
    Call inside a write transaction.
    """
    counts = _counts(conn)
    fired: Fired | None = None
    for index, rule in enumerate(config["http"]):
        tried, hits = counts["http"].get(str(index), [0, 0])
        if rule.get("times") is not None and hits >= rule["times"]:
            continue
        if not matches(rule, method, path) or not applies(rule):
            continue
        rng = seeded(f"http:{config['seed']}:{index}:{tried}")
        tried += 1
        if rng.random() < rule["rate"]:
            hits += 1
            fired = Fired(rule_name(rule, index), rule, rng)
        counts["http"][str(index)] = [tried, hits]
        if fired:
            break
    _save_counts(conn, counts)
    return fired


def chosen_entities(fired: Fired, keys: list[str]) -> list[str]:
    """The keys of a batch write that `entity_errors` turns into errors (fraction rounded up)."""
    fraction = fired.rule["entity_errors"]["fraction"]
    count = min(len(keys), math.ceil(fraction * len(keys)))
    chosen = set(fired.rng.sample(range(len(keys)), count))
    return [key for index, key in enumerate(keys) if index in chosen]


def validate(config: Any) -> dict[str, Any]:
    """The configuration with every default filled in; Invalid naming the first bad field."""
    if not isinstance(config, dict):
        raise Invalid("body: expected a JSON object")
    unknown = set(config) - {"seed", "http", "push"}
    if unknown:
        raise Invalid(f"{sorted(unknown)[0]}: unknown field (known: http, push, seed)")
    seed = config.get("seed", 0)
    if type(seed) is not int:
        raise Invalid("seed: expected an integer")
    rules = config.get("http", [])
    if not isinstance(rules, list):
        raise Invalid("http: expected a list of rules")
    return {
        "seed": seed,
        "http": [_rule(rule, f"http[{index}]") for index, rule in enumerate(rules)],
        "push": _push(config.get("push", {})),
    }


def _number(value: Any, where: str, low: float, high: float | None = None) -> float:
    if type(value) not in (int, float) or value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise Invalid(f"{where}: expected a number {bounds}")
    return value


def _integer(value: Any, where: str, low: int, high: int | None = None) -> int:
    if type(value) is not int or value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise Invalid(f"{where}: expected an integer {bounds}")
    return value


def _push(push: Any) -> dict[str, Any]:
    if not isinstance(push, dict):
        raise Invalid("push: expected an object")
    known = PUSH_RATES + PUSH_MILLISECONDS
    for name in push:
        if name not in known:
            raise Invalid(f"push.{name}: unknown push fault (known: {', '.join(known)})")
    return {
        **{name: float(_number(push.get(name, 0), f"push.{name}", 0, 1)) for name in PUSH_RATES},
        **{name: _integer(push.get(name, 0), f"push.{name}", 0) for name in PUSH_MILLISECONDS},
    }


def _rule(rule: Any, where: str) -> dict[str, Any]:
    if not isinstance(rule, dict):
        raise Invalid(f"{where}: expected an object")
    known = ("name", "method", "path", "rate", "times", "retry_after", *EFFECTS)
    for name in rule:
        if name not in known:
            raise Invalid(f"{where}.{name}: unknown field (known: {', '.join(known)})")
    effects = [name for name in EFFECTS if name in rule]
    if len(effects) != 1:
        raise Invalid(f"{where}: needs exactly one effect of {', '.join(EFFECTS)}")
    clean: dict[str, Any] = {
        "method": _method(rule.get("method", "*"), f"{where}.method"),
        "path": _path(rule.get("path", "/"), f"{where}.path"),
        "rate": float(_number(rule.get("rate", 1), f"{where}.rate", 0, 1)),
    }
    if rule.get("name") is not None:
        if not isinstance(rule["name"], str) or not rule["name"]:
            raise Invalid(f"{where}.name: expected a non-empty string")
        clean["name"] = rule["name"]
    if rule.get("times") is not None:
        clean["times"] = _integer(rule["times"], f"{where}.times", 1)
    effect = effects[0]
    clean[effect] = _effect(effect, rule[effect], f"{where}.{effect}")
    if "retry_after" in rule:
        if clean.get("status") != 429:
            raise Invalid(f"{where}.retry_after: only with status 429")
        clean["retry_after"] = _integer(rule["retry_after"], f"{where}.retry_after", 0)
    return clean


def _method(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.upper() not in METHODS:
        raise Invalid(f"{where}: expected one of {', '.join(METHODS)}")
    return value.upper()


def _path(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.startswith(("/", "^")):
        raise Invalid(f"{where}: expected a path prefix ('/v2/…') or a regex starting with '^'")
    if value.startswith("^"):
        try:
            re.compile(value)
        except re.error as exc:
            raise Invalid(f"{where}: not a regular expression ({exc})") from None
    return value


def _effect(effect: str, value: Any, where: str) -> Any:
    if effect == "status":
        return _integer(value, where, 400, 599)
    if effect == "delay_ms":
        return _integer(value, where, 1, 60_000)
    if effect in ("reset", "truncate"):
        if value is not True:
            raise Invalid(f"{where}: expected true")
        return True
    if effect == "paging_drift":
        if type(value) is not int or value == 0:
            raise Invalid(f"{where}: expected a non-zero integer (elements to shift start by)")
        return value
    if not isinstance(value, dict) or set(value) - {"fraction", "status"}:
        raise Invalid(f"{where}: expected {{fraction: 0..1, status: 400..599}}")
    return {
        "fraction": float(_number(value.get("fraction"), f"{where}.fraction", 0, 1)),
        "status": _integer(value.get("status", 500), f"{where}.status", 400, 599),
    }
