//! The MitID onboarding sequence and its enrolment record
