//! The threshold's measured error rates on dlib's example photos (`../shared/faces/`, measurement
//! only: never copied into the repository). `bald_guys.jpg` is a collage of 24 photos of 4 actors,
//! 6 each: 60 same-person and 216 different-person pairs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_face::{DEFAULT_THRESHOLD, FaceMatcher, Role, decode, distance};
use std::path::PathBuf;
use std::sync::OnceLock;

fn matcher() -> &'static FaceMatcher {
    static M: OnceLock<FaceMatcher> = OnceLock::new();
    M.get_or_init(|| FaceMatcher::new().unwrap())
}

fn shared_faces() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/faces");
    assert!(
        dir.join("bald_guys.jpg").is_file(),
        "{} is missing: these measurements need the shared face photos beside the repository \
         (../shared/faces/bald_guys.jpg); this test fails rather than pass without them",
        dir.display()
    );
    dir
}

/// Top-left corners (image pixels) of the 24 faces, by actor (A: Vin Diesel, B: Jason Statham,
/// C: Dwayne Johnson, D: Bruce Willis), labelled by looking at the collage.
const LABELS: [(char, [(f32, f32); 6]); 4] = [
    (
        'A',
        [
            (72.0, 31.0),
            (541.0, 52.0),
            (334.0, 217.0),
            (55.0, 330.0),
            (557.0, 387.0),
            (74.0, 1256.0),
        ],
    ),
    (
        'B',
        [
            (341.0, 26.0),
            (875.0, 75.0),
            (327.0, 422.0),
            (876.0, 362.0),
            (65.0, 670.0),
            (382.0, 747.0),
        ],
    ),
    (
        'C',
        [
            (1458.0, 43.0),
            (1834.0, 415.0),
            (1648.0, 682.0),
            (1085.0, 1266.0),
            (1454.0, 1315.0),
            (1792.0, 1279.0),
        ],
    ),
    (
        'D',
        [
            (1058.0, 707.0),
            (769.0, 778.0),
            (53.0, 944.0),
            (1120.0, 1047.0),
            (351.0, 1202.0),
            (769.0, 1196.0),
        ],
    ),
];

#[test]
fn threshold_separates_bald_guys() {
    let bytes = std::fs::read(shared_faces().join("bald_guys.jpg")).unwrap();
    let img = decode(&bytes, Role::Probe).unwrap().to_rgb8();
    let m = matcher();
    let faces = m.detect(&img).unwrap();
    let mut labelled = Vec::new();
    for f in &faces {
        let label = LABELS.iter().find_map(|(who, corners)| {
            corners
                .iter()
                .any(|&(x, y)| (f.x - x).abs() < 25.0 && (f.y - y).abs() < 25.0)
                .then_some(*who)
        });
        if let Some(who) = label {
            let chip = epassport_face::align::align(&img, &f.landmarks).unwrap();
            labelled.push((who, m.embed_chip(&chip).unwrap()));
        }
    }
    let boxes: Vec<(f32, f32, f32)> = faces
        .iter()
        .map(|f| (f.x.round(), f.y.round(), f.width.round()))
        .collect();
    assert_eq!(
        labelled.len(),
        24,
        "all 24 labelled faces detected; found {} faces: {boxes:?}",
        faces.len()
    );
    let (mut same, mut diff) = (Vec::new(), Vec::new());
    for i in 0..labelled.len() {
        for j in i + 1..labelled.len() {
            let d = distance(&labelled[i].1, &labelled[j].1);
            if labelled[i].0 == labelled[j].0 {
                same.push(d)
            } else {
                diff.push(d)
            }
        }
    }
    assert_eq!((same.len(), diff.len()), (60, 216));
    let t = DEFAULT_THRESHOLD;
    let false_non_matches = same.iter().filter(|&&d| d >= t).count();
    let false_matches = diff.iter().filter(|&&d| d < t).count();
    let max_same = same.iter().copied().fold(0.0, f32::max);
    let min_diff = diff.iter().copied().fold(f32::MAX, f32::min);
    println!(
        "threshold {t}: FNMR {false_non_matches}/60, FMR {false_matches}/216; same-person max {max_same:.3}, different-person min {min_diff:.3}"
    );
    for t in [0.45f32, 0.5, 0.55, 0.6, 0.65] {
        let fnm = same.iter().filter(|&&d| d >= t).count();
        let fm = diff.iter().filter(|&&d| d < t).count();
        println!("  at {t:.2}: FNMR {fnm}/60, FMR {fm}/216");
    }
    assert_eq!(false_matches, 0, "no false match at the threshold");
    assert!(false_non_matches <= 6, "FNMR {false_non_matches}/60");
}

#[test]
fn tom_cruise_is_nobody_in_the_fixtures() {
    let bytes = std::fs::read(shared_faces().join("Tom_Cruise_avp_2014_4.jpg")).unwrap();
    let m = matcher();
    let tom = decode(&bytes, Role::Probe).unwrap();
    let fixture = |n: &str| {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/faces")
            .join(n);
        decode(&std::fs::read(p).unwrap(), Role::Reference).unwrap()
    };
    for n in ["holder-portrait.jpg", "impostor-selfie.jpg", "obama.jpg"] {
        let r = m.compare(&fixture(n), &tom).unwrap();
        assert!(!r.is_match, "{n}: {}", r.distance);
    }
}

#[test]
fn several_people_photo_is_rejected() {
    let bytes = std::fs::read(shared_faces().join("2008_002506.jpg")).unwrap();
    let m = matcher();
    let img = decode(&bytes, Role::Probe).unwrap();
    let e = m.analyse(&img, Role::Probe).unwrap_err();
    assert!(
        matches!(
            e,
            epassport_face::FaceError::SeveralFaces {
                role: Role::Probe,
                ..
            }
        ),
        "{e:?}"
    );
}
