-- Accounts, sessions, integration tokens, audit log, login throttling, staff assignments.

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    -- Lower-cased and trimmed: emails are unique regardless of case.
    email_normalized TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    employer_organization_id TEXT NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'staff', 'reader')),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL,
    password_change_required BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One sign-in: its refresh tokens form one family; revoking the session ends them all,
-- and access tokens carry the session id so they end with it.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('reader')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    CHECK (expires_at > created_at)
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_kind TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    office_id TEXT,
    request_id TEXT,
    -- JSON array of field names; never the values (they may be personal data).
    changed_fields TEXT NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id, id);
CREATE INDEX audit_events_office ON audit_events (office_id, id);

-- Failed sign-ins per key ("account:<email>" or "address:<ip>"), shared by all instances.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);

-- Who works in which office, on which side of the tandem. Half-open: ended_on is the
-- first day the person no longer works there. Authorization derives a staff account's
-- office scope from it.
CREATE TABLE staff_assignments (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    side TEXT NOT NULL CHECK (side IN ('city', 'provider')),
    started_on DATE NOT NULL,
    ended_on DATE,
    end_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (ended_on IS NULL OR ended_on > started_on)
);
CREATE UNIQUE INDEX staff_assignments_one_open_per_side ON staff_assignments (office_id, side) WHERE ended_on IS NULL;
CREATE INDEX staff_assignments_user ON staff_assignments (user_id);

-- Per office: one person per side on any day, and nobody twice on one day.
CREATE TRIGGER staff_assignments_no_overlap_insert
BEFORE INSERT ON staff_assignments
WHEN EXISTS (
    SELECT 1 FROM staff_assignments a
    WHERE a.office_id = NEW.office_id
      AND (a.side = NEW.side OR a.user_id = NEW.user_id)
      AND a.started_on < COALESCE(NEW.ended_on, '9999-12-31')
      AND NEW.started_on < COALESCE(a.ended_on, '9999-12-31')
)
BEGIN
    SELECT RAISE(ABORT, 'staff_assignments_overlap');
END;

CREATE TRIGGER staff_assignments_no_overlap_update
BEFORE UPDATE OF started_on, ended_on, side, user_id, office_id ON staff_assignments
WHEN EXISTS (
    SELECT 1 FROM staff_assignments a
    WHERE a.office_id = NEW.office_id
      AND a.id <> NEW.id
      AND (a.side = NEW.side OR a.user_id = NEW.user_id)
      AND a.started_on < COALESCE(NEW.ended_on, '9999-12-31')
      AND NEW.started_on < COALESCE(a.ended_on, '9999-12-31')
)
BEGIN
    SELECT RAISE(ABORT, 'staff_assignments_overlap');
END;
