//! The glyph classifier: a small neural network (fully connected, ReLU) over the glyph window
//! that template matching aligned (zero-mean, unit-norm, [`TW`] x [`TH`]), with the softmax
//! taken over the characters a position allows.
//!
//! Template matching finds and aligns the glyphs; it tells E from F or L, or T from I, poorly
//! when a bar is faint (glare, blur, JPEG), because every pixel counts the same. The network
//! learns which pixels tell glyphs apart. It is trained by `examples/train_glyphs.rs` on the
//! windows this pipeline cuts from synthetic pages whose seeds are disjoint from the evaluated
//! ones, and committed as `data/glyph-model.bin`:
//!
//! ```text
//! "MRZGLM02" | u32 LE layer count | per layer: u32 LE outputs, u32 LE inputs,
//!            outputs x inputs f32 LE weights, outputs f32 LE biases
//! ```
//! The first layer takes [`INPUTS`] values, the last gives [`CLASSES`] logits, and each layer's
//! inputs are the previous layer's outputs after a ReLU.

use std::sync::OnceLock;

use super::classify::{ALPHABET, TH, TW};

/// Inputs of the model: one glyph window.
pub const INPUTS: usize = TW * TH;
/// Classes: the MRZ alphabet in `0-9`, `A-Z`, `<` order.
pub const CLASSES: usize = 37;
const MAGIC: &[u8; 8] = b"MRZGLM02";
/// More layers or wider ones than this are refused (the committed model has two).
const MAX_LAYERS: usize = 4;
const MAX_WIDTH: usize = 1024;

/// The committed model.
const MODEL_BIN: &[u8] = include_bytes!("../../data/glyph-model.bin");

/// One fully connected layer: `outputs` rows of `inputs` weights, and biases.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Output width.
    pub outputs: usize,
    /// Input width.
    pub inputs: usize,
    /// Row-major weights.
    pub w: Vec<f32>,
    /// Biases.
    pub b: Vec<f32>,
}

impl Layer {
    fn apply(&self, x: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend(
            self.w
                .chunks_exact(self.inputs)
                .zip(&self.b)
                .map(|(row, b)| row.iter().zip(x).map(|(a, v)| a * v).sum::<f32>() + b),
        );
    }
}

/// The committed model, or `None` if it does not decode (a build defect, reported as such).
pub(crate) fn model() -> Option<&'static [Layer]> {
    static M: OnceLock<Option<Vec<Layer>>> = OnceLock::new();
    M.get_or_init(|| decode(MODEL_BIN)).as_deref()
}

/// Decodes a model, checking that the layers chain from [`INPUTS`] to [`CLASSES`].
pub fn decode(bytes: &[u8]) -> Option<Vec<Layer>> {
    let mut rest = bytes.strip_prefix(MAGIC)?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (a, b) = rest.split_at_checked(n)?;
        rest = b;
        Some(a)
    };
    let count = read_u32(&mut take)?;
    if count == 0 || count > MAX_LAYERS {
        return None;
    }
    let mut layers: Vec<Layer> = Vec::with_capacity(count);
    let mut width = INPUTS;
    for _ in 0..count {
        let outputs = read_u32(&mut take)?;
        let inputs = read_u32(&mut take)?;
        if inputs != width || outputs == 0 || outputs > MAX_WIDTH {
            return None;
        }
        let w = read_f32s(&mut take, outputs * inputs)?;
        let b = read_f32s(&mut take, outputs)?;
        layers.push(Layer {
            outputs,
            inputs,
            w,
            b,
        });
        width = outputs;
    }
    if width != CLASSES || !rest.is_empty() {
        return None;
    }
    Some(layers)
}

fn read_u32<'a>(take: &mut impl FnMut(usize) -> Option<&'a [u8]>) -> Option<usize> {
    let b: [u8; 4] = take(4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b) as usize)
}

fn read_f32s<'a>(take: &mut impl FnMut(usize) -> Option<&'a [u8]>, n: usize) -> Option<Vec<f32>> {
    let bytes = take(n.checked_mul(4)?)?;
    let v: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    v.iter().all(|x| x.is_finite()).then_some(v)
}

/// Serialises a model (for the training example).
pub fn encode(layers: &[Layer]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(layers.len() as u32).to_le_bytes());
    for l in layers {
        out.extend_from_slice(&(l.outputs as u32).to_le_bytes());
        out.extend_from_slice(&(l.inputs as u32).to_le_bytes());
        for v in l.w.iter().chain(&l.b) {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// The logits of every class for the glyph window `x` (ReLU between layers).
pub fn logits(layers: &[Layer], x: &[f32]) -> Vec<f32> {
    let mut a = x.to_vec();
    let mut out = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        l.apply(&a, &mut out);
        if i + 1 < layers.len() {
            out.iter_mut().for_each(|v| *v = v.max(0.0));
        }
        std::mem::swap(&mut a, &mut out);
    }
    a
}

/// The probability of each allowed character (bit `i` of `allowed` is the `i`-th character of
/// the alphabet) given the glyph window `x`, most probable first.
pub(crate) fn probabilities(layers: &[Layer], x: &[f32; INPUTS], allowed: u64) -> Vec<(u8, f32)> {
    let z = logits(layers, x);
    let allowed_logits: Vec<(u8, f32)> = z
        .iter()
        .enumerate()
        .filter(|(c, _)| *c < CLASSES && allowed & (1 << c) != 0)
        .map(|(c, &v)| (ALPHABET[c], v))
        .collect();
    let max = allowed_logits
        .iter()
        .map(|l| l.1)
        .fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = allowed_logits.iter().map(|l| (l.1 - max).exp()).sum();
    let mut p: Vec<(u8, f32)> = allowed_logits
        .into_iter()
        .map(|(c, v)| (c, (v - max).exp() / sum.max(f32::MIN_POSITIVE)))
        .collect();
    p.sort_by(|a, b| b.1.total_cmp(&a.1));
    p
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code
    use super::*;

    #[test]
    fn committed_model_decodes_and_round_trips() {
        let m = model().unwrap();
        assert_eq!(encode(m), MODEL_BIN);
    }

    #[test]
    fn malformed_models_are_refused() {
        assert!(decode(b"").is_none());
        assert!(decode(&MODEL_BIN[..MODEL_BIN.len() - 1]).is_none());
        let mut bad = MODEL_BIN.to_vec();
        bad[0] ^= 1;
        assert!(decode(&bad).is_none());
        let mut nan = MODEL_BIN.to_vec();
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(decode(&nan).is_none());
        // Layers that do not chain from the inputs to the classes.
        let one = Layer {
            outputs: CLASSES,
            inputs: 3,
            w: vec![0.0; CLASSES * 3],
            b: vec![0.0; CLASSES],
        };
        assert!(decode(&encode(&[one])).is_none());
        assert!(decode(&encode(&[])).is_none());
        let mut trailing = MODEL_BIN.to_vec();
        trailing.push(0);
        assert!(decode(&trailing).is_none());
    }

    #[test]
    fn probabilities_cover_only_allowed_characters_and_sum_to_one() {
        let m = model().unwrap();
        let x = [0.01f32; INPUTS];
        let digits = (1u64 << 10) - 1;
        let p = probabilities(m, &x, digits);
        assert_eq!(p.len(), 10);
        assert!(p.iter().all(|c| c.0.is_ascii_digit()));
        assert!((p.iter().map(|c| c.1).sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(p.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(probabilities(m, &x, 0).is_empty());
    }
}
