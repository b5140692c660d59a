"""Recruiter prospect interactions as the ATS reads them: seats, seatsV2, conversationEvents,
mailStubs, prospectNotes and closedCandidateProfiles."""

import pytest

from sandbox import state
from tests.sandbox.conftest import ORG, make_tenant

EMEA, US = "urn:li:contract:70001001", "urn:li:contract:70001002"
RITA, SOURAV, COLE = 5000001, 5000002, 5000004  # seats: two on EMEA, Cole on US
T0 = 1_700_000_000_000


def act(tenant, path, **body):
    reply = tenant.client.post(f"/_sandbox/actions/{path}", json=body)
    assert reply.status_code == 201, reply.text
    return reply.json()


def get(tenant, url, status=200):
    reply = tenant.client.get(url, headers=tenant.auth())
    assert reply.status_code == status, reply.text
    return reply.json()


def db(tenant):
    return tenant.client.app.state.sandbox.db


def person(tenant, member_id):
    with db(tenant).reading() as conn:
        row = conn.execute("SELECT person_id FROM members WHERE id = ?", (member_id,)).fetchone()
    return f"urn:li:person:{row['person_id']}"


def inmail(tenant, seat=RITA, member=100, subject="Robotics role"):
    return act(tenant, "inmail", seat_id=seat, member_id=member, subject=subject, body="Hello!")


def ids(body):
    return [e["id"] for e in body["elements"]]


# seats (legacy) ----------------------------------------------------------------------------


def test_the_postman_seatholders_request_projects_ids_only(tenant):
    body = get(
        tenant,
        "/v2/seats?q=seatsByAttributes&fields=id&active=true&count=100&start=0&contracts=" + EMEA,
    )
    assert body["elements"] == [{"id": 5000001}, {"id": 5000002}, {"id": 5000003}]
    assert body["paging"] == {"start": 0, "count": 100, "links": [], "total": 3}


def test_it_lists_seatholders_with_linkedins_legacy_fields(tenant):
    body = get(tenant, f"/v2/seats?q=seatsByAttributes&contracts={EMEA}&start=0&count=1")
    assert body["elements"] == [
        {
            "id": RITA,
            "firstName": "Rita",
            "lastName": "Recruiter",
            "contractId": EMEA,
            "member": person(tenant, 1),
            "active": True,
            "admin": True,
            "email": "rita.recruiter@acme-robotics.example",
        }
    ]
    assert body["paging"]["total"] == 3


def test_the_active_filter_splits_active_from_other_seats(tenant):
    with db(tenant).transaction() as conn:
        conn.execute("UPDATE seats SET state = 'INACTIVE' WHERE id = ?", (SOURAV,))
    base = f"/v2/seats?q=seatsByAttributes&contracts={EMEA}"
    assert ids(get(tenant, base + "&active=true")) == [5000001, 5000003]
    inactive = get(tenant, base + "&active=false")["elements"]
    assert [(e["id"], e["active"]) for e in inactive] == [(SOURAV, False)]
    assert len(get(tenant, base)["elements"]) == 3
    assert "active" in get(tenant, base + "&active=maybe", 400)["message"]


def test_seats_need_contracts_of_the_callers_own_organization(tenant):
    assert "contracts" in get(tenant, "/v2/seats?q=seatsByAttributes", 400)["message"]
    assert "contracts" in get(tenant, "/v2/seats?q=seatsByAttributes&contracts=7", 400)["message"]
    refused = get(tenant, "/v2/seats?q=seatsByAttributes&contracts=urn:li:contract:1", 403)
    assert refused["message"] == "Not enough permissions to access urn:li:contract:1"


def test_a_contract_without_an_enabled_integration_is_refused(tmp_path):
    tenant = make_tenant(tmp_path, onboarded=False, members=10)
    refused = get(tenant, f"/v2/seats?q=seatsByAttributes&contracts={EMEA}", 403)
    assert "has not enabled an integration for " + EMEA in refused["message"]


def test_a_parent_token_cannot_read_interactions(tenant):
    reply = tenant.client.get(
        f"/v2/seats?q=seatsByAttributes&contracts={EMEA}", headers=tenant.auth("partner_app")
    )
    assert reply.status_code == 403


def test_an_unknown_finder_name_is_refused(tenant):
    refused = get(tenant, f"/v2/seats?q=attributes&contracts={EMEA}", 400)
    assert "q=seatsByAttributes" in refused["message"]
    assert "q=criteria" in get(tenant, "/v2/prospectNotes?contract=" + EMEA, 400)["message"]


# seatsV2 -----------------------------------------------------------------------------------


def test_seats_v2_refuses_a_call_without_start(tenant):
    refused = get(tenant, f"/v2/seatsV2?q=attributes&contracts={EMEA}&count=10", 400)
    assert "'start'" in refused["message"]


def test_seats_v2_reads_several_contracts_and_pages(tenant):
    url = f"/v2/seatsV2?q=attributes&contracts={EMEA}&contracts={US}&states=ACTIVE"
    first = get(tenant, url + "&start=0&count=2")
    assert ids(first) == [5000001, 5000002]
    assert first["paging"] == {"start": 0, "count": 2, "links": [], "total": 5}
    assert ids(get(tenant, url + "&start=4&count=2")) == [5000005]
    cole = get(tenant, url + "&start=3&count=1")["elements"][0]
    assert cole == {
        "id": COLE,
        "firstName": "Cole",
        "lastName": "Coordinator",
        "contract": US,
        "member": person(tenant, 4),
        "email": "cole.coordinator@acme-robotics.example",
        "state": "ACTIVE",
        "seatRoles": ["ADMIN_SEAT", "SOURCER_ADD_PROSPECT"],
        "created": {"time": T0},
    }


def test_seats_v2_filters_by_state(tenant):
    with db(tenant).transaction() as conn:
        conn.execute("UPDATE seats SET state = 'PARKED' WHERE id = ?", (SOURAV,))
    url = f"/v2/seatsV2?q=attributes&contracts={EMEA}&start=0"
    assert ids(get(tenant, url + "&states=ACTIVE")) == [5000001, 5000003]
    assert ids(get(tenant, url + "&states=PARKED&states=INVITED")) == [SOURAV]
    assert ids(get(tenant, url)) == [5000001, 5000002, 5000003]
    assert "states" in get(tenant, url + "&states=RETIRED", 400)["message"]


def test_seats_v2_requires_contracts(tenant):
    assert "contracts" in get(tenant, "/v2/seatsV2?q=attributes&start=0", 400)["message"]


# conversationEvents ------------------------------------------------------------------------


def events_url(seat=RITA, **params):
    query = "".join(f"&{k.replace('_', '.')}={v}" for k, v in params.items())
    return f"/v2/conversationEvents?q=criteria&viewer=urn:li:seat:{seat}{query}"


def test_inmail_history_holds_both_directions_of_a_thread(tenant):
    sent = inmail(tenant)
    tenant.clock.advance(60)
    act(
        tenant, "reply", member_id=100, conversation_id=sent["conversation_id"], body="Tell me more"
    )
    member = person(tenant, 100)
    body = get(tenant, events_url())
    thread = f"urn:li:messagingThread:{sent['conversation_id']}"
    assert body["elements"] == [
        {
            "id": sent["event_id"],
            "thread": thread,
            "author": "urn:li:seat:5000001",
            "direction": "OUTGOING",
            "created": {"time": T0},
            "subject": "Robotics role",
            "body": "Hello!",
            "participants": ["urn:li:seat:5000001", member],
        },
        {
            "id": sent["event_id"] + 1,
            "thread": thread,
            "author": member,
            "direction": "INCOMING",
            "created": {"time": T0 + 60_000},
            "subject": "Re: Robotics role",
            "body": "Tell me more",
            "participants": ["urn:li:seat:5000001", member],
        },
    ]


def test_the_time_range_starts_inclusive_and_ends_exclusive(tenant):
    inmail(tenant, member=100)
    tenant.clock.advance(1)
    inmail(tenant, member=101)
    assert len(ids(get(tenant, events_url(timeRange_start=T0, timeRange_end=T0 + 1000)))) == 1
    assert len(ids(get(tenant, events_url(timeRange_start=T0, timeRange_end=T0 + 1001)))) == 2
    assert len(ids(get(tenant, events_url(timeRange_start=T0 + 1, timeRange_end=T0 + 1001)))) == 1
    assert len(ids(get(tenant, events_url(timeRange_start=T0 + 1001)))) == 0
    assert len(ids(get(tenant, events_url(timeRange_end=T0 + 1000)))) == 1


def test_the_postman_history_request_with_one_epoch_for_both_ends_answers_empty(tenant):
    inmail(tenant)
    url = (
        f"/v2/conversationEvents?q=criteria&viewer=urn:li:seat:{RITA}"
        f"&timeRange.end={T0}&timeRange.start={T0}&start=0&count=50"
    )
    assert get(tenant, url)["elements"] == []


def test_history_is_per_viewer_seat_and_thread(tenant):
    first = inmail(tenant, member=100)
    inmail(tenant, member=101)
    inmail(tenant, seat=SOURAV, member=100)
    assert len(get(tenant, events_url())["elements"]) == 2
    thread = f"urn:li:messagingThread:{first['conversation_id']}"
    assert ids(get(tenant, events_url() + "&threadUrn=" + thread)) == [first["event_id"]]
    assert len(get(tenant, events_url(seat=SOURAV))["elements"]) == 1


def test_history_pages_with_a_total(tenant):
    for member in range(100, 105):
        inmail(tenant, member=member)
    body = get(tenant, events_url() + "&start=2&count=2")
    assert len(body["elements"]) == 2
    assert body["paging"] == {"start": 2, "count": 2, "links": [], "total": 5}


def test_history_projects_requested_fields(tenant):
    sent = inmail(tenant)
    body = get(tenant, events_url() + "&fields=id,created:(time)")
    assert body["elements"] == [{"id": sent["event_id"], "created": {"time": T0}}]


def test_history_validates_its_parameters(tenant):
    base = "/v2/conversationEvents?q=criteria"
    assert "'viewer'" in get(tenant, base, 400)["message"]
    assert "viewer" in get(tenant, base + "&viewer=5000001", 400)["message"]
    assert get(tenant, base + "&viewer=urn:li:seat:42", 404)["status"] == 404
    assert (
        "timeRange.end"
        in get(tenant, events_url(timeRange_start=5, timeRange_end=4), 400)["message"]
    )
    assert "timeRange.start" in get(tenant, events_url(timeRange_start="yesterday"), 400)["message"]
    assert "threadUrn" in get(tenant, events_url() + "&threadUrn=7", 400)["message"]


# mailStubs ---------------------------------------------------------------------------------


def shared(tenant, seat=RITA, member=100, **contact):
    sent = inmail(tenant, seat=seat, member=member)
    return act(
        tenant,
        "inmail-response",
        member_id=member,
        conversation_id=sent["conversation_id"],
        answer="yes_share",
        **contact,
    )


def stubs_url(contract=EMEA, **params):
    query = "".join(f"&{k}={v}" for k, v in params.items())
    return f"/v2/mailStubs?q=contract&contract={contract}{query}"


def test_a_stub_profile_carries_the_shared_contact_details(tenant):
    answered = shared(tenant, email="seth@example.com", phone="+44 20 7946 0000")
    with db(tenant).reading() as conn:
        member = conn.execute("SELECT * FROM members WHERE id = 100").fetchone()
    body = get(tenant, stubs_url(owners=f"urn:li:seat:{RITA}"))
    assert body["elements"] == [
        {
            "id": answered["stub_id"],
            "contract": EMEA,
            "owner": "urn:li:seat:5000001",
            "thread": f"urn:li:messagingThread:{answered['conversation_id']}",
            "created": T0,
            "member": f"urn:li:person:{member['person_id']}",
            "firstName": member["first_name"],
            "lastName": member["last_name"],
            "headline": member["headline"],
            "location": member["location"],
            "currentEmployerNames": [member["company"]],
            "profileUrl": member["profile_url"],
            "emailAddress": "seth@example.com",
            "phoneNumber": "+44 20 7946 0000",
        }
    ]


def test_the_postman_stub_request_succeeds(tenant):
    shared(tenant)
    url = (
        f"/v2/mailStubs?q=contract&start=0&count=50&contract={EMEA}"
        f"&createdDateStart={T0}&createdDateEnd={T0}&owners=urn:li:seat:{RITA}"
    )
    assert get(tenant, url)["elements"] == []


def test_stub_windows_start_inclusive_and_end_exclusive(tenant):
    shared(tenant, member=100)
    tenant.clock.advance(1)
    shared(tenant, member=101)
    assert len(ids(get(tenant, stubs_url(createdDateStart=T0, createdDateEnd=T0 + 1000)))) == 1
    assert len(ids(get(tenant, stubs_url(createdDateStart=T0 + 1000)))) == 1
    assert len(ids(get(tenant, stubs_url(createdDateEnd=T0 + 1001)))) == 2
    assert len(ids(get(tenant, stubs_url()))) == 2


def test_stubs_filter_by_several_owners_and_by_contract(tenant):
    shared(tenant, seat=RITA, member=100)
    shared(tenant, seat=SOURAV, member=101)
    shared(tenant, seat=5000003, member=102)
    shared(tenant, seat=COLE, member=103)
    both = stubs_url() + f"&owners=urn:li:seat:{RITA}&owners=urn:li:seat:{SOURAV}"
    assert [e["owner"] for e in get(tenant, both)["elements"]] == [
        "urn:li:seat:5000001",
        "urn:li:seat:5000002",
    ]
    assert len(get(tenant, stubs_url())["elements"]) == 3
    assert [e["owner"] for e in get(tenant, stubs_url(US))["elements"]] == ["urn:li:seat:5000004"]
    assert "owners" in get(tenant, stubs_url(owners="5000001"), 400)["message"]


def test_stubs_require_a_contract(tenant):
    assert "'contract'" in get(tenant, "/v2/mailStubs?q=contract", 400)["message"]


def test_stub_search_stops_at_twenty_thousand_results(tenant):
    assert get(tenant, stubs_url(start=19_990, count=10))["elements"] == []
    refused = get(tenant, stubs_url(start=19_990, count=11), 400)
    assert "20000" in refused["message"]
    assert get(tenant, stubs_url(start=20_000, count=0), 200)["elements"] == []


# prospectNotes -----------------------------------------------------------------------------


def notes_url(contract=EMEA, **params):
    query = "".join(f"&{k}={v}" for k, v in params.items())
    return f"/v2/prospectNotes?q=criteria&contract={contract}{query}"


def test_prospect_notes_carry_owner_member_and_times(tenant):
    note = act(tenant, "note", seat_id=RITA, member_id=100, body="Strong ROS background")
    assert get(tenant, notes_url(owners=f"urn:li:seat:{RITA}"))["elements"] == [
        {
            "id": note["note_id"],
            "contract": EMEA,
            "owner": "urn:li:seat:5000001",
            "member": person(tenant, 100),
            "note": "Strong ROS background",
            "active": True,
            "created": T0,
            "lastModified": T0,
        }
    ]


def test_note_windows_run_on_last_update_cutoff_exclusive_before_inclusive(tenant):
    first = act(tenant, "note", seat_id=RITA, member_id=100, body="one")
    tenant.clock.advance(10)
    act(tenant, "note", seat_id=RITA, member_id=101, body="two")
    later = T0 + 10_000
    assert len(ids(get(tenant, notes_url(cutoffDate=T0 - 1, beforeDate=T0)))) == 1
    assert ids(get(tenant, notes_url(cutoffDate=T0, beforeDate=later))) == [first["note_id"] + 1]
    assert len(ids(get(tenant, notes_url(beforeDate=later)))) == 2
    assert len(ids(get(tenant, notes_url(cutoffDate=later)))) == 0
    tenant.clock.advance(10)
    edited = tenant.client.put(f"/_sandbox/actions/note/{first['note_id']}", json={"body": "1"})
    assert edited.status_code == 200
    moved = get(tenant, notes_url(cutoffDate=later))["elements"]
    assert [(e["id"], e["note"], e["created"]) for e in moved] == [(first["note_id"], "1", T0)]


def test_deactivated_notes_are_listed_so_the_ats_can_delete_them(tenant):
    note = act(tenant, "note", seat_id=RITA, member_id=100, body="Old news")
    tenant.clock.advance(5)
    tenant.client.put(f"/_sandbox/actions/note/{note['note_id']}", json={"active": False})
    [element] = get(tenant, notes_url(cutoffDate=T0))["elements"]
    assert element["active"] is False and element["lastModified"] == T0 + 5000


def test_the_postman_notes_request_succeeds(tenant):
    act(tenant, "note", seat_id=RITA, member_id=100, body="Hi")
    url = (
        f"/v2/prospectNotes?q=criteria&start=0&contract={EMEA}&cutoffDate={T0}"
        f"&beforeDate={T0}&count=100&owners=urn:li:seat:{RITA}"
    )
    assert get(tenant, url)["elements"] == []


def test_notes_filter_by_owner_and_contract(tenant):
    act(tenant, "note", seat_id=RITA, member_id=100, body="a")
    act(tenant, "note", seat_id=SOURAV, member_id=100, body="b")
    act(tenant, "note", seat_id=COLE, member_id=100, body="c")
    assert [e["note"] for e in get(tenant, notes_url())["elements"]] == ["a", "b"]
    assert [
        e["note"] for e in get(tenant, notes_url(owners=f"urn:li:seat:{SOURAV}"))["elements"]
    ] == ["b"]
    assert [e["note"] for e in get(tenant, notes_url(US))["elements"]] == ["c"]
    assert "beforeDate" in get(tenant, notes_url(cutoffDate=9, beforeDate=8), 400)["message"]


# closedCandidateProfiles -------------------------------------------------------------------


def exported(tenant, member_id, seat=RITA, at=T0):
    with db(tenant).transaction() as conn:
        conn.execute(
            "INSERT INTO exports(request_id, client_id, seat_id, member_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                f"req-{member_id}-{seat}-{at}",
                tenant.info["customer_app"]["client_id"],
                seat,
                member_id,
                at,
            ),
        )


CLOSED_URL = "/v2/closedCandidateProfiles?q=integrationContext&integrationContext=" + ORG


def test_closed_profiles_list_exported_members_who_closed_their_account(tenant):
    exported(tenant, 100)
    exported(tenant, 100, seat=COLE, at=T0 + 5)
    exported(tenant, 101)
    tenant.clock.advance(60)
    closed = tenant.client.post("/_sandbox/actions/close-profile", json={"member_id": 100})
    tenant.client.post("/_sandbox/actions/close-profile", json={"member_id": 102})  # not exported
    assert closed.status_code == 200
    with db(tenant).reading() as conn:
        url = conn.execute("SELECT profile_url FROM members WHERE id = 100").fetchone()[0]
    assert get(tenant, CLOSED_URL)["elements"] == [
        {
            "member": person(tenant, 100),
            "integrationContext": ORG,
            "profileUrl": url,
            "closedAt": T0 + 60_000,
            "lastExportedAt": T0 + 5,
        }
    ]


def test_closed_after_is_an_inclusive_lower_bound(tenant):
    exported(tenant, 100)
    exported(tenant, 101)
    tenant.client.post("/_sandbox/actions/close-profile", json={"member_id": 100})
    tenant.clock.advance(1)
    tenant.client.post("/_sandbox/actions/close-profile", json={"member_id": 101})
    assert len(get(tenant, CLOSED_URL + f"&closedAfter={T0}")["elements"]) == 2
    later = get(tenant, CLOSED_URL + f"&closedAfter={T0 + 1}")["elements"]
    assert [e["member"] for e in later] == [person(tenant, 101)]


def test_closed_profiles_are_only_for_the_callers_organization(tenant):
    other = "/v2/closedCandidateProfiles?q=integrationContext&integrationContext="
    assert get(tenant, other + "urn:li:organization:1", 403)["status"] == 403
    assert "integrationContext" in get(tenant, other + EMEA, 400)["message"]
    assert "'integrationContext'" in get(tenant, other.split("&")[0], 400)["message"]


# the shared throttle -----------------------------------------------------------------------


def test_the_four_interaction_families_share_one_daily_budget(tenant):
    with db(tenant).transaction() as conn:
        state.update(conn, {"interaction_calls_per_day": 4})
    headers = tenant.auth()
    calls = [
        f"/v2/seats?q=seatsByAttributes&contracts={EMEA}",
        f"/v2/seatsV2?q=attributes&contracts={EMEA}&start=0",
        events_url(),
        stubs_url(),
    ]
    for url in calls:
        assert tenant.client.get(url, headers=headers).status_code == 200
    refused = tenant.client.get(notes_url(), headers=headers)
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers
    assert refused.json()["message"] == (
        "Resource level throttle limit for interactions has been reached"
    )
    tenant.clock.advance(24 * 3600)  # midnight UTC has passed: a new day, a new budget
    assert tenant.client.get(notes_url(), headers=tenant.auth()).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/v2/seats?q=seatsByAttributes",
        "/v2/seatsV2?q=attributes",
        "/v2/conversationEvents?q=criteria",
        "/v2/mailStubs?q=contract",
        "/v2/prospectNotes?q=criteria",
        "/v2/closedCandidateProfiles?q=integrationContext",
    ],
)
def test_refused_calls_count_against_the_budget_too(tenant, url):
    with db(tenant).transaction() as conn:
        state.update(conn, {"interaction_calls_per_day": 1})
    headers = tenant.auth()
    assert tenant.client.get(url, headers=headers).status_code == 400
    assert tenant.client.get(url, headers=headers).status_code == 429
