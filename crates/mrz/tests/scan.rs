//! Reading the MRZ from images (feature `image`): synthetic pages from `scan::synth`, errors.
#![cfg(feature = "image")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_mrz::Format;
use epassport_mrz::scan::{self, OcrError, ScanOptions, synth};

fn clean(format: Format, rotation_deg: f32, seed: u64) -> synth::Page {
    let mut rng = synth::Rng::new(seed);
    let mrz = synth::random_mrz(format, &mut rng);
    let mut d = synth::Distortion::random(&mut rng);
    d.rotation_deg = rotation_deg;
    d.perspective = 0.0;
    d.blur_sigma = 0.5;
    d.contrast = 0.9;
    d.glare = 0.0;
    d.noise = 2.0;
    d.jpeg_quality = 90;
    d.pitch_px = 18.0;
    synth::render(format, &mrz, &d, seed)
}

#[test]
fn reads_clean_pages_in_every_orientation() {
    for (i, (format, rot)) in [
        (Format::Td3, 0.0),
        (Format::Td2, 93.0),
        (Format::Td1, 177.0),
        (Format::Td3, 266.0),
    ]
    .into_iter()
    .enumerate()
    {
        let page = clean(format, rot, i as u64);
        let report = scan::read_image(&page.jpeg()).unwrap();
        assert_eq!(report.lines, page.mrz, "{format:?} at {rot} degrees");
        assert_eq!(report.mrz.format, format);
        let expected = ((rot / 90.0).round() as u16 % 4) * 90;
        assert_eq!(report.orientation, expected, "{format:?} at {rot} degrees");
        let skew = rot - f32::from(expected);
        assert!(
            (report.skew_degrees - skew).abs() < 1.5,
            "skew {} for {skew}",
            report.skew_degrees
        );
        assert!(report.check_digits.len() >= 3);
        assert_eq!(report.characters.len(), page.mrz.len());
    }
}

#[test]
fn garbage_is_a_decode_error() {
    assert!(matches!(
        scan::read_image(b"not an image"),
        Err(OcrError::Decode(_))
    ));
    assert!(matches!(scan::read_image(&[]), Err(OcrError::Decode(_))));
}

#[test]
fn blank_page_has_no_mrz() {
    let px = vec![200u8; 640 * 480];
    assert_eq!(scan::read_luma(640, 480, &px), Err(OcrError::NoMrzFound));
    assert!(matches!(
        scan::read_luma(640, 480, &px[1..]),
        Err(OcrError::Decode(_))
    ));
}

#[test]
fn oversized_images_are_refused_before_decoding() {
    let page = clean(Format::Td3, 0.0, 7);
    let jpeg = page.jpeg();
    let mut opts = ScanOptions::default();
    opts.max_pixels = 1000;
    assert_eq!(
        scan::read_image_with(&jpeg, &opts),
        Err(OcrError::TooLarge {
            width: u64::from(page.width),
            height: u64::from(page.height),
            limit: 1000
        })
    );
}
