-- Field work: contact records with their referrals, home-visit appointments, and the
-- personal-data access log. Code lists (channel, audience, topics...) are not frozen into
-- CHECKs: they grow as data (codes are added, never renamed), guarded by the domain's
-- types; the constraints hold the invariants that never change.

-- The directory's topic list grows by the topics counselling is recorded under.
INSERT INTO topics (code, name, position) VALUES
    ('benefits-and-money', '{"de":"Leistungen und Geld","en":"Benefits and money"}', 13),
    ('authorities-and-forms', '{"de":"Behörden und Formulare","en":"Authorities and forms"}', 14),
    ('family-and-parenting', '{"de":"Familie und Erziehung","en":"Family and parenting"}', 15),
    ('digital-access', '{"de":"Digitaler Zugang","en":"Digital access"}', 16),
    ('work-recognition', '{"de":"Anerkennung von Abschlüssen","en":"Recognition of qualifications"}', 17),
    ('other', '{"de":"Sonstiges","en":"Other"}', 18);

-- Why a change was made, as a code (e.g. a contact record's correction reason); never
-- free text.
ALTER TABLE audit_events ADD COLUMN reason TEXT;

-- One counselling contact of an office. Anonymous by construction: no column could hold a
-- name, an address, a birth date or free text. Languages and topics are JSON arrays of codes.
CREATE TABLE contact_records (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    occurred_on DATE NOT NULL,
    channel TEXT NOT NULL,
    duration TEXT NOT NULL,
    persons_present INTEGER NOT NULL CHECK (persons_present BETWEEN 1 AND 20),
    first_contact BOOLEAN NOT NULL,
    audience TEXT NOT NULL,
    residence_district TEXT REFERENCES districts (code),
    languages TEXT NOT NULL,
    interpreting TEXT NOT NULL,
    topics TEXT NOT NULL,
    outcome TEXT NOT NULL,
    -- The user (or token) that recorded it: for the 14-day rule and accountability, never
    -- reported on.
    recorded_by TEXT,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Lists are newest first per office: keyset on (occurred_on, id).
CREATE INDEX contact_records_office_day ON contact_records (office_id, occurred_on, id);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contact_records (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    target_category TEXT NOT NULL,
    organization_id TEXT REFERENCES organizations (id),
    service_id TEXT REFERENCES services (id),
    mode TEXT NOT NULL,
    consent_to_share BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('issued', 'closed')),
    outcome TEXT,
    closed_on DATE,
    closed_by TEXT,
    UNIQUE (contact_id, position),
    CONSTRAINT referrals_consent CHECK (mode <> 'contacted_on_behalf' OR consent_to_share),
    CONSTRAINT referrals_closed CHECK (
        (status = 'issued' AND outcome IS NULL AND closed_on IS NULL)
        OR (status = 'closed' AND outcome IS NOT NULL AND closed_on IS NOT NULL)
    )
);
CREATE INDEX referrals_contact ON referrals (contact_id);

-- Welcome home-visit appointments: the one field-work record with personal data (name,
-- address, phone), which the retention job erases (erased_at) while office, date,
-- source, language and status stay for the reports.
CREATE TABLE home_visits (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    planned_on DATE NOT NULL,
    time_window TEXT CHECK (time_window IN ('morning', 'afternoon', 'evening')),
    name TEXT,
    street TEXT,
    postal_code TEXT,
    supplement TEXT,
    phone TEXT,
    language TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'done', 'no_show', 'cancelled', 'expired')),
    -- The visit's contact record, exactly when it was done.
    contact_id TEXT REFERENCES contact_records (id),
    outcome_recorded_at TIMESTAMP,
    erased_at TIMESTAMP,
    created_by TEXT,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT home_visits_done_has_contact CHECK ((status = 'done') = (contact_id IS NOT NULL)),
    CONSTRAINT home_visits_outcome_time CHECK ((status = 'planned') = (outcome_recorded_at IS NULL)),
    CONSTRAINT home_visits_personal CHECK (
        erased_at IS NOT NULL OR (name IS NOT NULL AND street IS NOT NULL AND postal_code IS NOT NULL)
    )
);
CREATE INDEX home_visits_office_day ON home_visits (office_id, planned_on, id);

-- Every read of a personal record: who, which record, when, why. Append-only (a trigger
-- refuses updates); only the retention job deletes entries, after 12 months. Apart from
-- the audit log, which records changes.
CREATE TABLE personal_data_access_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX personal_data_access_log_record ON personal_data_access_log (record_type, record_id, id);
CREATE INDEX personal_data_access_log_actor ON personal_data_access_log (actor_id, id);
CREATE INDEX personal_data_access_log_at ON personal_data_access_log (at);

CREATE TRIGGER personal_data_access_log_append_only
BEFORE UPDATE ON personal_data_access_log
BEGIN
    SELECT RAISE(ABORT, 'personal_data_access_log_append_only');
END;
