//! A bounded BER reader for CMS and X.509 (ITU-T X.690): single-byte tags, definite lengths up to
//! four bytes, and indefinite lengths on constructed values (CMS encoders of some issuers use
//! them). Nesting is capped at [`MAX_DEPTH`]; every length is checked against what is left.

use crate::PkiError;

/// The deepest nesting accepted while skipping indefinite-length content.
pub const MAX_DEPTH: usize = 32;

/// One TLV.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The content (for indefinite lengths: without the end-of-contents octets).
    pub content: &'a [u8],
    /// The whole encoding (header, content, end-of-contents).
    pub raw: &'a [u8],
    /// Offset of the tag in the outermost input.
    pub offset: usize,
    /// Offset of the content in the outermost input.
    pub content_offset: usize,
}

/// Reads consecutive TLVs from a slice.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

fn asn1(what: &'static str, reason: &'static str, offset: usize) -> PkiError {
    PkiError::Asn1 {
        what,
        reason,
        offset,
    }
}

/// Parses the header at `data[pos..]`: (tag, header length, Some(content length) or None for
/// indefinite).
fn header(
    data: &[u8],
    pos: usize,
    base: usize,
    what: &'static str,
) -> Result<(u8, usize, Option<usize>), PkiError> {
    let tag = *data
        .get(pos)
        .ok_or_else(|| asn1(what, "truncated tag", base + pos))?;
    if tag & 0x1F == 0x1F {
        return Err(asn1(what, "multi-byte tag", base + pos));
    }
    let l0 = *data
        .get(pos + 1)
        .ok_or_else(|| asn1(what, "truncated length", base + pos + 1))?;
    if l0 < 0x80 {
        return Ok((tag, 2, Some(l0 as usize)));
    }
    if l0 == 0x80 {
        if tag & 0x20 == 0 {
            return Err(asn1(
                what,
                "indefinite length on a primitive value",
                base + pos,
            ));
        }
        return Ok((tag, 2, None));
    }
    let n = (l0 & 0x7F) as usize;
    if n > 4 {
        return Err(asn1(what, "length of more than 4 bytes", base + pos + 1));
    }
    let bytes = data
        .get(pos + 2..pos + 2 + n)
        .ok_or_else(|| asn1(what, "truncated length", base + pos + 1))?;
    let len = bytes.iter().fold(0usize, |a, &b| (a << 8) | b as usize);
    Ok((tag, 2 + n, Some(len)))
}

/// Length of the content of an indefinite-length value starting at `start` (children up to the
/// end-of-contents octets); returns (content length, total length including EOC).
fn indefinite_len(
    data: &[u8],
    start: usize,
    base: usize,
    depth: usize,
    what: &'static str,
) -> Result<usize, PkiError> {
    if depth > MAX_DEPTH {
        return Err(asn1(what, "nesting too deep", base + start));
    }
    let mut pos = start;
    loop {
        if data.get(pos..pos + 2) == Some(&[0, 0]) {
            return Ok(pos - start);
        }
        let (_, h, len) = header(data, pos, base, what)?;
        let clen = match len {
            Some(l) => l,
            None => indefinite_len(data, pos + h, base, depth + 1, what)? + 2,
        };
        let end = pos
            .checked_add(h)
            .and_then(|x| x.checked_add(clen))
            .filter(|&e| e <= data.len())
            .ok_or_else(|| asn1(what, "length beyond the end of input", base + pos))?;
        pos = end;
    }
}

impl<'a> Reader<'a> {
    /// A reader over a whole input.
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            base: 0,
        }
    }
    fn at(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, base }
    }
    /// True when nothing is left.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
    /// The tag of the next TLV, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }
    /// Reads the next TLV.
    pub fn next(&mut self, what: &'static str) -> Result<Tlv<'a>, PkiError> {
        let start = self.pos;
        let (tag, h, len) = header(self.data, start, self.base, what)?;
        let (clen, total) = match len {
            Some(l) => (l, h.checked_add(l)),
            None => {
                let l = indefinite_len(self.data, start + h, self.base, 0, what)?;
                (l, h.checked_add(l).and_then(|x| x.checked_add(2)))
            }
        };
        let end = total
            .and_then(|t| start.checked_add(t))
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| asn1(what, "length beyond the end of input", self.base + start))?;
        self.pos = end;
        Ok(Tlv {
            tag,
            content: &self.data[start + h..start + h + clen],
            raw: &self.data[start..end],
            offset: self.base + start,
            content_offset: self.base + start + h,
        })
    }
    /// Reads the next TLV and checks its tag.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, PkiError> {
        let t = self.next(what)?;
        if t.tag != tag {
            return Err(PkiError::UnexpectedTag {
                what,
                expected: tag,
                found: t.tag,
                offset: t.offset,
            });
        }
        Ok(t)
    }
    /// Reads the next TLV when it has `tag`.
    pub fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, PkiError> {
        if self.peek_tag() == Some(tag) {
            self.next(what).map(Some)
        } else {
            Ok(None)
        }
    }
}

impl<'a> Tlv<'a> {
    /// A reader over the children.
    pub fn reader(&self) -> Reader<'a> {
        Reader::at(self.content, self.content_offset)
    }
    /// All children.
    pub fn children(&self, what: &'static str) -> Result<Vec<Tlv<'a>>, PkiError> {
        let mut r = self.reader();
        let mut v = Vec::new();
        while !r.is_empty() {
            v.push(r.next(what)?);
        }
        Ok(v)
    }
    /// The single TLV that makes up `data` (trailing bytes refused).
    pub fn parse_one(data: &'a [u8], what: &'static str) -> Result<Tlv<'a>, PkiError> {
        let mut r = Reader::new(data);
        let t = r.next(what)?;
        if !r.is_empty() {
            return Err(asn1(what, "trailing bytes", t.raw.len()));
        }
        Ok(t)
    }
    /// The content of an OCTET STRING, concatenating BER constructed segments.
    pub fn octets(&self, what: &'static str) -> Result<Vec<u8>, PkiError> {
        match self.tag {
            0x04 => Ok(self.content.to_vec()),
            0x24 => {
                let mut out = Vec::new();
                for c in self.children(what)? {
                    out.extend(c.octets(what)?);
                }
                Ok(out)
            }
            t => Err(PkiError::UnexpectedTag {
                what,
                expected: 0x04,
                found: t,
                offset: self.offset,
            }),
        }
    }
    /// The content of a BIT STRING with no unused bits.
    pub fn bit_string(&self, what: &'static str) -> Result<&'a [u8], PkiError> {
        if self.tag != 0x03 {
            return Err(PkiError::UnexpectedTag {
                what,
                expected: 0x03,
                found: self.tag,
                offset: self.offset,
            });
        }
        match self.content.split_first() {
            Some((0, rest)) => Ok(rest),
            _ => Err(asn1(what, "bit string with unused bits", self.offset)),
        }
    }
    /// An OID in dotted form.
    pub fn oid(&self, what: &'static str) -> Result<String, PkiError> {
        if self.tag != 0x06 {
            return Err(PkiError::UnexpectedTag {
                what,
                expected: 0x06,
                found: self.tag,
                offset: self.offset,
            });
        }
        oid_to_dotted(self.content).ok_or_else(|| asn1(what, "malformed OID", self.offset))
    }
    /// An INTEGER's magnitude bytes without leading zero octets (at least one byte); negative
    /// integers are refused.
    pub fn uint(&self, what: &'static str) -> Result<&'a [u8], PkiError> {
        if self.tag != 0x02 {
            return Err(PkiError::UnexpectedTag {
                what,
                expected: 0x02,
                found: self.tag,
                offset: self.offset,
            });
        }
        let c = self.content;
        if c.is_empty() {
            return Err(asn1(what, "empty integer", self.offset));
        }
        if c[0] & 0x80 != 0 {
            return Err(asn1(what, "negative integer", self.offset));
        }
        let skip = c.iter().take(c.len() - 1).take_while(|&&b| b == 0).count();
        Ok(&c[skip..])
    }
    /// A small non-negative INTEGER.
    pub fn small_uint(&self, what: &'static str) -> Result<u64, PkiError> {
        let b = self.uint(what)?;
        if b.len() > 8 {
            return Err(asn1(what, "integer too large", self.offset));
        }
        Ok(b.iter().fold(0u64, |a, &x| (a << 8) | x as u64))
    }
}

/// The dotted form of an OID's content octets.
pub(crate) fn oid_to_dotted(c: &[u8]) -> Option<String> {
    if c.is_empty() || c.len() > 64 || c[c.len() - 1] & 0x80 != 0 {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for &b in c {
        if v > (u64::MAX >> 7) {
            return None;
        }
        v = (v << 7) | (b & 0x7F) as u64;
        if b & 0x80 == 0 {
            arcs.push(v);
            v = 0;
        }
    }
    let first = arcs[0];
    let (a, b) = if first < 40 {
        (0, first)
    } else if first < 80 {
        (1, first - 40)
    } else {
        (2, first - 80)
    };
    let mut s = format!("{a}.{b}");
    for x in &arcs[1..] {
        s.push('.');
        s.push_str(&x.to_string());
    }
    Some(s)
}

/// Encodes a TLV with a definite DER length.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else {
        let b = (n as u64).to_be_bytes();
        let skip = b.iter().take_while(|&&x| x == 0).count();
        v.push(0x80 | (8 - skip) as u8);
        v.extend_from_slice(&b[skip..]);
    }
    v.extend_from_slice(content);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_lengths_nest() {
        // 30 80 { 04 01 AA, 30 80 { 05 00 } 00 00 } 00 00
        let d = [
            0x30, 0x80, 0x04, 0x01, 0xAA, 0x30, 0x80, 0x05, 0x00, 0, 0, 0, 0,
        ];
        let t = Tlv::parse_one(&d, "t").unwrap();
        assert_eq!(t.raw.len(), d.len());
        let kids = t.children("t").unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1].children("t").unwrap()[0].tag, 0x05);
    }

    #[test]
    fn lengths_are_bounded() {
        assert_eq!(
            Tlv::parse_one(&[0x30, 0x05, 0x01], "x").unwrap_err(),
            PkiError::Asn1 {
                what: "x",
                reason: "length beyond the end of input",
                offset: 0
            }
        );
        assert!(Tlv::parse_one(&[0x30, 0x80, 0x30, 0x80], "x").is_err());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        assert!(Tlv::parse_one(&deep, "x").is_err());
    }

    #[test]
    fn oids() {
        assert_eq!(
            oid_to_dotted(&[0x67, 0x81, 0x08, 0x01, 0x01, 0x01]).unwrap(),
            "2.23.136.1.1.1"
        );
        assert_eq!(oid_to_dotted(&[0x2A, 0x86, 0x48]).unwrap(), "1.2.840");
        assert_eq!(oid_to_dotted(&[0x86]), None);
    }
}
