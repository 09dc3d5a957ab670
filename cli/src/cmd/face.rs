//! `epassport face compare IMAGE IMAGE [--json]`: is the person in the second image the person in
//! the first?
//!
//! Exit codes: 0 match, 6 no match, 7 no usable face (no face, several faces, too small, too dark,
//! extreme pose, not an image), 2 usage (including an unreadable file), 1 internal (model) error.

use clap::{Args, Subcommand};
use epassport::face::{FaceComparison, FaceError, FaceMatcher, Role, decode};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code: the faces match.
pub const EXIT_MATCH: u8 = 0;
/// Exit code: usage error or unreadable file.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the faces do not match.
pub const EXIT_NO_MATCH: u8 = 6;
/// Exit code: an image has no usable face.
pub const EXIT_NO_FACE: u8 = 7;

/// Face match subcommands.
#[derive(Subcommand, Debug)]
pub enum FaceCommand {
    /// Compare the face in a reference image (e.g. the chip portrait) with the face in a probe image
    /// (e.g. a selfie).
    Compare(CompareArgs),
}

/// Arguments of `face compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The reference image (JPEG or PNG), e.g. the passport portrait.
    pub reference: PathBuf,
    /// The probe image (JPEG or PNG), e.g. a selfie.
    pub probe: PathBuf,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs a `face` subcommand.
pub fn run(cmd: FaceCommand) -> ExitCode {
    match cmd {
        FaceCommand::Compare(args) => compare(&args),
    }
}

fn compare(args: &CompareArgs) -> ExitCode {
    let mut images = Vec::with_capacity(2);
    for (path, role) in [
        (&args.reference, Role::Reference),
        (&args.probe, Role::Probe),
    ] {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::from(EXIT_USAGE);
            }
        };
        match decode(&bytes, role) {
            Ok(img) => images.push(img),
            Err(e) => return fail(args.json, &e),
        }
    }
    let matcher = match FaceMatcher::new() {
        Ok(m) => m,
        Err(e) => return fail(args.json, &e),
    };
    let result = match matcher.compare(&images[0], &images[1]) {
        Ok(r) => r,
        Err(e) => return fail(args.json, &e),
    };
    if args.json {
        match serde_json::to_string_pretty(&result) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print_human(&result);
    }
    ExitCode::from(if result.is_match {
        EXIT_MATCH
    } else {
        EXIT_NO_MATCH
    })
}

fn print_human(r: &FaceComparison) {
    let verdict = if r.is_match { "MATCH" } else { "NO MATCH" };
    let cmp = if r.is_match { "<" } else { ">=" };
    println!(
        "{verdict}: distance {:.3} {cmp} threshold {:.3} (score {:.2})",
        r.distance, r.threshold, r.score
    );
    for a in [&r.reference, &r.probe] {
        let f = &a.face;
        println!(
            "{:<9} face at ({:.0}, {:.0}) {:.0}x{:.0} px in a {}x{} image, confidence {:.3}, {} face(s) detected",
            match a.role {
                Role::Reference => "reference",
                Role::Probe => "probe",
            },
            f.x,
            f.y,
            f.width,
            f.height,
            a.width,
            a.height,
            f.confidence,
            a.faces_detected
        );
        for w in &a.warnings {
            println!("  warning: {w}");
        }
    }
}

fn fail(as_json: bool, e: &FaceError) -> ExitCode {
    eprintln!("error: {e}");
    let code = if e.is_no_usable_face() || matches!(e, FaceError::Decode { .. }) {
        EXIT_NO_FACE
    } else {
        1
    };
    if as_json {
        println!("{}", json!({ "error": e.to_string(), "exit_code": code }));
    }
    ExitCode::from(code)
}
