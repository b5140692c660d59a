from django.db import models

from hirebridge.hiring.models import Candidate


class SearchDocument(models.Model):
    """What a candidate is found by, one row per candidate, written only by `search.index`.

    The id grows with the candidate's recency (rebuilds insert oldest first, new candidates
    take the next id), so the newest hits are the highest ids. On PostgreSQL the texts are
    stored folded (lower case, no accents or punctuation) beside a `document` tsvector the
    migration adds; on SQLite they are stored as written and the FTS5 table `search_fts`
    folds them.
    """

    id = models.BigAutoField(primary_key=True)
    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="search_document"
    )
    name = models.TextField()
    headline = models.TextField()
    company = models.TextField()
    title = models.TextField()
    location = models.TextField()
    emails = models.TextField()
    tags = models.TextField()
    notes = models.TextField()

    def __str__(self) -> str:
        return self.name
