//! The small part of DER that the LDS needs: OBJECT IDENTIFIERs, INTEGERs, AlgorithmIdentifier.

use crate::LdsError;
use crate::obj::Obj;
use epassport_tlv::{Tag, encode};
use std::fmt;

/// DER universal tags used here.
pub(crate) const INTEGER: Tag = Tag(0x02);
pub(crate) const BIT_STRING: Tag = Tag(0x03);
pub(crate) const OCTET_STRING: Tag = Tag(0x04);
#[allow(dead_code)]
pub(crate) const NULL: Tag = Tag(0x05);
pub(crate) const OID: Tag = Tag(0x06);
pub(crate) const PRINTABLE_STRING: Tag = Tag(0x13);
pub(crate) const SEQUENCE: Tag = Tag(0x30);

/// An OBJECT IDENTIFIER, kept as its DER content bytes; displays in dotted form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Oid(pub Vec<u8>);

impl Oid {
    /// Builds an OID from its dotted form (`"2.16.840.1.101.3.4.2.1"`); `None` when malformed.
    pub fn from_dotted(s: &str) -> Option<Oid> {
        let arcs: Vec<u64> = s
            .split('.')
            .map(|a| a.parse().ok())
            .collect::<Option<_>>()?;
        if arcs.len() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39) {
            return None;
        }
        let mut out = Vec::new();
        let first = arcs[0].checked_mul(40)?.checked_add(arcs[1])?;
        for arc in std::iter::once(first).chain(arcs[2..].iter().copied()) {
            let mut tmp = vec![(arc & 0x7F) as u8];
            let mut v = arc >> 7;
            while v > 0 {
                tmp.push(((v & 0x7F) as u8) | 0x80);
                v >>= 7;
            }
            tmp.reverse();
            out.extend(tmp);
        }
        Some(Oid(out))
    }

    /// The dotted form; `None` when the content bytes are malformed.
    pub fn to_dotted(&self) -> Option<String> {
        let mut arcs = Vec::new();
        let mut v: u64 = 0;
        let mut in_arc = false;
        for &b in &self.0 {
            if !in_arc && b == 0x80 {
                return None; // non-minimal
            }
            if v > (u64::MAX >> 7) {
                return None;
            }
            v = (v << 7) | (b & 0x7F) as u64;
            in_arc = b & 0x80 != 0;
            if !in_arc {
                arcs.push(v);
                v = 0;
            }
        }
        if in_arc || arcs.is_empty() {
            return None;
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
        for arc in &arcs[1..] {
            s.push('.');
            s.push_str(&arc.to_string());
        }
        Some(s)
    }

    /// The full DER encoding (`06 len content`).
    pub fn to_der(&self) -> Vec<u8> {
        encode(OID, &self.0)
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_dotted() {
            Some(s) => f.write_str(&s),
            None => write!(f, "invalid-oid:{}", hex(&self.0)),
        }
    }
}
impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Lower-case hex.
pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Reads an OID object.
pub(crate) fn oid(o: &Obj<'_>, field: &'static str) -> Result<Oid, LdsError> {
    let o = o.expect(OID, field)?;
    let oid = Oid(o.value.to_vec());
    if oid.to_dotted().is_none() {
        return Err(LdsError::invalid(field, o.value_offset, "malformed OID"));
    }
    Ok(oid)
}

/// Reads an INTEGER that must fit an i64.
pub(crate) fn int_i64(o: &Obj<'_>, field: &'static str) -> Result<i64, LdsError> {
    let o = o.expect(INTEGER, field)?;
    if o.value.is_empty() || o.value.len() > 8 {
        return Err(LdsError::invalid(
            field,
            o.value_offset,
            format!("INTEGER of {} bytes", o.value.len()),
        ));
    }
    let neg = o.value[0] & 0x80 != 0;
    let mut v: i64 = if neg { -1 } else { 0 };
    for &b in o.value {
        v = (v << 8) | b as i64;
    }
    Ok(v)
}

/// Encodes an i64 as a DER INTEGER.
pub(crate) fn encode_int(v: i64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (cur, next) = (b[start], b[start + 1]);
        if (cur == 0 && next & 0x80 == 0) || (cur == 0xFF && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    encode(INTEGER, &b[start..])
}

/// Encodes an unsigned big-endian magnitude as a DER INTEGER (adds the leading zero if needed).
pub(crate) fn encode_uint_bytes(mag: &[u8]) -> Vec<u8> {
    let skip = mag.iter().take_while(|&&b| b == 0).count();
    let m = &mag[skip..];
    let mut v = Vec::with_capacity(m.len() + 1);
    if m.first().is_none_or(|&b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(m);
    encode(INTEGER, &v)
}

/// An X.509 AlgorithmIdentifier: the OID and its parameters kept as their DER encoding.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AlgorithmIdentifier {
    /// The algorithm.
    pub oid: Oid,
    /// The parameters' full DER encoding (`05 00` for NULL), or `None` when absent.
    pub parameters: Option<Vec<u8>>,
}

impl AlgorithmIdentifier {
    pub(crate) fn parse(o: &Obj<'_>, field: &'static str) -> Result<Self, LdsError> {
        let o = o.expect(SEQUENCE, field)?;
        let kids = o.children(field)?;
        let first = kids.first().ok_or_else(|| o.missing(OID, field))?;
        let oid = oid(first, field)?;
        let parameters = match kids.get(1) {
            None => None,
            Some(p) => {
                let start = p.offset - o.value_offset;
                let end = p.value_offset - o.value_offset + p.value.len();
                Some(o.value[start..end].to_vec())
            }
        };
        if kids.len() > 2 {
            return Err(LdsError::invalid(
                field,
                kids[2].offset,
                "AlgorithmIdentifier with more than two elements",
            ));
        }
        Ok(AlgorithmIdentifier { oid, parameters })
    }

    /// DER encoding.
    pub fn to_der(&self) -> Vec<u8> {
        let mut v = self.oid.to_der();
        if let Some(p) = &self.parameters {
            v.extend_from_slice(p);
        }
        encode(SEQUENCE, &v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_round_trip() {
        for s in [
            "1.3.14.3.2.26",
            "2.16.840.1.101.3.4.2.1",
            "1.2.840.113549.1.1.1",
            "2.23.136.1.1.1",
            "0.4.0.127.0.7.2.2.1.1",
        ] {
            let o = Oid::from_dotted(s).unwrap();
            assert_eq!(o.to_dotted().unwrap(), s);
        }
        assert_eq!(
            Oid::from_dotted("1.2.840.113549.1.1.1").unwrap().0,
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
        );
        assert!(Oid(vec![0x2a, 0x86]).to_dotted().is_none());
        assert!(Oid(vec![0x80, 0x01]).to_dotted().is_none());
    }

    #[test]
    fn integers() {
        for v in [
            0i64,
            1,
            127,
            128,
            255,
            256,
            -1,
            -128,
            -129,
            i64::MAX,
            i64::MIN,
        ] {
            let e = encode_int(v);
            let o = crate::obj::obj_at(&e, 0, 0, "t").unwrap();
            assert_eq!(int_i64(&o, "t").unwrap(), v, "{v}");
        }
        assert_eq!(encode_int(128), [2, 2, 0, 128]);
        assert_eq!(encode_uint_bytes(&[0, 0, 0x80]), [2, 2, 0, 0x80]);
        assert_eq!(encode_uint_bytes(&[1, 0]), [2, 2, 1, 0]);
    }
}
