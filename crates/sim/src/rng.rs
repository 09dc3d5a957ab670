//! The chip's randomness: seedable, and scriptable so published worked examples replay bit for bit.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_core::{Infallible, TryCryptoRng, TryRng};
use std::collections::VecDeque;
use zeroize::Zeroize;

/// The software chip's random number generator.
///
/// Bytes queued with [`ChipRng::push_scripted`] are handed out first, in order (a worked example's
/// RND.IC, K.IC or nonce); after them a ChaCha-based [`StdRng`] seeded from a `u64` (deterministic
/// tests) or from the operating system. It implements `rand_core`'s `CryptoRng`, so protocol code
/// can pass it to key generation.
pub struct ChipRng {
    scripted: VecDeque<u8>,
    inner: StdRng,
}

impl ChipRng {
    /// A generator seeded with `seed` (the same seed gives the same bytes).
    pub fn seeded(seed: u64) -> Self {
        ChipRng {
            scripted: VecDeque::new(),
            inner: StdRng::seed_from_u64(seed),
        }
    }
    /// A generator seeded from the operating system.
    pub fn from_os() -> Self {
        ChipRng {
            scripted: VecDeque::new(),
            inner: rand::make_rng(),
        }
    }
    /// Queues bytes to be returned before any generated ones.
    pub fn push_scripted(&mut self, bytes: &[u8]) {
        self.scripted.extend(bytes.iter().copied());
    }
    /// How many scripted bytes are still queued.
    pub fn scripted_left(&self) -> usize {
        self.scripted.len()
    }
    /// Fills `out` (scripted bytes first).
    pub fn fill(&mut self, out: &mut [u8]) {
        let mut i = 0;
        while i < out.len() {
            match self.scripted.pop_front() {
                Some(b) => {
                    out[i] = b;
                    i += 1;
                }
                None => break,
            }
        }
        rand_core::Rng::fill_bytes(&mut self.inner, &mut out[i..]);
    }
    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        self.fill(&mut v);
        v
    }
}

impl Drop for ChipRng {
    fn drop(&mut self) {
        let (a, b) = self.scripted.as_mut_slices();
        a.zeroize();
        b.zeroize();
    }
}

impl std::fmt::Debug for ChipRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChipRng(REDACTED)")
    }
}

impl TryRng for ChipRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for ChipRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_then_seeded() {
        let mut a = ChipRng::seeded(7);
        a.push_scripted(&[1, 2, 3]);
        let x = a.bytes(5);
        assert_eq!(&x[..3], &[1, 2, 3]);
        let mut b = ChipRng::seeded(7);
        let y = b.bytes(2);
        assert_eq!(&x[3..], &y[..]);
        assert_eq!(a.scripted_left(), 0);
        fn needs_crypto_rng<R: rand_core::CryptoRng>(_: &mut R) {}
        needs_crypto_rng(&mut a);
    }
}
