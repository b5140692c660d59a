"""The sandbox's one SQLite file: LinkedIn's side of the world, kept across restarts."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Developer applications: the partner's parent app and one child app per customer instance.
CREATE TABLE IF NOT EXISTS apps (
    client_id TEXT PRIMARY KEY,
    client_secret TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('parent', 'child')),
    parent_client_id TEXT REFERENCES apps(client_id),
    app_key TEXT UNIQUE,
    unique_foreign_id TEXT,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    valid_js_sdk_domains TEXT NOT NULL DEFAULT '[]',
    oauth2_callback_urls TEXT NOT NULL DEFAULT '[]',
    organization_id INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (parent_client_id, unique_foreign_id)
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES apps(client_id),
    -- Set for a 3-legged (member) token; NULL for an application's client-credentials token.
    member_id INTEGER REFERENCES members(id),
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_codes (
    code TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES apps(client_id),
    redirect_uri TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id),
    expires_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS organizations (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contracts (
    id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    headline TEXT NOT NULL,
    location TEXT NOT NULL,
    title TEXT NOT NULL,
    company TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    open_to_work INTEGER NOT NULL,
    profile_url TEXT NOT NULL,
    closed_at INTEGER
);
CREATE INDEX IF NOT EXISTS members_email ON members(email);
-- Closest-match blocking (matching.py): one name, and the other's first letter or last two.
CREATE INDEX IF NOT EXISTS members_last_first
    ON members(last_name COLLATE NOCASE, first_name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS members_first_last
    ON members(first_name COLLATE NOCASE, last_name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS members_last_first_ending
    ON members(last_name COLLATE NOCASE, substr(first_name, -2) COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS members_first_last_ending
    ON members(first_name COLLATE NOCASE, substr(last_name, -2) COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS seats (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'ACTIVE',
    admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- atsIntegrations and their configurations, per child app.
CREATE TABLE IF NOT EXISTS integrations (
    client_id TEXT NOT NULL REFERENCES apps(client_id),
    integration_context TEXT NOT NULL,
    integration_type TEXT NOT NULL,
    tenant_type TEXT NOT NULL,
    data_provider TEXT NOT NULL,
    integration_name TEXT,
    onboarding_status TEXT NOT NULL DEFAULT 'NOT_ONBOARDED',
    onboarded_at INTEGER,
    PRIMARY KEY (client_id, integration_context, integration_type, tenant_type, data_provider)
);
CREATE TABLE IF NOT EXISTS configurations (
    client_id TEXT NOT NULL,
    integration_key TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (client_id, integration_key, name)
);

-- Everything the ATS syncs (candidates, notes, applications, stages, feedback, ACLs, jobs),
-- one JSON document per (app, resource, canonical key).
CREATE TABLE IF NOT EXISTS records (
    client_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    record_key TEXT NOT NULL,
    parent_key TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, resource, record_key)
);
CREATE INDEX IF NOT EXISTS records_parent ON records(client_id, resource, parent_key);
CREATE TABLE IF NOT EXISTS job_tasks (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    record_key TEXT NOT NULL,
    error TEXT,
    created_at INTEGER NOT NULL
);

-- Push notifications: what happened (found again by request id) and each delivery.
CREATE TABLE IF NOT EXISTS notifications (
    request_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    type TEXT NOT NULL,
    integration_context TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- The finders show it from here on (later than created_at under the "early" push fault).
    readable_at INTEGER
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    request_id TEXT,
    client_id TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    signature TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    last_error TEXT,
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    fault TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, due_at);
CREATE TABLE IF NOT EXISTS callback_checks (
    client_id TEXT NOT NULL,
    url TEXT NOT NULL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    blocked INTEGER NOT NULL DEFAULT 0,
    validated_at INTEGER,
    next_check_at INTEGER,
    last_error TEXT,
    PRIMARY KEY (client_id, url)
);

-- Recruiter activity: exports, InMails, stub profiles, prospect notes.
CREATE TABLE IF NOT EXISTS exports (
    request_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    seat_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    external_job_posting_id TEXT,
    email_addresses TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS conversation_events (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL,
    seat_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    from_member INTEGER NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_events_seat ON conversation_events(seat_id, created_at);
CREATE TABLE IF NOT EXISTS mail_stubs (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL,
    seat_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    thread_id INTEGER NOT NULL,
    email TEXT,
    phone TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS prospect_notes (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL,
    seat_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    note TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Throttle counters per app, family and window; every request received, for tests to read.
CREATE TABLE IF NOT EXISTS usage (
    client_id TEXT NOT NULL,
    family TEXT NOT NULL,
    window TEXT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (client_id, family, window)
);
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    client_id TEXT,
    status INTEGER NOT NULL,
    fault TEXT,
    at INTEGER NOT NULL
);

-- Widgets: Unified Search filters by location prefix, the In-ATS indicator matches profile
-- URLs, and Recommended Matches remembers who a seat is not interested in for a job.
CREATE INDEX IF NOT EXISTS members_location ON members(location COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS members_profile_url ON members(profile_url);
CREATE TABLE IF NOT EXISTS recommendation_dismissals (
    client_id TEXT NOT NULL,
    external_job_posting_id TEXT NOT NULL,
    seat_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, external_job_posting_id, seat_id, member_id)
);

-- What a Recruiter admin pre-authorised in the configuration plugin, per child app.
CREATE TABLE IF NOT EXISTS preauthorizations (
    client_id TEXT NOT NULL,
    integration_context TEXT NOT NULL,
    bundled_type TEXT NOT NULL,
    seat_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, integration_context, bundled_type)
);
"""


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=20, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front so writers queue."""
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        try:
            yield conn
        finally:
            conn.close()
