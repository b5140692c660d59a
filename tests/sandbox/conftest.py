"""A fresh sandbox per test: its own SQLite file, a frozen clock, few members, real HTTP shapes."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from sandbox.app import create_app
from sandbox.clock import FrozenClock
from sandbox.config import Settings

ORG = "urn:li:organization:98765001"


@dataclass
class Tenant:
    client: TestClient
    clock: FrozenClock
    info: dict

    def token(self, app: str = "customer_app") -> str:
        creds = self.info[app]
        reply = self.client.post(
            "/oauth/v2/accessToken",
            data={
                "grant_type": "client_credentials",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
        )
        assert reply.status_code == 200, reply.text
        return reply.json()["access_token"]

    def auth(self, app: str = "customer_app") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(app)}"}


def make_tenant(tmp_path, *, onboarded: bool = True, members: int = 300) -> Tenant:
    clock = FrozenClock()
    settings = Settings(data_dir=tmp_path, members=members, seed=7, push_in_background=False)
    client = TestClient(create_app(settings, clock, onboarded=onboarded))
    apps = client.app.state.sandbox.db
    with apps.reading() as conn:
        rows = {r["kind"]: dict(r) for r in conn.execute("SELECT * FROM apps")}
    info = {
        "partner_app": {
            "client_id": rows["parent"]["client_id"],
            "client_secret": rows["parent"]["client_secret"],
        },
        "customer_app": {
            "client_id": rows["child"]["client_id"],
            "client_secret": rows["child"]["client_secret"],
        },
    }
    return Tenant(client, clock, info)


@pytest.fixture
def tenant(tmp_path) -> Tenant:
    return make_tenant(tmp_path)


def candidate_key(candidate_id: str, org: str = ORG) -> str:
    return f"atsCandidateId={candidate_id}&dataProvider=ATS&integrationContext={org}"


def candidate_ids(*candidate_ids: str, org: str = ORG) -> str:
    return "&".join(
        f"ids[{i}].atsCandidateId={c}&ids[{i}].dataProvider=ATS&ids[{i}].integrationContext={org}"
        for i, c in enumerate(candidate_ids)
    )


def candidate_body(first="Ada", last="Lovelace", emails=("ada@example.com",), **extra) -> dict:
    return {
        "atsCreatedAt": 1_690_000_000_000,
        "atsLastModifiedAt": 1_690_000_000_000,
        "firstName": first,
        "lastName": last,
        "emailAddresses": list(emails),
        "externalProfileUrl": "https://ats.example.com/c/1",
        "addresses": [],
        "phoneNumbers": [],
        **extra,
    }
