//! Session phases as types (ARCHITECTURE.md principle 2).
//!
//! [`Unauthenticated`] can select the LDS1 application, read the files of the master file that
//! need no access control (EF.CardAccess, EF.ATR/INFO) and run an access protocol; only
//! [`Authenticated`] (secure messaging established by BAC or PACE) can read data groups.
//! [`Authenticated::read_document`] reads EF.COM, EF.SOD and every data group either lists and
//! can resume a [`DocumentRead`] interrupted by a lost link in a new session.

use epassport_card::{Command, Transport, exchange};

use crate::ChipError;
use crate::bac::{self, BacNonces};
use crate::kdf::Cipher;
use crate::read::{
    self, BlockState, FileId, Metered, Partial, ReadError, ReadFailure, ReadOptions, Stats,
};
use crate::sm::SecureTransport;

/// A transport that knows what crossed the wire ([`Metered`]).
pub trait WireStats {
    /// The totals so far.
    fn wire_stats(&self) -> Stats;
}

impl<T> WireStats for Metered<T> {
    fn wire_stats(&self) -> Stats {
        self.stats()
    }
}

impl<M: WireStats + ?Sized> WireStats for &mut M {
    fn wire_stats(&self) -> Stats {
        (**self).wire_stats()
    }
}

/// The LDS1 eMRTD application identifier (ICAO 9303-10 §3.10).
pub const LDS1_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// A session before access control: plain APDUs, no data groups.
pub struct Unauthenticated<T: Transport> {
    transport: Metered<T>,
}

/// Which access protocol opened a session, with its parameters (for reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessInfo {
    /// `BAC` or `PACE`.
    pub protocol: String,
    /// The secure-messaging cipher.
    pub cipher: Cipher,
    /// Protocol parameters (PACE: OID, mapping, domain), as name/value pairs.
    pub parameters: Vec<(String, String)>,
}

impl<T: Transport> Unauthenticated<T> {
    /// Starts a session on `transport`.
    pub fn new(transport: T) -> Self {
        Unauthenticated {
            transport: Metered::new(transport),
        }
    }
    /// The wire totals of everything sent in this and later phases.
    pub fn stats(&self) -> Stats {
        self.transport.stats()
    }
    /// The transport (for PACE, which runs its own commands before secure messaging).
    pub fn transport_mut(&mut self) -> &mut Metered<T> {
        &mut self.transport
    }
    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport.into_inner()
    }
    /// Learns whether the link carries extended-length APDUs and how large (EF.ATR/INFO, the
    /// ATR, or a probe: [`read::learn_link`]); the read strategy and secure messaging use what it
    /// found from now on. Call it first, before selecting the application.
    pub fn learn_link(
        &mut self,
        atr: Option<&[u8]>,
        probe: bool,
    ) -> Result<read::LinkReport, ChipError> {
        let report = read::learn_link(&mut self.transport, atr, probe)?;
        self.transport.set_capabilities(Some(report.capabilities));
        Ok(report)
    }
    /// SELECT the master file (`00 A4 00 0C 3F00`); some chips answer 6A82/6A86, which is fine.
    pub fn select_master_file(&mut self) -> Result<(), ChipError> {
        let cmd = Command::new(0x00, 0xA4, 0x00, 0x0C).with_data([0x3F, 0x00]);
        exchange(&mut self.transport, &cmd)?;
        Ok(())
    }
    /// Reads a master-file EF that needs no access control (EF.CardAccess, EF.ATR/INFO);
    /// `Ok(None)` when the chip does not have it.
    pub fn read_plain(
        &mut self,
        file: FileId,
        opts: &ReadOptions,
    ) -> Result<Option<Vec<u8>>, ChipError> {
        let mut state = BlockState::new(&self.transport.capabilities(), opts);
        match read::read_file(&mut self.transport, file, opts, &mut state, None) {
            Ok(d) => Ok(Some(d)),
            Err(ReadFailure {
                error: ReadError::NotFound { .. } | ReadError::AccessDenied { .. },
                ..
            }) => Ok(None),
            Err(f) => Err(f.into()),
        }
    }
    /// SELECT the LDS1 application by AID (`00 A4 04 0C`).
    pub fn select_application(&mut self) -> Result<(), ChipError> {
        let cmd = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(LDS1_AID);
        let r = exchange(&mut self.transport, &cmd)?;
        if r.sw.is_success() {
            Ok(())
        } else {
            Err(epassport_card::CardError::UnexpectedStatus {
                sw: r.sw,
                ins: 0xA4,
            }
            .into())
        }
    }
    /// Runs BAC with the MRZ information (ICAO 9303-11 §9.7.1) and the terminal's nonces; the
    /// LDS1 application should be selected first. The authenticated session borrows this one,
    /// which stays usable (to retry on a new card or resume after a lost link).
    pub fn bac(
        &mut self,
        mrz_information: &[u8],
        nonces: BacNonces,
    ) -> Result<Authenticated<&mut Metered<T>>, ChipError> {
        let sm = bac::authenticate(&mut self.transport, bac::bac_keys(mrz_information), nonces)?;
        Ok(Authenticated::new(
            SecureTransport::new(&mut self.transport, sm),
            AccessInfo {
                protocol: "BAC".into(),
                cipher: Cipher::Tdes,
                parameters: Vec::new(),
            },
        ))
    }
}

/// A session after access control: every command goes through secure messaging.
pub struct Authenticated<T: Transport> {
    transport: SecureTransport<T>,
    access: AccessInfo,
}

/// One file of a document read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// The file.
    pub file: FileId,
    /// Its contents.
    pub data: Vec<u8>,
    /// What reading it cost (summed over sessions when it was resumed).
    pub stats: Stats,
}

/// A file not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub file: FileId,
    /// Why (access denied by EAC, not on the chip).
    pub reason: String,
}

/// The progress of reading a document: what was read, skipped, and the partial file, so a read
/// interrupted by a lost link resumes in a new session where it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentRead {
    /// Files read, in order.
    pub files: Vec<FileRead>,
    /// Files skipped with the reason.
    pub skipped: Vec<Skipped>,
    /// Data groups EF.SOD lists that were neither read nor skipped for a denied access.
    pub missing: Vec<FileId>,
    /// The file being read when the link was lost.
    pub partial: Option<Partial>,
    partial_stats: Stats,
    /// The block size learned so far.
    pub block: Option<BlockState>,
    /// How many times the read was resumed.
    pub resumptions: u32,
}

impl DocumentRead {
    /// The contents of `file`, if read.
    pub fn get(&self, file: FileId) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.file == file)
            .map(|f| f.data.as_slice())
    }
    fn done(&self, file: FileId) -> bool {
        self.files.iter().any(|f| f.file == file) || self.skipped.iter().any(|s| s.file == file)
    }
    /// The wire totals over every file.
    pub fn total(&self) -> Stats {
        let mut t = Stats::default();
        for f in &self.files {
            t.add(&f.stats);
        }
        t.add(&self.partial_stats);
        t
    }
}

impl<T: Transport> Authenticated<T> {
    /// A session over an established secure channel (BAC here; PACE builds it the same way).
    pub fn new(transport: SecureTransport<T>, access: AccessInfo) -> Self {
        Authenticated { transport, access }
    }
    /// The access protocol and its parameters.
    pub fn access(&self) -> &AccessInfo {
        &self.access
    }
    /// The secure transport (for CA, AA and other protected commands).
    pub fn transport_mut(&mut self) -> &mut SecureTransport<T> {
        &mut self.transport
    }
    /// The secure transport.
    pub fn transport_ref(&self) -> &SecureTransport<T> {
        &self.transport
    }
    /// Ends the session and gives the secure transport back.
    pub fn into_transport(self) -> SecureTransport<T> {
        self.transport
    }
    /// Reads one file with the read strategy.
    pub fn read_file(&mut self, file: FileId, opts: &ReadOptions) -> Result<Vec<u8>, ChipError> {
        let mut state = BlockState::new(&self.transport.capabilities(), opts);
        read::read_file(&mut self.transport, file, opts, &mut state, None).map_err(|f| {
            self.sm_cause()
                .map_or_else(|| ChipError::from(f.clone()), ChipError::Sm)
        })
    }

    fn sm_cause(&self) -> Option<crate::SmError> {
        match self.transport.session_error() {
            Some(crate::SmError::Card(_)) | None => None,
            Some(e) => Some(e.clone()),
        }
    }

    /// Reads EF.COM, EF.SOD and every data group either lists, continuing `doc` (a fresh
    /// [`DocumentRead::default()`] or one interrupted earlier); `progress` is called after each
    /// file. Costs are taken from the wire meter ([`WireStats`]) under secure messaging.
    ///
    /// DG3 and DG4 (EAC-protected) and any file the chip refuses are skipped with the reason; a
    /// data group EF.SOD lists that is neither read nor refused ends up in
    /// [`DocumentRead::missing`]. A lost link returns the error with `doc` ready to resume.
    pub fn read_document(
        &mut self,
        doc: &mut DocumentRead,
        opts: &ReadOptions,
        progress: &mut dyn FnMut(&DocumentRead, FileId),
    ) -> Result<(), ChipError>
    where
        T: WireStats,
    {
        let mut state = doc
            .block
            .unwrap_or_else(|| BlockState::new(&self.transport.capabilities(), opts));
        if doc.partial.is_some() {
            doc.resumptions += 1;
        }
        let mut queue = vec![FileId::Com, FileId::Sod];
        let mut lists_done = false;
        let mut i = 0;
        while i < queue.len() {
            let file = queue[i];
            i += 1;
            if !doc.done(file) {
                self.read_one(doc, file, opts, &mut state, progress)?;
            }
            if !lists_done && doc.done(FileId::Com) && doc.done(FileId::Sod) {
                lists_done = true;
                let mut dgs = Vec::new();
                if let Some(com) = doc.get(FileId::Com) {
                    dgs.extend(read::com_data_groups(com)?);
                }
                let sod_dgs = match doc.get(FileId::Sod) {
                    Some(sod) => read::sod_data_groups(sod).unwrap_or_default(),
                    None => Vec::new(),
                };
                for d in &sod_dgs {
                    if !dgs.contains(d) {
                        dgs.push(*d);
                    }
                }
                dgs.sort();
                queue.extend(dgs);
                doc.missing = sod_dgs;
            }
        }
        let missing: Vec<FileId> = doc
            .missing
            .iter()
            .copied()
            .filter(|f| {
                doc.get(*f).is_none()
                    && !doc
                        .skipped
                        .iter()
                        .any(|s| s.file == *f && s.reason.starts_with("access denied"))
            })
            .collect();
        doc.missing = missing;
        Ok(())
    }

    fn read_one(
        &mut self,
        doc: &mut DocumentRead,
        file: FileId,
        opts: &ReadOptions,
        state: &mut BlockState,
        progress: &mut dyn FnMut(&DocumentRead, FileId),
    ) -> Result<(), ChipError>
    where
        T: WireStats,
    {
        let before = self.transport.inner().wire_stats();
        let resume = doc.partial.take().filter(|p| p.file == file);
        let mut stats = std::mem::take(&mut doc.partial_stats);
        let result = read::read_file(&mut self.transport, file, opts, state, resume);
        stats.add(&self.transport.inner().wire_stats().since(&before));
        doc.block = Some(*state);
        match result {
            Ok(data) => {
                doc.files.push(FileRead { file, data, stats });
                progress(doc, file);
                Ok(())
            }
            Err(ReadFailure {
                error: ReadError::AccessDenied { sw, .. },
                ..
            }) => {
                doc.skipped.push(Skipped {
                    file,
                    reason: format!(
                        "access denied ({sw}){}",
                        match file {
                            FileId::Dg(3) | FileId::Dg(4) =>
                                ": EAC (terminal authentication) required",
                            _ => "",
                        }
                    ),
                });
                progress(doc, file);
                Ok(())
            }
            Err(ReadFailure {
                error: ReadError::NotFound { sw, .. },
                ..
            }) => {
                doc.skipped.push(Skipped {
                    file,
                    reason: format!("not on the chip ({sw})"),
                });
                progress(doc, file);
                Ok(())
            }
            Err(f) => {
                if let Some(p) = f.partial.clone() {
                    doc.partial = Some(p);
                    doc.partial_stats = stats;
                    // A link lost on a large block: ask for short blocks next time.
                    if state.block > 256 && opts.fixed_block.is_none() {
                        state.block = read::SHORT_BLOCK;
                        doc.block = Some(*state);
                    }
                }
                Err(self
                    .sm_cause()
                    .map_or_else(|| ChipError::from(f), ChipError::Sm))
            }
        }
    }
}
