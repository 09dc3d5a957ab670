//! `epassport mrz [FILE]`: parse and check a machine readable zone;
//! `epassport mrz --image PHOTO`: read it from a photo or scan of the data page first.

use clap::Args as ClapArgs;
use epassport::mrz::{self, Mrz, MrzError, ParseOptions};
use epassport_mrz::scan::{self, OcrError};
use serde::Serialize;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// An MRZ is at most 90 characters; anything much larger is not one.
const MAX_INPUT: u64 = 64 * 1024;
/// A photo larger than this is refused unread.
const MAX_IMAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Arguments of `epassport mrz`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// File holding the MRZ lines (reads standard input when absent or `-`).
    #[arg(conflicts_with = "image")]
    pub file: Option<PathBuf>,
    /// Read the MRZ from a photo or scan of the data page (JPEG or PNG) instead of text.
    #[arg(long, value_name = "PHOTO")]
    pub image: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Repair OCR look-alikes (O/0, I/1, B/8, S/5, Z/2 ...) where the check digits say which is meant.
    #[arg(long)]
    pub repair: bool,
}

#[derive(Serialize)]
struct JsonOut {
    valid: bool,
    format: Option<&'static str>,
    fields: Option<JsonFields>,
    errors: Vec<JsonError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ocr: Option<JsonOcr>,
}

/// What `--image` adds: how the MRZ was read.
#[derive(Serialize)]
struct JsonOcr {
    /// The lines read (only when a valid MRZ was read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lines: Vec<String>,
    /// Why nothing was returned: `no_mrz_found`, `too_small`, `cut_off`, `too_blurred`,
    /// `not_valid`, `ambiguous`.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    orientation: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skew_degrees: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pitch_px: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_margin: Option<f32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    check_digits: Vec<JsonCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    corrections: Option<Vec<JsonCorrection>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    characters: Vec<Vec<JsonChar>>,
}

#[derive(Serialize)]
struct JsonCheck {
    field: String,
    line: usize,
    column: usize,
    held_as_read: bool,
}

#[derive(Serialize)]
struct JsonCorrection {
    line: usize,
    column: usize,
    from: char,
    to: char,
}

#[derive(Serialize)]
struct JsonChar {
    c: char,
    score: f32,
    margin: f32,
    alternatives: Vec<(char, f32)>,
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

fn ocr_json(r: &scan::OcrReport) -> JsonOcr {
    JsonOcr {
        lines: r.lines.clone(),
        error: None,
        orientation: Some(r.orientation),
        skew_degrees: Some(round3(r.skew_degrees)),
        pitch_px: Some(round3(r.pitch_px)),
        min_score: Some(round3(r.min_score)),
        min_margin: Some(round3(r.min_margin)),
        check_digits: r
            .check_digits
            .iter()
            .map(|c| JsonCheck {
                field: c.field.to_string(),
                line: c.line,
                column: c.column,
                held_as_read: c.held_as_read,
            })
            .collect(),
        corrections: Some(
            r.corrections
                .iter()
                .map(|c| JsonCorrection {
                    line: c.line,
                    column: c.column,
                    from: c.from,
                    to: c.to,
                })
                .collect(),
        ),
        characters: r
            .characters
            .iter()
            .map(|l| {
                l.iter()
                    .map(|c| JsonChar {
                        c: c.chosen,
                        score: round3(c.score),
                        margin: round3(c.margin),
                        alternatives: c.alternatives.iter().map(|a| (a.0, round3(a.1))).collect(),
                    })
                    .collect()
            })
            .collect(),
    }
}

fn ocr_error_code(e: &OcrError) -> &'static str {
    match e {
        OcrError::NoMrzFound => "no_mrz_found",
        OcrError::TooSmall { .. } => "too_small",
        OcrError::CutOff => "cut_off",
        OcrError::TooBlurred { .. } => "too_blurred",
        OcrError::NotValid { .. } => "not_valid",
        OcrError::Ambiguous { .. } => "ambiguous",
        _ => "unreadable",
    }
}

#[derive(Serialize)]
struct JsonFields {
    document_code: String,
    issuing_state: String,
    surname: String,
    given_names: String,
    document_number: String,
    nationality: String,
    date_of_birth: String,
    date_of_expiry: String,
    sex: String,
    optional_data: String,
}

#[derive(Serialize)]
struct JsonError {
    field: String,
    message: String,
}

fn json_error(e: &MrzError) -> JsonError {
    let field = match e {
        MrzError::Empty => "input".to_owned(),
        _ => e.field().map_or("format".to_owned(), |f| f.to_string()),
    };
    JsonError {
        field,
        message: e.to_string(),
    }
}

fn read_input(file: Option<&PathBuf>) -> Result<String, String> {
    let mut buf = Vec::new();
    let (name, res) = match file {
        Some(p) if p.as_os_str() != "-" => (
            p.display().to_string(),
            std::fs::File::open(p).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut buf)),
        ),
        _ => (
            "standard input".to_owned(),
            std::io::stdin()
                .lock()
                .take(MAX_INPUT + 1)
                .read_to_end(&mut buf),
        ),
    };
    res.map_err(|e| format!("cannot read {name}: {e}"))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(format!(
            "{name} is larger than {MAX_INPUT} bytes; an MRZ is at most 90 characters"
        ));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn read_image_file(p: &PathBuf) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    std::fs::File::open(p)
        .and_then(|f| f.take(MAX_IMAGE_BYTES + 1).read_to_end(&mut buf))
        .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    if buf.len() as u64 > MAX_IMAGE_BYTES {
        return Err(format!(
            "{} is larger than {MAX_IMAGE_BYTES} bytes",
            p.display()
        ));
    }
    Ok(buf)
}

/// `--image`: exit 0 for a valid MRZ read, 1 when the photo gives none ("retake the photo"),
/// 2 for I/O errors and files that are not a supported image.
fn run_image(args: &Args, path: &PathBuf) -> ExitCode {
    let bytes = match read_image_file(path) {
        Ok(b) => b,
        Err(msg) => {
            eprintln!("epassport mrz: {msg}");
            return ExitCode::from(2);
        }
    };
    match scan::read_image(&bytes) {
        Ok(report) => {
            let result = Ok(report.mrz.clone());
            if args.json {
                print_json_with(&result, Some(ocr_json(&report)));
            } else {
                print_human(&result);
                println!(
                    "read from the image: orientation {} degrees, skew {:.1} degrees, pitch {:.1} px, lowest character confidence {:.3}",
                    report.orientation, report.skew_degrees, report.pitch_px, report.min_score
                );
                for c in &report.check_digits {
                    if !c.held_as_read {
                        println!(
                            "check digit of {} (line {}, column {}) did not hold as first read",
                            c.field, c.line, c.column
                        );
                    }
                }
                for c in &report.corrections {
                    println!(
                        "corrected: line {}, column {}: {:?} -> {:?}",
                        c.line, c.column, c.from, c.to
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(e @ (OcrError::Decode(_) | OcrError::TooLarge { .. } | OcrError::Atlas)) => {
            eprintln!("epassport mrz: {}: {e}", path.display());
            ExitCode::from(2)
        }
        Err(e) => {
            if args.json {
                let out = JsonOut {
                    valid: false,
                    format: None,
                    fields: None,
                    errors: vec![JsonError {
                        field: "image".to_owned(),
                        message: e.to_string(),
                    }],
                    ocr: Some(JsonOcr {
                        lines: Vec::new(),
                        error: Some(ocr_error_code(&e)),
                        orientation: None,
                        skew_degrees: None,
                        pitch_px: None,
                        min_score: None,
                        min_margin: None,
                        check_digits: Vec::new(),
                        corrections: None,
                        characters: Vec::new(),
                    }),
                };
                match serde_json::to_string_pretty(&out) {
                    Ok(s) => println!("{s}"),
                    Err(e) => eprintln!("epassport mrz: cannot encode JSON: {e}"),
                }
            } else {
                println!("no MRZ read: {e}");
            }
            ExitCode::from(1)
        }
    }
}

/// Runs the subcommand: exit 0 for a valid MRZ, 1 for an invalid one, 2 for usage or I/O errors.
pub fn run(args: &Args) -> ExitCode {
    if let Some(path) = &args.image {
        return run_image(args, path);
    }
    let text = match read_input(args.file.as_ref()) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("epassport mrz: {msg}");
            return ExitCode::from(2);
        }
    };
    let options = ParseOptions::lenient().with_repair_ocr(args.repair);
    let result = mrz::parse_with(&text, &options);
    let valid = matches!(&result, Ok(m) if m.is_valid());
    if args.json {
        print_json(&result);
    } else {
        print_human(&result);
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_json(result: &Result<Mrz, MrzError>) {
    print_json_with(result, None);
}

fn print_json_with(result: &Result<Mrz, MrzError>, ocr: Option<JsonOcr>) {
    let out = match result {
        Ok(m) => {
            let f = &m.fields;
            JsonOut {
                valid: m.is_valid(),
                format: Some(m.format.code()),
                fields: Some(JsonFields {
                    document_code: f.document_code.clone(),
                    issuing_state: f.issuing_state.clone(),
                    surname: f.name.primary.clone(),
                    given_names: f.name.secondary.clone(),
                    document_number: f.document_number.clone(),
                    nationality: f.nationality.clone(),
                    date_of_birth: f.date_of_birth.to_string(),
                    date_of_expiry: f.date_of_expiry.to_string(),
                    sex: f.sex.as_char().to_string(),
                    optional_data: f.optional_data.clone(),
                }),
                errors: m.errors.iter().map(json_error).collect(),
                ocr,
            }
        }
        Err(e) => JsonOut {
            valid: false,
            format: None,
            fields: None,
            errors: vec![json_error(e)],
            ocr,
        },
    };
    match serde_json::to_string_pretty(&out) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("epassport mrz: cannot encode JSON: {e}"),
    }
}

fn print_human(result: &Result<Mrz, MrzError>) {
    let m = match result {
        Ok(m) => m,
        Err(e) => {
            println!("invalid MRZ: {e}");
            return;
        }
    };
    let f = &m.fields;
    println!(
        "{} MRZ: {}",
        m.format,
        if m.is_valid() { "valid" } else { "INVALID" }
    );
    let mut rows = vec![
        ("document code", f.document_code.clone()),
        ("issuing state", f.issuing_state.clone()),
        ("surname", f.name.primary.clone()),
        ("given names", f.name.secondary.clone()),
        ("document number", f.document_number.clone()),
        ("nationality", f.nationality.clone()),
        ("date of birth", f.date_of_birth.to_string()),
        ("sex", f.sex.as_char().to_string()),
        ("date of expiry", f.date_of_expiry.to_string()),
        ("optional data", f.optional_data.clone()),
    ];
    if m.format == mrz::Format::Td1 {
        rows.push(("optional data 2", f.optional_data_2.clone()));
    }
    for (k, v) in rows {
        println!("  {k:<16} {v}");
    }
    for n in &m.normalisations {
        println!("normalised: {n}");
    }
    for r in &m.repairs {
        println!("repaired: {r}");
    }
    for w in &m.warnings {
        println!("warning: {w}");
    }
    for e in &m.errors {
        println!("error: {e}");
    }
}
