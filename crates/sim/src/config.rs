//! The chip's configuration: files, secrets, supported protocols and behaviours; loaded from a
//! fixture folder (`fixtures/chips/<name>/`, keys documented in `fixtures/chips/README.md`) or
//! built in memory with [`ChipBuilder`].

use crate::fs::{AccessCondition, Ef};
use crate::protocol::ProtocolHandler;
use crate::rng::ChipRng;
use crate::{SimChip, SimError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A secret string (MRZ, CAN): zeroized on drop, printed as `REDACTED`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        SecretString(Zeroizing::new(s.into()))
    }
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("REDACTED")
    }
}

/// What the chip does when Le asks for more than [`Behaviour::max_response`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LargeLe {
    /// Return `max_response` bytes with 9000 (most chips).
    #[default]
    Truncate,
    /// Answer 6700 (wrong length) and no data.
    WrongLength,
    /// Answer 6Cxx with xx = `max_response` (00 for 256); 6700 when `max_response` exceeds 256.
    WrongLe,
}

/// What READ BINARY returns when Le reaches past the end of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PastEof {
    /// The bytes up to the end of the file, with 9000.
    #[default]
    Truncate,
    /// The bytes up to the end of the file, with 6282 (ISO/IEC 7816-4: end of file reached).
    #[serde(rename = "truncate_6282")]
    Truncate6282,
    /// Le bytes, zero-padded past the end of the file, with 6282 (seen on Polish chips).
    #[serde(rename = "zero_pad_6282")]
    ZeroPad6282,
}

/// Faults and limits real chips show, on demand. Every field has a default (a well-behaved chip).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Behaviour {
    /// Extended-length APDUs accepted (default true). When false an extended APDU gets 6700 and the
    /// ATR's card-capabilities byte says so.
    pub extended_length: bool,
    /// Most plain data bytes one READ BINARY returns (default 65536).
    pub max_response: usize,
    /// What happens when Le exceeds `max_response` (default `truncate`).
    pub large_le: LargeLe,
    /// What READ BINARY does past the end of a file (default `truncate`).
    pub past_eof: PastEof,
    /// Delay before each response, in milliseconds (default 0).
    pub delay_ms: u64,
    /// The card is removed after this many APDUs since it was (re)inserted: the next one fails with
    /// a lost-communication error (default never).
    pub remove_after_apdus: Option<usize>,
    /// The Nth protected response since the card was (re)inserted (1-based) gets its MAC corrupted
    /// (default never).
    pub corrupt_mac_on_response: Option<usize>,
    /// T=0 style: responses longer than this many bytes are split, the chip answering 61xx and the
    /// terminal fetching the rest with GET RESPONSE (default off).
    pub get_response_chunk: Option<usize>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            extended_length: true,
            max_response: 65536,
            large_le: LargeLe::Truncate,
            past_eof: PastEof::Truncate,
            delay_ms: 0,
            remove_after_apdus: None,
            corrupt_mac_on_response: None,
            get_response_chunk: None,
        }
    }
}

/// Everything the software chip is.
#[derive(Debug, Clone)]
pub struct ChipConfig {
    /// What the chip is (free text).
    pub description: String,
    /// The MRZ printed on the document (lines separated by `\n`), the source of the BAC/PACE key.
    pub mrz: Option<SecretString>,
    /// The card access number, when the chip accepts PACE with CAN.
    pub can: Option<SecretString>,
    /// BAC supported.
    pub bac: bool,
    /// PACE supported (with the parameters EF.CardAccess lists).
    pub pace: bool,
    /// Chip Authentication private key, PKCS#8 DER.
    pub ca_private_key: Option<Zeroizing<Vec<u8>>>,
    /// Active Authentication private key, PKCS#8 DER.
    pub aa_private_key: Option<Zeroizing<Vec<u8>>>,
    /// The EFs present and their contents.
    pub files: BTreeMap<Ef, Vec<u8>>,
    /// Access conditions that differ from [`Ef::default_access`].
    pub access: BTreeMap<Ef, AccessCondition>,
    /// Faults and limits.
    pub behaviour: Behaviour,
    /// Options for protocol handlers, keyed by protocol name (`"bac"`, `"pace"`, `"ca"`, `"aa"`):
    /// each handler documents its own.
    pub protocol_options: BTreeMap<String, serde_json::Value>,
    /// The ATR's historical bytes; `None` for the default (compact-TLV card capabilities saying
    /// whether extended length is supported).
    pub historical_bytes: Option<Vec<u8>>,
    /// The RNG seed; `None` seeds from the operating system.
    pub seed: Option<u64>,
}

impl Default for ChipConfig {
    fn default() -> Self {
        ChipConfig {
            description: String::new(),
            mrz: None,
            can: None,
            bac: true,
            pace: false,
            ca_private_key: None,
            aa_private_key: None,
            files: BTreeMap::new(),
            access: BTreeMap::new(),
            behaviour: Behaviour::default(),
            protocol_options: BTreeMap::new(),
            historical_bytes: None,
            seed: None,
        }
    }
}

/// `chip.json` as written in a fixture folder (see `fixtures/chips/README.md`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChipJson {
    #[serde(default)]
    description: String,
    mrz: Option<String>,
    can: Option<String>,
    #[serde(default = "yes")]
    bac: bool,
    #[serde(default)]
    pace: bool,
    ca_private_key: Option<PathBuf>,
    aa_private_key: Option<PathBuf>,
    #[serde(default)]
    access: BTreeMap<String, AccessCondition>,
    #[serde(default)]
    behaviour: Behaviour,
    #[serde(default)]
    protocol_options: BTreeMap<String, serde_json::Value>,
    historical_bytes: Option<String>,
    seed: Option<u64>,
}

fn yes() -> bool {
    true
}

fn read(path: &Path) -> Result<Vec<u8>, SimError> {
    std::fs::read(path).map_err(|e| SimError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

impl ChipConfig {
    /// The `MRZ_information` (document number, date of birth, date of expiry with their check
    /// digits) of the configured MRZ, which BAC and PACE with the MRZ derive their keys from, if
    /// the chip has a usable MRZ (parsed leniently, as a chip holds whatever was personalised).
    pub(crate) fn mrz_information(&self) -> Option<Zeroizing<Vec<u8>>> {
        let mrz = self.mrz.as_ref()?;
        let parsed =
            epassport_mrz::parse_with(mrz.expose(), &epassport_mrz::ParseOptions::lenient())
                .ok()?;
        let key = parsed.access_key().ok()?;
        Some(Zeroizing::new(key.information().to_vec()))
    }

    /// Loads a fixture folder: `chip.json` plus `<name>.bin` for each EF present.
    pub fn load(dir: &Path) -> Result<ChipConfig, SimError> {
        let json_path = dir.join("chip.json");
        let text = read(&json_path)?;
        let j: ChipJson = serde_json::from_slice(&text).map_err(|e| SimError::Config {
            path: json_path.clone(),
            message: e.to_string(),
        })?;
        let mut files = BTreeMap::new();
        for ef in Ef::all() {
            let p = dir.join(format!("{}.bin", ef.name()));
            if p.is_file() {
                files.insert(ef, read(&p)?);
            }
        }
        let mut access = BTreeMap::new();
        for (name, cond) in j.access {
            let ef = Ef::from_name(&name).ok_or_else(|| SimError::Config {
                path: json_path.clone(),
                message: format!("access: unknown file {name:?} (expected COM, SOD, DG1..DG16, CardAccess, CardSecurity, ATRINFO, DIR)"),
            })?;
            access.insert(ef, cond);
        }
        let key = |p: Option<PathBuf>| -> Result<Option<Zeroizing<Vec<u8>>>, SimError> {
            p.map(|p| read(&dir.join(p)).map(Zeroizing::new))
                .transpose()
        };
        let historical_bytes = j
            .historical_bytes
            .map(|h| {
                hex::decode(h.replace(' ', "")).map_err(|e| SimError::Config {
                    path: json_path.clone(),
                    message: format!("historical_bytes: {e}"),
                })
            })
            .transpose()?;
        if historical_bytes.as_ref().is_some_and(|h| h.len() > 15) {
            return Err(SimError::Config {
                path: json_path,
                message: "historical_bytes: at most 15 bytes".into(),
            });
        }
        Ok(ChipConfig {
            description: j.description,
            mrz: j.mrz.map(SecretString::new),
            can: j.can.map(SecretString::new),
            bac: j.bac,
            pace: j.pace,
            ca_private_key: key(j.ca_private_key)?,
            aa_private_key: key(j.aa_private_key)?,
            files,
            access,
            behaviour: j.behaviour,
            protocol_options: j.protocol_options,
            historical_bytes,
            seed: j.seed,
        })
    }

    /// The access condition of `ef` on this chip.
    pub fn access_condition(&self, ef: Ef) -> AccessCondition {
        self.access
            .get(&ef)
            .copied()
            .unwrap_or_else(|| ef.default_access())
    }

    /// The historical bytes the chip's ATR carries.
    pub fn effective_historical_bytes(&self) -> Vec<u8> {
        match &self.historical_bytes {
            Some(h) => h.clone(),
            // Category 80, compact-TLV card capabilities (tag 7, 3 bytes), third byte: b8 command
            // chaining, b7 extended Lc/Le (ISO/IEC 7816-4 §12.1.1.10).
            None => {
                let third = if self.behaviour.extended_length {
                    0xC0
                } else {
                    0x80
                };
                vec![0x80, 0x73, 0x00, 0x00, third]
            }
        }
    }

    /// The ATR: `3B 8n 80 01` + historical bytes + TCK (T=1, as PC/SC reports contactless cards,
    /// PC/SC part 3 §3.1.3.2.3).
    pub fn atr(&self) -> Vec<u8> {
        let hist = self.effective_historical_bytes();
        let mut atr = vec![0x3B, 0x80 | (hist.len() as u8 & 0x0F), 0x80, 0x01];
        atr.extend_from_slice(&hist);
        let tck = atr[1..].iter().fold(0u8, |a, b| a ^ b);
        atr.push(tck);
        atr
    }
}

/// Builds a software chip in memory (tests) or from a loaded configuration.
pub struct ChipBuilder {
    config: ChipConfig,
    scripted: Vec<u8>,
    handlers: Vec<Box<dyn ProtocolHandler>>,
    default_handlers: bool,
}

impl Default for ChipBuilder {
    fn default() -> Self {
        ChipBuilder::from_config(ChipConfig::default())
    }
}

impl ChipBuilder {
    /// Starts from a configuration (for example one [`ChipConfig::load`]ed from a fixture).
    pub fn from_config(config: ChipConfig) -> Self {
        ChipBuilder {
            config,
            scripted: Vec::new(),
            handlers: Vec::new(),
            default_handlers: true,
        }
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.config.description = d.into();
        self
    }
    /// Sets the MRZ (lines separated by `\n`).
    pub fn mrz(mut self, mrz: impl Into<String>) -> Self {
        self.config.mrz = Some(SecretString::new(mrz));
        self
    }
    /// Sets the CAN.
    pub fn can(mut self, can: impl Into<String>) -> Self {
        self.config.can = Some(SecretString::new(can));
        self
    }
    /// BAC supported or not.
    pub fn bac(mut self, on: bool) -> Self {
        self.config.bac = on;
        self
    }
    /// PACE supported or not.
    pub fn pace(mut self, on: bool) -> Self {
        self.config.pace = on;
        self
    }
    /// Sets the Chip Authentication private key (PKCS#8 DER).
    pub fn ca_private_key(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.config.ca_private_key = Some(Zeroizing::new(der.into()));
        self
    }
    /// Sets the Active Authentication private key (PKCS#8 DER).
    pub fn aa_private_key(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.config.aa_private_key = Some(Zeroizing::new(der.into()));
        self
    }
    /// Adds (or replaces) an EF.
    pub fn file(mut self, ef: Ef, contents: impl Into<Vec<u8>>) -> Self {
        self.config.files.insert(ef, contents.into());
        self
    }
    /// Sets an EF's access condition.
    pub fn access(mut self, ef: Ef, condition: AccessCondition) -> Self {
        self.config.access.insert(ef, condition);
        self
    }
    /// Replaces all behaviours.
    pub fn behaviour(mut self, b: Behaviour) -> Self {
        self.config.behaviour = b;
        self
    }
    /// Extended length on or off.
    pub fn extended_length(mut self, on: bool) -> Self {
        self.config.behaviour.extended_length = on;
        self
    }
    /// Caps READ BINARY responses at `n` bytes, answering larger Le as `large_le` says.
    pub fn max_response(mut self, n: usize, large_le: LargeLe) -> Self {
        self.config.behaviour.max_response = n;
        self.config.behaviour.large_le = large_le;
        self
    }
    /// What READ BINARY does past the end of a file.
    pub fn past_eof(mut self, p: PastEof) -> Self {
        self.config.behaviour.past_eof = p;
        self
    }
    /// Delays each response by `ms` milliseconds.
    pub fn delay_ms(mut self, ms: u64) -> Self {
        self.config.behaviour.delay_ms = ms;
        self
    }
    /// Removes the card after `n` APDUs.
    pub fn remove_after_apdus(mut self, n: usize) -> Self {
        self.config.behaviour.remove_after_apdus = Some(n);
        self
    }
    /// Corrupts the MAC of the `n`th protected response (1-based).
    pub fn corrupt_mac_on_response(mut self, n: usize) -> Self {
        self.config.behaviour.corrupt_mac_on_response = Some(n);
        self
    }
    /// Splits responses longer than `n` bytes T=0 style (61xx, GET RESPONSE).
    pub fn get_response_chunk(mut self, n: usize) -> Self {
        self.config.behaviour.get_response_chunk = Some(n);
        self
    }
    /// Sets an option for a protocol handler.
    pub fn protocol_option(mut self, protocol: &str, value: serde_json::Value) -> Self {
        self.config.protocol_options.insert(protocol.into(), value);
        self
    }
    /// Sets the ATR's historical bytes (at most 15).
    pub fn historical_bytes(mut self, h: impl Into<Vec<u8>>) -> Self {
        let mut h = h.into();
        h.truncate(15);
        self.config.historical_bytes = Some(h);
        self
    }
    /// Seeds the chip's RNG (deterministic tests).
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }
    /// Queues bytes the RNG returns before generated ones (a worked example's RND.IC, K.IC...).
    pub fn scripted_random(mut self, bytes: &[u8]) -> Self {
        self.scripted.extend_from_slice(bytes);
        self
    }
    /// Adds a protocol handler, offered commands after the default ones.
    pub fn handler(mut self, h: Box<dyn ProtocolHandler>) -> Self {
        self.handlers.push(h);
        self
    }
    /// Leaves out [`crate::protocol::default_handlers`] (a test that scripts its own protocol).
    pub fn without_default_handlers(mut self) -> Self {
        self.default_handlers = false;
        self
    }
    /// Builds the chip.
    pub fn build(self) -> SimChip {
        let mut rng = match self.config.seed {
            Some(s) => ChipRng::seeded(s),
            None => ChipRng::from_os(),
        };
        rng.push_scripted(&self.scripted);
        let mut handlers = if self.default_handlers {
            crate::protocol::default_handlers(&self.config)
        } else {
            Vec::new()
        };
        handlers.extend(self.handlers);
        SimChip::from_parts(self.config, rng, handlers)
    }
}
