//! Passive authentication (ICAO 9303-11 §5.1, 9303-12; RFC 5652, RFC 5280).
//!
//! - [`verify_sod`]: EF.SOD's CMS SignedData → LDSSecurityObject, signer, DS certificate, path to
//!   a trusted CSCA, key usage, validity, revocation, data-group hashes → a [`Report`].
//! - [`verify_card_security`]: EF.CardSecurity with the same machinery, releasing the verified
//!   SecurityInfos for PACE-CAM / Chip Authentication.
//! - [`TrustStore`]: CSCA master lists (verified before use), certificate folders (DER/PEM), ICAO
//!   PKD LDIF, CRLs.
//!
//! Tolerated real-world quirks (each tested): BER indefinite lengths in CMS; `rsaEncryption` as
//! the SignerInfo signature algorithm; RSASSA-PSS parameters; explicit EC domain parameters
//! (the named curve is recognised); issuer names compared as names regardless of RDN order;
//! `id-data` as the EF.SOD eContentType; plain (TR-03111) ECDSA signatures.

#![forbid(unsafe_code)]

mod ber;
pub mod cert;
pub mod cms;
pub mod crl;
pub mod curves;
mod error;
pub mod name;
pub mod report;
pub mod sig;
pub mod time;
pub mod trust;
pub mod verify;

pub use cert::{CertInfo, Certificate, PublicKey};
pub use crl::Crl;
pub use error::PkiError;
pub use report::{DgResult, DgStatus, Outcome, Report, Step, Verdict};
pub use trust::{LoadSummary, MasterListInfo, TrustStore, inspect_master_list};
pub use verify::{CardSecurityResult, Options, TimePolicy, verify_card_security, verify_sod};
