//! The groups of `epassport_chip::crypto`: every standardised domain parameter set is internally
//! consistent, and the generic curve arithmetic agrees with the RustCrypto curve crates.

#![allow(clippy::unwrap_used)]
use epassport_chip::crypto::{CryptoError, Element, Group, standard};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn every_standard_curve_has_prime_order_generator() {
    let mut checked = 0;
    for id in standard::STANDARD_IDS {
        let g = Group::standard(id).unwrap();
        match &g {
            Group::Ec(c) => {
                // n·G = O and (n-1)·G = -G (same x).
                let n = c.n_bytes();
                let ng = c.mul(&n, c.generator());
                assert!(ng.is_infinity(), "id {id}: n·G is not infinity");
                let two_g = c.mul(&[2], c.generator());
                assert_eq!(two_g, c.add(c.generator(), c.generator()), "id {id}");
                assert!(c.is_on_curve(&two_g));
                checked += 1;
            }
            Group::Dh(d) => {
                // g^q = 1.
                let q = d.q_bytes().unwrap();
                let gq = d.exp(&d.generator(), &q);
                let enc = d.encode(&gq);
                assert_eq!(enc.last(), Some(&1), "id {id}");
                assert!(
                    enc[..enc.len() - 1].iter().all(|&b| b == 0),
                    "id {id}: g^q != 1"
                );
                checked += 1;
            }
        }
        assert!(standard::name(id).is_some());
    }
    assert_eq!(checked, 14);
    assert_eq!(
        Group::standard(3).unwrap_err(),
        CryptoError::UnknownDomainParameterId(3)
    );
}

#[test]
fn field_lengths() {
    let lens: Vec<(u8, usize)> = standard::STANDARD_IDS
        .iter()
        .map(|&id| (id, Group::standard(id).unwrap().field_len()))
        .collect();
    assert_eq!(
        lens,
        [
            (0, 128),
            (1, 256),
            (2, 256),
            (8, 24),
            (9, 24),
            (10, 28),
            (11, 28),
            (12, 32),
            (13, 32),
            (14, 40),
            (15, 48),
            (16, 48),
            (17, 64),
            (18, 66)
        ]
    );
}

macro_rules! cross_check {
    ($name:ident, $krate:ident, $sk:path, $id:expr) => {
        #[test]
        fn $name() {
            use $krate::elliptic_curve::sec1::ToSec1Point;
            let group = Group::standard($id).unwrap();
            let len = group.order_len();
            for seed in 1u8..=6 {
                // A scalar below n: a pattern with a zero top byte.
                let mut k: Vec<u8> = (0..len)
                    .map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed))
                    .collect();
                k[0] = 0;
                if seed == 1 {
                    // Small scalar: exercises leading zeros in the window loop.
                    k = vec![0; len];
                    k[len - 1] = 3;
                }
                let sk = <$sk>::from_slice(&k).unwrap();
                let expected = sk.public_key().to_sec1_point(false);
                let ours = group
                    .public_key(&group.private_key(&k).unwrap(), &group.generator())
                    .unwrap();
                assert_eq!(group.encode(&ours), expected.as_bytes(), "seed {seed}");
                // Decoding validates and round-trips.
                assert_eq!(group.decode(expected.as_bytes()).unwrap(), ours);
            }
        }
    };
}

cross_check!(p256_matches_rustcrypto, p256, p256::SecretKey, 12);
cross_check!(p384_matches_rustcrypto, p384, p384::SecretKey, 15);
cross_check!(p521_matches_rustcrypto, p521, p521::SecretKey, 18);
cross_check!(bp256_matches_rustcrypto, bp256, bp256::r1::SecretKey, 13);
cross_check!(bp384_matches_rustcrypto, bp384, bp384::r1::SecretKey, 16);

#[test]
fn ecdh_is_symmetric_on_every_curve_and_left_pads() {
    // Scalars whose product point has a short x-coordinate are rare; check at least that every
    // encoding has the full length and both sides agree.
    for id in standard::STANDARD_IDS {
        let g = Group::standard(id).unwrap();
        let a = g.private_key(&[0x11; 20]).unwrap();
        let b = g.private_key(&[0x07; 19]).unwrap();
        let pa = g.public_key(&a, &g.generator()).unwrap();
        let pb = g.public_key(&b, &g.generator()).unwrap();
        let ka = g.shared_secret(&a, &pb).unwrap();
        let kb = g.shared_secret(&b, &pa).unwrap();
        assert_eq!(*ka, *kb, "id {id}");
        assert_eq!(ka.len(), g.field_len(), "id {id}");
        let enc = g.encode(&pa);
        let expected = if g.is_ec() {
            1 + 2 * g.field_len()
        } else {
            g.field_len()
        };
        assert_eq!(enc.len(), expected, "id {id}");
    }
}

#[test]
fn short_coordinates_are_left_padded() {
    // Search small scalars on brainpoolP256r1 for a point whose x starts with a zero byte.
    let g = Group::standard(13).unwrap();
    let Group::Ec(c) = &g else { unreachable!() };
    let mut p = c.generator().clone();
    let mut found = false;
    for _ in 0..2000 {
        p = c.add(&p, c.generator());
        let enc = c.encode_point(&p);
        if enc[1] == 0 {
            assert_eq!(enc.len(), 65);
            assert_eq!(c.x_coordinate(&p).unwrap().len(), 32);
            assert_eq!(g.decode(&enc).unwrap(), Element::Ec(p.clone()));
            found = true;
            break;
        }
    }
    assert!(
        found,
        "no point with a leading zero byte among the first 2000 multiples"
    );
}

#[test]
fn invalid_public_keys_are_refused_precisely() {
    let g = Group::standard(13).unwrap();
    let good = g.encode(&g.generator());
    let mut off = good.clone();
    off[64] ^= 1;
    assert_eq!(
        g.decode(&off).unwrap_err(),
        CryptoError::InvalidPublicKey {
            reason: "point is not on the curve",
            len: 65
        }
    );
    assert_eq!(
        g.decode(&good[..64]).unwrap_err(),
        CryptoError::InvalidPublicKey {
            reason: "uncompressed point has the wrong length",
            len: 64
        }
    );
    let mut compressed = good.clone();
    compressed[0] = 0x02;
    assert_eq!(
        g.decode(&compressed).unwrap_err(),
        CryptoError::InvalidPublicKey {
            reason: "point is not in uncompressed form (04)",
            len: 65
        }
    );
    let dh = Group::standard(0).unwrap();
    assert_eq!(
        dh.decode(&[1]).unwrap_err(),
        CryptoError::InvalidPublicKey {
            reason: "DH public value is 0, 1 or p-1",
            len: 1
        }
    );
    assert_eq!(
        dh.decode(&[2]).unwrap_err(),
        CryptoError::InvalidPublicKey {
            reason: "DH public value is not in the subgroup of order q",
            len: 1
        }
    );
    assert_eq!(
        dh.decode(&[0xFF; 128]).unwrap_err(),
        CryptoError::InvalidPublicKey {
            reason: "DH public value not below p",
            len: 128
        }
    );
}

#[test]
fn generic_mapping_matches_icao_appendix_g1_values() {
    // ICAO 9303-11 G.1: s, H and the mapped generator G~.
    let g = Group::standard(13).unwrap();
    let h = g
        .decode(&hex(
            "04 60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5
                0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181",
        ))
        .unwrap();
    let mapped = g
        .map_generic(&hex("3F00C4D39D153F2B2A214A078D899B22"), &h)
        .unwrap();
    assert_eq!(
        g.encode(&mapped),
        hex(
            "04 8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2
                8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
        )
    );
}

#[test]
fn integrated_mapping_point_encoding_matches_icao_appendix_h1() {
    let g = Group::standard(13).unwrap();
    let mapped = g
        .map_integrated(&hex(
            "E4447E2D FB3586BA C05DDB00 156B57FB B2179A39 49294C97 25418980 0C517BAA
             8DA0FF39 7ED8C445 D3E421E4 FEB57322",
        ))
        .unwrap();
    assert_eq!(
        g.encode(&mapped),
        hex(
            "04 8E82D315 59ED0FDE 92A4D049 8ADD3C23 BABA94FB 77691E31 E90AEA77 FB17D427
                4C1AE14B D0C3DBAC 0C871B7F 36081693 64437CA3 0AC243A0 89D3F266 C1E60FAD"
        )
    );
    // P-224 has p ≡ 1 (mod 4): no point encoding.
    assert!(matches!(
        Group::standard(10).unwrap().map_integrated(&[1, 2, 3]),
        Err(CryptoError::MappingUnsupported(_))
    ));
}

#[test]
fn private_keys_print_redacted() {
    let g = Group::standard(12).unwrap();
    let k = g.private_key(&[5; 32]).unwrap();
    assert_eq!(format!("{k:?}"), "PrivateKey(REDACTED)");
    assert_eq!(
        g.private_key(&[0; 32]).unwrap_err(),
        CryptoError::InvalidPrivateKey("zero")
    );
    assert_eq!(
        g.private_key(&[0xFF; 32]).unwrap_err(),
        CryptoError::InvalidPrivateKey("not below the group order")
    );
}
