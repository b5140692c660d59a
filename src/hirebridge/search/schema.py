"""The database objects Django's models cannot describe: SQLite's FTS5 table and its triggers,
PostgreSQL's extensions, folding function, tsvector column and GIN indexes.

Both the migration and a full rebuild use these definitions: a rebuild drops the triggers (or
indexes), loads the documents set-based and builds the index once, which is far faster than
maintaining it row by row.
"""
# ruff: noqa: S608 - SQL is built from constants and table names; user text is a parameter

from django.db.backends.base.base import BaseDatabaseWrapper

DOCUMENTS = "search_searchdocument"
FTS = "search_fts"
TEXT_COLUMNS = ("name", "headline", "company", "title", "location", "emails", "tags", "notes")

# Characters PostgreSQL's folding turns into spaces, so that an email, a URL or a hyphenated
# name is found by its parts, as SQLite's unicode61 tokenizer does.
PUNCTUATION = ".@_+-/\\'\"`,;:()[]{}<>!?&#*|=~^%$"

_columns = ", ".join(TEXT_COLUMNS)
_new = ", ".join(f"new.{c}" for c in TEXT_COLUMNS)
_old = ", ".join(f"old.{c}" for c in TEXT_COLUMNS)

SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({_columns}, content='{DOCUMENTS}',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
)
# External-content FTS5: the index follows the document table in the same transaction.
SQLITE_TRIGGERS = {
    "search_document_inserted": f"AFTER INSERT ON {DOCUMENTS} BEGIN"
    f" INSERT INTO {FTS}(rowid, {_columns}) VALUES (new.id, {_new}); END",
    "search_document_deleted": f"AFTER DELETE ON {DOCUMENTS} BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, {_columns}) VALUES ('delete', old.id, {_old}); END",
    "search_document_updated": f"AFTER UPDATE ON {DOCUMENTS} BEGIN"
    f" INSERT INTO {FTS}({FTS}, rowid, {_columns}) VALUES ('delete', old.id, {_old});"
    f" INSERT INTO {FTS}(rowid, {_columns}) VALUES (new.id, {_new}); END",
}

_punctuation = PUNCTUATION.replace("'", "''")
POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # One folding for documents and queries alike, so both always agree.
    "CREATE OR REPLACE FUNCTION search_fold(text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE"
    f" AS $$ SELECT translate(lower(unaccent($1)), '{_punctuation}',"
    f" '{' ' * len(PUNCTUATION)}') $$",
    f"ALTER TABLE {DOCUMENTS} ADD COLUMN document tsvector NOT NULL DEFAULT ''::tsvector",
    # Statistics on 10x the usual number of words, so that a word in 250 of a million documents
    # is known to be rare: with the default, the planner guessed it common, walked the ids
    # backwards for 200 hits and read the whole table (a second, against 1 ms via GIN).
    f"ALTER TABLE {DOCUMENTS} ALTER COLUMN document SET STATISTICS 1000",
]
POSTGRES_INDEXES = {
    "search_document_gin": f"ON {DOCUMENTS} USING gin (document)",
    "search_name_trgm": f"ON {DOCUMENTS} USING gin (name gin_trgm_ops)",
}


def create(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_TABLE)
        elif connection.vendor == "postgresql":
            for statement in POSTGRES_SETUP:
                cursor.execute(statement)
        else:
            raise NotImplementedError(f"search has no backend for {connection.vendor}")
    create_index(connection)


def drop_index(connection: BaseDatabaseWrapper) -> None:
    """Stop maintaining the index row by row (SQLite triggers, PostgreSQL GIN indexes)."""
    names = SQLITE_TRIGGERS if connection.vendor == "sqlite" else POSTGRES_INDEXES
    kind = "TRIGGER" if connection.vendor == "sqlite" else "INDEX"
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP {kind} IF EXISTS {name}")


def create_index(connection: BaseDatabaseWrapper) -> None:
    """Build the index from the documents as they are, and maintain it from now on."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        else:
            for name, definition in POSTGRES_INDEXES.items():
                cursor.execute(f"CREATE INDEX {name} {definition}")
