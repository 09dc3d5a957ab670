//! SecurityInfos (BSI TR-03110-3 §A.1, ICAO 9303-11 §9.2): the contents of EF.CardAccess, of
//! EF.CardSecurity's signed content and of DG14.
//!
//! ```text
//! SecurityInfos ::= SET OF SecurityInfo
//! SecurityInfo  ::= SEQUENCE { protocol OBJECT IDENTIFIER, requiredData ANY, optionalData ANY OPTIONAL }
//! ```
//!
//! Known infos are decoded into their own types: [`PaceInfo`], [`PaceDomainParameterInfo`]
//! (standardised and explicit parameters), [`ChipAuthenticationInfo`],
//! [`ChipAuthenticationPublicKeyInfo`], [`ChipAuthenticationDomainParameterInfo`],
//! [`TerminalAuthenticationInfo`] and [`ActiveAuthenticationInfo`]. Anything else is kept as
//! [`SecurityInfo::Unknown`], and a known info that does not decode is kept as
//! [`SecurityInfo::Malformed`] with its error: neither is fatal. Only a file that is not a SET of
//! SEQUENCEs fails as a whole.
//!
//! Every type encodes back to DER; decoding an encoding gives back the same value.

use crate::LdsError;
use crate::der::{INTEGER, OCTET_STRING, OID, Oid, SEQUENCE, encode_uint_bytes, oid};
use crate::obj::{Obj, all, obj_at, top};
use epassport_tlv::{Tag, encode};

const SET: Tag = Tag(0x31);
const BIT_STRING: Tag = Tag(0x03);
const DG14_TAG: Tag = Tag(0x6E);
const FIELD: &str = "SecurityInfos";

/// `bsi-de protocols smartcard` = 0.4.0.127.0.7.2.2, the arc of PACE, CA, TA and their keys.
pub const BSI_SMARTCARD_ARC: [u8; 7] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02];
/// `id-PK` arc (0.4.0.127.0.7.2.2.1): public keys for CA / PACE-CAM.
pub const ID_PK: u8 = 1;
/// `id-TA` (0.4.0.127.0.7.2.2.2).
pub const ID_TA: u8 = 2;
/// `id-CA` arc (0.4.0.127.0.7.2.2.3).
pub const ID_CA: u8 = 3;
/// `id-PACE` arc (0.4.0.127.0.7.2.2.4).
pub const ID_PACE: u8 = 4;
/// `id-AA` = 2.23.136.1.1.5 (ICAO 9303-11 §9.2.10).
pub const ID_AA: [u8; 5] = [0x67, 0x81, 0x08, 0x01, 0x01];
/// `standardizedDomainParameters` = 0.4.0.127.0.7.1.2 (BSI TR-03110-3 §A.2.1.1).
pub const STANDARDIZED_DOMAIN_PARAMETERS: [u8; 7] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x02];
/// `id-ecPublicKey` = 1.2.840.10045.2.1.
pub const ID_EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
/// `dhpublicnumber` = 1.2.840.10046.2.1 (ANSI X9.42).
pub const DH_PUBLIC_NUMBER: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01];
/// `prime-field` = 1.2.840.10045.1.1.
pub const PRIME_FIELD: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01];

fn standardized_oid() -> Oid {
    Oid(STANDARDIZED_DOMAIN_PARAMETERS.to_vec())
}

/// The key-agreement family of a protocol OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAgreement {
    /// Modular Diffie–Hellman.
    Dh,
    /// Elliptic-curve Diffie–Hellman.
    Ecdh,
}

/// The PACE mapping of a PACE OID (ICAO 9303-11 §4.4.3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mapping {
    /// Generic Mapping.
    Generic,
    /// Integrated Mapping.
    Integrated,
    /// Chip Authentication Mapping (ECDH only).
    ChipAuthentication,
}

/// The secure-messaging cipher (and key length) of a PACE or CA OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cipher {
    /// Two-key 3DES in CBC mode with the ISO 9797-1 MAC algorithm 3 (retail MAC).
    Tdes,
    /// AES-128, CBC and CMAC.
    Aes128,
    /// AES-192, CBC and CMAC.
    Aes192,
    /// AES-256, CBC and CMAC.
    Aes256,
}

impl Cipher {
    fn from_arc(v: u8) -> Option<Cipher> {
        Some(match v {
            1 => Cipher::Tdes,
            2 => Cipher::Aes128,
            3 => Cipher::Aes192,
            4 => Cipher::Aes256,
            _ => return None,
        })
    }
    fn arc(self) -> u8 {
        match self {
            Cipher::Tdes => 1,
            Cipher::Aes128 => 2,
            Cipher::Aes192 => 3,
            Cipher::Aes256 => 4,
        }
    }
    /// The key length in bytes (16 for two-key 3DES).
    pub fn key_len(self) -> usize {
        match self {
            Cipher::Tdes | Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
        }
    }
    /// The block length in bytes.
    pub fn block_len(self) -> usize {
        match self {
            Cipher::Tdes => 8,
            _ => 16,
        }
    }
    /// A short name (`3DES`, `AES-128`...).
    pub fn name(self) -> &'static str {
        match self {
            Cipher::Tdes => "3DES",
            Cipher::Aes128 => "AES-128",
            Cipher::Aes192 => "AES-192",
            Cipher::Aes256 => "AES-256",
        }
    }
}

/// A PACE protocol: key agreement, mapping and cipher, as encoded in its OID
/// `0.4.0.127.0.7.2.2.4.<mapping>.<cipher>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PaceProtocol {
    /// DH or ECDH.
    pub agreement: KeyAgreement,
    /// The mapping.
    pub mapping: Mapping,
    /// The cipher.
    pub cipher: Cipher,
}

impl PaceProtocol {
    /// Decodes a PACE protocol OID; `None` for anything else (including unassigned combinations).
    pub fn from_oid(oid: &Oid) -> Option<PaceProtocol> {
        let b = &oid.0;
        if b.len() != 10 || b[..7] != BSI_SMARTCARD_ARC || b[7] != ID_PACE {
            return None;
        }
        let (agreement, mapping) = match b[8] {
            1 => (KeyAgreement::Dh, Mapping::Generic),
            2 => (KeyAgreement::Ecdh, Mapping::Generic),
            3 => (KeyAgreement::Dh, Mapping::Integrated),
            4 => (KeyAgreement::Ecdh, Mapping::Integrated),
            6 => (KeyAgreement::Ecdh, Mapping::ChipAuthentication),
            _ => return None,
        };
        let cipher = Cipher::from_arc(b[9])?;
        if mapping == Mapping::ChipAuthentication && cipher == Cipher::Tdes {
            return None;
        }
        Some(PaceProtocol {
            agreement,
            mapping,
            cipher,
        })
    }

    fn mapping_arc(self) -> u8 {
        match (self.agreement, self.mapping) {
            (KeyAgreement::Dh, Mapping::Generic) => 1,
            (KeyAgreement::Ecdh, Mapping::Generic) => 2,
            (KeyAgreement::Dh, Mapping::Integrated) => 3,
            (KeyAgreement::Ecdh, Mapping::Integrated) => 4,
            (_, Mapping::ChipAuthentication) => 6,
        }
    }

    /// The protocol OID.
    pub fn oid(self) -> Oid {
        let mut v = BSI_SMARTCARD_ARC.to_vec();
        v.extend_from_slice(&[ID_PACE, self.mapping_arc(), self.cipher.arc()]);
        Oid(v)
    }

    /// The OID of the domain-parameter info for this mapping (`id-PACE-ECDH-GM` etc.).
    pub fn domain_parameter_oid(self) -> Oid {
        let mut v = BSI_SMARTCARD_ARC.to_vec();
        v.extend_from_slice(&[ID_PACE, self.mapping_arc()]);
        Oid(v)
    }

    /// A name such as `id-PACE-ECDH-GM-AES-CBC-CMAC-128`.
    pub fn name(self) -> String {
        let ka = match self.agreement {
            KeyAgreement::Dh => "DH",
            KeyAgreement::Ecdh => "ECDH",
        };
        let m = match self.mapping {
            Mapping::Generic => "GM",
            Mapping::Integrated => "IM",
            Mapping::ChipAuthentication => "CAM",
        };
        let c = match self.cipher {
            Cipher::Tdes => "3DES-CBC-CBC",
            Cipher::Aes128 => "AES-CBC-CMAC-128",
            Cipher::Aes192 => "AES-CBC-CMAC-192",
            Cipher::Aes256 => "AES-CBC-CMAC-256",
        };
        format!("id-PACE-{ka}-{m}-{c}")
    }
}

/// A Chip Authentication protocol `0.4.0.127.0.7.2.2.3.<DH 1|ECDH 2>.<cipher>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CaProtocol {
    /// DH or ECDH.
    pub agreement: KeyAgreement,
    /// The cipher.
    pub cipher: Cipher,
}

impl CaProtocol {
    /// Decodes a CA protocol OID.
    pub fn from_oid(oid: &Oid) -> Option<CaProtocol> {
        let b = &oid.0;
        if b.len() != 10 || b[..7] != BSI_SMARTCARD_ARC || b[7] != ID_CA {
            return None;
        }
        let agreement = match b[8] {
            1 => KeyAgreement::Dh,
            2 => KeyAgreement::Ecdh,
            _ => return None,
        };
        Some(CaProtocol {
            agreement,
            cipher: Cipher::from_arc(b[9])?,
        })
    }
    /// The protocol OID.
    pub fn oid(self) -> Oid {
        let mut v = BSI_SMARTCARD_ARC.to_vec();
        let ka = match self.agreement {
            KeyAgreement::Dh => 1,
            KeyAgreement::Ecdh => 2,
        };
        v.extend_from_slice(&[ID_CA, ka, self.cipher.arc()]);
        Oid(v)
    }
}

/// Domain parameters as carried in an AlgorithmIdentifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainParameters {
    /// `standardizedDomainParameters` with the standardised ID (0–2, 8–18).
    Standardized(u32),
    /// Explicit elliptic-curve parameters (`id-ecPublicKey` with `ECParameters`).
    Ec(ExplicitEcParameters),
    /// `id-ecPublicKey` with a named curve OID.
    NamedCurve(Oid),
    /// Explicit DH parameters (`dhpublicnumber` with X9.42 `DomainParameters`).
    Dh(ExplicitDhParameters),
    /// Anything else, kept as the AlgorithmIdentifier's OID and parameters' DER.
    Other {
        /// The algorithm OID.
        algorithm: Oid,
        /// The parameters' DER, if any.
        parameters: Option<Vec<u8>>,
    },
}

/// Explicit prime-curve parameters (SEC 1 `ECParameters`, BSI TR-03111 §5.1.1). Integers are
/// big-endian magnitudes without sign byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplicitEcParameters {
    /// The prime `p`.
    pub p: Vec<u8>,
    /// Coefficient `a` (as encoded: field-length octets).
    pub a: Vec<u8>,
    /// Coefficient `b`.
    pub b: Vec<u8>,
    /// The base point, uncompressed `04||x||y`.
    pub base: Vec<u8>,
    /// The order of the base point.
    pub order: Vec<u8>,
    /// The cofactor, when present.
    pub cofactor: Option<Vec<u8>>,
}

/// Explicit DH parameters (ANSI X9.42 `DomainParameters`); magnitudes without sign byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplicitDhParameters {
    /// The prime `p`.
    pub p: Vec<u8>,
    /// The generator `g`.
    pub g: Vec<u8>,
    /// The subgroup order `q`, when present.
    pub q: Option<Vec<u8>>,
}

/// `PACEInfo ::= SEQUENCE { protocol, version INTEGER, parameterId INTEGER OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaceInfo {
    /// The protocol OID as found.
    pub protocol: Oid,
    /// The protocol, when the OID is a known PACE OID (always for a decoded `PaceInfo`).
    pub pace: PaceProtocol,
    /// The version (2 for PACE v2).
    pub version: i64,
    /// The domain parameter ID: standardised (0–31) or naming a PACEDomainParameterInfo.
    pub parameter_id: Option<i64>,
}

/// `PACEDomainParameterInfo ::= SEQUENCE { protocol, domainParameter AlgorithmIdentifier,
/// parameterId INTEGER OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaceDomainParameterInfo {
    /// `id-PACE-DH-GM`, `id-PACE-ECDH-GM`, `id-PACE-DH-IM`, `id-PACE-ECDH-IM` or `id-PACE-ECDH-CAM`.
    pub protocol: Oid,
    /// The parameters.
    pub domain_parameters: DomainParameters,
    /// The ID a PACEInfo refers to.
    pub parameter_id: Option<i64>,
}

/// `ChipAuthenticationInfo ::= SEQUENCE { protocol, version INTEGER, keyId INTEGER OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipAuthenticationInfo {
    /// The protocol OID.
    pub protocol: Oid,
    /// Decoded protocol.
    pub ca: CaProtocol,
    /// Version (1 or 2).
    pub version: i64,
    /// The key ID, when the chip has several keys.
    pub key_id: Option<i64>,
}

/// A public key: algorithm with its domain parameters and the key bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectPublicKey {
    /// The algorithm and domain parameters.
    pub parameters: DomainParameters,
    /// For EC, the encoded point; for DH, the public value's magnitude (the INTEGER inside the
    /// BIT STRING).
    pub key: Vec<u8>,
}

/// `ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol (id-PK-DH | id-PK-ECDH),
/// chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipAuthenticationPublicKeyInfo {
    /// `id-PK-DH` or `id-PK-ECDH`.
    pub protocol: Oid,
    /// DH or ECDH.
    pub agreement: KeyAgreement,
    /// The public key.
    pub public_key: SubjectPublicKey,
    /// The key ID.
    pub key_id: Option<i64>,
}

/// `ChipAuthenticationDomainParameterInfo ::= SEQUENCE { protocol (id-CA-DH | id-CA-ECDH),
/// domainParameter AlgorithmIdentifier, keyId INTEGER OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipAuthenticationDomainParameterInfo {
    /// The protocol OID.
    pub protocol: Oid,
    /// The parameters.
    pub domain_parameters: DomainParameters,
    /// The key ID.
    pub key_id: Option<i64>,
}

/// `TerminalAuthenticationInfo ::= SEQUENCE { protocol id-TA, version INTEGER,
/// efCVCA FileID OPTIONAL }` (the optional part kept as DER).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalAuthenticationInfo {
    /// Version (1 or 2).
    pub version: i64,
    /// The optional efCVCA file reference, as DER.
    pub ef_cvca: Option<Vec<u8>>,
}

/// `ActiveAuthenticationInfo ::= SEQUENCE { protocol id-AA, version INTEGER,
/// signatureAlgorithm OBJECT IDENTIFIER }` (ICAO 9303-11 §9.2.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveAuthenticationInfo {
    /// Version (1).
    pub version: i64,
    /// The ECDSA signature algorithm (e.g. `ecdsa-with-SHA256`).
    pub signature_algorithm: Oid,
}

/// One SecurityInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityInfo {
    /// A PACEInfo.
    Pace(PaceInfo),
    /// A PACEDomainParameterInfo.
    PaceDomainParameters(PaceDomainParameterInfo),
    /// A ChipAuthenticationInfo.
    ChipAuthentication(ChipAuthenticationInfo),
    /// A ChipAuthenticationPublicKeyInfo.
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    /// A ChipAuthenticationDomainParameterInfo.
    ChipAuthenticationDomainParameters(ChipAuthenticationDomainParameterInfo),
    /// A TerminalAuthenticationInfo.
    TerminalAuthentication(TerminalAuthenticationInfo),
    /// An ActiveAuthenticationInfo.
    ActiveAuthentication(ActiveAuthenticationInfo),
    /// A SecurityInfo of a protocol this crate does not know; kept verbatim.
    Unknown {
        /// Its protocol OID.
        protocol: Oid,
        /// The whole SecurityInfo's DER.
        der: Vec<u8>,
    },
    /// A SecurityInfo of a known protocol that does not decode; kept with the reason.
    Malformed {
        /// Its protocol OID.
        protocol: Oid,
        /// The whole SecurityInfo's DER.
        der: Vec<u8>,
        /// Why it did not decode.
        error: LdsError,
    },
}

/// A parsed SecurityInfos set, in file order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SecurityInfos {
    /// The infos in the order found.
    pub infos: Vec<SecurityInfo>,
}

/// More SecurityInfo entries than any real document has; a bound on work for hostile input.
pub const MAX_SECURITY_INFOS: usize = 256;

impl SecurityInfos {
    /// Parses the DER `SET OF SecurityInfo` (EF.CardAccess, or EF.CardSecurity's eContent).
    pub fn parse(bytes: &[u8]) -> Result<SecurityInfos, LdsError> {
        let set = top(bytes, SET, FIELD)?;
        Self::parse_set(&set, bytes)
    }

    /// Parses DG14 (tag `6E` around the SecurityInfos set).
    pub fn parse_dg14(bytes: &[u8]) -> Result<SecurityInfos, LdsError> {
        let outer = top(bytes, DG14_TAG, "DG14")?;
        let set = obj_at(outer.value, 0, outer.value_offset, "DG14")?.expect(SET, "DG14")?;
        let end = set.value_offset - outer.value_offset + set.value.len();
        if end != outer.value.len() {
            return Err(LdsError::invalid(
                "DG14",
                outer.value_offset + end,
                "bytes after the SecurityInfos set",
            ));
        }
        Self::parse_set(&set, bytes)
    }

    fn parse_set(set: &Obj<'_>, file: &[u8]) -> Result<SecurityInfos, LdsError> {
        let kids = set.children(FIELD)?;
        if kids.len() > MAX_SECURITY_INFOS {
            return Err(LdsError::invalid(
                FIELD,
                set.offset,
                format!(
                    "{} SecurityInfos, more than {MAX_SECURITY_INFOS}",
                    kids.len()
                ),
            ));
        }
        let mut infos = Vec::with_capacity(kids.len());
        for k in kids {
            let k = k.expect(SEQUENCE, "SecurityInfo")?;
            let der = file
                .get(k.offset..k.value_offset + k.value.len())
                .unwrap_or_default()
                .to_vec();
            let fields = k.children("SecurityInfo")?;
            let first = fields
                .first()
                .ok_or_else(|| k.missing(OID, "SecurityInfo"))?;
            let protocol = oid(first, "SecurityInfo.protocol")?;
            infos.push(decode_info(protocol, &fields[1..], der, &k));
        }
        Ok(SecurityInfos { infos })
    }

    /// DER encoding of the SET (in the order held).
    pub fn to_der(&self) -> Vec<u8> {
        let mut v = Vec::new();
        for i in &self.infos {
            v.extend_from_slice(&i.to_der());
        }
        encode(SET, &v)
    }

    /// DER encoding as DG14 (tag `6E`).
    pub fn to_dg14(&self) -> Vec<u8> {
        encode(DG14_TAG, &self.to_der())
    }

    /// The PACEInfos, in file order.
    pub fn pace_infos(&self) -> impl Iterator<Item = &PaceInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::Pace(p) => Some(p),
            _ => None,
        })
    }

    /// The PACEDomainParameterInfos.
    pub fn pace_domain_parameter_infos(&self) -> impl Iterator<Item = &PaceDomainParameterInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::PaceDomainParameters(p) => Some(p),
            _ => None,
        })
    }

    /// The ChipAuthenticationInfos.
    pub fn chip_authentication_infos(&self) -> impl Iterator<Item = &ChipAuthenticationInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthentication(p) => Some(p),
            _ => None,
        })
    }

    /// The ChipAuthenticationPublicKeyInfos.
    pub fn chip_authentication_public_keys(
        &self,
    ) -> impl Iterator<Item = &ChipAuthenticationPublicKeyInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(p) => Some(p),
            _ => None,
        })
    }

    /// The ActiveAuthenticationInfo, if any.
    pub fn active_authentication(&self) -> Option<&ActiveAuthenticationInfo> {
        self.infos.iter().find_map(|i| match i {
            SecurityInfo::ActiveAuthentication(a) => Some(a),
            _ => None,
        })
    }

    /// The TerminalAuthenticationInfo, if any.
    pub fn terminal_authentication(&self) -> Option<&TerminalAuthenticationInfo> {
        self.infos.iter().find_map(|i| match i {
            SecurityInfo::TerminalAuthentication(a) => Some(a),
            _ => None,
        })
    }

    /// Infos kept verbatim: unknown protocols and known ones that did not decode.
    pub fn unrecognised(&self) -> impl Iterator<Item = &SecurityInfo> {
        self.infos.iter().filter(|i| {
            matches!(
                i,
                SecurityInfo::Unknown { .. } | SecurityInfo::Malformed { .. }
            )
        })
    }

    /// The PACEDomainParameterInfo a PACEInfo with explicit parameters refers to: same mapping
    /// and the same parameterId (or the only one when neither has an ID).
    pub fn pace_domain_parameters_for(&self, info: &PaceInfo) -> Option<&PaceDomainParameterInfo> {
        let want = info.pace.domain_parameter_oid();
        let mut candidates = self
            .pace_domain_parameter_infos()
            .filter(|d| d.protocol == want);
        match info.parameter_id {
            Some(id) => candidates.find(|d| d.parameter_id == Some(id)),
            None => candidates.next(),
        }
    }
}

fn is_arc(o: &Oid, arc: u8) -> bool {
    o.0.len() > 8 && o.0[..7] == BSI_SMARTCARD_ARC && o.0[7] == arc
}

fn decode_info(protocol: Oid, rest: &[Obj<'_>], der: Vec<u8>, seq: &Obj<'_>) -> SecurityInfo {
    let b = &protocol.0;
    let result: Option<Result<SecurityInfo, LdsError>> =
        if let Some(pace) = PaceProtocol::from_oid(&protocol) {
            Some(decode_pace_info(&protocol, pace, rest, seq))
        } else if is_arc(&protocol, ID_PACE) && b.len() == 9 && matches!(b[8], 1..=4 | 6) {
            Some(
                decode_domain_params_info(rest, seq, "PACEDomainParameterInfo").map(|(dp, id)| {
                    SecurityInfo::PaceDomainParameters(PaceDomainParameterInfo {
                        protocol: protocol.clone(),
                        domain_parameters: dp,
                        parameter_id: id,
                    })
                }),
            )
        } else if let Some(ca) = CaProtocol::from_oid(&protocol) {
            Some(decode_ca_info(&protocol, ca, rest, seq))
        } else if is_arc(&protocol, ID_CA) && b.len() == 9 && matches!(b[8], 1 | 2) {
            Some(
                decode_domain_params_info(rest, seq, "ChipAuthenticationDomainParameterInfo").map(
                    |(dp, id)| {
                        SecurityInfo::ChipAuthenticationDomainParameters(
                            ChipAuthenticationDomainParameterInfo {
                                protocol: protocol.clone(),
                                domain_parameters: dp,
                                key_id: id,
                            },
                        )
                    },
                ),
            )
        } else if is_arc(&protocol, ID_PK) && b.len() == 9 && matches!(b[8], 1 | 2) {
            let agreement = if b[8] == 1 {
                KeyAgreement::Dh
            } else {
                KeyAgreement::Ecdh
            };
            Some(decode_pk_info(&protocol, agreement, rest, seq))
        } else if b.len() == 8 && b[..7] == BSI_SMARTCARD_ARC && b[7] == ID_TA {
            Some(decode_ta_info(rest, seq))
        } else if b.len() == 6 && b[..5] == ID_AA && b[5] == 0x05 {
            Some(decode_aa_info(rest, seq))
        } else {
            None
        };
    match result {
        None => SecurityInfo::Unknown { protocol, der },
        Some(Ok(i)) => i,
        Some(Err(error)) => SecurityInfo::Malformed {
            protocol,
            der,
            error,
        },
    }
}

fn int_opt(rest: &[Obj<'_>], idx: usize, field: &'static str) -> Result<Option<i64>, LdsError> {
    match rest.get(idx) {
        None => Ok(None),
        Some(o) => Ok(Some(crate::der::int_i64(o, field)?)),
    }
}

fn no_more(rest: &[Obj<'_>], n: usize, field: &'static str) -> Result<(), LdsError> {
    match rest.get(n) {
        None => Ok(()),
        Some(o) => Err(LdsError::invalid(
            field,
            o.offset,
            "unexpected extra element",
        )),
    }
}

fn decode_pace_info(
    protocol: &Oid,
    pace: PaceProtocol,
    rest: &[Obj<'_>],
    seq: &Obj<'_>,
) -> Result<SecurityInfo, LdsError> {
    const F: &str = "PACEInfo";
    let v = rest.first().ok_or_else(|| seq.missing(INTEGER, F))?;
    let version = crate::der::int_i64(v, "PACEInfo.version")?;
    let parameter_id = int_opt(rest, 1, "PACEInfo.parameterId")?;
    no_more(rest, 2, F)?;
    Ok(SecurityInfo::Pace(PaceInfo {
        protocol: protocol.clone(),
        pace,
        version,
        parameter_id,
    }))
}

fn decode_ca_info(
    protocol: &Oid,
    ca: CaProtocol,
    rest: &[Obj<'_>],
    seq: &Obj<'_>,
) -> Result<SecurityInfo, LdsError> {
    const F: &str = "ChipAuthenticationInfo";
    let v = rest.first().ok_or_else(|| seq.missing(INTEGER, F))?;
    let version = crate::der::int_i64(v, "ChipAuthenticationInfo.version")?;
    let key_id = int_opt(rest, 1, "ChipAuthenticationInfo.keyId")?;
    no_more(rest, 2, F)?;
    Ok(SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
        protocol: protocol.clone(),
        ca,
        version,
        key_id,
    }))
}

fn decode_domain_params_info(
    rest: &[Obj<'_>],
    seq: &Obj<'_>,
    field: &'static str,
) -> Result<(DomainParameters, Option<i64>), LdsError> {
    let alg = rest.first().ok_or_else(|| seq.missing(SEQUENCE, field))?;
    let dp = decode_algorithm(alg, field)?;
    let id = int_opt(rest, 1, field)?;
    no_more(rest, 2, field)?;
    Ok((dp, id))
}

fn decode_pk_info(
    protocol: &Oid,
    agreement: KeyAgreement,
    rest: &[Obj<'_>],
    seq: &Obj<'_>,
) -> Result<SecurityInfo, LdsError> {
    const F: &str = "ChipAuthenticationPublicKeyInfo";
    let spki = rest.first().ok_or_else(|| seq.missing(SEQUENCE, F))?;
    let public_key = decode_spki(spki, agreement)?;
    let key_id = int_opt(rest, 1, "ChipAuthenticationPublicKeyInfo.keyId")?;
    no_more(rest, 2, F)?;
    Ok(SecurityInfo::ChipAuthenticationPublicKey(
        ChipAuthenticationPublicKeyInfo {
            protocol: protocol.clone(),
            agreement,
            public_key,
            key_id,
        },
    ))
}

fn decode_ta_info(rest: &[Obj<'_>], seq: &Obj<'_>) -> Result<SecurityInfo, LdsError> {
    const F: &str = "TerminalAuthenticationInfo";
    let v = rest.first().ok_or_else(|| seq.missing(INTEGER, F))?;
    let version = crate::der::int_i64(v, "TerminalAuthenticationInfo.version")?;
    let ef_cvca = rest.get(1).map(|o| {
        let start = o.offset - seq.value_offset;
        let end = o.value_offset - seq.value_offset + o.value.len();
        seq.value.get(start..end).unwrap_or_default().to_vec()
    });
    no_more(rest, 2, F)?;
    Ok(SecurityInfo::TerminalAuthentication(
        TerminalAuthenticationInfo { version, ef_cvca },
    ))
}

fn decode_aa_info(rest: &[Obj<'_>], seq: &Obj<'_>) -> Result<SecurityInfo, LdsError> {
    const F: &str = "ActiveAuthenticationInfo";
    let v = rest.first().ok_or_else(|| seq.missing(INTEGER, F))?;
    let version = crate::der::int_i64(v, "ActiveAuthenticationInfo.version")?;
    let alg = rest.get(1).ok_or_else(|| seq.missing(OID, F))?;
    let signature_algorithm = oid(alg, "ActiveAuthenticationInfo.signatureAlgorithm")?;
    no_more(rest, 2, F)?;
    Ok(SecurityInfo::ActiveAuthentication(
        ActiveAuthenticationInfo {
            version,
            signature_algorithm,
        },
    ))
}

/// A non-negative INTEGER's magnitude (sign byte stripped); refuses negatives and empties.
fn uint_bytes(o: &Obj<'_>, field: &'static str) -> Result<Vec<u8>, LdsError> {
    let o = o.expect(INTEGER, field)?;
    match o.value.first() {
        None => Err(LdsError::invalid(field, o.value_offset, "empty INTEGER")),
        Some(b) if b & 0x80 != 0 => {
            Err(LdsError::invalid(field, o.value_offset, "negative INTEGER"))
        }
        Some(_) => {
            let skip = o.value.iter().take_while(|&&b| b == 0).count();
            let v = &o.value[skip.min(o.value.len().saturating_sub(1))..];
            Ok(v.to_vec())
        }
    }
}

fn octets(o: &Obj<'_>, field: &'static str) -> Result<Vec<u8>, LdsError> {
    Ok(o.expect(OCTET_STRING, field)?.value.to_vec())
}

/// Decodes an AlgorithmIdentifier carrying domain parameters.
fn decode_algorithm(alg: &Obj<'_>, field: &'static str) -> Result<DomainParameters, LdsError> {
    let alg = alg.expect(SEQUENCE, field)?;
    let kids = alg.children(field)?;
    let first = kids.first().ok_or_else(|| alg.missing(OID, field))?;
    let algorithm = oid(first, field)?;
    let params = kids.get(1);
    if kids.len() > 2 {
        return Err(LdsError::invalid(
            field,
            kids[2].offset,
            "AlgorithmIdentifier with more than two elements",
        ));
    }
    if algorithm == standardized_oid() {
        let p = params.ok_or_else(|| alg.missing(INTEGER, field))?;
        let id = crate::der::int_i64(p, "standardizedDomainParameters")?;
        let id = u32::try_from(id).map_err(|_| {
            LdsError::invalid(field, p.value_offset, format!("domain parameter ID {id}"))
        })?;
        return Ok(DomainParameters::Standardized(id));
    }
    if algorithm.0 == ID_EC_PUBLIC_KEY {
        let p = params.ok_or_else(|| alg.missing(SEQUENCE, field))?;
        if p.tag == OID {
            return Ok(DomainParameters::NamedCurve(oid(p, field)?));
        }
        return Ok(DomainParameters::Ec(decode_ec_parameters(p)?));
    }
    if algorithm.0 == DH_PUBLIC_NUMBER {
        let p = params.ok_or_else(|| alg.missing(SEQUENCE, field))?;
        let p = p.expect(SEQUENCE, "DomainParameters")?;
        let f = p.children("DomainParameters")?;
        let pp = f
            .first()
            .ok_or_else(|| p.missing(INTEGER, "DomainParameters.p"))?;
        let g = f
            .get(1)
            .ok_or_else(|| p.missing(INTEGER, "DomainParameters.g"))?;
        let q = match f.get(2) {
            Some(q) => Some(uint_bytes(q, "DomainParameters.q")?),
            None => None,
        };
        return Ok(DomainParameters::Dh(ExplicitDhParameters {
            p: uint_bytes(pp, "DomainParameters.p")?,
            g: uint_bytes(g, "DomainParameters.g")?,
            q,
        }));
    }
    let parameters = params.map(|p| {
        let start = p.offset - alg.value_offset;
        let end = p.value_offset - alg.value_offset + p.value.len();
        alg.value.get(start..end).unwrap_or_default().to_vec()
    });
    Ok(DomainParameters::Other {
        algorithm,
        parameters,
    })
}

fn decode_ec_parameters(p: &Obj<'_>) -> Result<ExplicitEcParameters, LdsError> {
    const F: &str = "ECParameters";
    let p = p.expect(SEQUENCE, F)?;
    let f = p.children(F)?;
    let version = f
        .first()
        .ok_or_else(|| p.missing(INTEGER, "ECParameters.version"))?;
    let v = crate::der::int_i64(version, "ECParameters.version")?;
    if v != 1 {
        return Err(LdsError::invalid(
            F,
            version.value_offset,
            format!("version {v}, expected 1"),
        ));
    }
    let field_id = f
        .get(1)
        .ok_or_else(|| p.missing(SEQUENCE, "ECParameters.fieldID"))?;
    let field_id = field_id.expect(SEQUENCE, "ECParameters.fieldID")?;
    let fk = field_id.children("ECParameters.fieldID")?;
    let ft = fk
        .first()
        .ok_or_else(|| field_id.missing(OID, "ECParameters.fieldID"))?;
    let ft_oid = oid(ft, "ECParameters.fieldID.fieldType")?;
    if ft_oid.0 != PRIME_FIELD {
        return Err(LdsError::invalid(
            F,
            ft.value_offset,
            format!("field type {ft_oid}, only prime fields are supported"),
        ));
    }
    let prime = fk
        .get(1)
        .ok_or_else(|| field_id.missing(INTEGER, "ECParameters.fieldID.prime"))?;
    let curve = f
        .get(2)
        .ok_or_else(|| p.missing(SEQUENCE, "ECParameters.curve"))?;
    let curve = curve.expect(SEQUENCE, "ECParameters.curve")?;
    let ck = curve.children("ECParameters.curve")?;
    let a = ck
        .first()
        .ok_or_else(|| curve.missing(OCTET_STRING, "ECParameters.curve.a"))?;
    let b = ck
        .get(1)
        .ok_or_else(|| curve.missing(OCTET_STRING, "ECParameters.curve.b"))?;
    let base = f
        .get(3)
        .ok_or_else(|| p.missing(OCTET_STRING, "ECParameters.base"))?;
    let order = f
        .get(4)
        .ok_or_else(|| p.missing(INTEGER, "ECParameters.order"))?;
    let cofactor = match f.get(5) {
        Some(c) => Some(uint_bytes(c, "ECParameters.cofactor")?),
        None => None,
    };
    Ok(ExplicitEcParameters {
        p: uint_bytes(prime, "ECParameters.fieldID.prime")?,
        a: octets(a, "ECParameters.curve.a")?,
        b: octets(b, "ECParameters.curve.b")?,
        base: octets(base, "ECParameters.base")?,
        order: uint_bytes(order, "ECParameters.order")?,
        cofactor,
    })
}

fn decode_spki(spki: &Obj<'_>, agreement: KeyAgreement) -> Result<SubjectPublicKey, LdsError> {
    const F: &str = "SubjectPublicKeyInfo";
    let spki = spki.expect(SEQUENCE, F)?;
    let k = spki.children(F)?;
    let alg = k
        .first()
        .ok_or_else(|| spki.missing(SEQUENCE, "SubjectPublicKeyInfo.algorithm"))?;
    let parameters = decode_algorithm(alg, "SubjectPublicKeyInfo.algorithm")?;
    let bits = k
        .get(1)
        .ok_or_else(|| spki.missing(BIT_STRING, "SubjectPublicKeyInfo.subjectPublicKey"))?
        .expect(BIT_STRING, "SubjectPublicKeyInfo.subjectPublicKey")?;
    let (unused, body) = bits
        .value
        .split_first()
        .ok_or_else(|| LdsError::invalid(F, bits.value_offset, "empty BIT STRING"))?;
    if *unused != 0 {
        return Err(LdsError::invalid(
            F,
            bits.value_offset,
            format!("BIT STRING with {unused} unused bits"),
        ));
    }
    let key = match agreement {
        KeyAgreement::Ecdh => body.to_vec(),
        KeyAgreement::Dh => {
            let inner = all(
                body,
                bits.value_offset + 1,
                "SubjectPublicKeyInfo.subjectPublicKey",
            )?;
            let y = inner
                .first()
                .ok_or_else(|| bits.missing(INTEGER, "DH public value"))?;
            uint_bytes(y, "DH public value")?
        }
    };
    Ok(SubjectPublicKey { parameters, key })
}

// ---- encoding ----

fn int_der(v: i64) -> Vec<u8> {
    crate::der::encode_int(v)
}

impl DomainParameters {
    /// The AlgorithmIdentifier's DER.
    pub fn to_der(&self) -> Vec<u8> {
        let mut v = Vec::new();
        match self {
            DomainParameters::Standardized(id) => {
                v.extend_from_slice(&standardized_oid().to_der());
                v.extend_from_slice(&int_der(*id as i64));
            }
            DomainParameters::NamedCurve(o) => {
                v.extend_from_slice(&Oid(ID_EC_PUBLIC_KEY.to_vec()).to_der());
                v.extend_from_slice(&o.to_der());
            }
            DomainParameters::Ec(e) => {
                v.extend_from_slice(&Oid(ID_EC_PUBLIC_KEY.to_vec()).to_der());
                let mut fid = Oid(PRIME_FIELD.to_vec()).to_der();
                fid.extend_from_slice(&encode_uint_bytes(&e.p));
                let mut curve = encode(OCTET_STRING, &e.a);
                curve.extend_from_slice(&encode(OCTET_STRING, &e.b));
                let mut p = int_der(1);
                p.extend_from_slice(&encode(SEQUENCE, &fid));
                p.extend_from_slice(&encode(SEQUENCE, &curve));
                p.extend_from_slice(&encode(OCTET_STRING, &e.base));
                p.extend_from_slice(&encode_uint_bytes(&e.order));
                if let Some(h) = &e.cofactor {
                    p.extend_from_slice(&encode_uint_bytes(h));
                }
                v.extend_from_slice(&encode(SEQUENCE, &p));
            }
            DomainParameters::Dh(d) => {
                v.extend_from_slice(&Oid(DH_PUBLIC_NUMBER.to_vec()).to_der());
                let mut p = encode_uint_bytes(&d.p);
                p.extend_from_slice(&encode_uint_bytes(&d.g));
                if let Some(q) = &d.q {
                    p.extend_from_slice(&encode_uint_bytes(q));
                }
                v.extend_from_slice(&encode(SEQUENCE, &p));
            }
            DomainParameters::Other {
                algorithm,
                parameters,
            } => {
                v.extend_from_slice(&algorithm.to_der());
                if let Some(p) = parameters {
                    v.extend_from_slice(p);
                }
            }
        }
        encode(SEQUENCE, &v)
    }
}

impl SubjectPublicKey {
    /// The SubjectPublicKeyInfo's DER for a key of the given agreement.
    pub fn to_der(&self, agreement: KeyAgreement) -> Vec<u8> {
        let mut v = self.parameters.to_der();
        let mut bits = vec![0u8];
        match agreement {
            KeyAgreement::Ecdh => bits.extend_from_slice(&self.key),
            KeyAgreement::Dh => bits.extend_from_slice(&encode_uint_bytes(&self.key)),
        }
        v.extend_from_slice(&encode(BIT_STRING, &bits));
        encode(SEQUENCE, &v)
    }
}

impl SecurityInfo {
    /// The SecurityInfo's DER.
    pub fn to_der(&self) -> Vec<u8> {
        let mut v = Vec::new();
        match self {
            SecurityInfo::Pace(p) => {
                v.extend_from_slice(&p.protocol.to_der());
                v.extend_from_slice(&int_der(p.version));
                if let Some(id) = p.parameter_id {
                    v.extend_from_slice(&int_der(id));
                }
            }
            SecurityInfo::PaceDomainParameters(p) => {
                v.extend_from_slice(&p.protocol.to_der());
                v.extend_from_slice(&p.domain_parameters.to_der());
                if let Some(id) = p.parameter_id {
                    v.extend_from_slice(&int_der(id));
                }
            }
            SecurityInfo::ChipAuthentication(c) => {
                v.extend_from_slice(&c.protocol.to_der());
                v.extend_from_slice(&int_der(c.version));
                if let Some(id) = c.key_id {
                    v.extend_from_slice(&int_der(id));
                }
            }
            SecurityInfo::ChipAuthenticationPublicKey(c) => {
                v.extend_from_slice(&c.protocol.to_der());
                v.extend_from_slice(&c.public_key.to_der(c.agreement));
                if let Some(id) = c.key_id {
                    v.extend_from_slice(&int_der(id));
                }
            }
            SecurityInfo::ChipAuthenticationDomainParameters(c) => {
                v.extend_from_slice(&c.protocol.to_der());
                v.extend_from_slice(&c.domain_parameters.to_der());
                if let Some(id) = c.key_id {
                    v.extend_from_slice(&int_der(id));
                }
            }
            SecurityInfo::TerminalAuthentication(t) => {
                let mut o = BSI_SMARTCARD_ARC.to_vec();
                o.push(ID_TA);
                v.extend_from_slice(&Oid(o).to_der());
                v.extend_from_slice(&int_der(t.version));
                if let Some(f) = &t.ef_cvca {
                    v.extend_from_slice(f);
                }
            }
            SecurityInfo::ActiveAuthentication(a) => {
                let mut o = ID_AA.to_vec();
                o.push(0x05);
                v.extend_from_slice(&Oid(o).to_der());
                v.extend_from_slice(&int_der(a.version));
                v.extend_from_slice(&a.signature_algorithm.to_der());
            }
            SecurityInfo::Unknown { der, .. } | SecurityInfo::Malformed { der, .. } => {
                return der.clone();
            }
        }
        encode(SEQUENCE, &v)
    }
}

/// The (unverified) eContent of EF.CardSecurity: a CMS ContentInfo with SignedData whose
/// encapsulated content is SecurityInfos. Passive authentication must verify the signature before
/// anything read from it is trusted; this only walks the structure.
pub fn card_security_content(bytes: &[u8]) -> Result<&[u8], LdsError> {
    const F: &str = "EF.CardSecurity";
    let ci = top(bytes, SEQUENCE, F)?;
    let kids = ci.children(F)?;
    let ctx = kids
        .get(1)
        .ok_or_else(|| ci.missing(Tag(0xA0), F))?
        .expect(Tag(0xA0), F)?;
    let sd = obj_at(ctx.value, 0, ctx.value_offset, F)?.expect(SEQUENCE, F)?;
    let sdk = sd.children(F)?;
    let encap = sdk
        .get(2)
        .ok_or_else(|| sd.missing(SEQUENCE, F))?
        .expect(SEQUENCE, F)?;
    let ek = encap.children(F)?;
    let e0 = ek
        .get(1)
        .ok_or_else(|| encap.missing(Tag(0xA0), F))?
        .expect(Tag(0xA0), F)?;
    let os = obj_at(e0.value, 0, e0.value_offset, F)?.expect(OCTET_STRING, F)?;
    let start = os.value_offset;
    bytes
        .get(start..start + os.value.len())
        .ok_or_else(|| LdsError::invalid(F, start, "eContent outside the file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn icao_appendix_g1_card_access() {
        // ICAO 9303-11 G.1: one PACEInfo, ECDH-GM AES-128, parameter ID 13.
        let b = hex("31143012060A04007F0007020204020202010202010D");
        let s = SecurityInfos::parse(&b).unwrap();
        let infos: Vec<_> = s.pace_infos().collect();
        assert_eq!(infos.len(), 1);
        assert_eq!(infos[0].version, 2);
        assert_eq!(infos[0].parameter_id, Some(13));
        assert_eq!(
            infos[0].pace,
            PaceProtocol {
                agreement: KeyAgreement::Ecdh,
                mapping: Mapping::Generic,
                cipher: Cipher::Aes128
            }
        );
        assert_eq!(infos[0].pace.name(), "id-PACE-ECDH-GM-AES-CBC-CMAC-128");
        assert_eq!(
            infos[0].protocol.to_dotted().unwrap(),
            "0.4.0.127.0.7.2.2.4.2.2"
        );
        assert_eq!(s.to_der(), b);
    }

    #[test]
    fn unknown_and_malformed_are_kept() {
        // A PACEInfo, an unknown protocol (1.2.3), and a PACEInfo whose version is an OID.
        let mut set = Vec::new();
        set.extend_from_slice(&hex("3012060A04007F0007020204020202010202010D"));
        set.extend_from_slice(&hex("3007060255030201 05"));
        set.extend_from_slice(&hex("300F060A04007F000702020402020601 2A"));
        let b = encode(SET, &set);
        let s = SecurityInfos::parse(&b).unwrap();
        assert_eq!(s.infos.len(), 3);
        assert!(
            matches!(&s.infos[1], SecurityInfo::Unknown { protocol, .. } if protocol.to_dotted().unwrap() == "2.5.3")
        );
        match &s.infos[2] {
            SecurityInfo::Malformed { error, .. } => assert_eq!(
                *error,
                LdsError::UnexpectedTag {
                    field: "PACEInfo.version",
                    expected: INTEGER,
                    found: OID,
                    offset: 45
                }
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.unrecognised().count(), 2);
        assert_eq!(s.to_der(), b);
    }

    #[test]
    fn explicit_and_standard_domain_parameters_round_trip() {
        let ec = DomainParameters::Ec(ExplicitEcParameters {
            p: hex("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377"),
            a: hex("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9"),
            b: hex("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6"),
            base: hex(
                "04 8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262 547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997",
            ),
            order: hex("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"),
            cofactor: Some(vec![1]),
        });
        let dh = DomainParameters::Dh(ExplicitDhParameters {
            p: hex("B10B8F96A080E01D"),
            g: hex("02"),
            q: Some(hex("F518AA87")),
        });
        let pace = PaceProtocol {
            agreement: KeyAgreement::Ecdh,
            mapping: Mapping::Integrated,
            cipher: Cipher::Aes256,
        };
        let s = SecurityInfos {
            infos: vec![
                SecurityInfo::Pace(PaceInfo {
                    protocol: pace.oid(),
                    pace,
                    version: 2,
                    parameter_id: Some(32),
                }),
                SecurityInfo::PaceDomainParameters(PaceDomainParameterInfo {
                    protocol: pace.domain_parameter_oid(),
                    domain_parameters: ec,
                    parameter_id: Some(32),
                }),
                SecurityInfo::ChipAuthenticationDomainParameters(
                    ChipAuthenticationDomainParameterInfo {
                        protocol: Oid(hex("04007F00070202030 1")),
                        domain_parameters: dh.clone(),
                        key_id: None,
                    },
                ),
                SecurityInfo::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
                    protocol: Oid(hex("04007F000702020101")),
                    agreement: KeyAgreement::Dh,
                    public_key: SubjectPublicKey {
                        parameters: dh,
                        key: hex("80 11 22"),
                    },
                    key_id: Some(1),
                }),
                SecurityInfo::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
                    protocol: Oid(hex("04007F000702020102")),
                    agreement: KeyAgreement::Ecdh,
                    public_key: SubjectPublicKey {
                        parameters: DomainParameters::Standardized(13),
                        key: hex("04 01 02"),
                    },
                    key_id: None,
                }),
                SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
                    protocol: Oid(hex("04007F00070202030202")),
                    ca: CaProtocol {
                        agreement: KeyAgreement::Ecdh,
                        cipher: Cipher::Aes128,
                    },
                    version: 1,
                    key_id: None,
                }),
                SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
                    version: 1,
                    ef_cvca: None,
                }),
                SecurityInfo::ActiveAuthentication(ActiveAuthenticationInfo {
                    version: 1,
                    signature_algorithm: Oid::from_dotted("1.2.840.10045.4.3.2").unwrap(),
                }),
            ],
        };
        let der = s.to_der();
        let back = SecurityInfos::parse(&der).unwrap();
        assert_eq!(back, s);
        let dg14 = s.to_dg14();
        assert_eq!(SecurityInfos::parse_dg14(&dg14).unwrap(), s);
        let info = back.pace_infos().next().unwrap();
        assert!(back.pace_domain_parameters_for(info).is_some());
        assert_eq!(back.chip_authentication_public_keys().count(), 2);
        assert!(back.active_authentication().is_some());
        assert!(back.terminal_authentication().is_some());
    }

    #[test]
    fn whole_file_errors_are_precise() {
        assert_eq!(
            SecurityInfos::parse(&hex("3003 020101")).unwrap_err(),
            LdsError::UnexpectedTag {
                field: FIELD,
                expected: SET,
                found: SEQUENCE,
                offset: 0
            }
        );
        assert_eq!(
            SecurityInfos::parse(&hex("3103 020101")).unwrap_err(),
            LdsError::UnexpectedTag {
                field: "SecurityInfo",
                expected: SEQUENCE,
                found: INTEGER,
                offset: 2
            }
        );
        assert!(matches!(
            SecurityInfos::parse(&hex("3105 3003 0601")).unwrap_err(),
            LdsError::Tlv { .. }
        ));
    }

    #[test]
    fn cam_has_no_3des_and_oids_round_trip() {
        for m in [1u8, 2, 3, 4, 6] {
            for c in 1u8..=4 {
                let mut o = BSI_SMARTCARD_ARC.to_vec();
                o.extend_from_slice(&[ID_PACE, m, c]);
                let oid = Oid(o);
                match PaceProtocol::from_oid(&oid) {
                    Some(p) => assert_eq!(p.oid(), oid),
                    None => assert_eq!((m, c), (6, 1)),
                }
            }
        }
    }
}
