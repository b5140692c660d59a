"""LinkedIn → ATS, run by the worker: pushes (1-click exports, integration status changes),
InMail stub profiles, and InMail and note history.

What decides an item's fate is shared here:
- `NotReady`: LinkedIn has not got the data yet; the item is tried again later.
- `Rejected`: the item itself is wrong (malformed, or names what the ATS does not have); it is
  kept for inspection and nothing of it is written.
- `Tally`: a poll window's counts, with one savepoint per item so a rejected item is skipped
  and recorded instead of blocking the window.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from hirebridge.hiring.services import PipelineError
from hirebridge.linkedin import enablement
from hirebridge.linkedin.client import LinkedInClient
from hirebridge.linkedin.models import Integration


class NotReady(Exception):
    """LinkedIn announced something it cannot serve yet (a push ahead of its data)."""


class Rejected(Exception):
    """An item the ATS refuses as it stands; the message names the field at fault."""


@dataclass
class Tally:
    """What one window imported, skipped and refused."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @contextmanager
    def item(self, what: str) -> Iterator[None]:
        """Write one item in a savepoint; a refused item is rolled back and recorded."""
        try:
            with transaction.atomic():
                yield
        except (Rejected, PipelineError) as refused:
            self.counts["failed"] += 1
            self.errors.append(f"{what}: {refused}")


_clients: dict[tuple[str, ...], LinkedInClient] = {}
_clients_lock = threading.Lock()


def client(integration: Integration) -> LinkedInClient:
    """The integration's client, kept for the worker's lifetime so its token is reused across
    tasks (LinkedIn asks for one token for all calls); new credentials get a new client."""
    key = (
        integration.client_id,
        integration.client_secret_encrypted,
        settings.LINKEDIN_API_BASE,
        settings.LINKEDIN_OAUTH_BASE,
    )
    with _clients_lock:
        if key not in _clients:
            _clients[key] = enablement.client_for(integration)
        return _clients[key]
