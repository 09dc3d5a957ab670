//! Fuzzes every MRZ entry point: text, DG1 concatenated form, lenient mode with OCR repair, and
//! checks that whatever parses formats back to the same fields.
#![no_main]

use epassport_mrz::{Format, ParseOptions, format_mrz, parse, parse_concatenated, parse_with};
use libfuzzer_sys::fuzz_target;

const ALPHABET: &[u8] = b"<<<<<<<<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Shapes the bytes into lines of a format over the MRZ alphabet, so that every input reaches
/// the field parsers, check digits and OCR repair rather than stopping at format detection.
fn shaped(data: &[u8]) -> Option<String> {
    let (&first, rest) = data.split_first()?;
    let format = Format::ALL[usize::from(first) % Format::ALL.len()];
    let n = format.line_count() * format.line_length();
    let mut chars: Vec<char> = (0..n)
        .map(|i| {
            rest.get(i).map_or('<', |b| {
                char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])
            })
        })
        .collect();
    chars[0] = if format.is_visa() {
        'V'
    } else if first & 0x80 != 0 {
        'I'
    } else {
        'P'
    };
    let lines: Vec<String> = chars
        .chunks(format.line_length())
        .map(|c| c.iter().collect())
        .collect();
    Some(lines.join("\n"))
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = shaped(data) {
        let lenient = ParseOptions::lenient().with_repair_ocr(true);
        match parse_with(&text, &lenient) {
            Ok(mrz) => {
                let _ = mrz.access_key();
                let _ = format_mrz(mrz.format, &mrz.fields);
            }
            Err(e) => panic!("a well-shaped MRZ must parse leniently: {e}"),
        }
        let _ = parse(&text);
    }
    let text = String::from_utf8_lossy(data);
    let _ = epassport_mrz::check_digit(&text);
    let _ = parse_concatenated(&text);
    let lenient = ParseOptions::lenient().with_repair_ocr(true);
    let _ = parse_with(&text, &lenient);
    if let Ok(mrz) = parse(&text) {
        // A strictly valid MRZ re-formats to itself unless its name had to be normalised
        // (several fillers between name parts collapse) or its fields are outside what the
        // formatter emits.
        if let Ok(lines) = format_mrz(mrz.format, &mrz.fields) {
            let again = parse(&lines.join("\n")).ok();
            if let Some(again) = again {
                assert_eq!(again.fields.document_number, mrz.fields.document_number);
                assert_eq!(again.fields.date_of_birth, mrz.fields.date_of_birth);
                assert_eq!(again.fields.date_of_expiry, mrz.fields.date_of_expiry);
            }
        }
        let _ = mrz.access_key();
    }
});
