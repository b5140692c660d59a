"""LinkedIn's own Postman collection for RSC, replayed with newman against a real sandbox process.

The hosts are rewritten to the sandbox and the collection's variables filled from its tenant, as
../shared/linkedin/replay.py does, with the same Rest.li shape checks (read from that file). One
difference: the collection fetches the customer token and the member's person id in its last two
requests, while every request before them needs both. A person running it in Postman has them
from an earlier run (Postman keeps globals); here they are obtained first, the customer token by
client credentials and the person id through the 3-legged flow and GET /v2/me, and handed to
newman as globals. Every request of the collection still runs and is checked.
"""

import ast
import json
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import free_port

SHARED = Path(__file__).resolve().parents[3] / "shared" / "linkedin"
CALLBACK = "https://app.getpostman.com/oauth2/callback"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(300),
    pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/linkedin is not beside the project"),
]


def shape_tests() -> str:
    """The Rest.li shape assertions replay.py adds to every request (its SHAPE_TESTS)."""
    tree = ast.parse((SHARED / "replay.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SHAPE_TESTS":
            return ast.literal_eval(node.value)
    raise AssertionError("replay.py has no SHAPE_TESTS")


@pytest.fixture
def sandbox_url(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "sbx"),
            "--members",
            "500",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/_sandbox/tenant").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def member_token(client: httpx.Client, tenant: dict) -> str:
    """A seat holder's 3-legged token, the way Postman's "Get New Access Token" obtains one."""
    partner = client.post(
        "/oauth/v2/accessToken", data={"grant_type": "client_credentials", **tenant["partner_app"]}
    ).json()["access_token"]
    app = tenant["customer_app"]
    key = urllib.parse.quote(app["app_key"], safe="")
    client.post(
        f"/v2/provisionedApplications/{key}",
        json={"patch": {"$set": {"oauth2AuthorizedCallbackUrls": [CALLBACK]}}},
        headers={"Authorization": f"Bearer {partner}"},
    ).raise_for_status()
    consent = client.post(
        "/oauth/v2/authorization",
        data={
            "response_type": "code",
            "client_id": app["client_id"],
            "redirect_uri": CALLBACK,
            "state": "replay",
            "member_email": tenant["seats"][0]["email"],
            "decision": "allow",
        },
    )
    assert consent.status_code == 302, consent.text
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(consent.headers["location"]).query)["code"]
    return client.post(
        "/oauth/v2/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": code[0],
            "redirect_uri": CALLBACK,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    ).json()["access_token"]


def prepared_collection(base: str, variables: dict[str, str], member: str) -> dict:
    raw = (SHARED / "rsc.postman_collection.json").read_text()
    for host in ("https://api.linkedin.com", "https://www.linkedin.com"):
        raw = raw.replace(host, base)
    collection = json.loads(raw)

    def visit(items):
        for item in items:
            if "item" in item:
                visit(item["item"])
                continue
            request = item["request"]
            if isinstance(request["url"], dict):
                request["url"] = request["url"]["raw"]
            for entry in (request.get("auth") or {}).get("oauth2", []):
                if entry["key"] == "accessToken":
                    entry["value"] = member

    visit(collection["item"])
    collection["event"] = [
        {
            "listen": "test",
            "script": {"type": "text/javascript", "exec": shape_tests().splitlines()},
        }
    ]
    collection["variable"] = [
        {"key": k, "value": v, "type": "string"} for k, v in variables.items()
    ]
    return collection


def test_every_request_of_linkedins_collection_behaves_as_linkedins(sandbox_url, tmp_path):
    npx = shutil.which("npx")
    assert npx, "Node.js (npx) is needed to run newman"
    with httpx.Client(base_url=sandbox_url, timeout=20) as client:
        tenant = client.get("/_sandbox/tenant").json()
        seat = tenant["seats"][0]
        member = client.get("/_sandbox/members", params={"count": 1}).json()["elements"][0]
        exported = client.post(
            "/_sandbox/actions/export", json={"seat_id": seat["id"], "member_id": member["id"]}
        )
        assert exported.status_code == 201, exported.text
        customer_token = client.post(
            "/oauth/v2/accessToken",
            data={"grant_type": "client_credentials", **tenant["customer_app"]},
        ).json()["access_token"]
        token = member_token(client, tenant)
        person_id = client.get(
            "/v2/me?fields=id", headers={"Authorization": f"Bearer {token}"}
        ).json()["id"]
    variables = {
        "partner_app_client_id": tenant["partner_app"]["client_id"],
        "partner_app_client_secret": tenant["partner_app"]["client_secret"],
        "customer_app_client_id": tenant["customer_app"]["client_id"],
        "customer_app_client_secret": tenant["customer_app"]["client_secret"],
        "org_id": str(tenant["organization_id"]).split(":")[-1],
        "contract_id": str(tenant["contract_ids"][0]).split(":")[-1],
        "customer_name": "Replay Customer",
        "unique_foreign_id": "replay-customer-1",
        "Epoch in milliseconds": str(int(time.time() * 1000)),
        "Enter_ID_Value_Present_In_Response_of_Retrieve_Recruiter_Seatholders_API": str(
            seat["id"]
        ).split(":")[-1],
        "Enter_Request_ID_obtained_from_POST_in_CallbackURL": str(exported.json()["request_id"]),
    }
    collection_file = tmp_path / "collection.json"
    collection_file.write_text(json.dumps(prepared_collection(sandbox_url, variables, token)))
    report_file = tmp_path / "newman.json"
    run = subprocess.run(
        [
            npx,
            "--yes",
            "newman@6",
            "run",
            str(collection_file),
            "--reporters",
            "json",
            "--reporter-json-export",
            str(report_file),
            "--timeout-request",
            "15000",
            "--global-var",
            f"customer_access_token={customer_token}",
            "--global-var",
            f"person_id={person_id}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert report_file.exists(), run.stdout + run.stderr
    executions = json.loads(report_file.read_text())["run"]["executions"]
    failures = [
        f"{e['item']['name']} ({(e.get('response') or {}).get('code')}): "
        + "; ".join(a["error"]["message"] for a in e.get("assertions", []) if a.get("error"))
        for e in executions
        if "requestError" in e or any(a.get("error") for a in e.get("assertions", []))
    ]
    passed = len(executions) - len(failures)
    print(f"{passed} of {len(executions)} requests of LinkedIn's RSC collection pass")
    assert len(executions) == 48
    assert failures == []
