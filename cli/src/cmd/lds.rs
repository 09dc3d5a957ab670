//! `epassport lds show DIR|FILE [--json]` and `epassport lds face DIR|FILE --out face.png`.
//!
//! Prints what a dump folder (as `epassport read --out` writes it) or a single elementary file
//! holds. The MRZ and names are personal data: printed here because the user asked for them,
//! never logged anywhere else.

use epassport::lds::security_infos::{DomainParameters, KeyAgreement, SecurityInfo, SecurityInfos};
use epassport::lds::{self, FileId, LdsFile};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `epassport lds`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Show what a dump folder (COM.bin, SOD.bin, DG1.bin ...) or a single EF holds.
    Show {
        /// A dump folder or one file.
        path: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Export the DG2 portrait as PNG.
    Face {
        /// A dump folder (its DG2.bin is used) or a DG2 file.
        path: PathBuf,
        /// Where to write the PNG.
        #[arg(long)]
        out: PathBuf,
        /// Which face, when DG2 holds several (0-based).
        #[arg(long, default_value_t = 0)]
        index: usize,
    },
}

/// Runs `epassport lds`.
pub fn run(args: &Args) -> ExitCode {
    match &args.command {
        Sub::Show { path, json } => show(path, *json),
        Sub::Face { path, out, index } => face(path, out, *index),
    }
}

fn all_ids() -> Vec<FileId> {
    let mut v = vec![
        FileId::CardAccess,
        FileId::CardSecurity,
        FileId::Com,
        FileId::Sod,
    ];
    v.extend((1..=16).map(FileId::Dg));
    v
}

/// A single file named `CardAccess.bin` / `CardSecurity.bin` (no outer tag says what it is).
fn id_from_name(path: &Path) -> Option<FileId> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    [FileId::CardAccess, FileId::CardSecurity]
        .into_iter()
        .find(|id| id.file_name().to_ascii_lowercase() == name)
}

fn show(path: &Path, as_json: bool) -> ExitCode {
    let files: Vec<(PathBuf, Option<FileId>)> = if path.is_dir() {
        let found: Vec<_> = all_ids()
            .into_iter()
            .map(|id| (path.join(id.file_name()), Some(id)))
            .filter(|(p, _)| p.is_file())
            .collect();
        if found.is_empty() {
            eprintln!(
                "error: {} holds no LDS files (CardAccess.bin, CardSecurity.bin, COM.bin, SOD.bin, DG1.bin ... DG16.bin)",
                path.display()
            );
            return ExitCode::from(2);
        }
        found
    } else if path.is_file() {
        vec![(path.to_path_buf(), id_from_name(path))]
    } else {
        eprintln!("error: {} does not exist", path.display());
        return ExitCode::from(2);
    };
    let mut failed = false;
    let mut out = Vec::new();
    for (p, id) in files {
        let bytes = match std::fs::read(&p) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return ExitCode::from(2);
            }
        };
        let parsed = match id {
            Some(id) => lds::parse_as(id, &bytes),
            None => lds::parse_file(&bytes),
        };
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match parsed {
            Ok(f) => out.push(describe(&name, bytes.len(), &f)),
            Err(e) => {
                failed = true;
                out.push(json!({"file": name, "bytes": bytes.len(), "error": e.to_string()}));
            }
        }
    }
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "files": out })).unwrap_or_default()
        );
    } else {
        for f in &out {
            print_human(f);
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_human(v: &Value) {
    let file = v["file"].as_str().unwrap_or("");
    let bytes = v["bytes"].as_u64().unwrap_or(0);
    if let Some(e) = v["error"].as_str() {
        println!("{file} ({bytes} bytes): ERROR {e}");
        return;
    }
    println!(
        "{file} ({bytes} bytes): {}",
        v["kind"].as_str().unwrap_or("")
    );
    if let Some(fields) = v["fields"].as_object() {
        for (k, val) in fields {
            let s = match val {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("  {k}: {s}");
        }
    }
    if let Some(items) = v["items"].as_array() {
        for i in items {
            println!("  - {}", i["summary"].as_str().unwrap_or(""));
        }
    }
}

fn opt(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |x| Value::String(x.clone()))
}

fn describe(name: &str, len: usize, f: &LdsFile) -> Value {
    let (kind, fields): (String, Value) = match f {
        LdsFile::Com(c) => (
            "EF.COM".into(),
            json!({
                "lds_version": c.lds_version_dotted(),
                "unicode_version": c.unicode_version_dotted(),
                "data_groups": c.data_groups().iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            }),
        ),
        LdsFile::Sod(s) => (
            "EF.SOD (LDSSecurityObject; signature not verified here, see `epassport verify`)"
                .into(),
            json!({
                "version": s.version,
                "hash_algorithm": s.hash_kind().map_or_else(|| s.hash_algorithm.oid.to_string(), |h| h.name().to_string()),
                "lds_version": s.lds_version_info.as_ref().map(|v| v.lds_version.clone()),
                "hashes": s.data_group_hashes.iter().map(|h| json!({"dg": h.number, "hash": hex(&h.hash)})).collect::<Vec<_>>(),
            }),
        ),
        LdsFile::Dg1(d) => {
            let parsed = d.mrz_lenient().ok();
            (
                "DG1 (MRZ)".into(),
                json!({
                    "format": format!("{:?}", d.format),
                    "mrz": d.lines(),
                    "document_number": parsed.as_ref().map(|m| m.fields.document_number.clone()),
                    "name": parsed.as_ref().map(|m| format!("{}, {}", m.fields.name.primary, m.fields.name.secondary)),
                    "mrz_check_errors": parsed.as_ref().map(|m| m.errors.len()),
                }),
            )
        }
        LdsFile::Dg2(d) => {
            let faces: Vec<Value> = d
                .faces()
                .iter()
                .map(|f| {
                    json!({
                        "template": f.template,
                        "image_bytes": f.image.len(),
                        "declared_format": format!("{:?}", f.declared),
                        "actual_format": lds::image::sniff(f.image).map(|x| x.name()),
                        "declared_width": f.width,
                        "declared_height": f.height,
                    })
                })
                .collect();
            let records: Vec<Value> = d.templates.iter().map(|t| match &t.record {
                lds::FaceRecord::Iso19794(r) => json!({"encoding": "ISO/IEC 19794-5", "images": r.images.iter().map(|i| json!({
                    "gender": i.gender.name(), "eye_colour": i.eye_colour.name(), "hair_colour": i.hair_colour.name(),
                    "features": i.features(), "expression": i.expression.name(),
                    "pose_yaw_pitch_roll": i.pose_angle.iter().map(|p| p.degrees()).collect::<Vec<_>>(),
                    "feature_points": i.feature_points.len(), "image_type": i.face_image_type.name(),
                    "image_data_type": i.image_data_type.name(), "width": i.width, "height": i.height,
                    "colour_space": i.colour_space.name(), "source_type": i.source_type.name(),
                    "device_type": i.device_type, "quality": i.quality,
                })).collect::<Vec<_>>()}),
                lds::FaceRecord::Iso39794(r) => json!({"encoding": "ISO/IEC 39794-5", "generation": r.generation, "year": r.year,
                    "representations": r.representations.iter().map(|p| json!({
                        "image_data_format": p.image_data_format.map(lds::iso39794_5::image_data_format_name),
                        "width": p.width, "height": p.height,
                        "gender": p.gender.map(lds::iso39794_5::gender_name),
                        "eye_colour": p.eye_colour.map(lds::iso39794_5::eye_colour_name),
                        "hair_colour": p.hair_colour.map(lds::iso39794_5::hair_colour_name),
                        "pose_yaw_pitch_roll": p.pose,
                        "capture_date_time": p.capture_date_time.as_ref().map(|d| d.to_string()),
                        "quality": p.quality.iter().map(|q| json!({
                            "algorithm": q.algorithm.map(registry),
                            "score": q.score.map(score),
                        })).collect::<Vec<_>>(),
                        "landmarks": p.landmarks.iter().map(landmark).collect::<Vec<_>>(),
                        "pad": p.pad.as_ref().map(pad),
                        "other_elements": p.other_elements.iter().map(|(t, raw)| json!({"tag": format!("{t:02X}"), "der": hex(raw)})).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>()}),
            }).collect();
            (
                "DG2 (encoded face)".into(),
                json!({"faces": faces, "records": records}),
            )
        }
        LdsFile::Biometric(id, b) => (
            format!("{id} (biometric templates, records kept raw)"),
            json!({"templates": b.group.templates.iter().map(|t| json!({
                "format": t.record_format_identifier(), "version": t.record_version(), "bytes": t.bdb.len(),
                "biometric_type": t.header.biometric_type_u32(),
            })).collect::<Vec<_>>()}),
        ),
        LdsFile::Displayed(id, d) => (
            format!("{id} (displayed images)"),
            json!({"images": d.images.iter().map(|i| json!({
                "bytes": i.len(), "format": lds::image::sniff(i).map(|x| x.name()),
            })).collect::<Vec<_>>()}),
        ),
        LdsFile::Dg11(d) => (
            "DG11 (additional personal details)".into(),
            json!({
                "full_name": opt(&d.full_name), "other_names": d.other_names,
                "personal_number": opt(&d.personal_number),
                "date_of_birth": d.date_of_birth.as_ref().map(|x| x.to_string()),
                "place_of_birth": opt(&d.place_of_birth), "address": opt(&d.address),
                "telephone": opt(&d.telephone), "profession": opt(&d.profession), "title": opt(&d.title),
                "personal_summary": opt(&d.personal_summary),
                "proof_of_citizenship_bytes": d.proof_of_citizenship.as_ref().map(Vec::len),
                "other_travel_documents": opt(&d.other_travel_documents),
                "custody_information": opt(&d.custody_information),
            }),
        ),
        LdsFile::Dg12(d) => (
            "DG12 (additional document details)".into(),
            json!({
                "issuing_authority": opt(&d.issuing_authority),
                "date_of_issue": d.date_of_issue.as_ref().map(|x| x.to_string()),
                "other_persons": d.other_persons, "endorsements": opt(&d.endorsements),
                "tax_exit_requirements": opt(&d.tax_exit_requirements),
                "image_front_bytes": d.image_front.as_ref().map(Vec::len),
                "image_rear_bytes": d.image_rear.as_ref().map(Vec::len),
                "personalisation_time": d.personalisation_time.as_ref().map(|x| x.to_string()),
                "personalisation_device_serial": opt(&d.personalisation_device_serial),
            }),
        ),
        LdsFile::Dg15(d) => (
            "DG15 (Active Authentication public key)".into(),
            json!({"key": d.key.describe(), "bits": d.key.bits(), "spki_bytes": d.spki.len()}),
        ),
        LdsFile::Dg16(d) => (
            "DG16 (persons to notify)".into(),
            json!({"persons": d.persons.iter().map(|p| json!({
                "date_recorded": p.date_recorded.as_ref().map(|x| x.to_string()),
                "name": opt(&p.name), "telephone": opt(&p.telephone), "address": opt(&p.address),
            })).collect::<Vec<_>>()}),
        ),
        LdsFile::Dg14(s) => return security_infos(name, len, "DG14 (security infos)", s),
        LdsFile::CardAccess(s) => {
            return security_infos(name, len, "EF.CardAccess (security infos)", s);
        }
        LdsFile::CardSecurity(s) => {
            return security_infos(
                name,
                len,
                "EF.CardSecurity (security infos; signature not verified here, see `epassport verify`)",
                s,
            );
        }
        LdsFile::Raw(id, content) => (
            format!("{id} (kept raw)"),
            json!({"content_bytes": content.len()}),
        ),
        _ => (format!("{}", f.id()), json!({})),
    };
    json!({"file": name, "bytes": len, "kind": kind, "fields": fields})
}

/// DG14 / EF.CardAccess / EF.CardSecurity: counts by kind in `fields`, one entry per
/// SecurityInfo (in file order) in `items`, each with a one-line `summary`.
fn security_infos(name: &str, len: usize, kind: &str, s: &SecurityInfos) -> Value {
    let items: Vec<Value> = s.infos.iter().map(security_info).collect();
    let count = |t: &str| items.iter().filter(|i| i["type"] == t).count();
    json!({
        "file": name, "bytes": len, "kind": kind,
        "fields": {
            "security_infos": items.len(),
            "chip_authentication": count("ChipAuthenticationInfo"),
            "chip_authentication_public_keys": count("ChipAuthenticationPublicKeyInfo"),
            "terminal_authentication": count("TerminalAuthenticationInfo"),
            "active_authentication": count("ActiveAuthenticationInfo"),
            "pace": count("PACEInfo"),
            "unknown": count("unknown"),
            "malformed": count("malformed"),
        },
        "items": items,
    })
}

fn agreement_name(a: KeyAgreement) -> &'static str {
    match a {
        KeyAgreement::Dh => "DH",
        KeyAgreement::Ecdh => "ECDH",
    }
}

fn domain_summary(d: &DomainParameters) -> String {
    match d {
        DomainParameters::Standardized(id) => format!("standardized domain parameters {id}"),
        DomainParameters::Ec(e) => {
            format!("explicit EC parameters, {}-bit prime field", bits(&e.p))
        }
        DomainParameters::NamedCurve(o) => format!("named curve {o}"),
        DomainParameters::Dh(d) => format!("explicit DH parameters, {}-bit prime", bits(&d.p)),
        DomainParameters::Other { algorithm, .. } => format!("algorithm {algorithm}"),
    }
}

/// Bit length of a big-endian magnitude.
fn bits(b: &[u8]) -> usize {
    let b: Vec<u8> = b.iter().copied().skip_while(|&x| x == 0).collect();
    b.first()
        .map_or(0, |f| b.len() * 8 - f.leading_zeros() as usize)
}

fn key_id(k: Option<i64>) -> String {
    k.map(|k| format!(", key id {k}")).unwrap_or_default()
}

fn security_info(i: &SecurityInfo) -> Value {
    match i {
        SecurityInfo::Pace(p) => json!({
            "type": "PACEInfo", "protocol": p.protocol.to_string(), "name": p.pace.name(),
            "version": p.version, "parameter_id": p.parameter_id,
            "summary": format!("PACEInfo {} v{}{}", p.pace.name(), p.version,
                p.parameter_id.map(|i| format!(", parameter id {i}")).unwrap_or_default()),
        }),
        SecurityInfo::PaceDomainParameters(p) => json!({
            "type": "PACEDomainParameterInfo", "protocol": p.protocol.to_string(),
            "domain_parameters": domain_summary(&p.domain_parameters), "parameter_id": p.parameter_id,
            "summary": format!("PACEDomainParameterInfo {}: {}{}", p.protocol, domain_summary(&p.domain_parameters),
                p.parameter_id.map(|i| format!(", parameter id {i}")).unwrap_or_default()),
        }),
        SecurityInfo::ChipAuthentication(c) => json!({
            "type": "ChipAuthenticationInfo", "protocol": c.protocol.to_string(),
            "agreement": agreement_name(c.ca.agreement), "cipher": c.ca.cipher.name(),
            "version": c.version, "key_id": c.key_id,
            "summary": format!("ChipAuthenticationInfo CA-{} with {} v{}{}", agreement_name(c.ca.agreement),
                c.ca.cipher.name(), c.version, key_id(c.key_id)),
        }),
        SecurityInfo::ChipAuthenticationPublicKey(k) => json!({
            "type": "ChipAuthenticationPublicKeyInfo", "protocol": k.protocol.to_string(),
            "agreement": agreement_name(k.agreement),
            "domain_parameters": domain_summary(&k.public_key.parameters),
            "public_key": hex(&k.public_key.key), "key_id": k.key_id,
            "summary": format!("ChipAuthenticationPublicKeyInfo {} key ({}), {} bytes{}", agreement_name(k.agreement),
                domain_summary(&k.public_key.parameters), k.public_key.key.len(), key_id(k.key_id)),
        }),
        SecurityInfo::ChipAuthenticationDomainParameters(d) => json!({
            "type": "ChipAuthenticationDomainParameterInfo", "protocol": d.protocol.to_string(),
            "domain_parameters": domain_summary(&d.domain_parameters), "key_id": d.key_id,
            "summary": format!("ChipAuthenticationDomainParameterInfo {}: {}{}", d.protocol,
                domain_summary(&d.domain_parameters), key_id(d.key_id)),
        }),
        SecurityInfo::TerminalAuthentication(t) => json!({
            "type": "TerminalAuthenticationInfo", "version": t.version,
            "ef_cvca": t.ef_cvca.as_deref().map(hex),
            "summary": format!("TerminalAuthenticationInfo v{}{}", t.version,
                if t.ef_cvca.is_some() { ", with efCVCA" } else { "" }),
        }),
        SecurityInfo::ActiveAuthentication(a) => json!({
            "type": "ActiveAuthenticationInfo", "version": a.version,
            "signature_algorithm": a.signature_algorithm.to_string(),
            "summary": format!("ActiveAuthenticationInfo v{}, signature algorithm {}", a.version,
                a.signature_algorithm),
        }),
        SecurityInfo::Unknown { protocol, der } => json!({
            "type": "unknown", "protocol": protocol.to_string(), "der": hex(der),
            "summary": format!("unknown SecurityInfo {protocol} ({} bytes, kept)", der.len()),
        }),
        SecurityInfo::Malformed {
            protocol,
            der,
            error,
        } => json!({
            "type": "malformed", "protocol": protocol.to_string(), "der": hex(der),
            "error": error.to_string(),
            "summary": format!("malformed SecurityInfo {protocol} ({} bytes, kept): {error}", der.len()),
        }),
    }
}

fn registry(r: lds::iso39794_5::RegistryId) -> Value {
    json!({"organization": r.organization, "id": r.id})
}

fn score(s: lds::iso39794_5::ScoreOrError) -> Value {
    match s {
        lds::iso39794_5::ScoreOrError::Score(v) => json!({"score": v}),
        lds::iso39794_5::ScoreOrError::Error(e) => json!({"error": e}),
    }
}

fn landmark(l: &lds::iso39794_5::Landmark) -> Value {
    use lds::iso39794_5::{LandmarkCoordinates as C, LandmarkKind as K};
    let (kind, code) = match l.kind {
        Some(K::Mpeg4(c)) => (Some("MPEG-4".to_string()), Some(c)),
        Some(K::Anthropometric(c)) => (Some("anthropometric".to_string()), Some(c)),
        Some(K::Other(n)) => (Some(format!("other [{n}]")), None),
        None => (None, None),
    };
    let coordinates = match l.coordinates {
        Some(C::Cartesian2D { x, y }) => json!({"system": "2D", "x": x, "y": y}),
        Some(C::TextureImage { u, v }) => json!({"system": "texture", "u": u, "v": v}),
        Some(C::Cartesian3D { x, y, z }) => json!({"system": "3D", "x": x, "y": y, "z": z}),
        Some(C::Other(n)) => json!({"system": format!("other [{n}]")}),
        None => Value::Null,
    };
    json!({"kind": kind, "code": code, "coordinates": coordinates})
}

fn pad(p: &lds::iso39794_5::PadData) -> Value {
    json!({
        "decision": p.decision,
        "scores": p.scores.iter().map(|s| json!({"mechanism": s.mechanism.map(registry), "score": s.score.map(score)})).collect::<Vec<_>>(),
        "extended_data": p.extended_data.iter().map(|e| json!({"type": e.data_type.map(registry), "data": hex(&e.data)})).collect::<Vec<_>>(),
        "capture_context": p.capture_context,
        "supervision_level": p.supervision_level,
        "risk_level": p.risk_level,
        "criteria_category": p.criteria_category,
        "parameter": p.parameter.as_deref().map(hex),
        "challenges": p.challenges.iter().map(|c| hex(c)).collect::<Vec<_>>(),
        "capture_date_time": p.capture_date_time.as_ref().map(|d| d.to_string()),
        "other_elements": p.other_elements.len(),
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn face(path: &Path, out: &Path, index: usize) -> ExitCode {
    let file = if path.is_dir() {
        path.join("DG2.bin")
    } else {
        path.to_path_buf()
    };
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let dg2 = match lds::Dg2::parse(&bytes) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::from(1);
        }
    };
    let faces = dg2.faces();
    let Some(f) = faces.get(index) else {
        eprintln!("error: DG2 holds {} face(s), no index {index}", faces.len());
        return ExitCode::from(1);
    };
    let img = match f.decode(&lds::image::DecodeLimits::default()) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: face {index}: {e}");
            return ExitCode::from(1);
        }
    };
    let png = match img.to_png() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::write(out, png) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(2);
    }
    println!(
        "wrote {} ({}x{}, from {})",
        out.display(),
        img.width,
        img.height,
        img.format
    );
    for w in &img.warnings {
        println!("warning: {w}");
    }
    ExitCode::SUCCESS
}
