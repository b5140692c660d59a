"""LinkedIn's replies as typed models: every reply the client reads is validated here, so a
malformed one fails at the boundary (the client turns a failure into `InvalidReply`).

Unknown fields are kept (`model_extra`), never refused: LinkedIn adds fields without notice.
Required are the fields LinkedIn documents and the ATS cannot work without. Field names are
snake_case in Python and LinkedIn's camelCase on the wire; ids arrive as numbers or strings and
are read as strings. Where LinkedIn's docs are silent on an element's shape, the models follow
the sandbox's documented choice (src/sandbox/README.md) and accept both published readings.
"""

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

K = TypeVar("K")
M = TypeVar("M", bound=BaseModel)

PERSON_URN = r"^urn:li:person:[^\s:]+$"


class Reply(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        populate_by_name=True,
        coerce_numbers_to_str=True,
        frozen=True,
    )


class AccessToken(BaseModel):
    """`POST /oauth/v2/accessToken`; `expires_in` comes as a number or, in one doc sample, a
    string ("1800")."""

    model_config = ConfigDict(extra="allow", frozen=True)

    access_token: str = Field(min_length=1)
    expires_in: int = Field(gt=0)


class ErrorBody(Reply):
    """LinkedIn's error shape, `{status, serviceErrorCode, code, message}`."""

    message: str
    status: int | None = None
    service_error_code: int | None = None
    code: str | None = None


class EntityStatus(Reply):
    status: int


class BatchWriteReply(Reply):
    """BATCH_UPDATE / BATCH_PARTIAL_UPDATE / BATCH_DELETE: a status or an error per key."""

    results: dict[str, EntityStatus]
    errors: dict[str, ErrorBody] = {}


class BatchGetReply(Reply):
    """BATCH_GET: the entity, status or error per key."""

    results: dict[str, dict[str, Any]]
    statuses: dict[str, int] = {}
    errors: dict[str, ErrorBody] = {}


class Paging(Reply):
    start: int = 0
    count: int | None = None
    total: int | None = None


class FinderPage(Reply):
    """One page of a FINDER; `paging.total` is not always sent."""

    elements: list[dict[str, Any]]
    paging: Paging = Paging()


class CreatedElement(Reply):
    status: int
    id: str | None = None
    error: ErrorBody | None = None

    @model_validator(mode="after")
    def _id_or_error(self) -> "CreatedElement":
        if self.id is None and self.error is None:
            raise ValueError("each element needs an id or an error")
        return self


class BatchCreateReply(Reply):
    """BATCH_CREATE: one element per created entity, in request order."""

    elements: list[CreatedElement]


class JobTask(Reply):
    """A simpleJobPostings task: IN_PROGRESS, then SUCCEEDED, FAILED or PROCESSED."""

    id: str
    status: str
    externalJobPostingId: str | None = None
    error: Any = None


class Integration(Reply):
    integration_context: str
    integration_type: str
    onboarding_status: str
    tenant_type: str | None = None
    data_provider: str | None = None
    integration_name: str | None = None
    onboarded_at: int | None = None


class StubProfile(Reply):
    """A member as LinkedIn shares them; emails as a list (`emailAddresses`) or, since March
    2024 on mailStubs, a single `emailAddress`: read both through `emails`."""

    member: str
    first_name: str
    last_name: str
    headline: str | None = None
    location: str | None = None
    profile_url: str | None = None
    current_employer_names: list[str] = []
    email_addresses: list[str] = []
    email_address: str | None = None

    @property
    def emails(self) -> list[str]:
        single = [self.email_address] if self.email_address else []
        return list(dict.fromkeys(self.email_addresses + single))


class ExportedInMail(Reply):
    id: str
    author: str
    created_at: int
    thread: str | None = None
    subject: str | None = None
    body: str | None = None


class ExportedNote(Reply):
    id: str
    note: str
    created_at: int
    owner: str | None = None
    last_modified_at: int | None = None


class ExportedCandidate(Reply):
    """A 1-click export: who, for which job (None: no job picked), by which seat, and that
    seat's InMails and notes with the member at the time of export."""

    integration_context: str
    candidate: StubProfile
    external_job_posting_id: str | None = None
    exporter: str | None = None
    exported_at: int | None = None
    in_mails: list[ExportedInMail] = []
    notes: list[ExportedNote] = []


class Seat(Reply):
    """A Recruiter seat from seatsV2 (`id` on /v2, `seatId` on /rest, `contract`, `state`) or the
    legacy seats finder (`contractId`, `active`)."""

    id: str = Field(validation_alias=AliasChoices("id", "seatId"))
    member: str
    contract: str | None = Field(None, validation_alias=AliasChoices("contract", "contractId"))
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    state: str | None = None
    active: bool | None = None

    @property
    def urn(self) -> str:
        return self.id if self.id.startswith("urn:") else f"urn:li:seat:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.state == "ACTIVE" if self.state is not None else self.active is not False


class EventTime(Reply):
    time: int


class ConversationEvent(Reply):
    """One InMail in a seat's history; `author` is the seat or the member's person URN."""

    id: str
    author: str
    created: EventTime
    thread: str | None = None
    direction: str | None = None
    subject: str | None = None
    body: str | None = None
    participants: list[str] = []


class MailStub(StubProfile):
    """Contact details a member shared when answering an owner seat's InMail."""

    id: str
    owner: str
    created: int
    contract: str | None = None
    thread: str | None = None
    phone_number: str | None = None


class ProspectNote(Reply):
    """A seat's note on a member; `active: false` means it was deleted."""

    id: str
    owner: str
    member: str
    active: bool
    last_modified: int
    note: str = ""
    created: int | None = None
    contract: str | None = None


class SyncedCandidate(Reply):
    """An ATS candidate as LinkedIn stores it, with the members it matched."""

    manual_matched_member: str | None = None
    matched_members: list[str] = []


class EntityAcl(Reply):
    """A job secured by an ACL group."""

    ats_entity_acl_id: str = Field(min_length=1)
    ats_entity_id: str | None = None


class AclAssignee(Reply):
    """A member in an ACL group."""

    ats_entity_acl_id: str = Field(min_length=1)
    assignee: str = Field(pattern=PERSON_URN)


class ClosedProfile(Reply):
    """A member who closed their LinkedIn account after the organization's seats exported them:
    the ATS must offer to delete what the export brought in."""

    member: str = Field(pattern=PERSON_URN)
    closed_at: int = Field(gt=0)
    profile_url: str | None = None
    integration_context: str | None = None
    last_exported_at: int | None = None


@dataclass(frozen=True)
class WriteOutcome(Generic[K]):
    """A batch write per entity, keyed as the caller keyed it: LinkedIn answers 200 for the
    whole batch and a status or an error for each entity."""

    succeeded: list[K] = field(default_factory=list)
    failed: dict[K, ErrorBody] = field(default_factory=dict)


@dataclass(frozen=True)
class GetOutcome(Generic[K, M]):
    """A batch get keyed as the caller keyed it; a key LinkedIn did not answer is failed 404."""

    found: dict[K, M] = field(default_factory=dict)
    failed: dict[K, ErrorBody] = field(default_factory=dict)
