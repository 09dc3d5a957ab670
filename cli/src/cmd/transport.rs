//! The one way commands that talk to a chip choose it: `--reader NAME | --sim FIXTURE | --replay
//! TRACE`, plus `--record FILE`. Flatten [`ChipSource`] into a command's arguments and call
//! [`ChipSource::open`]:
//!
//! ```ignore
//! #[derive(clap::Args, Debug)]
//! pub struct Args {
//!     #[command(flatten)]
//!     pub source: crate::cmd::transport::ChipSource,
//!     // ... the command's own arguments
//! }
//! let mut link = args.source.open()?;          // a Transport
//! /* ... talk to the chip through `&mut link` ... */
//! link.finish()?;                              // writes the --record trace, checks a --replay ran out
//! ```
//!
//! Exit codes for [`OpenError`] / [`CardError`]: [`exit_code`] (2 usage, 4 communication).

use clap::Args as ClapArgs;
use epassport::card::{Capabilities, CardError, Recorder, Replay, Transport};
use epassport::sim::SimChip;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// Where the chip is.
#[derive(ClapArgs, Debug, Clone, Default)]
pub struct ChipSource {
    /// PC/SC reader to use (exact name from `epassport readers`; empty: the first reader with a card).
    #[arg(long, value_name = "NAME", group = "chip_source")]
    pub reader: Option<String>,
    /// Use the software chip of this fixture folder (a path, or a name under fixtures/chips/).
    #[arg(long, value_name = "FIXTURE", group = "chip_source")]
    pub sim: Option<PathBuf>,
    /// Replay a recorded APDU trace instead of talking to a chip (commands must match exactly).
    #[arg(long, value_name = "TRACE", group = "chip_source")]
    pub replay: Option<PathBuf>,
    /// Record every APDU exchange (and the terminal's nonces) into this JSON trace.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Seconds to wait for a card to be presented to the reader.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub wait: u64,
}

/// Why the chip could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Bad command line (no source, feature missing, fixture not found...).
    #[error("{0}")]
    Usage(String),
    /// The card layer failed (no reader, no card, trace unreadable...).
    #[error(transparent)]
    Card(#[from] CardError),
}

/// The exit code for a card-layer failure: 4 (communication) for everything the chip or reader
/// did, 2 for a bad trace file.
pub fn exit_code(e: &CardError) -> u8 {
    match e {
        CardError::Trace(_) => 2,
        _ => 4,
    }
}

/// The label under which [`session_rng`] notes its seed in a trace.
pub const RNG_SEED_LABEL: &str = "terminal.rng_seed";

/// The terminal's random source for one session: seeded from the operating system, the seed noted
/// as a secret ([`RNG_SEED_LABEL`]) so a `--record`ed trace holds it; on `--replay` the recorded
/// seed comes back, so every nonce and ephemeral key (and so every command) repeats byte for byte.
pub fn session_rng(link: &mut impl Transport) -> rand::rngs::StdRng {
    use rand::{RngExt, SeedableRng};
    let seed: [u8; 32] = match link.recorded_secret(RNG_SEED_LABEL) {
        Some(s) if s.len() == 32 => {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(&s);
            seed
        }
        _ => rand::rng().random(),
    };
    link.note_secret(RNG_SEED_LABEL, &seed);
    rand::rngs::StdRng::from_seed(seed)
}

/// An open link to a chip: a [`Transport`], recording when asked.
pub struct ChipLink {
    transport: Recorder<Box<dyn Transport>>,
    replay_left: Option<Box<dyn Fn() -> Result<(), CardError>>>,
    record_to: Option<PathBuf>,
    saved: bool,
    /// The reader's name (`sim:<fixture>` for the software chip, `replay:<trace>` for a trace).
    pub reader: String,
    /// The chip's ATR.
    pub atr: Vec<u8>,
}

/// Finds a fixture: a folder path, or a name under `fixtures/chips/` (from the current directory).
pub fn resolve_fixture(p: &Path) -> Result<PathBuf, OpenError> {
    if p.join("chip.json").is_file() {
        return Ok(p.to_path_buf());
    }
    let named = Path::new("fixtures/chips").join(p);
    if p.components().count() == 1 && named.join("chip.json").is_file() {
        return Ok(named);
    }
    Err(OpenError::Usage(format!(
        "{}: not a fixture chip folder (no chip.json)",
        p.display()
    )))
}

impl ChipSource {
    /// Opens the chosen chip.
    pub fn open(&self) -> Result<ChipLink, OpenError> {
        let (inner, reader, atr, replay_left): (Box<dyn Transport>, String, Vec<u8>, _) =
            if let Some(p) = &self.sim {
                let dir = resolve_fixture(p)?;
                let chip =
                    SimChip::from_fixture(&dir).map_err(|e| OpenError::Usage(e.to_string()))?;
                let atr = chip.atr();
                (Box::new(chip), format!("sim:{}", dir.display()), atr, None)
            } else if let Some(p) = &self.replay {
                let replay = SharedReplay::new(Replay::load(p)?);
                let atr = replay.with(|r| r.trace().atr_bytes())?;
                let check = replay.clone();
                let left: Box<dyn Fn() -> Result<(), CardError>> =
                    Box::new(move || check.with(|r| r.finish()));
                (
                    Box::new(replay),
                    format!("replay:{}", p.display()),
                    atr,
                    Some(left),
                )
            } else {
                self.open_reader()?
            };
        Ok(ChipLink {
            transport: Recorder::new(inner, reader.clone(), &atr),
            replay_left,
            record_to: self.record.clone(),
            saved: false,
            reader,
            atr,
        })
    }

    #[cfg(feature = "pcsc")]
    #[allow(clippy::type_complexity)]
    fn open_reader(
        &self,
    ) -> Result<
        (
            Box<dyn Transport>,
            String,
            Vec<u8>,
            Option<Box<dyn Fn() -> Result<(), CardError>>>,
        ),
        OpenError,
    > {
        let name = self.reader.as_deref().filter(|n| !n.is_empty());
        let card = epassport::card::pcsc::PcscCard::connect(name, Duration::from_secs(self.wait))?;
        let reader = card.reader().to_string();
        let atr = card.atr().to_vec();
        Ok((Box::new(card), reader, atr, None))
    }

    #[cfg(not(feature = "pcsc"))]
    #[allow(clippy::type_complexity)]
    fn open_reader(
        &self,
    ) -> Result<
        (
            Box<dyn Transport>,
            String,
            Vec<u8>,
            Option<Box<dyn Fn() -> Result<(), CardError>>>,
        ),
        OpenError,
    > {
        let _ = Duration::from_secs(self.wait);
        Err(OpenError::Usage(if self.reader.is_some() {
            "this build has no PC/SC support (rebuild with --features pcsc)".into()
        } else {
            "say where the chip is: --reader NAME, --sim FIXTURE or --replay TRACE".into()
        }))
    }
}

impl ChipLink {
    /// The exchanges so far (for statistics).
    pub fn trace(&self) -> &epassport::card::Trace {
        self.transport.trace()
    }
    /// Ends the session: writes the `--record` trace and, for `--replay`, checks the whole trace
    /// was replayed.
    pub fn finish(mut self) -> Result<(), CardError> {
        self.save()?;
        match &self.replay_left {
            Some(check) => check(),
            None => Ok(()),
        }
    }
    fn save(&mut self) -> Result<(), CardError> {
        if self.saved {
            return Ok(());
        }
        self.saved = true;
        match &self.record_to {
            Some(p) => self.transport.trace().save(p),
            None => Ok(()),
        }
    }
}

impl Drop for ChipLink {
    /// A session that ended in an error still leaves its trace behind.
    fn drop(&mut self) {
        let _ = self.save();
    }
}

impl Transport for ChipLink {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.transport.transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        self.transport.capabilities()
    }
    fn note_secret(&mut self, label: &str, value: &[u8]) {
        self.transport.note_secret(label, value)
    }
    fn recorded_secret(&mut self, label: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.transport.recorded_secret(label)
    }
    fn reconnect(&mut self, timeout: Duration) -> Result<(), CardError> {
        self.transport.reconnect(timeout)
    }
}

/// A replay shared between the link and the end-of-session check.
#[derive(Clone)]
struct SharedReplay(std::rc::Rc<std::cell::RefCell<Replay>>);

impl SharedReplay {
    fn new(r: Replay) -> Self {
        SharedReplay(std::rc::Rc::new(std::cell::RefCell::new(r)))
    }
    fn with<R>(&self, f: impl FnOnce(&mut Replay) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}

impl Transport for SharedReplay {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        self.with(|r| r.transmit(command))
    }
    fn capabilities(&self) -> Capabilities {
        self.0.borrow().capabilities()
    }
    fn recorded_secret(&mut self, label: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.with(|r| r.recorded_secret(label))
    }
    fn reconnect(&mut self, timeout: Duration) -> Result<(), CardError> {
        self.with(|r| r.reconnect(timeout))
    }
}
