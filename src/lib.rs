//! # epassport
//!
//! Verify a person's identity from their passport's NFC chip (ICAO Doc 9303) and produce a MitID
//! enrolment record. This facade re-exports the workspace crates:
//!
//! | module | what it does |
//! |---|---|
//! | [`mrz`] | machine readable zone: TD1, TD2, TD3, MRV-A, MRV-B, check digits, access keys |
//! | [`tlv`] | bounded BER-TLV parsing and encoding |
//! | [`card`] | APDUs, status words, the `Transport` trait and its backends |
//! | [`chip`] | the terminal side of BAC, PACE, secure messaging, CA and AA; the read strategy |
//! | [`lds`] | EF.COM, EF.SOD content, DG1–DG16, face images |
//! | [`pki`] | passive authentication: CMS, certificates, master lists, CRLs |
//! | [`sim`] | a software eMRTD chip for tests and demos |
//! | [`enrol`] | the onboarding sequence and the MitID enrolment record |
//! | `face` | the ONNX face match (feature `face`) |
//! | `face_step` | the enrolment's face step with the shipped models (feature `face`) |

pub use epassport_card as card;
pub use epassport_chip as chip;
pub use epassport_enrol as enrol;
#[cfg(feature = "face")]
pub use epassport_face as face;
pub use epassport_lds as lds;
pub use epassport_mrz as mrz;
pub use epassport_pki as pki;
pub use epassport_sim as sim;
pub use epassport_tlv as tlv;

#[cfg(feature = "face")]
pub mod face_step;
