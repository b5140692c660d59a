"""The JS SDK: the loader and extensions are served as JavaScript, the config check answers
only origins the child app registered, and widget pages refuse (visibly, framed by the verified
origin only) when the embed is not verified; the widget sign-in lists the organization's seats."""

import pytest

from tests.sandbox.widget_pages import ATS, RITA, child_app, register_origin, sign_in, widget_url

ELSEWHERE = "https://evil.example"


def config(tenant, origin: str | None = ATS, api_key: str | None = None):
    headers = {"Origin": origin} if origin else {}
    key = tenant.info["customer_app"]["client_id"] if api_key is None else api_key
    return tenant.client.get(f"/xdoor/sdk/config?api_key={key}", headers=headers)


def test_a_fresh_sandbox_has_no_js_sdk_domain_so_the_ats_must_register_its_own(tenant):
    assert child_app(tenant)["valid_js_sdk_domains"] == "[]"
    assert config(tenant).status_code == 403


def test_a_registered_origin_gets_its_api_key_confirmed_with_cors(tenant):
    register_origin(tenant, ATS)
    reply = config(tenant)
    assert reply.status_code == 200
    assert reply.json() == {"apiKey": tenant.info["customer_app"]["client_id"], "origin": ATS}
    assert reply.headers["access-control-allow-origin"] == ATS
    assert "access-control-allow-credentials" not in reply.headers


def test_an_unregistered_origin_is_refused_readably_naming_it(tenant):
    register_origin(tenant, ATS)
    reply = config(tenant, origin=ELSEWHERE)
    assert reply.status_code == 403
    body = reply.json()
    assert body["status"] == 403
    assert ELSEWHERE in body["message"] and "validJsSdkDomains" in body["message"]
    assert reply.headers["access-control-allow-origin"] == ELSEWHERE


def test_origins_are_compared_exactly(tenant):
    register_origin(tenant, ATS)
    assert config(tenant, origin="http://localhost:8000").status_code == 403
    assert config(tenant, origin=ATS + "/").status_code == 403


def test_an_unknown_api_key_is_refused_as_unauthenticated(tenant):
    register_origin(tenant, ATS)
    reply = config(tenant, api_key="nope")
    assert reply.status_code == 401
    assert "'nope'" in reply.json()["message"]


def test_the_parent_app_is_not_a_widget_api_key(tenant):
    reply = config(tenant, api_key=tenant.info["partner_app"]["client_id"])
    assert reply.status_code == 401


def test_a_request_without_origin_or_api_key_is_a_400_naming_it(tenant):
    assert "Origin" in config(tenant, origin=None).json()["message"]
    reply = config(tenant, api_key="")
    assert reply.status_code == 400 and "api_key" in reply.json()["message"]


def test_the_loader_is_javascript(tenant):
    reply = tenant.client.get("/xdoor/scripts/in.js")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/javascript")
    assert "IN.Extensions" in reply.text and "IN-widget-refused" in reply.text


@pytest.mark.parametrize(
    ("name", "tag", "path", "attribute"),
    [
        ("profile-widget", "HcmWidget", "/rsc/widgets/profile", "data-ats-candidate-id"),
        (
            "unified-search-widget",
            "UnifiedSearchWidget",
            "/rsc/widgets/unified-search",
            "data-integration-context",
        ),
        (
            "recommended-matches-widget",
            "RecommendedMatchesWidget",
            "/rsc/widgets/recommended-matches",
            "data-job-id",
        ),
        (
            "onboarding-widget",
            "ATSIntegrationWidget",
            "/rsc/widgets/ats-integration",
            "data-supported-bundled-integration-types",
        ),
    ],
)
def test_each_extension_registers_its_tag_and_widget_path(tenant, name, tag, path, attribute):
    reply = tenant.client.get(f"/rsc/extensions/{name}")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/javascript")
    assert reply.text.startswith(f'IN.Extensions.register("{tag}", ')
    assert f'"path": "{path}"' in reply.text and f'"{attribute}"' in reply.text


def test_an_unknown_extension_is_404(tenant):
    reply = tenant.client.get("/rsc/extensions/nothing-widget")
    assert reply.status_code == 404
    assert "nothing-widget" in reply.json()["message"]


# Refusals of widget pages ------------------------------------------------------------------


def test_a_widget_for_an_unregistered_origin_is_a_refusal_page_no_one_may_frame(tenant):
    reply = tenant.client.get(widget_url(tenant, "profile", atsCandidateId="C1"))
    assert reply.status_code == 403
    assert reply.headers["content-type"].startswith("text/html")
    assert "is not in validJsSdkDomains" in reply.text and ATS in reply.text
    assert reply.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_a_widget_with_an_unknown_api_key_is_refused(tenant):
    reply = tenant.client.get("/rsc/widgets/profile?api_key=nope&origin=" + ATS)
    assert reply.status_code == 401
    assert "not a known customer application" in reply.text


def test_a_widget_without_origin_is_a_400_naming_it(tenant):
    api_key = tenant.info["customer_app"]["client_id"]
    reply = tenant.client.get(f"/rsc/widgets/profile?api_key={api_key}")
    assert reply.status_code == 400
    assert "origin: required" in reply.text


def test_a_refusal_after_the_embed_is_verified_may_be_framed_by_that_origin(tenant):
    register_origin(tenant, ATS)
    sign_in(tenant, RITA)
    reply = tenant.client.get(
        widget_url(tenant, "profile", atsCandidateId="C1", integrationContext="urn:li:x:1")
    )
    assert reply.status_code == 403
    assert "integrationContext" in reply.text
    assert reply.headers["content-security-policy"] == f"frame-ancestors {ATS}"


# Widget sign-in ----------------------------------------------------------------------------


def add_foreign_seat(tenant) -> int:
    """A seat of another organization, which the widgets of this app must never offer."""
    with tenant.client.app.state.sandbox.db.transaction() as conn:
        conn.execute("INSERT INTO organizations(id, name) VALUES (1, 'Globex')")
        conn.execute("INSERT INTO contracts(id, organization_id, name) VALUES (9, 1, 'Globex R')")
        conn.execute(
            "INSERT INTO seats(id, contract_id, member_id, first_name, last_name, email, state, "
            "created_at) VALUES (9000001, 9, 100, 'Gus', 'Globex', 'gus@globex.example', "
            "'ACTIVE', 0)"
        )
        conn.execute("UPDATE seats SET state = 'INACTIVE' WHERE id = 5000005")
    return 9000001


def test_sign_in_lists_only_the_organizations_active_seats(tenant):
    register_origin(tenant, ATS)
    add_foreign_seat(tenant)
    next_page = widget_url(tenant, "profile", atsCandidateId="C1")
    reply = tenant.client.get(widget_url(tenant, "sign-in", next=next_page))
    assert reply.status_code == 200
    assert reply.headers["content-security-policy"] == f"frame-ancestors {ATS}"
    for name in ("Rita", "Sourav", "Hana", "Cole"):
        assert f"Sign in as {name}" in reply.text
    assert "Gus" not in reply.text and "Tess" not in reply.text


def test_sign_in_sets_a_cookie_for_the_widgets_only_and_returns_to_the_widget(tenant):
    register_origin(tenant, ATS)
    next_page = widget_url(tenant, "profile", atsCandidateId="C1")
    reply = tenant.client.post(
        widget_url(tenant, "sign-in", next=next_page),
        data={"seat_id": str(RITA)},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == next_page
    cookie = reply.headers["set-cookie"]
    assert f"li_widget_seat={RITA}" in cookie and "Path=/rsc/widgets" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_seat_of_another_organization_cannot_sign_in(tenant):
    register_origin(tenant, ATS)
    foreign = add_foreign_seat(tenant)
    next_page = widget_url(tenant, "profile", atsCandidateId="C1")
    reply = tenant.client.post(
        widget_url(tenant, "sign-in", next=next_page), data={"seat_id": str(foreign)}
    )
    assert reply.status_code == 400
    assert "seat_id" in reply.text
    assert "li_widget_seat" not in reply.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "next_page", ["https://evil.example/rsc/widgets/x", "//evil.example/x", "/recruiter", ""]
)
def test_sign_in_refuses_to_send_anywhere_but_a_widget(tenant, next_page):
    register_origin(tenant, ATS)
    reply = tenant.client.post(
        widget_url(tenant, "sign-in", next=next_page),
        data={"seat_id": str(RITA)},
        follow_redirects=False,
    )
    assert reply.status_code == 400
    assert "next: must be a path under /rsc/widgets/" in reply.text


def test_sign_out_forgets_the_seat_and_goes_to_sign_in(tenant):
    register_origin(tenant, ATS)
    sign_in(tenant, RITA)
    next_page = widget_url(tenant, "profile", atsCandidateId="C1")
    reply = tenant.client.post(
        widget_url(tenant, "sign-out", next=next_page), follow_redirects=False
    )
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/rsc/widgets/sign-in?")
    assert 'li_widget_seat=""' in reply.headers["set-cookie"]
