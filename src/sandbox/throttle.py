"""LinkedIn's throttles: counters per application, family and window, refused with a bare 429.

LinkedIn usually sends no Retry-After, so neither does the sandbox (the fault rules can add one).
Daily windows reset at midnight UTC; per-minute windows on the minute.
"""

import sqlite3
import time

from sandbox.errors import LinkedInError


def day_window(now_ms: int) -> str:
    return "day:" + time.strftime("%Y-%m-%d", time.gmtime(now_ms / 1000))


def minute_window(now_ms: int) -> str:
    return "minute:" + time.strftime("%Y-%m-%dT%H:%M", time.gmtime(now_ms / 1000))


def month_window(now_ms: int) -> str:
    return "month:" + time.strftime("%Y-%m", time.gmtime(now_ms / 1000))


def consume(
    conn: sqlite3.Connection,
    client_id: str,
    family: str,
    window: str,
    amount: int,
    limit: int,
    what: str,
) -> None:
    """Count `amount` against `limit` in this window, or refuse with 429 and count nothing."""
    row = conn.execute(
        "SELECT used FROM usage WHERE client_id = ? AND family = ? AND window = ?",
        (client_id, family, window),
    ).fetchone()
    used = row["used"] if row else 0
    if used + amount > limit:
        raise LinkedInError(429, f"Resource level throttle limit for {what} has been reached")
    conn.execute(
        "INSERT INTO usage(client_id, family, window, used) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(client_id, family, window) DO UPDATE SET used = used + excluded.used",
        (client_id, family, window, amount),
    )


def charge(sandbox, client_id: str, family: str, *, per_day: str, records: int = 0) -> None:
    """Count one call (and `records` records per minute) for a resource family, in its own
    transaction so a refused or failed call is still counted, as LinkedIn counts it."""
    from sandbox import state

    now = sandbox.clock.now_ms()
    with sandbox.db.transaction() as conn:
        limits = state.current(conn)
        consume(conn, client_id, family, day_window(now), 1, limits[per_day], family)
        if records:
            consume(
                conn,
                client_id,
                family + ":records",
                minute_window(now),
                records,
                limits["records_per_minute"],
                f"{family} records per minute",
            )
