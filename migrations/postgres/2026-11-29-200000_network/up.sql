-- The partner network and network meetings (field work, not directory data: nothing
-- here is in the public snapshot except the profile of public partners).

-- A partner's profile. Organizations that are not partners are public and have no actor
-- type, staffing or districts. Partners that existed before are public, as they were.
ALTER TABLE organizations ADD COLUMN actor_type TEXT;
ALTER TABLE organizations ADD COLUMN staffing TEXT;
ALTER TABLE organizations ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE organizations ADD CONSTRAINT organizations_actor_type
    CHECK (actor_type IS NULL OR kind = 'partner' AND actor_type IN ('migrant_organization', 'religious_community', 'association', 'school', 'daycare', 'adult_education', 'counselling_service', 'authority', 'housing_company', 'employer', 'health_care', 'volunteer_initiative', 'other'));
ALTER TABLE organizations ADD CONSTRAINT organizations_staffing
    CHECK (staffing IS NULL OR kind = 'partner' AND staffing IN ('volunteer', 'professional', 'mixed'));
ALTER TABLE organizations ADD CONSTRAINT organizations_visibility
    CHECK (visibility = 'public' OR visibility = 'internal' AND kind = 'partner');

-- Where a partner is active.
CREATE TABLE organization_districts (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    district_code TEXT NOT NULL REFERENCES districts (code),
    PRIMARY KEY (organization_id, district_code)
);

-- A partner's cooperation with an office, half-open [started_on, ended_on) like staff
-- assignments; ending is its own action. One open cooperation per partner, office and kind.
CREATE TABLE cooperations (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    kind TEXT NOT NULL CHECK (kind IN ('referral_partner', 'premises', 'joint_events', 'round_table_member', 'other')),
    started_on DATE NOT NULL,
    ended_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ended_on IS NULL OR ended_on > started_on)
);
CREATE INDEX cooperations_organization ON cooperations (organization_id, id);
CREATE INDEX cooperations_office ON cooperations (office_id);
CREATE UNIQUE INDEX cooperations_one_open ON cooperations (organization_id, office_id, kind)
    WHERE ended_on IS NULL;

-- Contact persons of partners: personal data (every read is access-logged). review_due is
-- one year after last_reviewed_on; review_key ('<review_due>|<id>') orders the list of
-- due reviews and is its keyset cursor.
CREATE TABLE contact_persons (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    function TEXT,
    email TEXT,
    phone TEXT,
    preferred_language TEXT,
    last_reviewed_on DATE NOT NULL,
    review_due DATE NOT NULL,
    review_key TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (review_due > last_reviewed_on)
);
CREATE INDEX contact_persons_organization ON contact_persons (organization_id, id);
CREATE INDEX contact_persons_review ON contact_persons (review_key);

-- Network meetings: head counts only, never names. list_key ('<held_on>|<id>') orders
-- the list newest first and is its keyset cursor.
CREATE TABLE network_meetings (
    id TEXT PRIMARY KEY,
    meeting_type TEXT NOT NULL CHECK (meeting_type IN ('round_table', 'network_meeting', 'working_group', 'cooperation_talk', 'encounter_event', 'training', 'information_event')),
    held_on DATE NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('organizer', 'co_organizer', 'participant')),
    title TEXT NOT NULL,
    volunteers INTEGER NOT NULL CHECK (volunteers BETWEEN 0 AND 10000),
    residents INTEGER NOT NULL CHECK (residents BETWEEN 0 AND 10000),
    newcomers INTEGER NOT NULL CHECK (newcomers BETWEEN 0 AND 10000),
    others INTEGER NOT NULL CHECK (others BETWEEN 0 AND 10000),
    follow_up_planned BOOLEAN NOT NULL,
    list_key TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX network_meetings_list ON network_meetings (list_key);
CREATE INDEX network_meetings_held_on ON network_meetings (held_on);

CREATE TABLE network_meeting_offices (
    meeting_id TEXT NOT NULL REFERENCES network_meetings (id) ON DELETE CASCADE,
    office_id TEXT NOT NULL REFERENCES offices (id),
    PRIMARY KEY (meeting_id, office_id)
);
CREATE INDEX network_meeting_offices_office ON network_meeting_offices (office_id, meeting_id);

CREATE TABLE network_meeting_districts (
    meeting_id TEXT NOT NULL REFERENCES network_meetings (id) ON DELETE CASCADE,
    district_code TEXT NOT NULL REFERENCES districts (code),
    PRIMARY KEY (meeting_id, district_code)
);
CREATE INDEX network_meeting_districts_district ON network_meeting_districts (district_code, meeting_id);

-- Topic codes in the order given.
CREATE TABLE network_meeting_topics (
    meeting_id TEXT NOT NULL REFERENCES network_meetings (id) ON DELETE CASCADE,
    topic_code TEXT NOT NULL REFERENCES topics (code),
    position INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, topic_code)
);

-- Participating organizations with their head counts, in the order given.
CREATE TABLE network_meeting_organizations (
    meeting_id TEXT NOT NULL REFERENCES network_meetings (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    persons INTEGER NOT NULL CHECK (persons BETWEEN 0 AND 10000),
    position INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, organization_id)
);
CREATE INDEX network_meeting_organizations_organization ON network_meeting_organizations (organization_id);
