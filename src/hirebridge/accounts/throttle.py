"""Failed sign-ins slow the source that makes them, never the account (OWASP ASVS 6.1.1, 6.3.1).

Failures are counted in Django's cache, in fixed windows of LOGIN_FAILURE_WINDOW_SECONDS, per
(account, client address) and per client address. Past LOGIN_FAILURES_PER_USER_IP for the first
or LOGIN_FAILURES_PER_IP for the second, that source is told to wait until its window ends. The
same person at another address, or after the window, signs in as usual: guessing is slowed
without handing anyone a way to lock someone else out.

The two-factor code step also has a budget per account from any address (as large as the one
per address), since whoever reaches it knows the password and may guess codes from many
addresses. Only such a person can spend it, and only for the rest of a window.

Behind the TLS proxy (BEHIND_TLS_PROXY) every request comes from the proxy's address, which
would make the address budgets global and the account budget lock the account; there the client
is the address the proxy appended to X-Forwarded-For (the last one: earlier ones are whatever
the client sent).

The account is counted whether it exists or not, so a refusal says nothing about it. With Redis
(HUEY_URL) every web process shares the counts; with the local-memory cache each process counts
on its own.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from hirebridge.audit.context import client_address


@dataclass(frozen=True)
class Source:
    """Who is trying: the step (password or code), the account as typed, and the address."""

    step: str
    account: str
    ip: str
    per_account: bool = False

    @classmethod
    def of(
        cls, request: HttpRequest, step: str, account: str, *, per_account: bool = False
    ) -> "Source":
        return cls(step, normalise(account), client_address(request) or "unknown", per_account)

    def _budgets(self) -> list[tuple[str, int]]:
        # The account is hashed: the cache holds no email address, and keys stay short.
        account = hashlib.sha256(self.account.encode()).hexdigest()[:32]
        prefix = f"hirebridge:sign-in:{self.step}"
        budgets = [
            (f"{prefix}:account-ip:{account}:{self.ip}", settings.LOGIN_FAILURES_PER_USER_IP),
            (f"{prefix}:ip:{self.ip}", settings.LOGIN_FAILURES_PER_IP),
        ]
        if self.per_account:
            budgets.append((f"{prefix}:account:{account}", settings.LOGIN_FAILURES_PER_IP))
        return budgets


def normalise(account: str) -> str:
    """The account as the sign-in form reads it: emails are stored lower-case."""
    return account.strip().lower()


def retry_after(source: Source) -> int:
    """Seconds until `source` may try again; 0 when it may try now."""
    now = time.time()
    wait = 0.0
    for key, limit in source._budgets():
        counted = cache.get_many([key, f"{key}:since"])
        if counted.get(key, 0) >= limit:
            since = float(counted.get(f"{key}:since", now))
            wait = max(wait, since + settings.LOGIN_FAILURE_WINDOW_SECONDS - now)
    return math.ceil(wait) if wait > 0 else 0


def record_failure(source: Source) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key, _ in source._budgets():
        # add() only starts a window; incr() is atomic on Redis and in local memory.
        cache.add(f"{key}:since", time.time(), timeout=window)
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.set(key, 1, timeout=window)


def record_success(source: Source) -> None:
    """A success clears the account's count at that address; the address's own count stays,
    so one good password does not reset a spray across many accounts."""
    key, _ = source._budgets()[0]
    cache.delete_many([key, f"{key}:since"])
