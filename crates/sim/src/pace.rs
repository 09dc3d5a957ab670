//! The chip side of PACE (ICAO 9303-11 §4.4): MSE:Set AT (`00 22 C1 A4`) and the chained GENERAL
//! AUTHENTICATE (`x0 86 00 00`), over the PACEInfos of the chip's EF.CardAccess.
//!
//! The cryptography is `epassport_chip::pace::chip::PaceChip`, the same code as the terminal's,
//! which is tested against ICAO 9303-11 Appendices G and H. On success the handler installs
//! secure messaging with the PACE session keys ([`crate::sm::SmChannel`]) and records PACE as the
//! access control; with Chip Authentication Mapping it also records chip authentication.
//!
//! Configuration (fixture `chip.json` or [`crate::ChipBuilder`]):
//! - `pace: true` and an EF.CardAccess listing the PACEInfos (and any PACEDomainParameterInfo);
//! - passwords: the MRZ (`mrz`), the CAN (`can`), and `protocol_options.pace.pin` /
//!   `protocol_options.pace.puk` (strings) for ID cards;
//! - PACE-CAM: the static key is `ca_private_key` (PKCS#8 EC key on the PACE curve);
//! - `protocol_options.pace.require_parameter_id` (default `true`): answer 6A87 to an MSE:Set AT
//!   without DO'84' when EF.CardAccess lists several PACEInfos, as German, Polish and Ukrainian
//!   chips do.
//!
//! Refusals: unknown protocol or password not configured → 6A88; malformed data → 6A80; a step
//! out of order → 6985; the terminal's token does not verify (wrong MRZ/CAN) → 6300.

use epassport_card::{Command, Response, StatusWord};
use epassport_chip::crypto::PrivateKey;
use epassport_chip::pace::RandomEphemeral;
use epassport_chip::pace::chip::{ChipPasswords, ChipReply, PaceChip};
use epassport_lds::security_infos::SecurityInfos;
use epassport_tlv::{Tag, parse_exact};
use zeroize::Zeroizing;

use crate::config::ChipConfig;
use crate::fs::Ef;
use crate::protocol::{AccessMethod, ChipContext, ProtocolHandler};
use crate::sm::SmChannel;

/// The PACE handler.
pub struct PaceHandler {
    chip: PaceChip,
}

fn sw(v: StatusWord) -> Response {
    Response::new(Vec::new(), v)
}

/// The private scalar of a PKCS#8 `PrivateKeyInfo` holding an `ECPrivateKey` (RFC 5915), or of a
/// bare `ECPrivateKey`.
pub fn ec_private_scalar(der: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let outer = parse_exact(der, Tag(0x30)).ok()?;
    let kids = outer.children().ok()?;
    // PrivateKeyInfo: INTEGER 0, AlgorithmIdentifier, OCTET STRING { ECPrivateKey }.
    let ec = if kids.len() >= 3 && kids[1].tag == Tag(0x30) && kids[2].tag == Tag(0x04) {
        parse_exact(kids[2].value, Tag(0x30)).ok()?
    } else {
        outer
    };
    let f = ec.children().ok()?;
    let d = f.get(1).filter(|d| d.tag == Tag(0x04))?;
    Some(Zeroizing::new(d.value.to_vec()))
}

fn option_str(config: &ChipConfig, key: &str) -> Option<Zeroizing<String>> {
    config
        .protocol_options
        .get("pace")?
        .get(key)?
        .as_str()
        .map(|s| Zeroizing::new(s.to_string()))
}

impl PaceHandler {
    /// A handler from explicit parts (tests): the PACEInfos offered, the passwords, the CAM key.
    pub fn new(
        card_access: SecurityInfos,
        passwords: ChipPasswords,
        cam_key: Option<PrivateKey>,
    ) -> PaceHandler {
        PaceHandler {
            chip: PaceChip::new(card_access, passwords, cam_key),
        }
    }

    /// The handler for a chip configuration, or `None` when the chip has no PACE (no `pace`, or
    /// no parseable EF.CardAccess).
    pub fn from_config(config: &ChipConfig) -> Option<PaceHandler> {
        if !config.pace {
            return None;
        }
        let ca = config.files.get(&Ef::CardAccess)?;
        let infos = SecurityInfos::parse(ca).ok()?;
        let passwords = ChipPasswords {
            mrz_information: config.mrz_information(),
            can: config
                .can
                .as_ref()
                .map(|c| Zeroizing::new(c.expose().to_string())),
            pin: option_str(config, "pin"),
            puk: option_str(config, "puk"),
        };
        let cam_key = config
            .ca_private_key
            .as_ref()
            .and_then(|k| ec_private_scalar(k))
            .map(|d| PrivateKey::from_bytes(&d));
        let mut h = PaceHandler::new(infos, passwords, cam_key);
        if let Some(v) = config
            .protocol_options
            .get("pace")
            .and_then(|o| o.get("require_parameter_id"))
            .and_then(|v| v.as_bool())
        {
            h.chip.require_parameter_id = v;
        }
        Some(h)
    }

    /// Whether MSE:Set AT without DO'84' is refused when several PACEInfos are offered.
    pub fn require_parameter_id(mut self, on: bool) -> Self {
        self.chip.require_parameter_id = on;
        self
    }
}

impl ProtocolHandler for PaceHandler {
    fn name(&self) -> &'static str {
        "pace"
    }

    fn handle(&mut self, command: &Command, ctx: &mut ChipContext<'_>) -> Option<Response> {
        match (command.ins, command.p1, command.p2) {
            (0x22, 0xC1, 0xA4) => Some(match self.chip.mse_set_at(&command.data) {
                Ok(()) => sw(StatusWord::OK),
                Err(s) => sw(s),
            }),
            (0x86, 0x00, 0x00) if self.chip.in_progress() => {
                let mut eph = RandomEphemeral(ctx.rng());
                Some(
                    match self
                        .chip
                        .general_authenticate(command.cla, &command.data, &mut eph)
                    {
                        Ok(ChipReply::Buffered) => sw(StatusWord::OK),
                        Ok(ChipReply::Continue(data)) => Response::new(data, StatusWord::OK),
                        Ok(ChipReply::Done { data, sm, cam, .. }) => {
                            ctx.install_secure_channel(Box::new(SmChannel::new(sm)));
                            let sec = ctx.security_mut();
                            sec.access_control = Some(AccessMethod::Pace);
                            if cam {
                                sec.chip_authenticated = true;
                            }
                            Response::new(data, StatusWord::OK)
                        }
                        Err(s) => sw(s),
                    },
                )
            }
            _ => None,
        }
    }

    fn reset(&mut self) {
        self.chip.reset();
    }
}
