"""The worker's webhook jobs (Huey), thin: the state is in the Delivery rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from hirebridge.schedules import once_per_tick
from hirebridge.webhooks import deliver as delivery


@db_task()
def deliver(delivery_id: str) -> None:
    """Rung when the change that queued it commits."""
    delivery.deliver(delivery_id)


@db_periodic_task(once_per_tick("sweep_deliveries", crontab(minute="*")))
def sweep_deliveries() -> None:
    """Retries whose backoff ended, and deliveries whose ring or sender was lost."""
    delivery.deliver_due()
