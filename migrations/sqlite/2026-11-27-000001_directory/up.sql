-- Public directory: districts, organizations, offices and their location history.
-- Ids are UUIDv7 text, dates 'YYYY-MM-DD' text, timestamps UTC (diesel's portable types).

CREATE TABLE districts (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL UNIQUE
);

INSERT INTO districts (code, name, position) VALUES
    ('innenstadt-west', 'Innenstadt-West', 1),
    ('innenstadt-nord', 'Innenstadt-Nord', 2),
    ('innenstadt-ost', 'Innenstadt-Ost', 3),
    ('eving', 'Eving', 4),
    ('scharnhorst', 'Scharnhorst', 5),
    ('brackel', 'Brackel', 6),
    ('aplerbeck', 'Aplerbeck', 7),
    ('hoerde', 'Hörde', 8),
    ('hombruch', 'Hombruch', 9),
    ('luetgendortmund', 'Lütgendortmund', 10),
    ('huckarde', 'Huckarde', 11),
    ('mengede', 'Mengede', 12);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- Case- and space-folded in Rust (Unicode-aware, unlike SQLite's lower()).
    name_normalized TEXT NOT NULL UNIQUE,
    short_name TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'welfare_provider', 'partner')),
    website TEXT,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE offices (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('office', 'outpost')),
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'closed')),
    provider_organization_id TEXT NOT NULL REFERENCES organizations (id),
    opened_on DATE,
    closed_on DATE,
    phone TEXT,
    email TEXT,
    description TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (closed_on IS NULL OR opened_on IS NULL OR closed_on >= opened_on)
);

CREATE TABLE office_districts (
    office_id TEXT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    district_code TEXT NOT NULL REFERENCES districts (code),
    PRIMARY KEY (office_id, district_code)
);

-- Half-open periods [valid_from, valid_to): valid_to is the move-out day and the
-- next period's valid_from. NULL valid_to marks the open (latest) period.
CREATE TABLE location_periods (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    street TEXT,
    postal_code TEXT,
    city TEXT NOT NULL,
    district_code TEXT NOT NULL REFERENCES districts (code),
    premises TEXT,
    host_organization_id TEXT REFERENCES organizations (id),
    temporary BOOLEAN NOT NULL DEFAULT FALSE,
    valid_from DATE NOT NULL,
    valid_to DATE,
    reason TEXT,
    note TEXT,
    recorded_by TEXT,
    recorded_at TIMESTAMP NOT NULL,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX location_periods_one_open ON location_periods (office_id) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX location_periods_office_start ON location_periods (office_id, valid_from);

-- No two periods of one office may share a day, whatever code path writes them.
CREATE TRIGGER location_periods_no_overlap_insert
BEFORE INSERT ON location_periods
WHEN EXISTS (
    SELECT 1 FROM location_periods p
    WHERE p.office_id = NEW.office_id
      AND p.valid_from < COALESCE(NEW.valid_to, '9999-12-31')
      AND NEW.valid_from < COALESCE(p.valid_to, '9999-12-31')
)
BEGIN
    SELECT RAISE(ABORT, 'location_periods_overlap');
END;

CREATE TRIGGER location_periods_no_overlap_update
BEFORE UPDATE OF valid_from, valid_to, office_id ON location_periods
WHEN EXISTS (
    SELECT 1 FROM location_periods p
    WHERE p.office_id = NEW.office_id
      AND p.id <> NEW.id
      AND p.valid_from < COALESCE(NEW.valid_to, '9999-12-31')
      AND NEW.valid_from < COALESCE(p.valid_to, '9999-12-31')
)
BEGIN
    SELECT RAISE(ABORT, 'location_periods_overlap');
END;

-- Bumped in the same transaction as every change to public directory data, so
-- every instance's in-process cache can tell cheaply that it is stale.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);
