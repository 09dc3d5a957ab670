//! The answer to reset (ISO/IEC 7816-3 §8.2) and what its historical bytes say the card can do
//! (ISO/IEC 7816-4 §12.1.1).

use crate::CardError;

/// A parsed ATR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atr {
    bytes: Vec<u8>,
    historical: Vec<u8>,
}

impl Atr {
    /// Parses an ATR (as PC/SC reports it; for contactless cards PC/SC part 3 builds one from the
    /// ATS or ATQB).
    pub fn parse(bytes: &[u8]) -> Result<Atr, CardError> {
        let [ts, t0, rest @ ..] = bytes else {
            return Err(CardError::InvalidAtr("shorter than TS and T0"));
        };
        if *ts != 0x3B && *ts != 0x3F {
            return Err(CardError::InvalidAtr("TS is neither 3B nor 3F"));
        }
        let k = usize::from(t0 & 0x0F);
        let mut y = t0 >> 4;
        let mut pos = 0usize;
        let mut only_t0 = true;
        for _ in 0..8 {
            let n = (y & 0x0F).count_ones() as usize;
            if pos + n > rest.len() {
                return Err(CardError::InvalidAtr("interface bytes truncated"));
            }
            let td = if y & 0x08 != 0 {
                Some(rest[pos + n - 1])
            } else {
                None
            };
            pos += n;
            match td {
                Some(td) => {
                    if td & 0x0F != 0 {
                        only_t0 = false;
                    }
                    y = td >> 4;
                }
                None => break,
            }
        }
        if pos + k > rest.len() {
            return Err(CardError::InvalidAtr("historical bytes truncated"));
        }
        let historical = rest[pos..pos + k].to_vec();
        let tck = usize::from(!only_t0);
        if rest.len() < pos + k + tck {
            return Err(CardError::InvalidAtr("TCK missing"));
        }
        if !only_t0 && bytes[1..].iter().fold(0u8, |a, b| a ^ b) != 0 {
            return Err(CardError::InvalidAtr("TCK does not check"));
        }
        Ok(Atr {
            bytes: bytes.to_vec(),
            historical,
        })
    }
    /// The ATR's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// The historical bytes.
    pub fn historical_bytes(&self) -> &[u8] {
        &self.historical
    }
    /// The three card-capabilities bytes (compact-TLV tag 7, ISO/IEC 7816-4 §12.1.1.10), when the
    /// historical bytes carry them.
    pub fn card_capabilities(&self) -> Option<[u8; 3]> {
        let body = match self.historical.split_first() {
            Some((0x80, b)) => b,
            Some((0x00, b)) if b.len() >= 3 => &b[..b.len() - 3],
            _ => return None,
        };
        let mut i = 0;
        while i < body.len() {
            let tag = body[i] >> 4;
            let len = usize::from(body[i] & 0x0F);
            let value = body.get(i + 1..i + 1 + len)?;
            if tag == 0x7 && len == 3 {
                return Some([value[0], value[1], value[2]]);
            }
            i += 1 + len;
        }
        None
    }
    /// Whether the card says it supports extended Lc/Le (card capabilities, third byte, b7);
    /// `None` when the ATR does not say.
    pub fn extended_length(&self) -> Option<bool> {
        self.card_capabilities().map(|c| c[2] & 0x40 != 0)
    }
    /// Whether the card says it supports command chaining (card capabilities, third byte, b8).
    pub fn command_chaining(&self) -> Option<bool> {
        self.card_capabilities().map(|c| c[2] & 0x80 != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contactless_atr_with_capabilities() {
        let atr =
            Atr::parse(&[0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0x00, 0x00, 0xC0, 0x37]).unwrap();
        assert_eq!(atr.historical_bytes(), [0x80, 0x73, 0x00, 0x00, 0xC0]);
        assert_eq!(atr.card_capabilities(), Some([0, 0, 0xC0]));
        assert_eq!(atr.extended_length(), Some(true));
        assert_eq!(atr.command_chaining(), Some(true));
        let plain = Atr::parse(&[0x3B, 0x80, 0x80, 0x01, 0x01]).unwrap();
        assert_eq!(plain.historical_bytes(), [] as [u8; 0]);
        assert_eq!(plain.extended_length(), None);
        // T=0 only: no TCK.
        let t0 = Atr::parse(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
        assert_eq!(t0.historical_bytes(), [0x14, 0x50]);
    }

    #[test]
    fn malformed_atrs() {
        assert_eq!(
            Atr::parse(&[0x3B]),
            Err(CardError::InvalidAtr("shorter than TS and T0"))
        );
        assert_eq!(
            Atr::parse(&[0x12, 0x00]),
            Err(CardError::InvalidAtr("TS is neither 3B nor 3F"))
        );
        assert_eq!(
            Atr::parse(&[0x3B, 0x80]),
            Err(CardError::InvalidAtr("interface bytes truncated"))
        );
        assert_eq!(
            Atr::parse(&[0x3B, 0x85, 0x80, 0x01, 0x80]),
            Err(CardError::InvalidAtr("historical bytes truncated"))
        );
        assert_eq!(
            Atr::parse(&[0x3B, 0x80, 0x80, 0x01, 0x02]),
            Err(CardError::InvalidAtr("TCK does not check"))
        );
        assert_eq!(
            Atr::parse(&[0x3B, 0x80, 0x80, 0x01]),
            Err(CardError::InvalidAtr("TCK missing"))
        );
    }
}
