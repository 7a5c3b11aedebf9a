-- WGS84 coordinates of a location period, so a map needs no geocoding. Both or neither;
-- the API also keeps them within Dortmund, the database only within the globe.
-- (SQLite cannot add table constraints to an existing table: the pairing rule rides on
-- the second column.)
ALTER TABLE location_periods ADD COLUMN latitude DOUBLE PRECISION
    CONSTRAINT location_periods_latitude_range CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE location_periods ADD COLUMN longitude DOUBLE PRECISION
    CONSTRAINT location_periods_longitude_range CHECK (longitude BETWEEN -180 AND 180)
    CONSTRAINT location_periods_coordinates_paired CHECK ((latitude IS NULL) = (longitude IS NULL));
