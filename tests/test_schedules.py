"""A periodic task is rung once per tick however many workers' schedulers look at the minute."""

import uuid
from datetime import datetime

from huey import crontab

from hirebridge.schedules import once_per_tick


def unique(name: str) -> str:
    """The cache may be a shared Redis that outlives the test: never reuse a claim."""
    return f"{name}-{uuid.uuid4().hex}"


def test_the_first_scheduler_to_see_a_minute_rings_it_and_the_others_skip_it():
    first_worker = once_per_tick(task := unique("sweep"), crontab(minute="*"))
    second_worker = once_per_tick(task, crontab(minute="*"))
    noon = datetime(2026, 1, 1, 12, 0, 5)
    assert first_worker(noon)
    assert not second_worker(noon.replace(second=40))
    assert second_worker(noon.replace(minute=1))


def test_each_task_has_its_own_claim_and_its_own_schedule():
    every_five = once_per_tick(unique("check"), crontab(minute="*/5"))
    every_minute = once_per_tick(unique("poll"), crontab(minute="*"))
    moment = datetime(2026, 1, 1, 12, 3)
    assert not every_five(moment)
    assert every_minute(moment)
    assert every_five(moment.replace(minute=5))
