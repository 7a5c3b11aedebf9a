//! Data protection: the personal-data access log's vocabulary. Every read of a personal
//! record (home-visit appointments now; volunteer offers, suggestions and partner contact
//! persons later) is logged with who read which record and why.

use crate::fieldwork::code_list;

code_list! {
    /// The kinds of record that hold personal data.
    PersonalRecordType {
        HomeVisit => "home_visit",
        VolunteerOffer => "volunteer_offer",
        Suggestion => "suggestion",
        ContactPerson => "contact_person",
    }
}

code_list! {
    /// Why a record was read.
    AccessPurpose {
        /// Shown in a list.
        List => "list",
        /// Read on its own.
        Read => "read",
        Export => "export",
        /// To answer a data subject's request.
        SubjectRequest => "subject_request",
    }
}
