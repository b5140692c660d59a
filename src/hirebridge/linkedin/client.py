"""LinkedIn's Middleware (RSC) API for one customer application. Nothing else in hirebridge
builds LinkedIn URLs: the bases come from settings (LINKEDIN_API_BASE, LINKEDIN_OAUTH_BASE), so
pointing at api.linkedin.com or at the sandbox is configuration only.

- Token: client credentials, reused until RENEW_EARLY_SECONDS before it expires; a 401 renews
  it once and makes the call once more (a second 401 is `AuthError`).
- Wire: Rest.li protocol 1.0 on `/v2/`, or per resource `/rest/` with `LinkedIn-Version`
  (`rest_versions`, see restli.RESOURCES); a query over 4,000 bytes is tunnelled; redirects are
  never followed. Every reply is validated into a model from replies.py.
- Retries: connection errors, timeouts, 408, 429 and 5xx, with full-jitter exponential backoff
  (`Backoff`); a Retry-After header sets the least wait, and one longer than `Backoff.cap`
  ends the retries at once (`Throttled.retry_after` tells the caller when to come back).
- Daily quota: LinkedIn's throttles are daily (reset 00:00 UTC) and its 429s carry no
  Retry-After. A 429 without Retry-After whose message names a throttle limit, a quota or a
  day (LinkedIn: "Resource level throttle limit for calls to this resource is reached"), and no
  minute or second, is `DailyQuotaExceeded` at once: retrying spends a budget that cannot come
  back before midnight. Any other 429 is retried, then `Throttled`.
- Logs (logger "hirebridge.linkedin"): method, path, status, duration, LinkedIn's request id
  and throttle headers; never a header we send, so never the token or the secret.
"""

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote_plus

import httpx
import tenacity
from django.conf import settings
from pydantic import BaseModel, ValidationError

from hirebridge.linkedin import replies, restli
from hirebridge.linkedin.replies import ErrorBody, GetOutcome, WriteOutcome

log = logging.getLogger("hirebridge.linkedin")

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=BaseModel)

RENEW_EARLY_SECONDS = 60
BATCH_MAX = 100  # LinkedIn's records per batch call
PAGE_SIZE = 100
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
NOT_SERVED = (404, 405, 410)
HTTP_METHODS = {
    "batch_get": "GET",
    "batch_update": "PUT",
    "batch_partial_update": "POST",
    "batch_delete": "DELETE",
}
DAILY_LIMIT = re.compile(r"throttle|quota|daily|\bday\b", re.IGNORECASE)
SHORT_LIMIT = re.compile(r"minute|second", re.IGNORECASE)
REQUEST_ID_HEADERS = ("x-li-uuid", "x-li-request-id", "x-restli-id")
# What stands in for our own secret or token when LinkedIn's answer quotes it.
REDACTED = b"[redacted]"
THROTTLE_HEADERS = re.compile(r"^(retry-after|x-ratelimit.*|ratelimit.*|x-li-throttle.*)$")
PERSON_URN = re.compile(replies.PERSON_URN)
JOB_POSTING = "JOB_POSTING"  # the one entity type LinkedIn secures with ACLs
KEY_ONLY: Mapping[str, Any] = {}  # an ACL record's entity: its key says everything


class LinkedInError(Exception):
    """Every failure the client reports; `status`, `service_error_code` and `request_id` are
    set when LinkedIn answered."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        service_error_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.service_error_code = service_error_code
        self.request_id = request_id


class AuthError(LinkedInError):
    """The credentials were refused, or a renewed token was refused again."""


class Throttled(LinkedInError):
    """429 after the retries; `retry_after` is LinkedIn's Retry-After in seconds, if sent."""

    def __init__(self, message: str, *, retry_after: float | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class DailyQuotaExceeded(Throttled):
    """A daily throttle is spent: nothing of that resource until `resets_at` (00:00 UTC)."""

    def __init__(self, message: str, *, resets_at: datetime, **context: Any) -> None:
        super().__init__(message, **context)
        self.resets_at = resets_at


class Transient(LinkedInError):
    """5xx, a timeout or a broken connection after the retries: try again later."""


class Permanent(LinkedInError):
    """Any other refusal (400, 403, 404, …), with LinkedIn's message: retrying will not help."""


class InvalidReply(LinkedInError):
    """LinkedIn answered with a body the models refuse."""


@dataclass(frozen=True)
class Backoff:
    """Retry bounds: `attempts` calls in all, waits of U(0, min(cap, base·2ⁿ)) seconds, at
    most `budget` seconds of waiting per call."""

    attempts: int = 8
    base: float = 0.5
    cap: float = 60.0
    budget: float = 120.0


@dataclass(frozen=True)
class IntegrationKey:
    """An atsIntegrations key; fields in the order of LinkedIn's Postman collection."""

    context: str
    type: str
    tenant_type: str = "RECRUITER"
    data_provider: str = "ATS"

    @property
    def fields(self) -> dict[str, str]:
        return {
            "integrationContext": self.context,
            "integrationType": self.type,
            "tenantType": self.tenant_type,
            "dataProvider": self.data_provider,
        }


@dataclass(frozen=True)
class AclKey:
    """A job secured by an ACL group: LinkedIn shows a secured job only to the group's
    assignees."""

    group: str
    job_id: str

    def __post_init__(self) -> None:
        _require_text(group=self.group, job_id=self.job_id)

    def fields(self, org_urn: str) -> dict[str, str]:
        return {
            "atsEntityAclId": self.group,
            "dataProvider": "ATS",
            "integrationContext": org_urn,
            "atsEntityType": JOB_POSTING,
            "atsEntityId": self.job_id,
        }


@dataclass(frozen=True)
class AssigneeKey:
    """A member (person URN) in an ACL group."""

    group: str
    person_urn: str

    def __post_init__(self) -> None:
        _require_text(group=self.group)
        if not isinstance(self.person_urn, str) or not PERSON_URN.match(self.person_urn):
            raise ValueError(f"person_urn: {self.person_urn!r} is not a person URN")

    def fields(self, org_urn: str) -> dict[str, str]:
        return {
            "atsEntityAclId": self.group,
            "integrationContext": org_urn,
            "dataProvider": "ATS",
            "assignee": self.person_urn,
            "atsEntityType": JOB_POSTING,
        }


@dataclass(frozen=True)
class _Token:
    reply: replies.AccessToken
    renew_at: float


class _RetryableReply(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class LinkedInClient:
    """One customer application's calls to LinkedIn. `clock` (epoch seconds) and `sleep` are
    injectable for tests, as is the HTTP layer (`http`, or just its `transport`)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        backoff: Backoff = Backoff(),
        rest_versions: Mapping[str, str] | None = None,
    ) -> None:
        if not client_id:
            raise ValueError("client_id: required")
        if not client_secret:
            raise ValueError("client_secret: required")
        versions = dict(rest_versions or {})
        for name in versions:
            if name not in restli.RESOURCES:
                raise ValueError(f"rest_versions: unknown resource {name!r}")
        self._routes = {
            name: resource.route(versions.get(name)) for name, resource in restli.RESOURCES.items()
        }
        self.client_id = client_id
        self._secret = client_secret
        self.api_base = str(settings.LINKEDIN_API_BASE).rstrip("/")
        self.oauth_base = str(settings.LINKEDIN_OAUTH_BASE).rstrip("/")
        self._clock = clock
        self._sleep = sleep
        self._backoff = backoff
        self._jitter = tenacity.wait_random_exponential(multiplier=backoff.base, max=backoff.cap)
        self._http = http or httpx.Client(transport=transport, timeout=TIMEOUT)
        self._owns_http = http is None
        self._token: _Token | None = None
        self._token_lock = threading.Lock()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> "LinkedInClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def route(self, resource: str) -> restli.Route:
        return self._routes[resource]

    # One call per LinkedIn operation.

    def token(self) -> replies.AccessToken:
        """A client-credentials token, reused until shortly before it expires.
        https://learn.microsoft.com/linkedin/shared/authentication/client-credentials-flow"""
        with self._token_lock:
            if self._token is None or self._clock() >= self._token.renew_at:
                self._token = self._fetch_token()
            return self._token.reply

    def batch_partial_update_integrations(
        self, names: Mapping[IntegrationKey, str]
    ) -> WriteOutcome[IntegrationKey]:
        """Name integrations, as the customer's admin will see them in Recruiter.
        https://learn.microsoft.com/linkedin/talent/middleware-platform/customer-configuration"""
        entities = {
            key: (key.fields, {"patch": {"$set": {"integrationName": name}}})
            for key, name in names.items()
        }
        return self.batch_write(self.route("atsIntegrations"), "batch_partial_update", entities)

    def get_integrations(
        self, keys: Iterable[IntegrationKey]
    ) -> GetOutcome[IntegrationKey, replies.Integration]:
        """Integrations with their onboarding status.
        https://learn.microsoft.com/linkedin/talent/middleware-platform/customer-configuration"""
        fields = {key: key.fields for key in keys}
        return self.batch_get(self.route("atsIntegrations"), fields, replies.Integration)

    def integrations_by_request(self, request_id: str) -> list[replies.Integration]:
        """The integrations an INTEGRATION_STATUS_CHANGE push announced.
        https://learn.microsoft.com/linkedin/talent/receive-push-events"""
        params = {"q": "request", "requestId": request_id}
        return self.find_all(self.route("atsIntegrations"), params, replies.Integration)

    def set_configurations(
        self, integration: IntegrationKey, values: Mapping[str, str]
    ) -> WriteOutcome[str]:
        """Set configurations (CALLBACK_URL, JOB_POSTING_VIEWERS, …) of one integration.
        https://learn.microsoft.com/linkedin/talent/middleware-platform/customer-configuration"""
        route = self.route("atsIntegrations").child(integration.fields, "configurations")
        entities = {
            name: (name, {"configurationValue": {"string": value}})
            for name, value in values.items()
        }
        return self.batch_write(route, "batch_update", entities)

    def exported_candidates(self, request_id: str) -> list[replies.ExportedCandidate]:
        """What a 1-click export announced by an EXPORT_CANDIDATE_PROFILE push carries.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/retrieve-exported-candidates"""
        params = {"q": "request", "requestId": request_id}
        return self.find_all(self.route("exportedCandidates"), params, replies.ExportedCandidate)

    def seats(self, contract_urn: str) -> list[replies.Seat]:
        """A contract's active seats: seatsV2, or the legacy seats finder where LinkedIn does not
        serve seatsV2 (404, 405, 410).
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/recruiter-seatholders"""
        v2 = {"q": "attributes", "contracts": [contract_urn], "states": ["ACTIVE"]}
        try:
            return self.find_all(self.route("seatsV2"), v2, replies.Seat)
        except Permanent as refused:
            if refused.status not in NOT_SERVED:
                raise
            log.info("seatsV2 answered %s; reading the legacy seats finder", refused.status)
        legacy = {"q": "seatsByAttributes", "contracts": [contract_urn], "active": "true"}
        return self.find_all(self.route("seats"), legacy, replies.Seat)

    def conversation_events(
        self, seat_urn: str, start_ms: int, end_ms: int
    ) -> list[replies.ConversationEvent]:
        """A seat's InMails in [start_ms, end_ms), every page.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/inmail-history"""
        params: dict[str, restli.Param] = {
            "q": "criteria",
            "viewer": seat_urn,
            "timeRange.start": start_ms,
            "timeRange.end": end_ms,
        }
        return self.find_all(self.route("conversationEvents"), params, replies.ConversationEvent)

    def mail_stubs(
        self, contract_urn: str, seat_urns: Sequence[str], start_ms: int, end_ms: int
    ) -> list[replies.MailStub]:
        """Stub profiles created in [start_ms, end_ms) for the owner seats, every page.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/inmail-stub-profiles"""
        params: dict[str, restli.Param] = {
            "q": "contract",
            "contract": contract_urn,
            "owners": list(seat_urns),
            "createdDateStart": start_ms,
            "createdDateEnd": end_ms,
        }
        return self.find_all(self.route("mailStubs"), params, replies.MailStub)

    def prospect_notes(
        self, contract_urn: str, seat_urns: Sequence[str], cutoff_ms: int, before_ms: int
    ) -> list[replies.ProspectNote]:
        """Notes of the owner seats last modified in (cutoff_ms, before_ms], inactive ones
        included, every page.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/prospect-notes"""
        params: dict[str, restli.Param] = {
            "q": "criteria",
            "contract": contract_urn,
            "owners": list(seat_urns),
            "cutoffDate": cutoff_ms,
            "beforeDate": before_ms,
        }
        return self.find_all(self.route("prospectNotes"), params, replies.ProspectNote)

    def closed_candidate_profiles(
        self, org_urn: str, closed_after_ms: int | None
    ) -> list[replies.ClosedProfile]:
        """Members exported by the organization's seats who have since closed their account,
        closed at or after `closed_after_ms` (all of them when None), every page. LinkedIn asks
        partners to read this at least every 30 days but publishes no path: this one is the
        sandbox's (src/sandbox/README.md).
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect"""
        params: dict[str, restli.Param] = {
            "q": "integrationContext",
            "integrationContext": org_urn,
        }
        if closed_after_ms is not None:
            params["closedAfter"] = closed_after_ms
        return self.find_all(self.route("closedCandidateProfiles"), params, replies.ClosedProfile)

    def link_members(self, org_urn: str, members: Mapping[str, str | None]) -> WriteOutcome[str]:
        """Set (a person URN) or remove (None) the member of synced candidates
        (`manualMatchedMember`), keyed by ATS candidate id, in batches of 100.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-candidates"""
        entities: dict[str, tuple[restli.Key, Mapping[str, Any]]] = {}
        for cid, person in members.items():
            patch: dict[str, Any] = (
                {"$set": {"manualMatchedMember": person}}
                if person
                else {"$delete": ["manualMatchedMember"]}
            )
            entities[cid] = (candidate_key(org_urn, cid), {"patch": patch})
        return self.batch_write(self.route("atsCandidates"), "batch_partial_update", entities)

    def create_jobs(self, elements: Sequence[Mapping[str, Any]]) -> list[replies.CreatedElement]:
        """Sync jobs (create, update or close, keyed by externalJobPostingId), in batches of 100;
        one task id or error per job, in order.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-jobs"""
        route = self.route("simpleJobPostings")
        created: list[replies.CreatedElement] = []
        for chunk in _chunks(list(elements)):
            body = {"elements": [route.entity(element) for element in chunk]}
            response = self._send(route, "POST", "", body, restli_method="batch_create")
            reply = self._parse(replies.BatchCreateReply, response)
            if len(reply.elements) != len(chunk):
                raise InvalidReply(
                    f"batch_create answered {len(reply.elements)} of {len(chunk)} jobs",
                    **_context(response),
                )
            created += reply.elements
        return created

    def job_tasks(self, task_ids: Iterable[str]) -> GetOutcome[str, replies.JobTask]:
        """Where each job sync task stands.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-jobs"""
        keys = {task_id: task_id for task_id in task_ids}
        return self.batch_get(self.route("simpleJobPostingTasks"), keys, replies.JobTask)

    def upsert_candidates(
        self, org_urn: str, bodies: Mapping[str, Mapping[str, Any]]
    ) -> WriteOutcome[str]:
        """Create or fully replace candidates, keyed by ATS candidate id, in batches of 100.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-candidates"""
        entities = {cid: (candidate_key(org_urn, cid), body) for cid, body in bodies.items()}
        return self.batch_write(self.route("atsCandidates"), "batch_update", entities)

    def get_candidates(
        self, org_urn: str, ats_candidate_ids: Iterable[str]
    ) -> GetOutcome[str, replies.SyncedCandidate]:
        """Synced candidates with the members LinkedIn matched them to, in batches of 100.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-candidates"""
        keys = {cid: candidate_key(org_urn, cid) for cid in ats_candidate_ids}
        return self.batch_get(self.route("atsCandidates"), keys, replies.SyncedCandidate)

    def delete_candidates(
        self, org_urn: str, ats_candidate_ids: Iterable[str]
    ) -> WriteOutcome[str]:
        """Delete candidates with their notes, in batches of 100; one already gone succeeds.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-candidates"""
        keys = {cid: candidate_key(org_urn, cid) for cid in ats_candidate_ids}
        return self.batch_delete(self.route("atsCandidates"), keys)

    def upsert_candidate_notes(
        self, org_urn: str, ats_candidate_id: str, bodies: Mapping[str, Mapping[str, Any]]
    ) -> WriteOutcome[str]:
        """Create or fully replace a synced candidate's notes, keyed by ATS note id; every key
        fails 404 while the candidate is not synced.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-candidates"""
        route = _v2_child("atsCandidates", candidate_key(org_urn, ats_candidate_id), "notes")
        return self._write_children(route, bodies)

    def delete_candidate_notes(
        self, org_urn: str, ats_candidate_id: str, note_ids: Iterable[str]
    ) -> WriteOutcome[str]:
        """Delete a candidate's notes; one already gone (or under a deleted candidate) succeeds.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-candidates"""
        route = _v2_child("atsCandidates", candidate_key(org_urn, ats_candidate_id), "notes")
        return self._delete_children(route, note_ids)

    def upsert_applications(
        self, org_urn: str, bodies: Mapping[str, Mapping[str, Any]]
    ) -> WriteOutcome[str]:
        """Create or fully replace applications, keyed by ATS application id, in batches of 100.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-applications"""
        entities = {aid: (application_key(org_urn, aid), body) for aid, body in bodies.items()}
        return self.batch_write(self.route("atsApplications"), "batch_update", entities)

    def delete_applications(
        self, org_urn: str, ats_application_ids: Iterable[str]
    ) -> WriteOutcome[str]:
        """Delete applications with their notes, stages and interview feedback; one already
        gone succeeds.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-applications"""
        keys = {aid: application_key(org_urn, aid) for aid in ats_application_ids}
        return self.batch_delete(self.route("atsApplications"), keys)

    def upsert_application_notes(
        self, org_urn: str, ats_application_id: str, bodies: Mapping[str, Mapping[str, Any]]
    ) -> WriteOutcome[str]:
        """Create or fully replace a synced application's notes, keyed by ATS note id; every
        key fails 404 while the application is not synced.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-applications"""
        route = self._application_child(org_urn, ats_application_id, "notes")
        return self._write_children(route, bodies)

    def delete_application_notes(
        self, org_urn: str, ats_application_id: str, note_ids: Iterable[str]
    ) -> WriteOutcome[str]:
        """Delete an application's notes; one already gone succeeds.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-applications"""
        route = self._application_child(org_urn, ats_application_id, "notes")
        return self._delete_children(route, note_ids)

    def upsert_application_stages(
        self, org_urn: str, ats_application_id: str, bodies: Mapping[str, Mapping[str, Any]]
    ) -> WriteOutcome[str]:
        """Create or fully replace a synced application's stage records (its stage history),
        keyed by ATS stage id; every key fails 404 while the application is not synced.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-applications"""
        route = self._application_child(org_urn, ats_application_id, "stages")
        return self._write_children(route, bodies)

    def delete_application_stages(
        self, org_urn: str, ats_application_id: str, stage_ids: Iterable[str]
    ) -> WriteOutcome[str]:
        """Delete an application's stage records; one already gone succeeds.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/sync-applications"""
        route = self._application_child(org_urn, ats_application_id, "stages")
        return self._delete_children(route, stage_ids)

    def upsert_acls(self, org_urn: str, keys: Iterable[AclKey]) -> WriteOutcome[AclKey]:
        """Secure jobs by ACL groups (the entities carry nothing but their key).
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls"""
        entities = {key: (key.fields(org_urn), KEY_ONLY) for key in keys}
        return self.batch_write(self.route("atsEntityAcls"), "batch_update", entities)

    def delete_acls(self, org_urn: str, keys: Iterable[AclKey]) -> WriteOutcome[AclKey]:
        """Stop securing jobs by these ACL groups; one already gone succeeds.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls"""
        fields = {key: key.fields(org_urn) for key in keys}
        return self.batch_delete(self.route("atsEntityAcls"), fields)

    def upsert_assignees(
        self, org_urn: str, keys: Iterable[AssigneeKey]
    ) -> WriteOutcome[AssigneeKey]:
        """Put members in ACL groups; LinkedIn refuses (per key) an eleventh group for a member.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls"""
        entities = {key: (key.fields(org_urn), KEY_ONLY) for key in keys}
        return self.batch_write(self.route("atsEntityAclAssignees"), "batch_update", entities)

    def delete_assignees(
        self, org_urn: str, keys: Iterable[AssigneeKey]
    ) -> WriteOutcome[AssigneeKey]:
        """Take members out of ACL groups; one already out succeeds.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls"""
        fields = {key: key.fields(org_urn) for key in keys}
        return self.batch_delete(self.route("atsEntityAclAssignees"), fields)

    def acl_groups_of(self, org_urn: str, person_urn: str) -> list[str]:
        """The ACL groups a member is in.
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls"""
        params = {
            "q": "criteria",
            "assignee": person_urn,
            "dataProvider": "ATS",
            "integrationContext": org_urn,
        }
        found = self.find_all(self.route("atsEntityAclAssignees"), params, replies.AclAssignee)
        return [assignee.ats_entity_acl_id for assignee in found]

    def job_acl_groups(self, org_urn: str, job_id: str) -> list[str]:
        """The ACL groups securing a job (none: the job follows JOB_POSTING_VIEWERS).
        https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/acls"""
        params = {
            "q": "criteria",
            "atsEntityId": job_id,
            "atsEntityType": JOB_POSTING,
            "dataProvider": "ATS",
            "integrationContext": org_urn,
        }
        found = self.find_all(self.route("atsEntityAcls"), params, replies.EntityAcl)
        return [acl.ats_entity_acl_id for acl in found]

    # Rest.li methods the calls above are made of.

    def find_all(
        self,
        route: restli.Route,
        params: Mapping[str, restli.Param],
        model: type[M],
        *,
        count: int = PAGE_SIZE,
    ) -> list[M]:
        """Every element of a FINDER: pages of `count` from `start` 0, until a short page or
        `paging.total` elements."""
        found: list[M] = []
        while True:
            paged = {**params, "start": len(found), "count": count}
            response = self._send(route, "GET", restli.encode_params(paged, route.protocol))
            page = self._parse(replies.FinderPage, response)
            found += [
                self._element(model, route.entity_back(element), response, len(found) + index)
                for index, element in enumerate(page.elements)
            ]
            total = page.paging.total
            if len(page.elements) < count or (total is not None and len(found) >= total):
                return found

    def batch_get(
        self, route: restli.Route, keys: Mapping[K, restli.Key], model: type[M]
    ) -> GetOutcome[K, M]:
        """BATCH_GET in batches of BATCH_MAX, answered per caller key."""
        found: dict[K, M] = {}
        failed: dict[K, ErrorBody] = {}
        for chunk in _chunks(list(keys.items())):
            wire = {caller: route.key(key) for caller, key in chunk}
            query = restli.encode_ids(list(wire.values()), route.protocol)
            response = self._send(route, "GET", query, restli_method="batch_get")
            reply = self._parse(replies.BatchGetReply, response)
            asked = {restli.identity(key): caller for caller, key in wire.items()}
            results = _rekey(asked, reply.results, response)
            statuses = _rekey(asked, reply.statuses, response)
            failed |= _rekey(asked, reply.errors, response)
            for caller, entity in results.items():
                found[caller] = self._element(model, route.entity_back(entity), response, caller)
            for caller in wire:
                if caller not in found and caller not in failed:
                    status = statuses.get(caller, 404)
                    failed[caller] = ErrorBody(status=status, message="not in LinkedIn's reply")
        return GetOutcome(found, failed)

    def batch_write(
        self,
        route: restli.Route,
        restli_method: str,
        entities: Mapping[K, tuple[restli.Key, Mapping[str, Any]]],
    ) -> WriteOutcome[K]:
        """BATCH_UPDATE / BATCH_PARTIAL_UPDATE in batches of BATCH_MAX, answered per caller key
        ({caller key: (Rest.li key, entity)}); a key LinkedIn leaves unanswered is InvalidReply."""
        succeeded: list[K] = []
        failed: dict[K, ErrorBody] = {}
        for chunk in _chunks(list(entities.items())):
            wire = {caller: route.key(key) for caller, (key, _) in chunk}
            body = {
                "entities": {
                    restli.encode_key(wire[caller], route.protocol): route.entity(entity)
                    for caller, (_, entity) in chunk
                }
            }
            query = restli.encode_ids(list(wire.values()), route.protocol)
            response = self._send(
                route, HTTP_METHODS[restli_method], query, body, restli_method=restli_method
            )
            reply = self._parse(replies.BatchWriteReply, response)
            answered = _answered(wire, reply, response, gone_is_done=False)
            succeeded += answered.succeeded
            failed |= answered.failed
        return WriteOutcome(succeeded, failed)

    def batch_delete(self, route: restli.Route, keys: Mapping[K, restli.Key]) -> WriteOutcome[K]:
        """BATCH_DELETE in batches of BATCH_MAX, answered per caller key. A key LinkedIn answers
        404 for is already gone, so it succeeded: a delete may be repeated."""
        succeeded: list[K] = []
        failed: dict[K, ErrorBody] = {}
        for chunk in _chunks(list(keys.items())):
            wire = {caller: route.key(key) for caller, key in chunk}
            query = restli.encode_ids(list(wire.values()), route.protocol)
            response = self._send(
                route, HTTP_METHODS["batch_delete"], query, restli_method="batch_delete"
            )
            reply = self._parse(replies.BatchWriteReply, response)
            answered = _answered(wire, reply, response, gone_is_done=True)
            succeeded += answered.succeeded
            failed |= answered.failed
        return WriteOutcome(succeeded, failed)

    def _application_child(self, org_urn: str, ats_application_id: str, name: str) -> restli.Route:
        return _v2_child("atsApplications", application_key(org_urn, ats_application_id), name)

    def _write_children(
        self, route: restli.Route, bodies: Mapping[str, Mapping[str, Any]]
    ) -> WriteOutcome[str]:
        """BATCH_UPDATE of children with simple ids. LinkedIn answers 404 for the whole batch
        when the parent is not synced: that is every key's answer."""
        entities = {child: (child, body) for child, body in bodies.items()}
        try:
            return self.batch_write(route, "batch_update", entities)
        except Permanent as refused:
            if refused.status != 404:
                raise
            error = ErrorBody(
                status=404, message=refused.message, service_error_code=refused.service_error_code
            )
            return WriteOutcome([], dict.fromkeys(bodies, error))

    def _delete_children(self, route: restli.Route, child_ids: Iterable[str]) -> WriteOutcome[str]:
        """BATCH_DELETE of children with simple ids. A 404 for the whole batch means the parent
        is gone, and its children with it: every key succeeded."""
        keys = {child: child for child in child_ids}
        try:
            return self.batch_delete(route, keys)
        except Permanent as refused:
            if refused.status != 404:
                raise
            return WriteOutcome(list(keys))

    # HTTP, tokens and retries.

    def _fetch_token(self) -> _Token:
        asked_at = self._clock()
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
        }
        request = self._http.build_request(
            "POST", f"{self.oauth_base}/oauth/v2/accessToken", data=form
        )
        response = self._with_retries(lambda: self._exchange(request))
        if not response.is_success:
            try:
                reason = str(response.json().get("error_description") or response.text)
            except (ValueError, AttributeError):
                reason = response.text
            raise AuthError(
                f"LinkedIn refused the client credentials of {self.client_id} "
                f"({response.status_code}): {reason[:200]}",
                status=response.status_code,
                request_id=_request_id(response),
            )
        reply = self._parse(replies.AccessToken, response)
        early = min(RENEW_EARLY_SECONDS, reply.expires_in / 2)
        return _Token(reply, asked_at + reply.expires_in - early)

    def _forget(self, access_token: str) -> None:
        with self._token_lock:
            if self._token is not None and self._token.reply.access_token == access_token:
                self._token = None

    def _send(
        self,
        route: restli.Route,
        method: str,
        query: str = "",
        body: Any = None,
        *,
        restli_method: str | None = None,
    ) -> httpx.Response:
        """One call: authorised, tunnelled when long, retried; renewed once on 401."""
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {**route.headers, "Accept": "application/json"}
        if restli_method:
            headers["X-RestLi-Method"] = restli_method
        url = self.api_base + route.path
        bearer = self.token().access_token
        response = self._authorised(method, url, query, content, headers, bearer)
        if response.status_code == 401:
            self._forget(bearer)
            response = self._authorised(
                method, url, query, content, headers, self.token().access_token
            )
        if response.is_success:
            return response
        error = _error_body(response)
        what = f"{_what(response.request)} answered {response.status_code}"
        if response.status_code == 401:
            raise AuthError(f"{what} to a renewed token: {error.message}", **_context(response))
        if response.is_redirect:
            location = response.headers.get("location")
            raise Permanent(
                f"{what}, a redirect to {location} (not followed)", **_context(response)
            )
        raise Permanent(f"{what}: {error.message}", **_context(response))

    def _authorised(
        self,
        method: str,
        url: str,
        query: str,
        content: bytes | None,
        headers: dict[str, str],
        bearer: str,
    ) -> httpx.Response:
        headers = {**headers, "Authorization": f"Bearer {bearer}"}
        if query and restli.needs_tunnel(query):
            tunnel_headers, tunnelled = restli.tunnel(method, query, content)
            request = self._http.build_request(
                "POST", url, headers=headers | tunnel_headers, content=tunnelled
            )
        else:
            if content is not None:
                headers["Content-Type"] = "application/json"
            target = f"{url}?{query}" if query else url
            request = self._http.build_request(method, target, headers=headers, content=content)
        return self._with_retries(lambda: self._exchange(request))

    def _without_credentials(
        self, request: httpx.Request, response: httpx.Response
    ) -> httpx.Response:
        """The response with our client secret and the request's token blanked out: an error
        body that quotes what it was sent must not carry them into error messages, logs and
        the database. The token endpoint's own answer is left whole (no token was sent)."""
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        sent = {self._secret, quote_plus(self._secret), bearer}
        found = [
            value.encode()
            for value in sent
            if len(value) >= 8 and value.encode() in response.content
        ]
        if not found:
            return response
        content = response.content
        for value in found:
            content = content.replace(value, REDACTED)
        dropped = {"content-encoding", "content-length", "transfer-encoding"}
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in dropped]
        return httpx.Response(
            response.status_code, headers=headers, content=content, request=request
        )

    def _with_retries(self, exchange: Callable[[], httpx.Response]) -> httpx.Response:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((_RetryableReply, *RETRYABLE_ERRORS)),
            wait=self._wait,
            stop=self._stop,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, exchange)
        except _RetryableReply as exhausted:
            response = exhausted.response
            error = _error_body(response)
            what = f"{_what(response.request)} answered {response.status_code}"
            if response.status_code == 429:
                raise Throttled(
                    f"{what}: {error.message}",
                    retry_after=self._retry_after(response),
                    **_context(response),
                ) from None
            raise Transient(f"{what}: {error.message}", **_context(response)) from None
        except RETRYABLE_ERRORS as failure:
            raise Transient(f"LinkedIn did not answer: {failure!r}") from failure

    def _attempt(self, exchange: Callable[[], httpx.Response]) -> httpx.Response:
        response = exchange()
        status = response.status_code
        if status == 429 and "retry-after" not in response.headers:
            message = _error_body(response).message
            if DAILY_LIMIT.search(message) and not SHORT_LIMIT.search(message):
                now = datetime.fromtimestamp(self._clock(), UTC)
                midnight = datetime.combine(
                    now.date() + timedelta(days=1), datetime.min.time(), UTC
                )
                raise DailyQuotaExceeded(
                    f"{_what(response.request)} answered 429: {message} (resets 00:00 UTC)",
                    resets_at=midnight,
                    retry_after=(midnight - now).total_seconds(),
                    **_context(response),
                )
        if status in (408, 429) or status >= 500:
            raise _RetryableReply(response)
        return response

    def _wait(self, state: tenacity.RetryCallState) -> float:
        jitter = self._jitter(state)
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _RetryableReply):
            return max(jitter, self._retry_after(failure.response) or 0.0)
        return jitter

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        backoff = self._backoff
        return (
            state.attempt_number >= backoff.attempts
            or state.idle_for + state.upcoming_sleep > backoff.budget
            or state.upcoming_sleep > backoff.cap
        )

    def _retry_after(self, response: httpx.Response) -> float | None:
        """Retry-After in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self._clock())

    def _exchange(self, request: httpx.Request) -> httpx.Response:
        """Send once and log it (never a request header: they carry the token)."""
        what = _what(request)
        started = time.perf_counter()
        try:
            response = self._http.send(request, follow_redirects=False)
        except httpx.TransportError as failure:
            elapsed = (time.perf_counter() - started) * 1000
            log.warning("%s failed after %.0f ms: %r", what, elapsed, failure)
            raise
        response = self._without_credentials(request, response)
        elapsed = (time.perf_counter() - started) * 1000
        noted = {
            name: value
            for name, value in response.headers.items()
            if name in REQUEST_ID_HEADERS or THROTTLE_HEADERS.match(name)
        }
        log.log(
            logging.INFO if response.status_code < 400 else logging.WARNING,
            "%s -> %s in %.0f ms%s",
            what,
            response.status_code,
            elapsed,
            "".join(f" {name}={value}" for name, value in noted.items()),
            extra={
                "linkedin_call": what,
                "linkedin_status": response.status_code,
                "linkedin_ms": round(elapsed),
                "linkedin_request_id": _request_id(response),
                "linkedin_headers": noted,
            },
        )
        return response

    def _parse(self, model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as invalid:
            raise InvalidReply(
                f"{_what(response.request)} answered {response.status_code} with a body we "
                f"cannot read: {_summary(invalid)}",
                **_context(response),
            ) from None

    def _element(self, model: type[M], raw: Any, response: httpx.Response, where: object) -> M:
        """One element of a reply (`where`: its position or key) as `model`."""
        try:
            return model.model_validate(raw)
        except ValidationError as invalid:
            raise InvalidReply(
                f"{_what(response.request)}: element {where!r} is not a {model.__name__}: "
                f"{_summary(invalid)}",
                **_context(response),
            ) from None


def candidate_key(org_urn: str, ats_candidate_id: str) -> dict[str, str]:
    return {
        "atsCandidateId": ats_candidate_id,
        "dataProvider": "ATS",
        "integrationContext": org_urn,
    }


def application_key(org_urn: str, ats_application_id: str) -> dict[str, str]:
    return {
        "atsJobApplicationId": ats_application_id,
        "dataProvider": "ATS",
        "integrationContext": org_urn,
    }


def _v2_child(resource: str, key: restli.Key, name: str) -> restli.Route:
    """A sub-resource under one entity, always on `/v2/`: LinkedIn's versioned surface serves
    notes and stages as resources of their own, not under the parent's key."""
    return restli.RESOURCES[resource].route().child(key, name)


def _require_text(**values: object) -> None:
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name}: a non-empty string is required, not {value!r}")


def _chunks(items: list[V]) -> Iterable[list[V]]:
    for start in range(0, len(items), BATCH_MAX):
        yield items[start : start + BATCH_MAX]


def _answered(
    wire: Mapping[K, restli.Key],
    reply: replies.BatchWriteReply,
    response: httpx.Response,
    *,
    gone_is_done: bool,
) -> WriteOutcome[K]:
    """One batch reply per caller key: an error or a status of 300 and more fails the key,
    except a 404 when `gone_is_done`; a key left unanswered is InvalidReply."""
    asked = {restli.identity(key): caller for caller, key in wire.items()}
    results = _rekey(asked, reply.results, response)
    errors = _rekey(asked, reply.errors, response)
    succeeded: list[K] = []
    failed: dict[K, ErrorBody] = {}
    for caller in wire:
        error, result = errors.get(caller), results.get(caller)
        if error is None and result is None:
            raise InvalidReply(
                f"{_what(response.request)}: no result for key {caller!r}", **_context(response)
            )
        if error is None and result is not None and result.status >= 300:
            error = ErrorBody(
                status=result.status, message=f"answered {result.status} for this entity"
            )
        if error is None or (gone_is_done and error.status == 404):
            succeeded.append(caller)
        else:
            failed[caller] = error
    return WriteOutcome(succeeded, failed)


def _rekey(
    asked: Mapping[restli.Identity, K], answered: Mapping[str, V], response: httpx.Response
) -> dict[K, V]:
    """A reply's map re-keyed by the caller's keys; a key nobody asked for is InvalidReply."""
    rekeyed: dict[K, V] = {}
    for spelled, value in answered.items():
        try:
            rekeyed[asked[restli.parse_key(spelled)]] = value
        except (KeyError, ValueError):
            raise InvalidReply(
                f"{_what(response.request)} answered for key {spelled!r}, which was not asked",
                **_context(response),
            ) from None
    return rekeyed


def _what(request: httpx.Request) -> str:
    override = request.headers.get("x-http-method-override")
    if override:
        return f"{override} {request.url.path} (tunnelled)"
    return f"{request.method} {request.url.path}"


def _request_id(response: httpx.Response) -> str | None:
    return next(
        (response.headers[name] for name in REQUEST_ID_HEADERS if name in response.headers), None
    )


def _error_body(response: httpx.Response) -> ErrorBody:
    """LinkedIn's error body, or one made of the text when the body is not LinkedIn's shape
    (a proxy's HTML page): the status code is what decides, the message only informs."""
    try:
        return ErrorBody.model_validate_json(response.content)
    except ValidationError:
        text = response.text.strip()[:200] or response.reason_phrase
        return ErrorBody(status=response.status_code, message=text)


def _context(response: httpx.Response) -> dict[str, Any]:
    return {
        "status": response.status_code,
        "service_error_code": _error_body(response).service_error_code,
        "request_id": _request_id(response),
    }


def _summary(invalid: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
        for error in invalid.errors()[:3]
    )
