"""Field-weighted ranking of a few hundred hits, in Python, for SQLite.

FTS5's bm25 first counts every row holding each phrase (its IDF), which for a word in 30% of
a million rows is a walk of 300,000 entries per query: the very cost the two-phase plan
avoids. Every hit already holds every term, so what ranks them is where the terms are: a
term in the name weighs most, one found only in the notes least, and ties go to the newest.
"""

import re
import unicodedata

from hirebridge.search.terms import Term

# Weight per document column; a term in none of them is in the notes (the row matched).
WEIGHTS = {
    "name": 10.0,
    "emails": 5.0,
    "title": 4.0,
    "company": 4.0,
    "tags": 3.0,
    "headline": 2.0,
    "location": 2.0,
}
NOTES_WEIGHT = 1.0
# The columns arrive as one text, joined by this separator, in WEIGHTS order.
SEPARATOR = "\x1f"
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents or underscores, as unicode61 with remove_diacritics folds."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text.lower().replace("_", " ")


def _pattern(term: Term) -> re.Pattern[str] | None:
    """The term's words in sequence within one column, whole words (the last one a prefix
    when asked)."""
    words = _WORD.findall(fold(term.text))
    if not words:
        return None
    body = r"[^\w\x1f]+".join(re.escape(w) for w in words)
    return re.compile(r"\b" + body + ("" if term.prefix else r"\b"))


class Scorer:
    """Scores hits for one query: per term, the weight of the best column holding it."""

    def __init__(self, terms: list[Term]) -> None:
        self.patterns = [p for p in map(_pattern, terms) if p is not None]
        self.weights = list(WEIGHTS.values())

    def score(self, columns: str) -> float:
        text = fold(columns)
        total = 0.0
        for pattern in self.patterns:
            best = NOTES_WEIGHT
            for match in pattern.finditer(text):
                column = text.count(SEPARATOR, 0, match.start())
                best = max(best, self.weights[column])
                if column == 0:
                    break
            total += best
        return total
