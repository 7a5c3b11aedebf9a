-- longitude first: it carries the pairing check that refers to latitude.
ALTER TABLE location_periods DROP COLUMN longitude;
ALTER TABLE location_periods DROP COLUMN latitude;
