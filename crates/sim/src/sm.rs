//! The chip side of secure messaging: [`SmChannel`] adapts the one implementation in
//! `epassport_chip::sm` (3DES and AES, ICAO 9303-11 §9.8) to the software chip's
//! [`ChipSecureChannel`] seam. BAC installs it with BAC session keys; PACE and CA can install it
//! with theirs.

use epassport_card::{Command, Response};
use epassport_chip::sm::{SecureMessaging, SmError as ChipSmError};

use crate::protocol::{ChipSecureChannel, SmError};

/// A chip-side secure-messaging channel over [`SecureMessaging`].
///
/// It remembers the INS of the last command it unwrapped so that responses to odd-INS commands
/// (READ BINARY `B1`) carry their data in DO'85', as ICAO 9303-11 §9.8.6 asks.
pub struct SmChannel {
    sm: SecureMessaging,
    last_ins: u8,
}

impl SmChannel {
    /// A channel with the session keys and SSC the access protocol agreed.
    pub fn new(sm: SecureMessaging) -> Self {
        SmChannel { sm, last_ins: 0 }
    }
    /// The current send sequence counter (tests compare it with the terminal's).
    pub fn ssc(&self) -> &[u8] {
        self.sm.ssc()
    }
}

fn map_err(e: ChipSmError) -> SmError {
    match e {
        ChipSmError::BadMac { .. } => SmError::BadMac,
        ChipSmError::NotProtected { .. } => SmError::MissingObject("CLA without secure messaging"),
        ChipSmError::MissingObject(what) => SmError::MissingObject(what),
        ChipSmError::Malformed { .. } => SmError::IncorrectObject("malformed data objects"),
        other => SmError::Internal(other.to_string()),
    }
}

impl ChipSecureChannel for SmChannel {
    fn name(&self) -> &'static str {
        self.sm.cipher().name()
    }
    fn unwrap_command(&mut self, protected: &Command) -> Result<Command, SmError> {
        let plain = self.sm.unwrap_command(protected).map_err(map_err)?;
        self.last_ins = plain.ins;
        Ok(plain)
    }
    fn wrap_response(&mut self, plain: &Response) -> Result<Response, SmError> {
        self.sm.wrap_response(plain, self.last_ins).map_err(map_err)
    }
}
