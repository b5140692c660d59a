"""Candidate search: one document per candidate, indexed by SQLite FTS5 or PostgreSQL full text.

`index` keeps the documents current (the pipeline services call it inside their transaction);
`candidates.find` answers a search with the user's permission and the filters in SQL.
"""
