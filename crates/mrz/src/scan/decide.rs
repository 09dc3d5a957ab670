//! Choosing the reading: per-position character classes from the layouts, then the cheapest
//! combination of alternatives that the check digits (and every other rule of the strict
//! parser) accept, refusing when a second combination is nearly as good.

use super::classify::ALPHABET;
use crate::parse::{Span, layout};
use crate::{Field, Format, Mrz, MrzError, ParseOptions};

pub(crate) const DIGITS: u64 = (1 << 10) - 1;
pub(crate) const LETTERS: u64 = ((1 << 26) - 1) << 10;
pub(crate) const FILLER: u64 = 1 << 36;
pub(crate) const ALL: u64 = DIGITS | LETTERS | FILLER;

fn bit(c: u8) -> u64 {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .map_or(0, |i| 1u64 << i)
}

/// The formats a band of `n` characters per line may hold.
pub(crate) fn formats(n: usize) -> &'static [Format] {
    match n {
        30 => &[Format::Td1],
        36 => &[Format::Td2, Format::MrvB],
        _ => &[Format::Td3, Format::MrvA],
    }
}

/// The characters each position accepts, as alphabet bit masks, for lines of `n` characters
/// (the union over the formats of that length).
pub(crate) fn classes(n: usize) -> Vec<Vec<u64>> {
    let lines = if n == 30 { 3 } else { 2 };
    let mut out = vec![vec![0u64; n]; lines];
    for &format in formats(n) {
        let mut m = vec![vec![ALL; n]; lines];
        let l = layout(format);
        let mut set = |s: Span, mask: u64| {
            for c in s.start..s.start + s.len {
                if let Some(slot) = m.get_mut(s.line).and_then(|r| r.get_mut(c)) {
                    *slot = mask;
                }
            }
        };
        set(Span { len: 1, ..l.code }, LETTERS);
        set(
            Span {
                start: l.code.start + 1,
                len: 1,
                ..l.code
            },
            LETTERS | FILLER,
        );
        set(l.issuing, LETTERS | FILLER);
        set(l.nationality, LETTERS | FILLER);
        set(l.name, LETTERS | FILLER);
        set(l.dob, DIGITS | FILLER);
        set(l.doe, DIGITS | FILLER);
        set(l.number_cd, DIGITS | FILLER);
        set(l.dob_cd, DIGITS | FILLER);
        set(l.doe_cd, DIGITS | FILLER);
        if let Some(s) = l.optional_cd {
            set(s, DIGITS | FILLER);
        }
        if let Some((s, _)) = l.composite {
            set(s, DIGITS);
        }
        set(l.sex, bit(b'M') | bit(b'F') | bit(b'X') | FILLER);
        for (o, mm) in out.iter_mut().zip(m) {
            for (a, b) in o.iter_mut().zip(mm) {
                *a |= b;
            }
        }
    }
    out
}

/// The check digits of a format: (field, line, column), 0-based.
pub(crate) fn check_positions(format: Format) -> Vec<(Field, usize, usize)> {
    let l = layout(format);
    let mut v = vec![
        (Field::DocumentNumber, l.number_cd.line, l.number_cd.start),
        (Field::DateOfBirth, l.dob_cd.line, l.dob_cd.start),
        (Field::DateOfExpiry, l.doe_cd.line, l.doe_cd.start),
    ];
    if let Some(s) = l.optional_cd {
        v.push((Field::OptionalData, s.line, s.start));
    }
    if let Some((s, _)) = l.composite {
        v.push((Field::Composite, s.line, s.start));
    }
    v
}

/// Alternatives of one position, best first: (character, probability, cost of choosing it over
/// the first, in nats; 0 for the first).
pub(crate) type Cands = Vec<(u8, f32, f32)>;

/// A reading the check digits accept.
pub(crate) struct Decision {
    pub lines: Vec<String>,
    pub mrz: Mrz,
    /// (line, column, from, to), 0-based.
    pub changes: Vec<(usize, usize, char, char)>,
}

/// Why no reading was accepted.
#[derive(Debug)]
pub(crate) enum Undecided {
    /// Nothing within the search validates; the strict parser's complaint about the best reading.
    NotValid(MrzError),
    /// Two readings validate with nearly equal scores; the first position where they differ.
    Ambiguous {
        line: usize,
        column: usize,
        first: char,
        second: char,
    },
}

/// Alternatives cheaper than this (nats) are considered.
const MAX_COST: f32 = 12.0;
/// A second valid reading within this much (nats) of the best makes the read ambiguous.
const TAU: f32 = 2.0;
const MAX_SWAPS: usize = 48;
const MAX_PAIR_SWAPS: usize = 32;

fn parse_strict(lines: &[Vec<u8>]) -> Result<Mrz, MrzError> {
    let text: Vec<String> = lines
        .iter()
        .map(|l| l.iter().map(|&c| char::from(c)).collect())
        .collect();
    crate::parse_with(&text.join("\n"), &ParseOptions::strict())
}

/// The first valid reading: (cost, lines, parsed, swaps applied).
type Found = (f32, Vec<Vec<u8>>, Mrz, Vec<usize>);

pub(crate) fn decide(cands: &[Vec<Cands>]) -> Result<Decision, Undecided> {
    let tau = TAU;
    let base: Vec<Vec<u8>> = cands
        .iter()
        .map(|l| l.iter().map(|c| c.first().map_or(b'<', |x| x.0)).collect())
        .collect();
    // (line, col, char, cost)
    let mut swaps: Vec<(usize, usize, u8, f32)> = Vec::new();
    for (li, l) in cands.iter().enumerate() {
        for (ci, c) in l.iter().enumerate() {
            for alt in c.iter().skip(1) {
                let cost = alt.2;
                if cost <= MAX_COST {
                    swaps.push((li, ci, alt.0, cost));
                }
            }
        }
    }
    swaps.sort_by(|a, b| a.3.total_cmp(&b.3));
    swaps.truncate(MAX_SWAPS);
    let mut combos: Vec<(f32, Vec<usize>)> = vec![(0.0, Vec::new())];
    for i in 0..swaps.len() {
        combos.push((swaps[i].3, vec![i]));
        if i < MAX_PAIR_SWAPS {
            for j in i + 1..swaps.len().min(MAX_PAIR_SWAPS) {
                if (swaps[i].0, swaps[i].1) == (swaps[j].0, swaps[j].1) {
                    continue;
                }
                combos.push((swaps[i].3 + swaps[j].3, vec![i, j]));
            }
        }
    }
    combos.sort_by(|a, b| a.0.total_cmp(&b.0));
    let apply = |combo: &[usize]| {
        let mut l = base.clone();
        for &s in combo {
            let (li, ci, ch, _) = swaps[s];
            l[li][ci] = ch;
        }
        l
    };
    let mut first_error = None;
    let mut found: Option<Found> = None;
    for (cost, combo) in &combos {
        if let Some(f) = &found
            && *cost >= f.0 + tau
        {
            break;
        }
        let lines = apply(combo);
        match parse_strict(&lines) {
            Ok(mrz) => {
                if let Some(f) = &found {
                    // A second valid reading nearly as good: say where they differ.
                    for (li, (a, b)) in f.1.iter().zip(&lines).enumerate() {
                        if let Some(ci) = (0..a.len()).find(|&ci| a.get(ci) != b.get(ci)) {
                            return Err(Undecided::Ambiguous {
                                line: li,
                                column: ci,
                                first: char::from(a[ci]),
                                second: char::from(b.get(ci).copied().unwrap_or(b'<')),
                            });
                        }
                    }
                } else {
                    found = Some((*cost, lines, mrz, combo.clone()));
                }
            }
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    let Some((_, lines, mrz, combo)) = found else {
        return Err(Undecided::NotValid(first_error.unwrap_or(MrzError::Empty)));
    };
    let mut changes: Vec<(usize, usize, char, char)> = combo
        .iter()
        .map(|&s| {
            let (li, ci, ch, _) = swaps[s];
            (li, ci, char::from(base[li][ci]), char::from(ch))
        })
        .collect();
    changes.sort_by_key(|c| (c.0, c.1));
    Ok(Decision {
        lines: lines
            .iter()
            .map(|l| l.iter().map(|&c| char::from(c)).collect())
            .collect(),
        mrz,
        changes,
    })
}
