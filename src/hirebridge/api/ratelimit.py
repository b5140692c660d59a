"""Lever's rate limit: a token bucket per API key, steady API_RATE_PER_SECOND, bursts up to
API_RATE_BURST.

Kept as one number per key in Django's cache (the generic cell rate algorithm: the time at
which the bucket would be full again). With Redis every web process shares it; with the
local-memory cache each process counts on its own, so the limit is per process.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

from hirebridge.api.errors import too_many_requests


def spend(key_id: str) -> None:
    """Count one request for the key, or raise a 429 ApiError naming when to retry."""
    rate = float(settings.API_RATE_PER_SECOND)
    burst = int(settings.API_RATE_BURST)
    interval = 1.0 / rate
    cache_key = f"hirebridge:api:rate:{key_id}"
    now = time.time()
    full_again_at = max(float(cache.get(cache_key, now)), now) + interval
    over_by = full_again_at - now - burst * interval
    if over_by > 1e-9:
        raise too_many_requests(max(1, math.ceil(over_by)))
    cache.set(cache_key, full_again_at, timeout=math.ceil(burst * interval) + 1)
