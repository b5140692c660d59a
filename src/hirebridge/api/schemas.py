"""The shapes every operation shares in the OpenAPI document: Lever's envelopes and its error.

Declaring them lets clients generate types from /v1/openapi.json and lets the document be
checked against what the API really answers.
"""

from typing import Any, Generic, TypeVar

from ninja import Query, Schema
from pydantic import Field

T = TypeVar("T")

# Every operation needs a valid key and keeps to the key's rate limit.
ALWAYS = (401, 429)

PERFORM_AS = Query(
    None,
    description="Act as this user (id); only a Super Admin's key may act as another user",
)


class Error(Schema):
    code: str
    message: str


class One(Schema, Generic[T]):
    data: T


class Page(Schema, Generic[T]):
    """A page of a list; `next` is present only when there is a next page."""

    data: list[T]
    hasNext: bool
    next: str | None = Field(None, exclude_if=lambda token: token is None)


def responses(status: int, schema: Any, *errors: int) -> dict[int, Any]:
    """The success reply and, as `Error`, the refusals an operation may answer with."""
    return {status: schema, **{code: Error for code in sorted({*ALWAYS, *errors})}}
