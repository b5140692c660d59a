"""The deployment artefacts (Dockerfile, compose.yml, .env.example) and the settings they pass.

No Docker engine runs where these tests run, so the image and the stack are never built here:
what is checked is what they hand to hirebridge (its settings under `check --deploy`, the
environment's names) and their structure, read as data.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from hirebridge import config
from hirebridge.management.commands.serve import is_local

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE = ROOT / "compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_ONLY_MARK = "# --- Read by compose.yml only"
# Every way hirebridge reads its environment: env.<type>("NAME" …) and os.environ.get("NAME" …).
ENV_READ = re.compile(
    r"""(?:\benv\.\w+|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def env_example() -> tuple[dict[str, str], dict[str, str]]:
    """.env.example's values: those hirebridge reads, and those only compose.yml reads."""
    ours: dict[str, str] = {}
    compose_only: dict[str, str] = {}
    target = ours
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.startswith(COMPOSE_ONLY_MARK):
            target = compose_only
        elif line.strip() and not line.startswith("#"):
            name, separator, value = line.partition("=")
            assert separator, f".env.example: {line!r} is not NAME=value"
            assert name not in ours and name not in compose_only, f"{name} is set twice"
            target[name] = value
    return ours, compose_only


def names_read_by_hirebridge() -> set[str]:
    return {
        name
        for module in (ROOT / "src" / "hirebridge").rglob("*.py")
        for name in ENV_READ.findall(module.read_text())
    }


def check_deploy(environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """`hirebridge check --deploy --fail-level WARNING` in a fresh process with only this
    environment (plus PATH), its files in tmp_path."""
    environment = {
        **environment,
        "PATH": os.environ["PATH"],
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hirebridge.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "hirebridge", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def production_environment() -> dict[str, str]:
    """.env.example as an operator fills it in: its placeholder key replaced by a real one."""
    ours, _ = env_example()
    return {**ours, "SECRET_KEY": secrets.token_urlsafe(50)}


def test_the_production_environment_passes_check_deploy_without_a_warning(tmp_path):
    result = check_deploy(production_environment(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"DEBUG": "true"}, "security.W018"),  # a developer's DEBUG
        ({"HTTPS": "false"}, "security.W008"),  # the demo: plain HTTP on 127.0.0.1
    ],
)
def test_a_development_environment_fails_check_deploy(tmp_path, change, complaint):
    result = check_deploy({**production_environment(), **change}, tmp_path)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_the_example_secret_key_is_refused_outside_debug(tmp_path):
    ours, _ = env_example()
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        config.secret_key(ours["SECRET_KEY"], tmp_path, debug=False)


def test_every_setting_hirebridge_reads_is_in_the_example_and_nothing_else_is():
    ours, _ = env_example()
    read = names_read_by_hirebridge()
    assert sorted(read - ours.keys()) == [], "read by hirebridge but missing from .env.example"
    assert sorted(ours.keys() - read) == [], "in .env.example but read by nothing"


def test_the_example_is_a_production_setup():
    ours, _ = env_example()
    assert ours["DEBUG"] == "false"
    assert ours["HTTPS"] == "true"
    assert ours["DATABASE_URL"].startswith("postgres://")
    assert ours["HUEY_URL"].startswith("redis://")
    assert ours["LINKEDIN_API_BASE"] == "https://api.linkedin.com"
    assert ours["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] == "false"


# compose.yml is read with PyYAML, which the lock already holds (schemathesis needs it): a real
# YAML parser, so anchors and merge keys resolve as Docker Compose resolves them.
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_uses_only_variables_from_the_example():
    ours, compose_only = env_example()
    used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", COMPOSE.read_text()))
    assert used, "compose.yml interpolates nothing: the pattern no longer matches"
    assert sorted(used - ours.keys() - compose_only.keys()) == []
    assert sorted(compose_only.keys() - used) == [], "compose-only variables compose never uses"


def test_compose_publishes_ports_on_loopback_only():
    published = [
        port for service in compose()["services"].values() for port in service.get("ports", [])
    ]
    assert published
    assert all(str(port).startswith("127.0.0.1:") for port in published), published


def test_compose_starts_the_stack_in_order():
    services = compose()["services"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["postgres"]["volumes"][0].startswith("postgres-data:")
    assert "postgres-data" in compose()["volumes"]
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert services["migrate"]["command"][0] == "migrate"
    assert services["migrate"]["restart"] == "no"
    ready = {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == ready
        assert services[name]["env_file"] == ".env"
    assert services["web"]["command"] == ["serve"]
    assert services["worker"]["command"] == ["worker"]
    assert services["sandbox"]["profiles"] == ["sandbox"]
    assert services["sandbox"]["entrypoint"] == ["rsc-sandbox"]
    unprofiled = {name for name, service in services.items() if "profiles" not in service}
    assert unprofiled == {"postgres", "redis", "migrate", "web", "worker"}


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, one
    list per stage."""
    stages: list[list[tuple[str, str]]] = []
    for line in re.sub(r"\\\n", " ", DOCKERFILE.read_text()).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword.upper(), " ".join(arguments.split())))
    return stages


def arguments(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [args for word, args in stage if word == keyword]


def test_the_image_builds_with_the_lock_and_collects_static_files():
    build, runtime = dockerfile_stages()
    uv = [args for args in arguments(build, "COPY") if "astral-sh/uv" in args]
    assert uv and re.search(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ ", uv[0]), "uv is not pinned"
    runs = arguments(build, "RUN")
    assert any("uv sync --frozen --no-dev" in run for run in runs)
    assert any("collectstatic --noinput" in run for run in runs)
    assert not any("astral-sh/uv" in args for args in arguments(runtime, "COPY")), "uv in image"


def test_the_image_runs_as_a_user_and_checks_readiness():
    *_, runtime = dockerfile_stages()
    users = arguments(runtime, "USER")
    assert users and users[-1] not in {"root", "0"}
    (healthcheck,) = arguments(runtime, "HEALTHCHECK")
    assert "urllib.request" in healthcheck
    assert "http://127.0.0.1:8000/readyz" in healthcheck
    assert arguments(runtime, "EXPOSE") == ["8000"]
    assert arguments(runtime, "ENTRYPOINT") == ['["hirebridge"]']
    assert arguments(runtime, "CMD") == ['["serve"]']


def test_the_build_context_leaves_secrets_and_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".env", ".git", ".venv", "var"} <= set(ignored)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_any_host_over_plain_http(client, settings, db, path):
    """A load balancer or the container's HEALTHCHECK calls an address over HTTP; the site
    itself still refuses that host and redirects to HTTPS."""
    settings.ALLOWED_HOSTS = ["ats.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path, HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    assert client.get("/login/", HTTP_HOST="ats.example.com").status_code == 301


@pytest.mark.parametrize(
    ("bind", "local"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("[::1]:8000", True),
        ("unix:/run/hirebridge.sock", True),
        ("0.0.0.0:8000", False),
        ("[::]:8000", False),
        ("ats.example.com:8000", False),
        (":8000", False),
    ],
)
def test_serve_knows_a_loopback_bind(bind, local):
    assert is_local(bind) is local


@pytest.fixture
def execv(monkeypatch):
    """Records what `serve` would exec instead of replacing the test process with gunicorn."""
    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(argv))
    return calls


def test_serve_refuses_debug_on_a_public_address(settings, execv):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("serve", "--bind", "0.0.0.0:8000")
    assert execv == []
    call_command("serve", "--bind", "127.0.0.1:8000")
    assert "127.0.0.1:8000" in execv[0]


def test_serve_binds_where_the_environment_says(settings, execv, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("WEB_BIND", "0.0.0.0:8000")
    call_command("serve")
    assert execv[0][execv[0].index("--bind") + 1] == "0.0.0.0:8000"
