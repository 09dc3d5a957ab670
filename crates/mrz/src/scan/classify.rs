//! Glyph classification by normalised cross-correlation against OCR-B templates.
//!
//! The templates come from `data/ocrb-atlas.png` (rendered from the public-domain OCR-B font of
//! Debian's `fonts-ocr-b` by `data/make_ocrb_atlas.py`): 37 cells of 72 x 96 pixels, one MRZ
//! pitch wide, reduced here to 24 x 32.

use std::sync::OnceLock;

/// The MRZ alphabet in atlas order.
pub(crate) const ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";
/// Template width: one character pitch.
pub(crate) const TW: usize = 24;
/// Template height.
pub(crate) const TH: usize = 32;
/// Search margin around the expected position, in template pixels.
pub(crate) const MARGIN: usize = 4;
/// Patch width (template plus margins).
pub(crate) const PW: usize = TW + 2 * MARGIN;
/// Patch height.
pub(crate) const PH: usize = TH + 2 * MARGIN;

/// The committed atlas.
pub(crate) const ATLAS_PNG: &[u8] = include_bytes!("../../data/ocrb-atlas.png");
/// Atlas cell size.
pub(crate) const CELL_W: usize = 72;
/// Atlas cell height.
pub(crate) const CELL_H: usize = 96;

/// Ink coverage (0..=1) of each atlas cell at full atlas resolution, or `None` if the embedded
/// atlas does not decode (a build defect, reported as such).
pub(crate) fn atlas() -> Option<&'static Vec<Vec<f32>>> {
    static ATLAS: OnceLock<Option<Vec<Vec<f32>>>> = OnceLock::new();
    ATLAS
        .get_or_init(|| {
            let img = image::load_from_memory_with_format(ATLAS_PNG, image::ImageFormat::Png)
                .ok()?
                .to_luma8();
            if img.width() as usize != CELL_W * ALPHABET.len() || img.height() as usize != CELL_H {
                return None;
            }
            let w = img.width() as usize;
            let raw = img.into_raw();
            Some(
                (0..ALPHABET.len())
                    .map(|g| {
                        let mut cell = Vec::with_capacity(CELL_W * CELL_H);
                        for y in 0..CELL_H {
                            for x in 0..CELL_W {
                                cell.push(f32::from(raw[y * w + g * CELL_W + x]) / 255.0);
                            }
                        }
                        cell
                    })
                    .collect(),
            )
        })
        .as_ref()
}

/// Blur (Gaussian sigma, template pixels) of each template set: photographs range from sharp
/// scans to soft phone shots, and matching the blur keeps the glyphs apart.
pub(crate) const BLURS: [f32; 4] = [0.7, 1.3, 2.0, 2.8];

/// Zero-mean, unit-norm templates of [`TW`] x [`TH`], one set per [`BLURS`] entry.
pub(crate) struct Templates {
    pub sets: Vec<Vec<[f32; TW * TH]>>,
    /// Per set, the Euclidean distance between each pair of (unit) templates.
    pub dist: Vec<Vec<[f32; 37]>>,
}

fn gaussian(src: &[f32; TW * TH], sigma: f32) -> [f32; TW * TH] {
    let r = (3.0 * sigma).ceil() as i32;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let mut tmp = [0f32; TW * TH];
    let mut out = [0f32; TW * TH];
    for y in 0..TH {
        for x in 0..TW {
            let (mut s, mut w) = (0.0, 0.0);
            for (j, kv) in k.iter().enumerate() {
                let xx = x as i32 + j as i32 - r;
                if (0..TW as i32).contains(&xx) {
                    s += kv * src[y * TW + xx as usize];
                    w += kv;
                }
            }
            tmp[y * TW + x] = s / w;
        }
    }
    for y in 0..TH {
        for x in 0..TW {
            let (mut s, mut w) = (0.0, 0.0);
            for (j, kv) in k.iter().enumerate() {
                let yy = y as i32 + j as i32 - r;
                if (0..TH as i32).contains(&yy) {
                    s += kv * tmp[yy as usize * TW + x];
                    w += kv;
                }
            }
            out[y * TW + x] = s / w;
        }
    }
    out
}

pub(crate) fn templates() -> Option<&'static Templates> {
    static T: OnceLock<Option<Templates>> = OnceLock::new();
    T.get_or_init(|| {
        let atlas = atlas()?;
        let k = CELL_W / TW;
        let small: Vec<[f32; TW * TH]> = atlas
            .iter()
            .map(|cell| {
                let mut small = [0f32; TW * TH];
                for y in 0..TH {
                    for x in 0..TW {
                        let mut s = 0.0;
                        for yy in 0..k {
                            for xx in 0..k {
                                s += cell[(y * k + yy) * CELL_W + x * k + xx];
                            }
                        }
                        small[y * TW + x] = s / (k * k) as f32;
                    }
                }
                small
            })
            .collect();
        let sets: Vec<Vec<[f32; TW * TH]>> = BLURS
            .iter()
            .map(|&sigma| {
                small
                    .iter()
                    .map(|g| {
                        let mut t = gaussian(g, sigma);
                        let mean = t.iter().sum::<f32>() / t.len() as f32;
                        t.iter_mut().for_each(|v| *v -= mean);
                        let norm = t.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-6);
                        t.iter_mut().for_each(|v| *v /= norm);
                        t
                    })
                    .collect()
            })
            .collect();
        let dist = sets
            .iter()
            .map(|set: &Vec<[f32; TW * TH]>| {
                set.iter()
                    .map(|a| {
                        let mut row = [0f32; 37];
                        for (r, b) in row.iter_mut().zip(set.iter()) {
                            let dot: f32 = a.iter().zip(b.iter()).map(|(x, y)| x * y).sum();
                            *r = (2.0 - 2.0 * dot).max(1e-4).sqrt();
                        }
                        row
                    })
                    .collect()
            })
            .collect();
        Some(Templates { sets, dist })
    })
    .as_ref()
}

/// The best normalised correlation of each allowed glyph with the patch (ink positive), highest
/// first, searching offsets within the margin.
#[allow(clippy::needless_range_loop)] // offsets index two tables
pub(crate) fn classify(
    set: &[[f32; TW * TH]],
    patch: &[f32; PW * PH],
    allowed: u64,
    reach: usize,
) -> Classified {
    let reach = reach.min(MARGIN);
    let (lo, hi) = (MARGIN - reach, MARGIN + reach);
    // Integral images of the patch and its square.
    let iw = PW + 1;
    let mut s1 = [0f32; (PW + 1) * (PH + 1)];
    let mut s2 = [0f32; (PW + 1) * (PH + 1)];
    for y in 0..PH {
        let (mut r1, mut r2) = (0f32, 0f32);
        for x in 0..PW {
            let p = patch[y * PW + x];
            r1 += p;
            r2 += p * p;
            s1[(y + 1) * iw + x + 1] = s1[y * iw + x + 1] + r1;
            s2[(y + 1) * iw + x + 1] = s2[y * iw + x + 1] + r2;
        }
    }
    let n = (TW * TH) as f32;
    let denom = |ox: usize, oy: usize| -> f32 {
        let box_sum = |s: &[f32]| {
            s[(oy + TH) * iw + ox + TW] + s[oy * iw + ox]
                - s[oy * iw + ox + TW]
                - s[(oy + TH) * iw + ox]
        };
        let a = box_sum(&s1);
        let b = box_sum(&s2);
        (b - a * a / n).max(1e-3).sqrt()
    };
    let mut den = [[0f32; 2 * MARGIN + 1]; 2 * MARGIN + 1];
    for (oy, row) in den.iter_mut().enumerate() {
        for (ox, d) in row.iter_mut().enumerate() {
            *d = denom(ox, oy);
        }
    }
    let dot = |t: &[f32; TW * TH], ox: usize, oy: usize| -> f32 {
        let mut s = 0.0;
        for y in 0..TH {
            let prow = &patch[(oy + y) * PW + ox..(oy + y) * PW + ox + TW];
            let trow = &t[y * TW..(y + 1) * TW];
            s += prow.iter().zip(trow).map(|(a, b)| a * b).sum::<f32>();
        }
        s
    };
    let mut out = Vec::with_capacity(ALPHABET.len());
    let mut best_offset = (MARGIN, MARGIN, f32::NEG_INFINITY);
    for (g, t) in set.iter().enumerate() {
        if allowed & (1 << g) == 0 {
            continue;
        }
        let mut best = (f32::NEG_INFINITY, MARGIN, MARGIN);
        for oy in (lo..=hi).step_by(2) {
            for ox in (lo..=hi).step_by(2) {
                let s = dot(t, ox, oy) / den[oy][ox];
                if s > best.0 {
                    best = (s, ox, oy);
                }
            }
        }
        let (bx, by) = (best.1, best.2);
        for oy in by.saturating_sub(1).max(lo)..=(by + 1).min(hi) {
            for ox in bx.saturating_sub(1).max(lo)..=(bx + 1).min(hi) {
                if (ox - lo) % 2 == 0 && (oy - lo) % 2 == 0 {
                    continue;
                }
                let s = dot(t, ox, oy) / den[oy][ox];
                if s > best.0 {
                    best = (s, ox, oy);
                }
            }
        }
        if best.0 > best_offset.2 {
            best_offset = (best.1, best.2, best.0);
        }
        out.push((ALPHABET[g], best.0));
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    // The glyph window where the best template sat, zero-mean and unit-norm like the templates.
    let (ox, oy) = (best_offset.0, best_offset.1);
    let mut aligned = [0f32; TW * TH];
    for y in 0..TH {
        aligned[y * TW..(y + 1) * TW]
            .copy_from_slice(&patch[(oy + y) * PW + ox..(oy + y) * PW + ox + TW]);
    }
    let mean = aligned.iter().sum::<f32>() / aligned.len() as f32;
    aligned.iter_mut().for_each(|v| *v -= mean);
    let norm = aligned.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-3);
    aligned.iter_mut().for_each(|v| *v /= norm);
    Classified {
        cands: out,
        dx: best_offset.0 as f32 - MARGIN as f32,
        dy: best_offset.1 as f32 - MARGIN as f32,
        aligned: Box::new(aligned),
    }
}

/// Scores of the allowed glyphs (best first) and the best glyph's offset from the expected
/// position, in template pixels.
pub(crate) struct Classified {
    pub cands: Vec<(u8, f32)>,
    pub dx: f32,
    pub dy: f32,
    /// The glyph window at the best template's offset, zero-mean and unit-norm.
    pub aligned: Box<[f32; TW * TH]>,
}
