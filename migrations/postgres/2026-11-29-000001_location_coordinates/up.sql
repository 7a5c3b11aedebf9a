-- WGS84 coordinates of a location period, so a map needs no geocoding. Both or neither;
-- the API also keeps them within Dortmund, the database only within the globe (NaN,
-- which PostgreSQL sorts above every number, fails the range checks).
ALTER TABLE location_periods
    ADD COLUMN latitude DOUBLE PRECISION,
    ADD COLUMN longitude DOUBLE PRECISION,
    ADD CONSTRAINT location_periods_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    ADD CONSTRAINT location_periods_longitude_range CHECK (longitude BETWEEN -180 AND 180),
    ADD CONSTRAINT location_periods_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL));
