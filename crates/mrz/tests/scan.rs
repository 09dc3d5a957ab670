//! Reading the MRZ from images (feature `image`): synthetic pages from `scan::synth`, errors.
#![cfg(feature = "image")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use epassport_mrz::Format;
use epassport_mrz::scan::{self, OcrError, ScanOptions, synth};

fn clean(format: Format, rotation_deg: f32, seed: u64) -> synth::Page {
    let mut rng = synth::Rng::new(seed);
    let mrz = synth::random_mrz(format, &mut rng);
    let d = synth::Distortion::clean(&mut rng, rotation_deg, 18.0);
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
fn heavily_blurred_pages_are_refused_rather_than_guessed() {
    // Blur of 0.14 pitch: beyond what the classifier was measured on.
    let mut too_blurred = 0;
    for seed in 0..3u64 {
        let mut page_rng = synth::Rng::new(seed);
        let format = [Format::Td1, Format::Td2, Format::Td3][seed as usize];
        let mrz = synth::random_mrz(format, &mut page_rng);
        let mut d = synth::Distortion::random(&mut page_rng);
        d.rotation_deg = 2.0;
        d.pitch_px = 20.0;
        d.blur_sigma = 2.8;
        d.glare = 0.0;
        let page = synth::render(format, &mrz, &d, seed);
        match scan::read_image(&page.jpeg()) {
            Err(OcrError::TooBlurred { blur, .. }) => {
                assert!(blur > 0.1, "blur {blur}");
                too_blurred += 1;
            }
            // So blurred that the lines do not even separate into glyphs: also a refusal.
            Err(OcrError::NoMrzFound) => {}
            other => panic!("{format:?}: expected a refusal, got {other:?}"),
        }
    }
    assert!(too_blurred >= 2, "{too_blurred} of 3 said too blurred");
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

/// Reads `scan::synth::random_page(seed)` for 300 seeds (TD1, TD2, TD3 in turn; rotation in all
/// four orientations with up to 10 degrees of skew, perspective up to 4 % of the page width,
/// blur up to 0.07 pitch, contrast 0.4-1, glare on 30 %, noise up to 8 levels, JPEG quality
/// 40-95). Issue 11: at least 99 % exact reads, and never a wrong MRZ returned as valid. (The
/// glyph classifier was trained on other seeds: 1000000 onwards.)
#[test]
fn accuracy_on_300_synthetic_pages() {
    const PAGES: u64 = 300;
    let results: Vec<(u64, Format, Result<bool, String>)> = synth::for_seeds(0..PAGES, |seed| {
        let page = synth::random_page(seed);
        let r = match scan::read_image(&page.jpeg()) {
            Ok(rep) => Ok(rep.lines == page.mrz),
            Err(e) => Err(e.to_string()),
        };
        (seed, page.format, r)
    });
    assert_eq!(results.len() as u64, PAGES);
    let wrong: Vec<u64> = results
        .iter()
        .filter(|r| r.2 == Ok(false))
        .map(|r| r.0)
        .collect();
    assert!(
        wrong.is_empty(),
        "wrong MRZ returned as valid for seeds {wrong:?}"
    );
    for format in [Format::Td1, Format::Td2, Format::Td3] {
        let of: Vec<_> = results.iter().filter(|r| r.1 == format).collect();
        let exact = of.iter().filter(|r| r.2 == Ok(true)).count();
        eprintln!("{format:?}: {exact}/{} exact", of.len());
    }
    let exact = results.iter().filter(|r| r.2 == Ok(true)).count();
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| r.2.as_ref().err().map(|e| format!("{}: {e}", r.0)))
        .collect();
    eprintln!("{exact}/{PAGES} exact; failures:\n{}", failures.join("\n"));
    let target = 297;
    assert!(
        exact >= target,
        "{exact}/{PAGES} exact, expected at least {target}"
    );
}
