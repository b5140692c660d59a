"""Lever's delivery envelope and its signature.

Lever signs a random token and the trigger time, not the body: a receiver recomputes
hex(HMAC-SHA256(key=signatureToken, msg=token + str(triggeredAt))) and compares.
"""

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def envelope(event: str, data: dict[str, Any], triggered_at: datetime) -> dict[str, Any]:
    """The body of a delivery, unsigned: the token is fixed now, so every attempt of one
    delivery carries the same token and a receiver can tell a retry from a new event."""
    return {
        "triggeredAt": epoch_ms(triggered_at),
        "event": event,
        "token": secrets.token_hex(16),
        "data": data,
    }


def signature(signature_token: str, token: str, triggered_at: int) -> str:
    message = f"{token}{triggered_at}".encode()
    return hmac.new(signature_token.encode(), message, hashlib.sha256).hexdigest()


def signed(body: dict[str, Any], signature_token: str) -> dict[str, Any]:
    """The body as sent, with Lever's field order."""
    return {
        "triggeredAt": body["triggeredAt"],
        "event": body["event"],
        "signature": signature(signature_token, body["token"], body["triggeredAt"]),
        "token": body["token"],
        "data": body["data"],
    }
