//! ICAO Doc 9303-11 (8th edition, 2021), Appendix F "Worked example: Active Authentication":
//! RSA with a 1024-bit modulus, SHA-1, the implicit trailer `BC`, partial message recovery.
//! Every published value is asserted: RND.IFD (= M2), the lengths c and L_M1, M1, M = M1 || M2,
//! H = SHA-1(M), the message representative F = 6A || M1 || H || BC, and on the terminal's side
//! (steps 12–18) the trailer, the digest D, the recovered M1, M* and D*.
//!
//! The appendix publishes the signature S but not the key pair, so S itself cannot be checked;
//! the full signature path is exercised with a seeded 1024-bit key of our own: the chip side
//! signs the published M1 for the published RND.IFD, the raw RSA public operation on its answer
//! must give the published F, and our verifier must accept it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_chip::aa::{self, AaError, AaEvidence, AaPrivateKey, AaPublicKey};
use epassport_chip::hash::HashAlg;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rsa::traits::PublicKeyParts;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Step 1: RND.IFD; step 3: M2 = RND.IFD.
const RND_IFD: &str = "F173589974BF40C6";
/// Step 6: the chip's nonce M1 (L_M1 = 848 bits).
const M1: &str = concat!(
    "9D2784A67F8E7C659973EA1AEA25D95B",
    "6C8F91E5002F369F0FBDCE8A3CEC1991",
    "B543F1696546C5524CF23A5303CD6C98",
    "599F40B79F377B5F3A1406B3B4D8F967",
    "84D23AA88DB7E1032A405E69325FA91A",
    "6E86F5C71AEA978264C4A207446DAD4E",
    "7292E2DCDA3024B47DA8",
);
/// Step 7: M = M1 || M2.
const M: &str = concat!(
    "9D2784A67F8E7C659973EA1AEA25D95B",
    "6C8F91E5002F369F0FBDCE8A3CEC1991",
    "B543F1696546C5524CF23A5303CD6C98",
    "599F40B79F377B5F3A1406B3B4D8F967",
    "84D23AA88DB7E1032A405E69325FA91A",
    "6E86F5C71AEA978264C4A207446DAD4E",
    "7292E2DCDA3024B47DA8F173589974BF",
    "40C6",
);
/// Step 8: H = SHA-1(M); step 14: D; step 17: D*.
const H: &str = "C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127";
/// Step 9: F = 6A || M1 || H || T; step 12: F after the public-key operation.
const F: &str = concat!(
    "6A9D2784A67F8E7C659973EA1AEA25D9",
    "5B6C8F91E5002F369F0FBDCE8A3CEC19",
    "91B543F1696546C5524CF23A5303CD6C",
    "98599F40B79F377B5F3A1406B3B4D8F9",
    "6784D23AA88DB7E1032A405E69325FA9",
    "1A6E86F5C71AEA978264C4A207446DAD",
    "4E7292E2DCDA3024B47DA8C063AA1E6D",
    "22FBD976AB0FE73D94D2D9C6D88127BC",
);
/// Step 4: the trailer T = BC (SHA-1), t = 1.
const T: u8 = 0xBC;

#[test]
fn chip_steps_3_to_9_build_the_published_representative() {
    let (k, lh, t) = (1024usize, 160usize, 1usize);
    // Step 5.
    let c = k - lh - 8 * t - 4;
    assert_eq!(c, 852);
    let l_m1 = c - 4;
    assert_eq!(l_m1, 848);
    assert_eq!(unhex(M1).len() * 8, l_m1);
    // Step 7.
    assert_eq!([unhex(M1), unhex(RND_IFD)].concat(), unhex(M));
    // Step 8.
    assert_eq!(HashAlg::Sha1.digest(&[&unhex(M)]), unhex(H));
    assert_eq!(
        HashAlg::Sha1.digest(&[&unhex(M1), &unhex(RND_IFD)]),
        unhex(H)
    );
    // Step 9.
    assert_eq!(
        [vec![0x6A], unhex(M1), unhex(H), vec![T]].concat(),
        unhex(F)
    );
    assert_eq!(unhex(F).len(), k / 8);
}

#[test]
fn terminal_steps_13_to_18_recover_the_published_message() {
    let r = aa::recover_message(&unhex(F), &unhex(RND_IFD)).unwrap();
    // Step 13: the trailer names SHA-1.
    assert_eq!(r.hash, HashAlg::Sha1);
    assert!(r.implicit_trailer);
    // Step 14: D.
    assert_eq!(r.digest, unhex(H));
    // Step 15: M1.
    assert_eq!(r.m1, unhex(M1));
    // Steps 16–18: M* = M1 || RND.IFD, D* = SHA-1(M*) = D.
    let m_star = [r.m1.clone(), unhex(RND_IFD)].concat();
    assert_eq!(m_star, unhex(M));
    assert_eq!(HashAlg::Sha1.digest(&[&m_star]), r.digest);
}

#[test]
fn the_representative_fails_for_another_challenge_or_alteration() {
    let mut rnd = unhex(RND_IFD);
    rnd[0] ^= 0x80;
    assert_eq!(
        aa::recover_message(&unhex(F), &rnd),
        Err(AaError::DigestMismatch)
    );
    let mut f = unhex(F);
    f[0] = 0x4A;
    assert_eq!(
        aa::recover_message(&f, &unhex(RND_IFD)),
        Err(AaError::BadHeader(0x4A))
    );
    let mut f = unhex(F);
    f[50] ^= 1;
    assert_eq!(
        aa::recover_message(&f, &unhex(RND_IFD)),
        Err(AaError::DigestMismatch)
    );
    let mut f = unhex(F);
    *f.last_mut().unwrap() = 0xBD;
    assert!(matches!(
        aa::recover_message(&f, &unhex(RND_IFD)),
        Err(AaError::BadTrailer(_))
    ));
}

/// Steps 10–12 with a key of our own (the appendix publishes none): the chip's signature over
/// the published M1 and RND.IFD opens, under the public key, to the published F.
#[test]
fn signature_with_a_seeded_1024_bit_key_opens_to_the_published_representative() {
    let mut rng = StdRng::seed_from_u64(9303);
    let sk = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let pk = sk.to_public_key();
    let strip = |b: &[u8]| b[b.iter().take_while(|&&x| x == 0).count()..].to_vec();
    let n = strip(&pk.n().to_be_bytes());
    let e = strip(&pk.e().to_be_bytes());
    let chip = AaPrivateKey::Rsa(Box::new(sk), HashAlg::Sha1);
    let s = chip
        .sign(&mut rng, &unhex(RND_IFD), &unhex(M1), HashAlg::Sha1)
        .unwrap();
    assert_eq!(s.len(), 128);

    // Step 12: F = S^e mod n (or n - that, ISO/IEC 9796-2 §B.6 lets the chip send min(s, n - s)).
    let precision = pk.n_bits_precision();
    let sb = rsa::BoxedUint::from_be_slice(&s, precision).unwrap();
    let j = rsa::hazmat::rsa_encrypt(&pk, &sb).unwrap();
    let alt = pk.n().as_ref().wrapping_sub(&j);
    let pick = |x: &rsa::BoxedUint| {
        let b = x.to_be_bytes();
        b[b.len() - 128..].to_vec()
    };
    let opened = if pick(&j).last() == Some(&T) {
        pick(&j)
    } else {
        pick(&alt)
    };
    assert_eq!(opened, unhex(F));

    // And the verifier accepts it, naming what it found.
    let key = AaPublicKey::Rsa { n, e };
    let ev = aa::verify(&key, None, &unhex(RND_IFD), &s).unwrap();
    assert_eq!(
        ev,
        AaEvidence::Rsa {
            key_bits: 1024,
            hash: HashAlg::Sha1,
            implicit_trailer: true,
            m1_len: 106,
        }
    );
}
