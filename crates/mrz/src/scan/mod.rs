//! Reading the MRZ from a photo or scan of a document's data page (feature `image`).
//!
//! ```no_run
//! let photo = std::fs::read("passport.jpg").unwrap();
//! match epassport_mrz::scan::read_image(&photo) {
//!     Ok(report) => println!("{}", report.mrz.fields.document_number),
//!     Err(e) => eprintln!("{e}"),
//! }
//! ```
//!
//! The pipeline: decode (refusing images above [`ScanOptions::max_pixels`] before decoding),
//! grayscale, a detection copy of at most ~1600 pixels a side, adaptive (local-mean) binarisation,
//! connected components, the dominant text direction from neighbouring equal-sized glyphs (any
//! rotation), chains of glyphs at a regular pitch, the groups of 2 or 3 parallel lines of equal
//! extent that an MRZ is (30, 36 or 44 characters), a quadratic fit of each line's character
//! positions (skew and mild perspective). Each candidate band's character cells are resampled
//! from a pyramid level of the full image and matched against the 37 OCR-B templates (normalised
//! cross-correlation, searched over small offsets); the band and reading direction whose glyphs
//! match best are kept, the line fits are moved to where the glyphs matched, and a line indexed
//! one place off is re-read shifted. The glyph window template matching aligned is then
//! classified by a linear model trained on synthetic pages ([`learned`]), over the characters
//! the position allows. Each position keeps its alternatives; the check digits and the strict
//! parser choose the most probable combination that validates (readings whose country codes
//! are ICAO 9303-3 codes first), and a second valid combination within a small likelihood
//! margin makes the read fail as ambiguous rather than guess.
//!
//! A reading is only returned when the strict parser accepts it: positions that no check digit
//! covers (names, nationality, sex) are protected by that margin alone.

mod classify;
mod decide;
mod gray;
#[doc(hidden)]
pub mod learned;
mod locate;
pub mod synth;

use std::borrow::Cow;

use classify::{ALPHABET, MARGIN, PH, PW, TH, TW};
use gray::Gray;
use locate::{Band, LocateError};

use crate::{Field, Mrz};

/// Limits and knobs of [`read_image_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanOptions {
    /// Images with more pixels than this are refused before decoding (default 50 million).
    pub max_pixels: u64,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            max_pixels: 50_000_000,
        }
    }
}

/// Why an image could not be read. The messages end with what the user should do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OcrError {
    /// The bytes are not an image in a supported format (JPEG, PNG).
    #[error("cannot decode the image: {0}")]
    Decode(String),
    /// The image has more pixels than allowed.
    #[error("the image is {width}x{height} pixels, above the limit of {limit} pixels")]
    TooLarge {
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
        /// The limit ([`ScanOptions::max_pixels`]).
        limit: u64,
    },
    /// Nothing resembling an MRZ was found.
    #[error(
        "no MRZ found in the image: retake the photo with the whole data page in view, flat, lit evenly and in focus"
    )]
    NoMrzFound,
    /// The MRZ characters are too small to read.
    #[error(
        "the MRZ characters are only {pitch:.1} pixels apart (at least 8 are needed): retake the photo closer"
    )]
    TooSmall {
        /// Character pitch found, in pixels.
        pitch: f32,
    },
    /// MRZ-like lines were found but run off the image.
    #[error("the MRZ runs off the edge of the image: retake the photo with the whole MRZ in view")]
    CutOff,
    /// The glyphs are too blurred or too faint to read safely.
    #[error(
        "the MRZ is too blurred or too dim to read (mean glyph match {score:.2}, blur about {blur:.2} of the character pitch): retake the photo in focus and evenly lit"
    )]
    TooBlurred {
        /// Mean correlation of the best glyph template per position (1.0 is perfect).
        score: f32,
        /// The blur (Gaussian sigma) of the templates the glyphs matched best, as a fraction of
        /// the character pitch.
        blur: f32,
    },
    /// No combination of the alternatives read satisfies the MRZ's rules.
    #[error("no reading of the MRZ satisfies its check digits ({reason}): retake the photo")]
    NotValid {
        /// The strict parser's complaint about the best reading.
        reason: crate::MrzError,
    },
    /// Two readings validate with nearly equal probabilities.
    #[error(
        "the MRZ is ambiguous at line {line}, column {column} ({first:?} or {second:?}): retake the photo"
    )]
    Ambiguous {
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// The better-scoring character.
        first: char,
        /// The other character.
        second: char,
    },
    /// The embedded glyph atlas does not decode (a build defect).
    #[error("internal error: the OCR-B glyph atlas does not decode")]
    Atlas,
}

/// One character as read.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CharRead {
    /// The character in the returned MRZ.
    pub chosen: char,
    /// The glyph classifier's probability for it among the characters the position allows (0..=1).
    pub score: f32,
    /// Best probability minus the next alternative's (0 when the chosen character was not the best
    /// match, i.e. it was corrected).
    pub margin: f32,
    /// The most probable characters allowed at this position, best first: (character,
    /// probability).
    pub alternatives: Vec<(char, f32)>,
}

/// A check digit and whether it held on the raw (best-match) reading.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckDigitRead {
    /// The field protected (`composite` for the composite check digit).
    pub field: Field,
    /// Line (1-based).
    pub line: usize,
    /// Column (1-based).
    pub column: usize,
    /// Whether it held on the best-match reading, before any correction.
    pub held_as_read: bool,
}

/// A character changed from the best match to an alternative because the check digits said so.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Correction {
    /// Line (1-based).
    pub line: usize,
    /// Column (1-based).
    pub column: usize,
    /// The best-matching character.
    pub from: char,
    /// The character returned.
    pub to: char,
}

/// The result of reading an MRZ from an image: always a valid MRZ (strict parse).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OcrReport {
    /// The parsed MRZ.
    pub mrz: Mrz,
    /// The MRZ lines read.
    pub lines: Vec<String>,
    /// Per line, per column: the character read and its alternatives.
    pub characters: Vec<Vec<CharRead>>,
    /// The format's check digits and whether each held before correction.
    pub check_digits: Vec<CheckDigitRead>,
    /// Characters changed from the best match so that the check digits hold.
    pub corrections: Vec<Correction>,
    /// How the document is turned in the image: 0, 90, 180 or 270 degrees clockwise.
    pub orientation: u16,
    /// Remaining skew in degrees (clockwise positive), in [-45, 45).
    pub skew_degrees: f32,
    /// Character pitch in image pixels.
    pub pitch_px: f32,
    /// The lowest character probability.
    pub min_score: f32,
    /// The lowest margin between a character's probability and its runner-up's.
    pub min_margin: f32,
}

impl OcrReport {
    /// The MRZ text, lines separated by `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// Reads the MRZ from an encoded image (JPEG or PNG) with default options.
///
/// # Errors
/// See [`OcrError`]; every error but [`OcrError::Decode`], [`OcrError::TooLarge`] and
/// [`OcrError::Atlas`] means "retake the photo".
pub fn read_image(bytes: &[u8]) -> Result<OcrReport, OcrError> {
    read_image_with(bytes, &ScanOptions::default())
}

/// Reads the MRZ from an encoded image (JPEG or PNG).
///
/// # Errors
/// See [`read_image`].
pub fn read_image_with(bytes: &[u8], options: &ScanOptions) -> Result<OcrReport, OcrError> {
    let gray = decode(bytes, options)?;
    read_gray(&gray)
}

/// Reads the MRZ from 8-bit grayscale pixels (row-major, `width * height` bytes).
///
/// # Errors
/// [`OcrError::Decode`] when `pixels` does not hold `width * height` bytes; otherwise as
/// [`read_image`].
pub fn read_luma(width: u32, height: u32, pixels: &[u8]) -> Result<OcrReport, OcrError> {
    let (w, h) = (width as usize, height as usize);
    if w.checked_mul(h) != Some(pixels.len()) {
        return Err(OcrError::Decode(format!(
            "{} bytes given for {width}x{height} pixels",
            pixels.len()
        )));
    }
    read_gray(&Gray {
        w,
        h,
        px: pixels.to_vec(),
    })
}

fn decode(bytes: &[u8], options: &ScanOptions) -> Result<Gray, OcrError> {
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| OcrError::Decode(e.to_string()))
    };
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| OcrError::Decode(e.to_string()))?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > options.max_pixels {
        return Err(OcrError::TooLarge {
            width: u64::from(w),
            height: u64::from(h),
            limit: options.max_pixels,
        });
    }
    let mut r = reader()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(pixels.saturating_mul(16).saturating_add(1 << 20));
    r.limits(limits);
    let img = r.decode().map_err(|e| OcrError::Decode(e.to_string()))?;
    let luma = img.into_luma8();
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    Ok(Gray {
        w,
        h,
        px: luma.into_raw(),
    })
}

/// Development switch: print the band and raw readings to stderr (never on in a commit: the
/// MRZ must not reach logs).
const DEBUG: bool = false;

/// Longest side of the detection image.
const DETECT_SIDE: usize = 1600;
/// Offset search (template pixels) once the lines are fitted to the glyphs: a little slack for
/// what the fit leaves, not enough for one glyph's bar to stand in for another's.
const FINE_REACH: usize = 2;
/// Template-match margins (in template distances) to nats: the ambiguity margin of the template
/// matcher alone (0.06) maps to the classifier's (2 nats).
const NCC_NATS: f32 = 2.0 / 0.06;

/// A line's end glyphs match at least this well when the line is indexed right.
const END_SCORE: f32 = 0.5;
/// Below this mean best score the image is too blurred to trust.
const MIN_MEAN_SCORE: f32 = 0.45;

/// Per line, per column, the alternatives (character, probability, cost), best first; the cost is
/// what the check-digit search charges for choosing it over the best (0 for the best).
#[doc(hidden)]
pub type RawCandidates = Vec<Vec<Vec<(char, f32, f32)>>>;

/// The alternatives read at each position (line, column, best first) before the check digits
/// choose, for measuring the classifier. Not a reading: nothing here has been validated.
///
/// # Errors
/// As [`read_image`], for the stages up to classification.
#[doc(hidden)]
pub fn raw_candidates(bytes: &[u8]) -> Result<RawCandidates, OcrError> {
    let g = decode(bytes, &ScanOptions::default())?;
    let (_, _, glyphs, classes, set) = classify_band(&g, locate::Ink::Usual)?;
    let cands = rescore(&glyphs, &classes, set)?;
    Ok(cands
        .iter()
        .map(|l| {
            l.iter()
                .map(|c| c.iter().map(|x| (char::from(x.0), x.1, x.2)).collect())
                .collect()
        })
        .collect())
}

/// One glyph window as cut by the pipeline, for training the classifier.
#[doc(hidden)]
pub struct GlyphWindow {
    /// The window ([`learned::INPUTS`] values, zero-mean, unit-norm).
    pub pixels: Vec<f32>,
    /// The characters the position allows (bit `i` is `"0123456789A..Z<"[i]`).
    pub allowed: u64,
    /// The best template match.
    pub template_best: char,
}

/// The glyph windows of every position (line, column), for training the classifier.
///
/// # Errors
/// As [`read_image`], for the stages up to classification.
#[doc(hidden)]
pub fn glyph_windows(bytes: &[u8]) -> Result<Vec<Vec<GlyphWindow>>, OcrError> {
    let g = decode(bytes, &ScanOptions::default())?;
    let (_, _, glyphs, classes, _) = classify_band(&g, locate::Ink::Usual)?;
    Ok(glyphs
        .iter()
        .zip(&classes)
        .map(|(line, masks)| {
            line.iter()
                .zip(masks)
                .map(|(c, &allowed)| GlyphWindow {
                    pixels: c.aligned.to_vec(),
                    allowed,
                    template_best: c.cands.first().map_or('<', |x| char::from(x.0)),
                })
                .collect()
        })
        .collect())
}

fn read_gray(g: &Gray) -> Result<OcrReport, OcrError> {
    // Glare or a dim photo leaves faint glyphs that the usual ink threshold misses: when the
    // first look finds no whole MRZ, look again with a more sensitive one.
    match read_gray_at(g, locate::Ink::Usual) {
        Err(
            first @ (OcrError::NoMrzFound
            | OcrError::CutOff
            | OcrError::NotValid { .. }
            | OcrError::TooBlurred { .. }),
        ) => read_gray_at(g, locate::Ink::Faint).map_err(|_| first),
        other => other,
    }
}

fn read_gray_at(g: &Gray, ink: locate::Ink) -> Result<OcrReport, OcrError> {
    let (band, flip, glyphs, classes, set) = classify_band(g, ink)?;
    let cands = rescore(&glyphs, &classes, set)?;
    let decision = decide::decide(&cands).map_err(|u| match u {
        decide::Undecided::NotValid(reason) => {
            if band.near_edge {
                OcrError::CutOff
            } else {
                OcrError::NotValid { reason }
            }
        }
        decide::Undecided::Ambiguous {
            line,
            column,
            first,
            second,
        } => OcrError::Ambiguous {
            line: line + 1,
            column: column + 1,
            first,
            second,
        },
    })?;
    Ok(report(&band, flip, &cands, decision))
}

/// One line's template matches: (column, match).
type LineRead = Vec<(usize, classify::Classified)>;

/// The band, whether it reads backwards, each position's template match, each position's
/// allowed characters, the template set (blur level) matched.
type Classified = (
    Band,
    bool,
    Vec<Vec<classify::Classified>>,
    Vec<Vec<u64>>,
    usize,
);

/// Mean best score and mean margin to the runner-up over every fifth position of the band read
/// in direction `flip` with the template set `set`.
fn quick(
    band: &Band,
    level: &Gray,
    f: usize,
    flip: bool,
    set: &[[f32; TW * TH]],
    classes: &[Vec<u64>],
) -> (f32, f32) {
    let (mut sum, mut margin) = (0.0, 0.0);
    let mut cnt = 0;
    for (li, row) in classes.iter().enumerate() {
        for (ci, &mask) in row.iter().enumerate().step_by(5) {
            let p = patch(band, level, f, li, ci, flip);
            let c = classify::classify(set, &p, mask, MARGIN).cands;
            if let Some(b) = c.first() {
                sum += b.1;
                margin += b.1 - c.get(1).map_or(0.0, |x| x.1);
                cnt += 1;
            }
        }
    }
    if cnt == 0 {
        (0.0, 0.0)
    } else {
        (sum / cnt as f32, margin / cnt as f32)
    }
}

/// The template set (of [`classify::BLURS`]) that chooses the band and its reading direction.
const MID_SET: usize = 1;

/// The index in `levels` of the pyramid level of `g` for factor `f`, made once (the image
/// itself at factor 1).
fn level_at<'a>(levels: &mut Vec<(usize, Cow<'a, Gray>)>, g: &'a Gray, f: usize) -> usize {
    if let Some(i) = levels.iter().position(|l| l.0 == f) {
        return i;
    }
    let level = if f > 1 {
        Cow::Owned(g.downsample(f))
    } else {
        Cow::Borrowed(g)
    };
    levels.push((f, level));
    levels.len() - 1
}

/// The pyramid level factor for a band: glyph cells sampled at about template resolution.
fn level_factor(band: &Band) -> usize {
    ((band.pitch / TW as f32) as usize).max(1)
}

fn classify_band(g: &Gray, ink: locate::Ink) -> Result<Classified, OcrError> {
    let tpl = classify::templates().ok_or(OcrError::Atlas)?;
    if g.w < 32 || g.h < 32 {
        return Err(OcrError::NoMrzFound);
    }
    let k = g.w.max(g.h).div_ceil(DETECT_SIDE).max(1);
    let mut found = locate::locate(&g.downsample(k), k, g.w, g.h, ink);
    if matches!(found, Err(LocateError::NotFound)) && k > 1 {
        // Small text in a large image: look again at twice the resolution.
        let k2 = (k / 2).max(1);
        found = locate::locate(&g.downsample(k2), k2, g.w, g.h, ink);
    }
    if DEBUG {
        eprintln!(
            "k={k} found={:?}",
            found.as_ref().map(|v| v
                .iter()
                .map(|b| (
                    b.theta.to_degrees(),
                    b.n,
                    b.pitch,
                    b.lines.len(),
                    b.touches_edge,
                    b.near_edge
                ))
                .collect::<Vec<_>>())
        );
    }
    let bands = match found {
        Ok(b) => b,
        Err(LocateError::NotFound) => return Err(OcrError::NoMrzFound),
        Err(LocateError::Partial { .. }) => return Err(OcrError::CutOff),
    };
    let mid = &tpl.sets[MID_SET];
    let mut levels: Vec<(usize, Cow<'_, Gray>)> = Vec::new();
    // The candidate whose glyphs match the font best, in its better reading direction.
    let mut best: Option<(f32, Band, bool)> = None;
    let mut smallest_pitch = f32::INFINITY;
    for band in bands {
        if band.pitch < 8.0 {
            smallest_pitch = smallest_pitch.min(band.pitch);
            continue;
        }
        let f = level_factor(&band);
        let at = level_at(&mut levels, g, f);
        let level = &levels[at].1;
        let classes = decide::classes(band.n);
        let fwd = quick(&band, level, f, false, mid, &classes).0;
        let back = quick(&band, level, f, true, mid, &classes).0;
        let (score, flip) = if back > fwd {
            (back, true)
        } else {
            (fwd, false)
        };
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, band, flip));
        }
    }
    let Some((mid_score, mut band, flip)) = best else {
        return Err(OcrError::TooSmall {
            pitch: smallest_pitch,
        });
    };
    if band.touches_edge && band.near_edge {
        return Err(OcrError::CutOff);
    }
    let f = level_factor(&band);
    let at = level_at(&mut levels, g, f);
    let level = &levels[at].1;
    let classes = decide::classes(band.n);
    // Blur: the template set that matches best (the middle one was matched above).
    let (set_score, set_index) = (0..tpl.sets.len())
        .map(|i| {
            let score = if i == MID_SET {
                mid_score
            } else {
                quick(&band, level, f, flip, &tpl.sets[i], &classes).0
            };
            (score, i)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or((mid_score, MID_SET));
    let set = &tpl.sets[set_index];
    let blur = classify::BLURS[set_index] / TW as f32;
    // Softer than the second-blurriest templates: beyond the blur the classifier was measured
    // on (glyph edges of about a tenth of the pitch), where O and 0, or E and F, blur into each
    // other and a confident reading can be wrong.
    if set_index + 1 == classify::BLURS.len() {
        return Err(OcrError::TooBlurred {
            score: set_score,
            blur,
        });
    }
    // Every `step`-th position of each line (1 = all).
    let classify_all = |band: &Band, step: usize, reach: usize| {
        let mut out: Vec<Vec<(usize, classify::Classified)>> = Vec::with_capacity(classes.len());
        for (li, row) in classes.iter().enumerate() {
            let mut line = Vec::with_capacity(row.len());
            for (ci, &mask) in row.iter().enumerate().step_by(step) {
                let p = patch(band, level, f, li, ci, flip);
                let c = classify::classify(set, &p, mask, reach);
                line.push((ci, c));
            }
            out.push(line);
        }
        out
    };
    let nl = band.lines.len();
    // First pass, then move each line's fit by the offsets where its glyphs matched best.
    let first = classify_all(&band, 2, MARGIN);
    for (li, row) in first.iter().enumerate() {
        let bl = if flip { nl - 1 - li } else { li };
        let (mut pu, mut pv) = (Vec::new(), Vec::new());
        for &(ci, ref c) in row {
            if c.cands.first().is_none_or(|x| x.1 < 0.55) {
                continue;
            }
            let i = if flip { band.n - 1 - ci } else { ci } as f32;
            let line = &band.lines[bl];
            let scale = line.pitch_at(i).abs().max(1.0) / TW as f32 * if flip { -1.0 } else { 1.0 };
            pu.push((i, c.dx * scale));
            pv.push((i, c.dy * scale));
        }
        let deg = if pu.len() >= 10 { 2 } else { 1 };
        if pu.len() >= 5
            && let (Some(cu), Some(cv)) = (locate::polyfit(&pu, deg), locate::polyfit(&pv, deg))
        {
            let line = &mut band.lines[bl];
            for k in 0..3 {
                line.u[k] += cu[k];
                line.v[k] += cv[k];
            }
        }
    }
    let mut second = classify_all(&band, 1, FINE_REACH);
    // A line indexed one place off (a stray mark taken for its first glyph, or its first glyph
    // missed) reads no glyph at one end: try it shifted by one position either way and keep
    // the shift whose glyphs match clearly better.
    let best_at = |c: &classify::Classified| c.cands.first().map_or(0.0, |x| x.1);
    for (li, row) in second.iter_mut().enumerate() {
        let (Some(head), Some(tail)) = (row.first(), row.last()) else {
            continue;
        };
        if best_at(&head.1).min(best_at(&tail.1)) >= END_SCORE {
            continue;
        }
        let mean = |r: &[(usize, classify::Classified)]| -> f32 {
            r.iter().map(|x| best_at(&x.1)).sum::<f32>() / r.len().max(1) as f32
        };
        let mut keep: Option<(f32, Band, LineRead)> = None;
        let bl = if flip { nl - 1 - li } else { li };
        for s in [-1.0f32, 1.0] {
            let mut trial = band.clone();
            trial.lines[bl] = trial.lines[bl].shifted(s);
            let Some(shifted) = classify_all(&trial, 1, MARGIN).into_iter().nth(li) else {
                continue;
            };
            let ends = shifted
                .first()
                .zip(shifted.last())
                .map_or(0.0, |(h, t)| best_at(&h.1).min(best_at(&t.1)));
            let m = mean(&shifted);
            if ends >= END_SCORE && m > mean(row) && keep.as_ref().is_none_or(|k| m > k.0) {
                keep = Some((m, trial, shifted));
            }
        }
        if let Some((_, trial, shifted)) = keep {
            band = trial;
            *row = shifted;
        }
    }
    let glyphs: Vec<Vec<classify::Classified>> = second
        .into_iter()
        .map(|l| l.into_iter().map(|(_, c)| c).collect())
        .collect();
    let score_sum: f32 = glyphs
        .iter()
        .flatten()
        .map(|c| c.cands.first().map_or(0.0, |x| x.1))
        .sum();
    let mean = score_sum / (band.n * classes.len()) as f32;
    if mean < MIN_MEAN_SCORE {
        return Err(OcrError::TooBlurred { score: mean, blur });
    }
    Ok((band, flip, glyphs, classes, set_index))
}

/// Each position's alternatives: the four characters the glyph classifier finds most probable
/// (plus the template match's best, if not among them), each with the cost of choosing it over
/// the most probable one: the mean of two judges, the classifier's log-likelihood ratio and the
/// template match's margin (in template distances, scaled to nats), so that a swap the template
/// matcher finds plausible stays open to the check digits and to the ambiguity test even when
/// the classifier is sure (measured: fewer wrong readings of very blurred pages).
fn rescore(
    glyphs: &[Vec<classify::Classified>],
    classes: &[Vec<u64>],
    set: usize,
) -> Result<Vec<Vec<decide::Cands>>, OcrError> {
    let model = learned::model().ok_or(OcrError::Atlas)?;
    let tpl = classify::templates().ok_or(OcrError::Atlas)?;
    let dist = tpl.dist.get(set).ok_or(OcrError::Atlas)?;
    let index = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap_or(0);
    let cands: Vec<Vec<decide::Cands>> = glyphs
        .iter()
        .zip(classes)
        .map(|(line, masks)| {
            line.iter()
                .zip(masks)
                .map(|(c, &mask)| {
                    let p = learned::probabilities(model, &c.aligned, mask);
                    let Some(&(best, pb)) = p.first() else {
                        return Vec::new();
                    };
                    let ncc = |ch: u8| c.cands.iter().find(|x| x.0 == ch).map_or(0.0, |x| x.1);
                    let mut keep: Vec<(u8, f32)> = p.iter().take(4).copied().collect();
                    if let Some(t) = c.cands.first()
                        && !keep.iter().any(|k| k.0 == t.0)
                    {
                        keep.push((t.0, p.iter().find(|x| x.0 == t.0).map_or(0.0, |x| x.1)));
                    }
                    keep.into_iter()
                        .map(|(ch, pa)| {
                            if ch == best {
                                return (ch, pa, 0.0);
                            }
                            let by_model = pb.max(1e-30).ln() - pa.max(1e-30).ln();
                            let d = dist[index(best)][index(ch)].max(0.05);
                            let by_template = ((ncc(best) - ncc(ch)) / d).max(0.0) * NCC_NATS;
                            (ch, pa, 0.5 * (by_model + by_template))
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    if DEBUG {
        for l in &cands {
            let t: String = l.iter().map(|c| char::from(c[0].0)).collect();
            let m: Vec<String> = l
                .iter()
                .map(|c| {
                    format!(
                        "{}{:.3}/{}{:.3}",
                        char::from(c[0].0),
                        c[0].1,
                        char::from(c.get(1).map_or(b'?', |x| x.0)),
                        c.get(1).map_or(0.0, |x| x.1)
                    )
                })
                .collect();
            eprintln!("{t}\n  {}", m.join(" "));
        }
    }
    Ok(cands)
}

fn report(band: &Band, flip: bool, cands: &[Vec<decide::Cands>], d: decide::Decision) -> OcrReport {
    let mut characters = Vec::with_capacity(cands.len());
    let (mut min_score, mut min_margin) = (f32::INFINITY, f32::INFINITY);
    for (li, line) in cands.iter().enumerate() {
        let chosen_line: Vec<char> = d.lines.get(li).map_or(Vec::new(), |l| l.chars().collect());
        let mut row = Vec::with_capacity(line.len());
        for (ci, c) in line.iter().enumerate() {
            let chosen = chosen_line.get(ci).copied().unwrap_or('<');
            let score = c
                .iter()
                .find(|x| char::from(x.0) == chosen)
                .map_or(0.0, |x| x.1);
            let best = c.first().map_or(0.0, |x| x.1);
            let margin = if best > score {
                0.0
            } else {
                c.get(1).map_or(1.0, |x| best - x.1)
            };
            min_score = min_score.min(score);
            min_margin = min_margin.min(margin);
            row.push(CharRead {
                chosen,
                score,
                margin,
                alternatives: c.iter().map(|x| (char::from(x.0), x.1)).collect(),
            });
        }
        characters.push(row);
    }
    let raw: Vec<String> = cands
        .iter()
        .map(|l| {
            l.iter()
                .map(|c| c.first().map_or('<', |x| char::from(x.0)))
                .collect()
        })
        .collect();
    let raw_errors = crate::parse_with(&raw.join("\n"), &crate::ParseOptions::lenient())
        .map(|m| m.errors)
        .unwrap_or_default();
    let check_digits = decide::check_positions(d.mrz.format)
        .into_iter()
        .map(|(field, line, col)| CheckDigitRead {
            field,
            line: line + 1,
            column: col + 1,
            held_as_read: !raw_errors.iter().any(|e| {
                matches!(e, crate::MrzError::CheckDigit { line: l, column: c, .. } if *l == line + 1 && *c == col + 1)
            }),
        })
        .collect();
    let corrections = d
        .changes
        .iter()
        .map(|&(line, column, from, to)| Correction {
            line: line + 1,
            column: column + 1,
            from,
            to,
        })
        .collect();
    // Reading direction in degrees, clockwise in image coordinates.
    let mut dir = band.direction().to_degrees();
    if flip {
        dir += 180.0;
    }
    let dir = dir.rem_euclid(360.0);
    let orientation = ((dir / 90.0).round() as u16 % 4) * 90;
    let mut skew = dir - f32::from(orientation);
    if skew >= 180.0 {
        skew -= 360.0;
    }
    OcrReport {
        mrz: d.mrz,
        lines: d.lines,
        characters,
        check_digits,
        corrections,
        orientation,
        skew_degrees: skew,
        pitch_px: band.pitch,
        min_score,
        min_margin,
    }
}

/// Samples the cell of character `ci` of line `li` (in reading order) into a patch with margins,
/// ink positive.
fn patch(band: &Band, level: &Gray, f: usize, li: usize, ci: usize, flip: bool) -> [f32; PW * PH] {
    let nl = band.lines.len();
    let (line, i) = if flip {
        (&band.lines[nl - 1 - li], (band.n - 1 - ci) as f32)
    } else {
        (&band.lines[li], ci as f32)
    };
    let (uc, vc) = (line.u_at(i), line.v_at(i));
    let sgn = if flip { -1.0 } else { 1.0 };
    // The line's local direction in the rotated frame (the fit may be skewed against `theta`
    // when the direction estimate was coarse): glyphs are sampled upright along it.
    let du = line.pitch_at(i);
    let dv = line.v[1] + 2.0 * line.v[2] * i;
    let len = du.hypot(dv).max(1.0);
    let (fu, fv) = (du / len, dv / len);
    let scale = len / TW as f32 * sgn;
    let inv_f = 1.0 / f as f32;
    let mut out = [0f32; PW * PH];
    let cx = TW as f32 * 0.5;
    let cy = TH as f32 * 0.5;
    for py in 0..PH {
        let ty = py as f32 - MARGIN as f32 + 0.5 - cy;
        for px in 0..PW {
            let tx = px as f32 - MARGIN as f32 + 0.5 - cx;
            let (a, b) = (tx * scale, ty * scale);
            let (x, y) = band.to_image(uc + a * fu - b * fv, vc + a * fv + b * fu);
            out[py * PW + px] =
                255.0 - level.sample((x + 0.5) * inv_f - 0.5, (y + 0.5) * inv_f - 0.5);
        }
    }
    out
}
