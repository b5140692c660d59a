"""Real processes over real HTTP: a free port, scratch data, and a database of their own."""

import os
import socket
import uuid

import pytest
from django.conf import settings
from psycopg import connect, sql


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def process_env(tmp_path):
    """The environment for a spawned `hirebridge`: SQLite in tmp_path, or a fresh PostgreSQL
    database when the suite itself runs on PostgreSQL (so both paths are proven end to end)."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["DATA_DIR"] = str(tmp_path / "data")
    env["HUEY_NAME"] = f"e2e-{uuid.uuid4().hex[:8]}"
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        yield env
        return
    name = f"hirebridge_e2e_{uuid.uuid4().hex[:12]}"
    admin_url = f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/postgres"
    with connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env["DATABASE_URL"] = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}"
    )
    yield env
    with connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
