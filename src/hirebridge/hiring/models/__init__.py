from hirebridge.hiring.models.candidates import (
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
)
from hirebridge.hiring.models.labels import Source, Tag
from hirebridge.hiring.models.opportunities import ArchiveReason, Opportunity, StageChange
from hirebridge.hiring.models.postings import Posting
from hirebridge.hiring.models.records import Activity, Message, Note
from hirebridge.hiring.models.stages import Stage

__all__ = [
    "Activity",
    "ArchiveReason",
    "Candidate",
    "CandidateEmail",
    "CandidateLink",
    "CandidatePhone",
    "Message",
    "Note",
    "Opportunity",
    "Posting",
    "Source",
    "Stage",
    "StageChange",
    "Tag",
]
