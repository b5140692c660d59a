import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from hirebridge import config


def test_a_missing_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = config.secret_key(None, tmp_path, debug=False)
    assert len(first) >= 50
    assert config.secret_key(None, tmp_path, debug=False) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


@pytest.mark.parametrize("value", ["change-me", "secret", "short-but-not-an-example"])
def test_an_example_or_short_secret_key_is_refused_outside_debug(tmp_path, value):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        config.secret_key(value, tmp_path, debug=False)
    assert config.secret_key(value, tmp_path, debug=True) == value


def test_huey_on_sqlite_by_default_relative_or_absolute():
    assert config.huey_settings("sqlite:///var/queue.sqlite3")["filename"] == "var/queue.sqlite3"
    absolute = config.huey_settings("sqlite:////srv/hb/queue.sqlite3")
    assert absolute == {
        "huey_class": "huey.SqliteHuey",
        "name": "hirebridge",
        "filename": "/srv/hb/queue.sqlite3",
    }


def test_huey_on_redis_when_the_url_says_so():
    assert config.huey_settings("redis://127.0.0.1:6379/3", name="q") == {
        "huey_class": "huey.RedisHuey",
        "name": "q",
        "connection": {"url": "redis://127.0.0.1:6379/3"},
    }


@pytest.mark.parametrize("url", ["amqp://localhost", "sqlite://", "queue.db"])
def test_a_malformed_huey_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="HUEY_URL"):
        config.huey_settings(url)


def test_the_configured_queue_really_is_reachable(db):
    """On CI's PostgreSQL run HUEY_URL points at the local Redis, so this proves that path."""
    from huey.contrib.djhuey import HUEY

    assert HUEY.pending_count() >= 0
