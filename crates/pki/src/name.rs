//! X.501 distinguished names, compared as names (RFC 5280 §7.1): attribute by attribute with
//! case-insensitive, space-folded values, and independent of RDN order (the MY sample's
//! SignerInfo lists the issuer's RDNs in a different order from the certificate).

use crate::PkiError;
use crate::ber::Tlv;
use serde::Serialize;

/// A distinguished name.
#[derive(Clone, Debug, Serialize)]
pub struct Name {
    /// (attribute type OID, value) in encoded order.
    pub attributes: Vec<(String, String)>,
    #[serde(skip)]
    key: Vec<(String, String)>,
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Name {}
impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state)
    }
}

fn short(oid: &str) -> &str {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "serialNumber",
        "1.2.840.113549.1.9.1" => "emailAddress",
        other => other,
    }
}

fn decode_string(t: &Tlv<'_>) -> String {
    match t.tag {
        // BMPString (UTF-16BE)
        0x1E => {
            let units: Vec<u16> = t
                .content
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        // UniversalString (UTF-32BE)
        0x1C => t
            .content
            .chunks(4)
            .filter_map(|c| {
                let mut b = [0u8; 4];
                b[..c.len()].copy_from_slice(c);
                char::from_u32(u32::from_be_bytes(b))
            })
            .collect(),
        // T61String: treat as Latin-1
        0x14 => t.content.iter().map(|&b| b as char).collect(),
        _ => String::from_utf8_lossy(t.content).into_owned(),
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Name {
    /// Parses a Name (SEQUENCE OF RelativeDistinguishedName).
    pub(crate) fn parse(t: &Tlv<'_>) -> Result<Self, PkiError> {
        const W: &str = "Name";
        if t.tag != 0x30 {
            return Err(PkiError::UnexpectedTag {
                what: W,
                expected: 0x30,
                found: t.tag,
                offset: t.offset,
            });
        }
        let mut attributes = Vec::new();
        for rdn in t.children(W)? {
            if rdn.tag != 0x31 {
                return Err(PkiError::UnexpectedTag {
                    what: W,
                    expected: 0x31,
                    found: rdn.tag,
                    offset: rdn.offset,
                });
            }
            for ava in rdn.children(W)? {
                let mut r = ava.reader();
                let oid = r.expect(0x06, W)?.oid(W)?;
                let value = r.next(W)?;
                attributes.push((oid, decode_string(&value)));
            }
        }
        let mut key: Vec<(String, String)> = attributes
            .iter()
            .map(|(o, v)| (o.clone(), normalise(v)))
            .collect();
        key.sort();
        Ok(Name { attributes, key })
    }

    /// The value of the first attribute of type `oid`.
    pub fn get(&self, oid: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(o, _)| o == oid)
            .map(|(_, v)| v.as_str())
    }

    /// The country (C) attribute.
    pub fn country(&self) -> Option<&str> {
        self.get("2.5.4.6")
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .attributes
            .iter()
            .map(|(o, v)| format!("{}={}", short(o), v))
            .collect();
        f.write_str(&parts.join(", "))
    }
}
