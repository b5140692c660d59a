import time
import uuid

import pytest


@pytest.fixture(autouse=True)
def no_failures_counted(settings):
    """Failed sign-ins are counted in the cache, which outlives a test and, on Redis, is shared
    with the suite's other workers: each test counts under a key prefix of its own."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": prefix} for name, config in settings.CACHES.items()
    }


class Clock:
    """time.time() standing still until shifted: the failure windows, the cache's expiry and
    the authenticator codes all read it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def shift(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    stopped = Clock(time.time())
    monkeypatch.setattr(time, "time", stopped)
    return stopped
