"""Deliveries are retried with growing, jittered pauses until a 2xx, and given up after ten
attempts; a claim keeps two workers from sending one delivery twice."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from hirebridge.webhooks import deliver
from hirebridge.webhooks.emit import emit
from hirebridge.webhooks.models import Delivery, DeliveryStatus, Event
from tests.webhooks.conftest import hook


def queued(url: str) -> Delivery:
    hook(Event.CONTACT_CREATED, url)
    [delivery] = emit(Event.CONTACT_CREATED, {"contactId": "c1"})
    return delivery


def make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_500_is_retried_after_a_pause_then_delivered(db, receiver):
    receiver.answers = [500]
    delivery = queued(receiver.url)
    before = timezone.now()
    assert not deliver.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert delivery.last_error.startswith("HTTP 500")
    assert before + timedelta(seconds=30) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=60)

    assert not deliver.deliver(delivery.pk), "not due yet: nothing is sent"
    assert len(receiver.received) == 1

    make_due(delivery)
    assert deliver.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
    )
    assert delivery.delivered_at is not None
    assert delivery.last_error == ""
    assert len(receiver.received) == 2


def test_it_gives_up_after_ten_attempts(db, receiver):
    receiver.answers = [503] * deliver.MAX_ATTEMPTS
    delivery = queued(receiver.url)
    for _ in range(deliver.MAX_ATTEMPTS):
        make_due(delivery)
        assert not deliver.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, deliver.MAX_ATTEMPTS)
    make_due(delivery)
    assert not deliver.deliver(delivery.pk)
    assert len(receiver.received) == deliver.MAX_ATTEMPTS


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 30, 60), (2, 60, 120), (5, 480, 960), (9, 7680, 15360), (20, 43200, 86400)],
)
def test_backoff_doubles_with_jitter_up_to_a_day(attempts, low, high):
    pauses = [deliver.backoff_seconds(attempts) for _ in range(50)]
    assert all(low <= pause <= high for pause in pauses)
    assert len(set(pauses)) > 1


def test_a_redirect_is_not_followed(db, receiver):
    receiver.answers = [302]
    delivery = queued(receiver.url)
    assert not deliver.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.FAILED, 302)


def test_an_unreachable_receiver_is_retried(db, allow_loopback):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    delivery = queued(f"http://127.0.0.1:{port}/hooks")
    assert not deliver.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code is None
    assert "ConnectError" in delivery.last_error


def test_a_target_that_became_private_is_not_called(db, receiver, settings):
    """Checked again when sending: DNS may point the name elsewhere since the hook was saved."""
    delivery = queued(receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    assert not deliver.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("refused target:")
    assert receiver.received == []


def test_only_one_of_two_claimers_gets_a_delivery(db, receiver):
    delivery = queued(receiver.url)
    first, second = deliver.claim(delivery.pk), deliver.claim(delivery.pk)
    assert first is not None
    assert second is None
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_a_claim_lapses_when_its_sender_dies(db, receiver):
    delivery = queued(receiver.url)
    assert deliver.claim(delivery.pk) is not None
    assert deliver.due_ids() == []
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert deliver.due_ids() == [str(delivery.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_does_not_send_what_the_first_is_sending(receiver):
    """Worker one is waiting on the receiver when worker two reaches the same delivery."""
    delivery = queued(receiver.url)
    receiver.release = threading.Event()
    results: list[bool] = []

    def first_worker() -> None:
        from django.db import connection

        try:
            results.append(deliver.deliver(delivery.pk))
        finally:
            connection.close()

    sending = threading.Thread(target=first_worker)
    sending.start()
    assert receiver.arrived.wait(timeout=10)
    assert deliver.deliver(delivery.pk) is False
    assert deliver.deliver_due() == 0
    receiver.release.set()
    sending.join(timeout=15)
    assert results == [True]
    assert len(receiver.received) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_the_sweep_sends_what_is_due(db, receiver):
    due = queued(receiver.url)
    later = Delivery.objects.create(
        webhook=due.webhook,
        event=due.event,
        body=due.body,
        status=DeliveryStatus.FAILED,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    assert deliver.deliver_due() == 1
    assert Delivery.objects.get(pk=due.pk).status == DeliveryStatus.DELIVERED
    assert Delivery.objects.get(pk=later.pk).status == DeliveryStatus.FAILED
    assert len(receiver.received) == 1
