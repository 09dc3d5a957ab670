//! Access to the real-world samples in `../shared/realworld/` (beside the repository).
#![allow(dead_code, clippy::panic)]

use std::path::PathBuf;

/// The `realworld` folder; panics with a clear message when it is absent (never a silent pass).
pub fn realworld() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // crates/lds -> repo root -> its parent holds shared/
    let candidates = [
        manifest.join("../../../shared/realworld"),
        manifest.join("../../shared/realworld"),
    ];
    for c in &candidates {
        if c.join("MANIFEST.md").is_file() {
            return c.clone();
        }
    }
    panic!(
        "real-world samples absent: expected ../shared/realworld/ beside the repository \
         (looked at {:?}); these tests need it and do not pass without it",
        candidates
    );
}

/// Reads one sample file, e.g. `read("lds/bsi2008/DG1.bin")`.
pub fn read(rel: &str) -> Vec<u8> {
    let p = realworld().join(rel);
    std::fs::read(&p)
        .unwrap_or_else(|e| panic!("real-world sample {} unreadable: {e}", p.display()))
}
