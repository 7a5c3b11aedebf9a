DROP TABLE directory_version;
DROP TABLE location_periods;
DROP TABLE office_districts;
DROP TABLE offices;
DROP TABLE organizations;
DROP TABLE districts;
