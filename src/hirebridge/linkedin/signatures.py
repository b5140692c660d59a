"""LinkedIn's webhook signatures: the challenge answer and X-LI-Signature on each push.

LinkedIn's wording allows two readings of X-LI-Signature: hex HMAC-SHA256 over
"hmacsha256=" + body, or a header "hmacsha256=<hex HMAC-SHA256 over the body>". Both are
accepted; anything else is refused, including a header that is not ASCII (HTTP hands headers
over as Latin-1, and no hex digest holds anything else).
"""

import hashlib
import hmac

PREFIX = "hmacsha256="


def _hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def challenge_response(secret: str, challenge_code: str) -> str:
    return _hex(secret, challenge_code.encode())


def is_valid(secret: str, body: bytes, header: str) -> bool:
    header = header.strip()
    if not header.isascii():
        return False
    candidates = [(header, _hex(secret, PREFIX.encode() + body))]
    if header.lower().startswith(PREFIX):
        candidates.append((header[len(PREFIX) :], _hex(secret, body)))
    return any(hmac.compare_digest(given.lower(), expected) for given, expected in candidates)
