//! Choosing the reading: per-position character classes from the layouts, then the cheapest
//! combination of alternatives that the check digits (and every other rule of the strict
//! parser) accept, refusing when a second combination is nearly as good.

use super::classify::ALPHABET;
use crate::parse::{Span, layout};
use crate::{Field, Format, Mrz, MrzError, ParseOptions, Warning};

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

fn has_unknown_country(mrz: &Mrz) -> bool {
    mrz.warnings
        .iter()
        .any(|w| matches!(w, Warning::UnknownCountry { .. }))
}

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
    // The first position where two readings differ, as an ambiguity.
    let differ = |a: &[Vec<u8>], b: &[Vec<u8>]| -> Option<Undecided> {
        a.iter().zip(b).enumerate().find_map(|(li, (x, y))| {
            (0..x.len())
                .find(|&ci| x.get(ci) != y.get(ci))
                .map(|ci| Undecided::Ambiguous {
                    line: li,
                    column: ci,
                    first: char::from(x[ci]),
                    second: char::from(y.get(ci).copied().unwrap_or(b'<')),
                })
        })
    };
    let mut first_error = None;
    // Valid readings whose issuing state or nationality is no ICAO 9303-3 code come second: no
    // check digit covers those letters, and a misread one usually makes an unknown code. They
    // are returned (with the parser's warning) only when no reading with known codes validates
    // and no other such reading comes close.
    let mut unknown: Option<Found> = None;
    let mut unknown_rival: Option<Undecided> = None;
    let mut found: Option<Found> = None;
    for (cost, combo) in &combos {
        if let Some(f) = &found
            && *cost >= f.0 + tau
        {
            break;
        }
        let lines = apply(combo);
        match parse_strict(&lines) {
            Ok(mrz) if has_unknown_country(&mrz) => match &unknown {
                None => unknown = Some((*cost, lines, mrz, combo.clone())),
                Some(u) if *cost < u.0 + tau && unknown_rival.is_none() => {
                    unknown_rival = differ(&u.1, &lines);
                }
                Some(_) => {}
            },
            Ok(mrz) => {
                if let Some(f) = &found {
                    // A second valid reading nearly as good: say where they differ.
                    if let Some(a) = differ(&f.1, &lines) {
                        return Err(a);
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
    let chosen = match (found, unknown_rival) {
        (Some(f), _) => Some(f),
        (None, Some(rival)) => return Err(rival),
        (None, None) => unknown,
    };
    let Some((_, lines, mrz, combo)) = chosen else {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)] // test code
    use super::*;

    /// ICAO 9303-4 Appendix A's TD3 specimen.
    const L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    /// Every position read as `lines` with certainty, except the given ones, which get the
    /// alternatives (character, probability, cost), best first.
    fn cands(lines: &[&str], alts: &[((usize, usize), Cands)]) -> Vec<Vec<Cands>> {
        let mut out: Vec<Vec<Cands>> = lines
            .iter()
            .map(|l| l.bytes().map(|c| vec![(c, 1.0, 0.0)]).collect())
            .collect();
        for ((li, ci), a) in alts {
            out[*li][*ci] = a.clone();
        }
        out
    }

    #[test]
    fn a_certain_reading_is_returned_unchanged() {
        let d = decide(&cands(&[L1, L2], &[])).unwrap();
        assert_eq!(d.lines, [L1, L2]);
        assert!(d.changes.is_empty());
    }

    #[test]
    fn check_digits_choose_the_alternative() {
        // The document number's '9' read as '8' first: only '9' satisfies its check digit.
        let read = L2.replacen("L8989", "L8988", 1);
        let d = decide(&cands(
            &[L1, &read],
            &[((1, 4), vec![(b'8', 0.7, 0.0), (b'9', 0.3, 0.85)])],
        ))
        .unwrap();
        assert_eq!(d.lines, [L1, L2]);
        assert_eq!(d.changes, [(1, 4, '8', '9')]);
    }

    #[test]
    fn two_close_readings_of_an_unprotected_letter_are_ambiguous() {
        // A name letter: no check digit decides between 'A' and 'R'.
        let c = cands(
            &[L1, L2],
            &[((0, 15), vec![(b'A', 0.6, 0.0), (b'R', 0.4, 0.4)])],
        );
        match decide(&c) {
            Err(Undecided::Ambiguous {
                line: 0,
                column: 15,
                ..
            }) => {}
            Err(e) => panic!("{e:?}"),
            Ok(d) => panic!("{:?}", d.lines),
        }
    }

    #[test]
    fn a_known_country_code_wins_over_a_close_unknown_one() {
        // The issuing state's 'O' nearly read as 'Q': "UTQ" is no ICAO code, "UTO" is.
        let c = cands(
            &[L1, L2],
            &[((0, 4), vec![(b'Q', 0.55, 0.0), (b'O', 0.45, 0.2)])],
        );
        let d = decide(&c).unwrap();
        assert_eq!(d.lines, [L1, L2]);
        assert_eq!(d.changes, [(0, 4, 'Q', 'O')]);
    }

    #[test]
    fn an_unknown_country_code_is_returned_only_when_no_known_one_validates() {
        // An old specimen's "BDR": no alternative makes a known code; returned with the
        // parser's warning.
        let l1 = L1.replacen("P<UTO", "P<BDR", 1);
        let d = decide(&cands(&[&l1, L2], &[])).unwrap();
        assert_eq!(d.lines[0], l1);
        assert!(has_unknown_country(&d.mrz));
        // Two unknown codes equally likely: ambiguous.
        let c = cands(
            &[&l1, L2],
            &[((0, 4), vec![(b'R', 0.5, 0.0), (b'P', 0.5, 0.1)])],
        );
        assert!(matches!(
            decide(&c),
            Err(Undecided::Ambiguous {
                line: 0,
                column: 4,
                ..
            })
        ));
    }
}
