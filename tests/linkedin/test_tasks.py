from hirebridge.linkedin import tasks


def test_a_sub_minute_interval_polls_several_times_within_one_tick(monkeypatch, settings):
    settings.LINKEDIN_POLL_SECONDS = 10
    clock = {"now": 0.0}
    polls = []
    monkeypatch.setattr(tasks.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(tasks.time, "sleep", lambda s: clock.__setitem__("now", clock["now"] + s))
    monkeypatch.setattr(tasks.streams, "poll_due_streams", lambda: polls.append(clock["now"]))
    tasks.poll_linkedin.call_local()
    assert polls == [0, 10, 20, 30, 40, 50]  # a poll at 60 would meet the next tick


def test_the_default_interval_polls_once_per_tick(monkeypatch, settings):
    settings.LINKEDIN_POLL_SECONDS = 900
    polls = []
    monkeypatch.setattr(tasks.streams, "poll_due_streams", lambda: polls.append(1))
    monkeypatch.setattr(tasks.time, "sleep", lambda s: (_ for _ in ()).throw(AssertionError(s)))
    tasks.poll_linkedin.call_local()
    assert polls == [1]
