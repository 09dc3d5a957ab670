//! The read strategy (ARCHITECTURE.md principle 6): read an EF with as few APDUs as the reader
//! and chip allow, and survive the ways real chips and links fail.
//!
//! 1. SELECT the EF by FID, then READ BINARY the first [`ReadOptions::first_read`] bytes to learn
//!    the TLV length (so nothing is ever read past the end of the file).
//! 2. Read the rest in the largest blocks the link accepts: extended length when the transport
//!    says reader and chip support it (from the ATR, EF.ATR/INFO or configuration), else short.
//! 3. Step down on 6700 (wrong length), 6Cxx (the exact Le is used), 6B00/6A86, and a short
//!    answer with 9000 (the chip's cap, learned for the rest of the session).
//! 4. Offsets past 32767 use odd-INS READ BINARY (`B1`, offset in DO'54', data in DO'53').
//! 5. A lost link (or an ended secure-messaging session) returns [`ReadFailure`] with the bytes
//!    read so far, so the caller can re-authenticate and resume from the last good offset.
//!
//! [`Metered`] counts APDUs and bytes on the wire, so every read reports its cost.

use std::fmt;
use std::time::{Duration, Instant};

use epassport_card::{Capabilities, CardError, Command, Status, StatusWord, Transport, exchange};
use epassport_tlv::{self as tlv, Tag};

use crate::ChipError;

/// An elementary file of the eMRTD (ICAO 9303-10 §4.6, §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileId {
    /// EF.CardAccess (MF, 011C).
    CardAccess,
    /// EF.CardSecurity (MF, 011D).
    CardSecurity,
    /// EF.ATR/INFO (MF, 2F01).
    AtrInfo,
    /// EF.COM (LDS1, 011E).
    Com,
    /// EF.SOD (LDS1, 011D).
    Sod,
    /// DG1..DG16 (LDS1, 0101..0110).
    Dg(u8),
}

impl FileId {
    /// The file identifier.
    pub fn fid(self) -> u16 {
        match self {
            FileId::CardAccess => 0x011C,
            FileId::CardSecurity => 0x011D,
            FileId::AtrInfo => 0x2F01,
            FileId::Com => 0x011E,
            FileId::Sod => 0x011D,
            FileId::Dg(n) => 0x0100 + n as u16,
        }
    }
    /// True for the files of the master file (read before selecting the LDS1 application).
    pub fn in_master_file(self) -> bool {
        matches!(
            self,
            FileId::CardAccess | FileId::CardSecurity | FileId::AtrInfo
        )
    }
    /// The name used for files on disk and in reports: `COM`, `SOD`, `DG1`, `CardAccess`...
    pub fn name(self) -> String {
        match self {
            FileId::CardAccess => "CardAccess".into(),
            FileId::CardSecurity => "CardSecurity".into(),
            FileId::AtrInfo => "ATRINFO".into(),
            FileId::Com => "COM".into(),
            FileId::Sod => "SOD".into(),
            FileId::Dg(n) => format!("DG{n}"),
        }
    }
    /// The data group whose LDS tag is `tag` (ICAO 9303-10 Table 4), e.g. `75` → DG2.
    pub fn from_dg_tag(tag: u8) -> Option<FileId> {
        let n = match tag {
            0x61 => 1,
            0x75 => 2,
            0x63 => 3,
            0x76 => 4,
            0x65..=0x6F => tag - 0x60,
            0x70 => 16,
            _ => return None,
        };
        Some(FileId::Dg(n))
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileId::Com => f.write_str("EF.COM"),
            FileId::Sod => f.write_str("EF.SOD"),
            FileId::CardAccess => f.write_str("EF.CardAccess"),
            FileId::CardSecurity => f.write_str("EF.CardSecurity"),
            FileId::AtrInfo => f.write_str("EF.ATR/INFO"),
            FileId::Dg(n) => write!(f, "DG{n}"),
        }
    }
}

/// What a read costs on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Command APDUs sent (GET RESPONSE included).
    pub apdus: u64,
    /// Command bytes sent.
    pub bytes_sent: u64,
    /// Response bytes received (status words included).
    pub bytes_received: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl Stats {
    /// `self - earlier`, for the cost of one step.
    pub fn since(&self, earlier: &Stats) -> Stats {
        Stats {
            apdus: self.apdus - earlier.apdus,
            bytes_sent: self.bytes_sent - earlier.bytes_sent,
            bytes_received: self.bytes_received - earlier.bytes_received,
            elapsed: self.elapsed.saturating_sub(earlier.elapsed),
        }
    }
    /// Adds `other` to `self`.
    pub fn add(&mut self, other: &Stats) {
        self.apdus += other.apdus;
        self.bytes_sent += other.bytes_sent;
        self.bytes_received += other.bytes_received;
        self.elapsed += other.elapsed;
    }
}

/// A transport that counts APDUs, bytes and time spent in `transmit`, and reports the link's
/// capabilities as learned ([`Metered::set_capabilities`], [`learn_link`]) when they are known
/// better than the wrapped transport knows them.
pub struct Metered<T> {
    inner: T,
    stats: Stats,
    caps: Option<Capabilities>,
}

impl<T> Metered<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Metered {
            inner,
            stats: Stats::default(),
            caps: None,
        }
    }
    /// Reports `caps` instead of the wrapped transport's capabilities from now on (`None`: the
    /// wrapped transport's again).
    pub fn set_capabilities(&mut self, caps: Option<Capabilities>) {
        self.caps = caps;
    }
    /// The totals so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }
    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }
    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
    /// Gives the wrapped transport back.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for Metered<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        let start = Instant::now();
        self.stats.apdus += 1;
        self.stats.bytes_sent += command.len() as u64;
        let r = self.inner.transmit(command);
        if let Ok(bytes) = &r {
            self.stats.bytes_received += bytes.len() as u64;
        }
        self.stats.elapsed += start.elapsed();
        r
    }
    fn capabilities(&self) -> Capabilities {
        self.caps.unwrap_or_else(|| self.inner.capabilities())
    }
    fn note_secret(&mut self, label: &str, value: &[u8]) {
        self.inner.note_secret(label, value)
    }
    fn recorded_secret(&mut self, label: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        self.inner.recorded_secret(label)
    }
    fn reconnect(&mut self, timeout: Duration) -> Result<(), CardError> {
        self.inner.reconnect(timeout)
    }
}

/// How to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Bytes read first to learn the TLV length (default 8: a 4-byte tag and a 4-byte length).
    pub first_read: usize,
    /// Never ask for more than this many bytes per READ BINARY (default: no cap of our own).
    pub max_block: Option<usize>,
    /// Use extended length when the transport supports it (default true).
    pub extended_length: bool,
    /// A fixed block size instead of the adaptive strategy (the baselines of other readers:
    /// JMRTD 223, NFCPassportReader 160). The first read is then a block too.
    pub fixed_block: Option<usize>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            first_read: 8,
            max_block: None,
            extended_length: true,
            fixed_block: None,
        }
    }
}

/// The largest short-APDU block that fits under secure messaging with 3DES and AES alike (and
/// without): 223 bytes.
pub const SHORT_BLOCK: usize = 223;

/// The block sizes stepped down through after [`SHORT_BLOCK`].
const LADDER: [usize; 9] = [192, 160, 128, 96, 64, 32, 16, 8, 1];

fn step_down(le: usize) -> Option<usize> {
    if le > SHORT_BLOCK {
        return Some(SHORT_BLOCK);
    }
    LADDER.iter().copied().find(|&b| b < le)
}

/// The block size the reader uses, learned and adjusted over a session (and carried into a
/// resumed session, so a link that failed on large blocks is not asked for them again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockState {
    /// The current block size in bytes.
    pub block: usize,
}

impl BlockState {
    /// The starting block for `caps` and `opts`.
    pub fn new(caps: &Capabilities, opts: &ReadOptions) -> Self {
        let mut block = if opts.extended_length && caps.extended_length {
            caps.max_response_len
        } else {
            caps.max_response_len.min(256)
        };
        if let Some(m) = opts.max_block {
            block = block.min(m);
        }
        if let Some(f) = opts.fixed_block {
            block = f;
        }
        BlockState {
            block: block.max(1),
        }
    }
}

/// A file read that stopped part-way because the link or the secure-messaging session was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    /// The file.
    pub file: FileId,
    /// The bytes read so far (the last good offset is their length).
    pub data: Vec<u8>,
    /// The total length from the file's TLV header, once known.
    pub total: Option<usize>,
}

/// Why a file read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file does not exist (6A82 to SELECT or READ BINARY).
    #[error("{file} is not on the chip ({sw})")]
    NotFound {
        /// The file.
        file: FileId,
        /// The status word.
        sw: StatusWord,
    },
    /// The chip refuses access (6982, 6985, 6986): EAC-protected DG3/DG4, or no access control.
    #[error("access to {file} was denied ({sw})")]
    AccessDenied {
        /// The file.
        file: FileId,
        /// The status word.
        sw: StatusWord,
    },
    /// Another status word where data was expected.
    #[error("reading {file} at offset {offset} failed: {sw}")]
    Status {
        /// The file.
        file: FileId,
        /// The offset of the failing READ BINARY.
        offset: usize,
        /// The status word.
        sw: StatusWord,
    },
    /// The file's first bytes are not a TLV header, or its content is inconsistent with it.
    #[error("{file} is malformed: {reason}")]
    Malformed {
        /// The file.
        file: FileId,
        /// What is wrong.
        reason: String,
    },
    /// The link or the secure-messaging session was lost part-way; resume with [`Partial`].
    #[error("reading {file} was interrupted at offset {offset}: {cause}")]
    Interrupted {
        /// The file.
        file: FileId,
        /// The last good offset.
        offset: usize,
        /// What happened.
        cause: String,
    },
}

/// A failed file read: the error and, when the read can be resumed, what was read so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    /// Why.
    pub error: ReadError,
    /// The bytes read so far, for [`read_file`]'s `resume`.
    pub partial: Option<Partial>,
}

impl From<ReadFailure> for ChipError {
    fn from(f: ReadFailure) -> Self {
        ChipError::Read(f.error)
    }
}

fn interrupted(file: FileId, data: Vec<u8>, total: Option<usize>, e: &CardError) -> ReadFailure {
    ReadFailure {
        error: ReadError::Interrupted {
            file,
            offset: data.len(),
            cause: e.to_string(),
        },
        partial: Some(Partial { file, data, total }),
    }
}

fn fail(error: ReadError) -> ReadFailure {
    ReadFailure {
        error,
        partial: None,
    }
}

/// SELECT an EF by its FID in the current DF (`00 A4 02 0C`).
pub fn select<T: Transport + ?Sized>(t: &mut T, file: FileId) -> Result<(), ReadFailure> {
    let cmd = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(file.fid().to_be_bytes());
    let r = exchange(t, &cmd).map_err(|e| interrupted(file, Vec::new(), None, &e))?;
    match r.sw.status() {
        Status::Success => Ok(()),
        Status::FileNotFound => Err(fail(ReadError::NotFound { file, sw: r.sw })),
        Status::SecurityStatusNotSatisfied
        | Status::ConditionsNotSatisfied
        | Status::CommandNotAllowed => Err(fail(ReadError::AccessDenied { file, sw: r.sw })),
        _ => Err(fail(ReadError::Status {
            file,
            offset: 0,
            sw: r.sw,
        })),
    }
}

/// One READ BINARY of `le` bytes at `offset`: `B0` up to offset 32767, `B1` with DO'54' beyond.
fn read_binary<T: Transport + ?Sized>(
    t: &mut T,
    offset: usize,
    le: usize,
) -> Result<(Vec<u8>, StatusWord), CardError> {
    if offset <= 0x7FFF {
        let cmd = Command::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(le);
        let r = exchange(t, &cmd)?;
        return Ok((r.data, r.sw));
    }
    let off = (offset as u32).to_be_bytes();
    let off: &[u8] = if offset <= 0xFFFF {
        &off[2..]
    } else {
        &off[1..]
    };
    let data = tlv::encode(Tag(0x54), off);
    // DO'53' header: tag + up to 3 length bytes.
    let header = 1 + if le < 0x80 {
        1
    } else if le < 0x100 {
        2
    } else {
        3
    };
    let cmd = Command::new(0x00, 0xB1, 0x00, 0x00)
        .with_data(data)
        .with_le((le + header).min(65536));
    let r = exchange(t, &cmd)?;
    if r.data.is_empty() {
        return Ok((r.data, r.sw));
    }
    match tlv::parse_at(&r.data, 0) {
        Ok(d) if d.tag == Tag(0x53) => Ok((d.value.to_vec(), r.sw)),
        _ => Err(CardError::Transport(
            "odd-INS READ BINARY response is not a DO'53'".into(),
        )),
    }
}

/// The total length of a file from its first bytes (tag + length + value), if they suffice.
fn tlv_total(file: FileId, head: &[u8]) -> Result<Option<usize>, ReadFailure> {
    match tlv::parse_at(head, 0) {
        Ok(t) => Ok(Some(t.encoded_len)),
        Err(tlv::TlvError::ValueOverrun { claimed, .. }) => {
            // The header is complete; the value is what is still to come.
            let (tag_len, len_len) = header_lens(head).ok_or_else(|| {
                fail(ReadError::Malformed {
                    file,
                    reason: "unreadable TLV header".into(),
                })
            })?;
            Ok(Some(tag_len + len_len + claimed))
        }
        Err(tlv::TlvError::TruncatedTag { .. } | tlv::TlvError::TruncatedLength { .. }) => Ok(None),
        Err(e) => Err(fail(ReadError::Malformed {
            file,
            reason: e.to_string(),
        })),
    }
}

fn header_lens(head: &[u8]) -> Option<(usize, usize)> {
    let first = *head.first()?;
    let mut tag_len = 1;
    if first & 0x1F == 0x1F {
        while head.get(tag_len)? & 0x80 != 0 {
            tag_len += 1;
        }
        tag_len += 1;
    }
    let l = *head.get(tag_len)?;
    let len_len = if l < 0x80 { 1 } else { 1 + (l & 0x7F) as usize };
    Some((tag_len, len_len))
}

/// The most READ BINARY commands one file may take before the read is abandoned (a chip that
/// keeps answering without progress).
const MAX_READS_PER_FILE: usize = 70_000;

/// Reads `file` (SELECT, then READ BINARY), resuming from `resume` when given (the SELECT is
/// repeated, the bytes already read are kept).
pub fn read_file<T: Transport + ?Sized>(
    t: &mut T,
    file: FileId,
    opts: &ReadOptions,
    state: &mut BlockState,
    resume: Option<Partial>,
) -> Result<Vec<u8>, ReadFailure> {
    let (mut data, mut total) = match resume {
        Some(p) if p.file == file => (p.data, p.total),
        _ => (Vec::new(), None),
    };
    select(t, file).map_err(|mut f| {
        if let Some(p) = f.partial.as_mut() {
            p.data = data.clone();
            p.total = total;
        }
        f
    })?;
    let mut reads = 0usize;
    loop {
        if let Some(n) = total
            && data.len() >= n
        {
            data.truncate(n);
            return Ok(data);
        }
        reads += 1;
        if reads > MAX_READS_PER_FILE {
            return Err(fail(ReadError::Malformed {
                file,
                reason: format!("no progress after {MAX_READS_PER_FILE} reads"),
            }));
        }
        let offset = data.len();
        let le = match total {
            Some(n) => (n - offset).min(state.block),
            None if opts.fixed_block.is_some() => state.block,
            None => opts.first_read.max(1).min(state.block),
        };
        let (chunk, sw) = match read_binary(t, offset, le) {
            Ok(x) => x,
            Err(e) => return Err(interrupted(file, data, total, &e)),
        };
        match sw.status() {
            Status::Success | Status::EndOfFile => {
                if chunk.is_empty() {
                    if total.is_none() || sw.status() == Status::EndOfFile {
                        return Err(fail(ReadError::Malformed {
                            file,
                            reason: format!(
                                "the file ends at offset {offset}{}",
                                total.map_or(String::new(), |n| format!(
                                    " but its header says {n} bytes"
                                ))
                            ),
                        }));
                    }
                    // No data with 9000: ask for less.
                    state.block = step_down(le)
                        .ok_or_else(|| fail(ReadError::Status { file, offset, sw }))?;
                    continue;
                }
                let got = chunk.len().min(le);
                // A chip that caps its answers: learn the cap (not at the end of the file).
                if got < le && sw.is_success() && total.is_some_and(|n| offset + got < n) {
                    state.block = got;
                }
                data.extend_from_slice(&chunk[..got]);
                if total.is_none() {
                    total = tlv_total(file, &data)?;
                    if total.is_none() && sw.status() == Status::EndOfFile {
                        return Err(fail(ReadError::Malformed {
                            file,
                            reason: "the file ends inside its TLV header".into(),
                        }));
                    }
                }
                if sw.status() == Status::EndOfFile && total.is_some_and(|n| data.len() < n) {
                    return Err(fail(ReadError::Malformed {
                        file,
                        reason: format!(
                            "the chip reports the end of the file at offset {} but its header says {} bytes",
                            data.len(),
                            total.unwrap_or_default()
                        ),
                    }));
                }
            }
            Status::WrongLength
            | Status::WrongLe(_)
            | Status::WrongP1P2
            | Status::IncorrectP1P2
            | Status::LcInconsistentWithP1P2 => {
                let next = match sw.status() {
                    Status::WrongLe(n) if n != 0 && (n as usize) < le => Some(n as usize),
                    _ => step_down(le),
                };
                match next {
                    Some(b) => state.block = b,
                    None => {
                        return Err(fail(ReadError::Status { file, offset, sw }));
                    }
                }
            }
            Status::FileNotFound => return Err(fail(ReadError::NotFound { file, sw })),
            Status::SecurityStatusNotSatisfied
            | Status::ConditionsNotSatisfied
            | Status::CommandNotAllowed => {
                return Err(fail(ReadError::AccessDenied { file, sw }));
            }
            _ => return Err(fail(ReadError::Status { file, offset, sw })),
        }
    }
}

/// The data groups EF.COM lists (tag `5C` inside `60`).
pub fn com_data_groups(com: &[u8]) -> Result<Vec<FileId>, ChipError> {
    let bad = |reason: String| {
        ChipError::Read(ReadError::Malformed {
            file: FileId::Com,
            reason,
        })
    };
    let outer = tlv::parse_at(com, 0).map_err(|e| bad(e.to_string()))?;
    if outer.tag != Tag(0x60) {
        return Err(bad(format!("tag {} instead of '60'", outer.tag)));
    }
    let list = outer.require(Tag(0x5C)).map_err(|e| bad(e.to_string()))?;
    let mut out = Vec::new();
    for &t in list.value {
        if let Some(f) = FileId::from_dg_tag(t)
            && !out.contains(&f)
        {
            out.push(f);
        }
    }
    Ok(out)
}

/// The data-group numbers EF.SOD's LDSSecurityObject lists (a minimal DER walk; the full
/// parser is `epassport-lds`).
pub fn sod_data_groups(sod: &[u8]) -> Result<Vec<FileId>, ChipError> {
    let bad = |reason: String| {
        ChipError::Read(ReadError::Malformed {
            file: FileId::Sod,
            reason,
        })
    };
    let e = |e: tlv::TlvError| bad(e.to_string());
    let t77 = tlv::parse_at(sod, 0).map_err(e)?;
    let content_info = tlv::parse_at(t77.value, 0).map_err(e)?;
    let ci = content_info.children().map_err(e)?;
    let signed = ci
        .iter()
        .find(|c| c.tag == Tag(0xA0))
        .ok_or_else(|| bad("no [0] content".into()))?;
    let sd = tlv::parse_at(signed.value, 0).map_err(e)?;
    let encap = sd
        .children()
        .map_err(e)?
        .into_iter()
        .find(|c| c.tag == Tag(0x30))
        .ok_or_else(|| bad("no encapContentInfo".into()))?;
    let econtent = encap.require(Tag(0xA0)).map_err(e)?;
    let octets = tlv::parse_at(econtent.value, 0).map_err(e)?;
    let lso = tlv::parse_at(octets.value, 0).map_err(e)?;
    let seqs: Vec<_> = lso
        .children()
        .map_err(e)?
        .into_iter()
        .filter(|c| c.tag == Tag(0x30))
        .collect();
    let hashes = seqs
        .get(1)
        .ok_or_else(|| bad("no dataGroupHashValues".into()))?;
    let mut out = Vec::new();
    for dgh in hashes.children().map_err(e)? {
        let num = dgh.require(Tag(0x02)).map_err(e)?;
        match num.value {
            [n @ 1..=16] => out.push(FileId::Dg(*n)),
            v => return Err(bad(format!("data-group number {v:02X?}"))),
        }
    }
    Ok(out)
}

/// The largest response EF.ATR/INFO announces (DO'7F66' extended length information: two
/// INTEGERs, the largest command and the largest response), if it says.
pub fn atr_info_max_response(atr_info: &[u8]) -> Option<usize> {
    atr_info_limits(atr_info).map(|(_, r)| r)
}

/// Where the link's extended-length support was learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSource {
    /// EF.ATR/INFO's extended length information (DO'7F66', ISO/IEC 7816-4 §12.7.1).
    AtrInfo,
    /// The card-capabilities bytes of the ATR's historical bytes (ISO/IEC 7816-4 §12.1.1.10).
    Atr,
    /// A READ BINARY with an extended Le, answered by the chip (or refused: 6700, a transmission
    /// error).
    Probe,
    /// Neither said, and probing was not allowed: the transport's own capabilities.
    Transport,
}

impl fmt::Display for LinkSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkSource::AtrInfo => "EF.ATR/INFO",
            LinkSource::Atr => "ATR",
            LinkSource::Probe => "probe",
            LinkSource::Transport => "transport",
        })
    }
}

/// What [`learn_link`] found: the capabilities now in force and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkReport {
    /// The capabilities the read strategy and secure messaging now use.
    pub capabilities: Capabilities,
    /// Where extended-length support was learned.
    pub source: LinkSource,
    /// EF.ATR/INFO's contents, when the chip has the file.
    pub atr_info: Option<Vec<u8>>,
}

/// The largest command and response EF.ATR/INFO announces (DO'7F66' extended length
/// information: two INTEGERs), if it says.
pub fn atr_info_limits(atr_info: &[u8]) -> Option<(usize, usize)> {
    let nodes = tlv::parse_tree(atr_info).ok()?;
    fn find<'a>(nodes: &'a [tlv::Node<'a>]) -> Option<&'a tlv::Node<'a>> {
        for n in nodes {
            if n.tlv.tag == Tag(0x7F66) {
                return Some(n);
            }
            if let Some(f) = find(&n.children) {
                return Some(f);
            }
        }
        None
    }
    let info = find(&nodes)?;
    let ints: Vec<usize> = info
        .children
        .iter()
        .filter(|c| c.tlv.tag == Tag(0x02) && (1..=4).contains(&c.tlv.value.len()))
        .map(|c| {
            c.tlv
                .value
                .iter()
                .fold(0usize, |a, &b| (a << 8) | b as usize)
        })
        .collect();
    match ints.as_slice() {
        [cmd, resp, ..] => Some((*cmd, *resp)),
        _ => None,
    }
}

/// A transport that reports capabilities learned by [`learn_link`] in place of its own (wrap a
/// link whose backend cannot know what the chip supports, such as a PC/SC reader or a replay).
pub struct WithCapabilities<T> {
    inner: T,
    caps: Capabilities,
}

impl<T> WithCapabilities<T> {
    /// Wraps `inner`, reporting `caps`.
    pub fn new(inner: T, caps: Capabilities) -> Self {
        WithCapabilities { inner, caps }
    }
    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }
    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
    /// Gives the wrapped transport back.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for WithCapabilities<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.inner.transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        self.caps
    }
    fn note_secret(&mut self, label: &str, value: &[u8]) {
        self.inner.note_secret(label, value)
    }
    fn recorded_secret(&mut self, label: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        self.inner.recorded_secret(label)
    }
    fn reconnect(&mut self, timeout: Duration) -> Result<(), CardError> {
        self.inner.reconnect(timeout)
    }
}

/// The capabilities of an extended-length link of `max_command` / `max_response` bytes.
fn extended_caps(max_command: usize, max_response: usize) -> Capabilities {
    Capabilities {
        extended_length: true,
        max_command_len: max_command.clamp(261, 65544),
        max_response_len: max_response.clamp(256, 65536),
    }
}

/// Learns what the link between terminal and chip supports, before access control:
/// EF.ATR/INFO's DO'7F66' first (it also gives the sizes), then the ATR's card-capabilities
/// bytes, then (when `probe` is true and neither said) a READ BINARY of EF.CardAccess by SFI with
/// an extended Le (`00 B0 9C 00 00 00 00`): any answer but 6700, 6Cxx, 6Dxx/6Exx, 6Fxx or a
/// transmission error means chip and reader accept extended length. Without an answer from any
/// of them the transport's own capabilities stand.
///
/// Wrap the transport in [`WithCapabilities`] (or call [`Metered::set_capabilities`]) with the
/// report's capabilities so the read strategy and secure messaging use them; a link that then
/// fails on a large block is asked for short blocks when the read resumes.
pub fn learn_link<T: Transport + ?Sized>(
    t: &mut T,
    atr: Option<&[u8]>,
    probe: bool,
) -> Result<LinkReport, CardError> {
    let opts = ReadOptions {
        extended_length: false,
        ..ReadOptions::default()
    };
    let mut state = BlockState::new(&Capabilities::default(), &opts);
    let atr_info = match read_file(t, FileId::AtrInfo, &opts, &mut state, None) {
        Ok(d) => Some(d),
        Err(ReadFailure {
            error: ReadError::Interrupted { cause, .. },
            ..
        }) => return Err(CardError::CommunicationLost(cause)),
        Err(_) => None,
    };
    let from_atr = atr
        .and_then(|a| epassport_card::Atr::parse(a).ok())
        .and_then(|a| a.extended_length());
    let (capabilities, source) =
        if let Some((cmd, resp)) = atr_info.as_deref().and_then(atr_info_limits) {
            if cmd > 261 || resp > 256 {
                (extended_caps(cmd, resp), LinkSource::AtrInfo)
            } else {
                (Capabilities::default(), LinkSource::AtrInfo)
            }
        } else if let Some(ext) = from_atr {
            if ext {
                (extended_caps(65544, 65536), LinkSource::Atr)
            } else {
                (Capabilities::default(), LinkSource::Atr)
            }
        } else if probe {
            let cmd = [0x00, 0xB0, 0x9C, 0x00, 0x00, 0x00, 0x00];
            let accepted = match t.transmit(&cmd) {
                Ok(r) => match r.as_slice() {
                    [.., sw1, sw2] => !matches!((*sw1, *sw2), (0x67, _) | (0x6C..=0x6F, _)),
                    _ => false,
                },
                Err(CardError::CommunicationLost(m)) => {
                    return Err(CardError::CommunicationLost(m));
                }
                Err(_) => false,
            };
            if accepted {
                (extended_caps(65544, 65536), LinkSource::Probe)
            } else {
                (Capabilities::default(), LinkSource::Probe)
            }
        } else {
            (t.capabilities(), LinkSource::Transport)
        };
    Ok(LinkReport {
        capabilities,
        source,
        atr_info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(step_down(65000), Some(223));
        assert_eq!(step_down(223), Some(192));
        assert_eq!(step_down(161), Some(160));
        assert_eq!(step_down(1), None);
    }

    #[test]
    fn totals() {
        assert_eq!(
            tlv_total(FileId::Com, &[0x60, 0x14, 0x5F, 0x01]).unwrap(),
            Some(22)
        );
        assert_eq!(
            tlv_total(FileId::Dg(2), &[0x75, 0x82, 0x4A, 0xCF, 0x7F, 0x61]).unwrap(),
            Some(4 + 0x4ACF)
        );
        assert_eq!(tlv_total(FileId::Dg(2), &[0x75, 0x82]).unwrap(), None);
        assert_eq!(
            tlv_total(FileId::Dg(14), &[0x6E, 0x02, 0x31, 0x00]).unwrap(),
            Some(4)
        );
    }

    #[test]
    fn com_list() {
        let com = hex::decode("60145F0104303130365F36063034303030305C026175").unwrap();
        assert_eq!(
            com_data_groups(&com).unwrap(),
            vec![FileId::Dg(1), FileId::Dg(2)]
        );
    }

    #[test]
    fn atr_info() {
        // 7F66 08 02 02 FFFF 02 02 FFFF
        let info = hex::decode("7F66080202FFFF020208FF").unwrap();
        assert_eq!(atr_info_max_response(&info), Some(0x08FF));
    }
}
