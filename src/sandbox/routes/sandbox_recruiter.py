"""Sandbox-only actions that play LinkedIn Recruiter's users: a seat sends an InMail or writes a
prospect note, a member answers or replies, a member closes their account. Not LinkedIn's API:
these make the data LinkedIn's recruiter-prospect-interactions finders then serve
(https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/recruiter-prospect-interactions).

JSON in, JSON out with the ids created; bad input is answered in LinkedIn's 400 shape naming the
field. Seats may be given as numbers or `urn:li:seat:N`, members as numbers or person URNs,
conversations as numbers or `urn:li:messagingThread:N`.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sandbox import inmail
from sandbox.context import CallDep, SandboxDep
from sandbox.errors import bad_request

router = APIRouter(prefix="/_sandbox/actions")


def fields(body: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON object sent, refused when a required field is missing or an unknown one is sent."""
    if not isinstance(body, dict):
        raise bad_request("body: expected a JSON object")
    for name in required:
        if body.get(name) is None:
            raise bad_request(f"{name}: required")
    unknown = sorted(set(body) - set(required) - set(optional))
    if unknown:
        raise bad_request(
            f"{unknown[0]}: unknown field (expected {', '.join(required + optional)})"
        )
    return body


@router.post("/inmail")
def send_inmail(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    body = fields(call.body, ("seat_id", "member_id", "subject", "body"))
    sent = inmail.send_inmail(
        sandbox,
        seat_id=body["seat_id"],
        member_id=body["member_id"],
        subject=body["subject"],
        body=body["body"],
    )
    return JSONResponse(sent, 201)


@router.post("/inmail-response")
def respond(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    body = fields(call.body, ("member_id", "conversation_id", "answer"), ("email", "phone"))
    answered = inmail.respond(
        sandbox,
        member_id=body["member_id"],
        conversation_id=body["conversation_id"],
        answer=body["answer"],
        email=body.get("email"),
        phone=body.get("phone"),
    )
    return JSONResponse(answered, 201)


@router.post("/reply")
def reply(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    body = fields(call.body, ("member_id", "conversation_id", "body"))
    replied = inmail.reply(
        sandbox,
        member_id=body["member_id"],
        conversation_id=body["conversation_id"],
        body=body["body"],
    )
    return JSONResponse(replied, 201)


@router.post("/note")
def add_note(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    body = fields(call.body, ("seat_id", "member_id", "body"))
    note = inmail.add_note(
        sandbox, seat_id=body["seat_id"], member_id=body["member_id"], body=body["body"]
    )
    return JSONResponse(note, 201)


@router.put("/note/{note_id}")
def edit_note(note_id: str, call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    body = fields(call.body, (), ("body", "active"))
    note = inmail.edit_note(
        sandbox, note_id=note_id, body=body.get("body"), active=body.get("active")
    )
    return JSONResponse(note)


@router.post("/close-profile")
def close_profile(call: CallDep, sandbox: SandboxDep) -> JSONResponse:
    body = fields(call.body, ("member_id",))
    return JSONResponse(inmail.close_profile(sandbox, member_id=body["member_id"]))
