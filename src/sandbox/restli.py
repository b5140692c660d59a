"""Rest.li as LinkedIn speaks it: keys (protocol 1.0 and 2.0), methods and batch replies.

Protocol 1.0 (the `/v2/` surface, as LinkedIn's Postman collection sends it):
  simple batch keys   ?ids=A&ids=B
  complex batch keys  ?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[1]...
  complex path key    /atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=…/notes
  body map keys       "atsCandidateId=C1&dataProvider=ATS&..." in any field order
Protocol 2.0 (the `/rest/` surface, X-Restli-Protocol-Version: 2.0.0):
  ?ids=List((atsCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1),(...)) and
  body keys "(atsCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1)".
Keys are compared as sets of (field, value), never as strings.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from sandbox.errors import bad_request

Key = str | frozenset[tuple[str, str]]

_INDEXED = re.compile(r"^ids\[(\d+)\]\.(\w+)$")


def key_fields(key: Key) -> dict[str, str]:
    return dict(key) if isinstance(key, frozenset) else {}


def complex_key(**fields: str) -> frozenset[tuple[str, str]]:
    return frozenset(fields.items())


def _split_pairs(text: str, sep: str, kv: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in text.split(sep):
        if kv not in part:
            raise bad_request(f"Malformed key component {part!r}")
        name, value = part.split(kv, 1)
        name, value = unquote(name), unquote(value)
        if not name or not value or name in fields:
            raise bad_request(f"Malformed key component {part!r}")
        fields[name] = value
    return fields


def parse_key(text: str) -> Key:
    """A key as it appears in a path segment or a body map: simple or complex, either protocol."""
    text = text.strip()
    if not text:
        raise bad_request("Empty key")
    if text.startswith("(") and text.endswith(")"):
        return frozenset(_split_pairs(text[1:-1], ",", ":").items())
    if "=" in text:  # split before decoding, so an encoded & or = inside a value survives
        return frozenset(_split_pairs(text, "&", "=").items())
    decoded = unquote(text)
    if "=" in decoded:  # a key that was encoded as a whole
        return frozenset(_split_pairs(decoded, "&", "=").items())
    return decoded


def parse_batch_ids(params: Sequence[tuple[str, str]]) -> list[Key]:
    """The `ids` of a batch request, from its decoded query parameters (in order)."""
    simple = [value for name, value in params if name == "ids"]
    indexed: dict[int, dict[str, str]] = {}
    for name, value in params:
        match = _INDEXED.match(name)
        if match:
            fields = indexed.setdefault(int(match.group(1)), {})
            if not value or match.group(2) in fields:
                raise bad_request(f"Malformed key parameter {name}={value!r}")
            fields[match.group(2)] = value
        elif name.startswith("ids[") or name.startswith("ids."):
            raise bad_request(f"Malformed key parameter {name!r}")
    if indexed:
        if simple:
            raise bad_request("Mixed simple and complex keys in ids")
        if sorted(indexed) != list(range(len(indexed))):
            raise bad_request("Complex key indexes must run from 0 without gaps")
        return [frozenset(indexed[i].items()) for i in sorted(indexed)]
    if len(simple) == 1 and simple[0].startswith("List("):
        return _parse_v2_list(simple[0])
    return [unquote(value) for value in simple]


def _parse_v2_list(text: str) -> list[Key]:
    if not text.endswith(")"):
        raise bad_request("Malformed List(...) of keys")
    inner = text[len("List(") : -1]
    keys: list[Key] = []
    depth, start = 0, 0
    for i, char in enumerate(inner):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            keys.append(parse_key(inner[start:i]))
            start = i + 1
    if depth != 0:
        raise bad_request("Unbalanced parentheses in List(...)")
    if inner[start:]:
        keys.append(parse_key(inner[start:]))
    return keys


def render_key(key: Key, order: Sequence[str] = ()) -> str:
    """The protocol 1.0 string of a key, fields in `order` first and the rest sorted."""
    if isinstance(key, str):
        return key
    fields = dict(key)
    names = [n for n in order if n in fields] + sorted(n for n in fields if n not in order)
    return "&".join(f"{n}={fields[n]}" for n in names)


def canonical(key: Key) -> str:
    """A stable storage string for a key: fields sorted, values URL-safe."""
    if isinstance(key, str):
        return key
    return "&".join(f"{n}={quote(v, safe=':')}" for n, v in sorted(key))


def parse_query(query_string: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(query_string, keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:
        raise bad_request(f"Malformed query string: {exc}") from None


def restli_method(
    http_method: str, header: str | None, *, has_ids: bool, has_q: bool, on_entity: bool
) -> str:
    """The Rest.li method: the X-RestLi-Method header, or what the verb and URL imply."""
    if header:
        return header.strip().lower()
    verb = http_method.upper()
    if verb == "GET":
        return "finder" if has_q else "batch_get" if has_ids else "get"
    if verb == "PUT":
        return "batch_update" if has_ids else "update"
    if verb == "DELETE":
        return "batch_delete" if has_ids else "delete"
    if verb == "POST":
        if has_ids:
            return "batch_partial_update"
        return "partial_update" if on_entity else "create"
    raise bad_request(f"Unsupported method {http_method}")


def entities_for(ids: list[Key], body: Any) -> list[tuple[Key, str, Any]]:
    """Pair each id of a batch write with its body entity (matched as key sets, any field order).

    Returns (key, the key string as the body spelled it, entity) in the order of `ids`.
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("entities"), Mapping):
        raise bad_request("Body must be an object with an 'entities' map")
    by_key: dict[Key, tuple[str, Any]] = {}
    for spelled, entity in body["entities"].items():
        parsed = parse_key(spelled)
        if parsed in by_key:
            raise bad_request(f"Key {spelled!r} appears twice in entities")
        by_key[parsed] = (spelled, entity)
    if set(by_key) != set(ids):
        raise bad_request("The keys in 'entities' do not match the ids in the query")
    return [(key, *by_key[key]) for key in ids]


@dataclass
class BatchResult:
    """Per-entity outcome of a batch write or get, rendered as LinkedIn renders it."""

    results: dict[str, Any]
    errors: dict[str, Any]

    @classmethod
    def empty(cls) -> "BatchResult":
        return cls({}, {})

    def ok(self, key: str, status: int = 204) -> None:
        self.results[key] = {"status": status}

    def found(self, key: str, entity: Any) -> None:
        self.results[key] = entity

    def fail(self, key: str, status: int, message: str) -> None:
        from sandbox.errors import error_body

        self.errors[key] = error_body(status, message)

    def write_body(self) -> dict[str, Any]:
        return {"results": self.results, "errors": self.errors}

    def get_body(self) -> dict[str, Any]:
        statuses = {k: 200 for k in self.results} | {k: e["status"] for k, e in self.errors.items()}
        return {"results": self.results, "statuses": statuses, "errors": self.errors}


def finder_body(elements: list[Any], start: int, count: int, total: int | None) -> dict[str, Any]:
    paging: dict[str, Any] = {"start": start, "count": count, "links": []}
    if total is not None:
        paging["total"] = total
    return {"elements": elements, "paging": paging, "metadata": {}}


def paging(
    params: Mapping[str, str], default_count: int = 10, max_count: int = 100
) -> tuple[int, int]:
    """`start` and `count` from the query, validated as LinkedIn does."""
    try:
        start = int(params.get("start", 0))
        count = int(params.get("count", default_count))
    except ValueError:
        raise bad_request("start and count must be integers") from None
    if start < 0 or count < 0:
        raise bad_request("start and count must not be negative")
    if count > max_count:
        raise bad_request(f"count must be at most {max_count}")
    return start, count
