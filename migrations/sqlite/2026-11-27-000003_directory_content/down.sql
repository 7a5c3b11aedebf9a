DROP TABLE services;
DROP TABLE topics;
DROP TABLE extra_sessions;
DROP TABLE consultation_closures;
DROP TABLE consultation_slots;
ALTER TABLE offices DROP COLUMN by_appointment;
