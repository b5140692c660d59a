"""Request bodies over their URL's limit are refused with 413 before they are read: by the
declared Content-Length, or, for a chunked body that declares none, after limit + 1 bytes."""

import io

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse

from hirebridge.web.body_limits import BodyLimitMiddleware, limit_for

CALLBACK = "/linkedin/callback/no-such-token"


@pytest.fixture
def small_limits(settings):
    settings.LINKEDIN_CALLBACK_MAX_BYTES = 100
    settings.INBOUND_EMAIL_MAX_BYTES = 300
    settings.API_MAX_BYTES = 200
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 400
    settings.INBOUND_EMAIL_TOKEN = "relay-token"


def test_each_kind_of_url_has_its_limit_from_the_settings(small_limits):
    assert limit_for(CALLBACK) == 100
    assert limit_for("/inbound/email") == 300
    assert limit_for("/v1/opportunities") == 200
    assert limit_for("/login/") == 400
    assert limit_for("/no/such/page") == 400


def test_the_default_limits(settings):
    assert (
        settings.LINKEDIN_CALLBACK_MAX_BYTES,
        settings.INBOUND_EMAIL_MAX_BYTES,
        settings.API_MAX_BYTES,
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    ) == (64 * 1024, 10 * 1024 * 1024, 1024 * 1024, 2_621_440)


@pytest.mark.parametrize(
    ("url", "limit"),
    [(CALLBACK, 100), ("/inbound/email", 300), ("/v1/opportunities", 200), ("/login/", 400)],
)
def test_a_body_over_the_limit_is_a_413_before_any_view_or_query(
    client, small_limits, db, django_assert_num_queries, url, limit
):
    with django_assert_num_queries(0):
        answer = client.post(url, b"x" * (limit + 1), content_type="application/octet-stream")
    assert answer.status_code == 413
    assert answer.json() == {"message": f"request body over {limit} bytes, the limit for this URL"}


@pytest.mark.parametrize(
    ("url", "limit", "status"),
    [
        (CALLBACK, 100, 404),  # the view looked the token up
        ("/inbound/email", 300, 401),  # the view checked the relay's token
        ("/v1/opportunities", 200, 401),  # the API asked for a key
        ("/login/", 400, 200),  # the sign-in form, answered
    ],
)
def test_a_body_at_the_limit_reaches_the_view(client, small_limits, db, url, limit, status):
    answer = client.post(url, b"x" * limit, content_type="application/octet-stream")
    assert answer.status_code == status


def test_a_content_length_that_is_no_number_is_a_400(client, small_limits):
    for declared in ("ten", "-1", "\u00b2"):
        answer = client.generic("POST", CALLBACK, b"x", CONTENT_LENGTH=declared)
        assert answer.status_code == 400
        assert answer.json()["message"].startswith("Content-Length:")


class CountingInput(io.BytesIO):
    """A server's input that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        part = super().read(size)
        self.taken += len(part)
        return part


def chunked(path: str, body: bytes) -> tuple[WSGIRequest, CountingInput]:
    """A POST as a WSGI server hands over a chunked body: no CONTENT_LENGTH."""
    stream = CountingInput(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": stream,
    }
    return WSGIRequest(environ), stream


def test_a_chunked_body_over_the_limit_is_refused_after_limit_plus_one_bytes(small_limits):
    request, stream = chunked(CALLBACK, b"x" * 1_000_000)
    answer = BodyLimitMiddleware(lambda request: HttpResponse("the view ran"))(request)
    assert answer.status_code == 413
    assert stream.taken == 101


def test_a_chunked_body_within_the_limit_reaches_the_view_whole(small_limits):
    request, _ = chunked("/inbound/email", b"From: a@b.example\r\n\r\nhi")
    seen: list[bytes] = []

    def view(request):
        seen.append(request.read())
        return HttpResponse(status=202)

    assert BodyLimitMiddleware(view)(request).status_code == 202
    assert seen == [b"From: a@b.example\r\n\r\nhi"]


def test_a_request_without_a_body_is_not_looked_at(client, small_limits, db):
    assert client.get("/login/").status_code == 200
