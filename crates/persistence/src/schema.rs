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
        name_normalized -> Text,
        short_name -> Nullable<Text>,
        kind -> Text,
        website -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        actor_type -> Nullable<Text>,
        staffing -> Nullable<Text>,
        visibility -> Text,
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
        by_appointment -> Bool,
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

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_normalized -> Text,
        display_name -> Text,
        employer_organization_id -> Text,
        role -> Text,
        active -> Bool,
        password_hash -> Text,
        password_change_required -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        name -> Text,
        token_hash -> Text,
        role -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_kind -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        office_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        changed_fields -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_assignments (id) {
        id -> Text,
        office_id -> Text,
        user_id -> Text,
        side -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultation_slots (id) {
        id -> Text,
        office_id -> Text,
        weekday -> Integer,
        opens -> Text,
        closes -> Text,
        languages -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    consultation_closures (id) {
        id -> Text,
        office_id -> Text,
        first_day -> Date,
        last_day -> Date,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    extra_sessions (id) {
        id -> Text,
        office_id -> Text,
        day -> Date,
        opens -> Text,
        closes -> Text,
        languages -> Text,
        place -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    topics (code) {
        code -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        office_id -> Nullable<Text>,
        code -> Nullable<Text>,
        name -> Text,
        description -> Text,
        topics -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contact_records (id) {
        id -> Text,
        office_id -> Text,
        occurred_on -> Date,
        channel -> Text,
        duration -> Text,
        persons_present -> Integer,
        first_contact -> Bool,
        audience -> Text,
        residence_district -> Nullable<Text>,
        languages -> Text,
        interpreting -> Text,
        topics -> Text,
        outcome -> Text,
        recorded_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        contact_id -> Text,
        position -> Integer,
        target_category -> Text,
        organization_id -> Nullable<Text>,
        service_id -> Nullable<Text>,
        mode -> Text,
        consent_to_share -> Bool,
        status -> Text,
        outcome -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        closed_by -> Nullable<Text>,
    }
}

diesel::table! {
    home_visits (id) {
        id -> Text,
        office_id -> Text,
        planned_on -> Date,
        time_window -> Nullable<Text>,
        name -> Nullable<Text>,
        street -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        supplement -> Nullable<Text>,
        phone -> Nullable<Text>,
        language -> Text,
        source -> Text,
        status -> Text,
        contact_id -> Nullable<Text>,
        outcome_recorded_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    personal_data_access_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_kind -> Text,
        actor_role -> Text,
        record_type -> Text,
        record_id -> Text,
        purpose -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::joinable!(referrals -> contact_records (contact_id));
diesel::joinable!(contact_records -> offices (office_id));
diesel::joinable!(home_visits -> offices (office_id));
diesel::table! {
    organization_districts (organization_id, district_code) {
        organization_id -> Text,
        district_code -> Text,
    }
}

diesel::table! {
    cooperations (id) {
        id -> Text,
        organization_id -> Text,
        office_id -> Text,
        kind -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contact_persons (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        function -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        preferred_language -> Nullable<Text>,
        last_reviewed_on -> Date,
        review_due -> Date,
        review_key -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    network_meetings (id) {
        id -> Text,
        meeting_type -> Text,
        held_on -> Date,
        role -> Text,
        title -> Text,
        volunteers -> Integer,
        residents -> Integer,
        newcomers -> Integer,
        others -> Integer,
        follow_up_planned -> Bool,
        list_key -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    network_meeting_offices (meeting_id, office_id) {
        meeting_id -> Text,
        office_id -> Text,
    }
}

diesel::table! {
    network_meeting_districts (meeting_id, district_code) {
        meeting_id -> Text,
        district_code -> Text,
    }
}

diesel::table! {
    network_meeting_topics (meeting_id, topic_code) {
        meeting_id -> Text,
        topic_code -> Text,
        position -> Integer,
    }
}

diesel::table! {
    network_meeting_organizations (meeting_id, organization_id) {
        meeting_id -> Text,
        organization_id -> Text,
        persons -> Integer,
        position -> Integer,
    }
}

diesel::joinable!(organization_districts -> organizations (organization_id));
diesel::joinable!(cooperations -> organizations (organization_id));
diesel::joinable!(cooperations -> offices (office_id));
diesel::joinable!(contact_persons -> organizations (organization_id));
diesel::joinable!(network_meeting_offices -> network_meetings (meeting_id));
diesel::joinable!(network_meeting_districts -> network_meetings (meeting_id));
diesel::joinable!(network_meeting_topics -> network_meetings (meeting_id));
diesel::joinable!(network_meeting_organizations -> network_meetings (meeting_id));
diesel::joinable!(network_meeting_organizations -> organizations (organization_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(staff_assignments -> users (user_id));
diesel::joinable!(staff_assignments -> offices (office_id));
diesel::joinable!(users -> organizations (employer_organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    districts,
    organizations,
    offices,
    office_districts,
    location_periods,
    directory_version,
    users,
    sessions,
    refresh_tokens,
    api_tokens,
    audit_events,
    login_throttle,
    staff_assignments,
    consultation_slots,
    consultation_closures,
    extra_sessions,
    topics,
    services,
    contact_records,
    referrals,
    home_visits,
    personal_data_access_log,
    organization_districts,
    cooperations,
    contact_persons,
    network_meetings,
    network_meeting_offices,
    network_meeting_districts,
    network_meeting_topics,
    network_meeting_organizations,
);
