//! A thin layer over `epassport_tlv` that keeps absolute offsets and names the field in errors.

use crate::LdsError;
use epassport_tlv::{Tag, TlvError, parse_at};

/// One TLV with its absolute position in the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Obj<'a> {
    pub tag: Tag,
    pub value: &'a [u8],
    /// Absolute offset of the TLV's first byte.
    pub offset: usize,
    /// Absolute offset of the value's first byte.
    pub value_offset: usize,
}

/// Moves the offsets of a TLV error (relative to a sub-slice) to file coordinates.
pub(crate) fn shift(e: TlvError, base: usize) -> TlvError {
    match e {
        TlvError::TruncatedTag { offset } => TlvError::TruncatedTag {
            offset: offset + base,
        },
        TlvError::TagTooLong { offset } => TlvError::TagTooLong {
            offset: offset + base,
        },
        TlvError::TruncatedLength { tag, offset } => TlvError::TruncatedLength {
            tag,
            offset: offset + base,
        },
        TlvError::BadLength {
            tag,
            offset,
            first_byte,
        } => TlvError::BadLength {
            tag,
            offset: offset + base,
            first_byte,
        },
        TlvError::ValueOverrun {
            tag,
            offset,
            claimed,
            available,
        } => TlvError::ValueOverrun {
            tag,
            offset: offset + base,
            claimed,
            available,
        },
        TlvError::TooDeep { offset } => TlvError::TooDeep {
            offset: offset + base,
        },
        TlvError::UnexpectedTag {
            expected,
            found,
            offset,
        } => TlvError::UnexpectedTag {
            expected,
            found,
            offset: offset + base,
        },
        TlvError::Trailing { offset, count } => TlvError::Trailing {
            offset: offset + base,
            count,
        },
        other => other,
    }
}

fn tlv_err(field: &'static str, base: usize) -> impl Fn(TlvError) -> LdsError {
    move |e| LdsError::Tlv {
        field,
        source: shift(e, base),
    }
}

/// Reads the TLV at `offset` of `input` (`base` = absolute offset of `input[0]`).
pub(crate) fn obj_at<'a>(
    input: &'a [u8],
    offset: usize,
    base: usize,
    field: &'static str,
) -> Result<Obj<'a>, LdsError> {
    let t = parse_at(input, offset).map_err(tlv_err(field, base))?;
    let header = t.encoded_len - t.value.len();
    Ok(Obj {
        tag: t.tag,
        value: t.value,
        offset: base + offset,
        value_offset: base + offset + header,
    })
}

/// Reads `input` (a whole file) as exactly one TLV with tag `tag`.
pub(crate) fn top<'a>(input: &'a [u8], tag: Tag, field: &'static str) -> Result<Obj<'a>, LdsError> {
    let o = obj_at(input, 0, 0, field)?;
    if o.tag != tag {
        return Err(LdsError::UnexpectedTag {
            field,
            expected: tag,
            found: o.tag,
            offset: 0,
        });
    }
    let end = o.value_offset + o.value.len();
    if end != input.len() {
        return Err(LdsError::Tlv {
            field,
            source: TlvError::Trailing {
                offset: end,
                count: input.len() - end,
            },
        });
    }
    Ok(o)
}

/// Reads all TLVs of `input` (`base` = absolute offset of `input[0]`).
pub(crate) fn all<'a>(
    input: &'a [u8],
    base: usize,
    field: &'static str,
) -> Result<Vec<Obj<'a>>, LdsError> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < input.len() {
        let o = obj_at(input, off, base, field)?;
        off = o.value_offset - base + o.value.len();
        out.push(o);
    }
    Ok(out)
}

impl<'a> Obj<'a> {
    /// The children of a constructed object.
    pub fn children(&self, field: &'static str) -> Result<Vec<Obj<'a>>, LdsError> {
        all(self.value, self.value_offset, field)
    }
    /// Requires the tag to be `tag`.
    pub fn expect(self, tag: Tag, field: &'static str) -> Result<Self, LdsError> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(LdsError::UnexpectedTag {
                field,
                expected: tag,
                found: self.tag,
                offset: self.offset,
            })
        }
    }
    /// Error for a missing child.
    pub fn missing(&self, tag: Tag, field: &'static str) -> LdsError {
        LdsError::Missing {
            field,
            tag,
            parent: self.tag,
            offset: self.offset,
        }
    }
    /// The value as text: UTF-8, or Latin-1 when it is not valid UTF-8.
    pub fn text(&self) -> String {
        text(self.value)
    }
}

/// Decodes text: UTF-8 when valid, else Latin-1 (some issuers write ISO 8859-1).
pub(crate) fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// A non-negative INTEGER-like count in a `02` data object (1 to 4 bytes, big-endian).
pub(crate) fn small_uint(o: &Obj<'_>, field: &'static str) -> Result<u32, LdsError> {
    if o.value.is_empty() || o.value.len() > 4 {
        return Err(LdsError::invalid(
            field,
            o.value_offset,
            format!("integer of {} bytes", o.value.len()),
        ));
    }
    Ok(o.value.iter().fold(0u32, |a, &b| (a << 8) | b as u32))
}

/// Encodes a small count as the value of a `02` data object (one byte when it fits).
pub(crate) fn count_bytes(n: usize) -> Vec<u8> {
    let b = (n as u32).to_be_bytes();
    let skip = b.iter().take(3).take_while(|&&x| x == 0).count();
    b[skip..].to_vec()
}

/// Reads a tag list (`5C` value): concatenated BER tags.
pub(crate) fn tag_list(
    o: &Obj<'_>,
    field: &'static str,
) -> Result<Vec<epassport_tlv::Tag>, LdsError> {
    let v = o.value;
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut t = v[i] as u32;
        let mut n = 1;
        if v[i] & 0x1F == 0x1F {
            loop {
                let b = *v.get(i + n).ok_or_else(|| {
                    LdsError::invalid(field, o.value_offset + i, "tag list ends inside a tag")
                })?;
                n += 1;
                if n > 4 {
                    return Err(LdsError::invalid(
                        field,
                        o.value_offset + i,
                        "tag longer than 4 bytes",
                    ));
                }
                t = (t << 8) | b as u32;
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        out.push(epassport_tlv::Tag(t));
        i += n;
    }
    Ok(out)
}

/// The children of a data group that must be unique, looked up by tag.
pub(crate) struct Fields<'a> {
    pub kids: Vec<Obj<'a>>,
}

impl<'a> Fields<'a> {
    pub fn new(parent: Obj<'a>, field: &'static str) -> Result<Self, LdsError> {
        let kids = parent.children(field)?;
        Ok(Fields { kids })
    }
    pub fn get(&self, tag: epassport_tlv::Tag) -> Option<Obj<'a>> {
        self.kids.iter().find(|k| k.tag == tag).copied()
    }
    pub fn text(&self, tag: u32) -> Option<String> {
        self.get(epassport_tlv::Tag(tag)).map(|o| o.text())
    }
    pub fn bytes(&self, tag: u32) -> Option<Vec<u8>> {
        self.get(epassport_tlv::Tag(tag)).map(|o| o.value.to_vec())
    }
    /// A repeated item: `A0 { 02 count, item... }` (9303-10 8th ed.) or items directly.
    pub fn list(&self, item: u32, field: &'static str) -> Result<Vec<String>, LdsError> {
        let t = epassport_tlv::Tag(item);
        if let Some(wrap) = self.get(epassport_tlv::Tag(0xA0)) {
            let inner = wrap.children(field)?;
            let items: Vec<String> = inner
                .iter()
                .filter(|k| k.tag == t)
                .map(|k| k.text())
                .collect();
            if let Some(c) = inner.iter().find(|k| k.tag == epassport_tlv::Tag(0x02)) {
                let n = small_uint(c, field)? as usize;
                if n != items.len() {
                    return Err(LdsError::invalid(
                        field,
                        c.value_offset,
                        format!("says {n}, the template holds {}", items.len()),
                    ));
                }
            }
            return Ok(items);
        }
        Ok(self
            .kids
            .iter()
            .filter(|k| k.tag == t)
            .map(|k| k.text())
            .collect())
    }
    /// Children whose tags are not in `known`, kept for exact re-encoding.
    pub fn others(&self, known: &[u32]) -> Vec<(epassport_tlv::Tag, Vec<u8>)> {
        self.kids
            .iter()
            .filter(|k| !known.contains(&k.tag.0))
            .map(|k| (k.tag, k.value.to_vec()))
            .collect()
    }
}

/// Builds a data group with a `5C` tag list naming the fields present.
pub(crate) struct Builder {
    tags: Vec<u8>,
    body: Vec<u8>,
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            tags: Vec::new(),
            body: Vec::new(),
        }
    }
    pub fn bytes(&mut self, tag: u32, v: Option<&[u8]>) {
        if let Some(v) = v {
            let t = epassport_tlv::Tag(tag);
            self.tags.extend(t.to_bytes());
            epassport_tlv::encode_into(t, v, &mut self.body);
        }
    }
    pub fn text(&mut self, tag: u32, v: &Option<String>) {
        self.bytes(tag, v.as_deref().map(str::as_bytes));
    }
    /// `A0 { 02 count, item... }` when the list is not empty.
    pub fn list(&mut self, item: u32, items: &[String]) {
        if items.is_empty() {
            return;
        }
        let mut inner = epassport_tlv::encode(epassport_tlv::Tag(0x02), &count_bytes(items.len()));
        for i in items {
            epassport_tlv::encode_into(epassport_tlv::Tag(item), i.as_bytes(), &mut inner);
        }
        self.tags.push(0xA0);
        epassport_tlv::encode_into(epassport_tlv::Tag(0xA0), &inner, &mut self.body);
    }
    pub fn others(&mut self, others: &[(epassport_tlv::Tag, Vec<u8>)]) {
        for (t, v) in others {
            epassport_tlv::encode_into(*t, v, &mut self.body);
        }
    }
    pub fn finish(self, tag: epassport_tlv::Tag) -> Vec<u8> {
        let mut v = epassport_tlv::encode(epassport_tlv::Tag(0x5C), &self.tags);
        v.extend(self.body);
        epassport_tlv::encode(tag, &v)
    }
}
