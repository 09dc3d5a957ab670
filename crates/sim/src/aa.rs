//! The chip side of Active Authentication (ICAO 9303-11 §6.1) through `epassport_chip::aa`:
//! INTERNAL AUTHENTICATE signs the terminal's 8-byte challenge with `chip.json`'s
//! `aa_private_key` (PKCS#8: RSA with ISO/IEC 9796-2 scheme 1, or ECDSA on P-256/P-384 over the
//! hash DG14's ActiveAuthenticationInfo names). `protocol_options.aa_rsa_hash` ("sha1",
//! "sha256"...) picks the RSA trailer's hash; SHA-1 with the implicit `BC` trailer by default.

use crate::fs::Ef;
use crate::protocol::{ChipContext, ProtocolHandler};
use epassport_card::{Command, Response, StatusWord};
use epassport_chip::aa::AaPrivateKey;
use epassport_chip::hash::HashAlg;
use epassport_lds::security_infos::SecurityInfos;

/// Active Authentication, chip role.
#[derive(Default)]
pub struct AaHandler;

fn sw(v: u16) -> Response {
    Response::new(Vec::new(), StatusWord(v))
}

fn hash_named(name: &str) -> Option<HashAlg> {
    match name.to_ascii_lowercase().replace('-', "").as_str() {
        "sha1" => Some(HashAlg::Sha1),
        "sha224" => Some(HashAlg::Sha224),
        "sha256" => Some(HashAlg::Sha256),
        "sha384" => Some(HashAlg::Sha384),
        "sha512" => Some(HashAlg::Sha512),
        _ => None,
    }
}

/// The ECDSA hash DG14's ActiveAuthenticationInfo names.
fn dg14_ec_hash(ctx: &ChipContext<'_>) -> Option<HashAlg> {
    let infos = SecurityInfos::parse_dg14(ctx.file(Ef::Dg(14))?).ok()?;
    epassport_chip::aa::ec_hash_from_oid(&infos.active_authentication()?.signature_algorithm.0)
}

fn private_key(ctx: &ChipContext<'_>) -> Option<AaPrivateKey> {
    use p256::pkcs8::DecodePrivateKey;
    let der = ctx.config().aa_private_key.as_ref()?;
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        let hash = ctx
            .config()
            .protocol_options
            .get("aa_rsa_hash")
            .and_then(|v| v.as_str())
            .and_then(hash_named)
            .unwrap_or(HashAlg::Sha1);
        return Some(AaPrivateKey::Rsa(Box::new(k), hash));
    }
    if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Some(AaPrivateKey::P256(k));
    }
    p384::ecdsa::SigningKey::from_pkcs8_der(der)
        .ok()
        .map(AaPrivateKey::P384)
}

impl ProtocolHandler for AaHandler {
    fn name(&self) -> &'static str {
        "active-authentication"
    }

    fn handle(&mut self, command: &Command, ctx: &mut ChipContext<'_>) -> Option<Response> {
        if command.ins != 0x88 {
            return None;
        }
        if !ctx.security().access_control_done() {
            return Some(sw(0x6982));
        }
        if command.p1 != 0 || command.p2 != 0 {
            return Some(sw(0x6A86));
        }
        if command.data.len() != 8 {
            return Some(sw(0x6700));
        }
        let Some(key) = private_key(ctx) else {
            return Some(sw(0x6D00));
        };
        let m1_len = match &key {
            AaPrivateKey::Rsa(k, hash) => {
                use rsa::traits::PublicKeyParts;
                let t = if *hash == HashAlg::Sha1 { 1 } else { 2 };
                k.size().saturating_sub(1 + hash.len() + t)
            }
            _ => 0,
        };
        let m1 = ctx.rng().bytes(m1_len);
        let ec_hash = dg14_ec_hash(ctx).unwrap_or(match &key {
            AaPrivateKey::P384(_) => HashAlg::Sha384,
            _ => HashAlg::Sha256,
        });
        match key.sign(ctx.rng(), &command.data, &m1, ec_hash) {
            Ok(sig) => Some(Response::new(sig, StatusWord::OK)),
            Err(_) => Some(sw(0x6F00)),
        }
    }
}
