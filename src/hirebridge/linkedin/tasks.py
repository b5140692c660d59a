"""The worker's LinkedIn jobs (Huey). Thin: each calls one step of hirebridge.linkedin.inbound
or .outbound that tests call directly. The queue is only a doorbell; the state is in the
database, and the sweepers re-ring for pushes and outbox rows whose task was lost with a killed
worker. Periodic tasks ring once per tick across workers (hirebridge.schedules)."""

import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hirebridge.linkedin import claims, enablement, inbound
from hirebridge.linkedin.inbound import events, reconcile, streams
from hirebridge.linkedin.outbound import backfill, closed_profiles, drain, job_tasks
from hirebridge.schedules import once_per_tick

CRONTAB_SECONDS = 60
TICK_MARGIN_SECONDS = 5


@db_task()
def process_event(event_id: int) -> None:
    events.process_event(event_id)


@db_periodic_task(once_per_tick("sweep_events", crontab(minute="*")))
def sweep_events() -> None:
    for event_id in claims.due_event_ids():
        process_event(event_id)


@db_periodic_task(once_per_tick("poll_linkedin", crontab(minute="*")))
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


@db_task()
def drain_outbox() -> None:
    """Rung when a change commits; a drain already running picks the change up itself."""
    drain.drain()


@db_periodic_task(once_per_tick("sweep_outbox", crontab(minute="*")))
def sweep_outbox() -> None:
    """Rows whose backoff ended, or whose drainer died, go out within a minute; so does a
    backfill whose worker died before it had put everything in the outbox."""
    integration = enablement.current()
    if integration is None or backfill.resume_interrupted(integration) is None:
        drain.drain()


@db_task()
def backfill_linkedin() -> None:
    integration = enablement.current()
    if integration is not None:
        backfill.backfill(integration)


@db_periodic_task(once_per_tick("check_job_tasks", crontab(minute="*/5")))
def check_job_tasks() -> None:
    integration = enablement.current()
    if integration is not None:
        job_tasks.check_job_tasks(inbound.client(integration))


@db_periodic_task(once_per_tick("check_closed_profiles", crontab(minute="17")))
def check_closed_profiles() -> None:
    """Hourly look at the schedule: LinkedIn wants closed profiles read at least every 30 days;
    LINKEDIN_CLOSED_PROFILES_HOURS (daily by default) decides when one is due."""
    integration = enablement.current()
    if integration is not None and closed_profiles.due(integration):
        closed_profiles.check_closed_profiles(integration)


@db_periodic_task(once_per_tick("reconcile_exports", crontab(minute="41")))
def reconcile_exports() -> None:
    """Hourly: finish acknowledged exports left unfinished and give LinkedIn what it lacks of
    the recent ones (inbound.reconcile)."""
    integration = enablement.current()
    if integration is not None:
        reconcile.reconcile(integration)
