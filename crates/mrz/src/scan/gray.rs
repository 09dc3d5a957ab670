//! An 8-bit grayscale raster with the few operations the scanner needs.

/// A grayscale image, row-major, one byte per pixel (0 = black).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gray {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

impl Gray {
    /// Box-filter downsampling by an integer factor (`k` >= 1); partial border blocks are averaged
    /// over what they hold.
    pub fn downsample(&self, k: usize) -> Gray {
        let k = k.max(1);
        if k == 1 {
            return self.clone();
        }
        let w = self.w.div_ceil(k);
        let h = self.h.div_ceil(k);
        let mut sums = vec![0u32; w];
        let mut counts = vec![0u32; w];
        let mut out = Vec::with_capacity(w * h);
        for by in 0..h {
            sums.iter_mut().for_each(|s| *s = 0);
            counts.iter_mut().for_each(|s| *s = 0);
            let y1 = ((by + 1) * k).min(self.h);
            for y in by * k..y1 {
                let row = &self.px[y * self.w..(y + 1) * self.w];
                for (x, &p) in row.iter().enumerate() {
                    let bx = x / k;
                    sums[bx] += u32::from(p);
                    counts[bx] += 1;
                }
            }
            for (s, c) in sums.iter().zip(&counts) {
                out.push((*s / (*c).max(1)) as u8);
            }
        }
        Gray { w, h, px: out }
    }

    /// Bilinear sample at (`x`, `y`) in pixel-centre coordinates; positions outside the image
    /// take the nearest edge pixel.
    #[inline]
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        if self.w == 0 || self.h == 0 {
            return 0.0;
        }
        let maxx = (self.w - 1) as f32;
        let maxy = (self.h - 1) as f32;
        let x = if x.is_nan() { 0.0 } else { x.clamp(0.0, maxx) };
        let y = if y.is_nan() { 0.0 } else { y.clamp(0.0, maxy) };
        let x0 = x.floor() as usize;
        let y0 = y.floor() as usize;
        let x1 = (x0 + 1).min(self.w - 1);
        let y1 = (y0 + 1).min(self.h - 1);
        let fx = x - x0 as f32;
        let fy = y - y0 as f32;
        let p = |xx: usize, yy: usize| f32::from(self.px[yy * self.w + xx]);
        let top = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * fx;
        let bot = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * fx;
        top + (bot - top) * fy
    }
}
