//! ICAO Doc 9303 specimens (Parts 4–7, Part 11 Appendix D.2) and Part 3 Appendix A check-digit
//! examples.

#![allow(clippy::unwrap_used)] // test helpers unwrap too

use epassport_mrz::*;

fn today() -> ParseOptions {
    ParseOptions::strict().with_today(Date {
        year: 2026,
        month: 11,
        day: 21,
    })
}

trait Lenient {
    fn clone_lenient(&self) -> ParseOptions;
}

impl Lenient for ParseOptions {
    fn clone_lenient(&self) -> ParseOptions {
        let mut o = self.clone();
        o.lenient = true;
        o
    }
}

fn p(text: &str) -> Mrz {
    parse_with(text, &today()).unwrap()
}

fn date(y: u16, m: u8, d: u8) -> MrzDate {
    MrzDate {
        year: Some(y),
        month: Some(m),
        day: Some(d),
    }
}

/// ICAO 9303-3 Appendix A, Examples 1 and 2.
#[test]
fn part3_examples_1_and_2() {
    assert_eq!(check_digit("520727").unwrap(), '3');
    assert_eq!(check_digit("AB2134<<<").unwrap(), '5');
}

/// ICAO 9303-3 Appendix A, Example 3: TD3 composite.
#[test]
fn part3_example_3_td3_composite() {
    let lower = "HA672242<6YTO5802254M9601086<<<<<<<<<<<<<<0";
    let composite = format!("{}{}{}", &lower[0..10], &lower[13..20], &lower[21..43]);
    assert_eq!(check_digit(&composite).unwrap(), '8');
}

/// ICAO 9303-3 Appendix A, Example 4: TD1 composite.
#[test]
fn part3_example_4_td1_composite() {
    let upper = "I<YTOD231458907<<<<<<<<<<<<<<<";
    let middle = "3407127M9507122YTO<<<<<<<<<<<";
    let composite = format!(
        "{}{}{}{}",
        &upper[5..30],
        &middle[0..7],
        &middle[8..15],
        &middle[18..29]
    );
    assert_eq!(check_digit(&composite).unwrap(), '2');
}

/// ICAO 9303-3 Appendix A, Example 5: TD2 composite.
#[test]
fn part3_example_5_td2_composite() {
    let lower = "HA672242<6YTO5802254M9601086<<<<<<<";
    let composite = format!("{}{}{}", &lower[0..10], &lower[13..20], &lower[21..35]);
    assert_eq!(check_digit(&composite).unwrap(), '8');
}

/// ICAO 9303-4 Appendix A: TD3 (passport) specimen.
#[test]
fn part4_td3_specimen() {
    let mrz = p(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
    );
    assert_eq!(mrz.format, Format::Td3);
    let f = &mrz.fields;
    assert_eq!(f.document_code, "P");
    assert_eq!(f.issuing_state, "UTO");
    assert_eq!(
        f.name,
        Name {
            primary: "ERIKSSON".into(),
            secondary: "ANNA MARIA".into(),
            truncated: false
        }
    );
    assert_eq!(f.document_number, "L898902C3");
    assert_eq!(f.nationality, "UTO");
    assert_eq!(f.date_of_birth, date(1974, 8, 12));
    assert_eq!(f.sex, Sex::Female);
    assert_eq!(f.date_of_expiry, date(2012, 4, 15));
    assert_eq!(f.optional_data, "ZE184226B");
    assert_eq!(f.optional_data_2, "");
    assert!(mrz.warnings.is_empty(), "{:?}", mrz.warnings);
    assert!(mrz.normalisations.is_empty());
    assert_eq!(
        mrz.access_key().unwrap().information(),
        b"L898902C3674081221204159"
    );
}

/// ICAO 9303-5 Appendix A: TD1 (ID card) specimen.
#[test]
fn part5_td1_specimen() {
    let mrz = p(
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    );
    assert_eq!(mrz.format, Format::Td1);
    let f = &mrz.fields;
    assert_eq!(f.document_code, "I");
    assert_eq!(f.document_number, "D23145890");
    assert_eq!(f.date_of_birth, date(1974, 8, 12));
    assert_eq!(f.date_of_expiry, date(2012, 4, 15));
    assert_eq!(f.name.primary, "ERIKSSON");
    assert_eq!(f.name.secondary, "ANNA MARIA");
    assert_eq!(f.optional_data, "");
    assert_eq!(f.optional_data_2, "");
    assert!(mrz.warnings.is_empty());
}

/// ICAO 9303-6 Appendix A: TD2 specimen.
#[test]
fn part6_td2_specimen() {
    let mrz = p("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6");
    assert_eq!(mrz.format, Format::Td2);
    assert_eq!(mrz.fields.document_number, "D23145890");
    assert_eq!(mrz.fields.name.secondary, "ANNA MARIA");
    assert_eq!(mrz.fields.date_of_expiry, date(2012, 4, 15));
}

/// ICAO 9303-7 Appendix A: MRV-A specimen.
#[test]
fn part7_mrva_specimen() {
    let mrz = p(
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    );
    assert_eq!(mrz.format, Format::MrvA);
    let f = &mrz.fields;
    assert_eq!(f.document_code, "V");
    assert_eq!(f.document_number, "L8988901C");
    assert_eq!(f.nationality, "XXX");
    assert_eq!(f.date_of_birth, date(1940, 9, 7));
    assert_eq!(f.date_of_expiry, date(1996, 12, 10));
    assert_eq!(f.optional_data, "6ZE184226B");
    assert_eq!(
        mrz.access_key().unwrap().information(),
        b"L8988901C440090789612109"
    );
}

/// ICAO 9303-7 Appendix A: MRV-B specimen.
#[test]
fn part7_mrvb_specimen() {
    let mrz = p("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<");
    assert_eq!(mrz.format, Format::MrvB);
    assert_eq!(mrz.fields.document_number, "L8988901C");
    assert_eq!(mrz.fields.optional_data, "");
}

/// ICAO 9303-11 Appendix D.2: the TD1 of the BAC worked example. As published its composite
/// check digit is 1; the data gives 2 (a known erratum). Strict parsing says exactly that; a
/// lenient parse still yields the access key.
#[test]
fn part11_d2_td1_published_composite_erratum() {
    let text = "I<UTOL898902C<3<<<<<<<<<<<<<<<\n6908061F9406236UTO<<<<<<<<<<<1\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
    assert_eq!(
        parse_with(text, &today()),
        Err(MrzError::CheckDigit {
            field: Field::Composite,
            line: 2,
            column: 30,
            expected: '2',
            found: '1'
        })
    );
    let mrz = parse_with(text, &today().clone_lenient()).unwrap();
    assert!(!mrz.is_valid());
    assert_eq!(mrz.errors.len(), 1);
    assert_eq!(mrz.fields.document_number, "L898902C");
    assert_eq!(
        mrz.access_key().unwrap().information(),
        b"L898902C<369080619406236"
    );
    let fixed = p(&text.replace("<<1\n", "<<2\n"));
    assert!(fixed.is_valid());
}

/// ICAO 9303-11 Appendix D.2: TD1 with a 12-character document number continued in the optional
/// data. For this number the check digit is 9 with or without the '<' filler, so the convention
/// cannot be told.
#[test]
fn part11_d2_td1_long_document_number() {
    let mrz = p(
        "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<",
    );
    assert_eq!(mrz.fields.document_number, "D23145890734");
    assert_eq!(mrz.fields.optional_data, "");
    assert_eq!(mrz.fields.date_of_birth, date(1934, 7, 12));
    assert_eq!(mrz.fields.sex, Sex::Male);
    assert!(
        mrz.warnings
            .contains(&Warning::LongDocumentNumber(FillerConvention::Either))
    );
    assert_eq!(
        mrz.access_key().unwrap().information(),
        b"D23145890734934071279507122"
    );
}

/// ICAO 9303-11 Appendix D.2: the same document as TD2.
#[test]
fn part11_d2_td2_long_document_number() {
    let mrz = p("I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<\nD23145890<UTO3407127M95071227349<<<8");
    assert_eq!(mrz.format, Format::Td2);
    assert_eq!(mrz.fields.document_number, "D23145890734");
    assert_eq!(
        mrz.access_key().unwrap().information(),
        b"D23145890734934071279507122"
    );
}

fn td1_long(number_with_cd_input: &str, ext: &str) -> Mrz {
    let cd = check_digit(number_with_cd_input).unwrap();
    let upper = format!("I<UTOD23145890<{ext}{cd}<<<<<<<<<<<");
    let mut middle = "3407127M9507122UTO<<<<<<<<<<<".to_owned();
    let composite = format!(
        "{}{}{}{}",
        &upper[5..30],
        &middle[0..7],
        &middle[8..15],
        &middle[18..29]
    );
    middle.push(check_digit(&composite).unwrap());
    p(&format!(
        "{upper}\n{middle}\nSTEVENSON<<PETER<JOHN<<<<<<<<<"
    ))
}

/// Both issuer conventions for a long number's check digit, reported.
#[test]
fn long_document_number_conventions() {
    assert_ne!(
        check_digit("D23145890<125").unwrap(),
        check_digit("D23145890125").unwrap()
    );
    let mrz = td1_long("D23145890<125", "125");
    assert_eq!(mrz.fields.document_number, "D23145890125");
    assert!(mrz.warnings.contains(&Warning::LongDocumentNumber(
        FillerConvention::FillerIncluded
    )));
    let mrz = td1_long("D23145890125", "125");
    assert!(mrz.warnings.contains(&Warning::LongDocumentNumber(
        FillerConvention::FillerExcluded
    )));
}

/// ICAO 9303-11 Appendix D.2 TD3 form (document number with filler).
#[test]
fn part11_d2_td3() {
    let mrz = p(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C<3UTO6908061F9406236ZE184226B<<<<<14",
    );
    assert_eq!(mrz.fields.document_number, "L898902C");
    assert_eq!(mrz.fields.date_of_birth, date(1969, 8, 6));
    assert_eq!(mrz.fields.date_of_expiry, date(1994, 6, 23));
    assert_eq!(
        mrz.access_key().unwrap().information(),
        b"L898902C<369080619406236"
    );
}

/// The German specimen 'D' code (BSI 2008 DG1 content, also in ../shared/realworld).
#[test]
fn german_single_letter_code() {
    let mrz = p(
        "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nC11T002JM4D<<9608122F1310317<<<<<<<<<<<<<<<6",
    );
    assert_eq!(mrz.fields.issuing_state, "D");
    assert_eq!(mrz.fields.nationality, "D");
    assert_eq!(mrz.fields.document_number, "C11T002JM");
    assert!(mrz.warnings.is_empty(), "{:?}", mrz.warnings);
}

#[test]
fn concatenated_dg1() {
    let td1 = "I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2STEVENSON<<PETER<JOHN<<<<<<<<<";
    let mrz = parse_concatenated_with(td1, &today()).unwrap();
    assert_eq!(mrz.format, Format::Td1);
    assert_eq!(mrz.to_concatenated(), td1);
    let td2 = "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<D23145890<UTO3407127M95071227349<<<8";
    assert_eq!(
        parse_concatenated_with(td2, &today()).unwrap().format,
        Format::Td2
    );
    let mrvb = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<L8988901C4XXX4009078F9612109<<<<<<<<";
    assert_eq!(
        parse_concatenated_with(mrvb, &today()).unwrap().format,
        Format::MrvB
    );
    assert_eq!(
        parse_concatenated("ABC"),
        Err(MrzError::ConcatenatedLength { found: 3 })
    );
}
