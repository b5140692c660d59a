import time

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def no_failures_counted():
    """Failed sign-ins are counted in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


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
