//! `epassport mrz --image`: output and exit codes on synthetic photos.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_mrz::Format;
use epassport_mrz::scan::synth;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("epassport-mrz-image-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn photo(seed: u64) -> (Vec<String>, Vec<u8>) {
    let mut rng = synth::Rng::new(seed);
    let mrz = synth::random_mrz(Format::Td3, &mut rng);
    let d = synth::Distortion::clean(&mut rng, 183.0, 16.0);
    let page = synth::render(Format::Td3, &mrz, &d, seed);
    (mrz, page.jpeg())
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_epassport"))
        .arg("mrz")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn image_json_has_fields_and_ocr_report() {
    let (mrz, jpeg) = photo(11);
    let p = temp_file("td3.jpg", &jpeg);
    let out = run(&["--image", p.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["format"], "TD3");
    assert_eq!(v["ocr"]["lines"][0], mrz[0].as_str());
    assert_eq!(v["ocr"]["lines"][1], mrz[1].as_str());
    assert_eq!(v["ocr"]["orientation"], 180);
    assert_eq!(v["ocr"]["check_digits"].as_array().unwrap().len(), 5);
    assert_eq!(v["ocr"]["characters"][1].as_array().unwrap().len(), 44);
    assert!(v["ocr"]["corrections"].is_array());
}

#[test]
fn image_human_output() {
    let (_, jpeg) = photo(12);
    let p = temp_file("td3-human.jpg", &jpeg);
    let out = run(&["--image", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("TD3 MRZ: valid\n"), "{text}");
    assert!(
        text.contains("read from the image: orientation 180 degrees"),
        "{text}"
    );
}

#[test]
fn blank_photo_exits_1_with_reason() {
    let img = image_png(320, 240);
    let p = temp_file("blank.png", &img);
    let out = run(&["--image", p.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["ocr"]["error"], "no_mrz_found");
    assert_eq!(v["errors"][0]["field"], "image");
    let out = run(&["--image", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("no MRZ read: no MRZ found in the image")
    );
}

#[test]
fn not_an_image_exits_2() {
    let p = temp_file("text.jpg", b"P<UTO not a picture");
    let out = run(&["--image", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("cannot decode the image")
    );
    let out = run(&["--image", "/nonexistent/photo.jpg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("epassport mrz: cannot read /nonexistent/photo.jpg")
    );
}

/// A plain grey PNG.
fn image_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::GrayImage::from_pixel(w, h, image::Luma([180u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}
