"""Property tests of /v1 from its own OpenAPI document: whatever schemathesis sends, with a
Super Admin's key, the API never fails with a 5xx and what it documents is what it answers.

Generated ids rarely name anything, so path ids are drawn half the time from real, seeded
objects: then the endpoints behind the 404 get exercised too.
"""

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from hirebridge.accounts.models import ApiKey
from hirebridge.hiring import services
from hirebridge.hiring.models import ArchiveReason
from hirebridge.webhooks.models import CreatedVia, Event, Webhook
from hirebridge.wsgi import application
from tests.api.conftest import basic_auth
from tests.factories import PostingFactory, candidate

schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", application)

# Path parameter name -> ids of seeded objects; filled per test by `seeded`.
SEEDED_IDS: dict[str, list[str]] = {}
# Body field -> values the API accepts, so that writes get past validation too.
ACCEPTED_VALUES: dict[str, list[Any]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Keep what was generated, or swap every known id for a seeded one."""
    if not path_parameters:
        return st.just(path_parameters)

    def with_real_ids(choice: int) -> dict[str, Any]:
        real = dict(path_parameters)
        for name in real:
            if ids := SEEDED_IDS.get(name):
                real[name] = ids[choice % len(ids)]
        return real

    return st.one_of(
        st.just(path_parameters), st.integers(min_value=0, max_value=7).map(with_real_ids)
    )


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """Keep what was generated, or give the fields the API checks values it accepts."""
    if not isinstance(body, dict) or not set(body) & set(ACCEPTED_VALUES):
        return st.just(body)

    def with_accepted_values(choice: int) -> dict[str, Any]:
        accepted = dict(body)
        for name in accepted.keys() & ACCEPTED_VALUES.keys():
            values = ACCEPTED_VALUES[name]
            accepted[name] = values[choice % len(values)]
        return accepted

    return st.one_of(st.just(body), st.integers(min_value=0, max_value=7).map(with_accepted_values))


@pytest.fixture(autouse=True)
def connection_kept_across_requests():
    """The calls run in-process inside the test's transaction. Django closes a connection that is
    not in autocommit at the end of a request (PostgreSQL then loses the transaction); its own
    test client unhooks that for the same reason."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def seeded(sam, alex, tara, lee, settings):
    """A posting with two candidates (one noted, one archived) and a webhook, as a Super
    Admin's world; returns that Super Admin's Authorization header."""
    # Generated webhook URLs are not looked up in DNS; no delivery leaves a test transaction.
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    posting = PostingFactory(title="Platform Engineer", owner=alex, hiring_manager=lee)
    ada = candidate(tara, "Ada Lovelace", posting=posting, tags=["python"], sources=["Referral"])
    bob = candidate(alex, "Bob Byte", posting=posting)
    services.add_note(tara, ada.candidate, "Strong on distributed systems", opportunity=ada)
    reason = ArchiveReason.objects.order_by("pk").first()
    assert reason is not None, "the migrations seed archive reasons"
    services.archive(alex, bob, reason)
    hook = Webhook.objects.create(
        event=Event.CANDIDATE_STAGE_CHANGE,
        url="https://hooks.example.com/lever",
        created_via=CreatedVia.API,
        created_by=sam,
    )
    reasons = [str(reason.pk) for reason in ArchiveReason.objects.all()]
    SEEDED_IDS.clear()
    SEEDED_IDS.update(
        opportunity_id=[str(ada.pk), str(bob.pk)],
        posting_id=[str(posting.pk)],
        user_id=[str(user.pk) for user in (sam, alex, tara, lee)],
        stage_id=["lead-new", "applicant-new", "offer"],
        reason_id=reasons,
        webhook_id=[str(hook.pk)],
    )
    ACCEPTED_VALUES.clear()
    ACCEPTED_VALUES.update(
        name=["Grace Hopper", "Alan Turing"],
        text=["Site Reliability Engineer"],
        stage=SEEDED_IDS["stage_id"],
        reason=[*reasons, None],
        postings=[[str(posting.pk)], []],
        owner=[str(tara.pk), None],
        hiringManager=[str(lee.pk), None],
        event=list(Event.values),
        url=["http://127.0.0.1:9/hooks"],
    )
    _, key = ApiKey.objects.issue(sam, "schemathesis")
    yield {"Authorization": basic_auth(key)}
    SEEDED_IDS.clear()
    ACCEPTED_VALUES.clear()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_keeps_its_documented_promises(case, seeded):
    checks = [
        schemathesis.checks.not_a_server_error,
        response_schema_conformance,
        content_type_conformance,
        ignored_auth,
        status_code_conformance,
    ]
    case.call_and_validate(headers=seeded, checks=checks)


def test_every_path_id_has_seeded_objects(seeded):
    """A path parameter the hook knows nothing about would only ever be answered 404."""
    names = {
        parameter["name"]
        for operations in schema.raw_schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    }
    assert names <= set(SEEDED_IDS), names - set(SEEDED_IDS)
