//! The trust store: CSCA certificates (trust anchors, including link certificates) indexed by
//! subject and key identifier, CRLs, and Document Signer certificates supplied separately.
//!
//! Sources: CSCA master lists (ICAO 9303-12 §9: CMS SignedData over CscaMasterList, whose own
//! signature and signer chain are verified before anything in it is trusted), folders of DER or
//! PEM certificates and CRLs, and ICAO PKD LDIF files.

use crate::PkiError;
use crate::ber::Tlv;
use crate::cert::{CertInfo, Certificate};
use crate::cms::SignedData;
use crate::crl::Crl;
use crate::name::Name;
use crate::report::Outcome;
use crate::verify::check_signer;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// `id-icao-cscaMasterList`.
pub const CSCA_MASTER_LIST: &str = "2.23.136.1.1.2";

/// Trust anchors and revocation data.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    cscas: Vec<Certificate>,
    by_subject: HashMap<Name, Vec<usize>>,
    by_key_id: HashMap<Vec<u8>, Vec<usize>>,
    seen: HashSet<Vec<u8>>,
    crls: Vec<Crl>,
    ds_certs: Vec<Certificate>,
    /// Master lists loaded, with their verification.
    pub master_lists: Vec<MasterListInfo>,
    /// Trust the CSCAs of a master list whose signer does not chain to a given root (only
    /// self-consistent). Off by default; see [`TrustStore::trust_unverified_master_lists`].
    unverified_master_lists: bool,
}

/// What loading a master list established.
#[derive(Clone, Debug, Serialize)]
pub struct MasterListInfo {
    /// Where it came from.
    pub source: String,
    /// The list signer's certificate.
    pub signer: Option<CertInfo>,
    /// The CMS signature (content type, message digest, signature).
    pub signature: Outcome,
    /// The signer certificate's chain to a root the caller gave (not performed without roots).
    pub signer_chain: Outcome,
    /// Whether the signer certificate is issued by a CSCA in the list itself; checked only when
    /// the signer does not chain to a given root. Never enough on its own to trust the list.
    pub self_consistency: Outcome,
    /// The CSCA that issued the signer certificate.
    pub signer_issuer: Option<CertInfo>,
    /// Whether the list's CSCAs are (or, from [`inspect_master_list`], would be) trust anchors:
    /// signature valid and signer chained to a given root, or the caller opted in to trusting a
    /// self-consistent list.
    pub trusted: bool,
    /// Why (or why not) the list is trusted.
    pub trust: String,
    /// Certificates in the list.
    pub certificates: usize,
    /// Entries that did not parse (ignored).
    pub unparsable: usize,
}

/// What one `load_path` call added.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LoadSummary {
    /// CSCA certificates added (new).
    pub cscas: usize,
    /// CRLs added.
    pub crls: usize,
    /// DS certificates added.
    pub ds_certs: usize,
    /// Files skipped, with the reason.
    pub skipped: Vec<String>,
}

fn is_ds_like(c: &Certificate) -> bool {
    // A certificate that is not a CA and not self-issued is a Document Signer (or other end entity).
    c.is_ca == Some(false) || (c.is_ca.is_none() && !c.is_self_issued())
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opt in (`true`) to trusting master lists whose CMS signature verifies but whose signer
    /// certificate does not chain to a root given to [`TrustStore::add_master_list`] (a list that
    /// is only self-consistent proves nothing about who made it). Default: off, such lists are
    /// refused with [`PkiError::MasterListUntrusted`].
    pub fn trust_unverified_master_lists(&mut self, yes: bool) {
        self.unverified_master_lists = yes;
    }

    /// Every CSCA (and link) certificate.
    pub fn cscas(&self) -> &[Certificate] {
        &self.cscas
    }
    /// Every CRL.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }
    /// Document Signer certificates supplied (not anchors).
    pub fn ds_certificates(&self) -> &[Certificate] {
        &self.ds_certs
    }

    /// Adds a CSCA (or link) certificate as a trust anchor; false when already present.
    pub fn add_csca(&mut self, cert: Certificate) -> bool {
        if !self.seen.insert(cert.der.clone()) {
            return false;
        }
        let i = self.cscas.len();
        self.by_subject
            .entry(cert.subject.clone())
            .or_default()
            .push(i);
        if let Some(k) = &cert.subject_key_id {
            self.by_key_id.entry(k.clone()).or_default().push(i);
        }
        self.cscas.push(cert);
        true
    }

    /// Adds a CRL.
    pub fn add_crl(&mut self, crl: Crl) {
        if !self.crls.iter().any(|c| c.der == crl.der) {
            self.crls.push(crl);
        }
    }

    /// Adds a Document Signer certificate (a candidate signer, never an anchor).
    pub fn add_ds(&mut self, cert: Certificate) {
        if !self.ds_certs.iter().any(|c| c.der == cert.der) {
            self.ds_certs.push(cert);
        }
    }

    /// Anchors that may have issued `cert`: by authority key identifier, then by issuer name.
    pub fn issuers_of(&self, cert: &Certificate) -> Vec<&Certificate> {
        let mut idx: Vec<usize> = Vec::new();
        if let Some(k) = &cert.authority_key_id
            && let Some(v) = self.by_key_id.get(k)
        {
            idx.extend(v);
        }
        if let Some(v) = self.by_subject.get(&cert.issuer) {
            for i in v {
                if !idx.contains(i) {
                    idx.push(*i);
                }
            }
        }
        idx.into_iter().map(|i| &self.cscas[i]).collect()
    }

    /// CRLs issued under `ca`'s name.
    pub fn crls_for(&self, ca: &Certificate) -> Vec<&Crl> {
        self.crls.iter().filter(|c| c.is_from(ca)).collect()
    }

    /// Adds certificates and CRLs from DER or PEM bytes (a PEM file may hold several).
    /// CA certificates become anchors; others are kept as DS candidates.
    pub fn add_bytes(&mut self, bytes: &[u8], summary: &mut LoadSummary) -> Result<(), PkiError> {
        if bytes.starts_with(b"-----BEGIN") || bytes.windows(10).any(|w| w == b"-----BEGIN") {
            let text = String::from_utf8_lossy(bytes);
            for (label, der) in pem_blocks(&text)? {
                match label.as_str() {
                    "X509 CRL" => {
                        self.add_crl(Crl::from_der(&der)?);
                        summary.crls += 1;
                    }
                    "CERTIFICATE" | "TRUSTED CERTIFICATE" => self.add_cert_sorted(&der, summary)?,
                    _ => summary.skipped.push(format!("PEM block {label}")),
                }
            }
            return Ok(());
        }
        match Certificate::from_der(bytes) {
            Ok(_) => self.add_cert_sorted(bytes, summary),
            Err(cert_err) => match Crl::from_der(bytes) {
                Ok(crl) => {
                    self.add_crl(crl);
                    summary.crls += 1;
                    Ok(())
                }
                Err(_) => Err(cert_err),
            },
        }
    }

    fn add_cert_sorted(&mut self, der: &[u8], summary: &mut LoadSummary) -> Result<(), PkiError> {
        let c = Certificate::from_der(der)?;
        if is_ds_like(&c) {
            self.add_ds(c);
            summary.ds_certs += 1;
        } else if self.add_csca(c) {
            summary.cscas += 1;
        }
        Ok(())
    }

    /// Loads a file or a folder (not recursive): `*.ml` master lists (verified against
    /// `roots`, see [`TrustStore::add_master_list`]), `*.ldif` PKD files, anything else as
    /// DER/PEM certificates or CRLs.
    pub fn load_path(
        &mut self,
        path: &Path,
        roots: &[Certificate],
    ) -> Result<LoadSummary, PkiError> {
        let mut summary = LoadSummary::default();
        let io = |e: std::io::Error| PkiError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for p in entries {
                match self.load_file(&p, roots, &mut summary) {
                    Ok(()) => {}
                    Err(e) => summary.skipped.push(format!("{}: {e}", p.display())),
                }
            }
            return Ok(summary);
        }
        self.load_file(path, roots, &mut summary)?;
        Ok(summary)
    }

    fn load_file(
        &mut self,
        path: &Path,
        roots: &[Certificate],
        summary: &mut LoadSummary,
    ) -> Result<(), PkiError> {
        let bytes = std::fs::read(path).map_err(|e| PkiError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "ml" => {
                let before = self.cscas.len();
                self.add_master_list(&bytes, roots, &path.display().to_string())?;
                summary.cscas += self.cscas.len() - before;
                Ok(())
            }
            "ldif" => {
                let s = self.add_ldif(&String::from_utf8_lossy(&bytes), roots)?;
                summary.cscas += s.cscas;
                summary.crls += s.crls;
                summary.ds_certs += s.ds_certs;
                summary.skipped.extend(s.skipped);
                Ok(())
            }
            _ => self.add_bytes(&bytes, summary),
        }
    }

    /// Verifies a CSCA master list and adds its certificates.
    ///
    /// The CMS signature must verify with the embedded signer certificate, and that certificate
    /// must be issued by one of `roots`. A list whose signer does not chain to a given root (no
    /// roots given, or none of them issued it) is refused, unless the caller opted in with
    /// [`TrustStore::trust_unverified_master_lists`] and the signer is at least issued by a CSCA
    /// in the list itself; the returned info says which applied.
    pub fn add_master_list(
        &mut self,
        bytes: &[u8],
        roots: &[Certificate],
        source: &str,
    ) -> Result<MasterListInfo, PkiError> {
        let (mut info, certs) = inspect_master_list(bytes, roots, source)?;
        if !info.trusted {
            if self.unverified_master_lists
                && info.signature.passed()
                && info.self_consistency.passed()
            {
                info.trusted = true;
                info.trust = format!(
                    "trusted WITHOUT a verified signer chain (opted in): {}",
                    info.self_consistency
                );
            } else {
                return Err(PkiError::MasterListUntrusted(format!(
                    "{source}: signature {}; signer chain {}; self-consistency {}; {}",
                    info.signature, info.signer_chain, info.self_consistency, info.trust
                )));
            }
        }
        for c in certs {
            self.add_csca(c);
        }
        self.master_lists.push(info.clone());
        Ok(info)
    }

    /// Loads an ICAO PKD LDIF file: `pkdMasterListContent` (verified as above),
    /// `userCertificate;binary` (DS certificates), `cACertificate;binary` (CSCAs),
    /// `certificateRevocationList;binary` (CRLs).
    pub fn add_ldif(&mut self, text: &str, roots: &[Certificate]) -> Result<LoadSummary, PkiError> {
        let mut summary = LoadSummary::default();
        // Unfold continuation lines (RFC 2849: a line starting with one space continues).
        let mut lines: Vec<String> = Vec::new();
        for raw in text.lines() {
            let l = raw.trim_end_matches('\r');
            if let Some(rest) = l.strip_prefix(' ') {
                if let Some(last) = lines.last_mut() {
                    last.push_str(rest);
                }
            } else {
                lines.push(l.to_string());
            }
        }
        for line in lines {
            let Some((attr, value)) = line.split_once(":: ") else {
                continue;
            };
            let attr = attr.to_ascii_lowercase();
            let wanted = matches!(
                attr.as_str(),
                "pkdmasterlistcontent"
                    | "usercertificate;binary"
                    | "cacertificate;binary"
                    | "certificaterevocationlist;binary"
            );
            if !wanted {
                continue;
            }
            let der = match b64(value) {
                Ok(d) => d,
                Err(e) => {
                    summary.skipped.push(format!("{attr}: {e}"));
                    continue;
                }
            };
            let r = match attr.as_str() {
                "pkdmasterlistcontent" => {
                    let before = self.cscas.len();
                    let r = self
                        .add_master_list(&der, roots, "LDIF master list")
                        .map(|_| ());
                    summary.cscas += self.cscas.len() - before;
                    r
                }
                "usercertificate;binary" => Certificate::from_der(&der).map(|c| {
                    self.add_ds(c);
                    summary.ds_certs += 1;
                }),
                "cacertificate;binary" => Certificate::from_der(&der).map(|c| {
                    if self.add_csca(c) {
                        summary.cscas += 1;
                    }
                }),
                _ => Crl::from_der(&der).map(|c| {
                    self.add_crl(c);
                    summary.crls += 1;
                }),
            };
            if let Err(e) = r {
                summary.skipped.push(format!("{attr}: {e}"));
            }
        }
        Ok(summary)
    }
}

/// Parses and verifies a master list without adding it anywhere: its report and certificates.
pub fn inspect_master_list(
    bytes: &[u8],
    roots: &[Certificate],
    source: &str,
) -> Result<(MasterListInfo, Vec<Certificate>), PkiError> {
    let sd = SignedData::from_ber(bytes)?;
    if sd.content_type != CSCA_MASTER_LIST {
        return Err(PkiError::invalid(
            "master list",
            format!(
                "eContentType {}, not id-icao-cscaMasterList",
                sd.content_type
            ),
        ));
    }
    let content = sd
        .content
        .as_deref()
        .ok_or_else(|| PkiError::invalid("master list", "no eContent"))?;
    let t = Tlv::parse_one(content, "CscaMasterList")?;
    let mut r = t.reader();
    r.expect(0x02, "CscaMasterList version")?;
    let set = r.expect(0x31, "CscaMasterList certList")?;
    let mut certs = Vec::new();
    let mut unparsable = 0;
    let mut sr = set.reader();
    while !sr.is_empty() {
        let c = sr.next("certList")?;
        match Certificate::from_tlv(&c) {
            Ok(c) => certs.push(c),
            Err(_) => unparsable += 1,
        }
    }
    let mut info = MasterListInfo {
        source: source.to_string(),
        signer: None,
        signature: Outcome::not_yet(),
        signer_chain: Outcome::not_yet(),
        self_consistency: Outcome::not_yet(),
        signer_issuer: None,
        certificates: certs.len(),
        unparsable,
        trusted: false,
        trust: "not trusted: the list's signature did not verify".into(),
    };
    let Some(si) = sd.signer_infos.first() else {
        info.signature = Outcome::Failed("no SignerInfo".into());
        return Ok((info, certs));
    };
    let check = check_signer(&sd, si, content, CSCA_MASTER_LIST, &[]);
    info.signer = check.cert.as_ref().map(|c| c.info());
    info.signature = if !check.content_type.passed() {
        check.content_type
    } else if !check.message_digest.passed() {
        check.message_digest
    } else {
        check.signature
    };
    let Some(signer) = check.cert else {
        return Ok((info, certs));
    };
    if !info.signature.passed() {
        return Ok((info, certs));
    }
    // The signer's chain to a root the caller trusts.
    info.signer_chain = if roots.is_empty() {
        Outcome::NotPerformed("no root given".into())
    } else {
        match issued_by(&signer, roots.iter()) {
            Ok(ca) => {
                info.signer_issuer = Some(ca.info());
                info.self_consistency =
                    Outcome::NotPerformed("not needed: the signer chains to a given root".into());
                info.trusted = true;
                info.trust = format!("trusted: signer chains to the given root {}", ca.subject);
                Outcome::Passed(format!("signer issued by {}, a given root", ca.subject))
            }
            Err(e) => Outcome::Failed(e),
        }
    };
    if info.trusted {
        return Ok((info, certs));
    }
    // Not anchored: say whether the list is at least self-consistent.
    let pool = certs
        .iter()
        .chain(sd.certificates.iter())
        .filter(|c| !is_ds_like(c));
    info.self_consistency = match issued_by(&signer, pool) {
        Ok(ca) => {
            info.signer_issuer = Some(ca.info());
            Outcome::Passed(format!(
                "signer issued by {}, a CSCA in the list itself (self-consistent only)",
                ca.subject
            ))
        }
        Err(e) => Outcome::Failed(format!("not even self-consistent: {e}")),
    };
    info.trust = "not trusted: the signer does not chain to a given root".into();
    Ok((info, certs))
}

/// The first certificate of `pool` named as `cert`'s issuer whose key verifies its signature.
fn issued_by<'a>(
    cert: &Certificate,
    pool: impl Iterator<Item = &'a Certificate>,
) -> Result<&'a Certificate, String> {
    let mut last_err = format!("no certificate named {} among them", cert.issuer);
    for ca in pool.filter(|c| c.subject == cert.issuer) {
        match cert.verify_signed_by(&ca.public_key) {
            Ok(()) => return Ok(ca),
            Err(e) => last_err = format!("signature by {}: {e}", ca.subject),
        }
    }
    Err(last_err)
}

fn b64(s: &str) -> Result<Vec<u8>, String> {
    use base64ct::Encoding;
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64ct::Base64::decode_vec(&clean).map_err(|e| format!("bad base64: {e}"))
}

/// PEM blocks (RFC 7468) as (label, DER).
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, PkiError> {
    let mut out = Vec::new();
    let mut label: Option<String> = None;
    let mut body = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(l) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            label = Some(l.to_string());
            body.clear();
        } else if line.starts_with("-----END ") {
            if let Some(l) = label.take() {
                let der = b64(&body).map_err(|e| PkiError::invalid("PEM", e))?;
                out.push((l, der));
            }
        } else if label.is_some() {
            body.push_str(line);
        }
    }
    Ok(out)
}
