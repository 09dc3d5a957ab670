//! `epassport enrol`: scan the MRZ, read the chip, match the face, take the MitID choices, decide,
//! and write the enrolment record.

use crate::cmd::transport::{ChipSource, OpenError, exit_code};
use clap::{Args as ClapArgs, ValueEnum};
use epassport::enrol::flow::{self, ChoicesInput, MrzInput, Observer, Request, Stage};
use epassport::enrol::record::Tool;
use epassport::enrol::time::OffsetDateTime;
use epassport::enrol::time::format_description::well_known::Rfc3339;
use epassport::enrol::user_id::{Advice, NoAvailabilityCheck, check_user_id};
use epassport::enrol::{
    Authenticator, DecisionStatus, Email, Phone, Policy, Record, SigningKey, UserId,
};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Exit code: the enrolment was rejected (the record was still written).
pub const EXIT_REJECTED: u8 = 8;
/// Exit code: the enrolment was referred to manual review (the record was written).
pub const EXIT_REVIEW: u8 = 9;
/// Exit code: usage error.
pub const EXIT_USAGE: u8 = 2;

/// The built-in demonstrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Demo {
    /// The demo holder with a matching selfie: approved.
    Holder,
    /// A cloned chip (CA/AA keys differ): rejected.
    Clone,
    /// DG1 altered after signing: rejected by passive authentication.
    Tampered,
    /// The genuine passport with somebody else's selfie: rejected by the face match.
    Impostor,
}

/// Arguments of `epassport enrol`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Enrol a built-in simulated passport (no reader needed): `holder` (approved, the default),
    /// `clone`, `tampered` or `impostor` (the three main rejections). Other flags override the
    /// demo's defaults.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "holder", value_name = "CASE")]
    pub demo: Option<Demo>,
    /// File with the MRZ lines as printed on the document.
    #[arg(long, value_name = "FILE", conflicts_with = "mrz_key")]
    pub mrz: Option<PathBuf>,
    /// Only the MRZ key: document number, birth date and expiry date.
    #[arg(long, value_name = "DOCNO,YYMMDD,YYMMDD", conflicts_with = "mrz_image")]
    pub mrz_key: Option<String>,
    /// A photo or scan of the data page: the MRZ is read from it (OCR-B, check digits choose
    /// between look-alike characters; a read that cannot be made valid asks for a new photo).
    #[arg(long, value_name = "PHOTO", conflicts_with = "mrz")]
    pub mrz_image: Option<PathBuf>,
    /// Card access number (ID cards; PACE with CAN).
    #[arg(long, value_name = "CAN")]
    pub can: Option<String>,
    /// Where the chip is.
    #[command(flatten)]
    pub source: ChipSource,
    /// Trust source for passive authentication (CSCA certificate, folder, master list); repeatable.
    #[arg(long, value_name = "PATH")]
    pub trust: Vec<PathBuf>,
    /// The holder's selfie, compared with the chip's portrait.
    #[arg(long, value_name = "IMAGE")]
    pub selfie: Option<PathBuf>,
    /// The MitID user ID.
    #[arg(long, value_name = "ID")]
    pub user_id: Option<String>,
    /// The authenticator: app, code-display or audio-code-reader.
    #[arg(long, value_name = "KIND")]
    pub authenticator: Option<String>,
    /// E-mail address for MitID notifications.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// Phone number for MitID notifications (8 digits for Denmark, or +country code).
    #[arg(long, value_name = "NUMBER")]
    pub phone: Option<String>,
    /// The holder accepts the MitID terms.
    #[arg(long)]
    pub accept_terms: bool,
    /// Put the chip's portrait into the record.
    #[arg(long)]
    pub include_portrait: bool,
    /// Sign the record with this PEM private key (Ed25519 or ECDSA P-256).
    #[arg(long, value_name = "KEY")]
    pub sign_key: Option<PathBuf>,
    /// Write the record here (atomically); without it the record goes to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --out: print the record as JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// The minimum age in years (MitID: 13).
    #[arg(long, value_name = "YEARS", default_value_t = 13)]
    pub minimum_age: u8,
    /// The enrolment time (RFC 3339), for reproducible records.
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("epassport enrol: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// Finds the repository's `fixtures/` folder: `$EPASSPORT_FIXTURES`, a `fixtures/` beside an
/// ancestor of the executable (a build inside the repository), or the one this binary was built
/// from.
pub fn fixtures_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("EPASSPORT_FIXTURES") {
        return PathBuf::from(d);
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1) {
            let candidate = dir.join("fixtures");
            if candidate.join("chips/demo/chip.json").is_file() {
                return candidate;
            }
        }
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"))
}

/// What `--demo` fills in.
struct DemoSetup {
    chip: PathBuf,
    mrz: String,
    selfie: PathBuf,
    trust: PathBuf,
}

fn demo_setup(demo: Demo) -> Result<DemoSetup, String> {
    let root = fixtures_dir();
    let (chip, selfie) = match demo {
        Demo::Holder => ("demo", "holder-selfie.jpg"),
        Demo::Clone => ("clone", "holder-selfie.jpg"),
        Demo::Tampered => ("tampered", "holder-selfie.jpg"),
        Demo::Impostor => ("demo", "impostor-selfie.jpg"),
    };
    let chip = root.join("chips").join(chip);
    let config = chip.join("chip.json");
    let text = std::fs::read_to_string(&config).map_err(|e| {
        format!(
            "the demo fixtures are missing ({}: {e}); set EPASSPORT_FIXTURES to the repository's fixtures/ folder",
            config.display()
        )
    })?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not JSON: {e}", config.display()))?;
    let mrz = json
        .get("mrz")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| format!("{} has no \"mrz\"", config.display()))?
        .to_owned();
    Ok(DemoSetup {
        chip,
        mrz,
        selfie: root.join("faces").join(selfie),
        trust: root.join("pki/certs/csca-p256.cer"),
    })
}

/// Reads lines from the terminal, prompting on stderr.
struct Prompter {
    stdin: std::io::StdinLock<'static>,
}

impl Prompter {
    fn ask(&mut self, prompt: &str) -> Result<String, String> {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let n = self
            .stdin
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the answer: {e}"))?;
        if n == 0 {
            return Err("input ended before every answer was given".into());
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }

    fn ask_until<T>(
        &mut self,
        prompt: &str,
        mut parse: impl FnMut(&str) -> Result<T, String>,
    ) -> Result<T, String> {
        loop {
            let answer = self.ask(prompt)?;
            match parse(&answer) {
                Ok(v) => return Ok(v),
                Err(e) => eprintln!("  {e}"),
            }
        }
    }
}

fn ask<T>(r: Result<T, String>) -> Result<T, ExitCode> {
    r.map_err(usage)
}

fn check_id(s: &str) -> Result<UserId, String> {
    check_user_id(s, &Advice::default())
        .map(|(id, _)| id)
        .map_err(|e| e.to_string())
}

/// Prints progress on a terminal; nothing when stderr is piped.
struct Progress {
    on: bool,
}

impl Observer for Progress {
    fn started(&mut self, stage: Stage) {
        if self.on {
            eprint!("{} ... ", stage.name());
            let _ = std::io::stderr().flush();
        }
    }
    fn finished(&mut self, _stage: Stage, elapsed: Duration) {
        if self.on {
            eprintln!("{} ms", elapsed.as_millis());
        }
    }
}

/// The tool's description in records.
pub fn tool() -> Tool {
    let mut features = Vec::new();
    if cfg!(feature = "face") {
        features.push("face".to_owned());
    }
    if cfg!(feature = "pcsc") {
        features.push("pcsc".to_owned());
    }
    Tool {
        name: "epassport".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        features,
    }
}

/// Runs the subcommand: exit 0 approved, 8 rejected, 9 manual review, 2 usage, 1 if the record
/// could not be written.
pub fn run(args: &Args) -> ExitCode {
    match prepare(args) {
        Ok((request, source, key)) => execute(args, &request, &source, key.as_ref()),
        Err(code) => code,
    }
}

fn prepare(args: &Args) -> Result<(Request, ChipSource, Option<SigningKey>), ExitCode> {
    let interactive = std::io::stdin().is_terminal() && args.demo.is_none();
    let now = match &args.now {
        Some(t) => OffsetDateTime::parse(t, &Rfc3339)
            .map_err(|e| usage(format!("--now {t:?} is not an RFC 3339 time: {e}")))?,
        None => OffsetDateTime::now_utc(),
    };
    let demo = match args.demo {
        Some(d) => Some(demo_setup(d).map_err(usage)?),
        None => None,
    };

    // Everything that can be checked without the chip is checked first.
    let mut missing: Vec<&str> = Vec::new();
    let mrz_input = if let Some(path) = &args.mrz {
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read --mrz {}: {e}", path.display())))?;
        Some(MrzInput::Text {
            text,
            source: "file",
        })
    } else if let Some(path) = &args.mrz_image {
        let bytes = std::fs::read(path)
            .map_err(|e| usage(format!("cannot read --mrz-image {}: {e}", path.display())))?;
        let report = epassport_mrz::scan::read_image(&bytes).map_err(|e| {
            usage(format!(
                "--mrz-image {}: no valid MRZ could be read: {e}",
                path.display()
            ))
        })?;
        Some(MrzInput::Text {
            text: report.lines.join("\n"),
            source: "image",
        })
    } else if let Some(key) = &args.mrz_key {
        let parts: Vec<&str> = key.split(',').map(str::trim).collect();
        let [doc, dob, doe] = parts[..] else {
            return Err(usage(format!(
                "--mrz-key {key:?} must be DOCNO,YYMMDD,YYMMDD (document number, birth date, expiry date)"
            )));
        };
        Some(MrzInput::Key {
            document_number: doc.to_owned(),
            date_of_birth: dob.to_owned(),
            date_of_expiry: doe.to_owned(),
        })
    } else {
        demo.as_ref().map(|d| MrzInput::Text {
            text: d.mrz.clone(),
            source: "demo",
        })
    };
    if mrz_input.is_none() && !interactive {
        missing.push("--mrz FILE (or --mrz-image PHOTO, or --mrz-key)");
    }
    let mut source = args.source.clone();
    if source.reader.is_none() && source.sim.is_none() && source.replay.is_none() {
        if let Some(d) = &demo {
            source.sim = Some(d.chip.clone());
        } else if !cfg!(feature = "pcsc") {
            missing.push("--reader NAME, --sim FIXTURE or --replay TRACE");
        }
    }
    let mut trust = args.trust.clone();
    if trust.is_empty()
        && let Some(d) = &demo
    {
        trust.push(d.trust.clone());
    }
    if trust.is_empty() && !interactive {
        missing.push("--trust PATH");
    }
    let selfie = args
        .selfie
        .clone()
        .or_else(|| demo.as_ref().map(|d| d.selfie.clone()));
    if selfie.is_none() && !interactive {
        missing.push("--selfie IMAGE");
    }
    let demo_on = demo.is_some();
    let user_id = args
        .user_id
        .clone()
        .or_else(|| demo_on.then(|| "blue-falcon-42".to_owned()));
    if user_id.is_none() && !interactive {
        missing.push("--user-id ID");
    }
    let authenticator = args
        .authenticator
        .clone()
        .or_else(|| demo_on.then(|| "app".to_owned()));
    if authenticator.is_none() && !interactive {
        missing.push("--authenticator app|code-display|audio-code-reader");
    }
    let email = args
        .email
        .clone()
        .or_else(|| (demo_on && args.phone.is_none()).then(|| "anna.hansen@example.dk".to_owned()));
    if email.is_none() && args.phone.is_none() && !interactive {
        missing.push("--email ADDRESS or --phone NUMBER");
    }
    let accept_terms = args.accept_terms || demo_on;
    if !accept_terms && !interactive {
        missing.push("--accept-terms");
    }
    if !missing.is_empty() {
        return Err(usage(format!(
            "missing {}; standard input is not a terminal, so nothing can be asked",
            missing.join(", ")
        )));
    }

    // Validate what was given, every problem at once.
    let mut problems: Vec<String> = Vec::new();
    let user_id = match user_id.as_deref().map(check_id) {
        Some(Ok(id)) => Some(id),
        Some(Err(e)) => {
            problems.push(format!("--user-id: {e}"));
            None
        }
        None => None,
    };
    let authenticator = match authenticator.as_deref().map(str::parse::<Authenticator>) {
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => {
            problems.push(format!("--authenticator: {e}"));
            None
        }
        None => None,
    };
    let email = match email.as_deref().map(Email::parse) {
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            problems.push(format!("--email: {e}"));
            None
        }
        None => None,
    };
    let phone = match args.phone.as_deref().map(Phone::parse) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            problems.push(format!("--phone: {e}"));
            None
        }
        None => None,
    };
    if let Some(can) = &args.can
        && (can.len() != 6 || !can.chars().all(|c| c.is_ascii_digit()))
    {
        problems.push(format!(
            "--can {can:?} must be the 6 digits printed on the card"
        ));
    }
    for path in trust.iter().chain(selfie.iter()) {
        if !path.exists() {
            problems.push(format!("{} does not exist", path.display()));
        }
    }
    let key = match &args.sign_key {
        None => None,
        Some(p) => match std::fs::read_to_string(p) {
            Err(e) => {
                problems.push(format!("cannot read --sign-key {}: {e}", p.display()));
                None
            }
            Ok(pem) => match SigningKey::from_pem(&pem) {
                Ok(k) => Some(k),
                Err(e) => {
                    problems.push(format!("--sign-key {}: {e}", p.display()));
                    None
                }
            },
        },
    };
    let scanned = match &mrz_input {
        Some(input) => match flow::scan(input, args.can.as_deref(), now) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(format!("the MRZ is not valid: {e}"));
                None
            }
        },
        None => None,
    };
    if !problems.is_empty() {
        return Err(usage(problems.join("\nepassport enrol: ")));
    }

    // Ask for whatever is still missing (only on a terminal).
    let mut prompter = Prompter {
        stdin: std::io::stdin().lock(),
    };
    let scanned = match scanned {
        Some(s) => s,
        None => ask(prompter.ask_until(
            "MRZ (the lines at the bottom of the photo page, separated by spaces or on one line): ",
            |text| {
                let text = text.split_whitespace().collect::<Vec<_>>().join("\n");
                flow::scan(
                    &MrzInput::Text {
                        text,
                        source: "prompt",
                    },
                    args.can.as_deref(),
                    now,
                )
                .map_err(|e| format!("not valid: {e}"))
            },
        ))?,
    };
    if trust.is_empty() {
        trust.push(ask(prompter.ask_until(
            "Trust source (CSCA certificate or master list): ",
            |p| {
                let p = PathBuf::from(p.trim());
                if p.exists() {
                    Ok(p)
                } else {
                    Err(format!("{} does not exist", p.display()))
                }
            },
        ))?);
    }
    let selfie = match selfie {
        Some(s) => s,
        None => ask(prompter.ask_until("Selfie image: ", |p| {
            let p = PathBuf::from(p.trim());
            if p.exists() {
                Ok(p)
            } else {
                Err(format!("{} does not exist", p.display()))
            }
        }))?,
    };
    let user_id = match user_id {
        Some(u) => u,
        None => ask(prompter.ask_until("MitID user ID (5-48 characters): ", check_id))?,
    };
    let authenticator = match authenticator {
        Some(a) => a,
        None => ask(prompter.ask_until(
            "Authenticator (app, code-display, audio-code-reader): ",
            |s| s.parse::<Authenticator>().map_err(|e| e.to_string()),
        ))?,
    };
    let (email, phone) = if email.is_none() && phone.is_none() {
        let email = ask(prompter.ask_until("E-mail (empty for none): ", |s| {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                Email::parse(s).map(Some).map_err(|e| e.to_string())
            }
        }))?;
        let phone = ask(prompter.ask_until("Phone (empty for none): ", |s| {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                Phone::parse(s).map(Some).map_err(|e| e.to_string())
            }
        }))?;
        (email, phone)
    } else {
        (email, phone)
    };
    let terms_accepted = accept_terms
        || ask(
            prompter.ask_until("Do you accept the MitID terms? [y/n]: ", |s| {
                match s.trim().to_ascii_lowercase().as_str() {
                    "y" | "yes" => Ok(true),
                    "n" | "no" => Ok(false),
                    _ => Err("answer y or n".into()),
                }
            }),
        )?;

    let trust = flow::load_trust(&trust).map_err(usage)?;
    let request = Request {
        scanned,
        trust,
        selfie: Some(selfie),
        choices: ChoicesInput {
            user_id,
            authenticator,
            email,
            phone,
            terms_accepted,
        },
        include_portrait: args.include_portrait,
        policy: Policy {
            minimum_age: args.minimum_age,
            ..Policy::default()
        },
        now,
        tool: tool(),
    };
    Ok((request, source, key))
}

fn execute(
    args: &Args,
    request: &Request,
    source: &ChipSource,
    key: Option<&SigningKey>,
) -> ExitCode {
    let mut progress = Progress {
        on: std::io::stderr().is_terminal(),
    };
    if source.sim.is_none() && source.replay.is_none() && progress.on {
        // Waiting for the card: say so, with the reader and the timeout.
        let reader = source
            .reader
            .as_deref()
            .filter(|r| !r.is_empty())
            .map_or_else(|| "a reader".to_owned(), |r| format!("the reader {r:?}"));
        eprintln!(
            "Place the passport's photo page (or the ID card) on {reader}; waiting up to {} s ...",
            source.wait
        );
    }
    let mut link = match source.open() {
        Ok(l) => l,
        Err(OpenError::Usage(m)) => return usage(m),
        Err(OpenError::Card(e)) => {
            eprintln!("epassport enrol: {e}");
            return ExitCode::from(exit_code(&e));
        }
    };
    #[cfg(feature = "face")]
    let face = match epassport::face_step::TractFace::new() {
        Ok(f) => Some(f),
        Err(e) => {
            eprintln!("epassport enrol: the face models do not load: {e}");
            return ExitCode::from(1);
        }
    };
    #[cfg(feature = "face")]
    let face_ref = face.as_ref().map(|f| f as &dyn flow::FaceCompare);
    #[cfg(not(feature = "face"))]
    let face_ref: Option<&dyn flow::FaceCompare> = None;
    // Seeded per session and noted in a --record trace, so --replay repeats every command.
    let mut rng = crate::cmd::transport::session_rng(&mut link);
    let services = flow::Services {
        transport: &mut link,
        rng: &mut rng,
        availability: &NoAvailabilityCheck,
        face: face_ref,
    };
    let outcome = match flow::enrol(request, services, &mut progress) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("epassport enrol: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = link.finish() {
        eprintln!("epassport enrol: {e}");
        return ExitCode::from(exit_code(&e));
    }
    let record = &outcome.record;
    let json = match record.to_json(key) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("epassport enrol: {e}");
            return ExitCode::from(1);
        }
    };
    match &args.out {
        None => print!("{json}"),
        Some(path) => {
            if let Err(e) = epassport::enrol::atomic::write_atomic(path, json.as_bytes()) {
                eprintln!(
                    "epassport enrol: could not write the record to {}: {e}",
                    path.display()
                );
                return ExitCode::from(1);
            }
            if args.json {
                print!("{json}");
            } else {
                print_summary(record, path);
            }
        }
    }
    match record.decision.status {
        DecisionStatus::Approved => ExitCode::SUCCESS,
        DecisionStatus::Rejected => ExitCode::from(EXIT_REJECTED),
        DecisionStatus::ManualReview => ExitCode::from(EXIT_REVIEW),
    }
}

fn print_summary(record: &Record, path: &Path) {
    let status = match record.decision.status {
        DecisionStatus::Approved => "approved",
        DecisionStatus::Rejected => "rejected",
        DecisionStatus::ManualReview => "referred to manual review",
    };
    println!("enrolment {status}");
    for r in &record.decision.reasons {
        let code = serde_json::to_value(r.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!("  - {code}: {}", r.message);
    }
    for w in &record.mitid.user_id_warnings {
        println!("  advice: the user ID {w}");
    }
    println!("record written to {}", path.display());
}
