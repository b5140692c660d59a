"""What a user typed, made safe: words and "quoted phrases" (a trailing * asks for a prefix).

Nothing a user types reaches FTS5 or tsquery syntax: each term is passed as a quoted string
(FTS5) or through phraseto_tsquery (PostgreSQL), so operators and stray quotes are just text.
"""

import re
import uuid
from dataclasses import dataclass

MAX_CHARS = 200
MAX_TERMS = 16
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def text(field: str, value: object) -> str:
    """A filter's text, or ValueError naming the field."""
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected text, got {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"{field}: contains a NUL character")
    if len(value) > MAX_CHARS:
        raise ValueError(f"{field}: at most {MAX_CHARS} characters (got {len(value)})")
    return value.strip()


def parse(query: str) -> list[Term]:
    """The terms of a query; text without letters or digits (e.g. "-", "**") is ignored."""
    terms = []
    for phrase, word in _TERM.findall(text("query", query)):
        prefix = bool(word) and word.endswith("*") and len(word.rstrip("*")) > 0
        term = (phrase or word).replace("*", " ").strip()
        if _has_word(term):
            terms.append(Term(term, prefix))
    if len(terms) > MAX_TERMS:
        raise ValueError(f"query: at most {MAX_TERMS} words or phrases (got {len(terms)})")
    return terms


def posting_id(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError(f"posting: {str(value)[:60]!r} is not a posting id") from None
