//! Property tests: generated fields → `format_mrz` → `parse` gives the same fields back, for every
//! format; and no input, however malformed, makes the parser panic.

use epassport_mrz::*;
use proptest::prelude::*;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 21,
};

fn opts() -> ParseOptions {
    ParseOptions::strict().with_today(TODAY)
}

fn words(max_words: usize, max_len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Z]{1,8}", 0..=max_words).prop_map(move |w| {
        let mut s = w.join(" ");
        s.truncate(max_len);
        s.trim_end().to_owned()
    })
}

/// Optional data: A-Z0-9 with inner fillers, never ending in a filler.
fn optional(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Z0-9<]", 0..=max).prop_map(|v| {
        let s: String = v.concat();
        s.trim_end_matches('<').to_owned()
    })
}

fn birth() -> impl Strategy<Value = MrzDate> {
    (1927u16..=2026, 1u8..=12, 1u8..=28, 0u8..4).prop_map(|(y, m, d, unknown)| {
        let date = MrzDate {
            year: Some(y),
            month: Some(m),
            day: Some(d),
        };
        let date = match unknown {
            1 => MrzDate { day: None, ..date },
            2 => MrzDate {
                month: None,
                day: None,
                ..date
            },
            _ => date,
        };
        // Keep it in the past so the two-digit year resolves back to the same century.
        // (TODAY is 2026-11-21: a later day of November 2026 is in the future too.)
        let future = m > 11 || (m == 11 && date.day.is_some_and(|day| day > 21));
        if y == 2026 && (future || date.month.is_none()) {
            MrzDate {
                year: Some(2025),
                ..date
            }
        } else {
            date
        }
    })
}

fn expiry() -> impl Strategy<Value = MrzDate> {
    (1976u16..2076, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| MrzDate {
        year: Some(y),
        month: Some(m),
        day: Some(d),
    })
}

fn fields(format: Format) -> impl Strategy<Value = Fields> {
    let name_len = match format {
        Format::Td1 => 30,
        Format::Td2 | Format::MrvB => 31,
        _ => 39,
    } - 1;
    let long = matches!(format, Format::Td1 | Format::Td2);
    let number = if long {
        "[A-Z0-9]{1,9}|[A-Z0-9]{10,12}"
    } else {
        "[A-Z0-9]{1,9}"
    };
    let opt_len = match format {
        Format::Td1 => 15,
        Format::Td2 => 7,
        Format::Td3 => 14,
        Format::MrvA => 16,
        Format::MrvB => 8,
    };
    let code = if format.is_visa() {
        "V[A-Z<]"
    } else {
        "[ACIP][A-Z<]"
    };
    (
        code,
        "[A-Z]{3}|D",
        words(3, name_len / 2),
        words(3, name_len / 2 - 2),
        number,
        "[A-Z]{3}|D",
        birth(),
        prop_oneof![
            Just(Sex::Male),
            Just(Sex::Female),
            Just(Sex::Unspecified),
            Just(Sex::NotGiven)
        ],
        expiry(),
        optional(opt_len),
        optional(if format == Format::Td1 { 11 } else { 0 }),
    )
        .prop_filter_map(
            "continuation must fit",
            move |(code, issuing, primary, secondary, number, nat, dob, sex, doe, opt, opt2)| {
                let mut primary = primary;
                if primary.is_empty() {
                    primary = "X".into();
                }
                let mut opt = opt;
                if number.len() > 9 {
                    // Continuation + check digit + '<' + optional data must fit.
                    let room = opt_len.checked_sub(number.len() - 9 + 2)?;
                    opt.truncate(room);
                    opt = opt.trim_end_matches('<').to_owned();
                }
                Some(Fields {
                    document_code: code.trim_end_matches('<').to_owned(),
                    issuing_state: issuing,
                    name: Name {
                        primary,
                        secondary,
                        truncated: false,
                    },
                    document_number: number,
                    nationality: nat,
                    date_of_birth: dob,
                    sex,
                    date_of_expiry: doe,
                    optional_data: opt,
                    optional_data_2: opt2,
                })
            },
        )
}

fn any_format() -> impl Strategy<Value = Format> {
    prop_oneof![
        Just(Format::Td1),
        Just(Format::Td2),
        Just(Format::Td3),
        Just(Format::MrvA),
        Just(Format::MrvB)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn format_then_parse_round_trips((format, f) in any_format().prop_flat_map(|fmt| (Just(fmt), fields(fmt)))) {
        let lines = format_mrz(format, &f).unwrap();
        prop_assert_eq!(lines.len(), format.line_count());
        for l in &lines {
            prop_assert_eq!(l.len(), format.line_length());
        }
        let mrz = parse_with(&lines.join("\n"), &opts()).unwrap();
        prop_assert_eq!(mrz.format, format);
        prop_assert_eq!(&mrz.fields, &f);
        prop_assert_eq!(mrz.to_lines(), lines.clone());
        // DG1 form.
        let dg1 = parse_concatenated_with(&lines.concat(), &opts()).unwrap();
        prop_assert_eq!(&dg1.fields, &f);
        // The access key matches the fields.
        let key = mrz.access_key().unwrap();
        let expected = MrzKey::new(&f.document_number, &f.date_of_birth.yymmdd(), &f.date_of_expiry.yymmdd()).unwrap();
        prop_assert_eq!(key.information(), expected.information());
    }

    #[test]
    fn one_changed_digit_is_caught(
        (format, f) in any_format().prop_flat_map(|fmt| (Just(fmt), fields(fmt))),
        pick in any::<prop::sample::Index>(),
        delta in 1u32..10,
    ) {
        // Changing one digit anywhere a check digit covers never passes strict parsing (a check
        // digit's 7-3-1 weights are prime to 10). Visas' optional data is covered by none.
        let lines = format_mrz(format, &f).unwrap();
        let digits: Vec<(usize, usize)> = lines
            .iter()
            .enumerate()
            .flat_map(|(l, s)| s.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(move |(c, _)| (l, c)))
            .filter(|&(l, c)| !(format.is_visa() && l == 1 && c >= 28))
            .collect();
        let (line, col) = *pick.get(&digits);
        let mut chars: Vec<char> = lines[line].chars().collect();
        let old = chars[col].to_digit(10).unwrap();
        chars[col] = char::from_digit((old + delta) % 10, 10).unwrap();
        let mut changed = lines.clone();
        changed[line] = chars.into_iter().collect();
        prop_assert!(
            parse_with(&changed.join("\n"), &opts()).is_err(),
            "undetected change at line {} column {}: {:?}", line + 1, col + 1, changed
        );
    }

    #[test]
    fn never_panics_on_any_text(s in "\\PC{0,200}") {
        let _ = parse(&s);
        let _ = parse_concatenated(&s);
        let _ = parse_with(&s, &ParseOptions::lenient().with_repair_ocr(true));
    }

    #[test]
    fn never_panics_on_mrz_like_text(lines in prop::collection::vec("[A-Z0-9<a-z \t]{28,46}", 1..4)) {
        let text = lines.join("\n");
        let _ = parse(&text);
        let _ = parse_with(&text, &ParseOptions::lenient().with_repair_ocr(true));
        let _ = parse_concatenated_with(&lines.concat(), &ParseOptions::lenient().with_repair_ocr(true));
    }
}
