"""A receiver verifies a delivery the way Lever documents: HMAC of token + triggeredAt."""

import hashlib
import hmac

from hirebridge.webhooks import deliver
from hirebridge.webhooks.models import Delivery, DeliveryStatus, Event
from tests.webhooks.conftest import hook


def receiver_accepts(body: dict, signature_token: str) -> bool:
    """What a receiver's code does, written without hirebridge's helpers."""
    expected = hmac.new(
        signature_token.encode(),
        (body["token"] + str(body["triggeredAt"])).encode(),
        hashlib.sha256,
    ).hexdigest()
    return hmac.compare_digest(expected, body["signature"])


def queued(webhook, data) -> Delivery:
    from hirebridge.webhooks.emit import emit

    [delivery] = emit(Event(webhook.event), data)
    return delivery


def test_a_receiver_verifies_the_signature_with_its_hooks_token(db, receiver):
    webhook = hook(Event.CONTACT_CREATED, receiver.url)
    delivery = queued(webhook, {"contactId": "c1"})
    assert deliver.deliver(delivery.pk)
    [body] = receiver.received
    assert list(body) == ["triggeredAt", "event", "signature", "token", "data"]
    assert body["event"] == "contactCreated"
    assert body["data"] == {"contactId": "c1"}
    assert isinstance(body["triggeredAt"], int)
    assert receiver_accepts(body, webhook.signature_token)
    assert receiver.headers[0]["Content-Type"] == "application/json"


def test_another_hooks_token_does_not_verify(db, receiver):
    mine = hook(Event.CONTACT_CREATED, receiver.url)
    other = hook(Event.CONTACT_UPDATED, receiver.url)
    assert mine.signature_token != other.signature_token
    deliver.deliver(queued(mine, {"contactId": "c1"}).pk)
    assert not receiver_accepts(receiver.received[0], other.signature_token)


def test_a_retry_carries_the_same_token_and_time(db, receiver):
    """So a receiver can tell a retried delivery from a new event."""
    receiver.answers = [500]
    webhook = hook(Event.CONTACT_CREATED, receiver.url)
    delivery = queued(webhook, {"contactId": "c1"})
    assert not deliver.deliver(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    assert deliver.deliver(delivery.pk)
    first, second = receiver.received
    assert (first["token"], first["triggeredAt"]) == (second["token"], second["triggeredAt"])
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED
