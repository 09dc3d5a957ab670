//! `epassport record`: check an enrolment record's signature; make a station signing key.

use clap::{Args as ClapArgs, Subcommand, ValueEnum};
use epassport::enrol::jws::{self, KeyKind, SigningKey, VerifyingKey};
use epassport::enrol::{SCHEMA_ID, SignatureError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A record is a few kilobytes (hundreds with a portrait); refuse anything absurd.
const MAX_RECORD: u64 = 64 * 1024 * 1024;

/// Arguments of `epassport record`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: RecordCommand,
}

#[derive(Subcommand, Debug)]
enum RecordCommand {
    /// Verify a signed enrolment record: exit 0 if the signature matches, 1 if not, 2 usage.
    Verify {
        /// The record (JSON).
        record: PathBuf,
        /// The station's public key (PEM SubjectPublicKeyInfo; a private key also works).
        #[arg(long, value_name = "PUB")]
        key: PathBuf,
    },
    /// Make a signing key: writes KEY (PKCS#8 PEM, private) and KEY.pub (public).
    Keygen {
        /// Where to write the private key.
        #[arg(long, value_name = "KEY")]
        out: PathBuf,
        /// The algorithm.
        #[arg(long, value_enum, default_value = "ed25519")]
        algorithm: Algorithm,
    },
}

/// Signature algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Algorithm {
    /// Ed25519 (JWS EdDSA).
    Ed25519,
    /// ECDSA P-256 (JWS ES256).
    P256,
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("epassport record: {msg}");
    ExitCode::from(2)
}

fn read_limited(path: &Path, what: &str) -> Result<String, ExitCode> {
    use std::io::Read;
    let mut buf = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_RECORD + 1).read_to_string(&mut buf))
        .map_err(|e| usage(format!("cannot read {what} {}: {e}", path.display())))?;
    if buf.len() as u64 > MAX_RECORD {
        return Err(usage(format!(
            "{} is too large for a record",
            path.display()
        )));
    }
    Ok(buf)
}

/// Runs the subcommand.
pub fn run(args: &Args) -> ExitCode {
    match &args.command {
        RecordCommand::Verify { record, key } => verify(record, key),
        RecordCommand::Keygen { out, algorithm } => keygen(out, *algorithm),
    }
}

fn verify(record: &Path, key: &Path) -> ExitCode {
    let text = match read_limited(record, "the record") {
        Ok(t) => t,
        Err(c) => return c,
    };
    let pem = match read_limited(key, "the key") {
        Ok(t) => t,
        Err(c) => return c,
    };
    let key = match VerifyingKey::from_pem(&pem) {
        Ok(k) => k,
        Err(e) => return usage(e),
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            println!("not verified: {} is not JSON: {e}", record.display());
            return ExitCode::from(1);
        }
    };
    if value.get("schema").and_then(|s| s.as_str()) != Some(SCHEMA_ID) {
        println!(
            "not verified: {} is not a {SCHEMA_ID} record",
            record.display()
        );
        return ExitCode::from(1);
    }
    match jws::verify(&value, &key) {
        Ok(sig) => {
            let status = value
                .pointer("/decision/status")
                .and_then(|s| s.as_str())
                .unwrap_or("?");
            println!(
                "verified: signed with {} by key {}; decision {status}",
                sig.alg, sig.kid
            );
            ExitCode::SUCCESS
        }
        Err(
            e @ (SignatureError::Invalid
            | SignatureError::Unsigned
            | SignatureError::OtherKey { .. }
            | SignatureError::AlgorithmMismatch { .. }
            | SignatureError::Malformed(_)),
        ) => {
            println!("not verified: {e}");
            ExitCode::from(1)
        }
        Err(e) => usage(e),
    }
}

fn keygen(out: &Path, algorithm: Algorithm) -> ExitCode {
    let kind = match algorithm {
        Algorithm::Ed25519 => KeyKind::Ed25519,
        Algorithm::P256 => KeyKind::P256,
    };
    let result = SigningKey::generate(kind).and_then(|k| {
        let private = k.to_pem()?;
        let public = k.verifying_key().to_pem()?;
        Ok((private, public, k.verifying_key().thumbprint()))
    });
    let (private, public, kid) = match result {
        Ok(r) => r,
        Err(e) => return usage(e),
    };
    let mut pub_path = out.as_os_str().to_owned();
    pub_path.push(".pub");
    let pub_path = PathBuf::from(pub_path);
    if out.exists() {
        return usage(format!("{} exists; not overwriting a key", out.display()));
    }
    if let Err(e) = write_private(out, private.as_bytes()) {
        return usage(format!("cannot write {}: {e}", out.display()));
    }
    if let Err(e) = epassport::enrol::atomic::write_atomic(&pub_path, public.as_bytes()) {
        return usage(format!("cannot write {}: {e}", pub_path.display()));
    }
    println!(
        "wrote {} (private) and {} (public); key id {kid}",
        out.display(),
        pub_path.display()
    );
    ExitCode::SUCCESS
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
