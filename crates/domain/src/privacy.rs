//! Data protection: the personal-data access log's vocabulary. Every read of a personal
//! record (home-visit appointments now; volunteer offers, suggestions and partner contact
//! persons later) is logged with who read which record and why.

crate::coded_enum! {
    /// The kinds of record that hold personal data.
    pub enum PersonalRecordType as "personal_record_type" {
        HomeVisit = "home_visit" ("Hausbesuch", "Home visit"),
        VolunteerOffer = "volunteer_offer" ("Angebot zum Ehrenamt", "volunteer offer"),
        Suggestion = "suggestion" ("Anregung", "suggestion"),
        ContactPerson = "contact_person" ("Kontaktperson", "contact person"),
    }
}

crate::coded_enum! {
    /// Why a record was read.
    pub enum AccessPurpose as "access_purpose" {
        /// Shown in a list.
        List = "list" ("Liste", "list"),
        /// Read on its own.
        Read = "read" ("Einzelabruf", "read"),
        Export = "export" ("Export", "export"),
        /// To answer a data subject's request.
        SubjectRequest = "subject_request" ("Auskunftsersuchen", "subject request"),
    }
}
