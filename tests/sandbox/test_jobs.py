import pytest

from sandbox import jobs, records, state
from tests.sandbox.conftest import ORG, make_tenant

BATCH_CREATE = {"X-RestLi-Method": "batch_create"}
RITA = "urn:li:person:rita"
SOURAV = "urn:li:person:sourav"


def job(job_id="JOB-1", **changes) -> dict:
    body = {
        "integrationContext": ORG,
        "externalJobPostingId": job_id,
        "title": "Senior Software Engineer",
        "description": "Build robots.",
        "location": "San Francisco, CA",
        "availability": "PUBLIC",
        "state": "LISTED",
        "companyApplyUrl": "https://ats.example.com/jobs/1",
        "listedAt": 1_700_000_000_000,
        **changes,
    }
    return {name: value for name, value in body.items() if value is not None}


def post_jobs(tenant, *elements, headers=None):
    return tenant.client.post(
        "/v2/simpleJobPostings",
        json={"elements": list(elements)},
        headers={**tenant.auth(), **BATCH_CREATE, **(headers or {})},
    )


def get_tasks(tenant, *task_ids):
    query = "&".join(f"ids={task_id}" for task_id in task_ids)
    return tenant.client.get(f"/v2/simpleJobPostingTasks?{query}", headers=tenant.auth())


def sandbox_of(tenant):
    return tenant.client.app.state.sandbox


def change_settings(tenant, **patch):
    with sandbox_of(tenant).db.transaction() as conn:
        state.update(conn, patch)


def stored_job(tenant, job_id):
    with sandbox_of(tenant).db.reading() as conn:
        return records.get(conn, tenant.info["customer_app"]["client_id"], jobs.RESOURCE, job_id)


def visible(tenant, person=RITA) -> list[str]:
    with sandbox_of(tenant).db.reading() as conn:
        found = jobs.visible_jobs(conn, tenant.info["customer_app"]["client_id"], person)
    return sorted(j["externalJobPostingId"] for j in found)


def set_job_posting_viewers(tenant, value: str = "ALL_PRODUCT_USERS") -> None:
    """Through LinkedIn's configurations API, so the stored form is the one it writes."""
    integration = (
        f"integrationContext={ORG}&integrationType=ONE_CLICK_EXPORT"
        "&tenantType=RECRUITER&dataProvider=ATS"
    )
    reply = tenant.client.put(
        f"/v2/atsIntegrations/{integration}/configurations?ids=JOB_POSTING_VIEWERS",
        json={"entities": {"JOB_POSTING_VIEWERS": {"configurationValue": {"string": value}}}},
        headers={**tenant.auth(), "X-RestLi-Method": "batch_update"},
    )
    assert reply.status_code == 200 and not reply.json()["errors"], reply.text


def test_it_accepts_jobs_and_answers_a_task_per_element_in_order(tenant):
    reply = post_jobs(tenant, job("JOB-1"), job("JOB-2", availability="PRIVATE_TO_ATS_INTEGRATION"))
    assert reply.status_code == 200
    elements = reply.json()["elements"]
    assert [e["status"] for e in elements] == [201, 201]
    assert all(e["id"].startswith("urn:li:simpleJobPostingTask:") for e in elements)
    assert elements[0]["id"] != elements[1]["id"]
    assert stored_job(tenant, "JOB-2")["availability"] == "PRIVATE_TO_ATS_INTEGRATION"


def test_private_is_taken_as_an_availability(tenant):
    assert post_jobs(tenant, job(availability="PRIVATE")).json()["elements"][0]["status"] == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"integrationContext": None}, "integrationContext"),
        ({"integrationContext": "urn:li:contract:70001001"}, "integrationContext"),
        ({"externalJobPostingId": None}, "externalJobPostingId"),
        ({"externalJobPostingId": ""}, "externalJobPostingId"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": None}, "description"),
        ({"description": ""}, "description"),
        ({"location": "San Francisco"}, "location"),
        ({"location": "San Francisco, "}, "location"),
        ({"location": None}, "location"),
        ({"location": None, "countryCode": "US"}, "location"),
        ({"location": None, "countryCode": "USA", "postalCode": "94105"}, "countryCode"),
        ({"location": None, "countryCode": "US", "postalCode": " "}, "postalCode"),
        ({"state": None}, "state"),
        ({"state": "OPEN"}, "state"),
        ({"companyApplyUrl": None}, "companyApplyUrl"),
        ({"listedAt": None}, "listedAt"),
        ({"listedAt": 0}, "listedAt"),
        ({"listedAt": "2024-01-01"}, "listedAt"),
        ({"availability": None}, "availability"),
        ({"availability": "INTERNAL"}, "availability"),
    ],
)
def test_each_required_field_rule_fails_only_its_element(tenant, changes, field):
    reply = post_jobs(tenant, job("GOOD"), job("BAD", **changes))
    good_answer, bad_answer = reply.json()["elements"]
    assert good_answer["status"] == 201
    assert bad_answer["status"] == 400
    assert bad_answer["error"]["status"] == 400 and field in bad_answer["error"]["message"]
    assert stored_job(tenant, "GOOD") is not None
    assert stored_job(tenant, "BAD") is None


def test_a_title_of_200_characters_is_fine(tenant):
    assert post_jobs(tenant, job(title="x" * 200)).json()["elements"][0]["status"] == 201


def test_country_code_and_postal_code_stand_in_for_a_location(tenant):
    element = job(location=None, countryCode="DE", postalCode="10115")
    assert post_jobs(tenant, element).json()["elements"][0]["status"] == 201
    assert stored_job(tenant, "JOB-1")["postalCode"] == "10115"


def test_a_repeated_external_job_posting_id_refuses_the_whole_request(tenant):
    reply = post_jobs(tenant, job("JOB-1"), job("JOB-2"), job("JOB-1"))
    assert reply.status_code == 400
    assert "JOB-1" in reply.json()["message"]
    assert stored_job(tenant, "JOB-2") is None


def test_batches_are_capped_at_batch_max_and_may_not_be_empty(tenant):
    change_settings(tenant, batch_max=2)
    assert post_jobs(tenant, job("A"), job("B"), job("C")).status_code == 400
    assert post_jobs(tenant).status_code == 400
    assert post_jobs(tenant, job("A"), job("B")).status_code == 200


def test_a_body_without_elements_is_refused(tenant):
    reply = tenant.client.post(
        "/v2/simpleJobPostings", json={"jobs": []}, headers={**tenant.auth(), **BATCH_CREATE}
    )
    assert reply.status_code == 400 and "elements" in reply.json()["message"]


def test_only_batch_create_is_supported(tenant):
    reply = post_jobs(tenant, job(), headers={"X-RestLi-Method": "create"})
    assert reply.status_code == 405


def test_a_context_the_customer_has_not_enabled_refuses_that_element(tmp_path):
    tenant = make_tenant(tmp_path, onboarded=False, members=5)
    element = post_jobs(tenant, job()).json()["elements"][0]
    assert element["status"] == 403 and element["error"]["code"] == "ACCESS_DENIED"


def test_job_writes_are_throttled_per_day(tenant):
    change_settings(tenant, write_calls_per_day=1)
    assert post_jobs(tenant, job()).status_code == 200
    refused = post_jobs(tenant, job())
    assert refused.status_code == 429 and "retry-after" not in refused.headers


def test_a_task_stays_in_progress_until_job_task_seconds_have_passed(tenant):
    change_settings(tenant, job_task_seconds=300)
    task_id = post_jobs(tenant, job()).json()["elements"][0]["id"]
    tenant.clock.advance(299)
    first = get_tasks(tenant, task_id).json()
    assert first["results"][task_id] == {
        "id": task_id,
        "externalJobPostingId": "JOB-1",
        "status": "IN_PROGRESS",
    }
    assert first["statuses"] == {task_id: 200}
    tenant.clock.advance(1)
    assert get_tasks(tenant, task_id).json()["results"][task_id]["status"] == "SUCCEEDED"


def test_a_job_processing_rejects_fails_its_task_and_is_not_stored(tenant):
    change_settings(tenant, job_task_seconds=60)
    good, bad = post_jobs(tenant, job("GOOD"), job("BAD", companyApplyUrl="jobs/1")).json()[
        "elements"
    ]
    assert bad["status"] == 201
    assert stored_job(tenant, "BAD") is None
    assert get_tasks(tenant, bad["id"]).json()["results"][bad["id"]]["status"] == "IN_PROGRESS"
    tenant.clock.advance(60)
    results = get_tasks(tenant, good["id"], bad["id"]).json()["results"]
    assert results[good["id"]]["status"] == "SUCCEEDED" and "error" not in results[good["id"]]
    assert results[bad["id"]]["status"] == "FAILED"
    assert "companyApplyUrl" in results[bad["id"]]["error"]["message"]


def test_unknown_and_expired_tasks_answer_404_in_errors(tenant):
    task_id = post_jobs(tenant, job()).json()["elements"][0]["id"]
    reply = get_tasks(tenant, task_id, "urn:li:simpleJobPostingTask:nope").json()
    assert reply["errors"]["urn:li:simpleJobPostingTask:nope"]["status"] == 404
    assert reply["statuses"] == {task_id: 200, "urn:li:simpleJobPostingTask:nope": 404}
    tenant.clock.advance(31 * 24 * 3600)
    assert get_tasks(tenant, task_id).json()["errors"][task_id]["status"] == 404


def test_an_update_replaces_the_stored_job(tenant):
    post_jobs(tenant, job(title="Engineer"))
    post_jobs(tenant, job(title="Staff Engineer", state="CLOSED"))
    assert stored_job(tenant, "JOB-1")["title"] == "Staff Engineer"
    assert stored_job(tenant, "JOB-1")["state"] == "CLOSED"


def test_jobs_without_acl_or_viewers_default_are_hidden(tenant):
    post_jobs(tenant, job())
    assert visible(tenant) == []


def test_all_product_users_see_listed_jobs_without_acl(tenant):
    set_job_posting_viewers(tenant)
    post_jobs(tenant, job("OPEN"), job("SHUT", state="CLOSED"))
    assert visible(tenant, RITA) == ["OPEN"]
    assert visible(tenant, SOURAV) == ["OPEN"]


def test_deleting_the_viewers_default_hides_jobs_without_acl_again(tenant):
    set_job_posting_viewers(tenant)
    post_jobs(tenant, job())
    integration = (
        f"integrationContext={ORG}&integrationType=ONE_CLICK_EXPORT"
        "&tenantType=RECRUITER&dataProvider=ATS"
    )
    tenant.client.delete(
        f"/v2/atsIntegrations/{integration}/configurations?ids=JOB_POSTING_VIEWERS",
        headers=tenant.auth(),
    )
    assert visible(tenant) == []


def acl(tenant, method, group, job_id, person=None):
    """Put or delete an ACL (no person) or an assignee through the API."""
    if person is None:
        key = (
            f"atsEntityAclId={group}&dataProvider=ATS&integrationContext={ORG}"
            f"&atsEntityType=JOB_POSTING&atsEntityId={job_id}"
        )
        path = "/v2/atsEntityAcls"
    else:
        key = (
            f"atsEntityAclId={group}&integrationContext={ORG}&dataProvider=ATS"
            f"&assignee={person}&atsEntityType=JOB_POSTING"
        )
        path = "/v2/atsEntityAclAssignees"
    query = "&".join(f"ids[0].{pair}" for pair in key.split("&"))
    headers = {**tenant.auth(), "X-RestLi-Method": f"batch_{method}"}
    if method == "update":
        reply = tenant.client.put(f"{path}?{query}", json={"entities": {key: {}}}, headers=headers)
    else:
        reply = tenant.client.delete(f"{path}?{query}", headers=headers)
    assert reply.status_code == 200 and not reply.json()["errors"], reply.text
    return reply


def test_a_job_with_an_acl_shows_only_to_assignees_even_with_the_default(tenant):
    set_job_posting_viewers(tenant)
    post_jobs(tenant, job("SECRET"), job("PUBLIC"))
    acl(tenant, "update", "HIRING_TEAM", "SECRET")
    acl(tenant, "update", "HIRING_TEAM", "SECRET", person=RITA)
    assert visible(tenant, RITA) == ["PUBLIC", "SECRET"]
    assert visible(tenant, SOURAV) == ["PUBLIC"]


def test_acl_secured_jobs_show_to_assignees_without_any_default(tenant):
    post_jobs(tenant, job("SECRET"), job("OTHER"))
    acl(tenant, "update", "HIRING_TEAM", "SECRET")
    acl(tenant, "update", "HIRING_TEAM", "SECRET", person=RITA)
    assert visible(tenant, RITA) == ["SECRET"]
    assert visible(tenant, SOURAV) == []


def test_removing_an_assignee_hides_the_job_and_re_adding_restores_it(tenant):
    post_jobs(tenant, job("SECRET"))
    acl(tenant, "update", "HIRING_TEAM", "SECRET")
    acl(tenant, "update", "HIRING_TEAM", "SECRET", person=RITA)
    acl(tenant, "delete", "HIRING_TEAM", "SECRET", person=RITA)
    assert visible(tenant, RITA) == []
    acl(tenant, "update", "HIRING_TEAM", "SECRET", person=RITA)
    assert visible(tenant, RITA) == ["SECRET"]


def test_deleting_the_last_acl_of_a_job_falls_back_to_the_default(tenant):
    set_job_posting_viewers(tenant)
    post_jobs(tenant, job("SECRET"))
    acl(tenant, "update", "HIRING_TEAM", "SECRET")
    assert visible(tenant, SOURAV) == []
    acl(tenant, "delete", "HIRING_TEAM", "SECRET")
    assert visible(tenant, SOURAV) == ["SECRET"]
