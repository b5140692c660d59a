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

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo exited early"
        if path.exists():
            return
        time.sleep(0.2)
    raise AssertionError(f"{path} did not appear")


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


def test_the_demo_serves_a_login_page_where_each_seeded_login_works(process_env, tmp_path):
    port, sandbox_port = free_port(), free_port()
    data_dir = Path(process_env["DATA_DIR"])
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(data_dir / "demo.json", demo)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
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
    finally:
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=60)
    assert demo.returncode == 0, output
    for stopped in (port, sandbox_port):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{stopped}/healthz", timeout=2)
