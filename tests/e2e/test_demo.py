"""`hirebridge demo` as a user runs it: every seeded login works against the real server."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 180) -> None:
    """Until the demo says it is ready (wired to the sandbox, historical sync done)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo exited early"
        try:
            if json.loads(path.read_text()).get("ready"):
                return
        except (OSError, ValueError):
            pass  # not written yet, or being written
        time.sleep(0.2)
    raise AssertionError(f"{path} did not say ready")


def log_in(base: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base, follow_redirects=True, timeout=10) as browser:
        browser.get("/login/")
        return browser.post(
            "/login/",
            data={
                "username": email,
                "password": password,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            headers={"Referer": base + "/login/"},
        )


def eventually(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def up(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


def the_tour_works_through_the_real_worker(info: dict) -> None:
    """README's tour: export in the Recruiter → New lead; InMail → Reached out; reply →
    Responded. Pushes reach the callback, the worker ingests and polls, nothing is called by hand
    but the sandbox's Recruiter actions."""
    sandbox = info["sandbox_url"] + "_sandbox/"
    tenant = eventually(
        lambda: (t := httpx.get(sandbox + "tenant").json())["callback_url"] and t,
        60,
        "the ATS registering its callback URL",
    )
    seat = tenant["seats"][0]  # Rita Recruiter's seat, mapped to the demo's Team Member
    member = httpx.get(sandbox + "members", params={"q": "", "start": 40, "count": 1}).json()
    member = member["elements"][0]
    httpx.post(
        sandbox + "actions/export", json={"seat_id": seat["id"], "member_id": member["id"]}
    ).raise_for_status()
    team_member = next(x for x in info["logins"] if x["role"] == "Team Member")
    with httpx.Client(base_url=info["url"].rstrip("/"), follow_redirects=True, timeout=10) as ats:
        ats.get("/login/")
        ats.post(
            "/login/",
            data={
                "username": team_member["email"],
                "password": team_member["password"],
                "csrfmiddlewaretoken": ats.cookies["csrftoken"],
            },
            headers={"Referer": info["url"] + "login/"},
        )

        def row(stage: str) -> bool:
            page = ats.get("/candidates/", params={"q": member["lastName"]}).text
            name = f"{member['firstName']} {member['lastName']}"
            return name in page and f'class="stage">{stage}<' in page

        eventually(lambda: row("New lead"), 60, "the export arriving as a New lead")
        sent = httpx.post(
            sandbox + "actions/inmail",
            json={
                "seat_id": seat["id"],
                "member_id": member["id"],
                "subject": "Hello",
                "body": "Would you like to talk about a role?",
            },
        )
        sent.raise_for_status()
        eventually(lambda: row("Reached out"), 100, "the InMail moving the lead to Reached out")
        httpx.post(
            sandbox + "actions/reply",
            json={
                "member_id": member["id"],
                "conversation_id": sent.json()["conversation_id"],
                "body": "Yes, happy to.",
            },
        ).raise_for_status()
        eventually(lambda: row("Responded"), 100, "the reply moving the lead to Responded")


def test_the_demo_serves_a_login_page_where_each_seeded_login_works(process_env, tmp_path):
    port, sandbox_port = free_port(), free_port()
    data_dir = Path(process_env["DATA_DIR"])
    log = tmp_path / "demo.log"  # a file, not a pipe: a full pipe would stall the demo
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hirebridge",
            "demo",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            "--sandbox-port",
            str(sandbox_port),
        ],
        env=process_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(data_dir / "demo.json", demo)
        base = f"http://127.0.0.1:{port}"
        eventually(lambda: up(base + "/healthz"), 60, "the web process answering /healthz")
        info = json.loads((data_dir / "demo.json").read_text())
        assert info["url"] == base + "/"
        assert len(info["logins"]) == 5
        sandbox = httpx.get(info["sandbox_url"] + "_sandbox/tenant").json()
        assert sandbox["organization_id"].startswith("urn:li:organization:")

        login_page = httpx.get(base + "/login/")
        assert login_page.status_code == 200
        assert 'name="password"' in login_page.text
        assert httpx.get(base + "/static/web/app.css").status_code == 200
        assert httpx.get(base + "/readyz").json()["status"] == "ok"

        for login in info["logins"]:
            page = log_in(base, login["email"], login["password"])
            assert page.status_code == 200, login["role"]
            assert login["name"] in page.text, login["role"]
            assert "Log out" in page.text
            if login["role"] != "Interviewer":
                assert "Candidates" in page.text
                assert "<table" in page.text
        assert "do not match" in log_in(base, info["logins"][0]["email"], "wrong").text
        the_tour_works_through_the_real_worker(info)
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    assert demo.returncode == 0, log.read_text()[-5000:]
    for stopped in (port, sandbox_port):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{stopped}/healthz", timeout=2)
