//! Key-agreement groups for PACE, Chip Authentication and Terminal Authentication
//! (ICAO 9303-11 §9.5, BSI TR-03110-3 §A.2): standardised domain parameters 0–2 and 8–18 and explicit
//! parameters, one [`Group`] type over both DH and ECDH.
//!
//! Big-number arithmetic is `crypto-bigint`'s (`BoxedMontyForm`, runtime moduli). Elliptic-curve
//! group operations are a generic short-Weierstrass implementation on top of it ([`ec`]), because
//! PACE mappings need arbitrary generators and explicit parameters; tests cross-check it against the
//! RustCrypto curve crates. Every encoding is at full field length (left-padded).

pub mod dh;
pub mod ec;
mod field;
pub mod standard;

use zeroize::Zeroizing;

pub use dh::{DhElement, DhGroup};
pub use ec::{Curve, Point};

/// What went wrong in group arithmetic or parameter handling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A domain parameter ID that is not standardised (3–7 and above 18 are reserved).
    #[error("unknown standardised domain parameter ID {0}")]
    UnknownDomainParameterId(u32),
    /// Explicit domain parameters that are unusable; says which check failed.
    #[error("invalid domain parameters: {0}")]
    InvalidDomainParameters(&'static str),
    /// A public key (point or DH value) that fails validation; says which check.
    #[error("invalid public key ({len} bytes): {reason}")]
    InvalidPublicKey {
        /// The failed check.
        reason: &'static str,
        /// The encoding's length.
        len: usize,
    },
    /// A private key out of range.
    #[error("invalid private key: {0}")]
    InvalidPrivateKey(&'static str),
    /// The result of a computation was the point at infinity (or 1 for DH).
    #[error("the result is the point at infinity / identity")]
    PointAtInfinity,
    /// A mapping that these parameters do not support (e.g. IM on P-224).
    #[error("mapping not supported: {0}")]
    MappingUnsupported(&'static str),
    /// A mapping that produced an unusable generator.
    #[error("mapping failed: {0}")]
    MappingFailed(&'static str),
    /// A group element of the other kind (DH vs. EC) was given.
    #[error("group element of the wrong kind for this group")]
    WrongElementKind,
}

/// A DH or ECDH group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    /// Elliptic-curve Diffie–Hellman.
    Ec(Curve),
    /// Modular Diffie–Hellman.
    Dh(DhGroup),
}

/// An element of a [`Group`]: a public key or a generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// A curve point.
    Ec(Point),
    /// A DH group element.
    Dh(DhElement),
}

/// A private key (scalar or exponent), zeroized on drop, printed as `REDACTED`.
#[derive(Clone)]
pub struct PrivateKey(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(REDACTED)")
    }
}

impl PrivateKey {
    /// A private key from big-endian bytes, unchecked (use [`Group::private_key`] to check).
    pub fn from_bytes(bytes: &[u8]) -> PrivateKey {
        PrivateKey(Zeroizing::new(bytes.to_vec()))
    }
    /// The big-endian bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A source of random bytes (nonces, private keys), injectable for tests.
pub trait RandomSource {
    /// Fills `out` with random bytes.
    fn fill(&mut self, out: &mut [u8]);
}

impl<R: rand_core::CryptoRng + ?Sized> RandomSource for R {
    fn fill(&mut self, out: &mut [u8]) {
        self.fill_bytes(out);
    }
}

impl Group {
    /// The group of a standardised domain parameter ID (0–2, 8–18).
    pub fn standard(id: u8) -> Result<Group, CryptoError> {
        standard::group(id)
    }

    /// True for ECDH groups.
    pub fn is_ec(&self) -> bool {
        matches!(self, Group::Ec(_))
    }

    /// The field (prime) length in bytes: the length of a DH value or of one point coordinate.
    pub fn field_len(&self) -> usize {
        match self {
            Group::Ec(c) => c.field_len(),
            Group::Dh(d) => d.field_len(),
        }
    }

    /// The field size in bits.
    pub fn field_bits(&self) -> u32 {
        match self {
            Group::Ec(c) => c.field_bits(),
            Group::Dh(d) => d.field_bits(),
        }
    }

    /// The (sub)group order's length in bytes.
    pub fn order_len(&self) -> usize {
        match self {
            Group::Ec(c) => c.order_len(),
            Group::Dh(d) => d.order_len(),
        }
    }

    /// The standard generator.
    pub fn generator(&self) -> Element {
        match self {
            Group::Ec(c) => Element::Ec(c.generator().clone()),
            Group::Dh(d) => Element::Dh(d.generator()),
        }
    }

    /// Checks a private key: EC `1 ≤ k < n`; DH `1 ≤ x < p` (the worked examples use exponents
    /// longer than `q`).
    pub fn private_key(&self, bytes: &[u8]) -> Result<PrivateKey, CryptoError> {
        let k = field::uint(bytes);
        use field::fit;
        if bool::from(k.is_zero()) {
            return Err(CryptoError::InvalidPrivateKey("zero"));
        }
        let bound = match self {
            Group::Ec(c) => c.order().value().clone(),
            Group::Dh(d) => field::uint(&d.p_bytes()),
        };
        let kw = fit(&k, bound.bits_precision().max(k.bits_precision()));
        let bw = fit(&bound, kw.bits_precision());
        if kw.cmp_vartime(&bw) != std::cmp::Ordering::Less {
            return Err(CryptoError::InvalidPrivateKey("not below the group order"));
        }
        Ok(PrivateKey::from_bytes(bytes))
    }

    /// A fresh private key: uniformly random in `[1, n)` for EC, `[1, q)` for DH (or of `p`'s length
    /// when `q` is unknown), by rejection sampling.
    pub fn generate_private_key(&self, rng: &mut dyn RandomSource) -> PrivateKey {
        let (bound, len) = match self {
            Group::Ec(c) => (c.order().value().clone(), c.order_len()),
            Group::Dh(d) => match d.q() {
                Some(q) => (q.clone(), d.order_len()),
                None => (field::uint(&d.p_bytes()), d.field_len()),
            },
        };
        let bits = bound.bits_vartime();
        let mut buf = Zeroizing::new(vec![0u8; len]);
        loop {
            rng.fill(&mut buf);
            let excess = (len * 8) as u32 - bits;
            if excess > 0 && excess < 8 {
                buf[0] &= 0xFF >> excess;
            }
            let k = field::uint(&buf);
            use field::fit;
            if bool::from(k.is_zero()) {
                continue;
            }
            let kw = fit(&k, bound.bits_precision().max(k.bits_precision()));
            let bw = fit(&bound, kw.bits_precision());
            if kw.cmp_vartime(&bw) == std::cmp::Ordering::Less {
                return PrivateKey::from_bytes(&buf);
            }
        }
    }

    /// `k·P` (EC) or `P^k` (DH).
    pub fn mul(&self, k: &PrivateKey, base: &Element) -> Result<Element, CryptoError> {
        self.mul_bytes(k.as_bytes(), base)
    }

    /// `k·P` (EC) or `P^k` (DH), for a public scalar.
    pub fn mul_bytes(&self, k: &[u8], base: &Element) -> Result<Element, CryptoError> {
        match (self, base) {
            (Group::Ec(c), Element::Ec(p)) => Ok(Element::Ec(c.mul(k, p))),
            (Group::Dh(d), Element::Dh(p)) => Ok(Element::Dh(d.exp(p, k))),
            _ => Err(CryptoError::WrongElementKind),
        }
    }

    /// The public key of `k` for `generator`.
    pub fn public_key(&self, k: &PrivateKey, generator: &Element) -> Result<Element, CryptoError> {
        self.mul(k, generator)
    }

    /// The group operation: `P + Q` (EC) or `P·Q` (DH).
    pub fn combine(&self, a: &Element, b: &Element) -> Result<Element, CryptoError> {
        match (self, a, b) {
            (Group::Ec(c), Element::Ec(p), Element::Ec(q)) => Ok(Element::Ec(c.add(p, q))),
            (Group::Dh(d), Element::Dh(p), Element::Dh(q)) => Ok(Element::Dh(d.mul(p, q))),
            _ => Err(CryptoError::WrongElementKind),
        }
    }

    /// The public-key encoding: `04||X||Y` (EC) or the value at `p`'s length (DH).
    pub fn encode(&self, e: &Element) -> Vec<u8> {
        match (self, e) {
            (Group::Ec(c), Element::Ec(p)) => c.encode_point(p),
            (Group::Dh(d), Element::Dh(v)) => d.encode(v),
            _ => Vec::new(),
        }
    }

    /// Decodes and validates a peer's public key.
    pub fn decode(&self, bytes: &[u8]) -> Result<Element, CryptoError> {
        match self {
            Group::Ec(c) => Ok(Element::Ec(c.decode_point(bytes)?)),
            Group::Dh(d) => Ok(Element::Dh(d.decode(bytes)?)),
        }
    }

    /// `Comp()` of ICAO 9303-11 §9.4.2 / TR-03110: the x-coordinate for EC, SHA-1 of the value for
    /// DH.
    pub fn compress(&self, e: &Element) -> Result<Vec<u8>, CryptoError> {
        use sha1::Digest;
        match (self, e) {
            (Group::Ec(c), Element::Ec(p)) => c.x_coordinate(p),
            (Group::Dh(d), Element::Dh(v)) => Ok(sha1::Sha1::digest(d.encode(v)).to_vec()),
            _ => Err(CryptoError::WrongElementKind),
        }
    }

    /// The key-agreement point/value `k·P` / `P^k`, refused when it is the identity.
    pub fn agree_element(&self, k: &PrivateKey, peer: &Element) -> Result<Element, CryptoError> {
        let e = self.mul(k, peer)?;
        match &e {
            Element::Ec(p) if p.is_infinity() => Err(CryptoError::PointAtInfinity),
            Element::Dh(v)
                if self
                    .encode(&Element::Dh(v.clone()))
                    .iter()
                    .rev()
                    .skip(1)
                    .all(|&b| b == 0)
                    && self.encode(&Element::Dh(v.clone())).last() == Some(&1) =>
            {
                Err(CryptoError::PointAtInfinity)
            }
            _ => Ok(e),
        }
    }

    /// The shared secret `K`: the x-coordinate of `k·P` (EC) or `P^k` (DH), at field length.
    pub fn shared_secret(
        &self,
        k: &PrivateKey,
        peer: &Element,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let e = self.agree_element(k, peer)?;
        match (self, &e) {
            (Group::Ec(c), Element::Ec(p)) => Ok(Zeroizing::new(c.x_coordinate(p)?)),
            (Group::Dh(d), Element::Dh(v)) => Ok(Zeroizing::new(d.encode(v))),
            _ => Err(CryptoError::WrongElementKind),
        }
    }

    /// Generic Mapping (ICAO 9303-11 §4.4.3.3.1): `G' = s·G + H` (EC), `g' = g^s·h` (DH).
    pub fn map_generic(&self, s: &[u8], h: &Element) -> Result<Element, CryptoError> {
        let gs = self.mul_bytes(s, &self.generator())?;
        let g = self.combine(&gs, h)?;
        match &g {
            Element::Ec(p) if p.is_infinity() => Err(CryptoError::MappingFailed(
                "mapped generator is the point at infinity",
            )),
            _ => Ok(g),
        }
    }

    /// Integrated Mapping's encoding of a pseudo-random value into the group
    /// (ICAO 9303-11 §4.4.3.3.2): the point encoding `f_G` (EC) or `x^((p-1)/q)` (DH).
    pub fn map_integrated(&self, x: &[u8]) -> Result<Element, CryptoError> {
        match self {
            Group::Ec(c) => Ok(Element::Ec(c.encode_to_point(x)?)),
            Group::Dh(d) => Ok(Element::Dh(d.encode_to_group(x)?)),
        }
    }

    /// For PACE-CAM (chip side): `CA = SK_map · SK_static⁻¹ mod n`, at order length (EC only).
    pub fn cam_authentication_data(
        &self,
        sk_map: &PrivateKey,
        sk_static: &PrivateKey,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let Group::Ec(c) = self else {
            return Err(CryptoError::MappingUnsupported(
                "Chip Authentication Mapping is defined for ECDH only",
            ));
        };
        let n = c.order();
        let a = n.reduce(sk_map.as_bytes());
        let b = n.reduce(sk_static.as_bytes());
        let binv: Option<field::Fe> = b.invert().into();
        let binv = binv.ok_or(CryptoError::InvalidPrivateKey("static key not invertible"))?;
        Ok(Zeroizing::new(n.encode(&a.mul(&binv))))
    }
}
