"""Every route, for every role (and anonymous) and each object it concerns: the answer the
policy gives — allowed, 403, 404, 401 for the API without a key, the login page for the UI.

The routes come from the URL resolver (the UI) and from the OpenAPI schema (/v1), so a route
added without an entry below fails `test_every_route_is_in_the_matrix`. Left out: the Django
admin (its own login and only Super Admins get in; tests/web/test_admin.py opens every page of
it for each role) and static files (whitenoise serves them before any URL pattern).

The objects are made once for the module; every request runs in a transaction that is rolled
back, so a delete or an archive in one cell changes nothing for the next.
"""

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hirebridge.accounts.models import ApiKey, User
from hirebridge.accounts.policy import ROLES_ALLOWED, Action
from hirebridge.accounts.roles import Role
from hirebridge.api import api
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason, Stage
from hirebridge.linkedin import client as linkedin_client
from hirebridge.linkedin.models import (
    ClosedProfile,
    Contract,
    IntegrationStatus,
    IntegrationType,
    Seat,
)
from hirebridge.webhooks.models import CreatedVia, Webhook
from tests.factories import PostingFactory, UserFactory, candidate, linkedin_integration

# Every test reads the database (the module's objects), each within its own rollback.
pytestmark = pytest.mark.django_db

# One client for the module: a new one would set its middleware up again on its first request.
CLIENT = Client()
# Nothing listens here: a LinkedIn call made while a view runs fails at once.
NOWHERE = "http://127.0.0.1:9"
ANONYMOUS = "anonymous"
Who = Role | str
EVERYONE: list[Who] = [*Role, ANONYMOUS]


class Outcome(StrEnum):
    ALLOWED = "allowed"  # the view did its work (a form error or a LinkedIn failure included)
    FORBIDDEN = "403"
    HIDDEN = "404"
    UNAUTHORIZED = "401"
    LOGIN = "login"  # the UI sends the visitor to sign in
    METHOD = "405"


def outcome(response: Any) -> Outcome:
    status = response.status_code
    if status == 302 and response["Location"].startswith(f"{reverse('login')}?next="):
        return Outcome.LOGIN
    refusals = {401: Outcome.UNAUTHORIZED, 403: Outcome.FORBIDDEN, 404: Outcome.HIDDEN}
    if status in refusals:
        return refusals[status]
    if status == 405:
        return Outcome.METHOD
    assert status < 500 or status in (502, 503), f"server error {status}"
    return Outcome.ALLOWED


# Who sees which object. Each candidate has one opportunity, so a candidate is visible
# exactly when its opportunity is (policy.py's module docstring states these rules).
ALL_BUT_INTERVIEWER = {Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER, Role.LIMITED_TEAM_MEMBER}
OPEN_TO_ALL_TEAMS = {Role.SUPER_ADMIN, Role.ADMIN, Role.TEAM_MEMBER}
VISIBLE: dict[str, set[Role]] = {
    # opportunities and candidates
    "on Lee's posting": ALL_BUT_INTERVIEWER,
    "on another posting": OPEN_TO_ALL_TEAMS,
    "on a confidential posting": {Role.SUPER_ADMIN},
    "on no posting": OPEN_TO_ALL_TEAMS,
    "archived, on Lee's posting": ALL_BUT_INTERVIEWER,
    "followed by Lee": ALL_BUT_INTERVIEWER,
    # postings
    "Lee's posting": ALL_BUT_INTERVIEWER,
    "another posting": OPEN_TO_ALL_TEAMS,
    "a confidential posting": {Role.SUPER_ADMIN},
    # objects of one user, or of the installation
    "Lee's API key": {Role.LIMITED_TEAM_MEMBER},
    "Sam's API key": {Role.SUPER_ADMIN},
    "a webhook": set(Role),
    "a seat": set(Role),
    "a closed profile": set(Role),
    "a stage": set(Role),
    "an archive reason": set(Role),
    "a user": set(Role),
}
OPPORTUNITIES = [
    "on Lee's posting",
    "on another posting",
    "on a confidential posting",
    "on no posting",
    "archived, on Lee's posting",
    "followed by Lee",
]
POSTINGS = ["Lee's posting", "another posting", "a confidential posting"]
NO_OBJECT = [""]

Rule = Callable[[Who, str], Outcome]


def anyone(who: Who, kind: str) -> Outcome:
    return Outcome.ALLOWED


def may(action: Action) -> Rule:
    """A gate on the role alone."""

    def rule(who: Who, kind: str) -> Outcome:
        return Outcome.ALLOWED if who in ROLES_ALLOWED[action] else Outcome.FORBIDDEN

    return rule


def sees(who: Who, kind: str) -> Outcome:
    """The object is looked up among those the user may see: 404 hides the rest."""
    return Outcome.ALLOWED if who in VISIBLE[kind] else Outcome.HIDDEN


def sees_then_may(action: Action) -> Rule:
    """404 for what the user cannot see, then 403 when they see it but may not do `action`."""

    def rule(who: Who, kind: str) -> Outcome:
        return sees(who, kind) if sees(who, kind) == Outcome.HIDDEN else may(action)(who, kind)

    return rule


def may_then_sees(action: Action) -> Rule:
    """403 for a role without `action` (whatever the object), then 404 for what it cannot see."""

    def rule(who: Who, kind: str) -> Outcome:
        refused = may(action)(who, kind)
        return refused if refused != Outcome.ALLOWED else sees(who, kind)

    return rule


def signed_push_only(found: Outcome) -> Outcome:
    """A push without X-LI-Signature is refused once the token names an integration."""
    return Outcome.UNAUTHORIZED if found == Outcome.ALLOWED else found


def known_token(who: Who, kind: str) -> Outcome:
    """The callback's URL token names an integration, or the URL does not exist."""
    return Outcome.ALLOWED if kind == "the integration" else Outcome.HIDDEN


def same_for_everyone(answer: Outcome) -> Rule:
    return lambda who, kind: answer


@dataclass(frozen=True)
class Entry:
    """What a route answers for each method it is tested with; `kinds` are the objects its
    URL names (NO_OBJECT when it names none). `public` routes answer anonymous visitors as
    they answer anyone: they have their own authentication (a token, a signature) or none."""

    kinds: list[str]
    methods: dict[str, Rule]
    public: bool = False
    body: dict[str, Any] = field(default_factory=dict)


def get(rule: Rule, kinds: list[str] = NO_OBJECT) -> Entry:
    return Entry(kinds, {"GET": rule})


def post(rule: Rule, kinds: list[str] = NO_OBJECT) -> Entry:
    return Entry(kinds, {"POST": rule})


def get_and_post(rule: Rule, kinds: list[str] = NO_OBJECT) -> Entry:
    return Entry(kinds, {"GET": rule, "POST": rule})


MANAGE_LINKEDIN = post(may(Action.MANAGE_LINKEDIN))

UI: dict[str, Entry] = {
    "healthz": Entry(NO_OBJECT, {"GET": anyone}, public=True),
    "readyz": Entry(NO_OBJECT, {"GET": anyone}, public=True),
    "login": Entry(NO_OBJECT, {"GET": anyone, "POST": anyone}, public=True),
    "logout": Entry(NO_OBJECT, {"POST": anyone}, public=True),
    # The second step of signing in: without a password step behind it, back to the login.
    "sign-in-code": Entry(NO_OBJECT, {"GET": anyone, "POST": anyone}, public=True),
    "sign-in-enrol": Entry(NO_OBJECT, {"GET": anyone, "POST": anyone}, public=True),
    # The API's schema and its documentation: public, and a POST reads them too.
    "openapi-json": Entry(NO_OBJECT, {"GET": anyone, "POST": anyone}, public=True),
    "openapi-view": Entry(NO_OBJECT, {"GET": anyone, "POST": anyone}, public=True),
    "api-root": Entry(
        NO_OBJECT,
        {"GET": same_for_everyone(Outcome.HIDDEN), "POST": same_for_everyone(Outcome.HIDDEN)},
        public=True,
    ),
    # Its own authentication: 404 while INBOUND_EMAIL_TOKEN is unset, else the token header.
    "inbound-email": Entry(
        NO_OBJECT,
        {"GET": same_for_everyone(Outcome.METHOD), "POST": same_for_everyone(Outcome.UNAUTHORIZED)},
        public=True,
    ),
    # LinkedIn's: the unguessable token in the URL, then X-LI-Signature on every push.
    "linkedin-callback": Entry(
        ["the integration", "an unknown callback token"],
        {
            "GET": known_token,  # without challengeCode: 400
            "POST": lambda who, kind: signed_push_only(known_token(who, kind)),
        },
        public=True,
    ),
    # Read-only pages answer a POST as a GET: no state changes either way.
    "home": get_and_post(anyone),
    "candidates": get_and_post(may(Action.VIEW_CANDIDATES)),
    "candidate-duplicates": get_and_post(may(Action.VIEW_CANDIDATES)),
    "pipeline": get(may(Action.VIEW_CANDIDATES)),
    "candidate": get(sees, OPPORTUNITIES),
    "candidate-note-add": post(sees_then_may(Action.CHANGE_OPPORTUNITY), OPPORTUNITIES),
    "candidate-email-send": post(sees_then_may(Action.CHANGE_OPPORTUNITY), OPPORTUNITIES),
    "opportunity-stage": post(sees_then_may(Action.CHANGE_OPPORTUNITY), OPPORTUNITIES),
    "opportunity-archive": post(sees_then_may(Action.CHANGE_OPPORTUNITY), OPPORTUNITIES),
    "opportunity-unarchive": post(sees_then_may(Action.CHANGE_OPPORTUNITY), OPPORTUNITIES),
    "candidate-merge": get_and_post(may_then_sees(Action.MERGE_CANDIDATES), OPPORTUNITIES),
    "candidate-privacy-notice-sent": post(sees_then_may(Action.CHANGE_OPPORTUNITY), OPPORTUNITIES),
    "candidate-delete": get_and_post(may_then_sees(Action.DELETE_CANDIDATE), OPPORTUNITIES),
    # USE_LINKEDIN and CHANGE_OPPORTUNITY belong to every role that sees candidates.
    "candidate-linkedin-prepare": post(sees, OPPORTUNITIES),
    "candidate-linkedin-connect": post(sees, OPPORTUNITIES),
    "candidate-linkedin-disconnect": post(sees, OPPORTUNITIES),
    # Every signed-in user gets the page; it says why a role or installation has no widget.
    "linkedin-search": get(anyone),
    "recommendations": get(anyone),
    "postings": get(anyone),
    "posting": get(sees, POSTINGS),
    "posting-create": get_and_post(may(Action.MANAGE_POSTINGS)),
    "posting-edit": get_and_post(may_then_sees(Action.MANAGE_POSTINGS), POSTINGS),
    "api-keys": get(anyone),
    "api-key-create": post(anyone),
    "api-key-revoke": post(sees, ["Lee's API key", "Sam's API key"]),
    "two-factor": get(anyone),
    "two-factor-enable": post(anyone),
    "two-factor-disable": post(anyone),
    "two-factor-recovery-codes": post(anyone),
    "sign-in-policy": get_and_post(may(Action.MANAGE_USERS)),
    "audit-log": get(may(Action.VIEW_AUDIT_LOG)),
    "privacy-settings": get_and_post(may(Action.DELETE_CANDIDATE)),
    "webhook-settings": get(may(Action.MANAGE_INTEGRATIONS)),
    "webhook-create": post(may(Action.MANAGE_INTEGRATIONS)),
    "webhook-delete": post(may_then_sees(Action.MANAGE_INTEGRATIONS), ["a webhook"]),
    "webhook-verify": post(may_then_sees(Action.MANAGE_INTEGRATIONS), ["a webhook"]),
    "linkedin-settings": get(may(Action.MANAGE_LINKEDIN)),
    "linkedin-settings-credentials": MANAGE_LINKEDIN,
    "linkedin-settings-provision": MANAGE_LINKEDIN,
    "linkedin-settings-onboarding": MANAGE_LINKEDIN,
    "linkedin-settings-check": MANAGE_LINKEDIN,
    "linkedin-settings-register": MANAGE_LINKEDIN,
    "linkedin-settings-statuses": MANAGE_LINKEDIN,
    "linkedin-settings-seats": MANAGE_LINKEDIN,
    "linkedin-settings-map-seat": post(may_then_sees(Action.MANAGE_LINKEDIN), ["a seat"]),
    "linkedin-settings-backfill": MANAGE_LINKEDIN,
    "linkedin-settings-retry": MANAGE_LINKEDIN,
    "linkedin-settings-job-availability": MANAGE_LINKEDIN,
    "linkedin-settings-decide-closed-profile": post(
        may_then_sees(Action.MANAGE_LINKEDIN), ["a closed profile"]
    ),
}

CHANGE = sees_then_may(Action.CHANGE_OPPORTUNITY)
# A valid body for each write: the API validates the body before the view checks the role.
API: dict[str, Entry] = {
    "GET /v1/stages": get(anyone),
    "GET /v1/stages/{stage_id}": get(sees, ["a stage"]),
    "GET /v1/archive_reasons": get(anyone),
    "GET /v1/archive_reasons/{reason_id}": get(sees, ["an archive reason"]),
    "GET /v1/tags": get(anyone),
    "GET /v1/sources": get(anyone),
    "GET /v1/users": get(anyone),
    "GET /v1/users/{user_id}": get(sees, ["a user"]),
    "GET /v1/postings": get(anyone),
    "POST /v1/postings": Entry(
        NO_OBJECT, {"POST": may(Action.MANAGE_POSTINGS)}, body={"text": "Matrix Engineer"}
    ),
    "GET /v1/postings/{posting_id}": get(sees, POSTINGS),
    "POST /v1/postings/{posting_id}": Entry(
        POSTINGS, {"POST": sees_then_may(Action.MANAGE_POSTINGS)}, body={"text": "Renamed"}
    ),
    "GET /v1/opportunities": get(may(Action.VIEW_CANDIDATES)),
    "POST /v1/opportunities": Entry(
        NO_OBJECT, {"POST": may(Action.ADD_CANDIDATE)}, body={"name": "Mat Rix"}
    ),
    "GET /v1/opportunities/{opportunity_id}": get(sees, OPPORTUNITIES),
    "PUT /v1/opportunities/{opportunity_id}/stage": Entry(
        OPPORTUNITIES, {"PUT": CHANGE}, body={"stage": "<stage>"}
    ),
    "PUT /v1/opportunities/{opportunity_id}/archived": Entry(
        OPPORTUNITIES, {"PUT": CHANGE}, body={"reason": "<reason>"}
    ),
    "POST /v1/opportunities/{opportunity_id}/addTags": Entry(
        OPPORTUNITIES, {"POST": CHANGE}, body={"tags": ["matrix"]}
    ),
    "POST /v1/opportunities/{opportunity_id}/removeTags": Entry(
        OPPORTUNITIES, {"POST": CHANGE}, body={"tags": ["matrix"]}
    ),
    "POST /v1/opportunities/{opportunity_id}/addSources": Entry(
        OPPORTUNITIES, {"POST": CHANGE}, body={"sources": ["Matrix"]}
    ),
    "POST /v1/opportunities/{opportunity_id}/removeSources": Entry(
        OPPORTUNITIES, {"POST": CHANGE}, body={"sources": ["Matrix"]}
    ),
    "GET /v1/opportunities/{opportunity_id}/messages": get(sees, OPPORTUNITIES),
    "GET /v1/opportunities/{opportunity_id}/linkedin": get(sees, OPPORTUNITIES),
    "GET /v1/opportunities/{opportunity_id}/notes": get(sees, OPPORTUNITIES),
    "POST /v1/opportunities/{opportunity_id}/notes": Entry(
        OPPORTUNITIES, {"POST": CHANGE}, body={"value": "A note"}
    ),
    "GET /v1/webhooks": get(may(Action.MANAGE_INTEGRATIONS)),
    "POST /v1/webhooks": Entry(
        NO_OBJECT,
        {"POST": may(Action.MANAGE_INTEGRATIONS)},
        body={"event": "stageChange", "url": "http://127.0.0.1:9/hook"},
    ),
    "PUT /v1/webhooks/{webhook_id}": Entry(
        ["a webhook"], {"PUT": may_then_sees(Action.MANAGE_INTEGRATIONS)}, body={}
    ),
    "DELETE /v1/webhooks/{webhook_id}": Entry(
        ["a webhook"], {"DELETE": may_then_sees(Action.MANAGE_INTEGRATIONS)}
    ),
}


# The API's own pages, named inside its URL namespace.
API_PAGES = {"openapi-json", "openapi-view", "api-root"}


def ui_route_names() -> set[str]:
    """Every named URL pattern but the admin's and the /v1 operations (those come from the
    OpenAPI schema)."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    return {
        pattern.name or path
        for path, pattern in walk(get_resolver().url_patterns, "")
        if not path.startswith("admin/") and pattern.callback.__module__ != "ninja.operation"
    }


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


@dataclass(frozen=True)
class World:
    users: dict[Role, User]
    sessions: dict[Role, str]  # signed in once: each request sends the session's cookie
    keys: dict[Role, str]  # plaintext API keys
    objects: dict[str, str]  # kind → the id its URL carries
    partner: str  # a candidate every role with candidates sees: the one to merge with
    stage: str
    reason: str


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Made once, inside a transaction rolled back when the module ends. LinkedIn calls that
    views make go nowhere and fail at once, without the client's backoff between retries."""
    quiet_linkedin = dict(linkedin_client.LinkedInClient.__init__.__kwdefaults__ or {})
    linkedin_client.LinkedInClient.__init__.__kwdefaults__ = {
        **quiet_linkedin,
        "sleep": lambda seconds: None,
        "backoff": linkedin_client.Backoff(attempts=1),
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            API_RATE_BURST=1_000_000,
            LINKEDIN_API_BASE=NOWHERE,
            LINKEDIN_OAUTH_BASE=NOWHERE,
            LINKEDIN_PLATFORM_BASE=NOWHERE,
            WEBHOOKS_ALLOW_PRIVATE_TARGETS=False,
            INBOUND_EMAIL_TOKEN="matrix-inbound-token",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        transaction.atomic(),
    ):
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            linkedin_client.LinkedInClient.__init__.__kwdefaults__ = quiet_linkedin


def build_world() -> World:
    users = {role: UserFactory(role=role, name=f"{role.label} Matrix") for role in Role}
    sam, alex, lee = users[Role.SUPER_ADMIN], users[Role.ADMIN], users[Role.LIMITED_TEAM_MEMBER]
    lees = PostingFactory(title="Data Lead", owner=alex, hiring_manager=lee)
    other = PostingFactory(title="Backend Engineer", owner=alex)
    secret = PostingFactory(title="Secret CTO", owner=sam, confidential=True)
    reason = ArchiveReason.objects.filter(active=True).order_by("pk").first()
    assert reason is not None
    archived = candidate(alex, "Arch Ived", posting=lees)
    services.archive(alex, archived, reason)
    followed = candidate(alex, "Fol Lowed", posting=other)
    followed.followers.add(lee)
    opportunities = {
        "on Lee's posting": candidate(alex, "Lee Team", posting=lees),
        "on another posting": candidate(alex, "Oth Er", posting=other),
        "on a confidential posting": candidate(sam, "Con Fidential", posting=secret),
        "on no posting": candidate(alex, "Gen Eral", origin="applied"),
        "archived, on Lee's posting": archived,
        "followed by Lee": followed,
    }
    partner = candidate(alex, "Part Ner", posting=lees)
    integration = linkedin_integration()
    IntegrationStatus.objects.create(
        integration=integration,
        integration_type=IntegrationType.UNIFIED_SEARCH,
        context_urn=integration.organization_urn,
        onboarded=True,
    )
    contract = Contract.objects.create(integration=integration, urn="urn:li:contract:1")
    seats = [
        Seat.objects.create(contract=contract, urn=f"urn:li:seat:{number}", user=user)
        for number, user in enumerate(users.values(), start=1)
    ]
    closed = ClosedProfile.objects.create(
        integration=integration, person_urn="urn:li:person:closed", closed_at=timezone.now()
    )
    hook = Webhook.objects.create(
        event="stageChange",
        url="http://127.0.0.1:9/hook",
        created_by=sam,
        created_via=CreatedVia.UI,
    )
    api_hook = Webhook.objects.create(
        event="stageChange",
        url="http://127.0.0.1:9/hook",
        created_by=sam,
        created_via=CreatedVia.API,
    )
    keys = {role: ApiKey.objects.issue(user, "matrix")[1] for role, user in users.items()}
    sessions = {}
    for role, user in users.items():
        CLIENT.cookies.clear()  # else logging in the next user would end this one's session
        CLIENT.force_login(user)
        sessions[role] = CLIENT.session.session_key
    stage = Stage.objects.active().first()
    assert stage is not None
    objects = {
        **{kind: str(opportunity.pk) for kind, opportunity in opportunities.items()},
        **{
            f"candidate {kind}": str(opportunity.candidate_id)
            for kind, opportunity in opportunities.items()
        },
        "Lee's posting": str(lees.pk),
        "another posting": str(other.pk),
        "a confidential posting": str(secret.pk),
        "Lee's API key": str(ApiKey.objects.issue(lee, "revocable")[0].pk),
        "Sam's API key": str(ApiKey.objects.issue(sam, "revocable")[0].pk),
        "a webhook": str(hook.pk),
        "an API webhook": str(api_hook.pk),
        "a seat": str(seats[0].pk),
        "a closed profile": str(closed.pk),
        "a stage": str(stage.pk),
        "an archive reason": str(reason.pk),
        "a user": str(alex.pk),
        "the integration": integration.callback_token,
        "an unknown callback token": "not-a-token",
    }
    return World(
        users, sessions, keys, objects, str(partner.candidate_id), str(stage.pk), str(reason.pk)
    )


def ui_url(world: World, name: str, kind: str) -> str:
    if not kind:
        return reverse(f"v1:{name}" if name in API_PAGES else name)
    # The one parameter the route's pattern takes (reverse_dict: name → [(bits, params)], …).
    (parameter,) = get_resolver().reverse_dict.getlist(name)[0][0][0][1]
    value = world.objects[f"candidate {kind}" if parameter == "candidate_id" else kind]
    return reverse(name, kwargs={parameter: value})


def ui_answer(world: World, who: Who, method: str, url: str) -> Outcome:
    CLIENT.cookies.clear()
    if who != ANONYMOUS:
        CLIENT.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[Role(who)]
    with transaction.atomic():
        response = CLIENT.generic(method, url)
        transaction.set_rollback(True)
    return outcome(response)


def api_answer(world: World, who: Who, method: str, url: str, body: dict[str, Any]) -> Outcome:
    headers = {}
    if who != ANONYMOUS:
        token = base64.b64encode(f"{world.keys[Role(who)]}:".encode()).decode()
        headers["HTTP_AUTHORIZATION"] = f"Basic {token}"
    data = json.dumps(body).replace("<stage>", world.stage).replace("<reason>", world.reason)
    CLIENT.cookies.clear()
    with transaction.atomic():
        response = CLIENT.generic(method, url, data, "application/json", **headers)
        transaction.set_rollback(True)
    return outcome(response)


def expected_ui(entry: Entry, who: Who, method: str, kind: str) -> set[Outcome]:
    rule = entry.methods.get(method)
    if who == ANONYMOUS and not entry.public:
        # Signing in comes first, or the method check does: a refusal either way.
        return {Outcome.LOGIN} if rule else {Outcome.LOGIN, Outcome.METHOD}
    if rule is None:
        return {Outcome.METHOD}
    return {rule(who, kind)}


def test_every_route_is_in_the_matrix():
    assert sorted(ui_route_names() - UI.keys()) == [], "add it to the matrix (UI)"
    assert sorted(UI.keys() - ui_route_names()) == [], "no such route: remove it"
    assert sorted(api_operations() - API.keys()) == [], "add it to the matrix (API)"
    assert sorted(API.keys() - api_operations()) == [], "no such operation: remove it"


@pytest.mark.parametrize("name", sorted(UI))
def test_ui_route_answers_each_role_as_the_policy_says(world, name):
    entry = UI[name]
    # A public route answers everyone alike: the least privileged role and a visitor suffice.
    askers = [Role.INTERVIEWER, ANONYMOUS] if entry.public else EVERYONE
    wrong = []
    for number, kind in enumerate(entry.kinds):
        url = ui_url(world, name, kind)
        if name == "candidate-merge":
            url += f"?with={world.partner}"
        # A method the route does not serve is refused before any object is looked up.
        methods = [m for m in ("GET", "POST") if m in entry.methods or number == 0]
        for method in methods:
            for who in askers:
                answer = ui_answer(world, who, method, url)
                wanted = expected_ui(entry, who, method, kind)
                if answer not in wanted:
                    wrong.append(f"{method} {kind or url} as {who}: {answer}, not {wanted}")
    assert wrong == []


@pytest.mark.parametrize("operation", sorted(API))
def test_api_operation_answers_each_role_as_the_policy_says(world, operation):
    entry = API[operation]
    method, path = operation.split(" ", 1)
    wrong = []
    for kind in entry.kinds:
        url = path
        if kind:
            url = path.replace(
                path[path.index("{") : path.index("}") + 1],
                world.objects["an API webhook" if kind == "a webhook" else kind],
            )
        for who in EVERYONE:
            answer = api_answer(world, who, method, url, entry.body)
            rule = entry.methods[method]
            wanted = Outcome.UNAUTHORIZED if who == ANONYMOUS else rule(who, kind)
            if answer != wanted:
                wrong.append(f"{kind or url} as {who}: {answer}, not {wanted}")
    assert wrong == []
