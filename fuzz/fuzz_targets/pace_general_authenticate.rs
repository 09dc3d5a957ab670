//! Fuzzes the GENERAL AUTHENTICATE data objects on both sides of PACE:
//! - the terminal against a chip whose every response comes from the input;
//! - the chip (software chip's PACE) fed MSE:Set AT and GENERAL AUTHENTICATE commands from the input.
//! The first byte picks the protocol and domain.
#![no_main]

use epassport_card::{CardError, Transport};
use epassport_chip::crypto::RandomSource;
use epassport_chip::pace::chip::{ChipPasswords, PaceChip};
use epassport_chip::pace::{Password, RandomEphemeral, terminal};
use epassport_lds::security_infos::{
    Cipher, KeyAgreement, Mapping, PaceInfo, PaceProtocol, SecurityInfo, SecurityInfos,
};
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

/// Deterministic "randomness" so crashes reproduce.
struct Counter(u8);
impl RandomSource for Counter {
    fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            self.0 = self.0.wrapping_mul(167).wrapping_add(13);
            *b = self.0;
        }
    }
}

/// Answers each command with the next length-prefixed chunk of the input.
struct FuzzCard<'a> {
    data: &'a [u8],
}
impl Transport for FuzzCard<'_> {
    fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, CardError> {
        let Some((&n, rest)) = self.data.split_first() else {
            return Err(CardError::CommunicationLost("end of input".into()));
        };
        let n = (n as usize).min(rest.len());
        let (chunk, rest) = rest.split_at(n);
        self.data = rest;
        Ok(chunk.to_vec())
    }
}

fn infos(selector: u8) -> SecurityInfos {
    let mappings = [Mapping::Generic, Mapping::Integrated, Mapping::ChipAuthentication];
    let ciphers = [Cipher::Tdes, Cipher::Aes128, Cipher::Aes192, Cipher::Aes256];
    let ids = [0u8, 8, 12, 13];
    let mapping = mappings[(selector % 3) as usize];
    let mut cipher = ciphers[((selector / 3) % 4) as usize];
    let mut id = ids[((selector / 12) % 4) as usize];
    if mapping == Mapping::ChipAuthentication {
        id = id.max(8);
        if cipher == Cipher::Tdes {
            cipher = Cipher::Aes128;
        }
    }
    let agreement = if id == 0 { KeyAgreement::Dh } else { KeyAgreement::Ecdh };
    let pace = PaceProtocol { agreement, mapping, cipher };
    SecurityInfos {
        infos: vec![SecurityInfo::Pace(PaceInfo {
            protocol: pace.oid(),
            pace,
            version: 2,
            parameter_id: Some(id as i64),
        })],
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let offered = infos(selector);

    // Terminal side: every response is hostile.
    let mut card = FuzzCard { data: rest };
    let mut rng = Counter(selector);
    let _ = terminal::establish(&mut card, &offered, &Password::can("123456").unwrap(), &mut RandomEphemeral(&mut rng));
    let _ = terminal::dynamic_data(epassport_chip::pace::Step::Mapping, rest, 0x82);

    // Chip side: every command is hostile.
    let passwords = ChipPasswords {
        mrz_information: Some(Zeroizing::new(b"T22000129364081251010318".to_vec())),
        can: Some(Zeroizing::new("123456".into())),
        pin: None,
        puk: None,
    };
    let group = epassport_chip::crypto::Group::standard(13).unwrap();
    let cam_key = group.generate_private_key(&mut Counter(1));
    let mut chip = PaceChip::new(offered, passwords, Some(cam_key));
    let mut input = rest;
    let mut first = true;
    while let Some((&n, tail)) = input.split_first() {
        let n = (n as usize).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        input = tail;
        if first {
            let _ = chip.mse_set_at(chunk);
            first = false;
        } else {
            let cla = chunk.first().copied().unwrap_or(0) & 0x10;
            let _ = chip.general_authenticate(cla, chunk.get(1..).unwrap_or_default(), &mut RandomEphemeral(&mut rng));
        }
    }
});
