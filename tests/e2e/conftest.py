"""Real processes over real HTTP: a free port, scratch data, and a database of their own."""

import os
import uuid

import pytest

from tests.reliability.harness import free_port, postgres_database, suite_on_postgres

__all__ = ["free_port"]  # the e2e tests' free loopback ports come from the harness


@pytest.fixture
def process_env(tmp_path):
    """The environment for a spawned `hirebridge`: SQLite in tmp_path, or a fresh PostgreSQL
    database when the suite itself runs on PostgreSQL (so both paths are proven end to end)."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["DATA_DIR"] = str(tmp_path / "data")
    env["HUEY_NAME"] = f"e2e-{uuid.uuid4().hex[:8]}"
    if not suite_on_postgres():
        yield env
        return
    with postgres_database("hirebridge_e2e_") as database_url:
        yield env | {"DATABASE_URL": database_url}
