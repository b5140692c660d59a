"""The profile plugin: the member an ATS candidate is matched to, linking the right one and
unlinking (stored as manualMatchedMember, as the API then shows it), and the organization's
Recruiter activity with that member."""

import json
import re

import pytest

from tests.sandbox.conftest import ORG, candidate_body, candidate_ids, candidate_key
from tests.sandbox.widget_pages import ATS, RITA, SOURAV, register_origin, sign_in, widget_url

CALLBACK = re.compile(r'<script type="application/json" class="in-callback">(.*?)</script>', re.S)


def callbacks(html: str) -> list[dict]:
    return [json.loads(item) for item in CALLBACK.findall(html)]


def members(tenant, count: int = 3) -> list[dict]:
    with tenant.client.app.state.sandbox.db.reading() as conn:
        return [
            dict(row)
            for row in conn.execute(
                "SELECT * FROM members WHERE id >= 100 AND email IS NOT NULL ORDER BY id LIMIT ?",
                (count,),
            )
        ]


def urn(member: dict) -> str:
    return f"urn:li:person:{member['person_id']}"


def sync(tenant, candidate_id: str, body: dict) -> None:
    reply = tenant.client.put(
        "/v2/atsCandidates?" + candidate_ids(candidate_id),
        json={"entities": {candidate_key(candidate_id): body}},
        headers={**tenant.auth(), "X-RestLi-Method": "batch_update"},
    )
    assert reply.json()["errors"] == {}, reply.text


def synced(tenant, candidate_id: str) -> dict:
    reply = tenant.client.get(
        "/v2/atsCandidates?" + candidate_ids(candidate_id), headers=tenant.auth()
    )
    return reply.json()["results"][candidate_key(candidate_id)]


@pytest.fixture
def plugin(tenant):
    """Rita signed in to the widgets of a registered ATS; C1 synced with member A's email."""
    register_origin(tenant, ATS)
    sign_in(tenant, RITA)
    a = members(tenant)[0]
    sync(tenant, "C1", candidate_body(a["first_name"], a["last_name"], (a["email"],)))
    return tenant


def page(tenant, candidate_id: str = "C1", **params: str):
    params = {"integrationContext": ORG, **params}
    return tenant.client.get(
        widget_url(tenant, "profile", atsCandidateId=candidate_id, **params),
        follow_redirects=True,
    )


def post(tenant, action: str, data: dict, candidate_id: str = "C1", **params: str):
    return tenant.client.post(
        widget_url(
            tenant,
            f"profile/{action}",
            atsCandidateId=candidate_id,
            integrationContext=ORG,
            **params,
        ),
        data=data,
        follow_redirects=False,
    )


def test_without_a_signed_in_seat_it_asks_to_sign_in_and_comes_back(tenant):
    register_origin(tenant, ATS)
    url = widget_url(tenant, "profile", atsCandidateId="C1", integrationContext=ORG)
    reply = tenant.client.get(url, follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/rsc/widgets/sign-in?")
    shown = tenant.client.get(reply.headers["location"])
    assert "Sign in as Rita" in shown.text


def test_a_candidate_not_synced_yet_says_so_without_a_callback(plugin):
    reply = page(plugin, "C404")
    assert reply.status_code == 200
    assert "has not been synced to LinkedIn yet" in reply.text
    assert callbacks(reply.text) == []
    assert reply.headers["content-security-policy"] == f"frame-ancestors {ATS}"


def test_the_algorithmic_match_is_shown_with_why(plugin):
    a = members(plugin)[0]
    reply = page(plugin)
    assert reply.status_code == 200
    assert f"{a['first_name']} {a['last_name']}" in reply.text
    assert "Suggested match" in reply.text and "email matches" in reply.text
    assert a["headline"] in reply.text and a["profile_url"] in reply.text
    assert '&amp;view=matches">Not the right profile?</a>' in reply.text


def test_the_integration_context_must_be_the_apps_organization(plugin):
    reply = page(plugin, integrationContext="urn:li:organization:1")
    assert reply.status_code == 403
    assert "integrationContext" in reply.text


def test_not_the_right_profile_lists_closest_members_with_scores_and_reasons(plugin):
    a = members(plugin)[0]
    reply = page(plugin, view="matches")
    assert "Closest LinkedIn members" in reply.text
    assert re.search(r'class="score"[^>]*>100<', reply.text)
    assert "email matches" in reply.text
    assert f'name="member_id" value="{a["id"]}"' in reply.text


def test_the_name_search_finds_members_not_in_the_closest_list(plugin):
    b = members(plugin, 3)[2]
    reply = page(plugin, view="matches", q=f"{b['first_name']} {b['last_name']}")
    assert f'name="member_id" value="{b["id"]}"' in reply.text


def test_linking_stores_manual_matched_member_and_calls_onlink(plugin):
    b = members(plugin, 2)[1]
    reply = post(plugin, "link", {"member_id": str(b["id"])})
    assert reply.status_code == 303
    assert synced(plugin, "C1")["manualMatchedMember"] == urn(b)
    shown = plugin.client.get(reply.headers["location"])
    assert "Profile linked." in shown.text and "Linked by a recruiter" in shown.text
    assert callbacks(shown.text) == [
        {
            "callback": "onlink",
            "payload": {"member": urn(b), "atsCandidateId": "C1", "integrationContext": ORG},
        }
    ]
    assert callbacks(page(plugin).text) == []


def test_linking_needs_an_open_member(plugin):
    reply = post(plugin, "link", {"member_id": "99999999"})
    assert reply.status_code == 404
    assert "No member" in reply.text
    assert "manualMatchedMember" not in synced(plugin, "C1")


def test_linking_an_unsynced_candidate_is_refused(plugin):
    reply = post(plugin, "link", {"member_id": "100"}, candidate_id="C404")
    assert reply.status_code == 404
    assert "has not been synced to LinkedIn yet" in reply.text


def test_unlinking_without_confirmation_clears_it_and_calls_onunlink(plugin):
    b = members(plugin, 2)[1]
    post(plugin, "link", {"member_id": str(b["id"])})
    assert "Unlink" in page(plugin, showUnlinkUrl="true").text
    reply = post(plugin, "unlink", {}, showUnlinkUrl="true")
    assert reply.status_code == 303
    assert "manualMatchedMember" not in synced(plugin, "C1")
    shown = plugin.client.get(reply.headers["location"])
    assert "Profile unlinked." in shown.text
    assert callbacks(shown.text) == [
        {
            "callback": "onunlink",
            "payload": {"member": urn(b), "atsCandidateId": "C1", "integrationContext": ORG},
        }
    ]


def test_unlinking_with_confirm_unlink_asks_first(plugin):
    b = members(plugin, 2)[1]
    post(plugin, "link", {"member_id": str(b["id"])})
    params = {"showUnlinkUrl": "true", "confirmUnlink": "true"}
    asked = post(plugin, "unlink", {}, **params)
    assert asked.status_code == 303 and "view=confirm-unlink" in asked.headers["location"]
    assert synced(plugin, "C1")["manualMatchedMember"] == urn(b)
    confirm = plugin.client.get(asked.headers["location"])
    assert f"Unlink {b['first_name']} {b['last_name']}?" in confirm.text
    assert 'name="confirmed" value="yes"' in confirm.text
    done = post(plugin, "unlink", {"confirmed": "yes"}, **params)
    assert done.status_code == 303
    assert "manualMatchedMember" not in synced(plugin, "C1")


def test_unlink_is_not_offered_unless_asked_for(plugin):
    b = members(plugin, 2)[1]
    post(plugin, "link", {"member_id": str(b["id"])})
    assert "/rsc/widgets/profile/unlink" not in page(plugin).text


def test_unlinking_when_nothing_is_linked_is_a_409(plugin):
    reply = post(plugin, "unlink", {})
    assert reply.status_code == 409


def test_bad_flags_are_a_400_naming_the_parameter(plugin):
    reply = page(plugin, confirmUnlink="maybe")
    assert reply.status_code == 400 and "confirmUnlink" in reply.text


# Recruiting activities ---------------------------------------------------------------------


def test_recruiting_activities_show_the_organizations_inmails_and_notes_only(plugin):
    a = members(plugin)[0]
    with plugin.client.app.state.sandbox.db.transaction() as conn:
        conn.execute("INSERT INTO organizations(id, name) VALUES (1, 'Globex')")
        conn.execute("INSERT INTO contracts(id, organization_id, name) VALUES (9, 1, 'Globex R')")
        conn.execute(
            "INSERT INTO seats(id, contract_id, member_id, first_name, last_name, email, state, "
            "created_at) VALUES (9000001, 9, 101, 'Gus', 'Globex', 'gus@globex.example', "
            "'ACTIVE', 0)"
        )
    actions = plugin.client
    for seat, subject in ((RITA, "Rita's role"), (SOURAV, "Sourav's role"), (9000001, "Globex")):
        reply = actions.post(
            "/_sandbox/actions/inmail",
            json={"seat_id": seat, "member_id": a["id"], "subject": subject, "body": "Hello"},
        )
        assert reply.status_code == 201, reply.text
    for seat, note in ((SOURAV, "Strong Python"), (9000001, "Globex secret")):
        reply = actions.post(
            "/_sandbox/actions/note", json={"seat_id": seat, "member_id": a["id"], "body": note}
        )
        assert reply.status_code == 201, reply.text
    removed = actions.post(
        "/_sandbox/actions/note",
        json={"seat_id": RITA, "member_id": a["id"], "body": "Withdrawn remark"},
    ).json()
    actions.put(f"/_sandbox/actions/note/{removed['note_id']}", json={"active": False})

    reply = page(plugin, view="activities")
    assert "Rita&#39;s role" in reply.text and "Sourav&#39;s role" in reply.text
    assert "Strong Python" in reply.text and "Sourav Sourcer" in reply.text
    assert "Globex" not in reply.text and "Withdrawn remark" not in reply.text
