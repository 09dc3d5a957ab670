//! The software chip's core: file system, SELECT, READ BINARY, GET CHALLENGE, GET RESPONSE, access
//! conditions, the secure-messaging seam and every behaviour.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use epassport_card::{Command, Response, Status, StatusWord, Transport, exchange};
use epassport_sim::fs::{AccessCondition, Ef, LDS1_AID};
use epassport_sim::protocol::{
    AccessMethod, ChipContext, ChipSecureChannel, ProtocolHandler, SmError,
};
use epassport_sim::{ChipConfig, LargeLe, PastEof, SimChip, SimError};
use std::path::Path;

fn send(chip: &mut SimChip, apdu: &[u8]) -> Response {
    Response::parse(&chip.transmit(apdu).unwrap()).unwrap()
}

fn file(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// A toy channel: protected command data = plain APDU ‖ counter; response = DO'99' ‖ DO'81' ‖
/// DO'8E'(counter). Enough to exercise the seam without real cryptography.
struct ToyChannel {
    counter: u8,
}
impl ChipSecureChannel for ToyChannel {
    fn name(&self) -> &'static str {
        "toy"
    }
    fn unwrap_command(&mut self, protected: &Command) -> Result<Command, SmError> {
        let (apdu, mac) = protected
            .data
            .split_last()
            .map(|(m, a)| (a, *m))
            .ok_or(SmError::MissingObject("DO'8E'"))?;
        self.counter = self.counter.wrapping_add(1);
        if mac != self.counter {
            return Err(SmError::BadMac);
        }
        Command::parse(apdu).map_err(|_| SmError::IncorrectObject("plain command"))
    }
    fn wrap_response(&mut self, plain: &Response) -> Result<Response, SmError> {
        self.counter = self.counter.wrapping_add(1);
        let mut d = epassport_tlv::encode(epassport_tlv::Tag(0x99), &plain.sw.0.to_be_bytes());
        d.extend(epassport_tlv::encode(epassport_tlv::Tag(0x81), &plain.data));
        d.extend(epassport_tlv::encode(
            epassport_tlv::Tag(0x8E),
            &[self.counter],
        ));
        Ok(Response::new(d, plain.sw))
    }
}

/// Toy access control: MUTUAL AUTHENTICATE with data "open" succeeds and installs [`ToyChannel`].
struct ToyAuth;
impl ProtocolHandler for ToyAuth {
    fn name(&self) -> &'static str {
        "toy-auth"
    }
    fn handle(&mut self, cmd: &Command, ctx: &mut ChipContext<'_>) -> Option<Response> {
        if cmd.ins != 0x82 {
            return None;
        }
        if ctx.last_challenge().is_none() {
            return Some(Response::new(vec![], StatusWord(0x6985)));
        }
        if cmd.data != b"open" {
            return Some(Response::new(vec![], StatusWord(0x6300)));
        }
        ctx.security_mut().access_control = Some(AccessMethod::Bac);
        ctx.install_secure_channel(Box::new(ToyChannel { counter: 0 }));
        Some(Response::new(b"ok".to_vec(), StatusWord::OK))
    }
}

/// The terminal side of the toy channel.
struct Toy {
    counter: u8,
}
impl Toy {
    fn send(&mut self, chip: &mut SimChip, plain: &Command) -> (Response, Vec<u8>) {
        self.counter = self.counter.wrapping_add(1);
        let mut data = plain.to_bytes().unwrap();
        data.push(self.counter);
        let cmd = Command::new(0x0C, plain.ins, plain.p1, plain.p2)
            .with_data(data)
            .with_le(65536);
        let r = send(chip, &cmd.to_bytes().unwrap());
        self.counter = self.counter.wrapping_add(1);
        let inner = epassport_tlv::parse_all(&r.data).unwrap();
        let plain_data = inner
            .iter()
            .find(|t| t.tag == epassport_tlv::Tag(0x81))
            .map(|t| t.value.to_vec())
            .unwrap_or_default();
        (r, plain_data)
    }
}

fn chip_with_files() -> epassport_sim::ChipBuilder {
    SimChip::builder()
        .seed(7)
        .file(Ef::CardAccess, file(20))
        .file(Ef::AtrInfo, file(10))
        .file(Ef::CardSecurity, file(30))
        .file(Ef::Com, file(22))
        .file(Ef::Sod, file(1500))
        .file(Ef::Dg(1), file(93))
        .file(Ef::Dg(2), file(40_000))
        .file(Ef::Dg(3), file(50))
        .access(Ef::Dg(3), AccessCondition::Denied)
        .handler(Box::new(ToyAuth))
}

fn authenticate(chip: &mut SimChip) -> Toy {
    assert_eq!(send(chip, &[0x00, 0x84, 0x00, 0x00, 0x08]).data.len(), 8);
    let r = send(chip, b"\x00\x82\x00\x00\x04open\x00");
    assert_eq!((r.sw, r.data.as_slice()), (StatusWord::OK, &b"ok"[..]));
    assert!(chip.secure_messaging_active());
    Toy { counter: 0 }
}

fn select_app(chip: &mut SimChip) {
    let mut a = vec![0x00, 0xA4, 0x04, 0x0C, 0x07];
    a.extend_from_slice(&LDS1_AID);
    assert_eq!(send(chip, &a).sw, StatusWord::OK);
}

#[test]
fn select_by_aid_with_and_without_fci() {
    let mut chip = chip_with_files().build();
    select_app(&mut chip);
    let mut a = vec![0x00, 0xA4, 0x04, 0x00, 0x07];
    a.extend_from_slice(&LDS1_AID);
    a.push(0x00);
    let r = send(&mut chip, &a);
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(
        r.data,
        [
            0x6F, 0x0C, 0x82, 0x01, 0x38, 0x84, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01
        ]
    );
    let r = send(&mut chip, &[0x00, 0xA4, 0x04, 0x0C, 0x03, 0xA0, 0x00, 0x00]);
    assert_eq!(r.sw.status(), Status::FileNotFound);
}

#[test]
fn select_by_fid_mf_path_and_fcp() {
    let mut chip = chip_with_files().build();
    // MF by empty data and by 3F00.
    assert_eq!(
        send(&mut chip, &[0x00, 0xA4, 0x00, 0x0C]).sw,
        StatusWord::OK
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]).sw,
        StatusWord::OK
    );
    // EF.CardAccess with FCP: size 20, transparent EF, FID, SFI.
    let r = send(&mut chip, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x01, 0x1C, 0x00]);
    assert_eq!(
        r.data,
        [
            0x62, 0x0E, 0x80, 0x02, 0x00, 0x14, 0x82, 0x01, 0x01, 0x83, 0x02, 0x01, 0x1C, 0x88,
            0x01, 0xE0
        ]
    );
    // 011D is EF.CardSecurity in the MF and EF.SOD in the application.
    let r = send(&mut chip, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x01, 0x1D, 0x00]);
    assert_eq!(&r.data[2..6], [0x80, 0x02, 0x00, 30]);
    select_app(&mut chip);
    let r = send(&mut chip, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x01, 0x1D, 0x00]);
    assert_eq!(&r.data[2..6], [0x80, 0x02, 0x05, 0xDC]);
    // Not present (DG4), not an EF of this DF, bad Lc, bad P1, bad P2.
    assert_eq!(
        send(&mut chip, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x04]).sw,
        StatusWord(0x6A82)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x2F, 0x01]).sw,
        StatusWord(0x6A82)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xA4, 0x02, 0x0C, 0x01, 0x01]).sw,
        StatusWord(0x6A87)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xA4, 0x07, 0x0C, 0x02, 0x01, 0x01]).sw,
        StatusWord(0x6A86)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xA4, 0x02, 0x01, 0x02, 0x01, 0x01]).sw,
        StatusWord(0x6A86)
    );
    // Path from the MF.
    assert_eq!(
        send(
            &mut chip,
            &[0x00, 0xA4, 0x08, 0x0C, 0x04, 0x3F, 0x00, 0x2F, 0x01]
        )
        .sw,
        StatusWord::OK
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x00, 0x00, 0x00]).data,
        file(10)
    );
}

#[test]
fn read_binary_offsets_sfi_and_odd_ins() {
    let mut chip = chip_with_files().build();
    // Free files before access control: by SFI (CardAccess 1C, ATR/INFO 01) from the MF.
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x00]).data,
        file(20)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x05, 0x04]).data,
        file(20)[5..9]
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x81, 0x00, 0x03]).data,
        file(3)
    );
    // Current EF is now ATR/INFO: offset in P1-P2.
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x00, 0x08, 0x02]).data,
        file(10)[8..10]
    );
    // Offset outside the file, no Le, reserved SFI bits.
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x00, 0x0A, 0x01]).sw,
        StatusWord(0x6B00)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x00, 0x00]).sw,
        StatusWord(0x6700)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0xC1, 0x00, 0x01]).sw,
        StatusWord(0x6A86)
    );
    // Odd INS: offset in DO'54', data in DO'53' that fits Le.
    let r = send(
        &mut chip,
        &[0x00, 0xB1, 0x00, 0x1C, 0x03, 0x54, 0x01, 0x02, 0x08],
    );
    assert_eq!(r.data, [&[0x53, 0x06][..], &file(20)[2..8]].concat());
    let r = send(
        &mut chip,
        &[0x00, 0xB1, 0x01, 0x1C, 0x03, 0x54, 0x01, 0x02, 0x00],
    );
    assert_eq!(r.data, [&[0x53, 0x12][..], &file(20)[2..]].concat());
    assert_eq!(
        send(&mut chip, &[0x00, 0xB1, 0x00, 0x00, 0x02, 0x99, 0x00, 0x10]).sw,
        StatusWord(0x6A80)
    );
    // No current EF after selecting a DF.
    select_app(&mut chip);
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x00, 0x00, 0x01]).sw,
        StatusWord(0x6986)
    );
}

#[test]
fn odd_ins_past_32767_with_extended_le() {
    let mut chip = chip_with_files().build();
    let mut toy = authenticate(&mut chip);
    let sel = Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
    assert!(toy.send(&mut chip, &sel).0.sw.is_success());
    let cmd = Command::new(0, 0xB1, 0x01, 0x02)
        .with_data([0x54, 0x02, 0x80, 0x00])
        .with_le(1000);
    // The toy channel carries Le inside; the chip sees Le 1000 and an offset of 32768.
    let (r, data) = toy.send(&mut chip, &cmd);
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(&data[..4], [0x53, 0x82, 0x03, 0xE4]);
    assert_eq!(&data[4..], &file(40_000)[32768..32768 + 996]);
}

#[test]
fn access_conditions_and_the_sm_seam() {
    let mut chip = chip_with_files().build();
    select_app(&mut chip);
    // Before access control: DG1, EF.COM, EF.SOD refused; EF.CardAccess free.
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord(0x6982)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x9E, 0x00, 0x00]).sw,
        StatusWord(0x6982)
    );
    // MUTUAL AUTHENTICATE without GET CHALLENGE, with a wrong cryptogram.
    assert_eq!(
        send(&mut chip, b"\x00\x82\x00\x00\x04open\x00").sw,
        StatusWord(0x6985)
    );
    send(&mut chip, &[0x00, 0x84, 0x00, 0x00, 0x08]);
    assert_eq!(
        send(&mut chip, b"\x00\x82\x00\x00\x04shut\x00").sw,
        StatusWord(0x6300)
    );
    // Unknown INS with no handler.
    assert_eq!(
        send(&mut chip, &[0x00, 0x88, 0x00, 0x00, 0x00]).sw,
        StatusWord(0x6D00)
    );
    // SM command before SM exists.
    assert_eq!(
        send(&mut chip, &[0x0C, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord(0x6882)
    );

    let mut toy = authenticate(&mut chip);
    let sel = Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
    assert!(toy.send(&mut chip, &sel).0.sw.is_success());
    let (r, data) = toy.send(&mut chip, &Command::new(0, 0xB0, 0x81, 0x00).with_le(256));
    assert_eq!((r.sw, data), (StatusWord::OK, file(93)));
    // DG3 is EAC-protected: denied even now.
    let (r, _) = toy.send(&mut chip, &Command::new(0, 0xB0, 0x83, 0x00).with_le(256));
    assert_eq!(r.sw, StatusWord(0x6982));
    // A plain command under SM ends the session.
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord(0x6987)
    );
    assert!(!chip.secure_messaging_active());
    assert_eq!(chip.security().access_control, None);
    assert_eq!(chip.stats().sm_aborts, 1);

    // A wrong MAC (counter) ends the session with 6988.
    let mut toy = authenticate(&mut chip);
    toy.counter = 40;
    let (r, _) = toy.send(&mut chip, &sel);
    assert_eq!(r.sw, StatusWord(0x6988));
    assert!(r.data.is_empty());
    assert!(!chip.secure_messaging_active());
    select_app(&mut chip);
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord(0x6982)
    );
}

#[test]
fn corrupted_mac_on_the_nth_protected_response() {
    let mut chip = chip_with_files().corrupt_mac_on_response(2).build();
    let mut toy = authenticate(&mut chip);
    let sel = Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
    let (r1, _) = toy.send(&mut chip, &sel);
    assert_eq!(
        r1.data[r1.data.len() - 1],
        2,
        "first protected response untouched"
    );
    let (r2, _) = toy.send(&mut chip, &sel);
    assert_eq!(r2.data[r2.data.len() - 1], 4 ^ 0x01, "MAC byte flipped");
    let (r3, _) = toy.send(&mut chip, &sel);
    assert_eq!(r3.data[r3.data.len() - 1], 6, "only once");
}

#[test]
fn get_challenge_is_seeded_and_scriptable() {
    let mut a = SimChip::builder()
        .seed(3)
        .scripted_random(&[1, 2, 3, 4, 5, 6, 7, 8])
        .build();
    assert_eq!(
        send(&mut a, &[0x00, 0x84, 0x00, 0x00, 0x08]).data,
        [1, 2, 3, 4, 5, 6, 7, 8]
    );
    let x = send(&mut a, &[0x00, 0x84, 0x00, 0x00, 0x08]).data;
    let mut b = SimChip::builder().seed(3).build();
    assert_eq!(send(&mut b, &[0x00, 0x84, 0x00, 0x00, 0x08]).data, x);
    assert_eq!(
        send(&mut b, &[0x00, 0x84, 0x00, 0x00]).sw,
        StatusWord(0x6700)
    );
    assert_eq!(
        send(&mut b, &[0x00, 0x84, 0x01, 0x00, 0x08]).sw,
        StatusWord(0x6A86)
    );
}

#[test]
fn no_extended_length() {
    let mut chip = chip_with_files().extended_length(false).build();
    assert!(!chip.capabilities().extended_length);
    assert_eq!(
        chip.atr(),
        [0x3B, 0x85, 0x80, 0x01, 0x80, 0x73, 0x00, 0x00, 0x80, 0x77]
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x00, 0x01, 0x00]).sw,
        StatusWord(0x6700)
    );
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x00]).data,
        file(20)
    );
    let ext = SimChip::builder().build();
    assert_eq!(ext.atr()[8], 0xC0);
    assert!(ext.capabilities().extended_length);
}

#[test]
fn large_le_truncate_6700_and_6cxx() {
    let mut t = chip_with_files()
        .max_response(160, LargeLe::Truncate)
        .build();
    assert_eq!(send(&mut t, &[0x00, 0xB0, 0x9C, 0x00, 0x00]).data.len(), 20);
    let mut t = chip_with_files()
        .max_response(16, LargeLe::Truncate)
        .build();
    assert_eq!(send(&mut t, &[0x00, 0xB0, 0x9C, 0x00, 0x00]).data, file(16));
    let mut w = chip_with_files()
        .max_response(16, LargeLe::WrongLength)
        .build();
    assert_eq!(
        send(&mut w, &[0x00, 0xB0, 0x9C, 0x00, 0x00]).sw,
        StatusWord(0x6700)
    );
    assert_eq!(send(&mut w, &[0x00, 0xB0, 0x9C, 0x00, 0x10]).data, file(16));
    let mut c = chip_with_files().max_response(16, LargeLe::WrongLe).build();
    assert_eq!(
        send(&mut c, &[0x00, 0xB0, 0x9C, 0x00, 0x00]).sw,
        StatusWord(0x6C10)
    );
    // exchange() re-issues with the exact Le.
    let r = exchange(&mut c, &Command::new(0, 0xB0, 0x9C, 0).with_le(256)).unwrap();
    assert_eq!((r.sw, r.data), (StatusWord::OK, file(16)));
    let mut big = chip_with_files()
        .max_response(1000, LargeLe::WrongLe)
        .build();
    assert_eq!(
        send(&mut big, &[0x00, 0xB0, 0x9C, 0x00, 0x00, 0x04, 0x00]).sw,
        StatusWord(0x6700)
    );
}

#[test]
fn past_end_of_file() {
    for (p, sw, len) in [
        (PastEof::Truncate, StatusWord::OK, 4),
        (PastEof::Truncate6282, StatusWord(0x6282), 4),
        (PastEof::ZeroPad6282, StatusWord(0x6282), 10),
    ] {
        let mut chip = chip_with_files().past_eof(p).build();
        let r = send(&mut chip, &[0x00, 0xB0, 0x9C, 0x10, 0x0A]);
        assert_eq!((r.sw, r.data.len()), (sw, len), "{p:?}");
        assert_eq!(&r.data[..4], &file(20)[16..]);
        assert!(r.data[4..].iter().all(|b| *b == 0));
    }
}

#[test]
fn get_response_chunks() {
    let mut chip = chip_with_files().get_response_chunk(7).build();
    let r = send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x00]);
    assert_eq!((r.sw, r.data.len()), (StatusWord(0x610D), 7));
    let r = send(&mut chip, &[0x00, 0xC0, 0x00, 0x00, 0x0D]);
    assert_eq!((r.sw, r.data.len()), (StatusWord(0x6106), 7));
    let r = send(&mut chip, &[0x00, 0xC0, 0x00, 0x00, 0x06]);
    assert_eq!((r.sw, r.data), (StatusWord::OK, file(20)[14..].to_vec()));
    // GET RESPONSE with nothing pending.
    assert_eq!(
        send(&mut chip, &[0x00, 0xC0, 0x00, 0x00, 0x06]).sw,
        StatusWord(0x6985)
    );
    // exchange() concatenates.
    let r = exchange(&mut chip, &Command::new(0, 0xB0, 0x9C, 0).with_le(256)).unwrap();
    assert_eq!((r.sw, r.data), (StatusWord::OK, file(20)));
}

#[test]
fn card_removed_after_n_apdus_then_reinserted() {
    let mut chip = chip_with_files().remove_after_apdus(3).delay_ms(1).build();
    for _ in 0..3 {
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x01]);
    }
    let lost = epassport_card::CardError::CommunicationLost(
        "the simulated card was removed after 3 APDUs".into(),
    );
    assert_eq!(chip.transmit(&[0x00, 0xB0, 0x9C, 0x00, 0x01]), Err(lost));
    assert!(chip.is_removed());
    assert_eq!(
        chip.transmit(&[0x00, 0xB0, 0x9C, 0x00, 0x01]),
        Err(epassport_card::CardError::CommunicationLost(
            "the simulated card was removed".into()
        ))
    );
    chip.reinsert();
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x01]).sw,
        StatusWord::OK
    );
    // Removal happens once.
    for _ in 0..5 {
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x01]);
    }
}

#[test]
fn reset_drops_the_session() {
    let mut chip = chip_with_files().build();
    authenticate(&mut chip);
    chip.reset();
    assert!(!chip.secure_messaging_active());
    select_app(&mut chip);
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord(0x6982)
    );
}

#[test]
fn malformed_apdus() {
    let mut chip = chip_with_files().build();
    assert_eq!(chip.transmit(&[0x00, 0xA4, 0x04]), Ok(vec![0x67, 0x00]));
    assert_eq!(
        chip.transmit(&[0xFF, 0xCA, 0x00, 0x00, 0x00]),
        Ok(vec![0x6E, 0x00])
    );
    assert_eq!(
        chip.transmit(&[0x10, 0xB0, 0x9C, 0x00, 0x00]),
        Ok(vec![0x68, 0x84])
    );
}

fn fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny")
}

#[test]
fn loads_a_fixture_folder() {
    let cfg = ChipConfig::load(&fixture_dir()).unwrap();
    assert!(cfg.bac && !cfg.pace);
    assert_eq!(cfg.files.len(), 3);
    assert_eq!(cfg.access_condition(Ef::Dg(3)), AccessCondition::Denied);
    assert_eq!(
        cfg.access_condition(Ef::Dg(1)),
        AccessCondition::AccessControl
    );
    assert_eq!(cfg.behaviour.max_response, 160);
    assert_eq!(format!("{:?}", cfg.mrz), "Some(REDACTED)");
    assert!(cfg.mrz.as_ref().unwrap().expose().starts_with("P<UTO"));
    let mut chip = SimChip::from_fixture(&fixture_dir()).unwrap();
    assert_eq!(
        send(&mut chip, &[0x00, 0xB0, 0x9C, 0x00, 0x00]).sw,
        StatusWord(0x6CA0)
    );
    let r = exchange(&mut chip, &Command::new(0, 0xB0, 0x9C, 0).with_le(256)).unwrap();
    assert_eq!(
        r.data,
        std::fs::read(fixture_dir().join("CardAccess.bin")).unwrap()
    );
}

#[test]
fn fixture_errors_name_the_problem() {
    let dir = std::env::temp_dir().join(format!("sim-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = SimChip::from_fixture(&dir).unwrap_err();
    assert!(matches!(missing, SimError::Io { ref path, .. } if path.ends_with("chip.json")));
    std::fs::write(dir.join("chip.json"), r#"{"bac": true, "colour": "red"}"#).unwrap();
    match ChipConfig::load(&dir).unwrap_err() {
        SimError::Config { message, .. } => {
            assert!(message.contains("unknown field `colour`"), "{message}")
        }
        e => panic!("{e:?}"),
    }
    std::fs::write(dir.join("chip.json"), r#"{"access": {"DG17": "denied"}}"#).unwrap();
    match ChipConfig::load(&dir).unwrap_err() {
        SimError::Config { message, .. } => {
            assert!(message.contains("unknown file \"DG17\""), "{message}")
        }
        e => panic!("{e:?}"),
    }
    std::fs::write(
        dir.join("chip.json"),
        r#"{"behaviour": {"large_le": "explode"}}"#,
    )
    .unwrap();
    assert!(matches!(
        ChipConfig::load(&dir),
        Err(SimError::Config { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every fixture chip the generator wrote loads, and its free file (EF.CardAccess, if any) reads.
#[test]
fn every_fixture_chip_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/chips");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("chip.json").is_file() {
            continue;
        }
        let cfg = ChipConfig::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert!(cfg.files.contains_key(&Ef::Com), "{}", dir.display());
        let mut chip = SimChip::from_fixture(&dir).unwrap();
        if let Some(ca) = cfg.files.get(&Ef::CardAccess) {
            let r = exchange(&mut chip, &Command::new(0, 0xB0, 0x9C, 0).with_le(65536)).unwrap();
            assert_eq!(&r.data, ca);
        }
        loaded += 1;
    }
    assert!(
        loaded > 0,
        "no fixture chips found under {}",
        root.display()
    );
}

/// A session with the software chip, recorded, replays byte for byte; a changed command fails
/// with its index and both commands.
#[test]
fn recorded_session_replays_byte_exact() {
    use epassport_card::{CardError, Recorder, Replay, Trace};
    let session = |t: &mut dyn Transport| -> Vec<Response> {
        t.note_secret("test.nonce", &[9, 9]);
        let mut out = Vec::new();
        for c in [
            Command::new(0, 0xB0, 0x9C, 0).with_le(256),
            Command::new(0, 0x84, 0, 0).with_le(8),
            Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID),
            Command::new(0, 0xB0, 0x82, 0).with_le(65536),
        ] {
            out.push(exchange(t, &c).unwrap());
        }
        out
    };
    let mut rec = Recorder::new(
        chip_with_files().build(),
        "sim:test",
        &[0x3B, 0x80, 0x80, 0x01, 0x01],
    );
    let live = session(&mut rec);
    let (_, trace) = rec.into_parts();
    let trace = Trace::from_json(trace.to_json().as_bytes()).unwrap();
    let mut replay = Replay::new(trace.clone());
    assert_eq!(
        replay.recorded_secret("test.nonce").unwrap().as_slice(),
        [9, 9]
    );
    assert_eq!(session(&mut replay), live);
    replay.finish().unwrap();
    assert!(replay.capabilities().extended_length);

    let mut replay = Replay::new(trace);
    exchange(&mut replay, &Command::new(0, 0xB0, 0x9C, 0).with_le(256)).unwrap();
    assert_eq!(
        exchange(&mut replay, &Command::new(0, 0x84, 0, 0).with_le(16)),
        Err(CardError::ReplayMismatch {
            index: 1,
            expected: "0084000008".into(),
            actual: "0084000010".into()
        })
    );
}
