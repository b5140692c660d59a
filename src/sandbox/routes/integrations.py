"""atsIntegrations (name, verify, status-change lookup) and their configurations (CALLBACK_URL,
JOB_POSTING_VIEWERS, APPLICATION_VIEWERS).

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/rsc-customer-configuration
https://learn.microsoft.com/linkedin/talent/middleware-platform/integration-types
"""

import ipaddress
import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox import push, records, restli, state, throttle
from sandbox.auth import ChildApp
from sandbox.batch import raw_path_key
from sandbox.context import Call, CallDep, Sandbox, SandboxDep
from sandbox.errors import LinkedInError, bad_request

router = APIRouter()

# One throttle family for the resource and its configurations (5,000 calls a day).
FAMILY = "atsIntegrations"
KEY_ORDER = ("integrationContext", "integrationType", "tenantType", "dataProvider")
ORGANIZATION = re.compile(r"^urn:li:organization:(\d+)$")
CONTRACT = re.compile(r"^urn:li:contract:(\d+)$")
# Each integration type and the kind of context it lives in.
TYPES = {
    "ONE_CLICK_EXPORT": ORGANIZATION,
    "IN_ATS_INDICATOR": ORGANIZATION,
    "PROFILE_PLUGIN": ORGANIZATION,
    "CSA_API": CONTRACT,
    "RECOMMENDED_MATCHES": ORGANIZATION,
    "UNIFIED_SEARCH": ORGANIZATION,
    "APPLY_CONNECT": ORGANIZATION,
    "APPLY_WITH_LINKEDIN": ORGANIZATION,
}
TENANT_TYPES = ("RECRUITER", "JOBS")
ONBOARDED, NOT_ONBOARDED = "ONBOARDED", "NOT_ONBOARDED"
# Each configuration and the integration type it belongs to.
CONFIGURATIONS = {
    "CALLBACK_URL": "ONE_CLICK_EXPORT",
    "JOB_POSTING_VIEWERS": "ONE_CLICK_EXPORT",
    "APPLICATION_VIEWERS": "IN_ATS_INDICATOR",
}
ALL_PRODUCT_USERS = "ALL_PRODUCT_USERS"
LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class Integration:
    context: str
    type: str
    tenant_type: str
    data_provider: str = "ATS"

    @property
    def key(self) -> restli.Key:
        return restli.complex_key(
            integrationContext=self.context,
            integrationType=self.type,
            tenantType=self.tenant_type,
            dataProvider=self.data_provider,
        )

    @property
    def fields(self) -> dict[str, str]:
        return restli.key_fields(self.key)

    @property
    def spelled(self) -> str:
        return restli.render_key(self.key, KEY_ORDER)


def parse_integration(key: restli.Key) -> Integration:
    """An integration key, every field checked (400 naming the field)."""
    fields = restli.key_fields(key)
    if not fields:
        raise bad_request(f"Expected a complex key with {', '.join(KEY_ORDER)}")
    unknown = sorted(set(fields) - set(KEY_ORDER))
    if unknown:
        raise bad_request(f"Unknown key field(s): {', '.join(unknown)}")
    for name in KEY_ORDER:
        if name not in fields:
            raise bad_request(f"Key is missing the field '{name}'")
    if fields["dataProvider"] != "ATS":
        raise bad_request("Key field 'dataProvider' must be 'ATS'")
    if fields["tenantType"] not in TENANT_TYPES:
        raise bad_request(f"Key field 'tenantType' must be one of {', '.join(TENANT_TYPES)}")
    context_pattern = TYPES.get(fields["integrationType"])
    if context_pattern is None:
        raise bad_request(f"Key field 'integrationType' must be one of {', '.join(TYPES)}")
    if not context_pattern.match(fields["integrationContext"]):
        kind = "a contract" if context_pattern is CONTRACT else "an organization"
        raise bad_request(
            f"Key field 'integrationContext' of a {fields['integrationType']} integration "
            f"must be {kind} URN, got {fields['integrationContext']!r}"
        )
    return Integration(
        fields["integrationContext"], fields["integrationType"], fields["tenantType"]
    )


def find(conn: sqlite3.Connection, client_id: str, integration: Integration) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM integrations WHERE client_id = ? AND integration_context = ? "
        "AND integration_type = ? AND tenant_type = ? AND data_provider = ?",
        (
            client_id,
            integration.context,
            integration.type,
            integration.tenant_type,
            integration.data_provider,
        ),
    ).fetchone()


def view(row: sqlite3.Row) -> dict[str, Any]:
    """The entity LinkedIn returns: its key fields, name, and the customer's onboarding status."""
    entity: dict[str, Any] = {
        "integrationContext": row["integration_context"],
        "integrationType": row["integration_type"],
        "tenantType": row["tenant_type"],
        "dataProvider": row["data_provider"],
        "onboardingStatus": row["onboarding_status"],
    }
    if row["integration_name"] is not None:
        entity["integrationName"] = row["integration_name"]
    if row["onboarded_at"] is not None:
        entity["onboardedAt"] = row["onboarded_at"]
    return entity


def _context_exists(conn: sqlite3.Connection, context: str) -> bool:
    table = "organizations" if ORGANIZATION.match(context) else "contracts"
    number = int(context.rsplit(":", 1)[1])
    return (
        conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (number,)).fetchone()  # noqa: S608
        is not None
    )


def _charge(sandbox: Sandbox, client_id: str) -> None:
    throttle.charge(sandbox, client_id, FAMILY, per_day="integration_calls_per_day")


@router.api_route("/v2/atsIntegrations", methods=["GET", "POST"])
def ats_integrations(call: CallDep, app: ChildApp, sandbox: SandboxDep) -> JSONResponse:
    if call.method == "finder":
        return _find_by_request(call, app.client_id, sandbox)
    if call.method not in ("batch_get", "batch_partial_update"):
        raise LinkedInError(405, f"{call.method} is not supported on atsIntegrations")
    integrations = {key: parse_integration(key) for key in call.ids}
    with sandbox.db.reading() as conn:
        records.check_batch_size(len(integrations), state.current(conn)["batch_max"])
    _charge(sandbox, app.client_id)
    result = restli.BatchResult.empty()
    if call.method == "batch_get":
        with sandbox.db.reading() as conn:
            for integration in integrations.values():
                row = find(conn, app.client_id, integration)
                if row is None:
                    result.fail(integration.spelled, 404, "No integration with this key")
                else:
                    result.found(integration.spelled, view(row))
        return JSONResponse(result.get_body())
    with sandbox.db.transaction() as conn:
        for key, spelled, entity in restli.entities_for(call.ids, call.body):
            integration = integrations[key]
            try:
                name = _patched_name(entity)
            except records.Invalid as invalid:
                result.fail(spelled, 400, str(invalid))
                continue
            if not _context_exists(conn, integration.context):
                result.fail(spelled, 404, f"Unknown integrationContext {integration.context}")
                continue
            conn.execute(
                "INSERT INTO integrations(client_id, integration_context, integration_type, "
                "tenant_type, data_provider, integration_name, onboarding_status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(client_id, integration_context, "
                "integration_type, tenant_type, data_provider) DO UPDATE SET "
                "integration_name = excluded.integration_name",
                (
                    app.client_id,
                    integration.context,
                    integration.type,
                    integration.tenant_type,
                    integration.data_provider,
                    name,
                    NOT_ONBOARDED,
                ),
            )
            result.ok(spelled)
    return JSONResponse(result.write_body())


def _patched_name(entity: Any) -> str:
    """The ATS names an integration; its onboarding status is the customer's to change."""
    patch = records.entity_object(entity).get("patch")
    if not isinstance(patch, dict) or set(patch) != {"$set"} or not isinstance(patch["$set"], dict):
        raise records.Invalid("Expected {'patch': {'$set': {'integrationName': ...}}}")
    for name in patch["$set"]:
        if name != "integrationName":
            raise records.Invalid(
                f"{name} cannot be set by the ATS (only integrationName; the customer "
                "enables integrations in LinkedIn Recruiter)"
            )
    value = records.text(patch["$set"], "integrationName", required=True)
    return str(value)


def _find_by_request(call: Call, client_id: str, sandbox: Sandbox) -> JSONResponse:
    """q=request: the integrations whose status an INTEGRATION_STATUS_CHANGE push announced."""
    if call.required("q") != "request":
        raise bad_request(f"Unknown finder q={call.param('q')} (atsIntegrations has q=request)")
    request_id = call.required("requestId")
    start, count = restli.paging(call.first_values)
    _charge(sandbox, client_id)
    elements = []
    with sandbox.db.reading() as conn:
        notification = push.readable(
            conn,
            client_id=client_id,
            request_id=request_id,
            type=push.INTEGRATION_STATUS_CHANGE,
            now_ms=sandbox.clock.now_ms(),
        )
        for fields in notification.payload.get("integrations", []) if notification else []:
            row = find(conn, client_id, parse_integration(restli.complex_key(**fields)))
            if row is not None:
                elements.append(view(row))
    return JSONResponse(
        restli.finder_body(elements[start : start + count], start, count, len(elements))
    )


def set_onboarding(
    sandbox: Sandbox, *, client_id: str, integration: Integration, onboarded: bool
) -> dict[str, Any]:
    """The customer enables or disables an integration in Recruiter: a status change pushes
    INTEGRATION_STATUS_CHANGE; setting the status it already has changes and pushes nothing."""
    status = ONBOARDED if onboarded else NOT_ONBOARDED
    now = sandbox.clock.now_ms()
    request_id = None
    with sandbox.db.transaction() as conn:
        row = find(conn, client_id, integration)
        if row is None:
            raise LinkedInError(
                404,
                f"{integration.type} for {integration.context} is not set up for application "
                f"{client_id}: the ATS names it with atsIntegrations batch_partial_update first",
            )
        if row["onboarding_status"] != status:
            conn.execute(
                "UPDATE integrations SET onboarding_status = ?, onboarded_at = ? "
                "WHERE client_id = ? AND integration_context = ? AND integration_type = ? "
                "AND tenant_type = ? AND data_provider = ?",
                (
                    status,
                    now if onboarded else None,
                    client_id,
                    integration.context,
                    integration.type,
                    integration.tenant_type,
                    integration.data_provider,
                ),
            )
            request_id = push.notify(
                conn,
                sandbox,
                client_id=client_id,
                type=push.INTEGRATION_STATUS_CHANGE,
                integration_context=integration.context,
                payload={"integrations": [integration.fields]},
            )
    sandbox.wake_pusher()
    entity = view(row) | {"onboardingStatus": status}
    if not onboarded:
        entity.pop("onboardedAt", None)
    elif request_id:
        entity["onboardedAt"] = now
    return {"request_id": request_id, "client_id": client_id, "changed": bool(request_id), **entity}


@router.api_route(
    "/v2/atsIntegrations/{key}/configurations", methods=["GET", "PUT", "POST", "DELETE"]
)
def configurations(
    request: Request, call: CallDep, app: ChildApp, sandbox: SandboxDep
) -> JSONResponse:
    integration = parse_integration(raw_path_key(request, 3))
    if call.method not in ("batch_get", "batch_update", "batch_delete"):
        raise LinkedInError(405, f"{call.method} is not supported on configurations")
    if any(not isinstance(name, str) for name in call.ids):
        raise bad_request("Configuration ids are simple keys: ?ids=CALLBACK_URL")
    names = [str(name) for name in call.ids]
    with sandbox.db.reading() as conn:
        records.check_batch_size(len(names), state.current(conn)["batch_max"])
    _charge(sandbox, app.client_id)
    integration_key = restli.canonical(integration.key)
    result = restli.BatchResult.empty()
    watched = False
    with sandbox.db.transaction() as conn:
        if find(conn, app.client_id, integration) is None:
            raise LinkedInError(
                404,
                f"No integration {integration.spelled}: name it with batch_partial_update first",
            )
        where = "WHERE client_id = ? AND integration_key = ? AND name = ?"
        if call.method == "batch_get":
            for name in names:
                row = conn.execute(
                    f"SELECT value FROM configurations {where}",  # noqa: S608
                    (app.client_id, integration_key, name),
                ).fetchone()
                if name not in CONFIGURATIONS:
                    result.fail(name, 400, _unknown(name))
                elif row is None:
                    result.fail(name, 404, f"{name} is not configured")
                else:
                    result.found(name, {"configurationValue": {"string": row["value"]}})
            return JSONResponse(result.get_body())
        if call.method == "batch_delete":
            for name in names:
                if name not in CONFIGURATIONS:
                    result.fail(name, 400, _unknown(name))
                    continue
                conn.execute(
                    f"DELETE FROM configurations {where}",  # noqa: S608
                    (app.client_id, integration_key, name),
                )
                result.ok(name)
            return JSONResponse(result.write_body())
        for config, spelled, entity in restli.entities_for(call.ids, call.body):
            name = str(config)
            try:
                value = _configuration(name, integration, entity)
            except records.Invalid as invalid:
                result.fail(spelled, 400, str(invalid))
                continue
            if name == "CALLBACK_URL" and _used_by_another_app(conn, app.client_id, value):
                result.fail(
                    spelled,
                    409,
                    "CALLBACK_URL is already the callback URL of another customer's "
                    "application; each customer needs its own URL",
                )
                continue
            conn.execute(
                "INSERT INTO configurations(client_id, integration_key, name, value) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(client_id, integration_key, name) "
                "DO UPDATE SET value = excluded.value",
                (app.client_id, integration_key, name, value),
            )
            if name == "CALLBACK_URL":
                push.watch_callback(conn, app.client_id, value, sandbox.clock.now_ms())
                watched = True
            result.ok(spelled)
    if watched:
        sandbox.wake_pusher()
    return JSONResponse(result.write_body())


def _unknown(name: str) -> str:
    return f"Unknown configuration {name!r} (known: {', '.join(CONFIGURATIONS)})"


def _configuration(name: str, integration: Integration, entity: Any) -> str:
    """The configured string, checked against the rules of its configuration."""
    owner = CONFIGURATIONS.get(name)
    if owner is None:
        raise records.Invalid(_unknown(name))
    if owner != integration.type:
        raise records.Invalid(f"{name} is a configuration of the {owner} integration")
    union = records.entity_object(entity).get("configurationValue")
    if not isinstance(union, dict) or not isinstance(union.get("string"), str):
        raise records.Invalid("configurationValue.string is required (a string)")
    value = union["string"]
    if name == "CALLBACK_URL":
        return callback_url(value)
    if value != ALL_PRODUCT_USERS:
        raise records.Invalid(f"{name} must be {ALL_PRODUCT_USERS}, got {value!r}")
    return value


def callback_url(value: str) -> str:
    """LinkedIn wants HTTPS on port 443 or 80; the sandbox also takes http on loopback (any
    port), where the ATS runs in development and tests."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise records.Invalid(f"CALLBACK_URL {value!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise records.Invalid(f"CALLBACK_URL {value!r} must be an absolute http(s) URL")
    if _is_loopback(parts.hostname):
        return value
    if parts.scheme != "https":
        raise records.Invalid("CALLBACK_URL must use https (http is accepted on loopback only)")
    if port not in (None, 80, 443):
        raise records.Invalid(f"CALLBACK_URL must be on port 443 or 80, not {port}")
    return value


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _used_by_another_app(conn: sqlite3.Connection, client_id: str, url: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM configurations WHERE name = 'CALLBACK_URL' AND value = ? "
            "AND client_id != ? LIMIT 1",
            (url, client_id),
        ).fetchone()
        is not None
    )
