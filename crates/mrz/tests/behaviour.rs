//! Two-digit years, partial dates, names, country warnings, normalisation, OCR repair, and the
//! real-world DG1 samples in ../shared/realworld.

#![allow(clippy::unwrap_used, clippy::panic)] // test helpers unwrap and fail loudly

use epassport_mrz::*;

const L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
const L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 21,
};

fn opts() -> ParseOptions {
    ParseOptions::strict().with_today(TODAY)
}

/// A TD3 with the given birth and expiry dates and correct check digits.
fn td3_with_dates(dob: &str, doe: &str) -> Mrz {
    let fields = Fields {
        date_of_birth: MrzDate {
            year: None,
            month: None,
            day: None,
        },
        date_of_expiry: MrzDate {
            year: None,
            month: None,
            day: None,
        },
        ..parse_with(&format!("{L1}\n{L2}"), &opts()).unwrap().fields
    };
    let lines = format_mrz(Format::Td3, &fields).unwrap();
    let l2 = format!(
        "{}{dob}{}{}{doe}{}{}",
        &lines[1][..13],
        check_digit(dob).unwrap(),
        &lines[1][20..21],
        check_digit(doe).unwrap(),
        &lines[1][28..43]
    );
    let comp = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
    let l2 = format!("{l2}{}", check_digit(&comp).unwrap());
    parse_with(&format!("{}\n{l2}", lines[0]), &opts()).unwrap()
}

#[test]
fn birth_year_never_in_the_future() {
    let y = |dob: &str| td3_with_dates(dob, "300101").fields.date_of_birth.year;
    assert_eq!(y("261121"), Some(2026)); // today
    assert_eq!(y("261122"), Some(1926)); // tomorrow would be in the future
    assert_eq!(y("000101"), Some(2000));
    assert_eq!(y("991231"), Some(1999));
}

#[test]
fn expiry_within_its_window() {
    let y = |doe: &str| td3_with_dates("740812", doe).fields.date_of_expiry.year;
    assert_eq!(y("120415"), Some(2012));
    assert_eq!(y("360101"), Some(2036));
    assert_eq!(y("751231"), Some(2075)); // less than 50 years ahead
    assert_eq!(y("760101"), Some(1976)); // 50 years back is the window's start
    assert_eq!(y("991231"), Some(1999));
}

#[test]
fn partial_dates_kept() {
    let m = td3_with_dates("74<<<<", "120415");
    assert_eq!(
        m.fields.date_of_birth,
        MrzDate {
            year: Some(1974),
            month: None,
            day: None
        }
    );
    assert_eq!(m.fields.date_of_birth.to_string(), "1974-XX-XX");
    assert!(!m.fields.date_of_birth.is_complete());
    let m = td3_with_dates("7408<<", "120415");
    assert_eq!(m.fields.date_of_birth.to_string(), "1974-08-XX");
    let m = td3_with_dates("<<<<<<", "120415");
    assert_eq!(m.fields.date_of_birth.to_string(), "XXXX-XX-XX");
    assert_eq!(
        m.access_key().unwrap().information(),
        b"L898902C36<<<<<<01204159"
    );
}

#[test]
fn names() {
    let name = |l1: &str| {
        parse_with(&format!("{l1:<<44}\n{L2}"), &opts()).map(|m| (m.fields.name, m.warnings))
    };
    let (n, w) = name("P<UTOVAN<DER<BERG<<JAN<PIETER").unwrap();
    assert_eq!(
        n,
        Name {
            primary: "VAN DER BERG".into(),
            secondary: "JAN PIETER".into(),
            truncated: false
        }
    );
    assert!(w.is_empty());
    let (n, _) = name("P<UTOERIKSSON").unwrap();
    assert_eq!(
        n,
        Name {
            primary: "ERIKSSON".into(),
            secondary: String::new(),
            truncated: false
        }
    );
    // ICAO 9303-3 §4.6.1 truncation: the field is full.
    let (n, w) = name("P<UTOSTEVENSON<<PETERJOHNCHRISTOPHERALEXANDE").unwrap();
    assert_eq!(n.secondary, "PETERJOHNCHRISTOPHERALEXANDE");
    assert!(n.truncated);
    assert_eq!(w, vec![Warning::NameMayBeTruncated]);
}

#[test]
fn sexes() {
    for (c, sex) in [
        ('M', Sex::Male),
        ('F', Sex::Female),
        ('X', Sex::Unspecified),
        ('<', Sex::NotGiven),
    ] {
        let mut l2: Vec<char> = L2.chars().collect();
        l2[20] = c;
        let l2: String = l2.into_iter().collect();
        let m = parse_with(&format!("{L1}\n{l2}"), &opts()).unwrap();
        assert_eq!(m.fields.sex, sex);
        assert_eq!(sex.as_char(), c);
    }
}

#[test]
fn unknown_country_is_a_warning() {
    let l1 = L1.replacen("UTO", "ZZZ", 1);
    let m = parse_with(&format!("{l1}\n{L2}"), &opts()).unwrap();
    assert!(m.is_valid());
    assert_eq!(
        m.warnings,
        vec![Warning::UnknownCountry {
            field: Field::IssuingState,
            code: "ZZZ".into()
        }]
    );
    assert_eq!(
        m.warnings[0].to_string(),
        "issuing_state: \"ZZZ\" is not an ICAO 9303-3 country code"
    );
}

#[test]
fn normalisation_reported() {
    let text = format!(
        "\n  {}  \r\n{} {}\r\n\r\n",
        L1.to_lowercase(),
        &L2[..10],
        &L2[10..]
    );
    let m = parse_with(&text, &opts()).unwrap();
    assert_eq!(m.lines, vec![L1.to_owned(), L2.to_owned()]);
    assert_eq!(
        m.normalisations,
        vec![
            Normalisation::LineEndings,
            Normalisation::Whitespace { line: 1, count: 4 },
            Normalisation::Lowercase { line: 1, count: 21 },
            Normalisation::Whitespace { line: 2, count: 1 },
            Normalisation::BlankLines { count: 2 },
        ]
    );
    // One line holding the whole MRZ.
    let m = parse_with(&format!("{L1}{L2}"), &opts()).unwrap();
    assert_eq!(
        m.normalisations,
        vec![Normalisation::SplitSingleLine { length: 88 }]
    );
    assert_eq!(m.to_lines(), vec![L1.to_owned(), L2.to_owned()]);
}

#[test]
fn ocr_repair_is_off_by_default() {
    let l2 = L2.replacen("7408122", "74O8122", 1);
    let text = format!("{L1}\n{l2}");
    assert!(matches!(
        parse_with(&text, &opts()),
        Err(MrzError::InvalidDate { .. })
    ));
}

#[test]
fn ocr_repair_by_character_class() {
    let l1 = L1.replacen("ERIKSSON", "ER1KSS0N", 1);
    let l2 = L2.replacen("7408122", "74O8I2Z", 1);
    let m = parse_with(&format!("{l1}\n{l2}"), &opts().with_repair_ocr(true)).unwrap();
    assert_eq!(m.lines, vec![L1.to_owned(), L2.to_owned()]);
    assert_eq!(
        m.repairs,
        vec![
            Repair {
                field: Field::Name,
                line: 1,
                column: 8,
                from: '1',
                to: 'I'
            },
            Repair {
                field: Field::Name,
                line: 1,
                column: 12,
                from: '0',
                to: 'O'
            },
            Repair {
                field: Field::DateOfBirth,
                line: 2,
                column: 16,
                from: 'O',
                to: '0'
            },
            Repair {
                field: Field::DateOfBirth,
                line: 2,
                column: 18,
                from: 'I',
                to: '1'
            },
            Repair {
                field: Field::DateOfBirth,
                line: 2,
                column: 20,
                from: 'Z',
                to: '2'
            },
        ]
    );
}

#[test]
fn ocr_repair_guided_by_check_digit() {
    // L898902C3 read as L8989O2C3: only '0' at column 6 satisfies the check digit.
    let l2 = L2.replacen("L898902C3", "L8989O2C3", 1);
    let m = parse_with(&format!("{L1}\n{l2}"), &opts().with_repair_ocr(true)).unwrap();
    assert_eq!(m.fields.document_number, "L898902C3");
    assert_eq!(
        m.repairs,
        vec![Repair {
            field: Field::DocumentNumber,
            line: 2,
            column: 6,
            from: 'O',
            to: '0'
        }]
    );
}

#[test]
fn ocr_repair_does_not_guess_when_ambiguous() {
    // 'O' at columns 1 and 4 have the same weight (7): reading either as '0' fixes the check
    // digit, so neither is chosen.
    let base = parse_with(&format!("{L1}\n{L2}"), &opts()).unwrap().fields;
    let lines = format_mrz(
        Format::Td3,
        &Fields {
            document_number: "O12O45".into(),
            ..base
        },
    )
    .unwrap();
    let cd = check_digit("012O45<<<").unwrap();
    assert_eq!(cd, check_digit("O12045<<<").unwrap());
    let l2 = format!("{}{cd}{}", &lines[1][..9], &lines[1][10..]);
    let lenient = ParseOptions::lenient()
        .with_today(TODAY)
        .with_repair_ocr(true);
    let m = parse_with(&format!("{}\n{l2}", lines[0]), &lenient).unwrap();
    assert!(
        m.warnings.contains(&Warning::RepairAmbiguous {
            field: Field::DocumentNumber
        }),
        "{:?}",
        m.warnings
    );
    assert!(
        m.repairs.iter().all(|r| r.field != Field::DocumentNumber),
        "{:?}",
        m.repairs
    );
    assert_eq!(m.fields.document_number, "O12O45");
}

fn shared(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/realworld")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): these tests need ../shared beside the repository",
            p.display()
        )
    })
}

/// DG1 = 61 L { 5F1F L <MRZ> } with short-form lengths.
fn dg1_mrz(dg1: &[u8]) -> String {
    assert_eq!(&dg1[..1], [0x61]);
    assert_eq!(&dg1[2..4], [0x5F, 0x1F]);
    let len = dg1[4] as usize;
    String::from_utf8(dg1[5..5 + len].to_vec()).unwrap()
}

#[test]
fn realworld_bsi2008_dg1() {
    let mrz = parse_concatenated_with(&dg1_mrz(&shared("lds/bsi2008/DG1.bin")), &opts()).unwrap();
    assert_eq!(mrz.format, Format::Td3);
    assert_eq!(mrz.fields.issuing_state, "D");
    assert_eq!(mrz.fields.name.primary, "MUSTERMANN");
    assert_eq!(mrz.fields.name.secondary, "ERIKA");
    assert_eq!(mrz.fields.document_number, "C11T002JM");
    assert_eq!(mrz.fields.date_of_birth.to_string(), "1996-08-12");
    assert_eq!(mrz.fields.date_of_expiry.to_string(), "2013-10-31");
    assert!(mrz.warnings.is_empty());
}

#[test]
fn realworld_gmrtd_td2_dg1() {
    let mrz = parse_concatenated_with(&dg1_mrz(&shared("lds/gmrtd-samples/DG1_TD2.bin")), &opts())
        .unwrap();
    assert_eq!(mrz.format, Format::Td2);
    assert_eq!(mrz.fields.document_code, "I");
    assert_eq!(mrz.fields.document_number, "D23145890");
    assert_eq!(mrz.fields.name.secondary, "ANNA MARIA");
}
