//! The chip side of PACE, for the software chip: MSE:Set AT and the four GENERAL AUTHENTICATE
//! steps, answering with the status words real chips use.

use epassport_card::StatusWord;
use epassport_lds::Oid;
use epassport_lds::security_infos::{Mapping, PaceProtocol, SecurityInfos};
use epassport_tlv::{Tag, TlvError, encode, parse_exact};
use zeroize::Zeroizing;

use super::{
    Ephemeral, PaceParameters, Password, PasswordKind, encrypt_cam_data, encrypt_nonce, nonce_len,
    pseudo_random, session_keys, token,
};
use crate::crypto::{Element, PrivateKey};
use crate::sm::{SecureMessaging, SmKeys};

/// 6300: the terminal's token did not verify (wrong password).
pub const SW_WRONG_TOKEN: StatusWord = StatusWord(0x6300);
/// 6A80: malformed data.
pub const SW_BAD_DATA: StatusWord = StatusWord(0x6A80);
/// 6A88: referenced data (password, protocol) not found.
pub const SW_NOT_FOUND: StatusWord = StatusWord(0x6A88);
/// 6A87: several PACEInfos but no parameter ID given.
pub const SW_AMBIGUOUS: StatusWord = StatusWord(0x6A87);
/// 6985: command out of sequence.
pub const SW_SEQUENCE: StatusWord = StatusWord(0x6985);

/// The passwords the chip knows.
#[derive(Clone, Default)]
pub struct ChipPasswords {
    /// MRZ_information (document number, birth date, expiry date with check digits).
    pub mrz_information: Option<Zeroizing<Vec<u8>>>,
    /// The CAN.
    pub can: Option<Zeroizing<String>>,
    /// The PIN (ID cards).
    pub pin: Option<Zeroizing<String>>,
    /// The PUK.
    pub puk: Option<Zeroizing<String>>,
}

impl ChipPasswords {
    fn get(&self, kind: PasswordKind) -> Option<Password> {
        match kind {
            PasswordKind::Mrz => self
                .mrz_information
                .as_ref()
                .map(|m| Password::mrz_information(m)),
            PasswordKind::Can => self.can.as_ref().and_then(|c| Password::can(c).ok()),
            PasswordKind::Pin => self.pin.as_ref().and_then(|c| Password::pin(c).ok()),
            PasswordKind::Puk => self.puk.as_ref().and_then(|c| Password::puk(c).ok()),
        }
    }
}

enum State {
    Idle,
    Ready {
        params: Box<PaceParameters>,
        password: Password,
    },
    NonceSent {
        params: Box<PaceParameters>,
        password: Password,
        s: Zeroizing<Vec<u8>>,
    },
    Mapped {
        params: Box<PaceParameters>,
        password: Password,
        generator: Element,
        map_sk: Option<PrivateKey>,
    },
    Agreed {
        params: Box<PaceParameters>,
        password: Password,
        keys: SmKeys,
        pk_terminal: Element,
        pk_chip: Element,
        map_sk: Option<PrivateKey>,
    },
}

/// What a GENERAL AUTHENTICATE produced.
pub enum ChipReply {
    /// A link of a chained command was buffered: answer 9000 without data.
    Buffered,
    /// Answer 9000 with this data; PACE continues.
    Continue(Vec<u8>),
    /// PACE completed: answer 9000 with this data, then start secure messaging.
    Done {
        /// The response data (`7C { 86 T_IC [8A A_IC] }`).
        data: Vec<u8>,
        /// Secure messaging with the session keys (SSC zero).
        sm: SecureMessaging,
        /// The password that was used.
        password: PasswordKind,
        /// True for Chip Authentication Mapping (the chip is then also chip-authenticated).
        cam: bool,
    },
}

/// The chip's PACE state machine.
pub struct PaceChip {
    infos: SecurityInfos,
    passwords: ChipPasswords,
    cam_key: Option<PrivateKey>,
    state: State,
    buffer: Vec<u8>,
    /// Answer 6A87 when EF.CardAccess has several PACEInfos and MSE:Set AT has no DO'84'.
    pub require_parameter_id: bool,
}

/// The most data one chained GENERAL AUTHENTICATE may accumulate.
pub const MAX_CHAINED: usize = 4096;

impl PaceChip {
    /// A chip offering the PACEInfos of `card_access`, knowing `passwords`, with the static
    /// private key for PACE-CAM if it supports CAM.
    pub fn new(
        card_access: SecurityInfos,
        passwords: ChipPasswords,
        cam_key: Option<PrivateKey>,
    ) -> PaceChip {
        PaceChip {
            infos: card_access,
            passwords,
            cam_key,
            state: State::Idle,
            buffer: Vec::new(),
            require_parameter_id: true,
        }
    }

    /// True between MSE:Set AT and the end of the run (GENERAL AUTHENTICATE is PACE's then).
    pub fn in_progress(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    /// Forgets any run in progress.
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.buffer.clear();
    }

    /// MSE:Set AT (`00 22 C1 A4`).
    pub fn mse_set_at(&mut self, data: &[u8]) -> Result<(), StatusWord> {
        self.reset();
        let tlvs = epassport_tlv::parse_all(data).map_err(|_| SW_BAD_DATA)?;
        let find = |t: u32| tlvs.iter().find(|x| x.tag == Tag(t)).map(|x| x.value);
        let oid = Oid(find(0x80).ok_or(SW_BAD_DATA)?.to_vec());
        let proto = PaceProtocol::from_oid(&oid).ok_or(SW_NOT_FOUND)?;
        let reference = *find(0x83).and_then(|v| v.first()).ok_or(SW_BAD_DATA)?;
        let kind = PasswordKind::from_reference(reference).ok_or(SW_NOT_FOUND)?;
        let param_id = match find(0x84) {
            Some([id]) => Some(*id as i64),
            Some(_) => return Err(SW_BAD_DATA),
            None => None,
        };
        let matching: Vec<_> = self
            .infos
            .pace_infos()
            .filter(|i| i.pace == proto && (param_id.is_none() || i.parameter_id == param_id))
            .collect();
        let info = match matching.as_slice() {
            [] => return Err(SW_NOT_FOUND),
            [one] => {
                if param_id.is_none()
                    && self.require_parameter_id
                    && self.infos.pace_infos().count() > 1
                    && one.parameter_id.is_some()
                {
                    return Err(SW_AMBIGUOUS);
                }
                (*one).clone()
            }
            _ => return Err(SW_AMBIGUOUS),
        };
        let params = PaceParameters::from_info(&info, &self.infos).map_err(|_| SW_NOT_FOUND)?;
        if proto.mapping == Mapping::ChipAuthentication && self.cam_key.is_none() {
            return Err(SW_NOT_FOUND);
        }
        let password = self.passwords.get(kind).ok_or(SW_NOT_FOUND)?;
        self.state = State::Ready {
            params: Box::new(params),
            password,
        };
        Ok(())
    }

    /// GENERAL AUTHENTICATE (`x0 86 00 00`) with its CLA and data.
    pub fn general_authenticate(
        &mut self,
        cla: u8,
        data: &[u8],
        eph: &mut dyn Ephemeral,
    ) -> Result<ChipReply, StatusWord> {
        if self.buffer.len() + data.len() > MAX_CHAINED {
            self.reset();
            return Err(SW_BAD_DATA);
        }
        self.buffer.extend_from_slice(data);
        let whole = match parse_exact(&self.buffer, Tag(0x7C)) {
            Ok(t) => t.value.to_vec(),
            Err(TlvError::ValueOverrun { .. } | TlvError::TruncatedLength { .. })
                if cla & 0x10 != 0 =>
            {
                return Ok(ChipReply::Buffered);
            }
            Err(_) => {
                self.reset();
                return Err(SW_BAD_DATA);
            }
        };
        self.buffer.clear();
        let r = self.step(cla, &whole, eph);
        if r.is_err() {
            self.reset();
        }
        r
    }

    fn step(
        &mut self,
        cla: u8,
        inner: &[u8],
        eph: &mut dyn Ephemeral,
    ) -> Result<ChipReply, StatusWord> {
        let tlvs = epassport_tlv::parse_all(inner).map_err(|_| SW_BAD_DATA)?;
        let get = |t: u32| tlvs.iter().find(|x| x.tag == Tag(t)).map(|x| x.value);
        let last = cla & 0x10 == 0;
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Idle => Err(SW_SEQUENCE),
            State::Ready { params, password } => {
                if last || !inner.is_empty() {
                    return Err(SW_SEQUENCE);
                }
                let cipher = params.cipher();
                let s = eph.nonce(nonce_len(cipher));
                let z =
                    encrypt_nonce(cipher, &password.key(cipher), &s).map_err(|_| SW_BAD_DATA)?;
                self.state = State::NonceSent {
                    params,
                    password,
                    s,
                };
                Ok(ChipReply::Continue(encode(
                    Tag(0x7C),
                    &encode(Tag(0x80), &z),
                )))
            }
            State::NonceSent {
                params,
                password,
                s,
            } => {
                if last {
                    return Err(SW_SEQUENCE);
                }
                let v = get(0x81).ok_or(SW_BAD_DATA)?;
                let group = &params.group;
                let cipher = params.cipher();
                match params.protocol.mapping {
                    Mapping::Generic | Mapping::ChipAuthentication => {
                        let pk_t = group.decode(v).map_err(|_| SW_BAD_DATA)?;
                        let sk = eph.mapping_key(group);
                        let pk = group
                            .public_key(&sk, &group.generator())
                            .map_err(|_| SW_BAD_DATA)?;
                        if pk == pk_t {
                            return Err(SW_BAD_DATA);
                        }
                        let h = group.agree_element(&sk, &pk_t).map_err(|_| SW_BAD_DATA)?;
                        let g = group.map_generic(&s, &h).map_err(|_| SW_BAD_DATA)?;
                        let out = encode(Tag(0x7C), &encode(Tag(0x82), &group.encode(&pk)));
                        self.state = State::Mapped {
                            params,
                            password,
                            generator: g,
                            map_sk: Some(sk),
                        };
                        Ok(ChipReply::Continue(out))
                    }
                    Mapping::Integrated => {
                        let x = pseudo_random(cipher, &s, v, group.field_bits())
                            .map_err(|_| SW_BAD_DATA)?;
                        let g = group.map_integrated(&x).map_err(|_| SW_BAD_DATA)?;
                        self.state = State::Mapped {
                            params,
                            password,
                            generator: g,
                            map_sk: None,
                        };
                        Ok(ChipReply::Continue(encode(
                            Tag(0x7C),
                            &encode(Tag(0x82), &[]),
                        )))
                    }
                }
            }
            State::Mapped {
                params,
                password,
                generator,
                map_sk,
            } => {
                if last {
                    return Err(SW_SEQUENCE);
                }
                let v = get(0x83).ok_or(SW_BAD_DATA)?;
                let group = &params.group;
                let pk_t = group.decode(v).map_err(|_| SW_BAD_DATA)?;
                let sk = eph.agreement_key(group);
                let pk = group.public_key(&sk, &generator).map_err(|_| SW_BAD_DATA)?;
                if pk == pk_t {
                    return Err(SW_BAD_DATA);
                }
                let shared = group.shared_secret(&sk, &pk_t).map_err(|_| SW_BAD_DATA)?;
                let keys = session_keys(params.cipher(), &shared);
                let out = encode(Tag(0x7C), &encode(Tag(0x84), &group.encode(&pk)));
                self.state = State::Agreed {
                    params,
                    password,
                    keys,
                    pk_terminal: pk_t,
                    pk_chip: pk,
                    map_sk,
                };
                Ok(ChipReply::Continue(out))
            }
            State::Agreed {
                params,
                password,
                keys,
                pk_terminal,
                pk_chip,
                map_sk,
            } => {
                if !last {
                    return Err(SW_SEQUENCE);
                }
                let v = get(0x85).ok_or(SW_BAD_DATA)?;
                let group = &params.group;
                let cipher = params.cipher();
                let oid = params.oid();
                let expected =
                    token(cipher, keys.k_mac(), &oid, group, &pk_chip).map_err(|_| SW_BAD_DATA)?;
                if expected.as_slice() != v {
                    return Err(SW_WRONG_TOKEN);
                }
                let t_ic = token(cipher, keys.k_mac(), &oid, group, &pk_terminal)
                    .map_err(|_| SW_BAD_DATA)?;
                let mut inner = encode(Tag(0x86), &t_ic);
                let cam = params.protocol.mapping == Mapping::ChipAuthentication;
                if cam {
                    let (Some(static_key), Some(map_sk)) = (&self.cam_key, &map_sk) else {
                        return Err(SW_NOT_FOUND);
                    };
                    let ca = group
                        .cam_authentication_data(map_sk, static_key)
                        .map_err(|_| SW_BAD_DATA)?;
                    let a = encrypt_cam_data(cipher, keys.k_enc(), &ca).map_err(|_| SW_BAD_DATA)?;
                    inner.extend_from_slice(&encode(Tag(0x8A), &a));
                }
                let sm = SecureMessaging::new(keys, &vec![0u8; cipher.block_len()])
                    .map_err(|_| SW_BAD_DATA)?;
                Ok(ChipReply::Done {
                    data: encode(Tag(0x7C), &inner),
                    sm,
                    password: password.kind(),
                    cam,
                })
            }
        }
    }
}
