"""The settings a server runs with (.env.example with a real key, as tests/test_deploy.py builds
them): cookies a script or a plain-HTTP hop cannot read, and the headers on every answer.

Read in a fresh process, since settings are computed once from the environment; that process
answers one request with Django's test client and reports what it sent back.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hirebridge.web.csp import POLICY
from tests.test_deploy import production_environment

REPORT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/login/", secure=True, HTTP_HOST=settings.ALLOWED_HOSTS[0])
csrf = response.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "status": response.status_code,
    "session": {
        "name": settings.SESSION_COOKIE_NAME,
        "secure": settings.SESSION_COOKIE_SECURE,
        "httponly": settings.SESSION_COOKIE_HTTPONLY,
        "samesite": settings.SESSION_COOKIE_SAMESITE,
    },
    "csrf": {"secure": bool(csrf["secure"]), "samesite": csrf["samesite"]},
    "headers": dict(response.headers),
    "debug": settings.DEBUG,
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("production")
    environment = {
        **production_environment(),
        "DJANGO_SETTINGS_MODULE": "hirebridge.settings",
        "DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{Path(data) / 'db.sqlite3'}",
        "HUEY_URL": f"sqlite:///{Path(data) / 'queue.sqlite3'}",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", REPORT],
        env=environment,
        cwd=data,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_session_cookie_is_host_only_secure_and_hidden_from_scripts(production):
    assert production["session"] == {
        "name": "__Host-sessionid",
        "secure": True,
        "httponly": True,
        "samesite": "Lax",
    }


def test_the_csrf_cookie_is_secure(production):
    assert production["status"] == 200
    assert production["csrf"] == {"secure": True, "samesite": "Lax"}


def test_every_answer_carries_the_security_headers(production):
    headers = production["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == POLICY
    assert "no-store" in headers["Cache-Control"] or "private" in headers["Cache-Control"]
    assert production["debug"] is False


def test_the_policy_forbids_plugins_base_and_framing():
    directives = dict(part.strip().split(" ", 1) for part in POLICY.split(";"))
    assert directives == {
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
    }


def test_the_development_pages_carry_the_policy_too(client, db):
    response = client.get("/login/")
    assert response["Content-Security-Policy"] == POLICY
