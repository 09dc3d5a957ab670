//! BER-TLV parsing (and the read strategy's EF.COM / EF.SOD / EF.ATR/INFO walks) of arbitrary
//! bytes: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = epassport_tlv::parse_all(data);
    let _ = epassport_tlv::parse_tree(data);
    let _ = epassport_chip::read::com_data_groups(data);
    let _ = epassport_chip::read::sod_data_groups(data);
    let _ = epassport_chip::read::atr_info_max_response(data);
});
