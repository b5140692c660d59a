"""Hand-made LinkedIn data for the inbound tests, a stand-in client that serves it, and the
wiring of an integration to a running sandbox.

Payloads are shaped as the sandbox documents them (src/sandbox/README.md) and read through the
client's own reply models, so a malformed one fails as it would over HTTP (InvalidReply)."""

from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from hirebridge.accounts.models import User
from hirebridge.linkedin import enablement, replies
from hirebridge.linkedin.client import InvalidReply
from hirebridge.linkedin.models import Contract, InboundEvent, Integration, Seat

ORGANIZATION = "urn:li:organization:98765001"
CONTRACT = "urn:li:contract:70001001"
SEAT = "urn:li:seat:5000001"
OTHER_SEAT = "urn:li:seat:9000001"
ADA = "urn:li:person:ada1"
BASE_MS = 1_760_000_000_000  # a fixed moment (2025-10-09), long after any opportunity here


def make_integration(user: User | None = None, *, created_ms: int | None = None) -> Integration:
    """The integration, one contract and Rita's seat (mapped to `user`)."""
    integration = Integration(client_id="77abc", organization_urn=ORGANIZATION)
    integration.client_secret = "secret"
    integration.save()
    contract = Contract.objects.create(integration=integration, urn=CONTRACT)
    Seat.objects.create(
        contract=contract,
        urn=SEAT,
        member_urn="urn:li:person:rita1",
        first_name="Rita",
        last_name="Recruiter",
        email="rita.recruiter@acme-robotics.example",
        user=user,
    )
    return integration


def push(integration: Integration, request_id: str = "900000000000000001") -> InboundEvent:
    return InboundEvent.objects.create(
        integration=integration,
        request_id=request_id,
        type="EXPORT_CANDIDATE_PROFILE",
        payload={"type": "EXPORT_CANDIDATE_PROFILE", "requestId": request_id},
    )


def profile(member: str = ADA, **fields: Any) -> dict[str, Any]:
    return {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "headline": "Analyst at Analytical Engines",
        "location": "London, United Kingdom",
        "currentEmployerNames": ["Analytical Engines"],
        "member": member,
        "profileUrl": "https://www.linkedin.com/in/ada-lovelace",
        "emailAddresses": ["ada@example.com"],
        **fields,
    }


def inmail(event_id: int, author: str, at_ms: int, thread: int = 41, **fields: Any) -> dict:
    return {
        "id": event_id,
        "thread": f"urn:li:messagingThread:{thread}",
        "author": author,
        "subject": "A role at Acme" if author.startswith("urn:li:seat:") else "Re: A role at Acme",
        "body": "Hello" if author.startswith("urn:li:seat:") else "Tell me more",
        "createdAt": at_ms,
        **fields,
    }


def exported(
    *,
    job: str | None = None,
    exporter: str = SEAT,
    context: str = ORGANIZATION,
    inmails: list[dict] | None = None,
    notes: list[dict] | None = None,
    **candidate: Any,
) -> dict[str, Any]:
    return {
        "integrationContext": context,
        "candidate": profile(**candidate),
        "externalJobPostingId": job,
        "exporter": exporter,
        "exportedAt": BASE_MS,
        "inMails": inmails if inmails is not None else [],
        "notes": notes if notes is not None else [],
    }


def event(event_id: int, author: str, at_ms: int, member: str = ADA, thread: int = 41) -> dict:
    """A conversationEvents element between SEAT and `member`."""
    seat = author if author.startswith("urn:li:seat:") else SEAT
    return {
        "id": event_id,
        "thread": f"urn:li:messagingThread:{thread}",
        "author": author,
        "direction": "OUTGOING" if author == seat else "INCOMING",
        "created": {"time": at_ms},
        "subject": "A role at Acme",
        "body": "Hello" if author == seat else "Tell me more",
        "participants": [seat, member],
    }


def stub(stub_id: int, at_ms: int, member: str = ADA, owner: str = SEAT, **fields: Any) -> dict:
    return {
        **profile(member),
        "emailAddresses": [],
        "id": stub_id,
        "contract": CONTRACT,
        "owner": owner,
        "thread": "urn:li:messagingThread:41",
        "created": at_ms,
        "emailAddress": "ada.shared@example.com",
        "phoneNumber": "+1 555 0100",
        **fields,
    }


def note(note_id: int, modified_ms: int, member: str = ADA, **fields: Any) -> dict:
    return {
        "id": note_id,
        "contract": CONTRACT,
        "owner": SEAT,
        "member": member,
        "note": "Strong on analysis",
        "active": True,
        "created": modified_ms,
        "lastModified": modified_ms,
        **fields,
    }


def read(model: type[BaseModel], raw: dict) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidReply(f"not a {model.__name__}: {where}: {first['msg']}") from None


class FakeLinkedIn:
    """Answers like LinkedInClient from the dicts it holds; `failure` is raised by any call."""

    def __init__(self) -> None:
        self.exports: dict[str, list[dict]] = {}
        self.events: list[dict] = []
        self.stubs: list[dict] = []
        self.notes: list[dict] = []
        self.failure: Exception | None = None
        self.calls: list[str] = []

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.failure is not None:
            raise self.failure

    def exported_candidates(self, request_id: str) -> list[replies.ExportedCandidate]:
        self._call("exportedCandidates")
        return [read(replies.ExportedCandidate, e) for e in self.exports.get(request_id, [])]

    def conversation_events(
        self, seat_urn: str, start_ms: int, end_ms: int
    ) -> list[replies.ConversationEvent]:
        self._call("conversationEvents")
        return [
            read(replies.ConversationEvent, e)
            for e in self.events
            if seat_urn in e["participants"] and start_ms <= e["created"]["time"] < end_ms
        ]

    def mail_stubs(
        self, contract_urn: str, seat_urns: list[str], start_ms: int, end_ms: int
    ) -> list[replies.MailStub]:
        self._call("mailStubs")
        return [
            read(replies.MailStub, s)
            for s in self.stubs
            if s["owner"] in seat_urns and start_ms <= s["created"] < end_ms
        ]

    def prospect_notes(
        self, contract_urn: str, seat_urns: list[str], cutoff_ms: int, before_ms: int
    ) -> list[replies.ProspectNote]:
        self._call("prospectNotes")
        return [
            read(replies.ProspectNote, n)
            for n in self.notes
            if n["owner"] in seat_urns and cutoff_ms < n["lastModified"] <= before_ms
        ]

    def route(self, name: str) -> str:
        return name

    def find_all(self, route: str, params: dict, model: type[BaseModel]) -> list[Any]:
        assert route == "conversationEvents"
        self._call("conversationEvents")
        return [
            read(model, e)
            for e in self.events
            if e["thread"] == params["threadUrn"] and params["viewer"] in e["participants"]
        ]


# Against a running sandbox (tests/linkedin/conftest.py: rsc_sandbox).


def wire(sandbox: Any, settings: Any, users: dict[str, User]) -> Integration:
    """Point the ATS at the sandbox and store its tenant: integration, contracts, and seats
    mapped to `users` by seat URN."""
    settings.LINKEDIN_API_BASE = sandbox.url
    settings.LINKEDIN_OAUTH_BASE = sandbox.url
    tenant = sandbox.tenant
    integration = Integration(
        client_id=tenant["customer_app"]["client_id"],
        organization_urn=tenant["organization_id"],
    )
    integration.client_secret = tenant["customer_app"]["client_secret"]
    integration.save()
    contracts = {
        urn: Contract.objects.create(integration=integration, urn=urn)
        for urn in tenant["contract_ids"]
    }
    for seat in tenant["seats"]:
        first, last = seat["name"].split(" ", 1)
        Seat.objects.create(
            contract=contracts[seat["contract_id"]],
            urn=seat["id"],
            member_urn=seat["member"],
            first_name=first,
            last_name=last,
            email=seat["email"],
            user=users.get(seat["id"]),
        )
    return integration


def sync_job(sandbox: Any, integration: Integration, external_id: str, title: str) -> None:
    """Sync a posting to the sandbox as a job, as the ATS's job sync will."""
    token = enablement.client_for(integration).token().access_token
    reply = httpx.post(
        f"{sandbox.url}/v2/simpleJobPostings",
        headers={"Authorization": f"Bearer {token}", "X-RestLi-Method": "batch_create"},
        json={
            "elements": [
                {
                    "integrationContext": integration.organization_urn,
                    "externalJobPostingId": external_id,
                    "title": title,
                    "description": "Build things.",
                    "location": "Berlin, Germany",
                    "availability": "PRIVATE_TO_ATS_INTEGRATION",
                    "state": "LISTED",
                    "companyApplyUrl": f"https://ats.example.com/jobs/{external_id}",
                    "listedAt": BASE_MS,
                }
            ]
        },
        timeout=10,
    )
    assert reply.json()["elements"][0]["status"] == 201, reply.text


def member_number(sandbox: Any, index: int = 0, *, with_email: bool = True) -> dict:
    """A member of the sandbox's directory (not a seat holder)."""
    members = sandbox.admin("GET", "members", params={"start": 0, "count": 50})["elements"]
    return [m for m in members if m["id"] >= 100 and (m.get("email") or not with_email)][index]
