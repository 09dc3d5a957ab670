//! Every LDS parser on arbitrary bytes: EF.COM, EF.SOD's LDSSecurityObject, DG1-DG16,
//! 19794-5 and 39794-5 records. The first byte picks the parser; parsers must never panic, and
//! whatever parses must encode without panicking.
#![no_main]

use epassport_lds::{FileId, LdsSecurityObject, iso19794_5::FacialRecord, iso39794_5::FaceImageData};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    match sel % 20 {
        0 => {
            let _ = epassport_lds::parse_file(rest);
        }
        1 => {
            if let Ok(l) = LdsSecurityObject::from_der(rest) {
                let _ = l.to_der();
            }
        }
        2 => {
            let _ = epassport_lds::sod::econtent_of_ef_sod(rest);
        }
        3 => {
            if let Ok(r) = FacialRecord::parse(rest, 0) {
                let _ = r.encode();
            }
        }
        4 => {
            if let Ok(r) = FaceImageData::parse(rest, 0) {
                let _ = r.encode();
            }
        }
        n => {
            // 5..=19 -> DG1..DG15 (DG16 via parse_file), with the right outer tag prepended.
            let id = FileId::Dg(n - 4);
            if let Some(tag) = id.tag() {
                let mut v = tag.to_bytes();
                epassport_tlv::encode_len(rest.len(), &mut v);
                v.extend_from_slice(rest);
                if let Ok(f) = epassport_lds::parse_as(id, &v) {
                    let _ = format!("{f:?}");
                }
            }
        }
    }
});
