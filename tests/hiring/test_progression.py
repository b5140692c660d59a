from datetime import timedelta

import pytest
from django.utils import timezone

from hirebridge.hiring import services
from hirebridge.hiring.models import Activity, ArchiveReason, Message, Stage, StageChange
from hirebridge.hiring.models.records import Verb
from tests.factories import PostingFactory, candidate


def in_stage(actor, text, **kwargs):
    return candidate(actor, stage_id=Stage.objects.get(text=text).id, **kwargs)


def log(opportunity, direction, *, channel="inmail", sent_at=None, external_id=None, on=None):
    """Log a message on `on` (default: the opportunity itself) for the opportunity's candidate."""
    return services.log_message(
        services.AUTOMATIC,
        opportunity.candidate,
        channel=channel,
        direction=direction,
        sender="Tara Team" if direction == "out" else "Ada Lovelace",
        sent_at=sent_at or timezone.now(),
        body="Hello",
        external_id=external_id,
        opportunity=on if on is not None else opportunity,
    )[0]


def stage_of(opportunity):
    opportunity.refresh_from_db()
    return opportunity.stage.text


@pytest.mark.parametrize(
    ("stage", "direction", "expected"),
    [
        # Lead section: forward only.
        ("New lead", "out", "Reached out"),
        ("New lead", "in", "Responded"),
        ("Reached out", "out", "Reached out"),
        ("Reached out", "in", "Responded"),
        ("Responded", "out", "Responded"),
        ("Responded", "in", "Responded"),
        # Applicant and Interview sections: never moved.
        ("New applicant", "out", "New applicant"),
        ("New applicant", "in", "New applicant"),
        ("Phone interview", "out", "Phone interview"),
        ("Phone interview", "in", "Phone interview"),
        ("Offer", "in", "Offer"),
    ],
)
@pytest.mark.parametrize("channel", ["inmail", "email"])
def test_a_message_moves_an_opportunity_forward_in_the_lead_section_only(
    tara, posting, stage, direction, expected, channel
):
    opportunity = in_stage(tara, stage, posting=posting)
    log(opportunity, direction, channel=channel)
    assert stage_of(opportunity) == expected
    moves = StageChange.objects.filter(opportunity=opportunity).exclude(from_stage=None)
    assert moves.count() == (0 if stage == expected else 1)


def test_a_custom_lead_stage_after_responded_is_not_moved_back(tara, posting):
    Stage.objects.create(text="Warm", section="lead", position=4)
    opportunity = in_stage(tara, "Warm", posting=posting)
    log(opportunity, "in")
    log(opportunity, "out")
    assert stage_of(opportunity) == "Warm"


@pytest.mark.parametrize("direction", ["out", "in"])
def test_an_archived_opportunity_stays_where_it_is(tara, posting, direction):
    opportunity = candidate(tara, posting=posting)
    services.archive(tara, opportunity, ArchiveReason.objects.filter(type="non-hired").first())
    log(opportunity, direction)
    assert stage_of(opportunity) == "New lead"
    assert opportunity.stage_changes.count() == 1


def test_the_move_is_an_automatic_activity_and_stage_change(tara, posting):
    opportunity = candidate(tara, posting=posting)
    log(opportunity, "out")
    activity = Activity.objects.filter(verb=Verb.STAGE_CHANGED).get()
    assert (activity.actor, activity.automatic, activity.opportunity) == (None, True, opportunity)
    assert activity.detail == {"from_stage": "New lead", "to_stage": "Reached out"}
    change = opportunity.stage_changes.last()
    assert (change.from_stage_id, change.to_stage_id, change.changed_by) == (
        "lead-new",
        "lead-reached-out",
        None,
    )


def test_a_repeated_message_moves_nothing_twice(tara, posting):
    opportunity = candidate(tara, posting=posting)
    log(opportunity, "in", external_id="urn:li:message:1")
    services.move_to_stage(tara, opportunity, "lead-new")  # the recruiter moves it back by hand
    log(opportunity, "in", external_id="urn:li:message:1")
    assert stage_of(opportunity) == "New lead"
    assert Activity.objects.filter(verb=Verb.STAGE_CHANGED, automatic=True).count() == 1


def test_history_imported_out_of_order_ends_in_responded_without_going_back(tara, posting):
    opportunity = candidate(tara, posting=posting)
    later = timezone.now() + timedelta(minutes=1)
    log(opportunity, "in", sent_at=later + timedelta(hours=2), external_id="reply")
    log(opportunity, "out", sent_at=later, external_id="inmail")
    assert stage_of(opportunity) == "Responded"
    assert list(opportunity.stage_changes.values_list("from_stage", "to_stage")) == [
        (None, "lead-new"),
        ("lead-new", "lead-responded"),
    ]


def test_a_message_from_before_the_opportunity_existed_does_not_move_it(tara, posting):
    opportunity = candidate(tara, posting=posting)
    log(opportunity, "in", sent_at=opportunity.created_at - timedelta(days=30))
    assert stage_of(opportunity) == "New lead"
    log(opportunity, "in", sent_at=opportunity.created_at)
    assert stage_of(opportunity) == "Responded"


def test_a_message_on_one_opportunity_leaves_the_others_alone(tara, posting):
    general = candidate(tara)
    on_posting = services.add_opportunity(tara, general.candidate, posting=posting)
    log(general, "out", on=on_posting)
    assert (stage_of(general), stage_of(on_posting)) == ("New lead", "Reached out")


def test_a_message_on_no_opportunity_moves_each_active_lead_opportunity_older_than_it(tara):
    general = candidate(tara)
    ada = general.candidate
    applicant = services.add_opportunity(
        tara, ada, posting=PostingFactory(), stage_id="applicant-new"
    )
    archived = services.add_opportunity(tara, ada, posting=PostingFactory())
    services.archive(tara, archived, ArchiveReason.objects.filter(type="non-hired").first())
    sent_at = timezone.now()
    newer = services.add_opportunity(tara, ada, posting=PostingFactory())
    services.log_message(
        services.AUTOMATIC, ada, channel="email", direction="in", sender="Ada", sent_at=sent_at
    )
    assert [stage_of(o) for o in (general, applicant, archived, newer)] == [
        "Responded",
        "New applicant",
        "New lead",
        "New lead",
    ]


def test_the_message_and_the_move_commit_together(tara, posting, monkeypatch):
    opportunity = candidate(tara, posting=posting)

    def refuse(*args, **kwargs):
        raise RuntimeError("stage table locked")

    monkeypatch.setattr(services, "move_to_stage", refuse)
    with pytest.raises(RuntimeError):
        log(opportunity, "out")
    assert not Message.objects.exists()
    assert not Activity.objects.filter(verb=Verb.MESSAGE_LOGGED).exists()
