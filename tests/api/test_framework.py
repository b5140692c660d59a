"""The API's framework: authentication, error shapes, paging, parameters and the rate limit."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.test import Client
from django.utils import timezone
from ninja import NinjaAPI

from hirebridge.accounts.models import ApiKey
from hirebridge.api import errors
from hirebridge.config import cache_settings
from tests.api.conftest import basic_auth
from tests.factories import PostingFactory


def test_it_refuses_a_request_without_credentials(db):
    response = Client().get("/v1/stages")
    assert response.status_code == 401
    assert response.json()["code"] == "UnauthorizedError"
    assert "API key" in response.json()["message"]
    assert response["WWW-Authenticate"] == 'Basic realm="hirebridge"'


def test_it_refuses_an_unknown_key(db):
    response = Client(HTTP_AUTHORIZATION=basic_auth("hb_nope")).get("/v1/stages")
    assert response.status_code == 401
    assert response.json() == {
        "code": "UnauthorizedError",
        "message": "Invalid API key: it is unknown, revoked, or its owner is deactivated",
    }
    assert response["WWW-Authenticate"] == 'Basic realm="hirebridge"'


def test_it_refuses_a_revoked_key(tara):
    key, plaintext = ApiKey.objects.issue(tara, "old")
    client = Client(HTTP_AUTHORIZATION=basic_auth(plaintext))
    assert client.get("/v1/stages").status_code == 200
    key.revoke()
    assert client.get("/v1/stages").status_code == 401


def test_it_refuses_a_key_sent_with_a_password(tara):
    _, plaintext = ApiKey.objects.issue(tara, "k")
    response = Client(HTTP_AUTHORIZATION=basic_auth(plaintext, "secret")).get("/v1/stages")
    assert response.status_code == 401
    assert "password must be empty" in response.json()["message"]


def test_it_refuses_the_key_of_a_deactivated_user(tara, api_client):
    client = api_client(tara)
    tara.deactivated_at = timezone.now()
    tara.save(update_fields=["deactivated_at"])
    assert client.get("/v1/stages").status_code == 401


def test_it_answers_403_for_a_forbidden_action_and_404_for_an_unseen_object(api_client, lee, sam):
    secret = PostingFactory(confidential=True, owner=sam)
    lee_client = api_client(lee)
    denied = lee_client.post("/v1/postings", {"text": "Chef"}, content_type="application/json")
    assert denied.status_code == 403
    assert denied.json()["code"] == "ForbiddenError"
    hidden = lee_client.get(f"/v1/postings/{secret.pk}")
    assert hidden.status_code == 404
    assert hidden.json() == {"code": "ResourceNotFound", "message": "Posting was not found"}


def test_it_names_the_field_of_a_malformed_value(api_client, tara):
    client = api_client(tara)
    response = client.get("/v1/users?limit=many")
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequestError"
    assert response.json()["message"].startswith("Invalid value at /limit")
    body = client.post(
        "/v1/postings", {"text": "Chef", "followers": [7]}, content_type="application/json"
    )
    assert body.status_code == 400
    assert body.json()["message"].startswith("Invalid value at /followers/0")


def test_it_reports_a_pipeline_refusal_with_its_field(api_client, tara):
    response = api_client(tara).post(
        "/v1/postings",
        {"text": "Chef", "categories": {"commitment": "Forever"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequestError"
    assert response.json()["message"].startswith("Invalid value at /categories/commitment")


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (PermissionDenied("no"), 403, "ForbiddenError"),
        (Http404("Thing was not found"), 404, "ResourceNotFound"),
        (errors.conflict("taken"), 409, "ConflictError"),
    ],
)
def test_it_turns_each_exception_into_the_error_shape(exc, status, code):
    api = NinjaAPI(urls_namespace="errors-test")
    errors.install(api)
    response = api.on_exception(HttpRequest(), exc)
    assert response.status_code == status
    assert response.content.startswith(f'{{"code": "{code}"'.encode())


def _pages(client, first_url):
    pages, url = [], first_url
    while True:
        page = client.get(url).json()
        pages.append(page)
        if not page["hasNext"]:
            assert "next" not in page
            return pages
        url = f"/v1/postings?limit=50&offset={page['next']}"


def test_it_pages_through_every_row_once(api_client, sam):
    postings = PostingFactory.create_batch(250, owner=sam)
    pages = _pages(api_client(sam), "/v1/postings?limit=100")
    assert [len(p["data"]) for p in pages] == [100, 50, 50, 50]
    ids = [row["id"] for page in pages for row in page["data"]]
    assert len(ids) == len(set(ids)) == 250
    assert set(ids) == {str(p.pk) for p in postings}
    created = [row["createdAt"] for page in pages for row in page["data"]]
    assert created == sorted(created, reverse=True)


def test_it_refuses_an_offset_token_it_did_not_issue(api_client, sam, tara):
    PostingFactory.create_batch(3, owner=sam)
    client = api_client(sam)
    token = client.get("/v1/postings?limit=1").json()["next"]
    for offset in (token[:-2] + "xx", "garbage", client.get("/v1/users?limit=1").json()["next"]):
        response = client.get(f"/v1/postings?offset={offset}")
        assert response.status_code == 400
        assert response.json() == {"code": "BadRequestError", "message": "Invalid offset token"}


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_it_refuses_a_limit_out_of_range(api_client, tara, limit):
    response = api_client(tara).get(f"/v1/postings?limit={limit}")
    assert response.status_code == 400
    assert "/limit" in response.json()["message"]


def test_it_ors_repeated_filter_values(api_client, sam):
    PostingFactory(team="Platform", owner=sam)
    PostingFactory(team="Data", owner=sam)
    PostingFactory(team="Sales", owner=sam)
    rows = api_client(sam).get("/v1/postings?team=Platform&team=Data").json()["data"]
    assert sorted(r["categories"]["team"] for r in rows) == ["Data", "Platform"]


def test_it_refuses_an_expansion_it_does_not_offer(api_client, tara):
    response = api_client(tara).get("/v1/postings?expand=owner&expand=salary")
    assert response.status_code == 400
    assert "'salary'" in response.json()["message"]
    assert response.json()["message"].startswith("Invalid value at /expand")


def test_a_super_admin_key_may_act_as_another_active_user(api_client, sam, tara):
    response = api_client(sam).post(
        f"/v1/postings?perform_as={tara.pk}", {"text": "Chef"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["data"]["user"] == str(tara.pk)
    assert response.json()["data"]["owner"] == str(tara.pk)


def test_perform_as_takes_on_the_acted_as_users_permissions(api_client, sam, lee):
    response = api_client(sam).post(
        f"/v1/postings?perform_as={lee.pk}", {"text": "Chef"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_only_a_super_admin_key_may_act_as_someone_else(api_client, alex, tara):
    client = api_client(alex)
    refused = client.post(
        f"/v1/postings?perform_as={tara.pk}", {"text": "Chef"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "perform_as" in refused.json()["message"]
    as_self = client.post(
        f"/v1/postings?perform_as={alex.pk}", {"text": "Chef"}, content_type="application/json"
    )
    assert as_self.status_code == 201


@pytest.mark.parametrize("perform_as", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_perform_as_must_name_a_user(api_client, sam, perform_as):
    response = api_client(sam).post(
        f"/v1/postings?perform_as={perform_as}", {"text": "Chef"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid value at /perform_as")


def test_perform_as_refuses_a_deactivated_user(api_client, sam, tara):
    tara.deactivated_at = timezone.now()
    tara.save(update_fields=["deactivated_at"])
    response = api_client(sam).post(
        f"/v1/postings?perform_as={tara.pk}", {"text": "Chef"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "deactivated" in response.json()["message"]


def test_it_limits_the_rate_per_key(api_client, settings, tara):
    settings.API_RATE_BURST = 3
    settings.API_RATE_PER_SECOND = 0.1
    client = api_client(tara)
    assert [client.get("/v1/stages").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/v1/stages")
    assert refused.status_code == 429
    assert refused.json()["code"] == "TooManyRequestsError"
    assert int(refused["Retry-After"]) == 10
    assert api_client(tara).get("/v1/stages").status_code == 200  # another key, its own bucket


def test_it_publishes_its_openapi_description_and_docs(db):
    schema = Client().get("/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/v1/postings", "/v1/postings/{posting_id}", "/v1/stages", "/v1/users"):
        assert path in paths
    docs = Client().get("/v1/docs")
    assert docs.status_code == 200
    assert b"/v1/openapi.json" in docs.content
    assert b"/static/ninja/swagger-ui-bundle" in docs.content  # served here, not from a CDN
    assert b"cdn." not in docs.content


def test_rate_limits_are_shared_through_the_queues_redis_server():
    caches = cache_settings("redis://queue.internal:6379/0", redis_db=1)
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"]["LOCATION"] == "redis://queue.internal:6379/1"


def test_rate_limits_stay_in_the_process_without_redis():
    caches = cache_settings("sqlite:///var/queue.sqlite3", redis_db=1)
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
