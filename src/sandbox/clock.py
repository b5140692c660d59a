"""Time as the sandbox sees it; tests swap in a clock they can move."""

import time


class Clock:
    def now_ms(self) -> int:
        return int(time.time() * 1000)


class FrozenClock(Clock):
    def __init__(self, now_ms: int = 1_700_000_000_000) -> None:
        self.current = now_ms

    def now_ms(self) -> int:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += int(seconds * 1000)
