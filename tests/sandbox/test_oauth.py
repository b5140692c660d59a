import json
from urllib.parse import parse_qs, urlsplit

from tests.sandbox.conftest import candidate_ids

CALLBACK = "http://127.0.0.1:8000/linkedin/oauth/callback"


def test_client_credentials_give_a_token_that_lives_1800_seconds(tenant):
    creds = tenant.info["customer_app"]
    reply = tenant.client.post(
        "/oauth/v2/accessToken", data={"grant_type": "client_credentials", **creds}
    )
    assert reply.status_code == 200
    assert reply.json()["expires_in"] == 1800
    token = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    url = "/v2/atsCandidates?" + candidate_ids("C1")
    assert tenant.client.get(url, headers=token).status_code == 200
    tenant.clock.advance(1799)
    assert tenant.client.get(url, headers=token).status_code == 200
    tenant.clock.advance(1)
    expired = tenant.client.get(url, headers=token)
    assert expired.status_code == 401
    assert expired.json() == {
        "status": 401,
        "serviceErrorCode": 65600,
        "code": "INVALID_ACCESS_TOKEN",
        "message": "The token used in the request has expired",
    }


def test_wrong_or_missing_credentials_get_oauth_errors(tenant):
    creds = tenant.info["customer_app"]
    wrong = tenant.client.post(
        "/oauth/v2/accessToken",
        data={
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": "nope",
        },
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    missing = tenant.client.post("/oauth/v2/accessToken", data={"grant_type": "client_credentials"})
    assert missing.status_code == 400
    assert "client_id" in missing.json()["error_description"]
    as_json = tenant.client.post(
        "/oauth/v2/accessToken", json={"grant_type": "client_credentials", **creds}
    )
    assert as_json.status_code == 400
    as_text = tenant.client.post(  # as LinkedIn's Postman collection sends its partner request
        "/oauth/v2/accessToken",
        content=f"grant_type=client_credentials&client_id={creds['client_id']}"
        f"&client_secret={creds['client_secret']}",
        headers={"Content-Type": "text/plain"},
    )
    assert as_text.status_code == 200


def test_missing_and_unknown_tokens_get_linkedins_401(tenant):
    url = "/v2/atsCandidates?" + candidate_ids("C1")
    assert tenant.client.get(url).json()["message"] == "Empty oauth2 access token"
    unknown = tenant.client.get(url, headers={"Authorization": "Bearer nope"})
    assert (unknown.status_code, unknown.json()["serviceErrorCode"]) == (401, 65600)


def test_a_partner_token_only_provisions(tenant):
    reply = tenant.client.get(
        "/v2/atsCandidates?" + candidate_ids("C1"), headers=tenant.auth("partner_app")
    )
    assert reply.status_code == 403
    assert "provisionedApplications" in reply.json()["message"]


def allow_callback(tenant):
    db = tenant.client.app.state.sandbox.db
    with db.transaction() as conn:
        conn.execute(
            "UPDATE apps SET oauth2_callback_urls = ? WHERE client_id = ?",
            (json.dumps([CALLBACK]), tenant.info["customer_app"]["client_id"]),
        )
        return conn.execute(
            "SELECT m.email, m.person_id FROM members m JOIN seats s "
            "ON s.member_id = m.id ORDER BY s.id LIMIT 1"
        ).fetchone()


def test_the_authorization_code_flow_gives_a_member_token_for_v2_me(tenant):
    seat_holder = allow_callback(tenant)
    client_id = tenant.info["customer_app"]["client_id"]
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "state": "xyz",
        "scope": "r_liteprofile",
    }
    page = tenant.client.get("/oauth/v2/authorization", params=params)
    assert page.status_code == 200 and "would like to access" in page.text
    consent = tenant.client.post(
        "/oauth/v2/authorization",
        data={**params, "member_email": seat_holder["email"], "decision": "allow"},
        follow_redirects=False,
    )
    assert consent.status_code == 302
    query = parse_qs(urlsplit(consent.headers["location"]).query)
    assert query["state"] == ["xyz"]
    exchange = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": CALLBACK,
        **tenant.info["customer_app"],
    }
    token = tenant.client.post("/oauth/v2/accessToken", data=exchange).json()["access_token"]
    member = {"Authorization": f"Bearer {token}"}
    assert tenant.client.get("/v2/me?fields=id", headers=member).json() == {
        "id": seat_holder["person_id"]
    }
    # A code works once; a member token is not an application token.
    assert tenant.client.post("/oauth/v2/accessToken", data=exchange).status_code == 400
    assert (
        tenant.client.get("/v2/atsCandidates?" + candidate_ids("C1"), headers=member).status_code
        == 403
    )
    assert tenant.client.get("/v2/me", headers=tenant.auth()).status_code == 403


def test_authorization_refuses_unregistered_redirects_and_reports_a_cancel(tenant):
    allow_callback(tenant)
    client_id = tenant.info["customer_app"]["client_id"]
    evil = tenant.client.get(
        "/oauth/v2/authorization",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": "https://evil.example/",
        },
    )
    assert evil.status_code == 400
    cancel = tenant.client.post(
        "/oauth/v2/authorization",
        data={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CALLBACK,
            "decision": "deny",
        },
        follow_redirects=False,
    )
    assert "error=user_cancelled_authorize" in cancel.headers["location"]
