//! The image path: DG2 bytes -> face records -> decoded image (JPEG, PNG, JPEG 2000), with
//! small decode limits so hostile sizes are refused quickly. Also raw image bytes directly.
#![no_main]

use epassport_lds::Dg2;
use epassport_lds::image::{DecodeLimits, DeclaredFormat, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = DecodeLimits {
        max_dimension: 2048,
        max_bytes: 4 * 1024 * 1024,
    };
    if let Ok(dg2) = Dg2::parse(data) {
        for f in dg2.faces() {
            let _ = f.decode(&limits);
        }
        let _ = dg2.encode();
    }
    let _ = decode(data, DeclaredFormat::Unknown, &limits);
});
