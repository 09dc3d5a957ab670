//! `epassport read`: access control (PACE or BAC), then every file EF.COM and EF.SOD list, with the
//! read strategy of `epassport::chip::read`; writes the files and `read.json`.
//!
//! Then Active and Chip Authentication when the chip advertises them (`--no-aa`, `--no-ca` skip
//! them); read.json records each mechanism (`anti_cloning`).
//!
//! Exit codes: 0 read, 2 usage, 3 access denied, 4 communication lost (1 for other chip errors).

use crate::cmd::transport::ChipSource;
use clap::{Args, ValueEnum};
use epassport::card::Transport;
use epassport::chip::anticlone::{AntiCloneReport, Mechanism, MechanismReport, Outcome};
use epassport::chip::pace::access::{AccessMethod, Credentials};
use epassport::chip::pace::terminal::AccessChoice;
use epassport::chip::passport::{
    AccessOutcome, AntiCloneOptions, ChipSession, FailureKind, chip_kind,
};
use epassport::chip::read::{self, FileId, ReadOptions, Stats, WithCapabilities};
use epassport::chip::session::DocumentRead;
use epassport::mrz::MrzKey;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which access control to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Access {
    /// PACE when EF.CardAccess offers it, else BAC.
    Auto,
    /// PACE only.
    Pace,
    /// BAC only.
    Bac,
}

/// Read every file of a passport or ID card.
#[derive(Args, Debug)]
pub struct ReadArgs {
    #[command(flatten)]
    source: ChipSource,
    /// A file holding the MRZ printed on the document.
    #[arg(long, value_name = "FILE", group = "key")]
    mrz: Option<PathBuf>,
    /// The MRZ key: document number, birth date and expiry date (YYMMDD).
    #[arg(long, value_name = "DOCNO,YYMMDD,YYMMDD", group = "key")]
    mrz_key: Option<String>,
    /// The card access number (PACE with CAN; ID cards).
    #[arg(long, value_name = "CAN")]
    can: Option<String>,
    /// Access control.
    #[arg(long, value_enum, default_value_t = Access::Auto)]
    access: Access,
    /// Folder to write COM.bin, SOD.bin, DG1.bin ... and read.json into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print read.json on stdout instead of a summary.
    #[arg(long)]
    json: bool,
    /// Do not run Chip Authentication (the report says it was skipped).
    #[arg(long)]
    no_ca: bool,
    /// Do not run Active Authentication (the report says it was skipped).
    #[arg(long)]
    no_aa: bool,
    /// After a lost link, wait up to --wait seconds for the card to come back and resume the read
    /// where it stopped (a new access-control session), at most this many times.
    #[arg(long, value_name = "N", default_value_t = 1)]
    resume: u32,
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("epassport read: {msg}");
    ExitCode::from(2)
}

fn mrz_key(args: &ReadArgs) -> Result<Option<MrzKey>, String> {
    if let Some(path) = &args.mrz {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mrz = epassport::mrz::parse(&text).map_err(|e| format!("the MRZ is invalid: {e}"))?;
        return mrz
            .access_key()
            .map(Some)
            .map_err(|e| format!("the MRZ is invalid: {e}"));
    }
    if let Some(k) = &args.mrz_key {
        let parts: Vec<&str> = k.split(',').map(str::trim).collect();
        let [doc, dob, doe] = parts.as_slice() else {
            return Err("--mrz-key takes DOCNO,YYMMDD,YYMMDD".into());
        };
        return MrzKey::new(doc, dob, doe)
            .map(Some)
            .map_err(|e| format!("--mrz-key: {e}"));
    }
    Ok(None)
}

fn stats_json(s: &Stats) -> Value {
    json!({
        "apdus": s.apdus,
        "bytes_sent": s.bytes_sent,
        "bytes_received": s.bytes_received,
        "elapsed_ms": s.elapsed.as_millis() as u64,
    })
}

fn access_json(session: &AccessOutcome) -> Value {
    match &session.method {
        AccessMethod::Bac => {
            json!({ "protocol": "BAC", "cipher": "3DES", "reason": session.reason })
        }
        AccessMethod::Pace(p) => json!({
            "protocol": "PACE",
            "oid": p.oid,
            "name": p.protocol,
            "mapping": p.mapping,
            "key_agreement": p.key_agreement,
            "domain_id": p.domain_id,
            "domain": p.domain,
            "cipher": p.cipher,
            "password": p.password.name(),
            "parameter_id_sent": p.parameter_id_sent,
            "reason": session.reason,
        }),
    }
}

/// The inverse of [`anti_clone_json`]: the mechanisms as read.json recorded them (`None` when the
/// block is absent or malformed).
pub fn anti_clone_from_json(v: &Value) -> Option<AntiCloneReport> {
    let m = |mechanism: Mechanism| -> Option<MechanismReport> {
        let o = v.get(mechanism.key())?;
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        let outcome = match o.get("status")?.as_str()? {
            "passed" => Outcome::Passed {
                protocol: text("protocol").unwrap_or_default(),
                detail: text("detail").unwrap_or_default(),
            },
            "failed" => Outcome::Failed {
                reason: text("reason").unwrap_or_default(),
            },
            "not_performed" => Outcome::NotPerformed {
                why: text("why").unwrap_or_default(),
            },
            "not_supported" => Outcome::NotSupported {
                why: text("why").unwrap_or_default(),
            },
            _ => return None,
        };
        Some(MechanismReport {
            mechanism,
            advertised: o.get("advertised")?.as_bool()?,
            advertised_by: text("advertised_by"),
            key_source: text("key_source"),
            key_verified: None,
            outcome,
        })
    };
    Some(AntiCloneReport {
        chip_authentication: m(Mechanism::ChipAuthentication)?,
        active_authentication: m(Mechanism::ActiveAuthentication)?,
        pace_cam: m(Mechanism::PaceCam)?,
    })
}

fn kind_exit(kind: FailureKind) -> u8 {
    match kind {
        FailureKind::Usage => 2,
        FailureKind::AccessDenied => 3,
        FailureKind::CommunicationLost => 4,
        _ => 1,
    }
}

/// The `anti_cloning` block of read.json: each mechanism as the chip crate reports it. The
/// verdict needs passive authentication (`epassport verify` binds it), so read.json carries the
/// mechanisms only.
pub fn anti_clone_json(r: &AntiCloneReport) -> Value {
    let m = |m: &MechanismReport| {
        let mut v = json!({
            "advertised": m.advertised,
            "status": m.outcome.status(),
        });
        if let Some(b) = &m.advertised_by {
            v["advertised_by"] = json!(b);
        }
        if let Some(k) = &m.key_source {
            v["key_source"] = json!(k);
        }
        match &m.outcome {
            Outcome::Passed { protocol, detail } => {
                v["protocol"] = json!(protocol);
                v["detail"] = json!(detail);
            }
            Outcome::Failed { reason } => v["reason"] = json!(reason),
            Outcome::NotPerformed { why } | Outcome::NotSupported { why } => v["why"] = json!(why),
        }
        v
    };
    json!({
        "chip_authentication": m(&r.chip_authentication),
        "active_authentication": m(&r.active_authentication),
        "pace_cam": m(&r.pace_cam),
    })
}

fn write_file(dir: &Path, name: &str, data: &[u8]) -> Result<(), String> {
    let path = dir.join(name);
    std::fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs `epassport read`.
pub fn run(args: ReadArgs) -> ExitCode {
    let key = match mrz_key(&args) {
        Ok(k) => k,
        Err(e) => return usage(e),
    };
    if key.is_none() && args.can.is_none() {
        return usage("give the MRZ (--mrz FILE or --mrz-key) or the CAN (--can)");
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return usage(format!("cannot create {}: {e}", args.out.display()));
    }
    let link = match args.source.open() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("epassport read: {e}");
            return ExitCode::from(match &e {
                crate::cmd::transport::OpenError::Card(c) => crate::cmd::transport::exit_code(c),
                _ => 2,
            });
        }
    };
    let creds = Credentials {
        mrz: key.as_ref(),
        can: args.can.as_deref(),
    };
    let choice = match args.access {
        Access::Auto => AccessChoice::Auto,
        Access::Pace => AccessChoice::Pace,
        Access::Bac => AccessChoice::Bac,
    };
    let mut link = link;
    // The terminal's nonces and ephemeral keys come from one seeded RNG whose seed goes into a
    // --record trace and comes back from a --replay one, so a replay repeats every command.
    let mut rng = crate::cmd::transport::session_rng(&mut link);
    // Extended length as EF.ATR/INFO, the ATR or a probe say (a reader cannot tell by itself).
    let atr = link.atr.clone();
    let learned = match read::learn_link(&mut link, Some(&atr), true) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("epassport read: {e}");
            return ExitCode::from(4);
        }
    };
    let mut link = WithCapabilities::new(link, learned.capabilities);
    let mut doc = DocumentRead::default();
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr()) && !args.json;
    let mut progress = |d: &DocumentRead, f: FileId| {
        if interactive {
            let t = d.total();
            eprintln!(
                "  {:<8} {:>7} bytes, {:>4} APDUs so far",
                f.name(),
                d.get(f).map_or(0, <[u8]>::len),
                t.apdus
            );
        }
    };
    let mut resumed = 0;
    let (access, anti_clone, anti_clone_stats) = loop {
        let mut session = match ChipSession::open(&mut link, &creds, choice, &mut rng) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("epassport read: {e}");
                return ExitCode::from(kind_exit(e.kind()));
            }
        };
        match session.read_document(&mut doc, &ReadOptions::default(), &mut progress) {
            Ok(()) => {
                let before = session.wire_stats();
                let anti_clone = session.anti_cloning(
                    &doc,
                    &AntiCloneOptions {
                        chip_authentication: !args.no_ca,
                        active_authentication: !args.no_aa,
                    },
                    &mut rng,
                );
                let stats = session.wire_stats().since(&before);
                break (session.access().clone(), anti_clone, stats);
            }
            // A lost link: a new session resumes the document where it stopped.
            Err(e) if chip_kind(&e) == FailureKind::CommunicationLost && resumed < args.resume => {
                drop(session);
                resumed += 1;
                eprintln!(
                    "epassport read: {e}; waiting up to {} s for the card to resume",
                    args.source.wait
                );
                let wait = std::time::Duration::from_secs(args.source.wait);
                if let Err(e) = link.reconnect(wait) {
                    eprintln!("epassport read: the card did not come back: {e}");
                    return ExitCode::from(4);
                }
            }
            Err(e) => {
                eprintln!("epassport read: {e}");
                return ExitCode::from(kind_exit(chip_kind(&e)));
            }
        }
    };
    let access_report = access_json(&access);
    let access_stats = access.stats;
    let card_access = access.card_access.clone();
    let card_security = access.card_security.clone();
    if let Err(e) = link.into_inner().finish() {
        eprintln!("epassport read: {e}");
        return ExitCode::from(4);
    }

    let mut files = Vec::new();
    if let Some(ca) = &card_access {
        if let Err(e) = write_file(&args.out, "CardAccess.bin", ca) {
            return usage(e);
        }
        files.push(json!({ "file": "CardAccess", "size": ca.len(), "sha256": sha256_hex(ca) }));
    }
    if let Some(cs) = &card_security {
        if let Err(e) = write_file(&args.out, "CardSecurity.bin", cs) {
            return usage(e);
        }
        files.push(json!({ "file": "CardSecurity", "size": cs.len(), "sha256": sha256_hex(cs) }));
    }
    for f in &doc.files {
        let name = f.file.name();
        if let Err(e) = write_file(&args.out, &format!("{name}.bin"), &f.data) {
            return usage(e);
        }
        files.push(json!({
            "file": name,
            "size": f.data.len(),
            "sha256": sha256_hex(&f.data),
            "stats": stats_json(&f.stats),
        }));
    }
    let total = doc.total();
    let report = json!({
        "schema": "epassport.read/1",
        "access": access_report,
        "files": files,
        "skipped": doc.skipped.iter().map(|s| json!({ "file": s.file.name(), "reason": s.reason })).collect::<Vec<_>>(),
        "missing": doc.missing.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "anti_cloning": anti_clone_json(&anti_clone),
        "link": {
            "extended_length": learned.capabilities.extended_length,
            "max_response_len": learned.capabilities.max_response_len,
            "learned_from": learned.source.to_string(),
        },
        "resumptions": doc.resumptions,
        "stats": {
            "access": stats_json(&access_stats),
            "files": stats_json(&total),
            "anti_cloning": stats_json(&anti_clone_stats),
        },
    });
    let text = match serde_json::to_string_pretty(&report) {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    if let Err(e) = write_file(&args.out, "read.json", text.as_bytes()) {
        return usage(e);
    }
    if args.json {
        println!("{text}");
    } else {
        println!(
            "read {} files with {} ({} APDUs, {} bytes received) into {}",
            doc.files.len(),
            report["access"]["protocol"].as_str().unwrap_or("?"),
            total.apdus + access_stats.apdus + anti_clone_stats.apdus,
            total.bytes_received + access_stats.bytes_received + anti_clone_stats.bytes_received,
            args.out.display()
        );
    }
    ExitCode::SUCCESS
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}
