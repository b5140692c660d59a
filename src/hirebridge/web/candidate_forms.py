"""What each action of the candidate page must carry, checked before the pipeline services
apply their own rules; a refusal from either lands on the field at fault, so the page can show
it beside that field."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from hirebridge.hiring.email import MAX_BODY_CHARS, MAX_SUBJECT_CHARS
from hirebridge.hiring.models import ArchiveReason, Opportunity
from hirebridge.hiring.services import NOTE_MAX_CHARS, PipelineError


class ChoiceById(forms.ModelChoiceField):
    """A choice of a row by its id, where a malformed id reads as any other unknown choice
    (a UUID column otherwise answers with a message about UUIDs)."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError as refused:
            if refused.code == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class _OnCandidate(forms.Form):
    """A record about the candidate, optionally tied to one of their opportunities the user sees."""

    opportunity = ChoiceById(
        queryset=Opportunity.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose one of this candidate's opportunities."},
    )

    def __init__(self, *args: Any, opportunities: QuerySet[Opportunity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ChoiceById, self.fields["opportunity"]).queryset = opportunities


class NoteForm(_OnCandidate):
    body = forms.CharField(
        max_length=NOTE_MAX_CHARS,
        error_messages={
            "required": "Write the note first: it cannot be empty.",
            "max_length": f"A note holds at most {NOTE_MAX_CHARS:,} characters.",
        },
    )


class EmailForm(_OnCandidate):
    to = forms.EmailField(
        error_messages={
            "required": "Choose the address to write to.",
            "invalid": "Not a valid email address.",
        }
    )
    subject = forms.CharField(
        max_length=MAX_SUBJECT_CHARS,
        error_messages={
            "required": "An email needs a subject.",
            "max_length": f"A subject holds at most {MAX_SUBJECT_CHARS} characters.",
        },
    )
    body = forms.CharField(
        max_length=MAX_BODY_CHARS,
        strip=False,
        error_messages={
            "required": "Write the email first: it cannot be empty.",
            "max_length": f"An email holds at most {MAX_BODY_CHARS:,} characters.",
        },
    )


class StageForm(forms.Form):
    stage = forms.CharField(
        max_length=64, error_messages={"required": "Choose the stage to move to."}
    )


class ArchiveForm(forms.Form):
    reason = ChoiceById(
        queryset=ArchiveReason.objects.filter(active=True),
        error_messages={
            "required": "Choose why the opportunity leaves the pipeline.",
            "invalid_choice": "Choose one of the archive reasons in use.",
        },
    )


def add_refusal(form: forms.Form, refused: PipelineError) -> None:
    """Put a service's refusal on the field it names (the page shows the field beside it, so
    the "field: " prefix of the message goes), or on the form as a whole."""
    field = refused.field if refused.field in form.fields else None
    message = refused.message
    if field is not None and message.startswith(f"{field}: "):
        message = message[len(field) + 2 :]
    form.add_error(field, message[:1].upper() + message[1:])
