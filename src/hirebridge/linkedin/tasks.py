"""The worker's LinkedIn jobs (Huey). Thin: each calls one step of hirebridge.linkedin.inbound
that tests call directly. The queue is only a doorbell; the state is in the database, and the
sweeper re-rings for pushes whose task was lost with a killed worker."""

import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hirebridge.linkedin import claims
from hirebridge.linkedin.inbound import events, streams

CRONTAB_SECONDS = 60
TICK_MARGIN_SECONDS = 5


@db_task()
def process_event(event_id: int) -> None:
    events.process_event(event_id)


@db_periodic_task(crontab(minute="*"))
def sweep_events() -> None:
    for event_id in claims.due_event_ids():
        process_event(event_id)


@db_periodic_task(crontab(minute="*"))
def poll_linkedin() -> None:
    """Huey ticks once a minute; a shorter LINKEDIN_POLL_SECONDS (the demo's 10 s) is honoured
    by polling again within the minute, ending before the next tick starts another run."""
    started = time.monotonic()
    while True:
        streams.poll_due_streams()
        pause = settings.LINKEDIN_POLL_SECONDS
        if time.monotonic() - started + pause > CRONTAB_SECONDS - TICK_MARGIN_SECONDS:
            return
        time.sleep(pause)
