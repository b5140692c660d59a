"""Ranking, filters, permissions and hostile input of candidates.find."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.search import candidates, scoring
from hirebridge.search.terms import Term
from tests.conftest import UserFactory
from tests.factories import PostingFactory, candidate
from tests.search.conftest import postgres_only


def test_a_name_match_ranks_above_a_note_only_match(find, alex):
    noted = candidate(alex, "Grace Hopper").candidate
    services.add_note(alex, noted, "Knows Turing well")
    candidate(alex, "Alan Turing")
    assert find("turing") == ["Alan Turing", "Grace Hopper"]


def test_every_word_must_match(find, alex):
    candidate(alex, "Ada Lovelace", location="London")
    candidate(alex, "Ada Byron", location="Paris")
    assert find("ada london") == ["Ada Lovelace"]


def test_a_trailing_star_matches_a_prefix_and_quotes_a_phrase(find, alex):
    candidate(alex, "Ada Lovelace", headline="Data engineer at Analytical")
    candidate(alex, "Grace Hopper", headline="Engineer of data")
    assert find("lovel*") == ["Ada Lovelace"]
    assert find("analytic") == []
    assert find("analytic*") == ["Ada Lovelace"]
    assert sorted(find("data engineer")) == ["Ada Lovelace", "Grace Hopper"]
    assert find('"data engineer"') == ["Ada Lovelace"]


@pytest.fixture
def three(alex, posting):
    other = PostingFactory(title="Sales Lead", owner=alex)
    candidate(
        alex,
        "Ada Lovelace",
        posting=posting,
        location="London, UK",
        current_title="Staff Engineer",
        current_company="Analytical Engines",
        tags=["math"],
    )
    candidate(
        alex,
        "Grace Hopper",
        posting=other,
        location="New York",
        current_title="Rear Admiral",
        current_company="Navy",
        tags=["cobol"],
    )
    candidate(
        alex,
        "Alan Turing",
        posting=other,
        location="London, UK",
        current_title="Engineer",
        current_company="Bletchley Park",
        headline="Navy codes",
    )
    return posting, other


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"location": "london"}, ["Alan Turing", "Ada Lovelace"]),
        ({"location": "new york"}, ["Grace Hopper"]),
        ({"title": "staff engineer"}, ["Ada Lovelace"]),
        ({"title": "engineer"}, ["Alan Turing", "Ada Lovelace"]),
        ({"company": "navy"}, ["Grace Hopper"]),  # Turing's headline says Navy, not his employer
        ({"tag": "math"}, ["Ada Lovelace"]),
        ({"tag": "Math"}, []),  # tags are case-sensitive, as in Lever
        ({"location": "london", "title": "staff"}, ["Ada Lovelace"]),
    ],
)
def test_each_filter(find, three, filters, names):
    assert find("", **filters) == names


def test_filters_combine_with_words(find, three):
    assert find("navy") == ["Grace Hopper", "Alan Turing"]
    assert find("navy", location="london") == ["Alan Turing"]


def test_the_posting_filter(find, three):
    posting, other = three
    assert find("", posting=str(posting.id)) == ["Ada Lovelace"]
    assert find("", posting=str(other.id)) == ["Alan Turing", "Grace Hopper"]


def test_a_limited_team_member_finds_only_candidates_on_their_postings(find, three, lee, tara):
    posting, other = three
    posting.hiring_manager = lee
    posting.save()
    assert find("london", user=lee) == ["Ada Lovelace"]
    assert find("navy", user=lee) == []
    assert find("", posting=str(other.id), user=lee) == []
    assert find("london", user=tara) == ["Alan Turing", "Ada Lovelace"]


def test_confidential_postings_stay_hidden_from_a_team_member(find, alex, tara):
    secret = PostingFactory(title="Secret", owner=alex, confidential=True)
    candidate(alex, "Ada Lovelace", posting=secret)
    assert find("lovelace", user=alex) == ["Ada Lovelace"]
    assert find("lovelace", user=tara) == []
    assert find("", posting=str(secret.id), user=tara) == []


def test_an_interviewer_finds_nothing(find, three, ivy):
    assert find("london", user=ivy) == []
    assert find("", user=ivy) == []


def test_pages_and_has_more(sam, alex):
    for n in range(5):
        candidate(alex, f"Person Number{n}", headline="engineer")
    first = candidates.find(sam, "engineer", limit=3)
    second = candidates.find(sam, "engineer", limit=3, offset=3)
    assert first.has_more and not second.has_more
    assert len(first.candidate_ids) == 3 and len(second.candidate_ids) == 2
    assert not set(first.candidate_ids) & set(second.candidate_ids)


def test_without_words_the_newest_come_first(find, alex):
    candidate(alex, "Ada Lovelace")
    candidate(alex, "Grace Hopper")
    assert find("") == find("--- ***") == ["Grace Hopper", "Ada Lovelace"]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": candidates.RANKED}, "offset"),
        ({"location": "x" * 201}, "location"),
        ({"title": "a\x00b"}, "title"),
        ({"company": 3}, "company"),
        ({"posting": "not-a-uuid"}, "posting"),
        ({"query": "x " * 17}, "query"),
    ],
)
def test_bad_input_names_the_field(sam, arguments, field):
    query = arguments.pop("query", "")
    with pytest.raises(ValueError, match=f"^{field}: "):
        candidates.find(sam, query, **arguments)


@postgres_only
def test_a_name_with_typos_is_found_on_postgresql(find, alex):
    candidate(alex, "John Smith")
    candidate(alex, "Grace Hopper")
    assert find("Jon Smtih") == ["John Smith"]


class TestHostileInput(TestCase):
    """Whatever a user types, the search answers (possibly nothing) and never fails."""

    @classmethod
    def setUpTestData(cls):
        cls.sam = UserFactory(role=Role.SUPER_ADMIN)
        actor = UserFactory(role=Role.ADMIN)
        candidate(actor, "Ada Lovelace", emails=["ada@example.com"], location="London")

    @given(query=st.text(max_size=80), location=st.text(max_size=20))
    def test_any_text_is_answered(self, query, location):
        try:
            candidates.find(self.sam, query, location=location)
        except ValueError as refused:  # only our own messages, naming the field
            field = str(refused).split(":")[0]
        else:
            field = "query"
        assert field in {"query", "location"}

    @given(
        st.sampled_from(
            [
                '"',
                '""',
                "*",
                "a*b*",
                "NEAR(a b)",
                "a OR b",
                "-a",
                "a:b",
                "(",
                "a' & !b",
                "x <-> y",
                "^",
                "name : ada",
                "'",
                "\\",
                'ada"*',
            ]
        )
    )
    def test_query_syntax_is_plain_text(self, query):
        candidates.find(self.sam, query)


def test_scoring_weighs_where_each_term_is():
    columns = dict.fromkeys(scoring.WEIGHTS, "")

    def score(text, prefix=False, **fields):
        joined = scoring.SEPARATOR.join({**columns, **fields}.values())
        return scoring.Scorer([Term(text, prefix)]).score(joined)

    assert score("turing", name="José Turing-Smith") == scoring.WEIGHTS["name"]
    assert score("JOSE", name="José Turing-Smith") == scoring.WEIGHTS["name"]
    assert score("turing smi", True, name="José Turing-Smith") == scoring.WEIGHTS["name"]
    assert score("jose smith", name="José Turing-Smith") == scoring.NOTES_WEIGHT  # no phrase
    assert score("turin", name="José Turing-Smith") == scoring.NOTES_WEIGHT
    assert score("navy", headline="navy codes", company="Navy") == scoring.WEIGHTS["company"]
    assert score("london acme", location="London", tags="acme") == scoring.NOTES_WEIGHT
