import uuid

from django.core.exceptions import ValidationError
from django.db import models

# Lever's fixed ids for the built-in stages; custom stages get UUID strings.
LEAD_NEW = "lead-new"
LEAD_REACHED_OUT = "lead-reached-out"
LEAD_RESPONDED = "lead-responded"
APPLICANT_NEW = "applicant-new"
OFFER = "offer"
BUILTIN_STAGE_IDS = (LEAD_NEW, LEAD_REACHED_OUT, LEAD_RESPONDED, APPLICANT_NEW, OFFER)


class Section(models.TextChoices):
    # Declared in pipeline order; sections cannot be reordered.
    LEAD = "lead", "Lead"
    APPLICANT = "applicant", "Applicant"
    INTERVIEW = "interview", "Interview"

    @property
    def order(self) -> int:
        return list(Section).index(self)


def new_stage_id() -> str:
    return str(uuid.uuid4())


SECTION_ORDER = models.Case(
    *(models.When(section=section, then=models.Value(section.order)) for section in Section),
    output_field=models.IntegerField(),
)


class StageQuerySet(models.QuerySet["Stage"]):
    def active(self) -> "StageQuerySet":
        return self.filter(active=True)


class Stage(models.Model):
    """A place in the one pipeline every posting shares."""

    id = models.CharField(primary_key=True, max_length=64, default=new_stage_id)
    text = models.CharField(max_length=100, unique=True)
    section = models.CharField(max_length=16, choices=Section.choices)
    position = models.PositiveIntegerField(help_text="Order within the section")
    active = models.BooleanField(default=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = [SECTION_ORDER, "position"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_builtin(self) -> bool:
        return self.id in BUILTIN_STAGE_IDS

    def clean(self) -> None:
        if self.id == OFFER and self.section != Section.INTERVIEW:
            raise ValidationError(
                {"section": "Offer stays the last stage of the Interview section."}
            )
        if self.is_builtin and not self.active:
            raise ValidationError({"active": f"{self.text} is built in and cannot be deactivated."})
        if not self.active and self.opportunities.active().exists():
            raise ValidationError(
                {"active": "A stage that holds active opportunities cannot be deactivated."}
            )
        if self.section == Section.INTERVIEW:
            others = Stage.objects.filter(section=Section.INTERVIEW).exclude(pk=self.pk)
            if self.id == OFFER:
                offer_last = not others.filter(position__gte=self.position).exists()
            else:
                offer_last = not others.filter(pk=OFFER, position__lte=self.position).exists()
            if not offer_last:
                raise ValidationError({"position": "Offer is always the last stage."})
