//! The glyph classifier: multinomial logistic regression over the glyph window that template
//! matching aligned (zero-mean, unit-norm, [`TW`] x [`TH`]), over the characters a position
//! allows.
//!
//! Template matching finds and aligns the glyphs; it tells E from F or L poorly when a bar is
//! faint (glare, blur, JPEG), because every pixel counts the same. The linear model weighs the
//! pixels that tell glyphs apart. It is trained by `examples/train_glyphs.rs` on the windows this
//! pipeline cuts from synthetic pages whose seeds are disjoint from those of the accuracy test,
//! and committed as `data/glyph-model.bin`:
//!
//! ```text
//! "MRZGLM01" | u32 LE inputs (768) | u32 LE classes (37) | classes x inputs f32 LE weights | classes f32 LE biases
//! ```

use std::sync::OnceLock;

use super::classify::{ALPHABET, TH, TW};

/// Inputs of the model: one glyph window.
pub const INPUTS: usize = TW * TH;
/// Classes: the MRZ alphabet in [`ALPHABET`] order.
pub const CLASSES: usize = 37;
const MAGIC: &[u8; 8] = b"MRZGLM01";

/// The committed model.
const MODEL_BIN: &[u8] = include_bytes!("../../data/glyph-model.bin");

/// Weights (`CLASSES` rows of `INPUTS`) and biases.
pub(crate) struct Model {
    w: Vec<f32>,
    b: Vec<f32>,
}

/// The committed model, or `None` if it does not decode (a build defect, reported as such).
pub(crate) fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| decode(MODEL_BIN)).as_ref()
}

fn decode(bytes: &[u8]) -> Option<Model> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let u32_at = |o: usize| -> Option<usize> {
        let b: [u8; 4] = rest.get(o..o + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b) as usize)
    };
    if u32_at(0)? != INPUTS || u32_at(4)? != CLASSES {
        return None;
    }
    let floats = rest.get(8..)?;
    if floats.len() != 4 * CLASSES * (INPUTS + 1) {
        return None;
    }
    let all: Vec<f32> = floats
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if all.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (w, b) = all.split_at(CLASSES * INPUTS);
    Some(Model {
        w: w.to_vec(),
        b: b.to_vec(),
    })
}

/// Serialises a model (for the training example): `w` holds `CLASSES` rows of `INPUTS`.
///
/// # Panics
/// Never; returns an empty vector when the sizes are wrong.
pub fn encode(w: &[f32], b: &[f32]) -> Vec<u8> {
    if w.len() != CLASSES * INPUTS || b.len() != CLASSES {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(16 + 4 * (w.len() + b.len()));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(INPUTS as u32).to_le_bytes());
    out.extend_from_slice(&(CLASSES as u32).to_le_bytes());
    for v in w.iter().chain(b) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// The probability of each allowed character (bit `i` of `allowed` is `ALPHABET[i]`) given the
/// glyph window `x`, most probable first.
pub(crate) fn probabilities(model: &Model, x: &[f32; INPUTS], allowed: u64) -> Vec<(u8, f32)> {
    let mut logits: Vec<(u8, f32)> = Vec::with_capacity(CLASSES);
    for (c, (row, bias)) in model.w.chunks_exact(INPUTS).zip(&model.b).enumerate() {
        if allowed & (1 << c) == 0 {
            continue;
        }
        let z: f32 = row.iter().zip(x.iter()).map(|(a, b)| a * b).sum::<f32>() + bias;
        logits.push((ALPHABET[c], z));
    }
    let max = logits.iter().map(|l| l.1).fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = logits.iter().map(|l| (l.1 - max).exp()).sum();
    let mut p: Vec<(u8, f32)> = logits
        .into_iter()
        .map(|(c, z)| (c, (z - max).exp() / sum.max(f32::MIN_POSITIVE)))
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
        assert_eq!(encode(&m.w, &m.b), MODEL_BIN);
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
        assert!(encode(&[0.0], &[0.0]).is_empty());
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
