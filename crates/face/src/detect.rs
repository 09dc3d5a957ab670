//! MTCNN face detection (Zhang et al. 2016): P-Net over an image pyramid, R-Net and O-Net on the
//! candidates, five landmarks from O-Net.
//!
//! The nets (Keras ports of the original Caffe models) take their input **width first**:
//! `[N, W, H, 3]`, pixel `(x, y)` at `[n, x, y, c]`, RGB normalised as `(v - 127.5) / 128`; their
//! outputs are width-major too. O-Net's landmarks are 5 x then 5 y, relative to the box.
//!
//! To compile every P-Net shape once, detection runs on a fixed square canvas: the image is scaled
//! so that its longer side is [`DetectorOptions::canvas`] pixels and placed at the top left; the rest is zero (the
//! normalised value of mid grey). Pyramid levels are then the same for every image.

use crate::error::FaceError;
use crate::models::{self, ONET_FILE, PNET_FILE, Plan, RNET_FILE};
use image::{RgbImage, imageops};

const FACTOR: f32 = 0.709;
const THRESHOLDS: [f32; 3] = [0.6, 0.7, 0.7];
/// R-Net evaluates candidates in fixed batches of this size (it is cheap; P-Net leaves many).
const RNET_BATCH: usize = 16;
/// O-Net evaluates candidates in fixed batches of this size (it is 30 times dearer; R-Net leaves few).
const ONET_BATCH: usize = 4;

/// Where and how finely the detector looks. The pyramid is compiled for these at load time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorOptions {
    /// Side of the square detection canvas, in pixels: the image is scaled so that its longer side
    /// fills it.
    pub canvas: u32,
    /// The smallest face looked for, in canvas pixels (at least 12).
    pub min_face: f32,
}

impl Default for DetectorOptions {
    /// A 640-pixel canvas and faces of at least 40 canvas pixels (1/16 of the image's longer side):
    /// enough for portraits and selfies, where the subject's face is much larger.
    fn default() -> Self {
        DetectorOptions {
            canvas: 640,
            min_face: 40.0,
        }
    }
}
/// At most this many candidates go from P-Net to R-Net (the best scoring).
const MAX_CANDIDATES: usize = 256;

/// One pyramid level: its scale and the P-Net plan compiled for its size.
pub(crate) struct Level {
    scale: f32,
    side: usize,
    plan: Plan,
}

/// The three MTCNN nets, optimised for the canvas's pyramid.
pub(crate) struct Mtcnn {
    options: DetectorOptions,
    levels: Vec<Level>,
    rnet: Plan,
    onet: Plan,
}

/// The scales and sides of the pyramid levels for the canvas.
pub(crate) fn pyramid(o: &DetectorOptions) -> Vec<(f32, usize)> {
    let mut out = Vec::new();
    let m = 12.0 / o.min_face.max(12.0);
    let mut min_layer = o.canvas as f32 * m;
    let mut scale = m;
    while min_layer >= 12.0 {
        out.push((scale, (o.canvas as f32 * scale).ceil() as usize));
        scale *= FACTOR;
        min_layer *= FACTOR;
    }
    out
}

impl Mtcnn {
    pub(crate) fn load_pnet(o: &DetectorOptions) -> Result<Vec<Level>, FaceError> {
        pyramid(o)
            .into_iter()
            .map(|(scale, side)| {
                let plan = models::load_mtcnn(PNET_FILE, models::PNET_ONNX, &[1, side, side, 3])?;
                Ok(Level { scale, side, plan })
            })
            .collect()
    }

    pub(crate) fn load_rnet_onet() -> Result<(Plan, Plan), FaceError> {
        Ok((
            models::load_mtcnn(RNET_FILE, models::RNET_ONNX, &[RNET_BATCH, 24, 24, 3])?,
            models::load_mtcnn(ONET_FILE, models::ONET_ONNX, &[ONET_BATCH, 48, 48, 3])?,
        ))
    }

    pub(crate) fn new(
        options: DetectorOptions,
        levels: Vec<Level>,
        rnet: Plan,
        onet: Plan,
    ) -> Self {
        Mtcnn {
            options,
            levels,
            rnet,
            onet,
        }
    }

    /// Detects faces in `image`; boxes and landmarks in `image`'s pixel coordinates, best first.
    /// `inspect` sees every model input (model file, shape, data) before it runs.
    pub(crate) fn detect(
        &self,
        image: &RgbImage,
        inspect: &mut Inspect<'_>,
    ) -> Result<Vec<Detection>, FaceError> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        let side = self.options.canvas;
        let f = side as f32 / w.max(h) as f32;
        let cw = ((w as f32 * f).round() as u32).clamp(1, side);
        let ch = ((h as f32 * f).round() as u32).clamp(1, side);
        let canvas = imageops::resize(image, cw, ch, imageops::FilterType::Triangle);
        let mut found = self.detect_canvas(&Integral::new(&canvas), inspect)?;
        let (sx, sy) = (w as f32 / cw as f32, h as f32 / ch as f32);
        for d in &mut found {
            d.x1 *= sx;
            d.x2 *= sx;
            d.y1 *= sy;
            d.y2 *= sy;
            for p in &mut d.landmarks {
                p[0] *= sx;
                p[1] *= sy;
            }
        }
        Ok(found)
    }

    /// Runs one of the nets on a raw input, with the plan the pipeline uses for that shape.
    pub(crate) fn run_model(
        &self,
        model: &'static str,
        shape: &[usize],
        data: Vec<f32>,
    ) -> Result<Vec<Vec<f32>>, FaceError> {
        let plan = match (model, shape) {
            (PNET_FILE, [1, w, h, 3]) if w == h => {
                self.levels.iter().find(|l| l.side == *w).map(|l| &l.plan)
            }
            (RNET_FILE, [RNET_BATCH, 24, 24, 3]) => Some(&self.rnet),
            (ONET_FILE, [ONET_BATCH, 48, 48, 3]) => Some(&self.onet),
            _ => None,
        };
        let plan = plan.ok_or_else(|| FaceError::Model {
            model,
            message: format!("no plan for input shape {shape:?}"),
        })?;
        models::run(model, plan, shape, data)
    }

    fn detect_canvas(
        &self,
        img: &Integral,
        inspect: &mut Inspect<'_>,
    ) -> Result<Vec<Detection>, FaceError> {
        let (w, h) = (img.w as u32, img.h as u32);
        // Stage 1: P-Net over the pyramid.
        let mut all = Vec::new();
        for level in &self.levels {
            let lw = ((w as f32 * level.scale).ceil() as u32).clamp(1, level.side as u32);
            let lh = ((h as f32 * level.scale).ceil() as u32).clamp(1, level.side as u32);
            let side = level.side;
            let mut data = vec![0f32; side * side * 3];
            // The image occupies [0, lw) x [0, lh) of the level; the rest stays 0 (mid grey).
            img.sample(
                [0.0, 0.0, w as f32, h as f32],
                lw as usize,
                lh as usize,
                |x, y, rgb| {
                    let o = (x * side + y) * 3;
                    data[o..o + 3].copy_from_slice(&rgb.map(norm_f));
                },
            );
            inspect(PNET_FILE, &[1, side, side, 3], &data);
            let out = models::run(PNET_FILE, &level.plan, &[1, side, side, 3], data)?;
            let (reg, prob) = match out.as_slice() {
                [reg, prob] => (reg, prob),
                _ => return Err(bad_outputs(PNET_FILE)),
            };
            // Output grid: cells x cells (about (side - 12) / 2 + 1; taken from the output), width-major.
            let cells = ((prob.len() / 2) as f64).sqrt().round() as usize;
            if cells == 0 || prob.len() != cells * cells * 2 || reg.len() != cells * cells * 4 {
                return Err(bad_outputs(PNET_FILE));
            }
            let mut boxes = Vec::new();
            for cx in 0..cells {
                for cy in 0..cells {
                    let i = cx * cells + cy;
                    let score = models::face_probability(&prob[i * 2..i * 2 + 2]);
                    if score < THRESHOLDS[0] {
                        continue;
                    }
                    let s = level.scale;
                    boxes.push(Cand {
                        b: [
                            ((2 * cx + 1) as f32 / s).trunc(),
                            ((2 * cy + 1) as f32 / s).trunc(),
                            ((2 * cx + 12) as f32 / s).trunc(),
                            ((2 * cy + 12) as f32 / s).trunc(),
                        ],
                        score,
                        reg: [reg[i * 4], reg[i * 4 + 1], reg[i * 4 + 2], reg[i * 4 + 3]],
                    });
                }
            }
            let keep = nms(&boxes, 0.5, false);
            all.extend(keep.into_iter().map(|i| boxes[i]));
        }
        let keep = nms(&all, 0.7, false);
        let mut cands: Vec<Cand> = keep
            .into_iter()
            .map(|i| {
                let c = all[i];
                let (bw, bh) = (c.b[2] - c.b[0], c.b[3] - c.b[1]);
                let b = [
                    c.b[0] + c.reg[0] * bw,
                    c.b[1] + c.reg[1] * bh,
                    c.b[2] + c.reg[2] * bw,
                    c.b[3] + c.reg[3] * bh,
                ];
                Cand {
                    b: trunc(square(b)),
                    score: c.score,
                    reg: [0.0; 4],
                }
            })
            .collect();
        cands.truncate(MAX_CANDIDATES);
        if cands.is_empty() {
            return Ok(Vec::new());
        }

        // Stage 2: R-Net refines and rejects.
        let out = self.run_batched(RNET_FILE, img, &cands, inspect)?;
        let mut next = Vec::new();
        for (c, o) in cands.iter().zip(&out) {
            let (reg, prob) = match o.as_slice() {
                [reg, prob] => (reg, prob),
                _ => return Err(bad_outputs(RNET_FILE)),
            };
            let p = models::face_probability(prob);
            if p > THRESHOLDS[1] {
                next.push(Cand {
                    b: c.b,
                    score: p,
                    reg: [reg[0], reg[1], reg[2], reg[3]],
                });
            }
        }
        let keep = nms(&next, 0.7, false);
        let cands: Vec<Cand> = keep
            .into_iter()
            .map(|i| {
                let c = next[i];
                Cand {
                    b: trunc(square(bbreg(c.b, c.reg))),
                    score: c.score,
                    reg: [0.0; 4],
                }
            })
            .collect();
        if cands.is_empty() {
            return Ok(Vec::new());
        }

        // Stage 3: O-Net gives the final boxes and the landmarks.
        let out = self.run_batched(ONET_FILE, img, &cands, inspect)?;
        let mut dets = Vec::new();
        for (c, o) in cands.iter().zip(&out) {
            let (reg, pts, prob) = match o.as_slice() {
                [reg, pts, prob] => (reg, pts, prob),
                _ => return Err(bad_outputs(ONET_FILE)),
            };
            let p = models::face_probability(prob);
            if p <= THRESHOLDS[2] {
                continue;
            }
            let (bw, bh) = (c.b[2] - c.b[0] + 1.0, c.b[3] - c.b[1] + 1.0);
            let mut landmarks = [[0f32; 2]; 5];
            for (k, l) in landmarks.iter_mut().enumerate() {
                *l = [bw * pts[k] + c.b[0] - 1.0, bh * pts[5 + k] + c.b[1] - 1.0];
            }
            let b = bbreg(c.b, [reg[0], reg[1], reg[2], reg[3]]);
            dets.push((
                Cand {
                    b,
                    score: p,
                    reg: [0.0; 4],
                },
                landmarks,
            ));
        }
        let boxes: Vec<Cand> = dets.iter().map(|d| d.0).collect();
        let keep = nms(&boxes, 0.7, true);
        Ok(keep
            .into_iter()
            .map(|i| {
                let (c, landmarks) = dets[i];
                Detection {
                    x1: c.b[0],
                    y1: c.b[1],
                    x2: c.b[2],
                    y2: c.b[3],
                    score: c.score,
                    landmarks,
                }
            })
            .collect())
    }

    /// Crops each candidate box (inclusive corners; zero outside the image) to the input size of
    /// `model` (R-Net 24, O-Net 48) by area averaging, and runs it in its fixed batches; returns
    /// each candidate's outputs.
    fn run_batched(
        &self,
        model: &'static str,
        img: &Integral,
        cands: &[Cand],
        inspect: &mut Inspect<'_>,
    ) -> Result<Vec<Vec<Vec<f32>>>, FaceError> {
        let (plan, batch, s) = if model == RNET_FILE {
            (&self.rnet, RNET_BATCH, 24)
        } else {
            (&self.onet, ONET_BATCH, 48)
        };
        let mut results = Vec::with_capacity(cands.len());
        for chunk in cands.chunks(batch) {
            let mut data = vec![0f32; batch * s * s * 3];
            for (n, c) in chunk.iter().enumerate() {
                let b = [c.b[0], c.b[1], c.b[2] + 1.0, c.b[3] + 1.0];
                img.sample(b, s, s, |x, y, rgb| {
                    let o = ((n * s + x) * s + y) * 3;
                    data[o..o + 3].copy_from_slice(&rgb.map(norm_f));
                });
            }
            inspect(model, &[batch, s, s, 3], &data);
            let outs = models::run(model, plan, &[batch, s, s, 3], data)?;
            for n in 0..chunk.len() {
                let mut per = Vec::with_capacity(outs.len());
                for o in &outs {
                    let k = o.len() / batch;
                    per.push(o[n * k..(n + 1) * k].to_vec());
                }
                results.push(per);
            }
        }
        Ok(results)
    }
}

/// Sees each model input (model file, shape, data) before it runs.
pub(crate) type Inspect<'a> = dyn FnMut(&'static str, &[usize], &[f32]) + 'a;

/// A detected face in image coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Detection {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
    pub score: f32,
    pub landmarks: [[f32; 2]; 5],
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    b: [f32; 4],
    score: f32,
    reg: [f32; 4],
}

fn norm_f(v: f32) -> f32 {
    (v - 127.5) * 0.0078125
}

/// A summed-area table of an RGB image: any rectangle's mean in O(1), for area-averaged resizing
/// (as OpenCV's `INTER_AREA`, which the MTCNN reference uses).
pub(crate) struct Integral {
    w: usize,
    h: usize,
    /// `(w + 1) * (h + 1) * 3` sums; row 0 and column 0 are zero.
    sums: Vec<u32>,
}

impl Integral {
    pub(crate) fn new(img: &RgbImage) -> Self {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let stride = (w + 1) * 3;
        let mut sums = vec![0u32; (h + 1) * stride];
        let raw = img.as_raw();
        for y in 0..h {
            let mut row = [0u32; 3];
            for x in 0..w {
                for c in 0..3 {
                    row[c] += u32::from(raw[(y * w + x) * 3 + c]);
                    sums[(y + 1) * stride + (x + 1) * 3 + c] =
                        sums[y * stride + (x + 1) * 3 + c] + row[c];
                }
            }
        }
        Integral { w, h, sums }
    }

    /// Sum of channel values over the pixel rectangle `[x0, x1) x [y0, y1)`, clamped to the image.
    fn sum(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> [u32; 3] {
        let cx = |v: i64| v.clamp(0, self.w as i64) as usize;
        let cy = |v: i64| v.clamp(0, self.h as i64) as usize;
        let (x0, x1, y0, y1) = (cx(x0), cx(x1), cy(y0), cy(y1));
        let stride = (self.w + 1) * 3;
        let mut out = [0u32; 3];
        if x0 >= x1 || y0 >= y1 {
            return out;
        }
        for (c, o) in out.iter_mut().enumerate() {
            let at = |x: usize, y: usize| self.sums[y * stride + x * 3 + c];
            *o = at(x1, y1) + at(x0, y0) - at(x0, y1) - at(x1, y0);
        }
        out
    }

    /// Resamples the region `[x0, y0, x1, y1)` (may extend past the image: zero there) to `ow` x
    /// `oh` pixels, each the mean of its source cell; calls `put(x, y, rgb)` for each.
    fn sample(
        &self,
        r: [f32; 4],
        ow: usize,
        oh: usize,
        mut put: impl FnMut(usize, usize, [f32; 3]),
    ) {
        let (rw, rh) = ((r[2] - r[0]).max(1.0), (r[3] - r[1]).max(1.0));
        let edge = |origin: f32, len: f32, n: usize, i: usize| {
            (origin + len * i as f32 / n as f32).round() as i64
        };
        for oy in 0..oh {
            let y0 = edge(r[1], rh, oh, oy);
            let y1 = edge(r[1], rh, oh, oy + 1).max(y0 + 1);
            for ox in 0..ow {
                let x0 = edge(r[0], rw, ow, ox);
                let x1 = edge(r[0], rw, ow, ox + 1).max(x0 + 1);
                let area = ((x1 - x0) * (y1 - y0)) as f32;
                let s = self.sum(x0, y0, x1, y1);
                put(ox, oy, s.map(|v| v as f32 / area));
            }
        }
    }
}

fn bad_outputs(model: &'static str) -> FaceError {
    FaceError::Model {
        model,
        message: "unexpected output shapes".into(),
    }
}

fn trunc(b: [f32; 4]) -> [f32; 4] {
    b.map(f32::trunc)
}

/// Makes a box square around its centre (MTCNN's `rerec`).
fn square(b: [f32; 4]) -> [f32; 4] {
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    let l = w.max(h);
    let x1 = b[0] + w * 0.5 - l * 0.5;
    let y1 = b[1] + h * 0.5 - l * 0.5;
    [x1, y1, x1 + l, y1 + l]
}

/// Applies a box regression (MTCNN's `bbreg`).
fn bbreg(b: [f32; 4], r: [f32; 4]) -> [f32; 4] {
    let (w, h) = (b[2] - b[0] + 1.0, b[3] - b[1] + 1.0);
    [
        b[0] + r[0] * w,
        b[1] + r[1] * h,
        b[2] + r[2] * w,
        b[3] + r[3] * h,
    ]
}

/// Non-maximum suppression; returns the kept indices, best score first.
fn nms(boxes: &[Cand], threshold: f32, min_mode: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| boxes[b].score.total_cmp(&boxes[a].score));
    let area = |c: &Cand| (c.b[2] - c.b[0] + 1.0) * (c.b[3] - c.b[1] + 1.0);
    let mut keep = Vec::new();
    let mut dropped = vec![false; boxes.len()];
    for (k, &i) in order.iter().enumerate() {
        if dropped[i] {
            continue;
        }
        keep.push(i);
        let a = &boxes[i];
        for &j in &order[k + 1..] {
            if dropped[j] {
                continue;
            }
            let b = &boxes[j];
            let iw = (a.b[2].min(b.b[2]) - a.b[0].max(b.b[0]) + 1.0).max(0.0);
            let ih = (a.b[3].min(b.b[3]) - a.b[1].max(b.b[1]) + 1.0).max(0.0);
            let inter = iw * ih;
            let o = if min_mode {
                inter / area(a).min(area(b))
            } else {
                inter / (area(a) + area(b) - inter)
            };
            if o > threshold {
                dropped[j] = true;
            }
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyramid_levels_are_fixed() {
        let p = pyramid(&DetectorOptions::default());
        assert_eq!(p.first().map(|l| l.1), Some(192));
        assert!(p.iter().all(|l| l.1 >= 12));
        assert_eq!(p.len(), 9);
    }

    #[test]
    fn nms_keeps_best_of_overlapping() {
        let c = |x: f32, s: f32| Cand {
            b: [x, 0.0, x + 10.0, 10.0],
            score: s,
            reg: [0.0; 4],
        };
        let boxes = [c(0.0, 0.5), c(1.0, 0.9), c(50.0, 0.7)];
        assert_eq!(nms(&boxes, 0.5, false), vec![1, 2]);
    }

    #[test]
    fn integral_area_average() {
        let img = RgbImage::from_fn(4, 2, |x, y| {
            image::Rgb([(x * 10) as u8, (y * 100) as u8, 7])
        });
        let sat = Integral::new(&img);
        assert_eq!(sat.sum(0, 0, 4, 2), [120, 400, 56]);
        assert_eq!(sat.sum(-5, -5, 1, 1), [0, 0, 7]);
        let mut out = Vec::new();
        sat.sample([0.0, 0.0, 4.0, 2.0], 2, 1, |x, y, p| out.push((x, y, p)));
        assert_eq!(
            out,
            vec![(0, 0, [5.0, 50.0, 7.0]), (1, 0, [25.0, 50.0, 7.0])]
        );
        // Past the image's edge counts as zero.
        out.clear();
        sat.sample([2.0, 0.0, 6.0, 2.0], 1, 1, |x, y, p| out.push((x, y, p)));
        assert_eq!(out, vec![(0, 0, [12.5, 25.0, 3.5])]);
    }

    #[test]
    fn square_keeps_centre() {
        assert_eq!(square([0.0, 0.0, 10.0, 20.0]), [-5.0, 0.0, 15.0, 20.0]);
    }
}
