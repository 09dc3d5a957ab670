//! Arithmetic modulo a runtime prime, on `crypto-bigint`'s boxed Montgomery form.
//!
//! Only a thin adapter: every multiplication, inversion and exponentiation is `crypto-bigint`'s.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};

use super::CryptoError;

/// An element of a prime field (or of the multiplicative group modulo a prime).
pub(crate) type Fe = BoxedMontyForm;

/// Integers modulo an odd modulus `m`, with their fixed byte length.
#[derive(Clone)]
pub(crate) struct Modulus {
    params: BoxedMontyParams,
    m: BoxedUint,
    nz: NonZero<BoxedUint>,
    bits: u32,
    len: usize,
}

impl std::fmt::Debug for Modulus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Modulus({} bits)", self.m.bits_vartime())
    }
}

impl PartialEq for Modulus {
    fn eq(&self, other: &Self) -> bool {
        self.m == other.m
    }
}
impl Eq for Modulus {}

/// Big-endian bytes without leading zeros (at least one byte).
pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    let nz = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    if nz == bytes.len() {
        &bytes[bytes.len().saturating_sub(1)..]
    } else {
        &bytes[nz..]
    }
}

/// A `BoxedUint` from big-endian bytes of any length (public values).
pub(crate) fn uint(bytes: &[u8]) -> BoxedUint {
    let t = trim(bytes);
    if t.is_empty() {
        return BoxedUint::zero_with_precision(64);
    }
    BoxedUint::from_be_slice_vartime(t)
}

/// `x` as exactly `len` big-endian bytes; `None` when it does not fit.
pub(crate) fn to_fixed(x: &BoxedUint, len: usize) -> Option<Vec<u8>> {
    let b = x.to_be_bytes();
    if b.len() >= len {
        let (head, tail) = b.split_at(b.len() - len);
        if head.iter().any(|&v| v != 0) {
            return None;
        }
        Some(tail.to_vec())
    } else {
        let mut out = vec![0u8; len - b.len()];
        out.extend_from_slice(&b);
        Some(out)
    }
}

impl Modulus {
    /// An odd modulus greater than 3, from big-endian bytes.
    pub(crate) fn new(bytes: &[u8]) -> Result<Modulus, CryptoError> {
        let m = uint(bytes);
        if m.bits_vartime() < 3 {
            return Err(CryptoError::InvalidDomainParameters("modulus too small"));
        }
        let odd: Option<Odd<BoxedUint>> = Odd::new(m.clone()).into();
        let odd = odd.ok_or(CryptoError::InvalidDomainParameters("modulus is even"))?;
        let params = BoxedMontyParams::new_vartime(odd);
        let bits = params.bits_precision();
        let m = fit(&m, bits);
        let nz: Option<NonZero<BoxedUint>> = NonZero::new(m.clone()).into();
        let nz = nz.ok_or(CryptoError::InvalidDomainParameters("modulus is zero"))?;
        let len = (m.bits_vartime() as usize).div_ceil(8);
        Ok(Modulus {
            params,
            m,
            nz,
            bits,
            len,
        })
    }

    /// The modulus' length in bytes (the encoding length of its elements).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The modulus' bit length.
    pub(crate) fn bit_len(&self) -> u32 {
        self.m.bits_vartime()
    }

    /// The modulus itself.
    pub(crate) fn value(&self) -> &BoxedUint {
        &self.m
    }

    /// Reduces a non-negative integer of any size.
    pub(crate) fn reduce_uint(&self, x: &BoxedUint) -> BoxedUint {
        let r = if x.bits_precision() > self.bits {
            x.rem_vartime(&self.nz)
        } else {
            fit(x, self.bits).rem_vartime(&self.nz)
        };
        fit(&r, self.bits)
    }

    /// The element `bytes mod m` (big-endian bytes of any length).
    pub(crate) fn reduce(&self, bytes: &[u8]) -> Fe {
        let r = self.reduce_uint(&uint(bytes));
        Fe::new(r, &self.params)
    }

    /// The element with value `bytes`, which must be below the modulus.
    pub(crate) fn strict(&self, bytes: &[u8]) -> Option<Fe> {
        let x = uint(bytes);
        if x.bits_vartime() > self.m.bits_vartime() {
            return None;
        }
        let x = fit(&x, self.bits);
        if x.cmp_vartime(&self.m) != std::cmp::Ordering::Less {
            return None;
        }
        Some(Fe::new(x, &self.params))
    }

    /// A small constant.
    pub(crate) fn small(&self, v: u64) -> Fe {
        self.reduce(&v.to_be_bytes())
    }

    /// An element as exactly [`Modulus::len`] big-endian bytes (left-padded).
    pub(crate) fn encode(&self, x: &Fe) -> Vec<u8> {
        // A reduced value always fits.
        to_fixed(&x.retrieve(), self.len).unwrap_or_default()
    }

    /// Zero.
    pub(crate) fn zero(&self) -> Fe {
        Fe::zero(&self.params)
    }

    /// One.
    pub(crate) fn one(&self) -> Fe {
        Fe::one(&self.params)
    }
}

/// True when the element is zero.
pub(crate) fn is_zero(x: &Fe) -> bool {
    bool::from(x.is_zero())
}

/// `x^e` for a public or secret exponent of any size.
pub(crate) fn pow(x: &Fe, e: &BoxedUint) -> Fe {
    x.pow(e)
}

/// `x` at `bits` of precision (`x` must fit; callers only shrink reduced values).
pub(crate) fn fit(x: &BoxedUint, bits: u32) -> BoxedUint {
    use crypto_bigint::Resize;
    x.clone().resize_unchecked(bits)
}
