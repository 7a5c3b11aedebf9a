DROP TABLE staff_assignments;
DROP TABLE login_throttle;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
