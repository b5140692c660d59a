"""The fault soak at test size: Recruiter work under LinkedIn's faults, then the ATS holds every
candidate, opportunity, InMail, reply and note exactly once, at the right stage, as LinkedIn's
own record says (tests/reliability/soak.py); the reconciliation then finds nothing to repair.
bench/soak.py runs it at full size."""

import pytest

from tests.reliability import harness, soak

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

SETTLE_SECONDS = 180


def test_under_faults_everything_lands_exactly_once(tmp_path):
    size = soak.SMALL
    with harness.running(tmp_path, members=size.exports + 150, env=soak.ATS_ENV) as cluster:
        work = soak.drive(cluster, size)
        soak.settle(cluster, work, SETTLE_SECONDS)
        figures = soak.check(cluster, work)
        reconciled = cluster.hirebridge("linkedin", "reconcile")

    assert (figures["exports_sent"], figures["candidates_ingested"]) == (size.exports,) * 2
    assert figures["inmails_sent"] + figures["replies_sent"] == figures["messages_ingested"]
    assert (figures["inmails_sent"], figures["replies_sent"]) == (size.inmails, size.replies)
    assert figures["notes_sent"] == figures["notes_ingested"] == size.notes
    assert figures["pushes_lost_in_transit"] > 0 and figures["duplicate_pushes"] > 0
    assert f"checked: {size.exports};" in reconciled
    assert "queued for LinkedIn again: 0 candidate(s), 0 application(s)" in reconciled
