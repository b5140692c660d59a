"""LinkedIn counts the records an application writes per resource and minute (10,000) and answers
429 past that. A token bucket per resource keeps the sync under it on its own, so 429s stay rare
and no retry budget is spent.

With a burst of one batch, any 60 s hold at most `burst + rate * 60` records; the rate leaves a
second batch of headroom for a batch taken before a minute's end that lands after it.
"""

import threading
import time
from collections.abc import Callable

BURST = 100  # one batch


class TokenBucket:
    def __init__(
        self,
        per_minute: int,
        *,
        burst: int = BURST,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 2 * burst:
            raise ValueError(f"per_minute: must exceed {2 * burst}, got {per_minute}")
        self.rate = (per_minute - 2 * burst) / 60.0  # records per second
        self.burst = burst
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._at = clock()
        self._lock = threading.Lock()

    def take(self, records: int) -> float:
        """Reserve `records` and wait until they are covered; returns the seconds waited.
        Reservations queue fairly across threads: each waits for its own debt."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            self._tokens -= records
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait:
            self._sleep(wait)
        return wait


class Buckets:
    """One bucket per LinkedIn resource family, made on first use."""

    def __init__(self, per_minute: int, **options: object) -> None:
        self.per_minute = per_minute
        self._options = options
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, family: str, records: int) -> float:
        with self._lock:
            bucket = self._buckets.get(family)
            if bucket is None:
                bucket = self._buckets[family] = TokenBucket(self.per_minute, **self._options)  # type: ignore[arg-type]
        return bucket.take(records)
