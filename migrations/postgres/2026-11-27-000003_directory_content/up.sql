-- Consultation hours, topics and services.
-- Localized texts are JSON objects keyed by language code, German always present.

ALTER TABLE offices ADD COLUMN by_appointment BOOLEAN NOT NULL DEFAULT FALSE;

-- Weekly slots in Europe/Berlin wall-clock time ('HH:MM'); weekday 1 = Monday.
CREATE TABLE consultation_slots (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    languages TEXT NOT NULL,
    note TEXT,
    CHECK (closes > opens)
);
CREATE INDEX consultation_slots_office ON consultation_slots (office_id);

-- Days without consultation, both inclusive.
CREATE TABLE consultation_closures (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    reason TEXT,
    CHECK (last_day >= first_day)
);
CREATE INDEX consultation_closures_office ON consultation_closures (office_id);

-- One-off sessions, e.g. at another place in the district.
CREATE TABLE extra_sessions (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    languages TEXT NOT NULL,
    place TEXT,
    note TEXT,
    CHECK (closes > opens)
);
CREATE INDEX extra_sessions_office ON extra_sessions (office_id, day);

CREATE TABLE topics (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL UNIQUE
);

INSERT INTO topics (code, name, position) VALUES
    ('birth', '{"de":"Geburt","en":"Birth"}', 1),
    ('childcare-place', '{"de":"Kita-Platz","en":"Childcare place"}', 2),
    ('school-enrollment', '{"de":"Schulanmeldung","en":"School enrollment"}', 3),
    ('job-search', '{"de":"Arbeitssuche","en":"Job search"}', 4),
    ('energy-contract', '{"de":"Strom- und Gasvertrag","en":"Electricity and gas contract"}', 5),
    ('public-transport-ticket', '{"de":"Fahrkarte für Bus und Bahn","en":"Public transport ticket"}', 6),
    ('housing', '{"de":"Wohnen","en":"Housing"}', 7),
    ('health', '{"de":"Gesundheit","en":"Health"}', 8),
    ('language-course', '{"de":"Sprachkurs","en":"Language course"}', 9),
    ('residence-matters', '{"de":"Aufenthaltsfragen","en":"Residence matters"}', 10),
    ('leisure-and-neighbourhood', '{"de":"Freizeit und Nachbarschaft","en":"Leisure and neighbourhood"}', 11),
    ('volunteering', '{"de":"Ehrenamt","en":"Volunteering"}', 12);

-- Services: the shared base offer of every office (office_id NULL, with a stable code)
-- and local services of one office.
CREATE TABLE services (
    id TEXT PRIMARY KEY,
    office_id TEXT REFERENCES offices (id) ON DELETE CASCADE,
    code TEXT UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    topics TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX services_office ON services (office_id);
