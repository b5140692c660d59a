"""What the widget tests share: register the ATS origin the way the ATS does (a partial update of
provisionedApplications), build widget URLs, sign a seat in to the widgets."""

from urllib.parse import urlencode

ATS = "http://127.0.0.1:8000"
RITA, SOURAV, HANA = 5000001, 5000002, 5000003  # Rita and Cole hold the admin seats


def child_app(tenant) -> dict:
    with tenant.client.app.state.sandbox.db.reading() as conn:
        return dict(conn.execute("SELECT * FROM apps WHERE kind = 'child'").fetchone())


def register_origin(tenant, *origins: str) -> None:
    reply = tenant.client.post(
        f"/v2/provisionedApplications/{child_app(tenant)['app_key']}",
        json={"patch": {"$set": {"validJsSdkDomains": list(origins)}}},
        headers=tenant.auth("partner_app"),
    )
    assert reply.status_code == 204, reply.text


def widget_url(tenant, path: str, origin: str = ATS, **params: str) -> str:
    api_key = tenant.info["customer_app"]["client_id"]
    return f"/rsc/widgets/{path}?" + urlencode({"api_key": api_key, "origin": origin, **params})


def sign_in(tenant, seat_id: int, origin: str = ATS) -> None:
    next_page = widget_url(tenant, "profile", origin, atsCandidateId="x")
    reply = tenant.client.post(
        widget_url(tenant, "sign-in", origin, next=next_page),
        data={"seat_id": str(seat_id)},
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
