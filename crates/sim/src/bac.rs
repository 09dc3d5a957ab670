//! The chip side of Basic Access Control (ICAO 9303-11 §4.3, §9.7): MUTUAL AUTHENTICATE.
//!
//! GET CHALLENGE (answered by the core) gives `RND.IC`; [`BacHandler`] checks the terminal's
//! `E_IFD || M_IFD` with the keys derived from the chip's MRZ, answers `E_IC || M_IC`, and installs
//! 3DES secure messaging ([`crate::sm::SmChannel`]) for every later command. The cryptography is
//! `epassport_chip::bac::BacChip`, the same code the terminal's side is tested with against ICAO
//! 9303-11 Appendix D.
//!
//! Refusals, as chips give them: a wrong key (bad MAC or nonces) → 6300; no challenge taken
//! first → 6985; P1/P2 not zero → 6A86; data not 40 bytes → 6700; BAC not supported or no MRZ
//! configured → not handled (6D00).

use epassport_card::{Command, Response, StatusWord};
use epassport_chip::bac::{BacChip, BacNonces, bac_keys};
use zeroize::Zeroizing;

use crate::protocol::{AccessMethod, ChipContext, ProtocolHandler};
use crate::sm::SmChannel;

/// The BAC handler (INS `82`).
#[derive(Debug, Default)]
pub struct BacHandler;

fn sw(v: u16) -> Response {
    Response::new(Vec::new(), StatusWord(v))
}

impl ProtocolHandler for BacHandler {
    fn name(&self) -> &'static str {
        "bac"
    }

    fn handle(&mut self, command: &Command, ctx: &mut ChipContext<'_>) -> Option<Response> {
        if command.ins != 0x82 || !ctx.config().bac {
            return None;
        }
        let info = ctx.config().mrz_information()?;
        if command.p1 != 0 || command.p2 != 0 {
            return Some(sw(0x6A86));
        }
        if command.data.len() != 40 {
            return Some(sw(0x6700));
        }
        let Some(challenge) = ctx.take_challenge() else {
            return Some(sw(0x6985));
        };
        let Ok(rnd_ic) = <[u8; 8]>::try_from(challenge.as_slice()) else {
            return Some(sw(0x6985));
        };
        let mut k_ic = Zeroizing::new([0u8; 16]);
        ctx.rng().fill(&mut k_ic[..]);
        let chip = BacChip::new(bac_keys(&info), BacNonces::new(rnd_ic, *k_ic));
        match chip.respond(&command.data) {
            Ok((data, sm)) => {
                ctx.install_secure_channel(Box::new(SmChannel::new(sm)));
                ctx.security_mut().access_control = Some(AccessMethod::Bac);
                Some(Response::new(data.to_vec(), StatusWord::OK))
            }
            Err(_) => Some(sw(0x6300)),
        }
    }
}
