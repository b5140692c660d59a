"""Each pipeline change queues its event in the change's own transaction, in Lever's shape."""

import pytest
from django.db import transaction

from hirebridge.hiring import services
from hirebridge.hiring.merge import merge
from hirebridge.hiring.models import ArchiveReason
from hirebridge.hiring.models.candidates import Origin
from hirebridge.webhooks.models import CreatedVia, Delivery, Event, Webhook
from tests.factories import candidate


@pytest.fixture
def every_event(db):
    """One hook per event, all on one URL (never called: nothing is committed in these tests)."""
    return {
        event: Webhook.objects.create(
            event=event, url="https://hooks.example.com/in", created_via=CreatedVia.API
        )
        for event in Event
    }


def queued() -> list[tuple[str, dict]]:
    return [(d.event, d.body["data"]) for d in Delivery.objects.order_by("created_at", "event")]


def written_by(change) -> list[tuple[str, dict]]:
    Delivery.objects.all().delete()
    change()
    return queued()


def test_a_new_candidate_is_a_new_contact(every_event, tara):
    opportunity = candidate(tara)
    assert queued() == [("contactCreated", {"contactId": str(opportunity.candidate_id)})]


def test_a_new_candidate_on_a_posting_is_also_an_application(every_event, tara, posting):
    opportunity = candidate(tara, posting=posting)
    ids = {"opportunityId": str(opportunity.pk), "candidateId": str(opportunity.pk)}
    contact = str(opportunity.candidate_id)
    assert sorted(queued()) == [
        (
            "applicationCreated",
            {
                "applicationId": str(opportunity.pk),
                **ids,
                "contactId": contact,
                "postingId": str(posting.pk),
            },
        ),
        ("contactCreated", {"contactId": contact}),
    ]


def test_another_opportunity_on_a_posting_is_an_application(every_event, tara, posting):
    ada = candidate(tara).candidate
    written = written_by(lambda: services.add_opportunity(tara, ada, posting=posting))
    assert [event for event, _ in written] == ["applicationCreated"]
    assert written_by(lambda: services.add_opportunity(tara, ada)) == []


def test_a_stage_move(every_event, tara):
    opportunity = candidate(tara)
    written = written_by(lambda: services.move_to_stage(tara, opportunity, "lead-reached-out"))
    assert written == [
        (
            "candidateStageChange",
            {
                "opportunityId": str(opportunity.pk),
                "candidateId": str(opportunity.pk),
                "contactId": str(opportunity.candidate_id),
                "fromStageId": "lead-new",
                "toStageId": "lead-reached-out",
            },
        )
    ]
    assert written_by(lambda: services.move_to_stage(tara, opportunity, "lead-reached-out")) == []


def test_archiving_unarchiving_and_hiring(every_event, tara):
    opportunity = candidate(tara)
    timing = ArchiveReason.objects.get(text="Timing")
    hired = ArchiveReason.objects.get(type="hired")

    [(event, data)] = written_by(lambda: services.archive(tara, opportunity, timing))
    assert event == "candidateArchiveChange"
    assert data["fromArchived"] is None
    assert data["toArchived"] == {
        "archivedAt": int(opportunity.archived_at.timestamp() * 1000),
        "reason": str(timing.pk),
    }

    written = written_by(lambda: services.archive(tara, opportunity, hired))
    assert [event for event, _ in written] == ["candidateArchiveChange", "candidateHired"]
    assert written[0][1]["fromArchived"]["reason"] == str(timing.pk)
    assert written[0][1]["toArchived"]["reason"] == str(hired.pk)
    assert written[1][1] == {
        "opportunityId": str(opportunity.pk),
        "candidateId": str(opportunity.pk),
        "contactId": str(opportunity.candidate_id),
    }

    [(event, data)] = written_by(lambda: services.unarchive(tara, opportunity))
    assert event == "candidateArchiveChange"
    assert data["fromArchived"]["reason"] == str(hired.pk)
    assert data["toArchived"] is None


def test_deleting_a_candidate_tells_each_opportunity(every_event, alex, posting):
    first = candidate(alex)
    second = services.add_opportunity(alex, first.candidate, posting=posting)
    written = written_by(lambda: services.delete_candidate(alex, first.candidate))
    assert sorted((event, data["opportunityId"], data["deletedBy"]) for event, data in written) == (
        sorted(
            [
                ("candidateDeleted", str(first.pk), str(alex.pk)),
                ("candidateDeleted", str(second.pk), str(alex.pk)),
            ]
        )
    )


def test_a_merge_tells_of_the_folded_candidacy_and_the_updated_contact(every_event, tara, posting):
    kept = candidate(tara, "Ada Lovelace", posting=posting, emails=["ada@example.com"])
    twin = candidate(tara, "Ada King", posting=posting, emails=["ada@example.com"])
    written = written_by(lambda: merge(tara, kept.candidate, twin.candidate))
    assert ("candidateDeleted", str(twin.pk)) in [
        (event, data.get("opportunityId")) for event, data in written
    ]
    assert ("contactUpdated", {"contactId": str(kept.candidate.pk)}) in written


def test_contact_changes(every_event, tara):
    ada = candidate(tara).candidate
    contact = {"contactId": str(ada.pk)}
    assert written_by(lambda: services.update_candidate(tara, ada, headline="Analyst")) == [
        ("contactUpdated", contact)
    ]
    assert written_by(lambda: services.update_candidate(tara, ada, headline="Analyst")) == []
    assert written_by(
        lambda: services.add_contact_details(tara, ada, emails=["ada@work.example"])
    ) == [("contactUpdated", contact)]
    assert written_by(
        lambda: services.remove_contact_details(tara, ada, emails=["ada@work.example"])
    ) == [("contactUpdated", contact)]
    assert written_by(lambda: services.forget_linkedin_data(tara, ada)) == [
        ("contactUpdated", contact)
    ]


def test_a_rolled_back_change_queues_nothing(every_event, tara):
    opportunity = candidate(tara)
    Delivery.objects.all().delete()
    written_inside: list[int] = []

    def move_then_fail() -> None:
        with transaction.atomic():
            services.move_to_stage(tara, opportunity, "lead-reached-out")
            written_inside.append(Delivery.objects.count())
            raise RuntimeError("the request failed after the move")

    with pytest.raises(RuntimeError, match="after the move"):
        move_then_fail()
    assert written_inside == [1]
    assert Delivery.objects.count() == 0


def test_the_worker_is_rung_only_on_commit(
    every_event, tara, monkeypatch, django_capture_on_commit_callbacks
):
    from hirebridge.webhooks import tasks

    rung: list[str] = []
    monkeypatch.setattr(tasks, "deliver", rung.append)
    with django_capture_on_commit_callbacks(execute=True):
        candidate(tara)
        assert rung == []
    assert rung == [str(d.pk) for d in Delivery.objects.filter(event="contactCreated")]


def test_origins_filter_opportunity_events_only(db, tara, posting):
    referred_only = Webhook.objects.create(
        event=Event.APPLICATION_CREATED,
        url="https://hooks.example.com/in",
        conditions={"origins": [Origin.REFERRED]},
        created_via=CreatedVia.API,
    )
    contacts = Webhook.objects.create(
        event=Event.CONTACT_CREATED,
        url="https://hooks.example.com/in",
        conditions={"origins": [Origin.REFERRED]},
        created_via=CreatedVia.API,
    )
    candidate(tara, posting=posting, origin=Origin.SOURCED)
    assert not referred_only.deliveries.exists()
    assert contacts.deliveries.count() == 1
    candidate(tara, name="Bea Referred", posting=posting, origin=Origin.REFERRED)
    assert referred_only.deliveries.count() == 1


def test_inactive_hooks_and_other_events_get_nothing(db, tara):
    off = Webhook.objects.create(
        event=Event.CONTACT_CREATED,
        url="https://h.example.com",
        created_via=CreatedVia.UI,
        active=False,
    )
    other = Webhook.objects.create(
        event=Event.CANDIDATE_HIRED, url="https://h.example.com", created_via=CreatedVia.UI
    )
    candidate(tara)
    assert not off.deliveries.exists()
    assert not other.deliveries.exists()
