"""Helpers that turn environment values into settings, refusing malformed ones early."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Keys that appear in docs and examples; a server that runs on one of them is not secret.
EXAMPLE_SECRET_KEYS = frozenset({"", "changeme", "secret", "insecure", "example"})
# How placeholders begin (.env.example's are long enough to look real): refused all the same.
PLACEHOLDER_PREFIX = "change-me"


def secret_key(value: str | None, data_dir: Path, *, debug: bool) -> str:
    """The SECRET_KEY from the environment, or one generated once and kept in DATA_DIR.

    Generating it means a fresh machine needs no configuration, while a restart keeps
    sessions, signed tokens and keys derived from it valid.
    """
    if value is not None:
        lowered = value.lower()
        example = lowered in EXAMPLE_SECRET_KEYS or lowered.startswith(PLACEHOLDER_PREFIX)
        if not debug and (example or len(value) < 32):
            raise ImproperlyConfigured(
                "SECRET_KEY is an example value or shorter than 32 characters; "
                "set a long random one (or unset it to have one generated in DATA_DIR)"
            )
        return value
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def huey_settings(url: str, *, name: str = "hirebridge") -> dict[str, object]:
    """Huey's Django settings from HUEY_URL: `sqlite:///path` or `redis://host:port/db`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not parts.path or parts.path == "/":
            raise ImproperlyConfigured(f"HUEY_URL {url!r} names no SQLite file")
        # sqlite:///var/q.db is relative, sqlite:////abs/q.db absolute (as in DATABASE_URL).
        return {"huey_class": "huey.SqliteHuey", "name": name, "filename": parts.path[1:]}
    if parts.scheme in {"redis", "rediss", "unix"}:
        return {"huey_class": "huey.RedisHuey", "name": name, "connection": {"url": url}}
    raise ImproperlyConfigured(
        f"HUEY_URL {url!r} has scheme {parts.scheme!r}; use sqlite:///FILE or redis://HOST:PORT/DB"
    )


def cache_settings(huey_url: str, *, redis_db: int) -> dict[str, dict[str, object]]:
    """Django's CACHES: the Redis server of a redis:// HUEY_URL (in database `redis_db`, apart
    from the queue), else a local-memory cache private to each process."""
    parts = urlsplit(huey_url)
    if parts.scheme in {"redis", "rediss"}:
        location = parts._replace(path=f"/{redis_db}").geturl()
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": location,
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
