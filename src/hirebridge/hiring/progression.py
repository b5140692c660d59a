"""Automatic stage progression: correspondence moves an opportunity forward in the Lead section.

Lever's rules, for any channel (email, InMail): a message sent to the candidate moves New lead
to Reached out; a reply from the candidate moves New lead or Reached out to Responded. Moves
only go forward within the Lead section: Applicant and Interview stages, and archived
opportunities, stay where they are. Each move is an automatic stage change.

Which opportunities a message moves:
- the one it is logged on; a message on no opportunity applies to each of the candidate's
  active opportunities (Lever progresses every Lead-section opportunity on its own);
- only those created at or before the message was sent. Correspondence older than a candidacy
  is history, not progress: an imported thread from last year does not make a new opportunity
  "Responded", while a late import of a message sent during the candidacy still counts.
"""

from hirebridge.hiring import services
from hirebridge.hiring.models import Message, Opportunity, Stage
from hirebridge.hiring.models.records import Direction
from hirebridge.hiring.models.stages import LEAD_REACHED_OUT, LEAD_RESPONDED, Section

TARGET_BY_DIRECTION = {Direction.OUTBOUND: LEAD_REACHED_OUT, Direction.INBOUND: LEAD_RESPONDED}


def advances_to(current: Stage, target: Stage) -> bool:
    """Whether `current` may move to `target`: both in the Lead section, `target` further on."""
    return (
        current.section == Section.LEAD
        and target.section == Section.LEAD
        and current.position < target.position
    )


def progress(message: Message) -> list[Opportunity]:
    """Apply the rules for a newly logged message; returns the opportunities it moved.

    Runs inside the caller's transaction and locks the opportunities first, so two messages
    logged at once cannot move one opportunity backwards.
    """
    target = Stage.objects.get(pk=TARGET_BY_DIRECTION[Direction(message.direction)])
    eligible = Opportunity.objects.active().filter(
        candidate_id=message.candidate_id,
        created_at__lte=message.sent_at,
        stage__section=Section.LEAD,
    )
    if message.opportunity_id is not None:
        eligible = eligible.filter(pk=message.opportunity_id)
    moved = []
    for opportunity in (
        eligible.select_for_update(of=("self",)).select_related("stage").order_by("pk")
    ):
        if advances_to(opportunity.stage, target):
            services.move_to_stage(services.AUTOMATIC, opportunity, target.id)
            moved.append(opportunity)
    return moved
