//! Bounded BER-TLV parsing and encoding (ISO/IEC 7816-4 §5.2, ICAO 9303-10 §4.4).
//!
//! Every length is checked against what is left of the input, nesting is capped at
//! [`MAX_DEPTH`], and every error carries the tag (when known) and the byte offset.
//! Indefinite lengths (`80`) are refused here: the LDS uses definite DER-style lengths; CMS
//! parsing in `epassport-pki` handles BER indefinite lengths itself.

#![forbid(unsafe_code)]

use std::fmt;

/// The deepest nesting [`Tlv::children`] and [`parse_tree`] accept.
pub const MAX_DEPTH: usize = 16;

/// A BER tag, up to four bytes, stored as its big-endian encoding (`0x5F1F`, `0x7F61`...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

impl Tag {
    /// True when the constructed bit (bit 6 of the first byte) is set.
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }
    fn first_byte(self) -> u8 {
        let b = self.0.to_be_bytes();
        *b.iter().find(|&&x| x != 0).unwrap_or(&0)
    }
    /// The tag's encoding.
    pub fn to_bytes(self) -> Vec<u8> {
        let b = self.0.to_be_bytes();
        let skip = b.iter().take(3).take_while(|&&x| x == 0).count();
        b[skip..].to_vec()
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:02X})", self.0)
    }
}
impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{:02X}'", self.0)
    }
}

/// What went wrong, where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvError {
    /// The input ended inside a tag.
    #[error("truncated tag at offset {offset}")]
    TruncatedTag {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// A tag longer than four bytes.
    #[error("tag longer than 4 bytes at offset {offset}")]
    TagTooLong {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// The input ended inside a length.
    #[error("truncated length of tag {tag} at offset {offset}")]
    TruncatedLength {
        /// The tag whose length was cut.
        tag: Tag,
        /// Offset of the length's first byte.
        offset: usize,
    },
    /// A length form this parser refuses (indefinite `80`, more than 4 length bytes, `FF`).
    #[error("unsupported length encoding {first_byte:02X} of tag {tag} at offset {offset}")]
    BadLength {
        /// The tag.
        tag: Tag,
        /// Offset of the length's first byte.
        offset: usize,
        /// The first length byte.
        first_byte: u8,
    },
    /// The value is longer than what is left of the input.
    #[error("value of tag {tag} at offset {offset} claims {claimed} bytes, only {available} left")]
    ValueOverrun {
        /// The tag.
        tag: Tag,
        /// Offset of the TLV's first byte.
        offset: usize,
        /// The length the TLV claims.
        claimed: usize,
        /// What is left of the input.
        available: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {MAX_DEPTH} at offset {offset}")]
    TooDeep {
        /// Offset of the TLV that went too deep.
        offset: usize,
    },
    /// A tag was required but another one (or nothing) was found.
    #[error("expected tag {expected}, found {found:?} at offset {offset}")]
    UnexpectedTag {
        /// The tag expected.
        expected: Tag,
        /// The tag found, if any.
        found: Option<Tag>,
        /// Where.
        offset: usize,
    },
    /// A required tag is missing inside a constructed object.
    #[error("tag {tag} missing inside {parent}")]
    Missing {
        /// The missing tag.
        tag: Tag,
        /// The constructed object it should be in.
        parent: Tag,
    },
    /// Bytes left after the last TLV where none were allowed.
    #[error("{count} trailing bytes at offset {offset}")]
    Trailing {
        /// Where they start.
        offset: usize,
        /// How many.
        count: usize,
    },
}

/// One TLV borrowed from its input.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes.
    pub value: &'a [u8],
    /// Offset of the TLV's first byte in the buffer given to the parser that produced it
    /// (children report offsets in their parent's buffer coordinates).
    pub offset: usize,
    /// Total encoded length (tag + length + value).
    pub encoded_len: usize,
}

impl fmt::Debug for Tlv<'_> {
    // Values may be personal data; print sizes only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tlv {{ {:?}, {} bytes at {} }}",
            self.tag,
            self.value.len(),
            self.offset
        )
    }
}

/// Reads a tag at `offset` of `input`; returns the tag and its length in bytes.
fn read_tag(input: &[u8], offset: usize) -> Result<(Tag, usize), TlvError> {
    let first = *input.get(offset).ok_or(TlvError::TruncatedTag { offset })?;
    let mut tag = first as u32;
    let mut n = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input
                .get(offset + n)
                .ok_or(TlvError::TruncatedTag { offset })?;
            n += 1;
            if n > 4 {
                return Err(TlvError::TagTooLong { offset });
            }
            tag = (tag << 8) | b as u32;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    Ok((Tag(tag), n))
}

/// Reads a definite length at `offset`; returns the length and its size in bytes.
fn read_len(input: &[u8], offset: usize, tag: Tag) -> Result<(usize, usize), TlvError> {
    let first = *input
        .get(offset)
        .ok_or(TlvError::TruncatedLength { tag, offset })?;
    if first < 0x80 {
        return Ok((first as usize, 1));
    }
    let count = (first & 0x7F) as usize;
    if count == 0 || count > 4 {
        return Err(TlvError::BadLength {
            tag,
            offset,
            first_byte: first,
        });
    }
    let bytes = input
        .get(offset + 1..offset + 1 + count)
        .ok_or(TlvError::TruncatedLength { tag, offset })?;
    let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | b as usize);
    Ok((len, 1 + count))
}

/// Parses the TLV at `offset` of `input`.
pub fn parse_at(input: &[u8], offset: usize) -> Result<Tlv<'_>, TlvError> {
    let (tag, tag_len) = read_tag(input, offset)?;
    let (len, len_len) = read_len(input, offset + tag_len, tag)?;
    let start = offset + tag_len + len_len;
    let available = input.len().saturating_sub(start);
    if len > available {
        return Err(TlvError::ValueOverrun {
            tag,
            offset,
            claimed: len,
            available,
        });
    }
    Ok(Tlv {
        tag,
        value: &input[start..start + len],
        offset,
        encoded_len: tag_len + len_len + len,
    })
}

/// Parses the first TLV of `input` and returns it with the rest of the input.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let tlv = parse_at(input, 0)?;
    Ok((tlv, &input[tlv.encoded_len..]))
}

/// Parses `input` as exactly one TLV with tag `expected` and nothing after it.
pub fn parse_exact(input: &[u8], expected: Tag) -> Result<Tlv<'_>, TlvError> {
    let tlv = parse_at(input, 0).map_err(|e| match e {
        TlvError::TruncatedTag { offset } if input.is_empty() => TlvError::UnexpectedTag {
            expected,
            found: None,
            offset,
        },
        e => e,
    })?;
    if tlv.tag != expected {
        return Err(TlvError::UnexpectedTag {
            expected,
            found: Some(tlv.tag),
            offset: 0,
        });
    }
    if tlv.encoded_len != input.len() {
        return Err(TlvError::Trailing {
            offset: tlv.encoded_len,
            count: input.len() - tlv.encoded_len,
        });
    }
    Ok(tlv)
}

/// Parses a sequence of TLVs filling all of `input`. Offsets are relative to `input`.
pub fn parse_all(input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < input.len() {
        let tlv = parse_at(input, offset)?;
        offset += tlv.encoded_len;
        out.push(tlv);
    }
    Ok(out)
}

impl<'a> Tlv<'a> {
    /// The children of a constructed TLV (offsets relative to this TLV's value).
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, TlvError> {
        parse_all(self.value)
    }
    /// The first child with `tag`, if any.
    pub fn find(&self, tag: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
        Ok(self.children()?.into_iter().find(|c| c.tag == tag))
    }
    /// The first child with `tag`, or [`TlvError::Missing`].
    pub fn require(&self, tag: Tag) -> Result<Tlv<'a>, TlvError> {
        self.find(tag)?.ok_or(TlvError::Missing {
            tag,
            parent: self.tag,
        })
    }
}

/// A TLV tree node, for whole-structure walks (bounded by [`MAX_DEPTH`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<'a> {
    /// The TLV.
    pub tlv: Tlv<'a>,
    /// Its children when constructed and parseable as TLVs, else empty.
    pub children: Vec<Node<'a>>,
}

/// Parses `input` into a tree, descending into constructed tags, at most [`MAX_DEPTH`] deep.
pub fn parse_tree(input: &[u8]) -> Result<Vec<Node<'_>>, TlvError> {
    fn walk(input: &[u8], base: usize, depth: usize) -> Result<Vec<Node<'_>>, TlvError> {
        let mut nodes = Vec::new();
        for mut tlv in parse_all(input)? {
            let abs = base + tlv.offset;
            if depth >= MAX_DEPTH {
                return Err(TlvError::TooDeep { offset: abs });
            }
            let header = tlv.encoded_len - tlv.value.len();
            let children = if tlv.tag.is_constructed() {
                walk(tlv.value, abs + header, depth + 1)?
            } else {
                Vec::new()
            };
            tlv.offset = abs;
            nodes.push(Node { tlv, children });
        }
        Ok(nodes)
    }
    walk(input, 0, 0)
}

/// Encodes a definite length (DER minimal form).
pub fn encode_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encodes one TLV.
pub fn encode(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_bytes();
    encode_len(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

/// Encodes one TLV into `out`.
pub fn encode_into(tag: Tag, value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&tag.to_bytes());
    encode_len(value.len(), out);
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dg1_shape() {
        // ICAO 9303-10: DG1 is '61' containing '5F1F' with the MRZ.
        let mrz = b"P<UTOERIKSSON<<ANNA<MARIA";
        let inner = encode(Tag(0x5F1F), mrz);
        let outer = encode(Tag(0x61), &inner);
        let dg1 = parse_exact(&outer, Tag(0x61)).unwrap();
        assert!(dg1.tag.is_constructed());
        let m = dg1.require(Tag(0x5F1F)).unwrap();
        assert_eq!(m.value, mrz);
        assert_eq!(Tag(0x5F1F).to_bytes(), [0x5F, 0x1F]);
        assert_eq!(Tag(0x7F2E).to_bytes(), [0x7F, 0x2E]);
        assert_eq!(Tag(0x01).to_bytes(), [0x01]);
    }

    #[test]
    fn long_lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536, 70000] {
            let v = vec![7u8; len];
            let e = encode(Tag(0x75), &v);
            let (t, rest) = parse_one(&e).unwrap();
            assert_eq!(t.value.len(), len);
            assert!(rest.is_empty());
        }
        let mut out = Vec::new();
        encode_len(0x1234, &mut out);
        assert_eq!(out, [0x82, 0x12, 0x34]);
    }

    #[test]
    fn errors_name_tag_and_offset() {
        assert_eq!(
            parse_one(&[]).unwrap_err(),
            TlvError::TruncatedTag { offset: 0 }
        );
        assert_eq!(
            parse_one(&[0x5F]).unwrap_err(),
            TlvError::TruncatedTag { offset: 0 }
        );
        assert_eq!(
            parse_one(&[0x5F, 0x9F, 0x9F, 0x9F, 0x01]).unwrap_err(),
            TlvError::TagTooLong { offset: 0 }
        );
        assert_eq!(
            parse_one(&[0x61]).unwrap_err(),
            TlvError::TruncatedLength {
                tag: Tag(0x61),
                offset: 1
            }
        );
        assert_eq!(
            parse_one(&[0x61, 0x80]).unwrap_err(),
            TlvError::BadLength {
                tag: Tag(0x61),
                offset: 1,
                first_byte: 0x80
            }
        );
        assert_eq!(
            parse_one(&[0x61, 0x85, 1, 1, 1, 1, 1]).unwrap_err(),
            TlvError::BadLength {
                tag: Tag(0x61),
                offset: 1,
                first_byte: 0x85
            }
        );
        assert_eq!(
            parse_one(&[0x61, 0x82, 0xFF, 0xFF, 0]).unwrap_err(),
            TlvError::ValueOverrun {
                tag: Tag(0x61),
                offset: 0,
                claimed: 0xFFFF,
                available: 1
            }
        );
        assert_eq!(
            parse_exact(&[0x61, 0x00, 0x00], Tag(0x61)).unwrap_err(),
            TlvError::Trailing {
                offset: 2,
                count: 1
            }
        );
        assert_eq!(
            parse_exact(&[0x60, 0x00], Tag(0x61)).unwrap_err(),
            TlvError::UnexpectedTag {
                expected: Tag(0x61),
                found: Some(Tag(0x60)),
                offset: 0
            }
        );
        let outer = encode(Tag(0x61), &encode(Tag(0x02), &[1]));
        let t = parse_exact(&outer, Tag(0x61)).unwrap();
        assert_eq!(
            t.require(Tag(0x5F1F)).unwrap_err(),
            TlvError::Missing {
                tag: Tag(0x5F1F),
                parent: Tag(0x61)
            }
        );
    }

    #[test]
    fn depth_is_capped() {
        let mut v = encode(Tag(0x04), &[1]);
        for _ in 0..(MAX_DEPTH + 2) {
            v = encode(Tag(0x30), &v);
        }
        assert!(matches!(parse_tree(&v), Err(TlvError::TooDeep { .. })));
        let mut ok = encode(Tag(0x04), &[1]);
        for _ in 0..4 {
            ok = encode(Tag(0x30), &ok);
        }
        let tree = parse_tree(&ok).unwrap();
        assert_eq!(tree[0].children[0].children[0].tlv.offset, 4);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic sweep; the fuzz target does the real work.
        let mut x: u32 = 1;
        for _ in 0..20_000 {
            let len = (x % 12) as usize;
            let mut buf = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                buf.push(x as u8);
            }
            let _ = parse_tree(&buf);
            let _ = parse_all(&buf);
        }
    }
}
