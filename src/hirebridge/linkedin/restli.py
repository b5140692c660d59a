"""Rest.li on the wire as LinkedIn's Middleware APIs take it: keys, finder parameters, query
tunnelling, and which resources LinkedIn also serves under its versioned `/rest/` surface.

Protocol 1.0, the `/v2/` surface, spelled as LinkedIn's Postman collection spells it:
  simple batch keys    ids=A&ids=B
  complex batch keys   ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=…
  complex key          atsCandidateId=C1&dataProvider=ATS&integrationContext=… (path segment,
                       body map key), fields in the caller's order
  repeated parameter   owners=A&owners=B
Protocol 2.0, the `/rest/` surface, spelled as LinkedIn's Python client encodes it:
  key (a:1,b:urn%3Ali%3A…) with fields sorted, ids=List((…),(…)), lists List(a,b).
Values are percent-encoded; protocol 1.0 keeps `:` (URNs) readable, as Postman does.
https://learn.microsoft.com/linkedin/shared/api-guide/concepts/protocol-version
https://learn.microsoft.com/linkedin/shared/api-guide/concepts/query-tunneling
"""

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import quote, unquote

# A simple key ("CALLBACK_URL") or a complex one ({"atsCandidateId": "C1", …}).
Key = str | Mapping[str, str]
# A key compared as LinkedIn compares keys: a string, or a set of (field, value).
Identity = str | frozenset[tuple[str, str]]
Param = str | int | Sequence[str]

# LinkedIn answers 414 to a query string over 4 KB; its Python client tunnels past 4,000.
MAX_QUERY_BYTES = 4000
VERSION = re.compile(r"^\d{6}$")


class Protocol(Enum):
    V1 = "1.0.0"
    V2 = "2.0.0"


def _encode(value: str | int, protocol: Protocol) -> str:
    return quote(str(value), safe=":" if protocol is Protocol.V1 else "")


def encode_key(key: Key, protocol: Protocol) -> str:
    """A key as a path segment or a body map key."""
    if isinstance(key, str):
        return _encode(key, protocol)
    if protocol is Protocol.V1:
        return "&".join(f"{name}={_encode(value, protocol)}" for name, value in key.items())
    fields = ",".join(f"{name}:{_encode(value, protocol)}" for name, value in sorted(key.items()))
    return f"({fields})"


def encode_ids(keys: Sequence[Key], protocol: Protocol) -> str:
    """The `ids` query parameters of a batch call."""
    if protocol is Protocol.V2:
        return "ids=List(" + ",".join(encode_key(key, protocol) for key in keys) + ")"
    parts: list[str] = []
    for index, key in enumerate(keys):
        if isinstance(key, str):
            parts.append(f"ids={_encode(key, protocol)}")
        else:
            parts += [
                f"ids[{index}].{name}={_encode(value, protocol)}" for name, value in key.items()
            ]
    return "&".join(parts)


def encode_params(params: Mapping[str, Param], protocol: Protocol) -> str:
    """Finder and paging parameters; a sequence is a repeated parameter (1.0) or a List (2.0)."""
    parts: list[str] = []
    for name, value in params.items():
        if isinstance(value, str | int):
            parts.append(f"{name}={_encode(value, protocol)}")
        elif protocol is Protocol.V1:
            parts += [f"{name}={_encode(item, protocol)}" for item in value]
        else:
            parts.append(f"{name}=List({','.join(_encode(item, protocol) for item in value)})")
    return "&".join(parts)


def identity(key: Key) -> Identity:
    return key if isinstance(key, str) else frozenset(key.items())


def _pairs(text: str, separator: str, joiner: str) -> frozenset[tuple[str, str]]:
    pairs = []
    for part in text.split(separator):
        name, found, value = part.partition(joiner)
        if not found or not name:
            raise ValueError(f"malformed key component {part!r}")
        pairs.append((unquote(name), unquote(value)))
    return frozenset(pairs)


def parse_key(text: str) -> Identity:
    """A key as a reply spells it: either protocol, encoded or not, fields in any order."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        return _pairs(text[1:-1], ",", ":")
    if "=" in text:
        return _pairs(text, "&", "=")
    decoded = unquote(text)
    return _pairs(decoded, "&", "=") if "=" in decoded else decoded


def needs_tunnel(query: str) -> bool:
    return len(query.encode()) > MAX_QUERY_BYTES


def tunnel(method: str, query: str, content: bytes | None) -> tuple[dict[str, str], bytes]:
    """Headers and body of the POST that carries `method` with a long query: the query as a
    form body, or (a call with a JSON body) multipart/mixed with the query, then the JSON."""
    headers = {"X-HTTP-Method-Override": method}
    if content is None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers, query.encode()
    boundary = secrets.token_hex(16)
    while boundary in query or boundary.encode() in content:
        boundary = secrets.token_hex(16)
    headers["Content-Type"] = f"multipart/mixed; boundary={boundary}"
    head = (
        f"--{boundary}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n{query}\r\n"
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
    )
    return headers, head.encode() + content + f"\r\n--{boundary}--".encode()


@dataclass(frozen=True)
class Route:
    """Where a call goes and how its keys and entities are spelled there: a `/v2/` path with
    protocol 1.0, or a `/rest/` path with `LinkedIn-Version`, protocol 2.0 and the renamed
    fields of the versioned surface. Callers always speak `/v2/` field names."""

    path: str
    version: str | None = None
    renamed: Mapping[str, str] = field(default_factory=dict)
    dropped_from_keys: frozenset[str] = frozenset()

    @property
    def protocol(self) -> Protocol:
        return Protocol.V2 if self.version else Protocol.V1

    @property
    def headers(self) -> dict[str, str]:
        if not self.version:
            return {}
        return {"LinkedIn-Version": self.version, "X-Restli-Protocol-Version": "2.0.0"}

    def key(self, key: Key) -> Key:
        if isinstance(key, str):
            return key
        return {
            self.renamed.get(name, name): value
            for name, value in key.items()
            if name not in self.dropped_from_keys
        }

    def entity(self, entity: Mapping[str, Any]) -> dict[str, Any]:
        return {self.renamed.get(name, name): value for name, value in entity.items()}

    def entity_back(self, entity: Mapping[str, Any]) -> dict[str, Any]:
        back = {wire: name for name, wire in self.renamed.items()}
        return {back.get(name, name): value for name, value in entity.items()}

    def child(self, key: Key, name: str) -> "Route":
        """A sub-resource under one entity (`…/{key}/configurations`); its ids are simple."""
        segment = encode_key(self.key(key), self.protocol)
        return Route(f"{self.path}/{segment}/{name}", self.version)


@dataclass(frozen=True)
class Resource:
    """A resource by its `/v2/` name and, where LinkedIn also serves it under `/rest/`, that
    name with the fields the versioned surface renames or drops from keys."""

    name: str
    rest_name: str | None = None
    renamed: Mapping[str, str] = field(default_factory=dict)
    dropped_from_keys: frozenset[str] = frozenset()

    def route(self, version: str | None = None) -> Route:
        if version is None:
            return Route(f"/v2/{self.name}")
        if self.rest_name is None:
            raise ValueError(f"{self.name} is not served under /rest/")
        if not VERSION.match(version):
            raise ValueError(f"LinkedIn-Version for {self.name}: {version!r} is not YYYYMM")
        return Route(f"/rest/{self.rest_name}", version, self.renamed, self.dropped_from_keys)


# The /rest/ names are the ones the sandbox serves (LinkedIn's 2026-03 migration table lists
# more); everything else stays on /v2/.
RESOURCES = {
    resource.name: resource
    for resource in (
        Resource(
            "atsCandidates",
            "candidates",
            renamed={
                "atsCandidateId": "externalCandidateId",
                "atsCreatedAt": "externalCreatedAt",
                "atsLastModifiedAt": "externalLastModifiedAt",
            },
            dropped_from_keys=frozenset({"dataProvider"}),
        ),
        Resource("simpleJobPostings", "simpleJobPostings"),
        Resource("simpleJobPostingTasks", "simpleJobPostingTasks"),
        Resource("atsApplications"),
        Resource("atsEntityAcls"),
        Resource("atsEntityAclAssignees"),
        Resource("atsIntegrations"),
        Resource("exportedCandidates"),
        Resource("seatsV2"),
        Resource("seats"),
        Resource("conversationEvents"),
        Resource("mailStubs"),
        Resource("prospectNotes"),
        Resource("closedCandidateProfiles"),
    )
}
