"""The token bucket keeps any 60 seconds under LinkedIn's records per minute."""

import pytest

from hirebridge.linkedin.outbound.bucket import Buckets, TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_no_minute_ever_holds_more_than_the_limit():
    time = FakeTime()
    bucket = TokenBucket(10_000, clock=time.clock, sleep=time.sleep)
    sent_at: list[float] = []
    for _ in range(500):  # 50,000 records in batches of 100
        bucket.take(100)
        sent_at.append(time.now)
    for start in sent_at:
        in_window = sum(100 for moment in sent_at if start <= moment < start + 60)
        assert in_window <= 10_000
    minutes = sent_at[-1] / 60
    assert 50_000 / minutes / 10_000 > 0.97  # and the limit is nearly all used


def test_a_first_batch_goes_at_once_and_the_next_waits_its_share():
    time = FakeTime()
    bucket = TokenBucket(6_200, clock=time.clock, sleep=time.sleep)  # 100 records a second
    assert bucket.take(100) == 0
    assert bucket.take(100) == pytest.approx(1.0)


def test_each_resource_has_its_own_bucket():
    time = FakeTime()
    buckets = Buckets(6_200, clock=time.clock, sleep=time.sleep)
    assert buckets.take("atsCandidates", 100) == 0
    assert buckets.take("atsApplications", 100) == 0
    assert buckets.take("atsCandidates", 100) > 0


def test_a_limit_below_two_batches_is_refused():
    with pytest.raises(ValueError, match="per_minute"):
        TokenBucket(200)
