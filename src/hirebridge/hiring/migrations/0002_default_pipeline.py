"""Lever's default pipeline and archive reasons, so every new account starts where Lever does."""

import uuid

from django.db import migrations

# Custom (non built-in) stages get stable UUIDs so every installation agrees on them.
NAMESPACE = uuid.UUID("6f0d3c3e-5a8e-4f43-9d1e-6a2f1b7c9e10")

STAGES = [
    ("lead-new", "New lead", "lead", 1),
    ("lead-reached-out", "Reached out", "lead", 2),
    ("lead-responded", "Responded", "lead", 3),
    ("applicant-new", "New applicant", "applicant", 1),
    (None, "Recruiter screen", "interview", 1),
    (None, "Phone interview", "interview", 2),
    (None, "On-site interview", "interview", 3),
    ("offer", "Offer", "interview", 100),
]

ARCHIVE_REASONS = [
    ("Hired", "hired"),
    ("Position filled", "non-hired"),
    ("Compensation", "non-hired"),
    ("Better for another role", "non-hired"),
    ("Future hire", "non-hired"),
    ("Under-qualified", "non-hired"),
    ("Timing", "non-hired"),
    ("Withdrew", "non-hired"),
    ("Offer declined", "non-hired"),
    ("Position closed", "non-hired"),
    ("No response", "non-hired"),
]


def seed(apps, schema_editor):
    Stage = apps.get_model("hiring", "Stage")
    ArchiveReason = apps.get_model("hiring", "ArchiveReason")
    for stage_id, text, section, position in STAGES:
        Stage.objects.create(
            id=stage_id or str(uuid.uuid5(NAMESPACE, text)),
            text=text,
            section=section,
            position=position,
        )
    for text, kind in ARCHIVE_REASONS:
        ArchiveReason.objects.create(
            id=uuid.uuid5(NAMESPACE, "archive:" + text), text=text, type=kind
        )


def unseed(apps, schema_editor):
    apps.get_model("hiring", "Stage").objects.all().delete()
    apps.get_model("hiring", "ArchiveReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("hiring", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
