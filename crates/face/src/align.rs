//! Similarity-transform alignment of the five landmarks to the descriptor's 150x150 template.

use image::{RgbImage, imageops};

/// Side of the descriptor's input crop.
pub const CHIP: u32 = 150;

/// Where the five MTCNN landmarks (eye on the image's left, other eye, nose tip, left mouth corner,
/// right mouth corner) sit in the descriptor's 150x150 crop. Derived from the mean face shape that
/// dlib's `get_face_chip_details` aligns to (the crop the dlib ResNet was trained on): the means of
/// the 68-point model's eye contours (36–41, 42–47), nose tip (30) and mouth corners (48, 54), with
/// padding 0.25: `(0.25 + m) / 1.5 * 150`.
pub const TEMPLATE: [[f32; 2]; 5] = [
    [47.5492, 46.5990],
    [100.4761, 46.5990],
    [74.0127, 76.5625],
    [50.4149, 103.0233],
    [97.6104, 103.0233],
];

/// A similarity transform `p -> s R p + t`, stored as `[a, -b, tx; b, a, ty]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// `s cos θ`.
    pub a: f32,
    /// `s sin θ`.
    pub b: f32,
    /// x translation.
    pub tx: f32,
    /// y translation.
    pub ty: f32,
}

impl Similarity {
    /// Least-squares similarity transform taking `src` onto `dst` (Umeyama 1991, in 2-D closed form:
    /// no reflection).
    pub fn estimate(src: &[[f32; 2]; 5], dst: &[[f32; 2]; 5]) -> Option<Similarity> {
        let n = src.len() as f64;
        let mean = |p: &[[f32; 2]; 5]| {
            let (sx, sy) = p.iter().fold((0f64, 0f64), |a, q| {
                (a.0 + f64::from(q[0]), a.1 + f64::from(q[1]))
            });
            (sx / n, sy / n)
        };
        let (msx, msy) = mean(src);
        let (mdx, mdy) = mean(dst);
        let (mut sxx, mut sab, mut sba) = (0f64, 0f64, 0f64);
        for (s, d) in src.iter().zip(dst) {
            let (x, y) = (f64::from(s[0]) - msx, f64::from(s[1]) - msy);
            let (u, v) = (f64::from(d[0]) - mdx, f64::from(d[1]) - mdy);
            sxx += x * x + y * y;
            sab += x * u + y * v;
            sba += x * v - y * u;
        }
        if sxx <= f64::EPSILON {
            return None;
        }
        let a = sab / sxx;
        let b = sba / sxx;
        let tx = mdx - (a * msx - b * msy);
        let ty = mdy - (b * msx + a * msy);
        Some(Similarity {
            a: a as f32,
            b: b as f32,
            tx: tx as f32,
            ty: ty as f32,
        })
    }

    /// Applies the transform to a point.
    pub fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        [
            self.a * p[0] - self.b * p[1] + self.tx,
            self.b * p[0] + self.a * p[1] + self.ty,
        ]
    }

    /// The scale factor `s`.
    pub fn scale(&self) -> f32 {
        self.a.hypot(self.b)
    }

    /// The rotation angle in degrees.
    pub fn degrees(&self) -> f32 {
        self.b.atan2(self.a).to_degrees()
    }

    fn inverse(&self) -> Option<Similarity> {
        let d = self.a * self.a + self.b * self.b;
        if d <= f32::EPSILON {
            return None;
        }
        let (a, b) = (self.a / d, -self.b / d);
        Some(Similarity {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        })
    }
}

/// Cuts the aligned 150x150 face crop out of `image` for the given landmarks. When the face is much
/// larger than the crop, the face's region is first downscaled with a proper filter (bilinear
/// sampling alone would alias).
pub fn align(image: &RgbImage, landmarks: &[[f32; 2]; 5]) -> Option<RgbImage> {
    let t = Similarity::estimate(landmarks, &TEMPLATE)?;
    let s = t.scale();
    if s < 0.7 {
        // Region of the image that maps onto the crop, with a margin.
        let inv = t.inverse()?;
        let corners = [
            [0.0, 0.0],
            [CHIP as f32, 0.0],
            [0.0, CHIP as f32],
            [CHIP as f32, CHIP as f32],
        ]
        .map(|c| inv.apply(c));
        let (w, h) = (image.width() as f32, image.height() as f32);
        let x0 = corners
            .iter()
            .map(|c| c[0])
            .fold(f32::MAX, f32::min)
            .floor()
            .clamp(0.0, w - 1.0);
        let y0 = corners
            .iter()
            .map(|c| c[1])
            .fold(f32::MAX, f32::min)
            .floor()
            .clamp(0.0, h - 1.0);
        let x1 = corners
            .iter()
            .map(|c| c[0])
            .fold(f32::MIN, f32::max)
            .ceil()
            .clamp(x0 + 1.0, w);
        let y1 = corners
            .iter()
            .map(|c| c[1])
            .fold(f32::MIN, f32::max)
            .ceil()
            .clamp(y0 + 1.0, h);
        let region = imageops::crop_imm(
            image,
            x0 as u32,
            y0 as u32,
            (x1 - x0) as u32,
            (y1 - y0) as u32,
        );
        let nw = (((x1 - x0) * s).round() as u32).max(1);
        let nh = (((y1 - y0) * s).round() as u32).max(1);
        let small = imageops::resize(&*region, nw, nh, imageops::FilterType::Triangle);
        let (fx, fy) = (nw as f32 / (x1 - x0), nh as f32 / (y1 - y0));
        let moved = landmarks.map(|p| [(p[0] - x0) * fx, (p[1] - y0) * fy]);
        let t = Similarity::estimate(&moved, &TEMPLATE)?;
        return warp(&small, &t);
    }
    warp(image, &t)
}

/// Samples the crop: each crop pixel's centre mapped back into `image`, bilinear, black outside.
fn warp(image: &RgbImage, t: &Similarity) -> Option<RgbImage> {
    let inv = t.inverse()?;
    let (w, h) = (image.width() as i64, image.height() as i64);
    let px = |x: i64, y: i64, c: usize| -> f32 {
        if x < 0 || y < 0 || x >= w || y >= h {
            0.0
        } else {
            f32::from(image.get_pixel(x as u32, y as u32)[c])
        }
    };
    let mut out = RgbImage::new(CHIP, CHIP);
    for (x, y, p) in out.enumerate_pixels_mut() {
        let [sx, sy] = inv.apply([x as f32, y as f32]);
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        for c in 0..3 {
            let v = px(x0, y0, c) * (1.0 - fx) * (1.0 - fy)
                + px(x0 + 1, y0, c) * fx * (1.0 - fy)
                + px(x0, y0 + 1, c) * (1.0 - fx) * fy
                + px(x0 + 1, y0 + 1, c) * fx * fy;
            p[c] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_recovers_a_known_transform() {
        let t = Similarity {
            a: 0.8,
            b: 0.3,
            tx: 12.0,
            ty: -4.0,
        };
        let src = [
            [10.0, 20.0],
            [60.0, 22.0],
            [35.0, 50.0],
            [15.0, 80.0],
            [58.0, 79.0],
        ];
        let dst = src.map(|p| t.apply(p));
        let e = Similarity::estimate(&src, &dst).unwrap();
        assert!((e.a - t.a).abs() < 1e-4 && (e.b - t.b).abs() < 1e-4);
        assert!((e.tx - t.tx).abs() < 1e-3 && (e.ty - t.ty).abs() < 1e-3);
        let back = e.inverse().unwrap().apply(e.apply([3.0, 4.0]));
        assert!((back[0] - 3.0).abs() < 1e-3 && (back[1] - 4.0).abs() < 1e-3);
    }

    #[test]
    fn degenerate_landmarks_give_none() {
        assert_eq!(Similarity::estimate(&[[5.0, 5.0]; 5], &TEMPLATE), None);
    }
}
