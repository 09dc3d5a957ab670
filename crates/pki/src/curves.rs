//! Elliptic-curve domain parameters: the named curves passports use, recognition of a named curve
//! from explicit parameters in a certificate (AT and DE certificates carry them), and ECDSA
//! verification over curves without a RustCrypto crate (brainpoolP224r1/P320r1/P512r1, P-192,
//! P-224, or explicit parameters matching no named curve) with `num-bigint`.
//!
//! The generic path works on public values only (verification), so it need not be constant-time.

use num_bigint::BigUint;

/// A named curve's parameters as hexadecimal text.
#[derive(Debug, PartialEq, Eq)]
pub struct CurveDef {
    /// Display name (`"brainpoolP256r1"`).
    pub name: &'static str,
    /// The curve's OID.
    pub oid: &'static str,
    p: &'static str,
    a: &'static str,
    b: &'static str,
    g: &'static str,
    n: &'static str,
}

/// (name, OID, p, a, b, Gx||Gy uncompressed without 04, n) — from `openssl ecparam -param_enc explicit -text`.
pub(crate) const CURVES: &[CurveDef] = &[
    CurveDef {
        name: "P-192",
        oid: "1.2.840.10045.3.1.1",
        p: "fffffffffffffffffffffffffffffffeffffffffffffffff",
        a: "fffffffffffffffffffffffffffffffefffffffffffffffc",
        b: "64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1",
        g: "188da80eb03090f67cbf20eb43a18800f4ff0afd82ff101207192b95ffc8da78631011ed6b24cdd573f977a11e794811",
        n: "ffffffffffffffffffffffff99def836146bc9b1b4d22831",
    },
    CurveDef {
        name: "P-224",
        oid: "1.3.132.0.33",
        p: "ffffffffffffffffffffffffffffffff000000000000000000000001",
        a: "fffffffffffffffffffffffffffffffefffffffffffffffffffffffe",
        b: "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
        g: "b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34",
        n: "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d",
    },
    CurveDef {
        name: "P-256",
        oid: "1.2.840.10045.3.1.7",
        p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        a: "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        g: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    },
    CurveDef {
        name: "P-384",
        oid: "1.3.132.0.34",
        p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        a: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
        b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        g: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab73617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
        n: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    },
    CurveDef {
        name: "P-521",
        oid: "1.3.132.0.35",
        p: "1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        a: "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc",
        b: "51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
        g: "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
        n: "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    },
    CurveDef {
        name: "brainpoolP224r1",
        oid: "1.3.36.3.3.2.8.1.1.5",
        p: "d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
        a: "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
        b: "2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
        g: "0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd",
        n: "d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f",
    },
    CurveDef {
        name: "brainpoolP256r1",
        oid: "1.3.36.3.3.2.8.1.1.7",
        p: "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
        a: "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
        b: "26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
        g: "8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997",
        n: "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
    },
    CurveDef {
        name: "brainpoolP320r1",
        oid: "1.3.36.3.3.2.8.1.1.9",
        p: "d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
        a: "3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
        b: "520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
        g: "43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e2061114fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1",
        n: "d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311",
    },
    CurveDef {
        name: "brainpoolP384r1",
        oid: "1.3.36.3.3.2.8.1.1.11",
        p: "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
        a: "7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
        b: "4a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11",
        g: "1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315",
        n: "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565",
    },
    CurveDef {
        name: "brainpoolP512r1",
        oid: "1.3.36.3.3.2.8.1.1.13",
        p: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
        a: "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
        b: "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
        g: "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f8227dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
        n: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
    },
];

/// Short Weierstrass domain parameters y² = x³ + ax + b over GF(p) with base point G of order n.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    /// Field prime.
    pub p: BigUint,
    /// Coefficient a.
    pub a: BigUint,
    /// Coefficient b.
    pub b: BigUint,
    /// Base point x.
    pub gx: BigUint,
    /// Base point y.
    pub gy: BigUint,
    /// Order of G.
    pub n: BigUint,
}

fn hex_big(s: &str) -> BigUint {
    BigUint::parse_bytes(s.as_bytes(), 16).unwrap_or_default()
}

/// The named curves' domain parameters, parsed from their hexadecimal text once.
fn known_domains() -> &'static [Domain] {
    static DOMAINS: std::sync::OnceLock<Vec<Domain>> = std::sync::OnceLock::new();
    DOMAINS.get_or_init(|| CURVES.iter().map(CurveDef::parse_domain).collect())
}

impl CurveDef {
    /// The domain parameters (parsed once per process).
    pub fn domain(&self) -> Domain {
        CURVES
            .iter()
            .position(|c| c.oid == self.oid)
            .and_then(|i| known_domains().get(i))
            .cloned()
            .unwrap_or_else(|| self.parse_domain())
    }
    fn parse_domain(&self) -> Domain {
        let half = self.g.len() / 2;
        Domain {
            p: hex_big(self.p),
            a: hex_big(self.a),
            b: hex_big(self.b),
            gx: hex_big(&self.g[..half]),
            gy: hex_big(&self.g[half..]),
            n: hex_big(self.n),
        }
    }
    /// Field size in bytes.
    pub fn field_len(&self) -> usize {
        self.g.len() / 4
    }
}

/// The named curve with this OID.
pub fn by_oid(oid: &str) -> Option<&'static CurveDef> {
    CURVES.iter().find(|c| c.oid == oid)
}

/// The named curve whose parameters these are.
pub fn identify(d: &Domain) -> Option<&'static CurveDef> {
    CURVES
        .iter()
        .zip(known_domains())
        .find(|(_, e)| {
            e.p == d.p && e.a == d.a && e.b == d.b && e.gx == d.gx && e.gy == d.gy && e.n == d.n
        })
        .map(|(c, _)| c)
}

impl Domain {
    /// Field size in bytes.
    pub fn field_len(&self) -> usize {
        self.p.bits().div_ceil(8) as usize
    }
    fn sub(&self, x: &BigUint, y: &BigUint) -> BigUint {
        ((x + &self.p) - (y % &self.p)) % &self.p
    }
    fn mul(&self, x: &BigUint, y: &BigUint) -> BigUint {
        (x * y) % &self.p
    }
    /// True when (x, y) satisfies the curve equation with coordinates below p.
    pub fn on_curve(&self, x: &BigUint, y: &BigUint) -> bool {
        if x >= &self.p || y >= &self.p {
            return false;
        }
        let lhs = self.mul(y, y);
        let rhs = (self.mul(&self.mul(x, x), x) + self.mul(&self.a, x) + &self.b) % &self.p;
        lhs == rhs
    }
    fn double(&self, pt: &Jac) -> Jac {
        if pt.z == BigUint::ZERO || pt.y == BigUint::ZERO {
            return Jac::infinity();
        }
        let xx = self.mul(&pt.x, &pt.x);
        let yy = self.mul(&pt.y, &pt.y);
        let yyyy = self.mul(&yy, &yy);
        let zz = self.mul(&pt.z, &pt.z);
        let s = self.mul(&BigUint::from(4u8), &self.mul(&pt.x, &yy));
        let m = (BigUint::from(3u8) * &xx + self.mul(&self.a, &self.mul(&zz, &zz))) % &self.p;
        let x3 = self.sub(&self.mul(&m, &m), &((&s << 1u8) % &self.p));
        let y3 = self.sub(
            &self.mul(&m, &self.sub(&s, &x3)),
            &((&yyyy << 3u8) % &self.p),
        );
        let z3 = self.mul(&BigUint::from(2u8), &self.mul(&pt.y, &pt.z));
        Jac {
            x: x3,
            y: y3,
            z: z3,
        }
    }
    fn add(&self, p1: &Jac, p2: &Jac) -> Jac {
        if p1.z == BigUint::ZERO {
            return p2.clone();
        }
        if p2.z == BigUint::ZERO {
            return p1.clone();
        }
        let z1z1 = self.mul(&p1.z, &p1.z);
        let z2z2 = self.mul(&p2.z, &p2.z);
        let u1 = self.mul(&p1.x, &z2z2);
        let u2 = self.mul(&p2.x, &z1z1);
        let s1 = self.mul(&p1.y, &self.mul(&p2.z, &z2z2));
        let s2 = self.mul(&p2.y, &self.mul(&p1.z, &z1z1));
        let h = self.sub(&u2, &u1);
        let r = self.sub(&s2, &s1);
        if h == BigUint::ZERO {
            return if r == BigUint::ZERO {
                self.double(p1)
            } else {
                Jac::infinity()
            };
        }
        let hh = self.mul(&h, &h);
        let hhh = self.mul(&h, &hh);
        let v = self.mul(&u1, &hh);
        let x3 = self.sub(&self.sub(&self.mul(&r, &r), &hhh), &((&v << 1u8) % &self.p));
        let y3 = self.sub(&self.mul(&r, &self.sub(&v, &x3)), &self.mul(&s1, &hhh));
        let z3 = self.mul(&self.mul(&p1.z, &p2.z), &h);
        Jac {
            x: x3,
            y: y3,
            z: z3,
        }
    }
    /// u1·G + u2·Q (Shamir's trick), returned in affine x, or None at infinity.
    fn lincomb_x(&self, u1: &BigUint, u2: &BigUint, q: &Jac) -> Option<BigUint> {
        let g = Jac {
            x: self.gx.clone(),
            y: self.gy.clone(),
            z: BigUint::from(1u8),
        };
        let gq = self.add(&g, q);
        let bits = u1.bits().max(u2.bits());
        let mut acc = Jac::infinity();
        for i in (0..bits).rev() {
            acc = self.double(&acc);
            match (u1.bit(i), u2.bit(i)) {
                (true, true) => acc = self.add(&acc, &gq),
                (true, false) => acc = self.add(&acc, &g),
                (false, true) => acc = self.add(&acc, q),
                (false, false) => {}
            }
        }
        if acc.z == BigUint::ZERO {
            return None;
        }
        let two = BigUint::from(2u8);
        let zinv = acc.z.modpow(&(&self.p - &two), &self.p);
        let zinv2 = self.mul(&zinv, &zinv);
        Some(self.mul(&acc.x, &zinv2))
    }

    /// ECDSA verification (SEC 1 §4.1.4, BSI TR-03111 §4.2.1.2) of (r, s) over `hash` with the
    /// uncompressed public point `q` (`04 || x || y`).
    pub fn verify(&self, q: &[u8], hash: &[u8], r: &[u8], s: &[u8]) -> Result<(), String> {
        let fl = self.field_len();
        if q.len() != 1 + 2 * fl || q[0] != 0x04 {
            return Err("public point is not an uncompressed point of the curve's size".into());
        }
        let qx = BigUint::from_bytes_be(&q[1..1 + fl]);
        let qy = BigUint::from_bytes_be(&q[1 + fl..]);
        if !self.on_curve(&qx, &qy) {
            return Err("public point is not on the curve".into());
        }
        let r = BigUint::from_bytes_be(r);
        let s = BigUint::from_bytes_be(s);
        if r == BigUint::ZERO || s == BigUint::ZERO || r >= self.n || s >= self.n {
            return Err("signature value r or s out of range".into());
        }
        let nbits = self.n.bits();
        let mut e = BigUint::from_bytes_be(hash);
        let hbits = (hash.len() as u64) * 8;
        if hbits > nbits {
            e >>= hbits - nbits;
        }
        let two = BigUint::from(2u8);
        let w = s.modpow(&(&self.n - &two), &self.n);
        let u1 = (&e * &w) % &self.n;
        let u2 = (&r * &w) % &self.n;
        let q = Jac {
            x: qx,
            y: qy,
            z: BigUint::from(1u8),
        };
        match self.lincomb_x(&u1, &u2, &q) {
            Some(x) if &x % &self.n == r => Ok(()),
            _ => Err("ECDSA signature does not verify".into()),
        }
    }
}

#[derive(Clone)]
struct Jac {
    x: BigUint,
    y: BigUint,
    z: BigUint,
}

impl Jac {
    fn infinity() -> Self {
        Jac {
            x: BigUint::from(1u8),
            y: BigUint::from(1u8),
            z: BigUint::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_on_their_curves() {
        for c in CURVES {
            let d = c.domain();
            assert!(d.on_curve(&d.gx, &d.gy), "{}", c.name);
            assert_eq!(identify(&d).map(|x| x.name), Some(c.name));
            assert_eq!(d.field_len(), c.field_len(), "{}", c.name);
        }
    }
}
