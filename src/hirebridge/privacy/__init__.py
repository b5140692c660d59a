"""Data-subject duties beyond the pipeline: the suppression list that honours an erasure or an
objection, so LinkedIn data about a forgotten person is never imported again (GDPR Arts. 17, 21)."""
