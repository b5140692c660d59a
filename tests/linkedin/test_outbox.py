"""The outbox's claim and settle: a row leaves only with the state that was sent, and a batch
is leased to one sender at a time."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hirebridge.linkedin import outbox
from hirebridge.linkedin.models import Integration, OutboxItem, OutboxKind

KIND = OutboxKind.CANDIDATE


@pytest.fixture(autouse=True)
def integration(db):
    return Integration.objects.create(client_id="c", organization_urn="urn:li:organization:1")


def pending(*ids: str) -> None:
    outbox.changed_many((KIND, entity_id, "") for entity_id in ids)


def test_a_claim_leases_due_rows_in_key_order_to_one_sender(integration):
    pending("c", "a", "b", "d")
    first = outbox.claim(KIND, 3)
    assert [item.entity_id for item in first] == ["a", "b", "c"]
    assert all(item.lease_until is not None and item.attempts == 1 for item in first)
    assert [item.entity_id for item in outbox.claim(KIND, 3)] == ["d"]
    assert outbox.claim(KIND, 3) == []


def test_settle_removes_the_rows_sent_and_keeps_those_changed_meanwhile(integration):
    pending("a", "b", "c")
    claimed = outbox.claim(KIND, 3)
    outbox.changed(KIND, "b")  # a newer state, written while the older one was on its way

    outbox.settle(claimed)

    (left,) = OutboxItem.objects.all()
    assert left.entity_id == "b"
    assert left.token != claimed[1].token
    assert left.lease_until is None
    assert [item.entity_id for item in outbox.claim(KIND, 3)] == ["b"]


def test_every_write_gives_its_row_a_token_no_row_held_before(integration):
    """What settle's single IN-and-IN match relies on: a token read from a row is that row's."""
    pending("a", "b")
    seen = set(OutboxItem.objects.values_list("token", flat=True))
    outbox.write([OutboxItem(kind=KIND, entity_id=key) for key in ("a", "b", "c")])
    pending("a", "c")
    tokens = list(OutboxItem.objects.values_list("token", flat=True))
    assert len(set(tokens)) == len(tokens) == 3
    assert seen.isdisjoint(tokens)


def test_release_frees_the_rows_for_the_next_claim(integration):
    pending("a")
    outbox.release(outbox.claim(KIND, 1))
    (again,) = outbox.claim(KIND, 1)
    assert again.entity_id == "a" and again.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_senders_claiming_at_once_take_every_due_row_once():
    """PostgreSQL lets both read at once: the rows one has locked are skipped by the other."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: no two claims overlap")
    keys = [f"{n:03}" for n in range(40)]
    outbox.write([OutboxItem(kind=KIND, entity_id=key) for key in keys])  # no worker rung
    start = threading.Barrier(2)

    def take(_: int) -> list[str]:
        try:
            start.wait()
            return [item.entity_id for item in outbox.claim(KIND, 30)]
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(take, range(2))
    assert sorted(first + second) == keys
