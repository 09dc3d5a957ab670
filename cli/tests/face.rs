//! `epassport face compare`: every exit code and message, on the shippable fixtures.
#![cfg(feature = "face")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/faces")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epassport"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn holder_selfie_matches_portrait() {
    let out = run(&[
        "face",
        "compare",
        &fixture("holder-portrait.jpg"),
        &fixture("holder-selfie.jpg"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("MATCH: distance 0."), "{stdout}");
    assert!(stdout.contains("< threshold 0.550"), "{stdout}");
    assert!(stdout.contains("reference face at ("), "{stdout}");
    assert!(stdout.contains("probe     face at ("), "{stdout}");
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn impostor_json_no_match() {
    let out = run(&[
        "face",
        "compare",
        &fixture("holder-portrait.jpg"),
        &fixture("impostor-selfie.jpg"),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["match"], false);
    assert_eq!(
        v["threshold"].as_f64().map(|t| (t * 1000.0).round()),
        Some(550.0)
    );
    assert!(v["distance"].as_f64().unwrap() > 0.7);
    assert!(v["score"].as_f64().unwrap() < 0.2);
    for side in ["reference", "probe"] {
        assert!(v[side]["face"]["width"].as_f64().unwrap() > 80.0, "{v}");
        assert_eq!(
            v[side]["face"]["landmarks"].as_array().map(Vec::len),
            Some(5)
        );
        assert!(v[side]["warnings"].is_array());
    }
    assert_eq!(v["models"]["descriptor"].as_str().map(str::len), Some(64));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn no_face_exits_7() {
    let out = run(&[
        "face",
        "compare",
        &fixture("holder-portrait.jpg"),
        &fixture("no-face-coffee.jpg"),
    ]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(text(&out.stderr), "error: probe image: no face found\n");
    assert!(out.stdout.is_empty());
}

#[test]
fn several_faces_exit_7_with_json_error() {
    let out = run(&[
        "face",
        "compare",
        &fixture("group-four-faces.jpg"),
        &fixture("holder-selfie.jpg"),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(7));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: reference image: 4 faces of similar size"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["exit_code"], 7);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("a selfie must show one person")
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["face", "compare", &fixture("holder-portrait.jpg")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("Usage:"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "face",
        "compare",
        "/nonexistent/a.jpg",
        &fixture("holder-selfie.jpg"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: cannot read /nonexistent/a.jpg: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn not_an_image_exits_7() {
    let out = run(&[
        "face",
        "compare",
        &fixture("README.md"),
        &fixture("holder-selfie.jpg"),
    ]);
    assert_eq!(out.status.code(), Some(7));
    assert!(
        text(&out.stderr).starts_with("error: reference image: cannot decode the image: "),
        "{}",
        text(&out.stderr)
    );
}
