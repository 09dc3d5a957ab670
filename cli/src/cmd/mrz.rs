//! `epassport mrz [FILE]`: parse and check a machine readable zone.

use clap::Args as ClapArgs;
use epassport::mrz::{self, Mrz, MrzError, ParseOptions};
use serde::Serialize;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// An MRZ is at most 90 characters; anything much larger is not one.
const MAX_INPUT: u64 = 64 * 1024;

/// Arguments of `epassport mrz`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// File holding the MRZ lines (reads standard input when absent or `-`).
    pub file: Option<PathBuf>,
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

/// Runs the subcommand: exit 0 for a valid MRZ, 1 for an invalid one, 2 for usage or I/O errors.
pub fn run(args: &Args) -> ExitCode {
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
            }
        }
        Err(e) => JsonOut {
            valid: false,
            format: None,
            fields: None,
            errors: vec![json_error(e)],
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
