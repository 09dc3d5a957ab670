//! The MRZ scanner on arbitrary bytes (as an encoded image, and as raw 8-bit grayscale pixels):
//! never panics, never allocates beyond its pixel limit.
#![no_main]

use epassport_mrz::scan::{self, ScanOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut opts = ScanOptions::default();
    opts.max_pixels = 4_000_000;
    let _ = scan::read_image_with(data, &opts);
    // The same bytes as a small grayscale raster: exercises band finding and classification on
    // arbitrary pixel content rather than on decoder errors.
    if data.len() >= 2 {
        let w = u32::from(data[0]).max(1) * 4;
        let h = (data.len() as u32 - 2) / w;
        if h > 0 {
            let px = &data[2..2 + (w * h) as usize];
            let _ = scan::read_luma(w, h, px);
        }
    }
});
