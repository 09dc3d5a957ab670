//! Finding the MRZ band: adaptive binarisation, connected components, the dominant text
//! direction, chains of equally sized glyphs at a regular pitch, and the group of two or three
//! parallel, equally long lines that an MRZ is.

use super::gray::Gray;

/// One connected component of dark pixels, in full-resolution coordinates.
#[derive(Debug, Clone, Copy)]
struct Comp {
    cx: f32,
    cy: f32,
    /// The larger side of its bounding box.
    size: f32,
    /// Touches the image border.
    edge: bool,
}

/// A fitted MRZ line: `u(i)`, `v(i)` quadratic in the character index `i`, in the rotated frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineFit {
    pub u: [f32; 3],
    pub v: [f32; 3],
}

impl LineFit {
    pub fn u_at(&self, i: f32) -> f32 {
        self.u[0] + self.u[1] * i + self.u[2] * i * i
    }
    pub fn v_at(&self, i: f32) -> f32 {
        self.v[0] + self.v[1] * i + self.v[2] * i * i
    }
    /// The same line indexed `s` places further on: `u(i + s)`, `v(i + s)` as polynomials in `i`.
    pub fn shifted(&self, s: f32) -> LineFit {
        let shift = |c: [f32; 3]| [c[0] + c[1] * s + c[2] * s * s, c[1] + 2.0 * c[2] * s, c[2]];
        LineFit {
            u: shift(self.u),
            v: shift(self.v),
        }
    }
    /// The local pitch (du/di) at `i`.
    pub fn pitch_at(&self, i: f32) -> f32 {
        self.u[1] + 2.0 * self.u[2] * i
    }
}

/// The MRZ band found in an image.
#[derive(Debug, Clone)]
pub(crate) struct Band {
    /// Direction of +u in image coordinates (radians; x right, y down).
    pub theta: f32,
    /// The lines, ordered by increasing v.
    pub lines: Vec<LineFit>,
    /// Characters per line.
    pub n: usize,
    /// Mean pitch in full-resolution pixels.
    pub pitch: f32,
    /// Some glyph of the band touches the image border.
    pub touches_edge: bool,
    /// The band ends less than a pitch from the image border.
    pub near_edge: bool,
}

impl Band {
    /// The direction of the lines as fitted (radians), `theta` corrected by the lines' slope.
    pub fn direction(&self) -> f32 {
        let n = self.lines.len().max(1) as f32;
        let du: f32 = self.lines.iter().map(|l| l.u[1]).sum::<f32>() / n;
        let dv: f32 = self.lines.iter().map(|l| l.v[1]).sum::<f32>() / n;
        self.theta + dv.atan2(du)
    }

    /// Image coordinates of the middle of the band.
    pub fn centre(&self) -> (f32, f32) {
        let n = self.lines.len().max(1) as f32;
        let mid = self.n as f32 * 0.5;
        let u = self.lines.iter().map(|l| l.u_at(mid)).sum::<f32>() / n;
        let v = self.lines.iter().map(|l| l.v_at(mid)).sum::<f32>() / n;
        self.to_image(u, v)
    }

    /// How steeply the lines run across the frame (|dv/du|, 0 when along `theta`).
    pub fn slope(&self) -> f32 {
        let d = self.direction() - self.theta;
        d.sin().abs() / d.cos().abs().max(1e-3)
    }

    /// Image coordinates of the rotated-frame point (u, v).
    pub fn to_image(&self, u: f32, v: f32) -> (f32, f32) {
        let (s, c) = self.theta.sin_cos();
        (u * c - v * s, u * s + v * c)
    }
}

/// Why no band was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LocateError {
    /// Nothing like an MRZ.
    NotFound,
    /// Lines of MRZ-like text that cannot be completed to a whole MRZ.
    Partial { touches_edge: bool },
}

/// How much darker than its surroundings a pixel must be to count as ink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ink {
    /// 7 % of the local mean (at least 5 levels): print on paper, little background texture.
    Usual,
    /// 3.5 % (at least 3 levels): glyphs faded by glare or a dim exposure.
    Faint,
}

fn binarize(g: &Gray, ink: Ink) -> Vec<bool> {
    let (rel, abs) = match ink {
        Ink::Usual => (0.07, 5.0),
        Ink::Faint => (0.035, 3.0),
    };
    let (w, h) = (g.w, g.h);
    let mut integral = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += u32::from(g.px[y * w + x]);
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let r = (w.max(h) / 60).clamp(4, 40);
    let mut out = vec![false; w * h];
    for y in 0..h {
        let y0 = y.saturating_sub(r);
        let y1 = (y + r + 1).min(h);
        for x in 0..w {
            let x0 = x.saturating_sub(r);
            let x1 = (x + r + 1).min(w);
            let sum = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            let area = ((y1 - y0) * (x1 - x0)) as f32;
            let mean = sum as f32 / area;
            let p = f32::from(g.px[y * w + x]);
            out[y * w + x] = mean - p > (rel * mean).max(abs);
        }
    }
    out
}

fn find(parent: &mut [u32], mut a: u32) -> u32 {
    while parent[a as usize] != a {
        let up = parent[parent[a as usize] as usize];
        parent[a as usize] = up;
        a = up;
    }
    a
}

#[derive(Clone, Copy)]
struct Stats {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    n: usize,
}

/// Connected components (8-connectivity) of the dark pixels, as bounding boxes and pixel counts.
fn components(bin: &[bool], w: usize, h: usize) -> Vec<Stats> {
    let mut labels = vec![0u32; w * h];
    let mut parent: Vec<u32> = vec![0];
    for y in 0..h {
        for x in 0..w {
            if !bin[y * w + x] {
                continue;
            }
            let mut best = 0u32;
            let mut neigh = [0u32; 4];
            if x > 0 {
                neigh[0] = labels[y * w + x - 1];
            }
            if y > 0 {
                neigh[1] = labels[(y - 1) * w + x];
                if x > 0 {
                    neigh[2] = labels[(y - 1) * w + x - 1];
                }
                if x + 1 < w {
                    neigh[3] = labels[(y - 1) * w + x + 1];
                }
            }
            for &l in &neigh {
                if l != 0 {
                    let r = find(&mut parent, l);
                    if best == 0 || r < best {
                        best = r;
                    }
                }
            }
            if best == 0 {
                best = parent.len() as u32;
                parent.push(best);
            } else {
                for &l in &neigh {
                    if l != 0 {
                        let r = find(&mut parent, l);
                        if r != best {
                            parent[r as usize] = best;
                        }
                    }
                }
            }
            labels[y * w + x] = best;
        }
    }
    let mut stats: Vec<Option<Stats>> = vec![None; parent.len()];
    for y in 0..h {
        for x in 0..w {
            let l = labels[y * w + x];
            if l == 0 {
                continue;
            }
            let r = find(&mut parent, l) as usize;
            let s = stats[r].get_or_insert(Stats {
                x0: x,
                y0: y,
                x1: x,
                y1: y,
                n: 0,
            });
            s.x0 = s.x0.min(x);
            s.x1 = s.x1.max(x);
            s.y0 = s.y0.min(y);
            s.y1 = s.y1.max(y);
            s.n += 1;
        }
    }
    stats.into_iter().flatten().collect()
}

/// Glyph-like components of the detection image, scaled to full resolution by `k`.
fn glyphs(det: &Gray, k: usize, ink: Ink) -> Vec<Comp> {
    let bin = binarize(det, ink);
    let kf = k as f32;
    let max_size = (det.w.max(det.h) / 6).clamp(8, 160);
    components(&bin, det.w, det.h)
        .into_iter()
        .filter_map(|s| {
            let bw = s.x1 - s.x0 + 1;
            let bh = s.y1 - s.y0 + 1;
            let size = bw.max(bh);
            let fill = s.n as f32 / (bw * bh) as f32;
            if size < 5
                || size > max_size
                || bw.min(bh) < 2
                || s.n < 8
                || !(0.08..=0.92).contains(&fill)
            {
                return None;
            }
            let edge = s.x0 == 0 || s.y0 == 0 || s.x1 + 1 >= det.w || s.y1 + 1 >= det.h;
            Some(Comp {
                cx: ((s.x0 + s.x1) as f32 * 0.5 + 0.5) * kf - 0.5,
                cy: ((s.y0 + s.y1) as f32 * 0.5 + 0.5) * kf - 0.5,
                size: size as f32 * kf,
                edge,
            })
        })
        .collect()
}

/// A spatial hash of component centres.
struct Grid {
    cell: f32,
    cols: usize,
    rows: usize,
    buckets: Vec<Vec<usize>>,
}

impl Grid {
    fn new(comps: &[Comp], cell: f32, width: f32, height: f32) -> Self {
        let cols = ((width / cell) as usize + 1).min(4096);
        let rows = ((height / cell) as usize + 1).min(4096);
        let mut buckets = vec![Vec::new(); cols * rows];
        for (i, c) in comps.iter().enumerate() {
            let gx = ((c.cx / cell).max(0.0) as usize).min(cols - 1);
            let gy = ((c.cy / cell).max(0.0) as usize).min(rows - 1);
            buckets[gy * cols + gx].push(i);
        }
        Grid {
            cell,
            cols,
            rows,
            buckets,
        }
    }

    /// Indices of components whose centre may lie within `r` of (x, y).
    fn near(&self, x: f32, y: f32, r: f32, out: &mut Vec<usize>) {
        out.clear();
        let gx0 = (((x - r) / self.cell).max(0.0) as usize).min(self.cols - 1);
        let gx1 = (((x + r) / self.cell).max(0.0) as usize).min(self.cols - 1);
        let gy0 = (((y - r) / self.cell).max(0.0) as usize).min(self.rows - 1);
        let gy1 = (((y + r) / self.cell).max(0.0) as usize).min(self.rows - 1);
        for gy in gy0..=gy1 {
            for gx in gx0..=gx1 {
                out.extend_from_slice(&self.buckets[gy * self.cols + gx]);
            }
        }
    }
}

fn similar(a: f32, b: f32, ratio: f32) -> bool {
    a.max(b) <= ratio * a.min(b)
}

/// The dominant directions (radians in [0, pi)) of neighbouring equal-sized glyphs, strongest
/// first (up to three peaks at least 10 degrees apart).
fn text_directions(comps: &[Comp], grid: &Grid) -> Vec<f32> {
    const BINS: usize = 360;
    let mut hist = vec![0f32; BINS];
    let mut near = Vec::new();
    let mut votes = 0usize;
    for (i, a) in comps.iter().enumerate() {
        grid.near(a.cx, a.cy, 1.6 * a.size, &mut near);
        for &j in &near {
            if j <= i {
                continue;
            }
            let b = &comps[j];
            if !similar(a.size, b.size, 1.5) {
                continue;
            }
            let s = a.size.max(b.size);
            let (dx, dy) = (b.cx - a.cx, b.cy - a.cy);
            let d = dx.hypot(dy);
            if d < 0.6 * s || d > 1.5 * s {
                continue;
            }
            let ang = dy.atan2(dx).rem_euclid(std::f32::consts::PI);
            let bin = ((ang / std::f32::consts::PI * BINS as f32) as usize).min(BINS - 1);
            hist[bin] += 1.0;
            votes += 1;
        }
    }
    if votes < 20 {
        return Vec::new();
    }
    let smooth: Vec<f32> = (0..BINS)
        .map(|b| {
            (0..=8usize)
                .map(|o| (5.0 - (o as f32 - 4.0).abs()) * hist[(b + BINS + o - 4) % BINS])
                .sum()
        })
        .collect();
    let mut peaks: Vec<f32> = Vec::new();
    let mut taken = vec![false; BINS];
    for _ in 0..3 {
        let Some(best) = (0..BINS)
            .filter(|&b| !taken[b])
            .max_by(|&a, &b| smooth[a].total_cmp(&smooth[b]))
        else {
            break;
        };
        if smooth[best] <= 0.0 {
            break;
        }
        for o in -20i32..=20 {
            taken[(best as i32 + o).rem_euclid(BINS as i32) as usize] = true;
        }
        // Refine: weighted mean of the bins within 2 degrees of the peak.
        let (mut sw, mut sa) = (0f32, 0f32);
        for o in -4i32..=4 {
            let b = (best as i32 + o).rem_euclid(BINS as i32) as usize;
            sw += hist[b];
            sa += hist[b] * (best as f32 + o as f32 + 0.5);
        }
        let bin = if sw > 0.0 { sa / sw } else { best as f32 + 0.5 };
        peaks.push((bin / BINS as f32 * std::f32::consts::PI).rem_euclid(std::f32::consts::PI));
    }
    peaks
}

/// A chain of glyphs along +u.
#[derive(Debug, Clone)]
struct Chain {
    /// (u, v, size, edge) of each member, ordered by u.
    members: Vec<(f32, f32, f32, bool)>,
}

impl Chain {
    fn size(&self) -> f32 {
        median(self.members.iter().map(|m| m.2).collect())
    }
    fn v(&self) -> f32 {
        median(self.members.iter().map(|m| m.1).collect())
    }
    fn u0(&self) -> f32 {
        self.members.first().map_or(0.0, |m| m.0)
    }
    fn u1(&self) -> f32 {
        self.members.last().map_or(0.0, |m| m.0)
    }
    /// Drops a lone end member more than 1.7 pitches from the rest: MRZ lines have no gaps, so
    /// it is other print or background that the chain joined on.
    fn trim_strays(&mut self) {
        let p = self.pitch();
        let m = &mut self.members;
        if m.len() > 6 && m[1].0 - m[0].0 > 1.7 * p {
            m.remove(0);
        }
        let k = m.len();
        if k > 6 && m[k - 1].0 - m[k - 2].0 > 1.7 * p {
            m.pop();
        }
    }

    fn pitch(&self) -> f32 {
        let s = self.size();
        let steps: Vec<f32> = self
            .members
            .windows(2)
            .map(|w| w[1].0 - w[0].0)
            .filter(|&d| d > 0.5 * s && d < 1.5 * s)
            .collect();
        if steps.is_empty() { s } else { median(steps) }
    }
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

fn chains(comps: &[Comp], grid: &Grid, theta: f32) -> Vec<Chain> {
    let (s, c) = theta.sin_cos();
    let uv: Vec<(f32, f32)> = comps
        .iter()
        .map(|p| (p.cx * c + p.cy * s, -p.cx * s + p.cy * c))
        .collect();
    let mut links: Vec<(f32, usize, usize)> = Vec::new();
    let mut near = Vec::new();
    for (i, a) in comps.iter().enumerate() {
        grid.near(a.cx, a.cy, 2.7 * a.size, &mut near);
        let mut best: Option<(f32, usize)> = None;
        for &j in &near {
            if j == i || !similar(a.size, comps[j].size, 1.6) {
                continue;
            }
            let du = uv[j].0 - uv[i].0;
            let dv = uv[j].1 - uv[i].1;
            if du < 0.45 * a.size || du > 2.3 * a.size || dv.abs() > 0.3 * a.size {
                continue;
            }
            if best.is_none_or(|b| du < b.0) {
                best = Some((du, j));
            }
        }
        if let Some((du, j)) = best {
            links.push((du, i, j));
        }
    }
    links.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut next = vec![usize::MAX; comps.len()];
    let mut prev = vec![usize::MAX; comps.len()];
    for (_, i, j) in links {
        if next[i] == usize::MAX && prev[j] == usize::MAX {
            next[i] = j;
            prev[j] = i;
        }
    }
    let mut out = Vec::new();
    for start in 0..comps.len() {
        if prev[start] != usize::MAX || next[start] == usize::MAX {
            continue;
        }
        let mut members = Vec::new();
        let mut at = start;
        while at != usize::MAX && members.len() <= comps.len() {
            members.push((uv[at].0, uv[at].1, comps[at].size, comps[at].edge));
            at = next[at];
        }
        if members.len() >= 4 {
            out.push(Chain { members });
        }
    }
    // Drop end members of a size unlike the rest (page edges, portrait, background).
    for c in &mut out {
        let s = c.size();
        while c.members.len() > 4 && c.members.first().is_some_and(|m| !similar(m.2, s, 1.3)) {
            c.members.remove(0);
        }
        while c.members.len() > 4 && c.members.last().is_some_and(|m| !similar(m.2, s, 1.3)) {
            c.members.pop();
        }
    }
    // Join chains that continue each other on the same line (a broken or merged glyph).
    loop {
        let mut joined = false;
        'outer: for a in 0..out.len() {
            for b in 0..out.len() {
                if a == b {
                    continue;
                }
                let (ca, cb) = (&out[a], &out[b]);
                let s = ca.size().max(cb.size());
                let gap = cb.u0() - ca.u1();
                if gap > 0.3 * s
                    && gap < 5.0 * s
                    && (ca.v() - cb.v()).abs() < 0.4 * s
                    && similar(ca.size(), cb.size(), 1.4)
                {
                    let tail = out[b].members.clone();
                    out[a].members.extend(tail);
                    out.swap_remove(b);
                    joined = true;
                    break 'outer;
                }
            }
        }
        if !joined {
            break;
        }
    }
    out
}

#[allow(clippy::needless_range_loop)] // matrix code
/// Least-squares polynomial fit of degree `deg` (1 or 2) of y over x.
pub(crate) fn polyfit(points: &[(f32, f32)], deg: usize) -> Option<[f32; 3]> {
    let n = deg + 1;
    let mut a = [[0f64; 4]; 3];
    for &(x, y) in points {
        let (x, y) = (f64::from(x), f64::from(y));
        let pw = [1.0, x, x * x];
        for r in 0..n {
            for c in 0..n {
                a[r][c] += pw[r] * pw[c];
            }
            a[r][3] += pw[r] * y;
        }
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, piv);
        for r in 0..n {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..4 {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    let mut out = [0f32; 3];
    for (i, o) in out.iter_mut().enumerate().take(n) {
        *o = (a[i][3] / a[i][i]) as f32;
    }
    Some(out)
}

/// Character indices for the members of each line: steps between neighbours rounded to whole
/// pitches (robust to perspective), lines aligned on a common start, and members beyond the `n`
/// positions that only one line reaches dropped as strays. Returns (index, u, v) per line.
fn index_lines(g: &[Chain], pitch: f32, n: usize) -> Option<Vec<Vec<(f32, f32, f32)>>> {
    if pitch <= 0.0 {
        return None;
    }
    let mut lines: Vec<Vec<(i64, f32, f32)>> = g
        .iter()
        .map(|c| {
            let mut idx = 0i64;
            let mut out = Vec::with_capacity(c.members.len());
            for (k, m) in c.members.iter().enumerate() {
                if k > 0 {
                    let step = ((m.0 - c.members[k - 1].0) / pitch).round().max(1.0) as i64;
                    idx += step;
                }
                out.push((idx, m.0, m.1));
            }
            out
        })
        .collect();
    // Align the lines on the first one by their first members' u.
    let ref_u = lines.first()?.first()?.1;
    for l in &mut lines {
        let off = ((l.first()?.1 - ref_u) / pitch).round() as i64;
        for p in l.iter_mut() {
            p.0 += off;
        }
    }
    let n = n as i64;
    for _ in 0..8 {
        let lo = lines.iter().filter_map(|l| l.first().map(|p| p.0)).min()?;
        let hi = lines.iter().filter_map(|l| l.last().map(|p| p.0)).max()?;
        if hi - lo < n {
            break;
        }
        let at_lo = lines
            .iter()
            .filter(|l| l.first().is_some_and(|p| p.0 == lo))
            .count();
        let at_hi = lines
            .iter()
            .filter(|l| l.last().is_some_and(|p| p.0 == hi))
            .count();
        if at_lo < at_hi {
            for l in &mut lines {
                l.retain(|p| p.0 != lo);
            }
        } else if at_hi < at_lo {
            for l in &mut lines {
                l.retain(|p| p.0 != hi);
            }
        } else {
            return None;
        }
    }
    let lo = lines.iter().filter_map(|l| l.first().map(|p| p.0)).min()?;
    let hi = lines.iter().filter_map(|l| l.last().map(|p| p.0)).max()?;
    if hi - lo >= n || lines.iter().any(|l| l.len() < 6) {
        return None;
    }
    Some(
        lines
            .into_iter()
            .map(|l| {
                l.into_iter()
                    .map(|p| ((p.0 - lo) as f32, p.1, p.2))
                    .collect()
            })
            .collect(),
    )
}

/// At most this many candidate bands are returned for the classifier to choose from.
pub(crate) const MAX_CANDIDATES: usize = 4;

/// Finds MRZ-like bands in the detection image `det` (downsampled by `k` from the full image of
/// `full_w` x `full_h` pixels): up to [`MAX_CANDIDATES`], the most glyphs first. Text-like
/// background (a keyboard, a patterned table) can form a band too; the glyph match decides.
pub(crate) fn locate(
    det: &Gray,
    k: usize,
    full_w: usize,
    full_h: usize,
    ink: Ink,
) -> Result<Vec<Band>, LocateError> {
    let comps = glyphs(det, k, ink);
    if comps.len() < 40 {
        return Err(LocateError::NotFound);
    }
    let cell = (k as f32 * 24.0).max(8.0);
    let grid = Grid::new(&comps, cell, full_w as f32, full_h as f32);
    let mut thetas = text_directions(&comps, &grid);
    if let Some(&t) = thetas.first() {
        thetas.push((t + std::f32::consts::FRAC_PI_2).rem_euclid(std::f32::consts::PI));
    }
    let mut found: Vec<(usize, Band)> = Vec::new();
    let mut partial: Option<bool> = None;
    for theta in thetas {
        match bands_at(&comps, &grid, theta, full_w, full_h) {
            Ok(bands) => found.extend(bands),
            Err(LocateError::Partial { touches_edge }) => {
                partial = Some(partial.unwrap_or(false) | touches_edge);
            }
            Err(LocateError::NotFound) => {}
        }
    }
    found.sort_by_key(|b| std::cmp::Reverse(b.0));
    // The same glyphs chained along two directions are one candidate: keep the frame the lines
    // run straightest in.
    let mut kept: Vec<(usize, Band)> = Vec::with_capacity(MAX_CANDIDATES);
    for (score, band) in found {
        let (c, pitch) = (band.centre(), band.pitch.max(1.0));
        match kept.iter_mut().find(|k| {
            let o = k.1.centre();
            (o.0 - c.0).hypot(o.1 - c.1) < 3.0 * pitch
        }) {
            Some(k) => {
                if band.slope() < k.1.slope() {
                    *k = (score, band);
                }
            }
            None => kept.push((score, band)),
        }
    }
    kept.truncate(MAX_CANDIDATES);
    let found = kept;
    match (found.is_empty(), partial) {
        (false, _) => Ok(found.into_iter().map(|f| f.1).collect()),
        (true, Some(touches_edge)) => Err(LocateError::Partial { touches_edge }),
        (true, None) => Err(LocateError::NotFound),
    }
}

/// The MRZ-like bands along direction `theta`, each with its score (glyphs in its lines).
fn bands_at(
    comps: &[Comp],
    grid: &Grid,
    theta: f32,
    full_w: usize,
    full_h: usize,
) -> Result<Vec<(usize, Band)>, LocateError> {
    let mut lines: Vec<Chain> = chains(comps, grid, theta)
        .into_iter()
        .map(|mut c| {
            c.trim_strays();
            c
        })
        .filter(|c| c.members.len() >= 12)
        .collect();
    if lines.is_empty() {
        return Err(LocateError::NotFound);
    }
    lines.sort_by(|a, b| a.v().total_cmp(&b.v()));
    if super::DEBUG {
        eprintln!("theta {:.2} comps {}", theta.to_degrees(), comps.len());
        for l in &lines {
            eprintln!(
                "  line v={:.1} u0={:.1} u1={:.1} n={} size={:.1} pitch={:.1}",
                l.v(),
                l.u0(),
                l.u1(),
                l.members.len(),
                l.size(),
                l.pitch()
            );
        }
    }
    // Candidate groups: 3 or 2 consecutive lines, parallel, same pitch, same extent.
    let mut groups: Vec<(usize, usize, usize, usize)> = Vec::new(); // (score, first, count, n)
    let mut partial = false;
    let mut partial_edge = false;
    for first in 0..lines.len() {
        for count in [3usize, 2] {
            if first + count > lines.len() {
                continue;
            }
            let g = &lines[first..first + count];
            let pitch = median(g.iter().map(Chain::pitch).collect());
            let size = median(g.iter().map(Chain::size).collect());
            if pitch <= 0.0 {
                continue;
            }
            let ok = g.windows(2).all(|w| {
                let dv = w[1].v() - w[0].v();
                dv > 1.2 * size
                    && dv < 2.8 * size
                    && similar(w[0].pitch(), w[1].pitch(), 1.15)
                    && (w[0].u0() - w[1].u0()).abs() < 2.5 * pitch
                    && (w[0].u1() - w[1].u1()).abs() < 2.5 * pitch
            });
            if !ok {
                continue;
            }
            let u0 = g.iter().map(Chain::u0).fold(f32::INFINITY, f32::min);
            let u1 = g.iter().map(Chain::u1).fold(f32::NEG_INFINITY, f32::max);
            let est = (u1 - u0) / pitch + 1.0;
            let n = if count == 3 {
                30
            } else if (est - 36.0).abs() < (est - 44.0).abs() {
                36
            } else {
                44
            };
            let members: usize = g.iter().map(|c| c.members.len()).sum();
            if (est - n as f32).abs() > 0.08 * n as f32 || members * 10 < count * n * 6 {
                if est > 20.0 {
                    partial = true;
                    partial_edge |= g.iter().any(|c| c.members.iter().any(|m| m.3));
                }
                continue;
            }
            // Glyph chains running into the image border are usually background texture.
            let edge = g.iter().any(|c| c.members.iter().any(|m| m.3));
            let score = if edge { members / 4 } else { members };
            groups.push((score, first, count, n));
        }
    }
    if groups.is_empty() {
        return Err(if partial {
            LocateError::Partial {
                touches_edge: partial_edge,
            }
        } else {
            LocateError::NotFound
        });
    }
    groups.sort_by_key(|b| std::cmp::Reverse(b.0));
    groups.truncate(MAX_CANDIDATES);
    let bands: Vec<(usize, Band)> = groups
        .into_iter()
        .filter_map(|(score, first, count, n)| {
            band_of(&lines[first..first + count], theta, n, full_w, full_h).map(|b| (score, b))
        })
        .collect();
    if bands.is_empty() {
        return Err(LocateError::NotFound);
    }
    Ok(bands)
}

/// The fitted band of the chains `g` (consecutive lines of `n` characters), or `None` when
/// their glyphs cannot be indexed or fitted.
fn band_of(g: &[Chain], theta: f32, n: usize, full_w: usize, full_h: usize) -> Option<Band> {
    let count = g.len();
    let pitch = median(g.iter().map(Chain::pitch).collect());
    let indexed = index_lines(g, pitch, n)?;
    let mut fits = Vec::with_capacity(count);
    for pts in &indexed {
        let pu: Vec<(f32, f32)> = pts.iter().map(|p| (p.0, p.1)).collect();
        let pv: Vec<(f32, f32)> = pts.iter().map(|p| (p.0, p.2)).collect();
        let deg = if pts.len() >= 12 { 2 } else { 1 };
        fits.push(LineFit {
            u: polyfit(&pu, deg)?,
            v: polyfit(&pv, deg)?,
        });
    }
    let pitch = fits.iter().map(|f| f.pitch_at((n / 2) as f32)).sum::<f32>() / fits.len() as f32;
    let touches_edge = g.iter().any(|c| c.members.iter().any(|m| m.3));
    let band = Band {
        theta,
        lines: fits,
        n,
        pitch,
        touches_edge,
        near_edge: false,
    };
    // Does the band (one pitch beyond its end glyph centres) stay inside the image?
    let mut near_edge = false;
    for f in &band.lines {
        for i in [-1.0, n as f32] {
            let (x, y) = band.to_image(f.u_at(i), f.v_at(i));
            if x < 0.0 || y < 0.0 || x >= full_w as f32 || y >= full_h as f32 {
                near_edge = true;
            }
        }
    }
    Some(Band { near_edge, ..band })
}
