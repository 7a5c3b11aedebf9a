DROP TABLE staff_assignments;
DROP FUNCTION IF EXISTS staff_assignments_no_overlap();
DROP TABLE login_throttle;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
