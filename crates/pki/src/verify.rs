//! Passive authentication (ICAO 9303-11 §5.1) and EF.CardSecurity verification (BSI TR-03110
//! part 3 §A.1.2) with one machinery: CMS signer, DS certificate, path to a trusted CSCA, key
//! usage, validity, revocation, and for EF.SOD the data-group hashes.

use crate::cert::{Certificate, key_usage};
use crate::cms::{SignedData, SignerInfo};
use crate::report::{DgResult, DgStatus, Outcome, Report, Verdict};
use crate::sig::{self, HashAlgorithm};
use crate::time::format_time;
use crate::trust::TrustStore;
use epassport_lds::sod::{ID_DATA_OID, LDS_SECURITY_OBJECT_OID, LdsSecurityObject};
use std::collections::BTreeMap;

/// BSI TR-03110 `id-SecurityObject`, the eContentType of EF.CardSecurity.
pub const SECURITY_OBJECT_OID: &str = "0.4.0.127.0.7.3.2.1";

/// At which time a certificate's validity is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimePolicy {
    /// At the SOD's signingTime when it has one, else at the verification time.
    SigningTimeOrNow,
    /// At the verification time.
    Now,
    /// Not checked (reported as not performed; not required).
    Skip,
}

/// Verification settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// The verification time, seconds since the epoch.
    pub time: i64,
    /// When the DS certificate must be valid (default: at signing time when known).
    pub ds_validity: TimePolicy,
    /// When the CSCA certificate must be valid (default: now).
    pub csca_validity: TimePolicy,
    /// Treat a missing CRL as a failure (default: reported as not checked).
    pub require_crl: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time: crate::time::now(),
            ds_validity: TimePolicy::SigningTimeOrNow,
            csca_validity: TimePolicy::Now,
            require_crl: false,
        }
    }
}

/// The checks of one SignerInfo that do not involve the trust store.
pub(crate) struct SignerCheck {
    pub cert: Option<Certificate>,
    pub source: Option<&'static str>,
    pub content_type: Outcome,
    pub message_digest: Outcome,
    pub ds_certificate: Outcome,
    pub signature: Outcome,
    pub warnings: Vec<String>,
}

/// Checks contentType, messageDigest, finds the signer certificate (embedded, then `extra`) and
/// verifies the signature over the signed attributes.
pub(crate) fn check_signer(
    sd: &SignedData,
    si: &SignerInfo,
    content: &[u8],
    expected_type: &str,
    extra: &[Certificate],
) -> SignerCheck {
    let mut warnings = Vec::new();
    let type_ok = |t: &str| {
        t == expected_type || (expected_type == LDS_SECURITY_OBJECT_OID && t == ID_DATA_OID)
    };
    let content_type = match (&si.content_type, type_ok(&sd.content_type)) {
        (_, false) => Outcome::Failed(format!(
            "eContentType {} is not {expected_type}",
            sd.content_type
        )),
        (None, true) => Outcome::Failed("no contentType signed attribute".into()),
        (Some(a), true) if *a != sd.content_type => Outcome::Failed(format!(
            "contentType attribute {a} differs from eContentType {}",
            sd.content_type
        )),
        (Some(_), true) => {
            if sd.content_type == ID_DATA_OID {
                warnings
                    .push("eContentType is id-data instead of the LDS security object OID".into());
            }
            Outcome::Passed(sd.content_type.clone())
        }
    };
    let digest_alg = si.digest_algorithm.clone();
    let message_digest = match (&digest_alg, &si.message_digest) {
        (Err(o), _) => Outcome::Failed(format!("unsupported digest algorithm {o}")),
        (_, None) => Outcome::Failed("no messageDigest signed attribute".into()),
        (Ok(h), Some(md)) => {
            if sig::digest(*h, content) == *md {
                Outcome::Passed(h.name().into())
            } else {
                Outcome::Failed(format!(
                    "messageDigest {} differs from the {} of the content",
                    hex::encode(md),
                    h.name()
                ))
            }
        }
    };
    let mut candidates: Vec<(&Certificate, &'static str)> = sd
        .certificates
        .iter()
        .filter(|c| si.sid.matches(c))
        .map(|c| (c, "embedded"))
        .collect();
    candidates.extend(
        extra
            .iter()
            .filter(|c| si.sid.matches(c))
            .map(|c| (c, "supplied")),
    );
    if candidates.is_empty() {
        return SignerCheck {
            cert: None,
            source: None,
            content_type,
            message_digest,
            ds_certificate: Outcome::Failed(
                "the signer's certificate is neither embedded nor supplied".into(),
            ),
            signature: Outcome::NotPerformed("no signer certificate".into()),
            warnings,
        };
    }
    let Some(attrs) = &si.signed_attrs_der else {
        return SignerCheck {
            cert: Some(candidates[0].0.clone()),
            source: Some(candidates[0].1),
            content_type,
            message_digest,
            ds_certificate: Outcome::Passed(candidates[0].1.into()),
            signature: Outcome::Failed("no signed attributes".into()),
            warnings,
        };
    };
    let ctx = digest_alg.ok();
    let mut last = String::new();
    for (cert, source) in &candidates {
        match sig::verify(
            &cert.public_key,
            &si.signature_algorithm,
            ctx,
            attrs,
            &si.signature,
        ) {
            Ok(()) => {
                return SignerCheck {
                    cert: Some((*cert).clone()),
                    source: Some(source),
                    content_type,
                    message_digest,
                    ds_certificate: Outcome::Passed((*source).into()),
                    signature: Outcome::Passed(si.signature_algorithm.to_string()),
                    warnings,
                };
            }
            Err(e) => last = e,
        }
        // Some signers hash the signed attributes with the digestAlgorithm although the
        // signature algorithm names another hash.
        if let Some(h) = ctx
            && si.signature_algorithm.hash(None).is_some_and(|x| x != h)
        {
            let alt = retarget(&si.signature_algorithm, h);
            if sig::verify(&cert.public_key, &alt, ctx, attrs, &si.signature).is_ok() {
                warnings.push(format!(
                    "signed attributes hashed with the digestAlgorithm {} although the signature algorithm is {}",
                    h.name(),
                    si.signature_algorithm
                ));
                return SignerCheck {
                    cert: Some((*cert).clone()),
                    source: Some(source),
                    content_type,
                    message_digest,
                    ds_certificate: Outcome::Passed((*source).into()),
                    signature: Outcome::Passed(alt.to_string()),
                    warnings,
                };
            }
        }
    }
    SignerCheck {
        cert: Some(candidates[0].0.clone()),
        source: Some(candidates[0].1),
        content_type,
        message_digest,
        ds_certificate: Outcome::Passed(candidates[0].1.into()),
        signature: Outcome::Failed(last),
        warnings,
    }
}

fn retarget(alg: &sig::SignatureAlgorithm, h: HashAlgorithm) -> sig::SignatureAlgorithm {
    use sig::SignatureAlgorithm as A;
    match alg {
        A::RsaPkcs1 { .. } => A::RsaPkcs1 { hash: Some(h) },
        A::Ecdsa { plain, .. } => A::Ecdsa {
            hash: Some(h),
            plain: *plain,
        },
        other => other.clone(),
    }
}

fn empty_report(document: &'static str, bytes: &[u8], opts: &Options) -> Report {
    Report {
        document,
        verdict: Verdict::NotAuthentic,
        failed_step: None,
        parse: Outcome::not_yet(),
        content_type: Outcome::not_yet(),
        message_digest: Outcome::not_yet(),
        ds_certificate: Outcome::not_yet(),
        sod_signature: Outcome::not_yet(),
        chain: Outcome::not_yet(),
        key_usage: Outcome::not_yet(),
        ds_validity: Outcome::not_yet(),
        csca_validity: Outcome::not_yet(),
        crl: Outcome::not_yet(),
        dg_hash: Outcome::not_yet(),
        data_groups: Vec::new(),
        signature_algorithm: None,
        lds_hash_algorithm: None,
        ds: None,
        ds_source: None,
        csca: None,
        signing_time: None,
        verification_time: format_time(opts.time),
        document_sha256: hex::encode(sig::digest(HashAlgorithm::Sha256, bytes)),
        warnings: Vec::new(),
    }
}

/// Passive authentication of EF.SOD (`sod`: the file's bytes, with or without the `77`
/// wrapper) and the data groups read (`dgs`: number → file bytes; may be empty, then the verdict
/// is at best [`Verdict::SignatureValid`]).
pub fn verify_sod(
    sod: &[u8],
    dgs: &BTreeMap<u8, Vec<u8>>,
    store: &TrustStore,
    opts: &Options,
) -> Report {
    let mut rep = empty_report("EF.SOD", sod, opts);
    let Some((sd, content)) = parse_stage(&mut rep, sod) else {
        return finish(rep, opts, true);
    };
    // The LDS security object.
    let lso = match LdsSecurityObject::from_der(&content) {
        Ok(l) => l,
        Err(e) => {
            rep.parse = Outcome::Failed(format!("LDSSecurityObject: {e}"));
            return finish(rep, opts, true);
        }
    };
    rep.parse = Outcome::Passed(format!("{} data-group hashes", lso.data_group_hashes.len()));
    let lds_hash = lso.hash_kind();
    rep.lds_hash_algorithm = Some(
        lds_hash
            .map(|h| h.name().to_string())
            .unwrap_or_else(|| lso.hash_algorithm.oid.to_dotted().unwrap_or_default()),
    );
    signer_stages(
        &mut rep,
        &sd,
        &content,
        LDS_SECURITY_OBJECT_OID,
        store,
        opts,
    );
    // Data groups.
    let mut results = Vec::new();
    for h in &lso.data_group_hashes {
        let r = match (dgs.get(&h.number), lds_hash) {
            (None, _) => DgResult {
                number: h.number,
                status: DgStatus::NotRead,
                expected: Some(hex::encode(&h.hash)),
                computed: None,
            },
            (Some(bytes), Some(alg)) => {
                let c = sig::digest(alg, bytes);
                DgResult {
                    number: h.number,
                    status: if c == h.hash {
                        DgStatus::Match
                    } else {
                        DgStatus::Mismatch
                    },
                    expected: Some(hex::encode(&h.hash)),
                    computed: Some(hex::encode(c)),
                }
            }
            (Some(_), None) => DgResult {
                number: h.number,
                status: DgStatus::Mismatch,
                expected: Some(hex::encode(&h.hash)),
                computed: None,
            },
        };
        results.push(r);
    }
    for n in dgs.keys() {
        if lso.hash_of(*n).is_none() {
            results.push(DgResult {
                number: *n,
                status: DgStatus::NotInSod,
                expected: None,
                computed: None,
            });
        }
    }
    results.sort_by_key(|r| r.number);
    let bad: Vec<String> = results
        .iter()
        .filter(|r| matches!(r.status, DgStatus::Mismatch | DgStatus::NotInSod))
        .map(|r| {
            format!(
                "DG{} {}",
                r.number,
                if r.status == DgStatus::Mismatch {
                    "hash mismatch"
                } else {
                    "not in the SOD"
                }
            )
        })
        .collect();
    let matched = results
        .iter()
        .filter(|r| r.status == DgStatus::Match)
        .count();
    rep.dg_hash = if lds_hash.is_none() {
        Outcome::Failed("unsupported LDS hash algorithm".into())
    } else if !bad.is_empty() {
        Outcome::Failed(bad.join(", "))
    } else if matched == 0 {
        Outcome::NotPerformed("no data group supplied".into())
    } else {
        let not_read = results
            .iter()
            .filter(|r| r.status == DgStatus::NotRead)
            .count();
        Outcome::Passed(format!("{matched} match, {not_read} not read"))
    };
    rep.data_groups = results;
    finish(rep, opts, true)
}

/// The result of verifying EF.CardSecurity.
#[derive(Clone, Debug)]
pub struct CardSecurityResult {
    /// The report (no data groups).
    pub report: Report,
    /// The SecurityInfos DER, only when the report is authentic.
    pub security_infos: Option<Vec<u8>>,
}

/// Verifies EF.CardSecurity with the same machinery; the SecurityInfos (PACE-CAM and CA public
/// keys) are released only when authentic.
pub fn verify_card_security(
    bytes: &[u8],
    store: &TrustStore,
    opts: &Options,
) -> CardSecurityResult {
    let mut rep = empty_report("EF.CardSecurity", bytes, opts);
    let Some((sd, content)) = parse_stage(&mut rep, bytes) else {
        return CardSecurityResult {
            report: finish(rep, opts, false),
            security_infos: None,
        };
    };
    rep.parse = Outcome::Passed(format!("SecurityInfos, {} bytes", content.len()));
    signer_stages(&mut rep, &sd, &content, SECURITY_OBJECT_OID, store, opts);
    rep.dg_hash = Outcome::NotPerformed("EF.CardSecurity has no data-group hashes".into());
    let report = finish(rep, opts, false);
    let security_infos = report.is_authentic().then_some(content);
    CardSecurityResult {
        report,
        security_infos,
    }
}

fn parse_stage(rep: &mut Report, bytes: &[u8]) -> Option<(SignedData, Vec<u8>)> {
    let sd = match SignedData::from_ber(bytes) {
        Ok(sd) => sd,
        Err(e) => {
            rep.parse = Outcome::Failed(e.to_string());
            return None;
        }
    };
    let Some(content) = sd.content.clone() else {
        rep.parse = Outcome::Failed("no eContent".into());
        return None;
    };
    if sd.signer_infos.is_empty() {
        rep.parse = Outcome::Failed("no SignerInfo".into());
        return None;
    }
    if sd.signer_infos.len() > 1 {
        rep.warnings.push(format!(
            "{} SignerInfos; only the first is verified",
            sd.signer_infos.len()
        ));
    }
    for b in &sd.bad_certificates {
        rep.warnings
            .push(format!("an embedded certificate did not parse: {b}"));
    }
    Some((sd, content))
}

fn signer_stages(
    rep: &mut Report,
    sd: &SignedData,
    content: &[u8],
    expected_type: &str,
    store: &TrustStore,
    opts: &Options,
) {
    let si = &sd.signer_infos[0];
    rep.signature_algorithm = Some(si.signature_algorithm.to_string());
    rep.signing_time = si.signing_time.map(format_time);
    let check = check_signer(sd, si, content, expected_type, store.ds_certificates());
    rep.content_type = check.content_type;
    rep.message_digest = check.message_digest;
    rep.ds_certificate = check.ds_certificate;
    rep.sod_signature = check.signature;
    rep.warnings.extend(check.warnings);
    rep.ds_source = check.source;
    let Some(ds) = check.cert else {
        return;
    };
    rep.ds = Some(ds.info());
    // Path DS → CSCA.
    let issuers = store.issuers_of(&ds);
    let mut anchor = None;
    let mut why = format!(
        "no CSCA in the trust store for issuer {}{}",
        ds.issuer,
        ds.authority_key_id
            .as_ref()
            .map(|k| format!(" (key id {})", hex::encode(k)))
            .unwrap_or_default()
    );
    let mut path_note = String::new();
    for ca in &issuers {
        if let Err(e) = ds.verify_signed_by(&ca.public_key) {
            why = format!("DS certificate signature by {}: {e}", ca.subject);
            continue;
        }
        match link_path(ca, store) {
            Ok(note) => {
                anchor = Some(*ca);
                path_note = note;
                break;
            }
            Err(e) => why = e,
        }
    }
    let Some(csca) = anchor else {
        rep.chain = Outcome::Failed(why);
        return;
    };
    rep.csca = Some(csca.info());
    rep.chain = Outcome::Passed(format!("DS ← {}{path_note}", csca.subject));
    // Key usage.
    let mut ku = Vec::new();
    match ds.key_usage {
        Some(k) if k & key_usage::DIGITAL_SIGNATURE == 0 => {
            ku.push("DS key usage lacks digitalSignature".to_string())
        }
        None => rep
            .warnings
            .push("DS certificate has no key usage extension".into()),
        _ => {}
    }
    match csca.key_usage {
        Some(k) if k & key_usage::KEY_CERT_SIGN == 0 => {
            ku.push("CSCA key usage lacks keyCertSign".to_string())
        }
        None => rep
            .warnings
            .push("CSCA certificate has no key usage extension".into()),
        _ => {}
    }
    if csca.is_ca == Some(false) {
        ku.push("CSCA certificate is not a CA (basicConstraints)".into());
    }
    rep.key_usage = if ku.is_empty() {
        Outcome::Passed(String::new())
    } else {
        Outcome::Failed(ku.join("; "))
    };
    // Validity.
    rep.ds_validity = validity(&ds, opts.ds_validity, si.signing_time, opts.time, "DS");
    rep.csca_validity = validity(csca, opts.csca_validity, si.signing_time, opts.time, "CSCA");
    // Revocation.
    let crls = store.crls_for(csca);
    if crls.is_empty() {
        rep.crl = Outcome::NotPerformed(format!("no CRL for {}", csca.subject));
        return;
    }
    let mut notes = Vec::new();
    let mut current = false;
    let mut any_valid = false;
    for crl in crls {
        let signers: Vec<&Certificate> = store
            .cscas()
            .iter()
            .filter(|c| c.subject == crl.issuer)
            .collect();
        if !signers
            .iter()
            .any(|c| crl.verify_signed_by(&c.public_key).is_ok())
        {
            rep.warnings.push(format!(
                "a CRL naming {} does not verify with any CSCA of that name; ignored",
                crl.issuer
            ));
            continue;
        }
        any_valid = true;
        if let Some(at) = crl.revoked_at(&ds.serial) {
            rep.crl = Outcome::Failed(format!(
                "DS serial {} revoked on {} (CRL of {}, thisUpdate {})",
                hex::encode(&ds.serial),
                format_time(at),
                crl.issuer,
                format_time(crl.this_update)
            ));
            return;
        }
        match crl.next_update {
            Some(n) if n < opts.time => notes.push(format!("CRL expired at {}", format_time(n))),
            _ => current = true,
        }
    }
    rep.crl = if !any_valid {
        Outcome::NotPerformed("no CRL with a valid signature".into())
    } else if current {
        Outcome::Passed("not revoked".into())
    } else {
        Outcome::NotPerformed(format!("not on the CRL, but {}", notes.join("; ")))
    };
}

/// The most link certificates followed above the CSCA that signed a DS.
const MAX_LINKS: usize = 8;

/// Link certificates followed from a CSCA that signed the DS up to a self-issued CSCA in the
/// store: each link's signature re-verified with the key of the CSCA generation before it
/// (DS → CSCA(new) → link → CSCA(old)). Returns the path's text after the first CSCA, or which
/// link failed and why.
fn link_path(first: &Certificate, store: &TrustStore) -> Result<String, String> {
    let mut note = String::new();
    let mut cur = first;
    for _ in 0..MAX_LINKS {
        if cur.is_self_issued() {
            return Ok(note);
        }
        let serial = hex::encode(&cur.serial);
        let mut why = format!(
            "link certificate {} (serial {serial}): its issuer {} is not in the trust store",
            cur.subject, cur.issuer
        );
        let mut next = None;
        for old in store.issuers_of(cur) {
            if old.der == cur.der {
                continue;
            }
            match cur.verify_signed_by(&old.public_key) {
                Ok(()) => {
                    next = Some(old);
                    break;
                }
                Err(e) => {
                    why = format!(
                        "link certificate {} (serial {serial}): signature by the previous CSCA {}: {e}",
                        cur.subject, old.subject
                    );
                }
            }
        }
        let Some(old) = next else {
            return Err(why);
        };
        note.push_str(&format!(
            " (link certificate, serial {serial}, signature verified) ← {}",
            old.subject
        ));
        cur = old;
    }
    Err(format!(
        "more than {MAX_LINKS} link certificates above {}",
        first.subject
    ))
}

fn validity(
    c: &Certificate,
    policy: TimePolicy,
    signing: Option<i64>,
    now: i64,
    who: &str,
) -> Outcome {
    let (t, when) = match policy {
        TimePolicy::Skip => return Outcome::NotPerformed("skipped by policy".into()),
        TimePolicy::Now => (now, "verification time"),
        TimePolicy::SigningTimeOrNow => match signing {
            Some(s) => (s, "signing time"),
            None => (now, "verification time (no signingTime)"),
        },
    };
    if c.valid_at(t) {
        Outcome::Passed(format!("valid at {when} {}", format_time(t)))
    } else {
        Outcome::Failed(format!(
            "{who} certificate valid {} to {}, not at {when} {}",
            format_time(c.not_before),
            format_time(c.not_after),
            format_time(t)
        ))
    }
}

fn finish(mut rep: Report, opts: &Options, needs_dgs: bool) -> Report {
    rep.decide(
        opts.require_crl,
        (
            opts.ds_validity == TimePolicy::Skip,
            opts.csca_validity == TimePolicy::Skip,
        ),
        needs_dgs,
    );
    rep
}
