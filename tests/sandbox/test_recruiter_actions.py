"""The sandbox-only Recruiter actions: InMails and the member's answers, prospect notes, closed
accounts; and the plain functions in sandbox.inmail that the Recruiter UI calls."""

import pytest

from sandbox import inmail, state
from sandbox.errors import LinkedInError

EMEA = "urn:li:contract:70001001"
RITA, SOURAV = 5000001, 5000002
T0 = 1_700_000_000_000


def post(tenant, path, status=201, **body):
    reply = tenant.client.post(f"/_sandbox/actions/{path}", json=body)
    assert reply.status_code == status, reply.text
    return reply.json()


def send(tenant, seat=RITA, member=100, status=201):
    return post(
        tenant, "inmail", status, seat_id=seat, member_id=member, subject="A role", body="Hi!"
    )


def sandbox_of(tenant):
    return tenant.client.app.state.sandbox


def rows(tenant, sql, *params):
    with sandbox_of(tenant).db.reading() as conn:
        return [dict(r) for r in conn.execute(sql, params)]


def settings(tenant, **patch):
    with sandbox_of(tenant).db.transaction() as conn:
        state.update(conn, patch)


def stubs(tenant):
    return rows(tenant, "SELECT * FROM mail_stubs ORDER BY id")


# InMail ------------------------------------------------------------------------------------


def test_an_inmail_opens_a_thread_and_answers_its_ids(tenant):
    sent = send(tenant)
    [event] = rows(tenant, "SELECT * FROM conversation_events")
    assert sent["conversation_id"] == event["thread_id"] == event["id"] == sent["event_id"]
    assert sent["thread"] == f"urn:li:messagingThread:{event['thread_id']}"
    assert (sent["seat"], sent["member_id"], sent["created"]) == ("urn:li:seat:5000001", 100, T0)
    assert sent["inmails_left"] == 149
    assert (event["seat_id"], event["member_id"], event["from_member"]) == (RITA, 100, 0)
    assert (event["subject"], event["body"]) == ("A role", "Hi!")


def test_seats_and_members_may_be_given_as_urns(tenant):
    [member] = rows(tenant, "SELECT person_id FROM members WHERE id = 101")
    sent = send(tenant, seat="urn:li:seat:5000002", member=f"urn:li:person:{member['person_id']}")
    assert (sent["seat"], sent["member_id"]) == ("urn:li:seat:5000002", 101)


def test_a_seat_that_has_used_its_monthly_inmails_is_refused(tenant):
    settings(tenant, inmail_quota_per_seat=2)
    assert send(tenant, member=100)["inmails_left"] == 1
    assert send(tenant, member=101)["inmails_left"] == 0
    refused = send(tenant, member=102, status=429)
    assert "InMails of seat urn:li:seat:5000001" in refused["message"]
    assert "inmail_quota_per_seat=2" in refused["message"]
    assert len(rows(tenant, "SELECT id FROM conversation_events")) == 2
    assert send(tenant, seat=SOURAV)["inmails_left"] == 1  # quotas are per seat
    tenant.clock.advance(31 * 24 * 3600)  # a new calendar month
    assert send(tenant, member=102)["inmails_left"] == 1


def test_a_quota_of_zero_refuses_the_first_inmail(tenant):
    settings(tenant, inmail_quota_per_seat=0)
    refused = send(tenant, status=429)
    assert "inmail_quota_per_seat=0" in refused["message"]
    assert rows(tenant, "SELECT id FROM conversation_events") == []


def test_inmails_to_unknown_or_closed_members_and_from_unknown_seats_are_404(tenant):
    assert "urn:li:seat:42" in send(tenant, seat=42, status=404)["message"]
    assert send(tenant, member=999_999, status=404)["status"] == 404
    post(tenant, "close-profile", 200, member_id=100)
    assert "closed" in send(tenant, member=100, status=404)["message"]


def test_an_inactive_seat_cannot_send(tenant):
    with sandbox_of(tenant).db.transaction() as conn:
        conn.execute("UPDATE seats SET state = 'INACTIVE' WHERE id = ?", (RITA,))
    assert "INACTIVE" in send(tenant, status=403)["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"member_id": 100, "subject": "s", "body": "b"}, "seat_id"),
        ({"seat_id": "seat-1", "member_id": 100, "subject": "s", "body": "b"}, "seat_id"),
        ({"seat_id": RITA, "member_id": "ada", "subject": "s", "body": "b"}, "member_id"),
        ({"seat_id": RITA, "member_id": True, "subject": "s", "body": "b"}, "member_id"),
        ({"seat_id": RITA, "member_id": 100, "subject": "  ", "body": "b"}, "subject"),
        ({"seat_id": RITA, "member_id": 100, "subject": "s" * 201, "body": "b"}, "subject"),
        ({"seat_id": RITA, "member_id": 100, "subject": "s", "body": 7}, "body"),
        ({"seat_id": RITA, "member_id": 100, "subject": "s", "body": "b", "cc": 1}, "cc"),
    ],
)
def test_bad_inmail_input_is_a_400_naming_the_field(tenant, body, field):
    reply = tenant.client.post("/_sandbox/actions/inmail", json=body)
    assert reply.status_code == 400
    assert reply.json()["message"].startswith(field)
    assert reply.json()["code"] == "BAD_REQUEST"


def test_a_body_that_is_not_a_json_object_is_a_400(tenant):
    garbled = tenant.client.post(
        "/_sandbox/actions/note", content=b"{", headers={"content-type": "application/json"}
    )
    assert garbled.status_code == 400 and "JSON" in garbled.json()["message"]
    listed = tenant.client.post("/_sandbox/actions/note", json=[1])
    assert listed.status_code == 400 and listed.json()["message"].startswith("body")


# replies and answers -----------------------------------------------------------------------


def test_a_member_replies_in_their_own_thread(tenant):
    sent = send(tenant)
    tenant.clock.advance(5)
    replied = post(
        tenant, "reply", member_id=100, conversation_id=sent["thread"], body="Sounds good"
    )
    assert replied["conversation_id"] == sent["conversation_id"]
    assert replied["created"] == T0 + 5000
    events = rows(tenant, "SELECT * FROM conversation_events ORDER BY id")
    assert [(e["from_member"], e["body"], e["thread_id"]) for e in events] == [
        (0, "Hi!", sent["conversation_id"]),
        (1, "Sounds good", sent["conversation_id"]),
    ]
    assert events[1]["id"] == replied["event_id"]
    assert stubs(tenant) == []


def test_another_member_cannot_write_in_a_thread(tenant):
    sent = send(tenant, member=100)
    refused = post(
        tenant, "reply", 403, member_id=101, conversation_id=sent["conversation_id"], body="Me?"
    )
    assert "not part of" in refused["message"]
    post(tenant, "reply", 404, member_id=100, conversation_id=999, body="Hello?")


def test_yes_share_writes_the_reply_and_a_stub_with_the_shared_details(tenant):
    sent = send(tenant)
    answered = post(
        tenant,
        "inmail-response",
        member_id=100,
        conversation_id=sent["conversation_id"],
        answer="yes_share",
        email="seth@example.com",
        phone="+1 555 0100",
    )
    [stub] = stubs(tenant)
    assert answered["stub_id"] == stub["id"]
    assert (stub["seat_id"], stub["member_id"], stub["contract_id"]) == (RITA, 100, 70001001)
    assert (stub["email"], stub["phone"], stub["thread_id"]) == (
        "seth@example.com",
        "+1 555 0100",
        sent["conversation_id"],
    )
    [reply] = rows(tenant, "SELECT * FROM conversation_events WHERE from_member = 1")
    assert reply["id"] == answered["event_id"] and "sharing my contact" in reply["body"]


def test_yes_share_defaults_to_the_members_own_contact_details(tenant):
    sent = send(tenant)
    post(
        tenant,
        "inmail-response",
        member_id=100,
        conversation_id=sent["conversation_id"],
        answer="yes_share",
    )
    [member] = rows(tenant, "SELECT email, phone FROM members WHERE id = 100")
    [stub] = stubs(tenant)
    assert (stub["email"], stub["phone"]) == (member["email"], member["phone"])


def test_yes_share_makes_no_stub_while_the_feature_is_off(tenant):
    settings(tenant, inmail_stub_profiles=False)
    sent = send(tenant)
    answered = post(
        tenant,
        "inmail-response",
        member_id=100,
        conversation_id=sent["conversation_id"],
        answer="yes_share",
    )
    assert answered["stub_id"] is None
    assert stubs(tenant) == []
    assert len(rows(tenant, "SELECT id FROM conversation_events WHERE from_member = 1")) == 1


@pytest.mark.parametrize("answer", ["no_dont_share", "no_thanks"])
def test_declining_writes_only_the_reply(tenant, answer):
    sent = send(tenant)
    answered = post(
        tenant,
        "inmail-response",
        member_id=100,
        conversation_id=sent["conversation_id"],
        answer=answer,
        email="seth@example.com",
    )
    assert answered["stub_id"] is None and answered["answer"] == answer
    assert stubs(tenant) == []
    [reply] = rows(tenant, "SELECT body FROM conversation_events WHERE from_member = 1")
    assert reply["body"] == inmail.ANSWERS[answer]
    assert "seth@example.com" not in reply["body"]


def test_a_thread_is_answered_once(tenant):
    sent, other = send(tenant, member=100), send(tenant, member=101)
    first = {"member_id": 100, "conversation_id": sent["conversation_id"], "answer": "no_thanks"}
    post(tenant, "inmail-response", **first)
    assert "already" in post(tenant, "inmail-response", 409, **first)["message"]
    post(tenant, "reply", member_id=101, conversation_id=other["conversation_id"], body="Hi")
    post(
        tenant,
        "inmail-response",
        409,
        member_id=101,
        conversation_id=other["conversation_id"],
        answer="yes_share",
    )
    assert stubs(tenant) == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"answer": "maybe"}, "answer"),
        ({"answer": "yes_share", "email": "not-an-email"}, "email"),
        ({"answer": "yes_share", "phone": 5550100}, "phone"),
        ({"answer": "yes_share", "conversation_id": "thread-1"}, "conversation_id"),
    ],
)
def test_bad_answers_are_a_400_naming_the_field(tenant, extra, field):
    sent = send(tenant)
    body = {"member_id": 100, "conversation_id": sent["conversation_id"], **extra}
    assert post(tenant, "inmail-response", 400, **body)["message"].startswith(field)
    assert stubs(tenant) == []


# prospect notes ----------------------------------------------------------------------------


def test_a_note_is_written_under_the_seats_contract(tenant):
    note = post(tenant, "note", seat_id="urn:li:seat:5000001", member_id=100, body="Call back")
    assert note == {
        "note_id": note["note_id"],
        "seat": "urn:li:seat:5000001",
        "member_id": 100,
        "contract": EMEA,
        "note": "Call back",
        "active": True,
        "created": T0,
        "lastModified": T0,
    }


def test_editing_a_note_moves_its_last_update(tenant):
    note = post(tenant, "note", seat_id=RITA, member_id=100, body="Call back")
    tenant.clock.advance(30)
    edited = tenant.client.put(f"/_sandbox/actions/note/{note['note_id']}", json={"body": "Done"})
    assert edited.status_code == 200
    assert (edited.json()["note"], edited.json()["lastModified"]) == ("Done", T0 + 30_000)
    tenant.clock.advance(30)
    deleted = tenant.client.put(f"/_sandbox/actions/note/{note['note_id']}", json={"active": False})
    assert deleted.json()["active"] is False and deleted.json()["note"] == "Done"
    assert deleted.json()["created"] == T0 and deleted.json()["lastModified"] == T0 + 60_000


def test_note_edits_are_validated(tenant):
    note = post(tenant, "note", seat_id=RITA, member_id=100, body="x")
    url = f"/_sandbox/actions/note/{note['note_id']}"
    assert tenant.client.put("/_sandbox/actions/note/999", json={"body": "y"}).status_code == 404
    empty = tenant.client.put(url, json={})
    assert empty.status_code == 400 and "body or active" in empty.json()["message"]
    wrong = tenant.client.put(url, json={"active": "no"})
    assert wrong.status_code == 400 and wrong.json()["message"].startswith("active")
    odd = tenant.client.put("/_sandbox/actions/note/abc", json={"body": "y"})
    assert odd.status_code == 400 and odd.json()["message"].startswith("note_id")


def test_notes_need_a_known_seat_and_an_open_member(tenant):
    post(tenant, "note", 404, seat_id=42, member_id=100, body="x")
    post(tenant, "close-profile", 200, member_id=100)
    post(tenant, "note", 404, seat_id=RITA, member_id=100, body="x")
    assert post(tenant, "note", 400, seat_id=RITA, member_id=101)["message"].startswith("body")


# closing an account ------------------------------------------------------------------------


def test_closing_a_profile_is_recorded_once(tenant):
    [member] = rows(tenant, "SELECT person_id FROM members WHERE id = 100")
    closed = post(tenant, "close-profile", 200, member_id=f"urn:li:person:{member['person_id']}")
    assert closed == {
        "member_id": 100,
        "member": f"urn:li:person:{member['person_id']}",
        "closed_at": T0,
    }
    tenant.clock.advance(60)
    assert post(tenant, "close-profile", 200, member_id=100)["closed_at"] == T0
    assert rows(tenant, "SELECT closed_at FROM members WHERE id = 100") == [{"closed_at": T0}]
    post(tenant, "close-profile", 404, member_id=999_999)


def test_a_closed_member_cannot_answer_an_inmail(tenant):
    sent = send(tenant)
    post(tenant, "close-profile", 200, member_id=100)
    post(tenant, "reply", 404, member_id=100, conversation_id=sent["conversation_id"], body="x")


# the functions the Recruiter UI calls ------------------------------------------------------


def test_the_ui_functions_share_the_same_rules(tenant):
    sandbox = sandbox_of(tenant)
    sent = inmail.send_inmail(sandbox, seat_id=RITA, member_id=100, subject="S", body="B")
    answered = inmail.respond(
        sandbox,
        member_id=100,
        conversation_id=sent["conversation_id"],
        answer="yes_share",
        email="a@b.co",
    )
    assert answered["stub_id"] is not None
    note = inmail.add_note(sandbox, seat_id=RITA, member_id=100, body="n")
    assert inmail.edit_note(sandbox, note_id=note["note_id"], active=False)["active"] is False
    with pytest.raises(LinkedInError) as refused:
        inmail.reply(sandbox, member_id=101, conversation_id=sent["conversation_id"], body="x")
    assert refused.value.status == 403
    assert inmail.close_profile(sandbox, member_id=100)["closed_at"] == T0
