"""1-click exports whose exportedCandidates reply is hostile (missing fields, wrong types, giant
strings, bad URNs and emails, HTML in names, another organization's context), read by the real
client from a scripted HTTP layer and processed by the worker's own function: each ends with a
complete candidate and opportunity per element, or with nothing written and the event failed
or dropped with a reason; never left to be retried for ever."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import hypothesis
import pytest
from django.db import transaction
from django.db.models import CharField, TextField
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hirebridge.hiring.models import (
    Candidate,
    CandidateEmail,
    CandidateLink,
    Message,
    Note,
    Opportunity,
)
from hirebridge.linkedin.client import Backoff, LinkedInClient
from hirebridge.linkedin.inbound import events
from hirebridge.linkedin.models import EventStatus, ProfileConnection
from tests.linkedin import inbound_data as data
from tests.linkedin.inbound_data import BASE_MS, ORGANIZATION, SEAT

POSTING = "the posting of the test"  # replaced by the posting's id
LONG_EMAIL = "a" * 64 + "@" + "b" * 200 + ".example"  # valid, and too long for the column
EXAMPLES = settings(
    max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)

anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
scripts = st.sampled_from(["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
giant = st.integers(min_value=201, max_value=3000).map(lambda n: "x" * n)
with_nul = st.text(max_size=10).map(lambda t: f"A{t}\x00")
names = st.sampled_from(["Ada", "Grace", "Zoë"]) | scripts | st.text(max_size=30)
hostile_text = st.none() | st.integers() | giant | with_nul | scripts | st.just("")
members = st.from_regex(r"urn:li:person:[A-Za-z0-9_-]{1,12}", fullmatch=True)
hostile_members = st.sampled_from(
    ["urn:li:person:ada1\n", "urn:li:member:1", "urn:li:person:", "ada", "urn:li:person:a b"]
) | st.just("urn:li:person:" + "a" * 120)
emails = st.emails().filter(lambda e: len(e) <= 254)
hostile_emails = st.sampled_from(["not an address", "a@", "@b.example", "a@b.example\x00"]) | (
    st.just("a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".example")  # 319 characters
)
moments = st.integers(min_value=BASE_MS - 10**10, max_value=BASE_MS)
hostile_moments = st.sampled_from([-1, 10**20, -(10**15), 2**63]) | st.text(max_size=5)


def inmail(author: str) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {
            "id": st.integers(min_value=1, max_value=10**9),
            "author": st.sampled_from([author, SEAT, "urn:li:seat:1"]),
            "createdAt": moments,
            "thread": st.just("urn:li:messagingThread:41"),
            "subject": st.text(max_size=30) | scripts,
            "body": st.text(max_size=60) | scripts,
        }
    )


note = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=1, max_value=10**9),
        "note": st.text(min_size=1, max_size=60) | scripts,
        "createdAt": moments,
        "owner": st.sampled_from([SEAT, "urn:li:seat:1"]),
    }
)


@st.composite
def good_elements(draw) -> dict[str, Any]:
    """An element as LinkedIn documents it; names and notes may still hold HTML."""
    member = draw(members)
    return {
        "integrationContext": ORGANIZATION,
        "candidate": {
            "member": member,
            "firstName": draw(names.filter(str.strip)),
            "lastName": draw(names),
            "headline": draw(st.text(max_size=40) | scripts),
            "location": draw(st.text(max_size=40)),
            "currentEmployerNames": draw(st.lists(st.text(max_size=20), max_size=2)),
            "profileUrl": draw(st.sampled_from(["https://www.linkedin.com/in/ada", None])),
            "emailAddresses": draw(st.lists(emails, max_size=2)),
        },
        "externalJobPostingId": draw(st.sampled_from([None, POSTING])),
        "exporter": draw(st.sampled_from([SEAT, "urn:li:seat:9"])),
        "exportedAt": draw(moments | st.none()),
        "inMails": draw(st.lists(inmail(member), max_size=3)),
        "notes": draw(st.lists(note, max_size=2)),
    }


# Where a hostile value goes, and what it is drawn from.
HOSTILE: dict[tuple[str, ...], st.SearchStrategy] = {
    ("integrationContext",): st.just("urn:li:organization:666") | hostile_text,
    ("candidate",): anything,
    ("candidate", "member"): hostile_members | hostile_text,
    ("candidate", "firstName"): hostile_text,
    ("candidate", "lastName"): hostile_text,
    ("candidate", "headline"): hostile_text | giant.map(lambda x: x * 3),
    ("candidate", "location"): hostile_text,
    ("candidate", "currentEmployerNames"): anything | st.lists(giant, max_size=1),
    ("candidate", "profileUrl"): st.sampled_from(
        ["javascript:alert(1)", "ftp://x.example/a", "https://x.example/" + "a" * 600]
    )
    | hostile_text,
    ("candidate", "emailAddresses"): st.lists(hostile_emails, min_size=1) | anything,
    ("externalJobPostingId",): st.sampled_from(["JOB-1", "", 7, "00000000-0000-0000-0000-0"]),
    ("exporter",): hostile_text,
    ("exportedAt",): hostile_moments,
    ("inMails",): anything,
    ("notes",): anything,
}
# The same for the first InMail or note, when the element has one.
HOSTILE_ITEM: dict[tuple[str, str], st.SearchStrategy] = {
    ("inMails", "id"): giant | with_nul | st.none(),
    ("inMails", "createdAt"): hostile_moments,
    ("inMails", "author"): hostile_text,
    ("inMails", "thread"): hostile_text | giant,
    ("inMails", "subject"): hostile_text | giant,
    ("inMails", "body"): hostile_text,
    ("notes", "id"): giant | with_nul | st.none(),
    ("notes", "createdAt"): hostile_moments,
    ("notes", "note"): hostile_text,
    ("notes", "owner"): hostile_text | giant,
}


def child(parent: Any, key: str | int) -> Any:
    if isinstance(parent, dict) and isinstance(key, str):
        return parent.get(key)
    if isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        return parent[key]
    return None


@st.composite
def elements(draw) -> dict[str, Any]:
    """A documented element with up to two values made hostile, and maybe unknown fields."""
    element = draw(good_elements())
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        if draw(st.booleans()):
            path = draw(st.sampled_from(sorted(HOSTILE)))
            strategy = HOSTILE[path]
        else:
            (items, field) = draw(st.sampled_from(sorted(HOSTILE_ITEM)))
            path, strategy = (items, 0, field), HOSTILE_ITEM[(items, field)]
        *parents, last = path
        target: Any = element
        for key in parents:  # an earlier value made hostile may have replaced the parent
            target = child(target, key)
        if isinstance(target, dict):
            target[last] = draw(strategy)
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=8), anything, max_size=2))
    return {**extra, **element}


def scripted_linkedin(elements: list[Any]) -> LinkedInClient:
    """The real client, its HTTP answered from `elements`: a token, then one finder page."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v2/accessToken":
            return httpx.Response(200, json={"access_token": "token", "expires_in": 3600})
        assert request.url.path == "/v2/exportedCandidates"
        page = {"elements": elements, "paging": {"start": 0, "count": 100, "total": len(elements)}}
        return httpx.Response(200, content=json.dumps(page).encode())

    transport = httpx.MockTransport(answer)
    return LinkedInClient(
        "77abc", "secret", transport=transport, backoff=Backoff(attempts=1), sleep=lambda _: None
    )


@pytest.fixture
def integration(tara):
    return data.make_integration(tara)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def process(monkeypatch, integration, exported: list[Any]):
    client = scripted_linkedin(exported)
    monkeypatch.setattr("hirebridge.linkedin.inbound.client", lambda integration: client)
    event = data.push(integration)
    assert events.process_event(event.pk)
    event.refresh_from_db()
    return event


def nothing_written() -> bool:
    return not any(
        model.objects.exists()
        for model in (Candidate, Opportunity, ProfileConnection, Message, Note, CandidateEmail)
    )


def assert_whole_or_nothing(event, exported: list[Any], posting) -> None:
    assert event.status != EventStatus.NEW, f"left to be retried: {event.last_error}"
    if event.status != EventStatus.DONE:
        assert event.last_error
        assert nothing_written(), event.last_error
        return
    assert_every_value_fits_its_column()
    for element in exported:
        connection = ProfileConnection.objects.get(person_urn=element["candidate"]["member"])
        job = posting if element["externalJobPostingId"] == POSTING else None
        assert connection.candidate.opportunities.active().filter(posting=job).exists()
    if len(exported) == 1:  # InMail ids are unique per export, not per element
        inmails = {str(inmail["id"]) for inmail in exported[0]["inMails"]}
        assert Message.objects.count() == len(inmails)


def assert_every_value_fits_its_column() -> None:
    """What PostgreSQL would refuse (SQLite stores a longer value whole): nothing longer than
    its column, no NUL character."""
    for model in (Candidate, CandidateEmail, CandidateLink, ProfileConnection, Message, Note):
        for field in model._meta.concrete_fields:
            if isinstance(field, CharField | TextField):
                for value in model.objects.values_list(field.attname, flat=True):
                    text = value or ""
                    assert "\x00" not in text, f"{model.__name__}.{field.name}: NUL"
                    if field.max_length:
                        assert len(text) <= field.max_length, f"{model.__name__}.{field.name}"


def with_posting(element: dict[str, Any], posting) -> dict[str, Any]:
    if element.get("externalJobPostingId") == POSTING:
        return {**element, "externalJobPostingId": str(posting.id)}
    return element


# Each example imports through the worker's whole path (a second or more on a loaded
# PostgreSQL), hence fewer examples and more time than the suite's default.
@pytest.mark.timeout(400)
@given(exported=st.lists(elements(), min_size=1, max_size=3))
@settings(EXAMPLES, max_examples=30)
def test_a_hostile_export_is_imported_whole_or_not_at_all(
    monkeypatch, integration, posting, exported
):
    wire = [with_posting(element, posting) for element in exported]
    with rolled_back():
        event = process(monkeypatch, integration, wire)
        hypothesis.event(event.status)
        assert_whole_or_nothing(event, exported, posting)


@given(page=anything)
@settings(EXAMPLES, max_examples=50)
def test_a_reply_that_is_no_finder_page_fails_the_event_and_writes_nothing(
    monkeypatch, integration, page
):
    with rolled_back():
        event = process(monkeypatch, integration, [page])
        assert event.status in (EventStatus.FAILED, EventStatus.DROPPED), event.last_error
        assert event.last_error and nothing_written()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"member": "urn:li:person:" + "a" * 100}, "candidate.member: 114 characters"),
        ({"member": "urn:li:person:ada1\n"}, "candidate.member: 'urn:li:person:ada1\\n'"),
        ({"emailAddresses": [LONG_EMAIL]}, "candidate.emailAddresses: 273"),
        ({"profileUrl": "https://www.linkedin.com/in/" + "a" * 500}, "candidate.profileUrl: 528"),
        ({"firstName": "Ada\x00"}, "candidate.firstName: contains a NUL"),
        ({"inmails": [data.inmail("9" * 201, SEAT, BASE_MS)]}, "inMails[0].id: 201 characters"),
        ({"inmails": [data.inmail(1, SEAT, 10**20)]}, "inMails[0].createdAt: 100000000000000"),
        (
            {"notes": [{"id": "1" * 201, "note": "Hi", "createdAt": BASE_MS}]},
            "notes[0].id: 201 characters",
        ),
        ({"notes": [{"id": 1, "note": "Hi", "createdAt": -1}]}, "notes[0].createdAt: -1"),
    ],
)
def test_a_value_the_database_would_cut_or_refuse_fails_the_export_naming_the_field(
    monkeypatch, integration, fields, error
):
    event = process(monkeypatch, integration, [data.exported(**fields)])
    assert event.status == EventStatus.FAILED
    assert event.last_error.startswith(error), event.last_error
    assert nothing_written()


def test_one_bad_element_fails_the_whole_export(monkeypatch, integration):
    good = data.exported()
    bad = data.exported(member="urn:li:person:grace1", inmails=[data.inmail(1, SEAT, -5)])
    event = process(monkeypatch, integration, [good, bad])
    assert event.status == EventStatus.FAILED and "inMails[0].createdAt" in event.last_error
    assert nothing_written()


def test_html_from_linkedin_is_stored_as_text_and_shown_escaped(
    monkeypatch, integration, client, tara
):
    script = "<script>alert(1)</script>"
    exported = data.exported(
        firstName=script,
        headline=f"Analyst {script}",
        inmails=[data.inmail(1, SEAT, BASE_MS - 10, body=f"Hello {script}")],
        notes=[{"id": 2, "note": f"Keen {script}", "createdAt": BASE_MS - 5}],
    )
    event = process(monkeypatch, integration, [exported])
    assert event.status == EventStatus.DONE, event.last_error
    person = Candidate.objects.get()
    assert person.name == f"{script} Lovelace"
    client.force_login(tara)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for tab, shown in [("overview", "Analyst "), ("emails", "Hello "), ("notes", "Keen ")]:
        page = client.get(f"/candidates/{person.id}/", {"tab": tab}).content.decode()
        assert shown + escaped in page and script not in page
