DROP TRIGGER personal_data_access_log_append_only ON personal_data_access_log;
DROP FUNCTION personal_data_access_log_append_only();
DROP TABLE personal_data_access_log;
DROP TABLE home_visits;
DROP TABLE referrals;
DROP TABLE contact_records;
ALTER TABLE audit_events DROP COLUMN reason;
DELETE FROM topics WHERE position BETWEEN 13 AND 18;
