//! Short Weierstrass curves over prime fields: `y² = x³ + ax + b (mod p)`.
//!
//! One generic implementation serves every standardised curve (NIST P-192…P-521, brainpool
//! P192r1…P512r1) and explicit parameters from EF.CardAccess or DG14, because PACE Generic and
//! Integrated Mapping compute with a generator known only at run time. Field arithmetic is
//! `crypto-bigint`'s; this file holds only the textbook group law (Jacobian coordinates, formulas
//! of Cohen–Miyaji–Ono as listed in the Explicit-Formulas Database: `dbl-2007-bl`, `add-2007-bl`)
//! and the point encoding of ICAO 9303-11 Appendix B / BSI TR-03110-3 for Integrated Mapping.
//! Tests cross-check it against the RustCrypto curve crates.
//!
//! Scalar multiplication runs a fixed 4-bit window over the full order length; the group law
//! itself branches on special points, so it is not constant-time.

use crypto_bigint::BoxedUint;

use super::CryptoError;
use super::field::{Fe, Modulus, is_zero, pow, to_fixed, uint};

/// A point in affine coordinates, or the point at infinity.
#[derive(Clone, PartialEq, Eq)]
pub struct Point(pub(crate) Option<(Fe, Fe)>);

impl std::fmt::Debug for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Point(infinity)"),
            Some((x, y)) => {
                let xb = x.retrieve().to_be_bytes();
                let yb = y.retrieve().to_be_bytes();
                write!(f, "Point(x={}, y={})", hex(&xb), hex(&yb))
            }
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|v| format!("{v:02X}")).collect()
}

impl Point {
    /// The point at infinity.
    pub fn infinity() -> Point {
        Point(None)
    }
    /// True for the point at infinity.
    pub fn is_infinity(&self) -> bool {
        self.0.is_none()
    }
}

#[derive(Clone)]
struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
    inf: bool,
}

/// A prime curve with a base point of prime order `n` and cofactor `h`.
#[derive(Clone, PartialEq, Eq)]
pub struct Curve {
    p: Modulus,
    n: Modulus,
    a: Fe,
    b: Fe,
    g: Point,
    h: u64,
    /// True when `a = -3`, unused by the generic formulas but kept for diagnostics.
    a_bytes: Vec<u8>,
    b_bytes: Vec<u8>,
}

impl std::fmt::Debug for Curve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Curve({} bits, order {} bits, cofactor {})",
            self.p.bit_len(),
            self.n.bit_len(),
            self.h
        )
    }
}

impl Curve {
    /// A curve from big-endian `p`, `a`, `b`, base point `(gx, gy)`, order `n` and cofactor `h`.
    ///
    /// Checks that `p` and `n` are odd, `a` and `b` are below `p`, the curve is not singular and
    /// the base point lies on it. (Primality of `p` and `n` is the issuer's responsibility.)
    pub fn new(
        p: &[u8],
        a: &[u8],
        b: &[u8],
        gx: &[u8],
        gy: &[u8],
        n: &[u8],
        h: u64,
    ) -> Result<Curve, CryptoError> {
        let pm = Modulus::new(p)?;
        let nm = Modulus::new(n)?;
        let a_fe = pm.strict(a).ok_or(CryptoError::InvalidDomainParameters(
            "curve coefficient a not below p",
        ))?;
        let b_fe = pm.strict(b).ok_or(CryptoError::InvalidDomainParameters(
            "curve coefficient b not below p",
        ))?;
        if h == 0 {
            return Err(CryptoError::InvalidDomainParameters("cofactor is zero"));
        }
        // 4a³ + 27b² != 0
        let disc = pm
            .small(4)
            .mul(&a_fe.square().mul(&a_fe))
            .add(&pm.small(27).mul(&b_fe.square()));
        if is_zero(&disc) {
            return Err(CryptoError::InvalidDomainParameters("singular curve"));
        }
        let gxf = pm.strict(gx).ok_or(CryptoError::InvalidDomainParameters(
            "base point x not below p",
        ))?;
        let gyf = pm.strict(gy).ok_or(CryptoError::InvalidDomainParameters(
            "base point y not below p",
        ))?;
        let a_bytes = pm.encode(&a_fe);
        let b_bytes = pm.encode(&b_fe);
        let curve = Curve {
            p: pm,
            n: nm,
            a: a_fe,
            b: b_fe,
            g: Point(Some((gxf, gyf))),
            h,
            a_bytes,
            b_bytes,
        };
        if !curve.is_on_curve(&curve.g) || curve.g.is_infinity() {
            return Err(CryptoError::InvalidDomainParameters(
                "base point not on the curve",
            ));
        }
        Ok(curve)
    }

    /// The field size in bytes: the length of each coordinate in every encoding.
    pub fn field_len(&self) -> usize {
        self.p.len()
    }
    /// The field size in bits.
    pub fn field_bits(&self) -> u32 {
        self.p.bit_len()
    }
    /// The order's length in bytes.
    pub fn order_len(&self) -> usize {
        self.n.len()
    }
    /// The prime `p`, big-endian, at field length.
    pub fn p_bytes(&self) -> Vec<u8> {
        to_fixed(self.p.value(), self.p.len()).unwrap_or_default()
    }
    /// The coefficient `a` at field length.
    pub fn a_bytes(&self) -> &[u8] {
        &self.a_bytes
    }
    /// The coefficient `b` at field length.
    pub fn b_bytes(&self) -> &[u8] {
        &self.b_bytes
    }
    /// The order `n` of the base point, big-endian at order length.
    pub fn n_bytes(&self) -> Vec<u8> {
        to_fixed(self.n.value(), self.n.len()).unwrap_or_default()
    }
    /// The cofactor.
    pub fn cofactor(&self) -> u64 {
        self.h
    }
    /// The base point.
    pub fn generator(&self) -> &Point {
        &self.g
    }
    pub(crate) fn order(&self) -> &Modulus {
        &self.n
    }

    /// True when the point satisfies the curve equation (infinity counts as on the curve).
    pub fn is_on_curve(&self, pt: &Point) -> bool {
        match &pt.0 {
            None => true,
            Some((x, y)) => {
                let lhs = y.square();
                let rhs = x.square().mul(x).add(&self.a.mul(x)).add(&self.b);
                lhs == rhs
            }
        }
    }

    /// Uncompressed encoding `04 || X || Y`, each coordinate left-padded to the field length
    /// (BSI TR-03111 §3.2.1). The point at infinity encodes as `00`.
    pub fn encode_point(&self, pt: &Point) -> Vec<u8> {
        match &pt.0 {
            None => vec![0x00],
            Some((x, y)) => {
                let mut out = Vec::with_capacity(1 + 2 * self.p.len());
                out.push(0x04);
                out.extend_from_slice(&self.p.encode(x));
                out.extend_from_slice(&self.p.encode(y));
                out
            }
        }
    }

    /// The x-coordinate at field length (the ECDH shared secret, and `Comp()` of ICAO 9303-11).
    pub fn x_coordinate(&self, pt: &Point) -> Result<Vec<u8>, CryptoError> {
        match &pt.0 {
            None => Err(CryptoError::PointAtInfinity),
            Some((x, _)) => Ok(self.p.encode(x)),
        }
    }

    /// Decodes an uncompressed point and validates it: exact length, `04` prefix, coordinates
    /// below `p`, on the curve, not infinity.
    pub fn decode_point(&self, bytes: &[u8]) -> Result<Point, CryptoError> {
        let l = self.p.len();
        if bytes.len() != 1 + 2 * l {
            return Err(CryptoError::InvalidPublicKey {
                reason: "uncompressed point has the wrong length",
                len: bytes.len(),
            });
        }
        if bytes[0] != 0x04 {
            return Err(CryptoError::InvalidPublicKey {
                reason: "point is not in uncompressed form (04)",
                len: bytes.len(),
            });
        }
        let x = self
            .p
            .strict(&bytes[1..1 + l])
            .ok_or(CryptoError::InvalidPublicKey {
                reason: "x-coordinate not below p",
                len: bytes.len(),
            })?;
        let y = self
            .p
            .strict(&bytes[1 + l..])
            .ok_or(CryptoError::InvalidPublicKey {
                reason: "y-coordinate not below p",
                len: bytes.len(),
            })?;
        let pt = Point(Some((x, y)));
        if !self.is_on_curve(&pt) {
            return Err(CryptoError::InvalidPublicKey {
                reason: "point is not on the curve",
                len: bytes.len(),
            });
        }
        Ok(pt)
    }

    fn to_jacobian(&self, pt: &Point) -> Jacobian {
        match &pt.0 {
            None => Jacobian {
                x: self.p.one(),
                y: self.p.one(),
                z: self.p.zero(),
                inf: true,
            },
            Some((x, y)) => Jacobian {
                x: x.clone(),
                y: y.clone(),
                z: self.p.one(),
                inf: false,
            },
        }
    }

    fn to_affine(&self, j: &Jacobian) -> Point {
        if j.inf || is_zero(&j.z) {
            return Point(None);
        }
        let zinv: Option<Fe> = j.z.invert().into();
        let Some(zinv) = zinv else {
            return Point(None);
        };
        let z2 = zinv.square();
        let z3 = z2.mul(&zinv);
        Point(Some((j.x.mul(&z2), j.y.mul(&z3))))
    }

    fn double_j(&self, p: &Jacobian) -> Jacobian {
        if p.inf || is_zero(&p.y) {
            return self.to_jacobian(&Point(None));
        }
        // dbl-2007-bl
        let xx = p.x.square();
        let yy = p.y.square();
        let yyyy = yy.square();
        let zz = p.z.square();
        let s = p.x.add(&yy).square().sub(&xx).sub(&yyyy).double();
        let m = xx.double().add(&xx).add(&self.a.mul(&zz.square()));
        let t = m.square().sub(&s.double());
        let y3 = m.mul(&s.sub(&t)).sub(&yyyy.double().double().double());
        let z3 = p.y.add(&p.z).square().sub(&yy).sub(&zz);
        Jacobian {
            x: t,
            y: y3,
            z: z3,
            inf: false,
        }
    }

    fn add_j(&self, p: &Jacobian, q: &Jacobian) -> Jacobian {
        if p.inf {
            return q.clone();
        }
        if q.inf {
            return p.clone();
        }
        // add-2007-bl
        let z1z1 = p.z.square();
        let z2z2 = q.z.square();
        let u1 = p.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = p.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&p.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r0 = s2.sub(&s1);
        if is_zero(&h) {
            if is_zero(&r0) {
                return self.double_j(p);
            }
            return self.to_jacobian(&Point(None));
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let r = r0.double();
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = p.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
            inf: false,
        }
    }

    /// `P + Q`.
    pub fn add(&self, p: &Point, q: &Point) -> Point {
        self.to_affine(&self.add_j(&self.to_jacobian(p), &self.to_jacobian(q)))
    }

    /// `k·P` for a big-endian scalar `k` of any length (not reduced).
    pub fn mul(&self, k: &[u8], pt: &Point) -> Point {
        self.mul_uint(&uint(k), pt)
    }

    pub(crate) fn mul_uint(&self, k: &BoxedUint, pt: &Point) -> Point {
        let base = self.to_jacobian(pt);
        // Table of 0·P … 15·P.
        let mut table = Vec::with_capacity(16);
        table.push(self.to_jacobian(&Point(None)));
        table.push(base.clone());
        for i in 2..16 {
            let next = if i % 2 == 0 {
                self.double_j(&table[i / 2])
            } else {
                self.add_j(&table[i - 1], &base)
            };
            table.push(next);
        }
        let bits = k.bits_precision().max(4);
        let windows = bits.div_ceil(4);
        let mut acc = self.to_jacobian(&Point(None));
        for w in (0..windows).rev() {
            for _ in 0..4 {
                acc = self.double_j(&acc);
            }
            let mut d = 0usize;
            for bit in 0..4 {
                let idx = w * 4 + (3 - bit);
                d <<= 1;
                if idx < k.bits_precision() && bool::from(k.bit(idx)) {
                    d |= 1;
                }
            }
            acc = self.add_j(&acc, &table[d]);
        }
        self.to_affine(&acc)
    }

    /// The point encoding `f_G` for Integrated Mapping (ICAO 9303-11 Appendix B.2, affine form,
    /// of Brier et al.'s simplified SWU map), applied to `t` (reduced mod p), times the cofactor.
    ///
    /// Defined for `p ≡ 3 (mod 4)`; fails with [`CryptoError::MappingUnsupported`] otherwise
    /// (NIST P-224).
    pub fn encode_to_point(&self, t_bytes: &[u8]) -> Result<Point, CryptoError> {
        let p = self.p.value();
        if !bool::from(p.bit(0)) || !bool::from(p.bit(1)) {
            return Err(CryptoError::MappingUnsupported(
                "point encoding needs p ≡ 3 (mod 4)",
            ));
        }
        if is_zero(&self.a) {
            return Err(CryptoError::MappingUnsupported(
                "point encoding needs a ≠ 0",
            ));
        }
        let t = self.p.reduce(t_bytes);
        if is_zero(&t) {
            return Err(CryptoError::MappingFailed(
                "pseudo-random value is zero mod p",
            ));
        }
        let one = self.p.one();
        // α = -t²
        let alpha = t.square().neg();
        let a2 = alpha.add(&alpha.square());
        // X2 = -b(1 + α + α²) / (a(α + α²))
        let denom = self.a.mul(&a2);
        let dinv: Option<Fe> = denom.invert().into();
        let dinv = dinv.ok_or(CryptoError::MappingFailed("α + α² is zero"))?;
        let x2 = self.b.neg().mul(&one.add(&a2)).mul(&dinv);
        let x3 = alpha.mul(&x2);
        let h2 = x2.square().mul(&x2).add(&self.a.mul(&x2)).add(&self.b);
        let u = t.square().mul(&t).mul(&h2);
        // A = h2^(p - 1 - (p+1)/4)
        let p1 = p.wrapping_add(BoxedUint::one_with_precision(p.bits_precision()));
        let q = p1.shr(2);
        let e = p
            .wrapping_sub(BoxedUint::one_with_precision(p.bits_precision()))
            .wrapping_sub(&q);
        let a_ = pow(&h2, &e);
        let pt = if a_.square().mul(&h2) == one {
            Point(Some((x2, a_.mul(&h2))))
        } else {
            Point(Some((x3, a_.mul(&u))))
        };
        let pt = if self.h == 1 {
            pt
        } else {
            self.mul(&self.h.to_be_bytes(), &pt)
        };
        if pt.is_infinity() || !self.is_on_curve(&pt) {
            return Err(CryptoError::MappingFailed(
                "encoded point is not a valid curve point",
            ));
        }
        Ok(pt)
    }
}
