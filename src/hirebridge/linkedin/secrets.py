"""Secrets at rest (the customer app's client secret): Fernet with a key derived from SECRET_KEY.

Keys from SECRET_KEY_FALLBACKS still decrypt, so SECRET_KEY can be rotated without losing them.

LinkedIn's callback needs the client secret on every push, and an HKDF derivation plus a Fernet
decryption cost more than the HMAC they unlock. So derived keys and decrypted secrets are kept in
this process's memory, in bounded caches keyed by the ciphertext and the keys themselves: a
secret entered again (a new ciphertext) or a rotated SECRET_KEY is a miss, never a stale hit.
Plaintexts stay in memory only; nothing here logs them.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_INFO = b"hirebridge linkedin secrets v1"
# One secret per integration; far more than an instance holds, small enough to never matter.
DECRYPTED_CACHE_SIZE = 256


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


@functools.lru_cache(maxsize=4)
def _key_ring(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(secret_key), *(_fernet(k) for k in fallbacks)])


def _current_keys() -> tuple[str, tuple[str, ...]]:
    return settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", []))


@functools.lru_cache(maxsize=DECRYPTED_CACHE_SIZE)
def _decrypt(token: str, secret_key: str, fallbacks: tuple[str, ...]) -> str:
    # A failure raises and so is never cached: the next call tries again.
    return _key_ring(secret_key, fallbacks).decrypt(token.encode()).decode()


def encrypt(plaintext: str) -> str:
    return _key_ring(*_current_keys()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _decrypt(token, *_current_keys())
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored LinkedIn secret cannot be decrypted: SECRET_KEY changed without keeping the "
            "old one in SECRET_KEY_FALLBACKS. Enter the client secret again."
        ) from None
