//! The crate's error type.

use epassport_card::CardError;

use crate::bac::BacError;
use crate::sm::SmError;

/// Errors of the chip protocols and the read strategy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChipError {
    /// The card layer failed (link lost, unexpected status word...).
    #[error(transparent)]
    Card(#[from] CardError),
    /// Secure messaging failed; the session has ended.
    #[error(transparent)]
    Sm(#[from] SmError),
    /// Basic Access Control failed.
    #[error(transparent)]
    Bac(#[from] BacError),
    /// Reading a file failed.
    #[error(transparent)]
    Read(#[from] crate::read::ReadError),
}

impl ChipError {
    /// True when the chip refused the access key (wrong MRZ data, CAN...).
    pub fn is_access_denied(&self) -> bool {
        matches!(self, ChipError::Bac(BacError::AccessDenied { .. }))
    }
    /// True when the link to the chip was lost (card removed, tag out of the field).
    pub fn is_communication_lost(&self) -> bool {
        match self {
            ChipError::Card(e) | ChipError::Sm(SmError::Card(e)) => matches!(
                e,
                CardError::CommunicationLost(_)
                    | CardError::NoCard
                    | CardError::ReaderUnavailable(_)
                    | CardError::Timeout(_)
                    | CardError::Transport(_)
            ),
            ChipError::Read(crate::read::ReadError::Interrupted { .. }) => true,
            _ => false,
        }
    }
}
