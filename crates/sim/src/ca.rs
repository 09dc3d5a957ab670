//! The chip side of Chip Authentication (ICAO 9303-11 §6.2) through `epassport_chip::ca`:
//! MSE:Set KAT (3DES) or MSE:Set AT + GENERAL AUTHENTICATE (AES), then secure messaging restarts
//! with the keys derived from the chip's static key in `chip.json`'s `ca_private_key` and the
//! terminal's ephemeral key. A "clone" fixture has the genuine DG14 but another private key: it
//! answers as a chip would and derives different keys, which the terminal detects.
//!
//! When the chosen key's ChipAuthenticationInfo has version 2 (BSI TR-03110), GENERAL
//! AUTHENTICATE is answered with a fresh 8-byte nonce `r_PICC` (from the chip's random source, so
//! worked examples can script it) and the token `T_PICC`, and the keys are `KDF(K, r_PICC, c)`;
//! otherwise with `7C 00` (CA version 1, ICAO 9303-11 §6.2.4.2).

use crate::fs::Ef;
use crate::protocol::{ChipContext, ProtocolHandler};
use crate::sm::SmChannel;
use epassport_card::{Command, Response, StatusWord};
use epassport_chip::ca::{self, CaParameters};
use epassport_chip::crypto::PrivateKey;
use epassport_lds::security_infos::{self as si, CaProtocol, SecurityInfos};
use epassport_tlv::{self as tlv, Tag};

/// Chip Authentication, chip role.
#[derive(Default)]
pub struct CaHandler {
    /// The protocol chosen by MSE:Set AT, waiting for GENERAL AUTHENTICATE.
    pending: Option<(CaProtocol, Option<Vec<u8>>)>,
}

fn sw(v: u16) -> Response {
    Response::new(Vec::new(), StatusWord(v))
}

/// The chip's CA configurations (from DG14, else EF.CardSecurity) and its static private key.
fn chip_keys(ctx: &ChipContext<'_>) -> Option<(Vec<CaParameters>, PrivateKey)> {
    let infos = ctx
        .file(Ef::Dg(14))
        .and_then(|d| SecurityInfos::parse_dg14(d).ok())
        .or_else(|| ctx.file(Ef::CardSecurity).and_then(card_security_infos))?;
    let params = CaParameters::from_security_infos(&infos).ok()?;
    let der = ctx.config().ca_private_key.as_ref()?;
    let value = ca::pkcs8_private_value(der).ok()?;
    let group = &params.first()?.group;
    let sk = group.private_key(&value).ok()?;
    Some((params, sk))
}

fn card_security_infos(bytes: &[u8]) -> Option<SecurityInfos> {
    SecurityInfos::parse(si::card_security_content(bytes).ok()?).ok()
}

impl CaHandler {
    fn agree(
        &mut self,
        ctx: &mut ChipContext<'_>,
        protocol: CaProtocol,
        key_id: Option<&[u8]>,
        terminal_public: &[u8],
        general_authenticate: bool,
    ) -> Result<Option<Vec<u8>>, Response> {
        let (params, sk) = chip_keys(ctx).ok_or_else(|| sw(0x6A88))?;
        let key_id = key_id.map(|b| b.iter().fold(0i64, |a, &x| (a << 8) | i64::from(x)));
        let key_matches = |p: &&CaParameters| {
            p.protocol.agreement == protocol.agreement
                && (key_id.is_none() || p.key_id.is_none() || p.key_id == key_id)
        };
        // The exact protocol when the chip lists it (its version decides the answer), else any
        // key of the same agreement (a public key without a ChipAuthenticationInfo).
        let chosen = params
            .iter()
            .filter(key_matches)
            .find(|p| p.protocol == protocol)
            .or_else(|| params.iter().find(key_matches))
            .ok_or_else(|| sw(0x6A80))?;
        let cipher = epassport_chip::pace::sm_cipher(protocol.cipher);
        let (sm, answer) = if general_authenticate && chosen.version == Some(2) {
            let mut nonce = [0u8; 8];
            ctx.rng().fill(&mut nonce);
            let (sm, token) = ca::chip_session_v2(
                &chosen.group,
                &sk,
                terminal_public,
                cipher,
                &protocol.oid(),
                &nonce,
            )
            .map_err(|_| sw(0x6A80))?;
            (sm, Some(ca::ga_response_v2(&nonce, &token)))
        } else {
            let sm = ca::chip_session(&chosen.group, &sk, terminal_public, cipher)
                .map_err(|_| sw(0x6A80))?;
            (sm, None)
        };
        ctx.install_secure_channel(Box::new(SmChannel::new(sm)));
        ctx.security_mut().chip_authenticated = true;
        Ok(answer)
    }
}

impl ProtocolHandler for CaHandler {
    fn name(&self) -> &'static str {
        "chip-authentication"
    }

    fn handle(&mut self, command: &Command, ctx: &mut ChipContext<'_>) -> Option<Response> {
        match (command.ins, command.p1, command.p2) {
            // MSE:Set KAT (CA with 3DES).
            (0x22, 0x41, 0xA6) => {
                if !ctx.security().access_control_done() {
                    return Some(sw(0x6982));
                }
                let Ok(dos) = tlv::parse_all(&command.data) else {
                    return Some(sw(0x6A80));
                };
                let Some(pk) = dos.iter().find(|d| d.tag == Tag(0x91)) else {
                    return Some(sw(0x6A80));
                };
                let key_id = dos.iter().find(|d| d.tag == Tag(0x84)).map(|d| d.value);
                let protocol = CaProtocol {
                    agreement: if pk.value.first() == Some(&0x04) && pk.value.len() % 2 == 1 {
                        si::KeyAgreement::Ecdh
                    } else {
                        si::KeyAgreement::Dh
                    },
                    cipher: si::Cipher::Tdes,
                };
                Some(match self.agree(ctx, protocol, key_id, pk.value, false) {
                    Ok(_) => sw(0x9000),
                    Err(r) => r,
                })
            }
            // MSE:Set AT for Chip Authentication (PACE uses P1 = C1).
            (0x22, 0x41, 0xA4) => {
                let dos = tlv::parse_all(&command.data).ok()?;
                let oid = dos.iter().find(|d| d.tag == Tag(0x80))?;
                let protocol = CaProtocol::from_oid(&epassport_lds::Oid(oid.value.to_vec()))?;
                if !ctx.security().access_control_done() {
                    return Some(sw(0x6982));
                }
                let key_id = dos
                    .iter()
                    .find(|d| d.tag == Tag(0x84))
                    .map(|d| d.value.to_vec());
                self.pending = Some((protocol, key_id));
                Some(sw(0x9000))
            }
            // GENERAL AUTHENTICATE after a CA MSE:Set AT.
            (0x86, 0x00, 0x00) if self.pending.is_some() => {
                let (protocol, key_id) = self.pending.take()?;
                let Ok(outer) = tlv::parse_exact(&command.data, Tag(0x7C)) else {
                    return Some(sw(0x6A80));
                };
                let Ok(Some(pk)) = outer.find(Tag(0x80)) else {
                    return Some(sw(0x6A80));
                };
                Some(
                    match self.agree(ctx, protocol, key_id.as_deref(), pk.value, true) {
                        Ok(Some(answer)) => Response::new(answer, StatusWord::OK),
                        Ok(None) => Response::new(vec![0x7C, 0x00], StatusWord::OK),
                        Err(r) => r,
                    },
                )
            }
            _ => None,
        }
    }

    fn reset(&mut self) {
        self.pending = None;
    }
}
