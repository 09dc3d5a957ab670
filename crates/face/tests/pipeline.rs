//! The whole pipeline on the shippable fixtures (`fixtures/faces/`, licences in its README).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_face::{FaceError, FaceMatcher, Role, decode};
use image::{DynamicImage, Rgb, RgbImage, imageops};
use std::path::PathBuf;
use std::sync::OnceLock;

fn matcher() -> &'static FaceMatcher {
    static M: OnceLock<FaceMatcher> = OnceLock::new();
    M.get_or_init(|| FaceMatcher::new().unwrap())
}

fn fixture(name: &str) -> DynamicImage {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/faces")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode(&bytes, Role::Probe).unwrap()
}

fn distance(a: &str, b: &str) -> f32 {
    let r = matcher().compare(&fixture(a), &fixture(b)).unwrap();
    assert_eq!(r.is_match, r.distance < r.threshold);
    println!("{a} vs {b}: distance {:.3}", r.distance);
    r.distance
}

#[test]
fn demo_holder_selfie_matches_portrait() {
    let r = matcher()
        .compare(
            &fixture("holder-portrait.jpg"),
            &fixture("holder-selfie.jpg"),
        )
        .unwrap();
    assert!(r.is_match, "{r:?}");
    assert!(r.distance < 0.35, "{}", r.distance);
    assert!(r.score > 0.9);
    assert_eq!(r.reference.faces_detected, 1);
    assert_eq!(r.probe.faces_detected, 1);
    assert!(
        r.reference.warnings.is_empty(),
        "{:?}",
        r.reference.warnings
    );
    // The face box lies inside the image and has plausible landmarks.
    let f = r.reference.face;
    assert!(f.x >= 0.0 && f.y >= 0.0 && f.x + f.width <= 241.0 && f.width > 80.0);
    assert!(f.landmarks[0][0] < f.landmarks[1][0]);
    assert_eq!(r.models.descriptor.len(), 64);
}

#[test]
fn demo_impostor_does_not_match() {
    let r = matcher()
        .compare(
            &fixture("holder-portrait.jpg"),
            &fixture("impostor-selfie.jpg"),
        )
        .unwrap();
    assert!(!r.is_match, "{r:?}");
    assert!(r.distance > 0.7, "{}", r.distance);
    assert!(r.score < 0.2);
    assert!(distance("holder-selfie.jpg", "impostor-selfie.jpg") > 0.7);
}

#[test]
fn same_person_different_photographs() {
    // Obama 2012 portrait sitting vs 2009 address to Congress.
    let d = distance("obama.jpg", "obama2.jpg");
    assert!(d < 0.5, "{d}");
}

#[test]
fn different_persons() {
    for (a, b) in [
        ("obama.jpg", "holder-portrait.jpg"),
        ("obama2.jpg", "impostor-selfie.jpg"),
    ] {
        let d = distance(a, b);
        assert!(d > 0.7, "{a} vs {b}: {d}");
    }
}

#[test]
fn background_face_is_a_warning_not_an_error() {
    // obama.jpg has a small second detection in the lower right; the large face is the subject.
    let e = matcher()
        .analyse(&fixture("obama.jpg"), Role::Reference)
        .unwrap();
    assert!(e.analysis.faces_detected >= 1);
    assert!(e.analysis.face.width > 200.0);
}

#[test]
fn no_face() {
    let r = matcher().compare(
        &fixture("holder-portrait.jpg"),
        &fixture("no-face-coffee.jpg"),
    );
    assert_eq!(r.unwrap_err(), FaceError::NoFace { role: Role::Probe });
}

#[test]
fn several_faces_are_rejected() {
    let r = matcher().analyse(&fixture("group-four-faces.jpg"), Role::Probe);
    match r {
        Err(FaceError::SeveralFaces {
            role: Role::Probe,
            count,
            ratio_percent,
        }) => {
            assert_eq!(count, 4);
            assert!(ratio_percent >= 60);
        }
        other => panic!("{other:?}"),
    }
    let faces = matcher()
        .detect(&fixture("group-four-faces.jpg").to_rgb8())
        .unwrap();
    assert_eq!(faces.len(), 4);
}

#[test]
fn image_too_small() {
    let tiny = DynamicImage::ImageRgb8(RgbImage::from_pixel(60, 80, Rgb([128, 128, 128])));
    assert_eq!(
        matcher().analyse(&tiny, Role::Reference).unwrap_err(),
        FaceError::ImageTooSmall {
            role: Role::Reference,
            width: 60,
            height: 80,
            min: 64
        }
    );
}

#[test]
fn image_too_dark() {
    let mut dark = fixture("holder-selfie.jpg").to_rgb8();
    for p in dark.pixels_mut() {
        p.0 = p.0.map(|v| v / 16);
    }
    match matcher().analyse(&DynamicImage::ImageRgb8(dark), Role::Probe) {
        Err(FaceError::TooDark {
            role: Role::Probe,
            mean,
            min,
        }) => assert!(mean < min),
        other => panic!("{other:?}"),
    }
}

#[test]
fn face_too_small() {
    // The portrait shrunk to 56x75 in a 640x480 grey frame: detectable, but too few pixels.
    let small = imageops::resize(
        &fixture("holder-portrait.jpg").to_rgb8(),
        56,
        75,
        imageops::FilterType::Triangle,
    );
    let mut frame = RgbImage::from_pixel(640, 480, Rgb([150, 150, 150]));
    imageops::replace(&mut frame, &small, 300, 200);
    match matcher().analyse(&DynamicImage::ImageRgb8(frame), Role::Probe) {
        Err(FaceError::FaceTooSmall {
            role: Role::Probe,
            width,
            min: 40,
        }) => assert!(width < 40),
        other => panic!("{other:?}"),
    }
}

#[test]
fn extreme_pose_is_rejected_or_warned() {
    // A face squeezed to a third of its width looks like a strongly turned head to the landmarks;
    // whatever the detector makes of it, the result is never a silent clean pass.
    let portrait = fixture("holder-portrait.jpg").to_rgb8();
    let squeezed = imageops::resize(&portrait, 80, 320, imageops::FilterType::Triangle);
    let mut frame = RgbImage::from_pixel(240, 320, Rgb([200, 200, 200]));
    imageops::replace(&mut frame, &squeezed, 80, 0);
    match matcher().analyse(&DynamicImage::ImageRgb8(frame), Role::Probe) {
        Ok(e) => assert!(!e.analysis.warnings.is_empty(), "{:?}", e.analysis),
        Err(e) => assert!(e.is_no_usable_face(), "{e:?}"),
    }
}

#[test]
fn png_decodes_like_jpeg_pixels() {
    let img = fixture("holder-portrait.jpg");
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let back = decode(&png, Role::Probe).unwrap();
    assert_eq!(back.to_rgb8(), img.to_rgb8());
    let a = matcher().analyse(&img, Role::Reference).unwrap();
    let b = matcher().analyse(&back, Role::Probe).unwrap();
    assert_eq!(a.descriptor, b.descriptor);
}

#[test]
fn garbage_is_a_decode_error() {
    match decode(b"not an image", Role::Reference) {
        Err(FaceError::Decode {
            role: Role::Reference,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}
