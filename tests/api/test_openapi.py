"""/v1/openapi.json describes every reply: the typed success body and Lever's error object for
each refusal an operation can give, so clients can generate types from it."""

import pytest
from django.test import Client

# The webhook operations declare their replies in their own module.
ERROR_REF = "#/components/schemas/Error"
# Operations that act for a user, who may be another one with `perform_as`.
ACTING = {
    ("post", "/v1/opportunities"),
    ("put", "/v1/opportunities/{opportunity_id}/stage"),
    ("put", "/v1/opportunities/{opportunity_id}/archived"),
    ("post", "/v1/opportunities/{opportunity_id}/addTags"),
    ("post", "/v1/opportunities/{opportunity_id}/removeTags"),
    ("post", "/v1/opportunities/{opportunity_id}/addSources"),
    ("post", "/v1/opportunities/{opportunity_id}/removeSources"),
    ("post", "/v1/opportunities/{opportunity_id}/notes"),
    ("post", "/v1/postings"),
    ("post", "/v1/postings/{posting_id}"),
}


@pytest.fixture(scope="module")
def document():
    response = Client().get("/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def _schema_ref(reply):
    return reply["content"]["application/json"]["schema"].get("$ref")


def test_every_operation_documents_a_typed_success(document):
    for method, path, operation in _operations(document):
        successes = [code for code in operation["responses"] if code.startswith("2")]
        assert len(successes) == 1, (method, path)
        if successes == ["204"]:  # a delete: nothing to describe
            assert "content" not in operation["responses"]["204"], (method, path)
            continue
        schema = document["components"]["schemas"][
            _schema_ref(operation["responses"][successes[0]]).rsplit("/", 1)[1]
        ]
        assert "data" in schema["properties"], (method, path)
        assert schema["properties"]["data"] != {}, (method, path)


def test_every_operation_documents_its_refusals(document):
    for method, path, operation in _operations(document):
        replies = operation["responses"]
        expected = {"401", "429"}
        if "{" in path:
            expected.add("404")
        queried = any(p["in"] == "query" for p in operation.get("parameters", []))
        if queried or "requestBody" in operation:
            expected.add("400")
        assert expected <= set(replies), (method, path, sorted(replies))
        for code in expected:
            assert _schema_ref(replies[code]) == ERROR_REF, (method, path, code)


def test_the_error_object_is_lever_s(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}


def test_perform_as_is_documented_where_it_is_read(document):
    for method, path, operation in _operations(document):
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        assert ("perform_as" in names) == ((method, path) in ACTING), (method, path)


def test_lists_document_their_envelope(document):
    listed = document["paths"]["/v1/opportunities"]["get"]["responses"]["200"]
    page = document["components"]["schemas"][_schema_ref(listed).rsplit("/", 1)[1]]
    assert set(page["required"]) == {"data", "hasNext"}
    assert {"data", "hasNext", "next"} <= set(page["properties"])


@pytest.mark.parametrize(
    ("schema", "field"), [("OpportunityIn", "name"), ("PostingCreate", "text")]
)
def test_required_text_must_not_be_empty(document, schema, field):
    shape = document["components"]["schemas"][schema]
    assert field in shape["required"]
    assert shape["properties"][field]["minLength"] == 1


def test_a_posting_update_requires_nothing(document):
    assert "required" not in document["components"]["schemas"]["PostingUpdate"]
