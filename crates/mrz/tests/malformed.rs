//! Malformed input of every kind gives a precise error (field, line, column, expected/found).

#![allow(clippy::unwrap_used)] // test helpers unwrap too

use epassport_mrz::*;

const L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
const L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

fn opts() -> ParseOptions {
    ParseOptions::strict().with_today(Date {
        year: 2026,
        month: 11,
        day: 21,
    })
}

fn err(text: &str) -> MrzError {
    parse_with(text, &opts()).unwrap_err()
}

/// Replaces the character at 0-based `col` of `line`.
fn with(line: &str, col: usize, c: char) -> String {
    let mut v: Vec<char> = line.chars().collect();
    v[col] = c;
    v.into_iter().collect()
}

/// Recomputes the TD3 check digits of a lower line so that only the intended fault remains.
fn fix_td3(l2: &str) -> String {
    let mut v: Vec<char> = l2.chars().collect();
    let cd = |s: &[char]| check_digit(&s.iter().collect::<String>()).unwrap_or('0');
    v[9] = cd(&v[0..9]);
    v[19] = cd(&v[13..19]);
    v[27] = cd(&v[21..27]);
    v[42] = cd(&v[28..42]);
    let comp: Vec<char> = v[0..10]
        .iter()
        .chain(&v[13..20])
        .chain(&v[21..43])
        .copied()
        .collect();
    v[43] = cd(&comp);
    v.into_iter().collect()
}

#[test]
fn empty() {
    assert_eq!(err(""), MrzError::Empty);
    assert_eq!(err("  \r\n\n\t"), MrzError::Empty);
}

#[test]
fn unknown_format() {
    assert_eq!(
        err("ABC"),
        MrzError::UnknownFormat {
            lines: 1,
            lengths: vec![3]
        }
    );
    assert_eq!(
        err(&format!("{L1}\n{L2}\n{L2}\n{L2}")),
        MrzError::UnknownFormat {
            lines: 4,
            lengths: vec![44, 44, 44, 44]
        }
    );
    assert_eq!(
        err(&format!("{L1}\n{L2}\n{L2}")),
        MrzError::UnknownFormat {
            lines: 3,
            lengths: vec![44, 44, 44]
        }
    );
}

#[test]
fn line_length() {
    assert_eq!(
        err(&format!("{L1}\n{}", &L2[..43])),
        MrzError::LineLength {
            format: Format::Td3,
            line: 2,
            expected: 44,
            found: 43
        }
    );
    assert_eq!(
        err(
            "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<<<"
        ),
        MrzError::LineLength {
            format: Format::Td1,
            line: 3,
            expected: 30,
            found: 32
        }
    );
}

#[test]
fn concatenated_length() {
    assert_eq!(
        parse_concatenated(""),
        Err(MrzError::ConcatenatedLength { found: 0 })
    );
    assert_eq!(
        parse_concatenated(&"<".repeat(89)),
        Err(MrzError::ConcatenatedLength { found: 89 })
    );
    // Multi-byte characters are counted as characters, not bytes.
    assert_eq!(
        parse_concatenated(&"é".repeat(45)),
        Err(MrzError::ConcatenatedLength { found: 45 })
    );
}

#[test]
fn invalid_characters() {
    assert_eq!(
        err(&format!("{}\n{L2}", with(L1, 10, '3'))),
        MrzError::InvalidCharacter {
            field: Field::Name,
            line: 1,
            column: 11,
            found: '3',
            expected: CharClass::Alpha
        }
    );
    assert_eq!(
        err(&format!("{}\n{L2}", with(L1, 3, 'É'))),
        MrzError::InvalidCharacter {
            field: Field::IssuingState,
            line: 1,
            column: 4,
            found: 'É',
            expected: CharClass::Alpha
        }
    );
    assert_eq!(
        err(&format!("{L1}\n{}", fix_td3(&with(L2, 4, '-')))),
        MrzError::InvalidCharacter {
            field: Field::DocumentNumber,
            line: 2,
            column: 5,
            found: '-',
            expected: CharClass::AlphaNumeric
        }
    );
    assert_eq!(
        err(&format!("{L1}\n{}", fix_td3(&with(L2, 11, '7')))),
        MrzError::InvalidCharacter {
            field: Field::Nationality,
            line: 2,
            column: 12,
            found: '7',
            expected: CharClass::Alpha
        }
    );
    assert_eq!(
        err(&format!("{L1}\n{}", fix_td3(&with(L2, 30, '#')))),
        MrzError::InvalidCharacter {
            field: Field::OptionalData,
            line: 2,
            column: 31,
            found: '#',
            expected: CharClass::AlphaNumeric
        }
    );
}

#[test]
fn every_check_digit() {
    let cases = [
        (9, Field::DocumentNumber, '6'),
        (19, Field::DateOfBirth, '2'),
        (27, Field::DateOfExpiry, '9'),
        (42, Field::OptionalData, '1'),
        (43, Field::Composite, '0'),
    ];
    for (col, field, expected) in cases {
        let found = if expected == '7' { '8' } else { '7' };
        assert_eq!(
            err(&format!("{L1}\n{}", with(L2, col, found))),
            MrzError::CheckDigit {
                field,
                line: 2,
                column: col + 1,
                expected,
                found
            },
            "{field}"
        );
    }
    // A letter where a check digit belongs.
    assert_eq!(
        err(&format!("{L1}\n{}", with(L2, 19, 'Z'))),
        MrzError::CheckDigit {
            field: Field::DateOfBirth,
            line: 2,
            column: 20,
            expected: '2',
            found: 'Z'
        }
    );
}

#[test]
fn td1_check_digits_name_line_and_column() {
    let l1 = "I<UTOD231458907<<<<<<<<<<<<<<<";
    let l2 = "7408122F1204159UTO<<<<<<<<<<<6";
    let l3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
    assert_eq!(
        err(&format!("{}\n{l2}\n{l3}", with(l1, 14, '8'))),
        MrzError::CheckDigit {
            field: Field::DocumentNumber,
            line: 1,
            column: 15,
            expected: '7',
            found: '8'
        }
    );
    assert_eq!(
        err(&format!("{l1}\n{}\n{l3}", with(l2, 29, '5'))),
        MrzError::CheckDigit {
            field: Field::Composite,
            line: 2,
            column: 30,
            expected: '6',
            found: '5'
        }
    );
}

#[test]
fn td1_long_document_number_bad_check_digit() {
    // ICAO 9303-11 D.2 number with its check digit (9) changed to 4: error at the digit's own
    // position in the optional data, expecting the convention-without-filler digit.
    let text = "I<UTOD23145890<7344<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<";
    assert_eq!(
        err(text),
        MrzError::CheckDigit {
            field: Field::DocumentNumber,
            line: 1,
            column: 19,
            expected: '9',
            found: '4'
        }
    );
}

#[test]
fn td3_unused_personal_number_check_digit() {
    for cd in ['<', '0'] {
        let l2 = fix_td3("L898902C36UTO7408122F1204159<<<<<<<<<<<<<<00");
        let l2 = with(&l2, 42, cd);
        // The composite covers the optional check digit: recompute it for this variant.
        let comp: String = l2[0..10].to_owned() + &l2[13..20] + &l2[21..43];
        let l2 = with(&l2, 43, check_digit(&comp).unwrap());
        let mrz = parse_with(&format!("{L1}\n{l2}"), &opts()).unwrap();
        assert_eq!(mrz.fields.optional_data, "");
    }
}

#[test]
fn invalid_dates() {
    let case = |dob: &str| {
        let l2 = fix_td3(&format!("{}{dob}{}", &L2[..13], &L2[19..]));
        err(&format!("{L1}\n{l2}"))
    };
    let date_err = |value: &str, problem| MrzError::InvalidDate {
        field: Field::DateOfBirth,
        line: 2,
        column: 14,
        value: value.into(),
        problem,
    };
    assert_eq!(case("741312"), date_err("741312", DateProblem::Month(13)));
    assert_eq!(case("740800"), date_err("740800", DateProblem::Day(0)));
    assert_eq!(case("740431"), date_err("740431", DateProblem::Day(31)));
    assert_eq!(case("010229"), date_err("010229", DateProblem::Day(29)));
    assert_eq!(
        case("7<0812"),
        date_err("7<0812", DateProblem::MixedUnknown)
    );
    assert_eq!(
        case("74A812"),
        date_err("74A812", DateProblem::Character('A'))
    );
    // 2000 and 2024 are leap years.
    let ok = fix_td3(&format!("{}000229{}", &L2[..13], &L2[19..]));
    assert!(parse_with(&format!("{L1}\n{ok}"), &opts()).is_ok());
}

#[test]
fn invalid_sex() {
    let l2 = fix_td3(&with(L2, 20, 'Q'));
    assert_eq!(
        err(&format!("{L1}\n{l2}")),
        MrzError::InvalidSex {
            line: 2,
            column: 21,
            found: 'Q'
        }
    );
}

#[test]
fn lenient_reports_every_failure_in_order() {
    let l1 = with(L1, 10, '3');
    let l2 = with(&with(&with(L2, 9, '1'), 20, 'Q'), 17, '9');
    let mrz = parse_with(
        &format!("{l1}\n{l2}"),
        &ParseOptions::lenient().with_today(opts().today.unwrap()),
    )
    .unwrap();
    assert!(!mrz.is_valid());
    assert_eq!(
        mrz.errors,
        vec![
            MrzError::InvalidCharacter {
                field: Field::Name,
                line: 1,
                column: 11,
                found: '3',
                expected: CharClass::Alpha
            },
            MrzError::CheckDigit {
                field: Field::DocumentNumber,
                line: 2,
                column: 10,
                expected: '6',
                found: '1'
            },
            MrzError::InvalidDate {
                field: Field::DateOfBirth,
                line: 2,
                column: 14,
                value: "740892".into(),
                problem: DateProblem::Day(92)
            },
            MrzError::CheckDigit {
                field: Field::DateOfBirth,
                line: 2,
                column: 20,
                expected: '6',
                found: '2'
            },
            MrzError::InvalidSex {
                line: 2,
                column: 21,
                found: 'Q'
            },
            MrzError::CheckDigit {
                field: Field::Composite,
                line: 2,
                column: 44,
                expected: '3',
                found: '0'
            },
        ]
    );
    // The strict parse reports the first of them.
    assert_eq!(err(&format!("{l1}\n{l2}")), mrz.errors[0]);
    // Structural failures stay errors in lenient mode.
    assert_eq!(
        parse_with("x", &ParseOptions::lenient()),
        Err(MrzError::UnknownFormat {
            lines: 1,
            lengths: vec![1]
        })
    );
}

#[test]
fn messages_name_field_line_column() {
    assert_eq!(
        err(&format!("{L1}\n{}", with(L2, 27, '7'))).to_string(),
        "date_of_expiry: check digit at line 2, column 28 is '7', expected '9'"
    );
    assert_eq!(
        err("ABC").to_string(),
        "cannot tell the MRZ format from 1 line(s) of length [3]: expected 3 lines of 30 characters (TD1), 2 of 36 (TD2, MRV-B) or 2 of 44 (TD3, MRV-A)"
    );
}

#[test]
fn check_digit_input() {
    assert_eq!(
        check_digit("AB-1"),
        Err(MrzError::CheckDigitInput {
            index: 2,
            found: '-'
        })
    );
}

#[test]
fn format_rejects_bad_values() {
    let mrz = parse_with(&format!("{L1}\n{L2}"), &opts()).unwrap();
    let mut f = mrz.fields.clone();
    assert_eq!(
        format_mrz(Format::Td3, &f).unwrap(),
        vec![L1.to_owned(), L2.to_owned()]
    );
    f.document_number = "L898902C3X".into();
    assert_eq!(
        format_mrz(Format::Td3, &f),
        Err(MrzError::InvalidValue {
            field: Field::DocumentNumber,
            reason: "10 characters do not fit in 9".into()
        })
    );
    let mut f = mrz.fields.clone();
    f.nationality = "ut0".into();
    assert_eq!(
        format_mrz(Format::Td3, &f),
        Err(MrzError::InvalidValue {
            field: Field::Nationality,
            reason: "'u' is not A-Z or <".into()
        })
    );
    assert!(matches!(
        format_mrz(Format::MrvA, &mrz.fields),
        Err(MrzError::InvalidValue {
            field: Field::DocumentCode,
            ..
        })
    ));
}
