//! Secure-messaging unwrapping of arbitrary chip responses (terminal side) and arbitrary
//! protected commands (chip side), 3DES and AES: must return Ok or an error, never panic.
#![no_main]
use epassport_card::{Command, Response};
use epassport_chip::sm::{SecureMessaging, SmKeys};
use epassport_chip::Cipher;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let cipher = match sel % 4 {
        0 => Cipher::Tdes,
        1 => Cipher::Aes128,
        2 => Cipher::Aes192,
        _ => Cipher::Aes256,
    };
    let keys = SmKeys::derive(b"fuzz", cipher);
    let ssc = vec![0u8; cipher.block_len()];
    if let Ok(mut sm) = SecureMessaging::new(keys.clone(), &ssc)
        && let Ok(r) = Response::parse(rest)
    {
        let _ = sm.unwrap_response(&r);
    }
    if let Ok(mut sm) = SecureMessaging::new(keys, &ssc)
        && let Ok(c) = Command::parse(rest)
    {
        let _ = sm.unwrap_command(&c);
    }
});
