//! Fuzzes every MRZ entry point: text, DG1 concatenated form, lenient mode with OCR repair, and
//! checks that whatever parses formats back to the same fields.
#![no_main]

use epassport_mrz::{ParseOptions, format_mrz, parse, parse_concatenated, parse_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
