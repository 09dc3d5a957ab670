//! Active Authentication (ICAO 9303-11 §6.1): a real chip's RSA answer, both ISO/IEC 9796-2
//! trailer forms, ECDSA on every supported curve, and every failure named.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
use epassport_card::{CardError, Transport};
use epassport_chip::aa::{self, AaError, AaEvidence, AaPrivateKey, AaPublicKey, Curve};
use epassport_chip::hash::HashAlg;
use epassport_tlv::{Tag, encode};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// A real chip's DG15 (RSA-1792), the terminal's RND.IFD and the chip's INTERNAL AUTHENTICATE
/// answer, as published in gmrtd's `activeauth/active_auth_test.go` (TestDoActiveAuth).
const REAL_DG15: &str = "6F8201023081FF300D06092A864886F70D01010105000381ED003081E90281E100BB8F93F4DC95E205CDA17C6927AB1E365B13065D03CD12E0FCE95D96840529453202F56CC4C13F77CD062930C8BC89A2873B257045C286E601CF3C09323A53103314902804AA10A314628CE222206A8866946A36B442041BB54AC81E6855DD1D6E16101833D65A191C20AC8B33B8A1A32920F46043F8031CF2BC17417030865FC5BE5A39DEE423BCBA3CA8177168EB23CFE01BA43EC87711B1CFFF85DB46F300DD8AE317B50D543B573E119E23AF7070D0B2FED6A3B2313A5EC02A531AAED1741F4390D1013E2A0F081EAC5DC8B0A1B2C6BDB1206F08D30E3643E1E5BDF536110203010001";
const REAL_RND_IFD: &str = "96302b0f3d7e7864";
const REAL_SIGNATURE: &str = "474256306840c0ab1b63c10e1c26bdfef4a0dd843920283cc4e6e70a60f2bd25dc7725f9677bc1cde66379dc28b38e8490f33afb2d10f9980c44c0bfc175d2b6684218f535c92fdd3e18db770a9ccbf91db3c7f0138e6d9e94b9bc8371761e3abed5e5e9b260279cfb238b58ae0d6a01da51c74c2a3ecd62c448bd9f20127f7384587287fa971204234e55b1a856c3e5aaaa620bb799a68fbae08ee132bb61683eba9b0b40dc1e54641cad975b16991cab50af82e3f3985afd19e7427a125f5b4b9878b12a5d2e01c7eedca3bb41c6fc05dccd818bce379d04b1f2f5d43487d3";

#[test]
fn real_chip_rsa_1792_answer_verifies() {
    let key = AaPublicKey::from_dg15(&unhex(REAL_DG15)).unwrap();
    assert_eq!(key.bits(), 1792);
    let ev = aa::verify(&key, None, &unhex(REAL_RND_IFD), &unhex(REAL_SIGNATURE)).unwrap();
    let AaEvidence::Rsa {
        key_bits,
        hash,
        implicit_trailer,
        m1_len,
    } = ev
    else {
        panic!("expected RSA evidence, got {ev:?}")
    };
    assert_eq!(key_bits, 1792);
    // This chip names SHA-256 in an explicit `34 CC` trailer.
    assert_eq!(hash, HashAlg::Sha256);
    assert!(!implicit_trailer);
    assert_eq!(m1_len, 224 - 1 - 32 - 2);
}

#[test]
fn real_chip_answer_to_another_challenge_fails() {
    let key = AaPublicKey::from_dg15(&unhex(REAL_DG15)).unwrap();
    let mut rnd = unhex(REAL_RND_IFD);
    rnd[7] ^= 1;
    assert_eq!(
        aa::verify(&key, None, &rnd, &unhex(REAL_SIGNATURE)),
        Err(AaError::DigestMismatch)
    );
}

#[test]
fn real_chip_answer_altered_fails() {
    let key = AaPublicKey::from_dg15(&unhex(REAL_DG15)).unwrap();
    let mut sig = unhex(REAL_SIGNATURE);
    sig[100] ^= 0x40;
    let err = aa::verify(&key, None, &unhex(REAL_RND_IFD), &sig).unwrap_err();
    assert!(
        matches!(
            err,
            AaError::NotARepresentative | AaError::BadHeader(_) | AaError::BadTrailer(_)
        ),
        "{err:?}"
    );
    assert_eq!(
        aa::verify(&key, None, &unhex(REAL_RND_IFD), &sig[..200]),
        Err(AaError::SignatureLength {
            expected: 224,
            found: 200
        })
    );
    assert_eq!(
        aa::verify(&key, None, &[1, 2, 3], &sig),
        Err(AaError::BadChallenge(3))
    );
}

#[test]
fn real_sample_dg15_from_shared_parses() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/realworld/lds/gmrtd-samples/DG15.bin"
    );
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        panic!("../shared/realworld is absent ({e}): this test needs the shared real-world samples")
    });
    let key = AaPublicKey::from_dg15(&bytes).unwrap();
    assert_eq!(key.bits(), 1792);
}

fn rsa_dg15(key: &rsa::RsaPrivateKey) -> Vec<u8> {
    use rsa::traits::PublicKeyParts;
    let int = |b: &[u8]| {
        let mut v = vec![0u8];
        v.extend_from_slice(b);
        encode(Tag(0x02), &v)
    };
    let n = key.n().as_ref().to_be_bytes_trimmed_vartime();
    let e = key.e().to_be_bytes_trimmed_vartime();
    let rsa_pub = encode(Tag(0x30), &[int(&n), int(&e)].concat());
    let alg = encode(
        Tag(0x30),
        &[
            encode(Tag(0x06), &unhex("2A864886F70D010101")),
            encode(Tag(0x05), &[]),
        ]
        .concat(),
    );
    let bits = encode(Tag(0x03), &[&[0u8][..], &rsa_pub].concat());
    encode(Tag(0x6F), &encode(Tag(0x30), &[alg, bits].concat()))
}

#[test]
fn rsa_both_trailer_forms_round_trip() {
    let mut rng = StdRng::seed_from_u64(7);
    let sk = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let key = AaPublicKey::from_dg15(&rsa_dg15(&sk)).unwrap();
    for hash in [
        HashAlg::Sha1,
        HashAlg::Sha224,
        HashAlg::Sha256,
        HashAlg::Sha384,
        HashAlg::Sha512,
    ] {
        let t_len = if hash == HashAlg::Sha1 { 1 } else { 2 };
        let m1 = vec![0x5A; 128 - 1 - hash.len() - t_len];
        let chip = AaPrivateKey::Rsa(Box::new(sk.clone()), hash);
        let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
        let sig = chip
            .sign(&mut rng, &challenge, &m1, HashAlg::Sha256)
            .unwrap();
        assert_eq!(sig.len(), 128);
        let ev = aa::verify(&key, None, &challenge, &sig).unwrap();
        assert_eq!(
            ev,
            AaEvidence::Rsa {
                key_bits: 1024,
                hash,
                implicit_trailer: hash == HashAlg::Sha1,
                m1_len: m1.len()
            }
        );
        // A clone's key signs correctly for itself but not for this DG15.
        let clone = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
        let forged = AaPrivateKey::Rsa(Box::new(clone), hash)
            .sign(&mut rng, &challenge, &m1, HashAlg::Sha256)
            .unwrap();
        assert!(aa::verify(&key, None, &challenge, &forged).is_err());
    }
}

fn ec_dg15(curve_oid: &str, point: &[u8]) -> Vec<u8> {
    let alg = encode(
        Tag(0x30),
        &[
            encode(Tag(0x06), &unhex("2A8648CE3D0201")),
            encode(Tag(0x06), &unhex(curve_oid)),
        ]
        .concat(),
    );
    let bits = encode(Tag(0x03), &[&[0u8][..], point].concat());
    encode(Tag(0x6F), &encode(Tag(0x30), &[alg, bits].concat()))
}

#[test]
fn ecdsa_on_every_supported_curve() {
    use ecdsa::signature::hazmat::PrehashSigner;
    use elliptic_curve::sec1::ToSec1Point;
    let challenge = *b"\x11\x22\x33\x44\x55\x66\x77\x88";
    macro_rules! case {
        ($c:ty, $oid:expr, $curve:expr) => {{
            let sk = ecdsa::SigningKey::<$c>::from_slice(&[0x42; 32]).unwrap_or_else(|_| {
                ecdsa::SigningKey::<$c>::from_slice(&[0x42; 48])
                    .unwrap_or_else(|_| ecdsa::SigningKey::<$c>::from_slice(&[0x01; 66]).unwrap())
            });
            let point = sk.verifying_key().as_affine().to_sec1_point(false);
            let key = AaPublicKey::from_dg15(&ec_dg15($oid, point.as_bytes())).unwrap();
            for hash in [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha512] {
                let sig: ecdsa::Signature<$c> =
                    sk.sign_prehash(&hash.digest(&[&challenge])).unwrap();
                let plain = sig.to_bytes().to_vec();
                assert_eq!(plain.len(), 2 * $curve.field_len());
                let ev = aa::verify(&key, Some(hash), &challenge, &plain).unwrap();
                assert_eq!(
                    ev,
                    AaEvidence::Ecdsa {
                        curve: $curve,
                        hash,
                        hash_assumed: false,
                        der_signature: false
                    }
                );
                let der = sig.to_der();
                let ev = aa::verify(&key, Some(hash), &challenge, der.as_bytes()).unwrap();
                assert!(matches!(
                    ev,
                    AaEvidence::Ecdsa {
                        der_signature: true,
                        ..
                    }
                ));
                let mut bad = plain.clone();
                bad[3] ^= 1;
                assert_eq!(
                    aa::verify(&key, Some(hash), &challenge, &bad),
                    Err(AaError::EcdsaInvalid)
                );
                let mut other = challenge;
                other[0] ^= 0xFF;
                assert_eq!(
                    aa::verify(&key, Some(hash), &other, &plain),
                    Err(AaError::EcdsaInvalid)
                );
            }
            // Without DG14's hash, the curve's default is assumed and said so.
            let def = $curve.default_hash();
            let sig: ecdsa::Signature<$c> = sk.sign_prehash(&def.digest(&[&challenge])).unwrap();
            let ev = aa::verify(&key, None, &challenge, &sig.to_bytes()).unwrap();
            assert!(matches!(
                ev,
                AaEvidence::Ecdsa {
                    hash_assumed: true,
                    ..
                }
            ));
        }};
    }
    case!(p256::NistP256, "2A8648CE3D030107", Curve::P256);
    case!(p384::NistP384, "2B81040022", Curve::P384);
    case!(p521::NistP521, "2B81040023", Curve::P521);
    case!(
        bp256::BrainpoolP256r1,
        "2B2403030208010107",
        Curve::BrainpoolP256r1
    );
    case!(
        bp384::BrainpoolP384r1,
        "2B240303020801010B",
        Curve::BrainpoolP384r1
    );
}

#[test]
fn explicit_parameters_are_recognised_by_generator() {
    use elliptic_curve::sec1::ToSec1Point;
    let g = p256::AffinePoint::GENERATOR.to_sec1_point(false);
    let params = |base: &[u8]| {
        encode(
            Tag(0x30),
            &[
                encode(Tag(0x02), &[1]),
                encode(
                    Tag(0x30),
                    &[
                        encode(Tag(0x06), &unhex("2A8648CE3D0101")),
                        encode(Tag(0x02), &[1]),
                    ]
                    .concat(),
                ),
                encode(
                    Tag(0x30),
                    &[encode(Tag(0x04), &[1]), encode(Tag(0x04), &[2])].concat(),
                ),
                encode(Tag(0x04), base),
                encode(Tag(0x02), &[1]),
            ]
            .concat(),
        )
    };
    let spki = |base: &[u8]| {
        let alg = encode(
            Tag(0x30),
            &[encode(Tag(0x06), &unhex("2A8648CE3D0201")), params(base)].concat(),
        );
        let bits = encode(Tag(0x03), &[&[0u8][..], g.as_bytes()].concat());
        encode(Tag(0x30), &[alg, bits].concat())
    };
    let key = AaPublicKey::from_spki(&spki(g.as_bytes())).unwrap();
    assert!(matches!(
        key,
        AaPublicKey::Ec {
            curve: Curve::P256,
            explicit_parameters: true,
            ..
        }
    ));
    let mut other = g.as_bytes().to_vec();
    other[10] ^= 1;
    assert_eq!(
        AaPublicKey::from_spki(&spki(&other)),
        Err(AaError::UnsupportedCurve("explicit parameters".into()))
    );
}

#[test]
fn malformed_dg15_is_named() {
    assert!(matches!(
        AaPublicKey::from_dg15(&[]),
        Err(AaError::MalformedKey(_))
    ));
    assert!(matches!(
        AaPublicKey::from_dg15(&[0x6F, 0x00]),
        Err(AaError::MalformedKey(_))
    ));
    // An unknown curve OID and an unknown algorithm are named, not guessed.
    assert_eq!(
        AaPublicKey::from_dg15(&ec_dg15("2B81040021", &[4; 57])),
        Err(AaError::UnsupportedCurve("2b81040021".into()))
    );
    let alg = encode(Tag(0x30), &encode(Tag(0x06), &unhex("2A8648CE380401")));
    let bits = encode(Tag(0x03), &[0, 1, 2]);
    let dsa = encode(Tag(0x6F), &encode(Tag(0x30), &[alg, bits].concat()));
    assert_eq!(
        AaPublicKey::from_dg15(&dsa),
        Err(AaError::UnsupportedKey("2a8648ce380401".into()))
    );
    // Every truncation of a valid DG15 fails cleanly.
    let dg15 = unhex(REAL_DG15);
    for cut in 0..dg15.len() {
        assert!(AaPublicKey::from_dg15(&dg15[..cut]).is_err());
    }
}

/// A chip that answers INTERNAL AUTHENTICATE from a closure.
struct Chip<F: FnMut(&[u8]) -> Vec<u8>>(F, usize);
impl<F: FnMut(&[u8]) -> Vec<u8>> Transport for Chip<F> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.1 += 1;
        Ok((self.0)(command))
    }
}

#[test]
fn internal_authenticate_over_a_transport() {
    let key = AaPublicKey::from_dg15(&unhex(REAL_DG15)).unwrap();
    let challenge: [u8; 8] = unhex(REAL_RND_IFD).try_into().unwrap();
    let mut chip = Chip(
        |cmd: &[u8]| {
            // 00 88 00 00 08 <RND.IFD> E0 (Le = 224, the modulus length)
            assert_eq!(&cmd[..5], &[0x00, 0x88, 0x00, 0x00, 0x08]);
            assert_eq!(&cmd[5..13], &unhex(REAL_RND_IFD)[..]);
            assert_eq!(&cmd[13..], &[0xE0]);
            let mut r = unhex(REAL_SIGNATURE);
            r.extend_from_slice(&[0x90, 0x00]);
            r
        },
        0,
    );
    assert!(aa::authenticate(&mut chip, &key, None, challenge).is_ok());
    assert_eq!(chip.1, 1);
    // A chip without AA answers 6D00: a precise error, not a verdict.
    let mut refusing = Chip(|_: &[u8]| vec![0x6D, 0x00], 0);
    let err = aa::authenticate(&mut refusing, &key, None, challenge).unwrap_err();
    assert!(
        matches!(
            err,
            AaError::Card(CardError::UnexpectedStatus { ins: 0x88, .. })
        ),
        "{err:?}"
    );
}
