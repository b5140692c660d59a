import pytest
from django.db import connection

from hirebridge.hiring.models import Candidate
from hirebridge.search import candidates

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's (pg_trgm)"
)


@pytest.fixture
def find(sam):
    """Search (as the Super Admin unless another user is given), returning names best first."""

    def names(query="", user=None, **filters):
        found = candidates.find(user or sam, query, **filters)
        by_id = Candidate.objects.in_bulk(found.candidate_ids)
        return [by_id[pk].name for pk in found.candidate_ids]

    return names
