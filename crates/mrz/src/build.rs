//! Formatting typed fields into MRZ lines (the inverse of parsing), computing every check digit.

use crate::check::check_digit_lossy;
use crate::parse::{Ctx, Span, layout};
use crate::{Field, Fields, Format, MrzDate, MrzError};

fn invalid(field: Field, reason: impl Into<String>) -> MrzError {
    MrzError::InvalidValue {
        field,
        reason: reason.into(),
    }
}

fn text(field: Field, value: &str, width: usize, digits: bool) -> Result<Vec<char>, MrzError> {
    let chars: Vec<char> = value.chars().collect();
    if let Some(c) = chars
        .iter()
        .find(|&&c| !(c.is_ascii_uppercase() || c == '<' || (digits && c.is_ascii_digit())))
    {
        return Err(invalid(
            field,
            format!(
                "{c:?} is not {}",
                if digits { "A-Z, 0-9 or <" } else { "A-Z or <" }
            ),
        ));
    }
    if chars.len() > width {
        return Err(invalid(
            field,
            format!("{} characters do not fit in {width}", chars.len()),
        ));
    }
    let mut out = chars;
    out.resize(width, '<');
    Ok(out)
}

fn date(field: Field, d: &MrzDate) -> Result<Vec<char>, MrzError> {
    if d.month.is_some_and(|m| !(1..=12).contains(&m))
        || d.day.is_some_and(|x| !(1..=31).contains(&x))
    {
        return Err(invalid(field, format!("{d} is not a date")));
    }
    Ok(d.yymmdd().chars().collect())
}

/// ICAO 9303-3 §4.6: primary identifier, `<<`, secondary identifier, spaces as `<`, cut to the
/// field's width (a simple cut: ICAO's finer truncation rules are the issuer's business).
fn name(fields: &Fields, width: usize) -> Result<Vec<char>, MrzError> {
    let join = |s: &str| s.split_whitespace().collect::<Vec<_>>().join("<");
    let mut s = join(&fields.name.primary);
    let secondary = join(&fields.name.secondary);
    if !secondary.is_empty() {
        s.push_str("<<");
        s.push_str(&secondary);
    }
    let mut chars: Vec<char> = s.chars().collect();
    if let Some(c) = chars
        .iter()
        .find(|&&c| !(c.is_ascii_uppercase() || c == '<'))
    {
        return Err(invalid(Field::Name, format!("{c:?} is not A-Z")));
    }
    chars.truncate(width);
    chars.resize(width, '<');
    Ok(chars)
}

fn put(lines: &mut [Vec<char>], s: Span, v: &[char]) {
    if let Some(line) = lines.get_mut(s.line) {
        for (i, &c) in v.iter().take(s.len).enumerate() {
            if let Some(slot) = line.get_mut(s.start + i) {
                *slot = c;
            }
        }
    }
}

/// Formats `fields` as the lines of `format`, computing every check digit (the inverse of
/// [`crate::parse`] for fields it can hold).
///
/// A TD1/TD2 document number longer than nine characters is continued in the optional data with
/// its check digit computed without the `<` filler, as in ICAO's specimens. A TD3 personal number
/// left empty gets `<` as its check digit.
///
/// # Errors
/// [`MrzError::InvalidValue`] naming the field that holds a character outside its class or is
/// too long for the format.
pub fn format_mrz(format: Format, fields: &Fields) -> Result<Vec<String>, MrzError> {
    let l = layout(format);
    let mut lines = vec![vec!['<'; format.line_length()]; format.line_count()];
    let code = text(Field::DocumentCode, &fields.document_code, 2, false)?;
    if !code.first().is_some_and(char::is_ascii_uppercase) {
        return Err(invalid(Field::DocumentCode, "must start with a letter"));
    }
    if format.is_visa() != (code.first() == Some(&'V')) {
        return Err(invalid(
            Field::DocumentCode,
            format!(
                "{format} documents {} with V",
                if format.is_visa() {
                    "start"
                } else {
                    "do not start"
                }
            ),
        ));
    }
    put(&mut lines, l.code, &code);
    put(
        &mut lines,
        l.issuing,
        &text(Field::IssuingState, &fields.issuing_state, 3, false)?,
    );
    put(&mut lines, l.name, &name(fields, l.name.len)?);
    put(
        &mut lines,
        l.nationality,
        &text(Field::Nationality, &fields.nationality, 3, false)?,
    );
    put(
        &mut lines,
        l.dob,
        &date(Field::DateOfBirth, &fields.date_of_birth)?,
    );
    put(&mut lines, l.sex, &[fields.sex.as_char()]);
    put(
        &mut lines,
        l.doe,
        &date(Field::DateOfExpiry, &fields.date_of_expiry)?,
    );
    if let Some(o2) = l.optional2 {
        put(
            &mut lines,
            o2,
            &text(Field::OptionalData2, &fields.optional_data_2, o2.len, true)?,
        );
    } else if !fields.optional_data_2.is_empty() {
        return Err(invalid(
            Field::OptionalData2,
            format!("{format} has no second optional data"),
        ));
    }

    let number: Vec<char> = fields.document_number.chars().collect();
    if number.is_empty() {
        return Err(invalid(
            Field::DocumentNumber,
            "the document number is empty",
        ));
    }
    if number.len() > 9 && l.long_number {
        text(
            Field::DocumentNumber,
            &fields.document_number,
            number.len(),
            true,
        )?;
        let (head, ext) = number.split_at(9);
        if ext.contains(&'<') {
            return Err(invalid(
                Field::DocumentNumber,
                "a long document number cannot contain '<'",
            ));
        }
        let cd = check_digit_lossy(number.iter().copied());
        let mut opt: Vec<char> = ext.to_vec();
        opt.push(cd);
        if !fields.optional_data.is_empty() {
            opt.push('<');
            opt.extend(fields.optional_data.chars());
        }
        let opt = text(
            Field::OptionalData,
            &opt.iter().collect::<String>(),
            l.optional.len,
            true,
        )
        .map_err(|_| {
            invalid(
                Field::OptionalData,
                "the document number continuation and optional data do not fit",
            )
        })?;
        put(&mut lines, l.number, head);
        put(&mut lines, l.number_cd, &['<']);
        put(&mut lines, l.optional, &opt);
    } else {
        let n = text(Field::DocumentNumber, &fields.document_number, 9, true)?;
        put(&mut lines, l.number, &n);
        put(
            &mut lines,
            l.number_cd,
            &[check_digit_lossy(n.iter().copied())],
        );
        let opt = text(
            Field::OptionalData,
            &fields.optional_data,
            l.optional.len,
            true,
        )?;
        put(&mut lines, l.optional, &opt);
    }

    let cds: Vec<(Span, char)> = {
        let ctx = Ctx { lines: &lines };
        let digit = |s: Span| check_digit_lossy(ctx.get(s).iter().copied());
        let mut v = vec![(l.dob_cd, digit(l.dob)), (l.doe_cd, digit(l.doe))];
        if let Some(cd) = l.optional_cd {
            let unused = ctx.get(l.optional).iter().all(|&c| c == '<');
            v.push((cd, if unused { '<' } else { digit(l.optional) }));
        }
        v
    };
    for (s, c) in cds {
        put(&mut lines, s, &[c]);
    }
    if let Some((cd, spans)) = l.composite {
        let c = {
            let ctx = Ctx { lines: &lines };
            check_digit_lossy(spans.iter().flat_map(|s| ctx.get(*s).iter().copied()))
        };
        put(&mut lines, cd, &[c]);
    }
    Ok(lines.iter().map(|l| l.iter().collect()).collect())
}
