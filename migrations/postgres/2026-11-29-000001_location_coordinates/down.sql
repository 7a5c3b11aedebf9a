ALTER TABLE location_periods DROP COLUMN longitude;
ALTER TABLE location_periods DROP COLUMN latitude;
