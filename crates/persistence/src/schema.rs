// One schema for both backends: only portable SQL types (see docs/architecture.md).

diesel::table! {
    districts (code) {
        code -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        kind -> Text,
        website -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offices (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        kind -> Text,
        status -> Text,
        provider_organization_id -> Text,
        opened_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        description -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    office_districts (office_id, district_code) {
        office_id -> Text,
        district_code -> Text,
    }
}

diesel::table! {
    location_periods (id) {
        id -> Text,
        office_id -> Text,
        street -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        city -> Text,
        district_code -> Text,
        premises -> Nullable<Text>,
        host_organization_id -> Nullable<Text>,
        temporary -> Bool,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    directory_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

diesel::joinable!(offices -> organizations (provider_organization_id));
diesel::joinable!(office_districts -> offices (office_id));
diesel::joinable!(office_districts -> districts (district_code));
diesel::joinable!(location_periods -> offices (office_id));

diesel::allow_tables_to_appear_in_same_query!(
    districts,
    organizations,
    offices,
    office_districts,
    location_periods,
    directory_version,
);
