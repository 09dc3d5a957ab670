//! Turning free text into MRZ lines, recording every change.

use crate::{MrzError, Normalisation};

/// Splits `text` into non-blank lines, removing spaces and tabs and upper-casing letters, and
/// says what it changed.
pub(crate) fn normalise(text: &str) -> Result<(Vec<Vec<char>>, Vec<Normalisation>), MrzError> {
    let mut notes = Vec::new();
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            notes.push(Normalisation::ByteOrderMark);
            rest
        }
        None => text,
    };
    if text.contains('\r') {
        notes.push(Normalisation::LineEndings);
    }
    let mut lines = Vec::new();
    let mut blank = 0usize;
    let raw_lines: Vec<&str> = text.split(['\n', '\r']).collect();
    // `a\r\nb` splits into `a`, ``, `b`: the empty piece between CR and LF is not a blank line.
    let mut prev_cr = false;
    let mut pos = 0usize;
    for raw in raw_lines {
        let end = pos + raw.len();
        let sep = text[end..].chars().next();
        let is_crlf_gap = prev_cr && raw.is_empty() && sep == Some('\n');
        prev_cr = sep == Some('\r');
        pos = end + sep.map_or(0, char::len_utf8);
        if is_crlf_gap {
            continue;
        }
        let mut line = Vec::with_capacity(raw.len());
        let mut removed = 0usize;
        let mut lowered = 0usize;
        for c in raw.chars() {
            if c == ' ' || c == '\t' || c == '\u{a0}' {
                removed += 1;
            } else if c.is_ascii_lowercase() {
                lowered += 1;
                line.push(c.to_ascii_uppercase());
            } else {
                line.push(c);
            }
        }
        if line.is_empty() {
            blank += 1;
            continue;
        }
        let n = lines.len() + 1;
        if removed > 0 {
            notes.push(Normalisation::Whitespace {
                line: n,
                count: removed,
            });
        }
        if lowered > 0 {
            notes.push(Normalisation::Lowercase {
                line: n,
                count: lowered,
            });
        }
        lines.push(line);
    }
    // A final line break leaves one empty piece: that is not a blank line.
    if text.ends_with('\n') || text.ends_with('\r') {
        blank = blank.saturating_sub(1);
    }
    if lines.is_empty() {
        return Err(MrzError::Empty);
    }
    if blank > 0 {
        notes.push(Normalisation::BlankLines { count: blank });
    }
    Ok((lines, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[Vec<char>]) -> Vec<String> {
        v.iter().map(|l| l.iter().collect()).collect()
    }

    #[test]
    fn plain() {
        let (l, n) = normalise("AB\nCD\n").unwrap();
        assert_eq!(lines(&l), ["AB", "CD"]);
        assert!(n.is_empty());
    }

    #[test]
    fn crlf_spaces_lowercase_blank() {
        let (l, n) = normalise("\u{feff}a B\r\n\r\nC D\r\n").unwrap();
        assert_eq!(lines(&l), ["AB", "CD"]);
        assert_eq!(
            n,
            [
                Normalisation::ByteOrderMark,
                Normalisation::LineEndings,
                Normalisation::Whitespace { line: 1, count: 1 },
                Normalisation::Lowercase { line: 1, count: 1 },
                Normalisation::Whitespace { line: 2, count: 1 },
                Normalisation::BlankLines { count: 1 },
            ]
        );
    }

    #[test]
    fn empty() {
        assert_eq!(normalise(""), Err(MrzError::Empty));
        assert_eq!(normalise(" \n\t\r\n"), Err(MrzError::Empty));
    }
}
