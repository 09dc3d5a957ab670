//! OCR-confusion repair guided by the check digits (off by default).
//!
//! Positions that only accept letters get digits mapped to look-alike letters and positions that
//! only accept digits get letters mapped to look-alike digits; alphanumeric fields are changed
//! only when exactly one set of look-alike substitutions (one or two characters) makes their
//! check digit hold.

use crate::check::check_digit_lossy;
use crate::parse::{Layout, Span};
use crate::{Field, Repair, Warning};

fn to_letter(c: char) -> Option<char> {
    Some(match c {
        '0' => 'O',
        '1' => 'I',
        '2' => 'Z',
        '5' => 'S',
        '6' => 'G',
        '8' => 'B',
        _ => return None,
    })
}

fn to_digit(c: char) -> Option<char> {
    Some(match c {
        'O' | 'Q' | 'D' | 'U' => '0',
        'I' | 'L' => '1',
        'Z' => '2',
        'S' => '5',
        'G' => '6',
        'T' => '7',
        'B' => '8',
        _ => return None,
    })
}

fn alternatives(c: char) -> &'static [char] {
    match c {
        'O' | 'Q' | 'D' => &['0'],
        '0' => &['O', 'D', 'Q'],
        'I' | 'L' => &['1'],
        '1' => &['I', 'L'],
        'Z' => &['2'],
        '2' => &['Z'],
        'S' => &['5'],
        '5' => &['S'],
        'B' => &['8'],
        '8' => &['B'],
        'G' => &['6'],
        '6' => &['G'],
        _ => &[],
    }
}

struct Fixer<'a> {
    lines: &'a mut [Vec<char>],
    repairs: Vec<Repair>,
}

impl Fixer<'_> {
    fn get(&self, line: usize, col: usize) -> Option<char> {
        self.lines.get(line).and_then(|l| l.get(col)).copied()
    }

    fn set(&mut self, field: Field, line: usize, col: usize, to: char) {
        if let Some(slot) = self.lines.get_mut(line).and_then(|l| l.get_mut(col))
            && *slot != to
        {
            self.repairs.push(Repair {
                field,
                line: line + 1,
                column: col + 1,
                from: *slot,
                to,
            });
            *slot = to;
        }
    }

    fn map_span(&mut self, field: Field, s: Span, f: fn(char) -> Option<char>) {
        for col in s.start..s.start + s.len {
            if let Some(to) = self.get(s.line, col).and_then(f) {
                self.set(field, s.line, col, to);
            }
        }
    }

    fn holds(&self, data: &[Span], cd: Span) -> bool {
        let digit = check_digit_lossy(
            data.iter()
                .flat_map(|s| (s.start..s.start + s.len).map(move |c| (s.line, c)))
                .filter_map(|(l, c)| self.get(l, c)),
        );
        self.get(cd.line, cd.start) == Some(digit)
    }

    /// Tries one or two look-alike substitutions within `editable` until `data` matches `cd`.
    fn search(
        &mut self,
        field: Field,
        editable: &[Span],
        data: &[Span],
        cd: Span,
        warnings: &mut Vec<Warning>,
    ) {
        if self.holds(data, cd) {
            return;
        }
        let positions: Vec<(usize, usize)> = editable
            .iter()
            .flat_map(|s| (s.start..s.start + s.len).map(move |c| (s.line, c)))
            .filter(|&(l, c)| {
                self.get(l, c)
                    .is_some_and(|ch| !alternatives(ch).is_empty())
            })
            .collect();
        let mut found: Vec<Vec<(usize, usize, char)>> = Vec::new();
        for &(l, c) in &positions {
            let orig = self.get(l, c).unwrap_or('<');
            for &alt in alternatives(orig) {
                self.lines[l][c] = alt;
                if self.holds(data, cd) {
                    found.push(vec![(l, c, alt)]);
                }
                self.lines[l][c] = orig;
            }
        }
        if found.is_empty() {
            for (i, &(l1, c1)) in positions.iter().enumerate() {
                for &(l2, c2) in &positions[i + 1..] {
                    let o1 = self.get(l1, c1).unwrap_or('<');
                    let o2 = self.get(l2, c2).unwrap_or('<');
                    for &a1 in alternatives(o1) {
                        for &a2 in alternatives(o2) {
                            self.lines[l1][c1] = a1;
                            self.lines[l2][c2] = a2;
                            if self.holds(data, cd) {
                                found.push(vec![(l1, c1, a1), (l2, c2, a2)]);
                            }
                            self.lines[l1][c1] = o1;
                            self.lines[l2][c2] = o2;
                        }
                    }
                }
            }
        }
        match found.as_slice() {
            [only] => {
                for &(l, c, to) in only.clone().iter() {
                    self.set(field, l, c, to);
                }
            }
            [] => {}
            _ => warnings.push(Warning::RepairAmbiguous { field }),
        }
    }
}

/// Repairs look-alike characters in place and returns what it changed.
pub(crate) fn repair(
    lines: &mut [Vec<char>],
    l: &Layout,
    warnings: &mut Vec<Warning>,
) -> Vec<Repair> {
    let mut f = Fixer {
        lines,
        repairs: Vec::new(),
    };
    // Letters only.
    f.map_span(Field::DocumentCode, l.code, to_letter);
    f.map_span(Field::IssuingState, l.issuing, to_letter);
    f.map_span(Field::Nationality, l.nationality, to_letter);
    f.map_span(Field::Name, l.name, to_letter);
    // Digits only (dates and check digits; '<' is left alone).
    f.map_span(Field::DateOfBirth, l.dob, to_digit);
    f.map_span(Field::DateOfBirth, l.dob_cd, to_digit);
    f.map_span(Field::DateOfExpiry, l.doe, to_digit);
    f.map_span(Field::DateOfExpiry, l.doe_cd, to_digit);
    if f.get(l.number_cd.line, l.number_cd.start) != Some('<') {
        f.map_span(Field::DocumentNumber, l.number_cd, to_digit);
    }
    if let Some(cd) = l.optional_cd {
        f.map_span(Field::OptionalData, cd, to_digit);
    }
    if let Some((cd, _)) = l.composite {
        f.map_span(Field::Composite, cd, to_digit);
    }
    // Alphanumeric fields, guided by their check digits.
    if f.get(l.number_cd.line, l.number_cd.start) != Some('<') {
        f.search(
            Field::DocumentNumber,
            &[l.number],
            &[l.number],
            l.number_cd,
            warnings,
        );
    }
    if let Some(cd) = l.optional_cd
        && !f.lines[cd.line][l.optional.start..l.optional.start + l.optional.len]
            .iter()
            .all(|&c| c == '<')
    {
        f.search(
            Field::OptionalData,
            &[l.optional],
            &[l.optional],
            cd,
            warnings,
        );
    }
    if let Some((cd, spans)) = l.composite {
        let mut editable = vec![l.optional];
        editable.extend(l.optional2);
        f.search(Field::Composite, &editable, spans, cd, warnings);
    }
    f.repairs
}
