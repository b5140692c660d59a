"""Suppress, check and lift: the only code that reads or writes the suppression list.

Values are normalised (trimmed; emails lower-cased; profile URLs without scheme, `www.`, case
or trailing slash) and hashed with HMAC-SHA256 under a key derived from SECRET_KEY, so equal
values meet and the table alone reveals nothing. New rows use SECRET_KEY; checks also try each
of SECRET_KEY_FALLBACKS, so a rotated key keeps honouring earlier suppressions for as long as
the old key stays listed there.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from hirebridge import audit
from hirebridge.audit.models import AuditEvent
from hirebridge.hiring.models.candidates import link_identity, normalize_email
from hirebridge.privacy.models import IdentifierKind, SuppressedIdentifier, Suppression

KEY_SALT = "hirebridge.privacy.suppression"

Identifiers = list[tuple[str, str]]


def identifiers(
    *, person_urns: Iterable[str] = (), emails: Iterable[str] = (), profile_urls: Iterable[str] = ()
) -> Identifiers:
    """(kind, normalised value) pairs, each once, empty values left out."""
    found = [(IdentifierKind.PERSON_URN.value, urn.strip()) for urn in person_urns]
    found += [(IdentifierKind.EMAIL.value, normalize_email(email)) for email in emails]
    found += [(IdentifierKind.PROFILE_URL.value, link_identity(url)) for url in profile_urls]
    return list(dict.fromkeys((kind, value) for kind, value in found if value))


def digest(kind: str, value: str, secret: str | bytes | None = None) -> str:
    """The keyed hash of one normalised value; the kind is hashed too, so an email and a URN
    never collide."""
    return salted_hmac(KEY_SALT, f"{kind}:{value}", secret=secret, algorithm="sha256").hexdigest()


def _secrets() -> list[str | bytes]:
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def _matching(found: Identifiers) -> dict[str, tuple[str, str]]:
    """Every digest under the current and the fallback keys, to the value it stands for."""
    return {
        digest(kind, value, secret): (kind, value) for kind, value in found for secret in _secrets()
    }


@transaction.atomic
def suppress(found: Identifiers, audit_event: AuditEvent) -> Suppression | None:
    """Keep the person's identifiers as hashes; None when there is nothing to keep."""
    if not found:
        return None
    suppression = Suppression.objects.create(audit_event=audit_event)
    SuppressedIdentifier.objects.bulk_create(
        [
            SuppressedIdentifier(suppression=suppression, kind=kind, digest=digest(kind, value))
            for kind, value in found
        ]
    )
    return suppression


def is_suppressed(found: Identifiers) -> bool:
    """Does any of these values belong to a suppressed person?"""
    if not found:
        return False
    return SuppressedIdentifier.objects.filter(digest__in=_matching(found)).exists()


def suppressed_urns(person_urns: Iterable[str]) -> set[str]:
    """The person URNs among these that are suppressed, in one query."""
    by_digest = _matching(identifiers(person_urns=person_urns))
    hits = SuppressedIdentifier.objects.filter(digest__in=by_digest).values_list(
        "digest", flat=True
    )
    return {by_digest[hit][1] for hit in hits}


@transaction.atomic
def lift(found: Identifiers, actor: Any) -> int:
    """Remove every suppression one of these values belongs to (an admin typed the person's
    email or URN again, e.g. they asked to be considered after all); how many were lifted.
    Audited with the count only."""
    matching = _matching(found)
    lifted = list(
        Suppression.objects.filter(identifiers__digest__in=matching)
        .values_list("pk", flat=True)
        .distinct()
    )
    Suppression.objects.filter(pk__in=lifted).delete()
    audit.record(
        "candidate.suppression_lifted",
        actor=actor,
        detail={"kinds": sorted({kind for kind, _ in found}), "lifted": len(lifted)},
    )
    return len(lifted)
