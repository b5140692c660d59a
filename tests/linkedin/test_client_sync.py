"""The client's outbound sync calls (candidates, applications, their notes and stages, ACLs,
deletes) and the closed profiles finder, against the sandbox over real HTTP; a scripted LinkedIn
(httpx.MockTransport) only for answers the sandbox never gives."""

import re
import time

import httpx
import pytest

from hirebridge.linkedin import replies
from hirebridge.linkedin.client import (
    AclKey,
    AssigneeKey,
    IntegrationKey,
    InvalidReply,
    LinkedInClient,
    Permanent,
    application_key,
    candidate_key,
)

MS = 1_700_000_000_000


@pytest.fixture
def client(rsc_sandbox, settings):
    settings.LINKEDIN_API_BASE = rsc_sandbox.url
    settings.LINKEDIN_OAUTH_BASE = rsc_sandbox.url
    app = rsc_sandbox.tenant["customer_app"]
    with LinkedInClient(app["client_id"], app["client_secret"], sleep=lambda _: None) as made:
        yield made


@pytest.fixture
def org(rsc_sandbox) -> str:
    return rsc_sandbox.tenant["organization_id"]


def members(rsc_sandbox, count: int) -> list[dict]:
    """Members of the directory, none of them a seat holder."""
    return rsc_sandbox.admin("GET", "members", params={"start": 50, "count": count})["elements"]


def candidate(number: int) -> dict:
    return {
        "atsCreatedAt": MS,
        "atsLastModifiedAt": MS,
        "firstName": "Ada",
        "lastName": f"Lovelace{number}",
        "emailAddresses": [f"ada{number}@example.com"],
        "externalProfileUrl": f"https://ats.example.test/candidates/{number}",
        "addresses": [],
        "phoneNumbers": [],
    }


def application(candidate_id: str = "C1", job_id: str = "JOB-1") -> dict:
    return {
        "atsCreatedAt": MS,
        "atsLastModifiedAt": MS,
        "atsCandidateId": candidate_id,
        "atsJobPostingId": job_id,
        "atsJobPostingName": "Backend Engineer",
        "candidateEmail": "ada@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "source": "Referral",
    }


def note(text: str) -> dict:
    return {"atsCreatedAt": MS, "note": text, "author": {"firstName": "Rita", "lastName": "R"}}


def stage(name: str) -> dict:
    return {"atsCreatedAt": MS, "stage": name}


def read(client: LinkedInClient, route, keys: dict) -> replies.GetOutcome:
    """Records as the sandbox stores them, through a plain BATCH_GET."""
    return client.batch_get(route, keys, replies.Reply)


def ledger(rsc_sandbox, path: str) -> list[dict]:
    return rsc_sandbox.admin("GET", "ledger", params={"path": path})["elements"]


# Candidates and their notes.


def test_candidates_are_written_read_back_and_deleted_twice(client, org):
    written = client.upsert_candidates(org, {"C1": candidate(1), "C2": candidate(2)})
    assert sorted(written.succeeded) == ["C1", "C2"]
    assert set(client.get_candidates(org, ["C1", "C2"]).found) == {"C1", "C2"}
    assert client.delete_candidates(org, ["C1"]).succeeded == ["C1"]
    after = client.get_candidates(org, ["C1", "C2"])
    assert (set(after.found), after.failed["C1"].status) == ({"C2"}, 404)
    again = client.delete_candidates(org, ["C1"])
    assert (again.succeeded, again.failed) == (["C1"], {})


def test_candidate_notes_are_written_read_back_and_deleted_twice(client, org):
    client.upsert_candidates(org, {"C1": candidate(1)})
    written = client.upsert_candidate_notes(org, "C1", {"N1": note("Strong"), "N2": note("Keen")})
    assert (sorted(written.succeeded), written.failed) == (["N1", "N2"], {})
    route = client.route("atsCandidates").child(candidate_key(org, "C1"), "notes")
    stored = read(client, route, {"N1": "N1", "N2": "N2"}).found
    assert stored["N1"].model_extra["note"] == "Strong"
    assert client.delete_candidate_notes(org, "C1", ["N1"]).succeeded == ["N1"]
    assert set(read(client, route, {"N1": "N1", "N2": "N2"}).found) == {"N2"}
    again = client.delete_candidate_notes(org, "C1", ["N1"])
    assert (again.succeeded, again.failed) == (["N1"], {})


def test_a_note_linkedin_refuses_fails_alone(client, org):
    client.upsert_candidates(org, {"C1": candidate(1)})
    nameless = {"atsCreatedAt": MS, "note": "x", "author": {"firstName": "Rita"}}
    outcome = client.upsert_candidate_notes(org, "C1", {"N1": note("Fine"), "N2": nameless})
    assert outcome.succeeded == ["N1"]
    assert outcome.failed["N2"].status == 400
    assert "lastName" in outcome.failed["N2"].message


def test_notes_of_a_candidate_that_is_not_synced_fail_404_each(client, org):
    outcome = client.upsert_candidate_notes(org, "C-unknown", {"N1": note("a"), "N2": note("b")})
    assert outcome.succeeded == []
    assert {key: error.status for key, error in outcome.failed.items()} == {"N1": 404, "N2": 404}
    assert "not synced" in outcome.failed["N1"].message


def test_notes_of_a_deleted_candidate_are_deleted_with_it(client, org):
    client.upsert_candidates(org, {"C1": candidate(1)})
    client.upsert_candidate_notes(org, "C1", {"N1": note("Strong")})
    client.delete_candidates(org, ["C1"])
    route = client.route("atsCandidates").child(candidate_key(org, "C1"), "notes")
    assert read(client, route, {"N1": "N1"}).failed["N1"].status == 404
    assert client.delete_candidate_notes(org, "C1", ["N1"]).succeeded == ["N1"]


# Applications, their notes and stages.


def test_applications_are_written_read_back_and_deleted_twice(client, org):
    written = client.upsert_applications(org, {"A1": application()})
    assert (written.succeeded, written.failed) == (["A1"], {})
    route = client.route("atsApplications")
    [found] = read(client, route, {"A1": application_key(org, "A1")}).found.values()
    assert found.model_extra["atsJobPostingId"] == "JOB-1"
    assert client.delete_applications(org, ["A1"]).succeeded == ["A1"]
    gone = read(client, route, {"A1": application_key(org, "A1")})
    assert gone.failed["A1"].status == 404
    again = client.delete_applications(org, ["A1"])
    assert (again.succeeded, again.failed) == (["A1"], {})


def test_an_application_without_its_job_fails_alone(client, org):
    jobless = application()
    del jobless["atsJobPostingId"]
    outcome = client.upsert_applications(org, {"A1": application(), "A2": jobless})
    assert outcome.succeeded == ["A1"]
    assert outcome.failed["A2"].status == 400
    assert "atsJobPostingId" in outcome.failed["A2"].message


def test_stages_are_written_read_back_and_deleted_twice(client, org):
    client.upsert_applications(org, {"A1": application()})
    written = client.upsert_application_stages(
        org, "A1", {"S1": stage("Phone Screen"), "S2": stage("Offer Extended")}
    )
    assert (sorted(written.succeeded), written.failed) == (["S1", "S2"], {})
    route = client.route("atsApplications").child(application_key(org, "A1"), "stages")
    stored = read(client, route, {"S1": "S1", "S2": "S2"}).found
    assert stored["S2"].model_extra["stage"] == "Offer Extended"
    assert client.delete_application_stages(org, "A1", ["S1", "S2"]).succeeded == ["S1", "S2"]
    assert read(client, route, {"S1": "S1"}).failed["S1"].status == 404
    again = client.delete_application_stages(org, "A1", ["S1", "S2"])
    assert (again.succeeded, again.failed) == (["S1", "S2"], {})


def test_a_not_available_stage_fails_alone(client, org):
    client.upsert_applications(org, {"A1": application()})
    outcome = client.upsert_application_stages(
        org, "A1", {"S1": stage("Hired"), "S2": stage("Not Available")}
    )
    assert outcome.succeeded == ["S1"]
    assert outcome.failed["S2"].status == 400
    assert "Not Available" in outcome.failed["S2"].message


def test_application_notes_are_written_read_back_and_deleted_twice(client, org):
    client.upsert_applications(org, {"A1": application()})
    written = client.upsert_application_notes(org, "A1", {"N1": note("Great call")})
    assert written.succeeded == ["N1"]
    route = client.route("atsApplications").child(application_key(org, "A1"), "notes")
    assert read(client, route, {"N1": "N1"}).found["N1"].model_extra["note"] == "Great call"
    assert client.delete_application_notes(org, "A1", ["N1"]).succeeded == ["N1"]
    assert read(client, route, {"N1": "N1"}).failed["N1"].status == 404
    assert client.delete_application_notes(org, "A1", ["N1"]).succeeded == ["N1"]


def test_children_of_an_application_that_is_not_synced_fail_404_each(client, org):
    stages = client.upsert_application_stages(org, "A-unknown", {"S1": stage("Hired")})
    notes = client.upsert_application_notes(org, "A-unknown", {"N1": note("x")})
    assert stages.failed["S1"].status == notes.failed["N1"].status == 404


def test_deleting_an_application_deletes_its_stages_and_notes(client, org):
    client.upsert_applications(org, {"A1": application()})
    client.upsert_application_stages(org, "A1", {"S1": stage("Hired")})
    client.upsert_application_notes(org, "A1", {"N1": note("x")})
    client.delete_applications(org, ["A1"])
    for name, child in (("stages", "S1"), ("notes", "N1")):
        route = client.route("atsApplications").child(application_key(org, "A1"), name)
        assert read(client, route, {child: child}).failed[child].status == 404
    assert client.delete_application_stages(org, "A1", ["S1"]).succeeded == ["S1"]


def test_101_records_go_in_two_calls(client, org, rsc_sandbox):
    bodies = {f"A{n}": application() for n in range(101)}
    assert len(client.upsert_applications(org, bodies).succeeded) == 101
    assert len(client.delete_applications(org, bodies).succeeded) == 101
    calls = [(e["method"], len(e["ids"])) for e in ledger(rsc_sandbox, "/v2/atsApplications")]
    assert calls == [("PUT", 100), ("PUT", 1), ("DELETE", 100), ("DELETE", 1)]


def test_101_stages_go_in_two_calls(client, org, rsc_sandbox):
    client.upsert_applications(org, {"A1": application()})
    stages = {f"S{n}": stage("Phone Screen") for n in range(101)}
    assert len(client.upsert_application_stages(org, "A1", stages).succeeded) == 101
    sent = [len(e["ids"]) for e in ledger(rsc_sandbox, "/v2/atsApplications/") if e["ids"]]
    assert sent == [100, 1]


def test_a_batch_linkedin_refuses_whole_stays_a_400(client):
    contract = "urn:li:contract:1"  # not an organization: LinkedIn refuses the keys themselves
    with pytest.raises(Permanent) as refused:
        client.upsert_applications(contract, {"A1": application()})
    assert refused.value.status == 400
    with pytest.raises(Permanent) as refused:
        client.delete_candidates(contract, ["C1"])
    assert refused.value.status == 400
    with pytest.raises(Permanent) as refused:
        client.upsert_application_stages(contract, "A1", {"S1": stage("Hired")})
    assert refused.value.status == 400


# ACLs.


def seat_number(seat: dict) -> str:
    return seat["id"].removeprefix("urn:li:seat:")


def export_dropdown(rsc_sandbox, seat: dict, member_id: int) -> set[str]:
    """The jobs a seat holder may pick in Recruiter's 1-click export panel."""
    page = httpx.get(
        f"{rsc_sandbox.url}/recruiter/members/{member_id}",
        params={"panel": "export"},
        cookies={"recruiter_seat": seat_number(seat)},
        timeout=10,
    )
    assert page.status_code == 200, page.text
    return set(re.findall(r'<option value="([^"]+)"', page.text))


def job(org: str, job_id: str) -> dict:
    return {
        "integrationContext": org,
        "externalJobPostingId": job_id,
        "title": "Backend Engineer",
        "description": "Build things",
        "location": "Berlin, Germany",
        "availability": "PRIVATE_TO_ATS_INTEGRATION",
        "state": "LISTED",
        "companyApplyUrl": f"https://ats.example.test/jobs/{job_id}",
        "listedAt": MS,
    }


def test_an_acl_makes_a_job_visible_only_to_its_groups_assignees(client, org, rsc_sandbox):
    client.set_configurations(
        IntegrationKey(org, "ONE_CLICK_EXPORT"), {"JOB_POSTING_VIEWERS": "ALL_PRODUCT_USERS"}
    )
    assert all(created.id for created in client.create_jobs([job(org, "JOB-1")]))
    assignee, other = rsc_sandbox.tenant["seats"][:2]
    [member] = members(rsc_sandbox, 1)
    assert "JOB-1" in export_dropdown(rsc_sandbox, other, member["id"])

    acl = AclKey(group="GRP1", job_id="JOB-1")
    seat_holder = AssigneeKey(group="GRP1", person_urn=assignee["member"])
    assert client.upsert_acls(org, [acl]).succeeded == [acl]
    assert client.upsert_assignees(org, [seat_holder]).succeeded == [seat_holder]
    assert client.job_acl_groups(org, "JOB-1") == ["GRP1"]
    assert client.acl_groups_of(org, assignee["member"]) == ["GRP1"]
    assert "JOB-1" in export_dropdown(rsc_sandbox, assignee, member["id"])
    assert "JOB-1" not in export_dropdown(rsc_sandbox, other, member["id"])

    assert client.delete_assignees(org, [seat_holder]).succeeded == [seat_holder]
    assert client.acl_groups_of(org, assignee["member"]) == []
    assert "JOB-1" not in export_dropdown(rsc_sandbox, assignee, member["id"])
    assert client.delete_acls(org, [acl]).succeeded == [acl]
    assert client.job_acl_groups(org, "JOB-1") == []
    assert "JOB-1" in export_dropdown(rsc_sandbox, other, member["id"])
    assert client.delete_acls(org, [acl]).succeeded == [acl]
    assert client.delete_assignees(org, [seat_holder]).succeeded == [seat_holder]


def test_an_eleventh_group_for_one_member_fails_alone(client, org, rsc_sandbox):
    person = rsc_sandbox.tenant["seats"][0]["member"]
    keys = [AssigneeKey(group=f"GRP{n}", person_urn=person) for n in range(11)]
    outcome = client.upsert_assignees(org, keys)
    assert outcome.succeeded == keys[:10]
    assert outcome.failed[keys[10]].status == 400
    assert "10 ACL groups" in outcome.failed[keys[10]].message


def test_acl_keys_refuse_what_linkedin_would_refuse_for_the_whole_batch():
    with pytest.raises(ValueError, match="person_urn"):
        AssigneeKey(group="GRP1", person_urn="urn:li:seat:5")
    with pytest.raises(ValueError, match="group"):
        AclKey(group=" ", job_id="JOB-1")
    with pytest.raises(ValueError, match="job_id"):
        AclKey(group="GRP1", job_id="")


# Closed profiles.


def export_and_close(rsc_sandbox, member: dict) -> dict:
    seat = rsc_sandbox.tenant["seats"][0]
    rsc_sandbox.admin(
        "POST", "actions/export", json={"seat_id": seat["id"], "member_id": member["id"]}
    )
    return rsc_sandbox.admin("POST", "actions/close-profile", json={"member_id": member["id"]})


def test_closed_profiles_are_the_exported_members_who_closed_their_account(
    client, rsc_sandbox, org
):
    exported, other, never_exported = members(rsc_sandbox, 3)
    first = export_and_close(rsc_sandbox, exported)
    time.sleep(0.01)
    second = export_and_close(rsc_sandbox, other)
    rsc_sandbox.admin("POST", "actions/close-profile", json={"member_id": never_exported["id"]})
    closed = client.closed_candidate_profiles(org, None)
    assert [(p.member, p.closed_at) for p in closed] == [
        (first["member"], first["closed_at"]),
        (second["member"], second["closed_at"]),
    ]
    assert all(p.profile_url and p.last_exported_at for p in closed)
    later = client.closed_candidate_profiles(org, second["closed_at"])
    assert [p.member for p in later] == [second["member"]]
    assert client.closed_candidate_profiles(org, second["closed_at"] + 1) == []


# What only a scripted LinkedIn answers.


@pytest.fixture
def scripted(settings):
    """A client whose LinkedIn answers every API call with `answers[path]`."""
    settings.LINKEDIN_API_BASE = "https://api.example.test"
    settings.LINKEDIN_OAUTH_BASE = "https://www.example.test"
    answers: dict[str, httpx.Response] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/accessToken":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
        return answers[request.url.path]

    with LinkedInClient("id", "secret", transport=httpx.MockTransport(handle)) as made:
        yield made, answers


def test_a_closed_profile_that_is_not_a_person_is_an_invalid_reply(scripted):
    client, answers = scripted
    element = {"member": "urn:li:seat:5", "closedAt": MS, "integrationContext": "x"}
    answers["/v2/closedCandidateProfiles"] = httpx.Response(200, json={"elements": [element]})
    with pytest.raises(InvalidReply, match="member"):
        client.closed_candidate_profiles("urn:li:organization:1", None)


def test_a_key_linkedin_answers_404_for_is_deleted_already(scripted):
    client, answers = scripted
    org = "urn:li:organization:1"
    spelled = {
        cid: "&".join(f"{k}={v}" for k, v in candidate_key(org, cid).items()) for cid in "ABC"
    }
    answers["/v2/atsCandidates"] = httpx.Response(
        200,
        json={
            "results": {spelled["A"]: {"status": 204}, spelled["B"]: {"status": 404}},
            "errors": {spelled["C"]: {"status": 403, "message": "not yours"}},
        },
    )
    outcome = client.delete_candidates(org, ["A", "B", "C"])
    assert outcome.succeeded == ["A", "B"]
    assert outcome.failed["C"].status == 403


def test_children_of_a_parent_linkedin_no_longer_knows_are_deleted_already(scripted):
    client, answers = scripted
    org = "urn:li:organization:1"
    route = client.route("atsApplications").child(application_key(org, "A1"), "stages")
    answers[route.path] = httpx.Response(404, json={"status": 404, "message": "no such parent"})
    assert client.delete_application_stages(org, "A1", ["S1", "S2"]).succeeded == ["S1", "S2"]
    answers[route.path] = httpx.Response(400, json={"status": 400, "message": "bad ids"})
    with pytest.raises(Permanent) as refused:
        client.delete_application_stages(org, "A1", ["S1"])
    assert refused.value.status == 400
