"""Periodic tasks shared by several workers: each rung once per tick across all of them.

Every worker's Huey consumer runs a scheduler of its own, so with several workers each would
ring every periodic task at every tick. Leases already keep two runs from doing the same work;
`once_per_tick` also spares the duplicate runs, the remote calls of tasks without a lease, and
the worker threads a sub-minute poll loop would hold in every process.
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache

TICK_CLAIM_SECONDS = 120


def once_per_tick(name: str, schedule: Callable[[datetime], bool]) -> Callable[[datetime], bool]:
    """The schedule, for the first scheduler to claim the minute in the shared cache (Redis when
    the queue is on Redis, keyed by the queue's name); the other workers' schedulers skip that
    tick. With a cache private to the process (one worker on SQLite) every tick is its own."""
    queue = settings.HUEY["name"]

    def due(moment: datetime) -> bool:
        return schedule(moment) and cache.add(
            f"{queue}:tick:{name}:{moment:%Y-%m-%dT%H:%M}", 1, TICK_CLAIM_SECONDS
        )

    return due
