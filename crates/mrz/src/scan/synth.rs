//! Synthetic data-page photos for testing and measuring [`super::read_image`].
//!
//! A page of the format's size (TD3 125 x 88 mm, TD2 105 x 74 mm, TD1 85.6 x 54 mm) is drawn
//! with a guilloche-like background, a portrait block, smaller printed text and the MRZ in
//! OCR-B at the ICAO pitch (2.54 mm) from the committed glyph atlas; it is then placed on a
//! textured background under a homography (rotation in any of the four orientations plus skew,
//! perspective), blurred, contrast-reduced, given a glare spot and sensor noise, and JPEG encoded.
//! Everything is deterministic in the seed, so tests need no font and no external tool.

use super::classify::{ALPHABET, CELL_H, CELL_W, atlas};
use crate::{Format, check_digit};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f()
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A standard normal deviate (Box-Muller).
    pub fn normal(&mut self) -> f32 {
        let u1 = self.f().max(1e-7);
        let u2 = self.f();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }
}

/// How a synthetic photo is distorted.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Distortion {
    /// Rotation of the page in degrees, clockwise (any value; 90/180/270 plus skew).
    pub rotation_deg: f32,
    /// Perspective: each page corner moves by up to this fraction of the page width.
    pub perspective: f32,
    /// MRZ character pitch in output pixels.
    pub pitch_px: f32,
    /// How much of the output's shorter side the page spans (0..1).
    pub fill: f32,
    /// Gaussian blur sigma in output pixels.
    pub blur_sigma: f32,
    /// Contrast factor (1 = full contrast).
    pub contrast: f32,
    /// Peak brightness added by a glare spot (0 = none).
    pub glare: f32,
    /// Standard deviation of the sensor noise in gray levels.
    pub noise: f32,
    /// JPEG quality (1..=100).
    pub jpeg_quality: u8,
}

impl Distortion {
    /// A random distortion within the ranges the accuracy test covers.
    pub fn random(rng: &mut Rng) -> Self {
        Self::drawn(
            rng,
            &Ranges {
                pitch: (11.0, 24.0),
                perspective: 0.04,
                fill: 0.92,
                blur_pitch: 0.07,
                contrast: 0.4,
                glare_chance: 0.3,
                glare: 110.0,
                noise: 8.0,
                jpeg_quality: 40.0,
            },
        )
    }

    /// A harsher random distortion (stress figures, not the accuracy target): blur up to 0.14
    /// pitch, contrast down to 0.3, noise up to 12, JPEG quality down to 30, perspective 6 %.
    pub fn harsh(rng: &mut Rng) -> Self {
        Self::drawn(
            rng,
            &Ranges {
                pitch: (10.0, 24.0),
                perspective: 0.06,
                fill: 0.95,
                blur_pitch: 0.14,
                contrast: 0.3,
                glare_chance: 0.4,
                glare: 140.0,
                noise: 12.0,
                jpeg_quality: 30.0,
            },
        )
    }

    /// A clean photo at `rotation_deg` and `pitch_px`: flat, sharp, evenly lit, little noise, JPEG
    /// quality 90 (the rest, such as how much of the frame the page fills, drawn from `rng` as
    /// [`Distortion::random`] draws it).
    pub fn clean(rng: &mut Rng, rotation_deg: f32, pitch_px: f32) -> Self {
        Distortion {
            rotation_deg,
            perspective: 0.0,
            pitch_px,
            blur_sigma: 0.5,
            contrast: 0.9,
            glare: 0.0,
            noise: 2.0,
            jpeg_quality: 90,
            ..Self::random(rng)
        }
    }

    fn drawn(rng: &mut Rng, r: &Ranges) -> Self {
        let pitch_px = rng.range(r.pitch.0, r.pitch.1);
        Distortion {
            rotation_deg: 90.0 * rng.below(4) as f32 + rng.range(-10.0, 10.0),
            perspective: rng.range(0.0, r.perspective),
            pitch_px,
            fill: rng.range(0.6, r.fill),
            blur_sigma: rng.range(0.0, r.blur_pitch) * pitch_px,
            contrast: rng.range(r.contrast, 1.0),
            glare: if rng.f() < r.glare_chance {
                rng.range(40.0, r.glare)
            } else {
                0.0
            },
            noise: rng.range(0.0, r.noise),
            jpeg_quality: rng.range(r.jpeg_quality, 95.0) as u8,
        }
    }
}

/// The ranges a random [`Distortion`] is drawn from.
struct Ranges {
    /// Character pitch in pixels (low, high).
    pitch: (f32, f32),
    /// Largest corner shift, as a fraction of the page width.
    perspective: f32,
    /// Largest share of the shorter side the page spans (from 0.6).
    fill: f32,
    /// Largest blur sigma, as a fraction of the pitch.
    blur_pitch: f32,
    /// Lowest contrast.
    contrast: f32,
    /// How often there is a glare spot.
    glare_chance: f32,
    /// Brightest glare spot (from 40).
    glare: f32,
    /// Largest noise standard deviation.
    noise: f32,
    /// Lowest JPEG quality (to 95).
    jpeg_quality: f32,
}

/// A synthetic photo and the MRZ it shows.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page {
    /// The format drawn.
    pub format: Format,
    /// The MRZ lines drawn.
    pub mrz: Vec<String>,
    /// The distortion applied.
    pub distortion: Distortion,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The 8-bit grayscale pixels before JPEG encoding.
    pub pixels: Vec<u8>,
}

impl Page {
    /// The page encoded as JPEG at its distortion's quality (empty if encoding fails).
    pub fn jpeg(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out,
            self.distortion.jpeg_quality.clamp(1, 100),
        );
        if image::ImageEncoder::write_image(
            enc,
            &self.pixels,
            self.width,
            self.height,
            image::ExtendedColorType::L8,
        )
        .is_err()
        {
            out.clear();
        }
        out
    }
}

fn letters(rng: &mut Rng, base: usize, extra: usize) -> String {
    let n = base + rng.below(extra);
    (0..n)
        .map(|_| char::from(b'A' + rng.below(26) as u8))
        .collect()
}

fn alnum(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(ALPHABET[rng.below(36)]))
        .collect()
}

fn date(rng: &mut Rng) -> String {
    format!(
        "{:02}{:02}{:02}",
        rng.below(100),
        1 + rng.below(12),
        1 + rng.below(28)
    )
}

fn cd(s: &str) -> char {
    check_digit(s).unwrap_or('0')
}

fn pad(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    while out.len() < n {
        out.push('<');
    }
    out
}

fn name(rng: &mut Rng, n: usize) -> String {
    let mut s = letters(rng, 3, 9);
    if rng.f() < 0.3 {
        s.push('<');
        s += &letters(rng, 3, 6);
    }
    s += "<<";
    s += &letters(rng, 3, 8);
    if rng.f() < 0.5 {
        s.push('<');
        s += &letters(rng, 3, 7);
    }
    pad(&s, n)
}

fn optional(rng: &mut Rng, n: usize) -> String {
    if rng.f() < 0.4 {
        pad("", n)
    } else {
        {
            let k = 1 + rng.below(n);
            pad(&alnum(rng, k), n)
        }
    }
}

/// A random valid MRZ of `format` (TD1, TD2 or TD3; other formats give TD3).
pub fn random_mrz(format: Format, rng: &mut Rng) -> Vec<String> {
    let country =
        |rng: &mut Rng| ["UTO", "D<<", "NLD", "FRA", "DNK", "GBR", "USA"][rng.below(7)].to_owned();
    let number = {
        let n = 6 + rng.below(4);
        pad(&alnum(rng, n), 9)
    };
    let (dob, doe) = (date(rng), date(rng));
    let sex = ['M', 'F', '<', 'X'][rng.below(4)];
    let iss = country(rng);
    let nat = country(rng);
    match format {
        Format::Td1 => {
            let code = ["I<", "ID", "AC", "C<"][rng.below(4)];
            let o1 = optional(rng, 15);
            let o2 = optional(rng, 11);
            let l1 = format!("{code}{iss}{number}{}{o1}", cd(&number));
            let l2a = format!("{dob}{}{sex}{doe}{}{nat}{o2}", cd(&dob), cd(&doe));
            let comp = format!(
                "{}{}{}{}",
                &l1[5..30],
                &l2a[0..7],
                &l2a[8..15],
                &l2a[18..29]
            );
            let l2 = format!("{l2a}{}", cd(&comp));
            vec![l1, l2, name(rng, 30)]
        }
        Format::Td2 | Format::MrvB => {
            let code = ["I<", "ID", "AC"][rng.below(3)];
            let l1 = format!("{code}{iss}{}", name(rng, 31));
            let o = optional(rng, 7);
            let l2a = format!(
                "{number}{}{nat}{dob}{}{sex}{doe}{}{o}",
                cd(&number),
                cd(&dob),
                cd(&doe)
            );
            let comp = format!("{}{}{}", &l2a[0..10], &l2a[13..20], &l2a[21..35]);
            let l2 = format!("{l2a}{}", cd(&comp));
            vec![l1, l2]
        }
        _ => {
            let l1 = format!("P<{iss}{}", name(rng, 39));
            let o = optional(rng, 14);
            let ocd = if o.chars().all(|c| c == '<') {
                '<'
            } else {
                cd(&o)
            };
            let l2a = format!(
                "{number}{}{nat}{dob}{}{sex}{doe}{}{o}{ocd}",
                cd(&number),
                cd(&dob),
                cd(&doe)
            );
            let comp = format!("{}{}{}", &l2a[0..10], &l2a[13..20], &l2a[21..43]);
            let l2 = format!("{l2a}{}", cd(&comp));
            vec![l1, l2]
        }
    }
}

/// Float raster used while drawing.
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

impl Canvas {
    fn sample(&self, x: f32, y: f32) -> f32 {
        let x = x.clamp(0.0, (self.w - 1) as f32);
        let y = y.clamp(0.0, (self.h - 1) as f32);
        let (x0, y0) = (x as usize, y as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |xx: usize, yy: usize| self.px[yy * self.w + xx];
        let t = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * fx;
        let b = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * fx;
        t + (b - t) * fy
    }

    /// Draws glyph `g` (atlas index) with its cell's top-left at (x, y), `pitch` pixels wide.
    fn glyph(&mut self, cells: &[Vec<f32>], g: usize, x: f32, y: f32, pitch: f32, ink: f32) {
        let Some(cell) = cells.get(g) else { return };
        let s = CELL_W as f32 / pitch;
        let h = CELL_H as f32 / s;
        let (x0, y0) = (x.floor().max(0.0) as usize, y.floor().max(0.0) as usize);
        let x1 = ((x + pitch).ceil() as usize).min(self.w);
        let y1 = ((y + h).ceil() as usize).min(self.h);
        for py in y0..y1 {
            for px in x0..x1 {
                let cx = (px as f32 + 0.5 - x) * s - 0.5;
                let cy = (py as f32 + 0.5 - y) * s - 0.5;
                if cx < -0.5 || cy < -0.5 || cx > CELL_W as f32 - 0.5 || cy > CELL_H as f32 - 0.5 {
                    continue;
                }
                let cxc = cx.clamp(0.0, (CELL_W - 1) as f32);
                let cyc = cy.clamp(0.0, (CELL_H - 1) as f32);
                let (ix, iy) = (cxc as usize, cyc as usize);
                let (jx, jy) = ((ix + 1).min(CELL_W - 1), (iy + 1).min(CELL_H - 1));
                let (fx, fy) = (cxc - ix as f32, cyc - iy as f32);
                let p = |a: usize, b: usize| cell[b * CELL_W + a];
                let t = p(ix, iy) + (p(jx, iy) - p(ix, iy)) * fx;
                let b = p(ix, jy) + (p(jx, jy) - p(ix, jy)) * fx;
                let a = (t + (b - t) * fy).clamp(0.0, 1.0);
                let d = &mut self.px[py * self.w + px];
                *d = *d * (1.0 - a) + ink * a;
            }
        }
    }

    fn text(&mut self, cells: &[Vec<f32>], s: &str, x: f32, y: f32, pitch: f32, ink: f32) {
        for (i, c) in s.bytes().enumerate() {
            if let Some(g) = ALPHABET.iter().position(|&a| a == c) {
                self.glyph(cells, g, x + i as f32 * pitch, y, pitch, ink);
            }
        }
    }
}

/// Page size in millimetres.
fn page_mm(format: Format) -> (f32, f32) {
    match format {
        Format::Td1 => (85.6, 54.0),
        Format::Td2 | Format::MrvB => (105.0, 74.0),
        _ => (125.0, 88.0),
    }
}

fn draw_page(format: Format, mrz: &[String], px_per_mm: f32, rng: &mut Rng) -> Canvas {
    let (wmm, hmm) = page_mm(format);
    let w = (wmm * px_per_mm).round().max(8.0) as usize;
    let h = (hmm * px_per_mm).round().max(8.0) as usize;
    let paper = rng.range(200.0, 245.0);
    let (f1, f2, ph) = (
        rng.range(0.5, 1.5),
        rng.range(0.5, 1.5),
        rng.range(0.0, 6.0),
    );
    let mut px = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let (xm, ym) = (x as f32 / px_per_mm, y as f32 / px_per_mm);
            let g = (xm * f1 + 2.0 * (ym * f2 * 0.7 + ph).sin()).sin() * (ym * f2 + ph).cos();
            px.push(paper - 12.0 * g.abs());
        }
    }
    let mut c = Canvas { w, h, px };
    let Some(cells) = atlas() else { return c };
    let mm = px_per_mm;
    // Portrait block: a mid-grey rectangle, a head and shoulders.
    let (pl, pt, pw, phh) = (4.0 * mm, 0.18 * hmm * mm, 0.25 * wmm * mm, 0.48 * hmm * mm);
    let tone = rng.range(110.0, 190.0);
    let skin = rng.range(60.0, 170.0);
    for y in pt as usize..((pt + phh) as usize).min(h) {
        for x in pl as usize..((pl + pw) as usize).min(w) {
            let (dx, dy) = (
                (x as f32 - pl - pw * 0.5) / (pw * 0.3),
                (y as f32 - pt - phh * 0.38) / (phh * 0.3),
            );
            let (sx, sy) = (
                (x as f32 - pl - pw * 0.5) / (pw * 0.55),
                (y as f32 - pt - phh * 1.05) / (phh * 0.35),
            );
            let v = if dx * dx + dy * dy < 1.0 || sx * sx + sy * sy < 1.0 {
                skin + 15.0 * ((x as f32 * 0.3).sin() * (y as f32 * 0.2).cos())
            } else {
                tone
            };
            c.px[y * w + x] = v;
        }
    }
    // Printed fields: captions and values at smaller sizes, right of the portrait.
    let ink = rng.range(15.0, 70.0);
    let tx = pl + pw + 4.0 * mm;
    let mut ty = 0.16 * hmm * mm;
    let title_pitch = 2.2 * mm;
    c.text(
        cells,
        &letters(rng, 8, 6),
        tx,
        0.04 * hmm * mm,
        title_pitch,
        ink,
    );
    let mrz_top = hmm * mm - (mrz.len() as f32 * 4.2 + 3.0) * mm;
    while ty + 3.5 * mm < mrz_top - 2.0 * mm {
        let p = rng.range(1.0, 1.6) * mm;
        let n = 3 + rng.below(((wmm * mm - tx) / p) as usize / 2 + 1);
        c.text(cells, &alnum(rng, n), tx, ty, p, ink);
        ty += p * 2.3;
    }
    // The MRZ: pitch 2.54 mm, line centres 4.2 mm apart, about 5.5 mm from the bottom edge.
    let pitch = 2.54 * mm;
    let n = mrz.first().map_or(0, String::len) as f32;
    let left = (wmm * mm - n * pitch) * 0.5;
    let mrz_ink = rng.range(0.0, 50.0);
    for (i, line) in mrz.iter().enumerate() {
        let yc = hmm * mm - (5.5 + 4.2 * (mrz.len() - 1 - i) as f32) * mm;
        let cell_h = pitch * CELL_H as f32 / CELL_W as f32;
        c.text(cells, line, left, yc - cell_h * 0.5, pitch, mrz_ink);
    }
    c
}

#[allow(clippy::needless_range_loop)] // matrix code
/// Solves the homography taking `src[i]` to `dst[i]` (row-major 3x3, h33 = 1).
fn homography(src: &[(f32, f32); 4], dst: &[(f32, f32); 4]) -> Option<[f64; 9]> {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(src[i].0), f64::from(src[i].1));
        let (u, v) = (f64::from(dst[i].0), f64::from(dst[i].1));
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let piv = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        for r in 0..8 {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..9 {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

/// Separable Gaussian blur with edge clamping.
fn gaussian_blur(px: &mut [f32], w: usize, h: usize, sigma: f32) {
    let r = (3.0 * sigma).ceil().max(1.0) as i64;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-((i * i) as f32) / (2.0 * sigma * sigma)).exp())
        .collect();
    let ksum: f32 = k.iter().sum();
    let k: Vec<f32> = k.iter().map(|v| v / ksum).collect();
    let mut tmp = vec![0f32; w.max(h)];
    for y in 0..h {
        let row = &mut px[y * w..(y + 1) * w];
        for (x, t) in tmp.iter_mut().enumerate().take(w) {
            *t = k
                .iter()
                .enumerate()
                .map(|(j, kv)| kv * row[(x as i64 + j as i64 - r).clamp(0, w as i64 - 1) as usize])
                .sum();
        }
        row.copy_from_slice(&tmp[..w]);
    }
    for x in 0..w {
        for (y, t) in tmp.iter_mut().enumerate().take(h) {
            *t = k
                .iter()
                .enumerate()
                .map(|(j, kv)| {
                    kv * px[(y as i64 + j as i64 - r).clamp(0, h as i64 - 1) as usize * w + x]
                })
                .sum();
        }
        for y in 0..h {
            px[y * w + x] = tmp[y];
        }
    }
}

/// Renders `mrz` (lines of a valid MRZ of `format`) as a photo distorted by `d`.
pub fn render(format: Format, mrz: &[String], d: &Distortion, seed: u64) -> Page {
    let mut rng = Rng::new(seed);
    let px_per_mm = d.pitch_px.clamp(2.0, 200.0) / 2.54;
    let page = draw_page(format, mrz, px_per_mm, &mut rng);
    let (pw, ph) = (page.w as f32, page.h as f32);
    // Output size: the rotated page spans `fill` of the shorter side.
    let (s, c) = d.rotation_deg.to_radians().sin_cos();
    let bw = (pw * c).abs() + (ph * s).abs();
    let bh = (pw * s).abs() + (ph * c).abs();
    let fill = d.fill.clamp(0.2, 1.0);
    let ow = ((bw / fill).max(bh / fill * 1.33))
        .round()
        .clamp(16.0, 8192.0) as usize;
    let oh = ((ow as f32) * 0.75).round().max(16.0) as usize;
    let (ocx, ocy) = (
        ow as f32 * 0.5 + rng.range(-0.5, 0.5) * (ow as f32 - bw).max(0.0) * 0.8,
        oh as f32 * 0.5 + rng.range(-0.5, 0.5) * (oh as f32 - bh).max(0.0) * 0.8,
    );
    let corners = [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)];
    let mut dst = [(0f32, 0f32); 4];
    for (i, &(x, y)) in corners.iter().enumerate() {
        let (dx, dy) = (x - pw * 0.5, y - ph * 0.5);
        let jx = rng.range(-1.0, 1.0) * d.perspective * pw;
        let jy = rng.range(-1.0, 1.0) * d.perspective * pw;
        dst[i] = (ocx + dx * c - dy * s + jx, ocy + dx * s + dy * c + jy);
    }
    let hinv = homography(&dst, &corners).unwrap_or([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    let bg = rng.range(30.0, 140.0);
    let (bf1, bf2) = (rng.range(0.01, 0.05), rng.range(0.1, 0.4));
    let mut out = vec![0f32; ow * oh];
    for y in 0..oh {
        for x in 0..ow {
            let (xf, yf) = (f64::from(x as u32) + 0.5, f64::from(y as u32) + 0.5);
            let z = hinv[6] * xf + hinv[7] * yf + hinv[8];
            let u = ((hinv[0] * xf + hinv[1] * yf + hinv[2]) / z) as f32 - 0.5;
            let v = ((hinv[3] * xf + hinv[4] * yf + hinv[5]) / z) as f32 - 0.5;
            out[y * ow + x] = if u >= -0.5 && v >= -0.5 && u <= pw - 0.5 && v <= ph - 0.5 {
                page.sample(u, v)
            } else {
                bg + 25.0 * ((x as f32 * bf1 + (y as f32 * bf2).sin()).sin())
            };
        }
    }
    if d.blur_sigma > 0.2 {
        gaussian_blur(&mut out, ow, oh, d.blur_sigma);
    }
    let (gx, gy, gr) = (
        rng.range(0.0, ow as f32),
        rng.range(0.0, oh as f32),
        rng.range(0.15, 0.4) * ow as f32,
    );
    let contrast = d.contrast.clamp(0.05, 1.0);
    let offset = rng.range(0.0, 1.0 - contrast) * 255.0;
    let mut pixels = Vec::with_capacity(ow * oh);
    for y in 0..oh {
        for x in 0..ow {
            let mut v = out[y * ow + x] * contrast + offset;
            if d.glare > 0.0 {
                let (dx, dy) = (x as f32 - gx, y as f32 - gy);
                v += d.glare * (-(dx * dx + dy * dy) / (2.0 * gr * gr)).exp();
            }
            v += d.noise * rng.normal();
            pixels.push(v.round().clamp(0.0, 255.0) as u8);
        }
    }
    Page {
        format,
        mrz: mrz.to_vec(),
        distortion: d.clone(),
        width: ow as u32,
        height: oh as u32,
        pixels,
    }
}

/// A random page: format TD1, TD2 or TD3 by `seed % 3`, a random MRZ and a random distortion
/// ([`Distortion::random`]).
pub fn random_page(seed: u64) -> Page {
    let mut rng = Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let format = [Format::Td1, Format::Td2, Format::Td3][(seed % 3) as usize];
    let mrz = random_mrz(format, &mut rng);
    let d = Distortion::random(&mut rng);
    render(format, &mrz, &d, rng.next_u64())
}

/// As [`random_page`] with a [`Distortion::harsh`] distortion.
pub fn harsh_page(seed: u64) -> Page {
    let mut rng = Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let format = [Format::Td1, Format::Td2, Format::Td3][(seed % 3) as usize];
    let mrz = random_mrz(format, &mut rng);
    let d = Distortion::harsh(&mut rng);
    render(format, &mrz, &d, rng.next_u64())
}

/// Runs `f` on every seed of `seeds` over the available cores (at most 8) and returns the results
/// in seed order: for measuring the scanner on many pages.
pub fn for_seeds<T: Send>(seeds: std::ops::Range<u64>, f: impl Fn(u64) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8)) as u64;
    let f = &f;
    let seeds = &seeds;
    let mut out: Vec<(u64, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (seeds.start + t..seeds.end)
                        .step_by(threads as usize)
                        .map(|seed| (seed, f(seed)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    out.sort_by_key(|r| r.0);
    out.into_iter().map(|r| r.1).collect()
}
