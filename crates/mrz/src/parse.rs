//! Layouts of the five formats and the field-by-field parser.

use crate::check::check_digit_lossy;
use crate::countries::is_known_country;
use crate::normalise::normalise;
use crate::ocr;
use crate::{
    CharClass, Date, DateProblem, Field, Fields, FillerConvention, Format, Mrz, MrzDate, MrzError,
    Name, Normalisation, ParseOptions, Sex, Warning,
};

/// A run of characters on one line (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: usize,
    pub start: usize,
    pub len: usize,
}

const fn sp(line: usize, start: usize, len: usize) -> Span {
    Span { line, start, len }
}

/// Where each field sits in a format (ICAO 9303-4 §4.2.2, 9303-5 §4.2.2, 9303-6 §4.2.2,
/// 9303-7 §4.2.2 / §5.2.2).
#[derive(Debug)]
pub(crate) struct Layout {
    pub code: Span,
    pub issuing: Span,
    pub name: Span,
    pub number: Span,
    pub number_cd: Span,
    pub nationality: Span,
    pub dob: Span,
    pub dob_cd: Span,
    pub sex: Span,
    pub doe: Span,
    pub doe_cd: Span,
    pub optional: Span,
    pub optional_cd: Option<Span>,
    pub optional2: Option<Span>,
    pub composite: Option<(Span, &'static [Span])>,
    /// The document number may continue in `optional` (TD1, TD2: ICAO 9303-5/-6 note j).
    pub long_number: bool,
}

static TD3: Layout = Layout {
    code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    name: sp(0, 5, 39),
    number: sp(1, 0, 9),
    number_cd: sp(1, 9, 1),
    nationality: sp(1, 10, 3),
    dob: sp(1, 13, 6),
    dob_cd: sp(1, 19, 1),
    sex: sp(1, 20, 1),
    doe: sp(1, 21, 6),
    doe_cd: sp(1, 27, 1),
    optional: sp(1, 28, 14),
    optional_cd: Some(sp(1, 42, 1)),
    optional2: None,
    composite: Some((sp(1, 43, 1), &[sp(1, 0, 10), sp(1, 13, 7), sp(1, 21, 22)])),
    long_number: false,
};

static MRVA: Layout = Layout {
    optional: sp(1, 28, 16),
    optional_cd: None,
    composite: None,
    ..TD3
};

static TD2: Layout = Layout {
    code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    name: sp(0, 5, 31),
    number: sp(1, 0, 9),
    number_cd: sp(1, 9, 1),
    nationality: sp(1, 10, 3),
    dob: sp(1, 13, 6),
    dob_cd: sp(1, 19, 1),
    sex: sp(1, 20, 1),
    doe: sp(1, 21, 6),
    doe_cd: sp(1, 27, 1),
    optional: sp(1, 28, 7),
    optional_cd: None,
    optional2: None,
    composite: Some((sp(1, 35, 1), &[sp(1, 0, 10), sp(1, 13, 7), sp(1, 21, 14)])),
    long_number: true,
};

static MRVB: Layout = Layout {
    optional: sp(1, 28, 8),
    composite: None,
    long_number: false,
    ..TD2
};

static TD1: Layout = Layout {
    code: sp(0, 0, 2),
    issuing: sp(0, 2, 3),
    number: sp(0, 5, 9),
    number_cd: sp(0, 14, 1),
    optional: sp(0, 15, 15),
    dob: sp(1, 0, 6),
    dob_cd: sp(1, 6, 1),
    sex: sp(1, 7, 1),
    doe: sp(1, 8, 6),
    doe_cd: sp(1, 14, 1),
    nationality: sp(1, 15, 3),
    optional2: Some(sp(1, 18, 11)),
    composite: Some((
        sp(1, 29, 1),
        &[sp(0, 5, 25), sp(1, 0, 7), sp(1, 8, 7), sp(1, 18, 11)],
    )),
    name: sp(2, 0, 30),
    optional_cd: None,
    long_number: true,
};

pub(crate) fn layout(format: Format) -> &'static Layout {
    match format {
        Format::Td1 => &TD1,
        Format::Td2 => &TD2,
        Format::Td3 => &TD3,
        Format::MrvA => &MRVA,
        Format::MrvB => &MRVB,
    }
}

/// Parses MRZ text: lines separated by LF or CR LF (normalised and reported).
pub(crate) fn parse_text(text: &str, opts: &ParseOptions) -> Result<Mrz, MrzError> {
    let (mut lines, mut notes) = normalise(text)?;
    if lines.len() == 1
        && let Some(format) = concatenated_format(lines[0].len())
    {
        let one = lines.remove(0);
        notes.push(Normalisation::SplitSingleLine { length: one.len() });
        lines = split(&one, format);
    }
    let format = detect(&lines)?;
    parse_lines(format, lines, notes, opts)
}

/// Parses DG1's MRZ (tag 5F1F content): the lines concatenated without breaks.
pub(crate) fn parse_concat(text: &str, opts: &ParseOptions) -> Result<Mrz, MrzError> {
    let chars: Vec<char> = text.chars().collect();
    let Some(format) = concatenated_format(chars.len()) else {
        return Err(MrzError::ConcatenatedLength { found: chars.len() });
    };
    let lines = split(&chars, format);
    let format = detect(&lines)?;
    parse_lines(format, lines, Vec::new(), opts)
}

fn concatenated_format(len: usize) -> Option<Format> {
    match len {
        90 => Some(Format::Td1),
        72 => Some(Format::Td2),
        88 => Some(Format::Td3),
        _ => None,
    }
}

fn split(chars: &[char], format: Format) -> Vec<Vec<char>> {
    chars
        .chunks(format.line_length())
        .map(<[char]>::to_vec)
        .collect()
}

/// Detects the format from the number and length of the lines and the document code (`V` for
/// visas).
fn detect(lines: &[Vec<char>]) -> Result<Format, MrzError> {
    let lengths: Vec<usize> = lines.iter().map(Vec::len).collect();
    let first = lengths.first().copied().unwrap_or(0);
    let visa = lines.first().and_then(|l| l.first()) == Some(&'V');
    let format = match (lines.len(), first) {
        (3, 30) => Format::Td1,
        (2, 36) if visa => Format::MrvB,
        (2, 36) => Format::Td2,
        (2, 44) if visa => Format::MrvA,
        (2, 44) => Format::Td3,
        _ => {
            return Err(MrzError::UnknownFormat {
                lines: lines.len(),
                lengths,
            });
        }
    };
    for (i, &len) in lengths.iter().enumerate() {
        if len != format.line_length() {
            return Err(MrzError::LineLength {
                format,
                line: i + 1,
                expected: format.line_length(),
                found: len,
            });
        }
    }
    Ok(format)
}

pub(crate) struct Ctx<'a> {
    pub lines: &'a [Vec<char>],
}

impl Ctx<'_> {
    pub fn get(&self, s: Span) -> &[char] {
        self.lines
            .get(s.line)
            .and_then(|l| l.get(s.start..s.start + s.len))
            .unwrap_or(&[])
    }
    pub fn string(&self, s: Span) -> String {
        self.get(s).iter().collect()
    }
    pub fn char_at(&self, s: Span) -> char {
        self.get(s).first().copied().unwrap_or('\0')
    }
}

fn trim_filler(s: &str) -> String {
    s.trim_end_matches('<').to_owned()
}

fn check_class(ctx: &Ctx, field: Field, span: Span, class: CharClass, errors: &mut Vec<MrzError>) {
    for (i, &c) in ctx.get(span).iter().enumerate() {
        let ok = match class {
            CharClass::Alpha => c.is_ascii_uppercase() || c == '<',
            CharClass::Digit => c.is_ascii_digit(),
            CharClass::DigitOrFiller => c.is_ascii_digit() || c == '<',
            CharClass::AlphaNumeric => c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<',
        };
        if !ok {
            errors.push(MrzError::InvalidCharacter {
                field,
                line: span.line + 1,
                column: span.start + i + 1,
                found: c,
                expected: class,
            });
        }
    }
}

fn check(ctx: &Ctx, field: Field, data: &[Span], cd: Span, errors: &mut Vec<MrzError>) -> bool {
    let expected = check_digit_lossy(data.iter().flat_map(|s| ctx.get(*s).iter().copied()));
    let found = ctx.char_at(cd);
    if expected == found {
        return true;
    }
    errors.push(MrzError::CheckDigit {
        field,
        line: cd.line + 1,
        column: cd.start + 1,
        expected,
        found,
    });
    false
}

/// The continuation of a long TD1/TD2 document number inside `optional`: `Some((extension,
/// check digit, index of the check digit in optional))` when the regular check-digit position
/// holds `<` and the optional data starts with a character.
pub(crate) fn long_number_parts(ctx: &Ctx, l: &Layout) -> Option<(Vec<char>, char, usize)> {
    if !l.long_number || ctx.char_at(l.number_cd) != '<' {
        return None;
    }
    let opt = ctx.get(l.optional);
    let run = opt.iter().take_while(|&&c| c != '<').count();
    if run == 0 {
        return None;
    }
    let ext = opt[..run - 1].to_vec();
    Some((ext, opt[run - 1], run - 1))
}

/// The check digits of a long document number under both conventions.
pub(crate) fn long_number_digits(number: &[char], ext: &[char]) -> (char, char) {
    let excluded = check_digit_lossy(number.iter().chain(ext.iter()).copied());
    let included = check_digit_lossy(
        number
            .iter()
            .copied()
            .chain(std::iter::once('<'))
            .chain(ext.iter().copied()),
    );
    (excluded, included)
}

fn parse_lines(
    format: Format,
    mut lines: Vec<Vec<char>>,
    normalisations: Vec<Normalisation>,
    opts: &ParseOptions,
) -> Result<Mrz, MrzError> {
    let l = layout(format);
    let mut warnings = Vec::new();
    let repairs = if opts.repair_ocr {
        ocr::repair(&mut lines, l, &mut warnings)
    } else {
        Vec::new()
    };
    let ctx = Ctx { lines: &lines };
    let today = opts.today.unwrap_or_else(Date::today);
    let mut errors = Vec::new();

    // Characters of the text fields.
    check_class(
        &ctx,
        Field::DocumentCode,
        l.code,
        CharClass::Alpha,
        &mut errors,
    );
    check_class(
        &ctx,
        Field::IssuingState,
        l.issuing,
        CharClass::Alpha,
        &mut errors,
    );
    check_class(&ctx, Field::Name, l.name, CharClass::Alpha, &mut errors);
    check_class(
        &ctx,
        Field::DocumentNumber,
        l.number,
        CharClass::AlphaNumeric,
        &mut errors,
    );
    check_class(
        &ctx,
        Field::Nationality,
        l.nationality,
        CharClass::Alpha,
        &mut errors,
    );
    check_class(
        &ctx,
        Field::OptionalData,
        l.optional,
        CharClass::AlphaNumeric,
        &mut errors,
    );
    if let Some(o2) = l.optional2 {
        check_class(
            &ctx,
            Field::OptionalData2,
            o2,
            CharClass::AlphaNumeric,
            &mut errors,
        );
    }

    // Document number and its check digit, possibly continued in the optional data.
    let number_chars = ctx.get(l.number).to_vec();
    let mut document_number = trim_filler(&ctx.string(l.number));
    let mut optional_data = trim_filler(&ctx.string(l.optional));
    if let Some((ext, found, cd_index)) = long_number_parts(&ctx, l) {
        let (excluded, included) = long_number_digits(&number_chars, &ext);
        let convention = match (found == excluded, found == included) {
            (true, true) => Some(FillerConvention::Either),
            (true, false) => Some(FillerConvention::FillerExcluded),
            (false, true) => Some(FillerConvention::FillerIncluded),
            (false, false) => None,
        };
        match convention {
            Some(c) => warnings.push(Warning::LongDocumentNumber(c)),
            None => errors.push(MrzError::CheckDigit {
                field: Field::DocumentNumber,
                line: l.optional.line + 1,
                column: l.optional.start + cd_index + 1,
                expected: excluded,
                found,
            }),
        }
        document_number = number_chars.iter().chain(ext.iter()).collect();
        // The continuation, its check digit and the filler after it are not optional data.
        let rest: String = ctx.get(l.optional).iter().skip(cd_index + 2).collect();
        optional_data = trim_filler(&rest);
    } else {
        check(
            &ctx,
            Field::DocumentNumber,
            &[l.number],
            l.number_cd,
            &mut errors,
        );
    }

    // Dates.
    let dob = parse_date(&ctx, Field::DateOfBirth, l.dob, today, &mut errors);
    check(&ctx, Field::DateOfBirth, &[l.dob], l.dob_cd, &mut errors);
    let sex_char = ctx.char_at(l.sex);
    let sex = Sex::from_char(sex_char);
    if sex.is_none() {
        errors.push(MrzError::InvalidSex {
            line: l.sex.line + 1,
            column: l.sex.start + 1,
            found: sex_char,
        });
    }
    let doe = parse_date(&ctx, Field::DateOfExpiry, l.doe, today, &mut errors);
    check(&ctx, Field::DateOfExpiry, &[l.doe], l.doe_cd, &mut errors);

    // TD3 optional data (personal number): an unused field may have 0 or < as check digit.
    if let Some(cd) = l.optional_cd {
        let unused = ctx.get(l.optional).iter().all(|&c| c == '<');
        let found = ctx.char_at(cd);
        if !(unused && (found == '<' || found == '0')) {
            check(&ctx, Field::OptionalData, &[l.optional], cd, &mut errors);
        }
    }
    if let Some((cd, spans)) = l.composite {
        check(&ctx, Field::Composite, spans, cd, &mut errors);
    }

    // Typed fields.
    let name_raw = ctx.string(l.name);
    let name = parse_name(&name_raw);
    if name.truncated {
        warnings.push(Warning::NameMayBeTruncated);
    }
    let issuing_state = trim_filler(&ctx.string(l.issuing));
    let nationality = trim_filler(&ctx.string(l.nationality));
    for (field, code) in [
        (Field::IssuingState, &issuing_state),
        (Field::Nationality, &nationality),
    ] {
        if !is_known_country(code) {
            warnings.push(Warning::UnknownCountry {
                field,
                code: code.clone(),
            });
        }
    }
    let fields = Fields {
        document_code: trim_filler(&ctx.string(l.code)),
        issuing_state,
        name,
        document_number,
        nationality,
        date_of_birth: dob.unwrap_or(UNKNOWN_DATE),
        sex: sex.unwrap_or(Sex::NotGiven),
        date_of_expiry: doe.unwrap_or(UNKNOWN_DATE),
        optional_data,
        optional_data_2: l
            .optional2
            .map(|s| trim_filler(&ctx.string(s)))
            .unwrap_or_default(),
    };

    errors.sort_by_key(position);
    if !opts.lenient {
        if let Some(first) = errors.into_iter().next() {
            return Err(first);
        }
        errors = Vec::new();
    }
    Ok(Mrz {
        format,
        lines: lines.iter().map(|l| l.iter().collect()).collect(),
        fields,
        errors,
        warnings,
        normalisations,
        repairs,
    })
}

const UNKNOWN_DATE: MrzDate = MrzDate {
    year: None,
    month: None,
    day: None,
};

fn position(e: &MrzError) -> (usize, usize) {
    match e {
        MrzError::InvalidCharacter { line, column, .. }
        | MrzError::CheckDigit { line, column, .. }
        | MrzError::InvalidDate { line, column, .. }
        | MrzError::InvalidSex { line, column, .. } => (*line, *column),
        _ => (0, 0),
    }
}

/// ICAO 9303-3 §4.6: primary identifier, `<<`, secondary identifier; `<` between name
/// components.
pub(crate) fn parse_name(raw: &str) -> Name {
    let truncated = !raw.ends_with('<');
    let body = raw.trim_end_matches('<');
    let (primary, secondary) = body.split_once("<<").unwrap_or((body, ""));
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    Name {
        primary: words(primary),
        secondary: words(secondary),
        truncated,
    }
}

fn days_in_month(year: Option<u16>, month: Option<u8>) -> u8 {
    match month {
        Some(4 | 6 | 9 | 11) => 30,
        Some(2) => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 31,
    }
}

/// Parses `YYMMDD` (with `<<` for unknown parts) and resolves the century: a date of birth is
/// never after `today`; a date of expiry lies in [today − 50 years, today + 50 years).
fn parse_date(
    ctx: &Ctx,
    field: Field,
    span: Span,
    today: Date,
    errors: &mut Vec<MrzError>,
) -> Option<MrzDate> {
    let chars = ctx.get(span);
    let value: String = chars.iter().collect();
    let err = |problem| MrzError::InvalidDate {
        field,
        line: span.line + 1,
        column: span.start + 1,
        value: value.clone(),
        problem,
    };
    let mut parts = [None; 3];
    for (i, pair) in chars.chunks(2).enumerate() {
        let (a, b) = match pair {
            [a, b] => (*a, *b),
            _ => return None,
        };
        for c in [a, b] {
            if !(c.is_ascii_digit() || c == '<') {
                errors.push(err(DateProblem::Character(c)));
                return None;
            }
        }
        parts[i] = match (a.to_digit(10), b.to_digit(10)) {
            (Some(x), Some(y)) => Some((x * 10 + y) as u8),
            (None, None) => None,
            _ => {
                errors.push(err(DateProblem::MixedUnknown));
                return None;
            }
        };
    }
    let [yy, month, day] = parts;
    if let Some(m) = month
        && !(1..=12).contains(&m)
    {
        errors.push(err(DateProblem::Month(m)));
        return None;
    }
    let year = yy.map(|yy| {
        let yy = u16::from(yy);
        let century = today.year - today.year % 100;
        match field {
            Field::DateOfBirth => {
                let y = century + yy;
                let probe = Date {
                    year: y,
                    month: month.unwrap_or(1),
                    day: day.unwrap_or(1),
                };
                if probe > today {
                    y.saturating_sub(100)
                } else {
                    y
                }
            }
            _ => {
                let low = today.year.saturating_sub(50);
                let mut y = century.saturating_sub(100) + yy;
                while y < low {
                    y += 100;
                }
                y
            }
        }
    });
    if let Some(d) = day
        && (d == 0 || d > days_in_month(year, month))
    {
        errors.push(err(DateProblem::Day(d)));
        return None;
    }
    Some(MrzDate { year, month, day })
}
