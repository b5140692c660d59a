import pytest
from django.core.exceptions import ValidationError

from hirebridge.hiring.models import ArchiveReason, Stage

LEVER_DEFAULT_PIPELINE = [
    ("lead-new", "New lead", "lead"),
    ("lead-reached-out", "Reached out", "lead"),
    ("lead-responded", "Responded", "lead"),
    ("applicant-new", "New applicant", "applicant"),
    (None, "Recruiter screen", "interview"),
    (None, "Phone interview", "interview"),
    (None, "On-site interview", "interview"),
    ("offer", "Offer", "interview"),
]


def test_it_seeds_levers_default_pipeline_in_order(db):
    stages = list(Stage.objects.all())
    assert [(s.text, s.section) for s in stages] == [(t, s) for _, t, s in LEVER_DEFAULT_PIPELINE]
    for stage, (fixed_id, _, _) in zip(stages, LEVER_DEFAULT_PIPELINE, strict=True):
        if fixed_id:
            assert stage.id == fixed_id
            assert stage.is_builtin
        else:
            assert len(stage.id) == 36  # a UUID string, as Lever gives custom stages
            assert not stage.is_builtin


def test_it_keeps_offer_last_when_a_custom_interview_stage_is_added(db):
    reference = Stage(text="Reference check", section="interview", position=4)
    reference.full_clean()
    reference.save()
    assert Stage.objects.last().id == "offer"

    after_offer = Stage(text="Background check", section="interview", position=1000)
    with pytest.raises(ValidationError, match="Offer is always the last stage"):
        after_offer.full_clean()


def test_it_refuses_to_deactivate_a_builtin_stage(db):
    new_lead = Stage.objects.get(pk="lead-new")
    new_lead.active = False
    with pytest.raises(ValidationError, match="built in"):
        new_lead.full_clean()


def test_it_seeds_exactly_one_hired_archive_reason(db):
    assert list(ArchiveReason.objects.filter(type="hired").values_list("text", flat=True)) == [
        "Hired"
    ]
    assert ArchiveReason.objects.filter(type="non-hired").count() >= 10
