//! BSI "Worked Example for Extended Access Control (EAC)" v1.01, the Chip Authentication part:
//! CA version 2 with ECDH on brainpoolP256r1 (`id-CA-ECDH-AES-CBC-CMAC-128`, key ID 1) and with DH
//! on the 1024-bit MODP group with 160-bit subgroup (`id-CA-DH-AES-CBC-CMAC-128`, key ID 1). The
//! chip's static public key is taken from the example's EF.CardSecurity, the terminal's ephemeral
//! key and the chip's nonce are injected, and every published value is asserted: the chip's key
//! pair, the terminal's ephemeral key pair, the shared secret K, the nonce r_PICC, K_enc, K_mac
//! and the authentication token T_PICC, first on the bare functions (both roles), then over the
//! APDUs between our terminal and the software chip. (Values as carried in OpenPACE's
//! `src/eactest.c`, the `tc_ecdh_ca_*` and `tc_dh_ca_*` test data of that worked example.)
//!
//! The APDUs' secure messaging is our BAC session's (the example runs PACE and Terminal
//! Authentication first; those parts are `bsi_tr03110_worked_example.rs` and out of scope).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

use epassport_card::{Command, StatusWord, exchange};
use epassport_chip::bac::{self, BacNonces};
use epassport_chip::ca::{self, CaParameters};
use epassport_chip::crypto::Group;
use epassport_chip::kdf::{Cipher, KdfCounter};
use epassport_chip::sm::SecureTransport;
use epassport_lds::security_infos::{self as si, KeyAgreement, SecurityInfos};
use epassport_sim::SimChip;
use epassport_sim::config::ChipBuilder;
use epassport_sim::fs::{Ef, LDS1_AID};
use epassport_tlv::{Tag, encode};

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/chips")
        .join(name)
}

/// EF.CardSecurity of the ECDH example (CMS SignedData, 2027 bytes).
const ECDH_CARD_SECURITY: &[&str] = &[
    "308207E706092A864886F70D010702A08207D8308207D4020103310F300D060960864801650304020105003082014D06",
    "0804007F0007030201A082013F0482013B31820137300D060804007F00070202020201023012060A04007F0007020203",
    "02020201020201013012060A04007F0007020204020202010202010D301C060904007F000702020302300C060704007F",
    "0007010202010D020101302F060804007F0007020206162368747470733A2F2F7777772E686A702D636F6E73756C7469",
    "6E672E636F6D2F686F6D653017060A04007F0007020205020330090201010201010101003017060A04007F0007020205",
    "020330090201010201020101FF3019060904007F000702020502300C060704007F0007010202010D3062060904007F00",
    "07020201023052300C060704007F0007010202010D03420004A44EBE5451DF7AADB01E459B8C928A87746A57927C8C28",
    "A6775C97A7E1FE8D9A46FF4A1CC7E4D1389AEA19758E4F75C28C598FD734AEBEB135337CF95BE12E94020101A0820462",
    "3082045E30820292A0030201020203016326304106092A864886F70D01010A3034A00F300D0609608648016503040201",
    "0500A11C301A06092A864886F70D010108300D06096086480165030402010500A2030201203053310B30090603550406",
    "1302444531173015060355040A0C0E484A5020436F6E73756C74696E6731173015060355040B0C0E436F756E74727920",
    "5369676E65723112301006035504030C09484A50205042204353301E170D3039303931383037353935335A170D313030",
    "3931333037353935335A3054310B300906035504061302444531173015060355040A0C0E484A5020436F6E73756C7469",
    "6E6731183016060355040B0C0F446F63756D656E74205369676E65723112301006035504030C09484A50205042204453",
    "30820122300D06092A864886F70D01010105000382010F003082010A0282010100B6C5A8EE57307679E364E3F7E776EA",
    "64074E9A72F6B376C2D23189631C10BA65EA346FEF703B52EF7593D496E1500F7164D038E9A880D06E90FCF96FAD5B60",
    "68B342CCA824770BADF1429EBBDB97880AAEA4311462CACE40AAF2247835ABC2591E1880ADD9FD35F2C0E43CC6FEB91B",
    "0F137CC42AD834732493FD63F78FC7DA75CDB4A1BD4C7DE1E04AC1B4BD4C62C46F8D83EE6BF1AC2405D5A173776A5896",
    "0A79B1B5B90B797A4A7A198457C7A02A72A2FF9A327E5588196742C57C8B9D5EE64B8A46003BC56D2493C0A658823794",
    "AB2314BCF979C5EEDF327C6C112E9EDD86C6E419F9AD35A94656FDE7ED896AF5C346435AB3D7BEC0F8B90256A31050B3",
    "970203010001A3523050301F0603551D230418301680140DFD5C0288BFECE0B07A5D40FF80AC8A91743A9B301D060355",
    "1D0E041604149193F4F0AA4ACAC0D3A1B6AC83B24F6FDC8FF21B300E0603551D0F0101FF040403020780304106092A86",
    "4886F70D01010A3034A00F300D06096086480165030402010500A11C301A06092A864886F70D010108300D0609608648",
    "0165030402010500A2030201200382018100A3AFEC3BC5D366E661194ACA8DFC390676061D6E523018CA13930D7940E6",
    "CE77861D18F65F3CEF8CBF44E87D59AAFA6F29EC57FB19DB1230F0F2FC1BF60D1D0396333C89A92BF2313C4360BAB218",
    "DE57713F390CA5BBB699CD1A1E273C618B25A7EEDAB5F0BAB03065AA749D513260BE867EB011291DCF4ADC8333F7784F",
    "DDE8172F46C4F7904215FDC98F5CDE4916F03E249CD3940762D2F8E92F231716A6BF742FEDC2627E62F046956DB97BAA",
    "D25C04624754D4AF3E1A7EC47207CC08BD154E839A4355D01F16DA2CC16177A914D44287E6522564D000539EC96A2B0E",
    "1E6EBB896381868B5AFE0A0FD3C362F419AFFDFF016A71170AC8B378A6E3995D82EE45950EEBB4C9BBF631132482A503",
    "C31026B4C2CD9426E6663DE4C43EFE5401F4D3BA76E54F663B28323EA3331E96A70812F94315D608A9E8CE1BF02B6ECF",
    "07015D40F473DFE16F5C12146081C44C148DAB0983504657A53CCA16BD545D5AD59A21AA919E7F9BB7B35001ABEF61E7",
    "D56E21C7F11373425571A79145D4462EB26B3182020530820201020101305A3053310B30090603550406130244453117",
    "3015060355040A0C0E484A5020436F6E73756C74696E6731173015060355040B0C0E436F756E747279205369676E6572",
    "3112301006035504030C09484A502050422043530203016326300D06096086480165030402010500A04A301706092A86",
    "4886F70D010903310A060804007F0007030201302F06092A864886F70D0109043122042049AEB937528C269EA723BBC8",
    "AADC385C9D6B1AE37516A5B8921FF8C459187293304106092A864886F70D01010A3034A00F300D060960864801650304",
    "02010500A11C301A06092A864886F70D010108300D06096086480165030402010500A2030201200482010097C22D87C3",
    "13D648DFB9DE9D9CCA3A41CBF85222E36D3B9C7EB1CC0B1A8CAE4C93E0F1CA028A90DD2B4F5CB42C9E5BB573C039773E",
    "640841B32830DF83932246FC8BAF928D67546E8E0C0665A932874885518EA3D02046A618CF1AF5A0F5E4C405624D2D66",
    "D16BDA18A8382284788E81FE1CB5E21701CDD20922120E682030E80D12DA406B0136E9ED8B238F653C7DDCA927866041",
    "4EFA93738250CD0841727E0F68C49002641D7E4026285B9B53F270BBA5058E46600B843554605BF8EC2C740AEDC8B24E",
    "2A64AC78F58997A18833A405CB64EA6DD7D7115FD7C3517672654E03029730FAB72565A0926571696801F3FE5A63CF70",
    "920A112FCF69291BAE37A3",
];
const ECDH_PICC_SK: &str = "7984674CF3B3A524BF929CE8A67FCF22173DA0BAD595EED6DEB72D22C542FA9D";
const ECDH_PICC_PK: &str = concat!(
    "04A44EBE5451DF7AADB01E459B8C928A87746A57927C8C28A6775C97A7E1FE8D9A46FF4A1CC7E4D1389AEA19758E4F75",
    "C28C598FD734AEBEB135337CF95BE12E94",
);
const ECDH_PCD_SK: &str = "00A6A4D255C5BF7A77EC3D0553DB74F693CF044E18C98364D4977A296108AF19BD";
const ECDH_PCD_PK: &str = concat!(
    "045A7A377FC9CAFC03AC7FF45441A8B2909D88EAB8E6B0173847AB49B949DF3799A34EE57EC55268CF8B1C3EC489F8BF",
    "4CF4C68D3FD9670E89C0D5D3FFF1AAF89F",
);
const ECDH_K: &str = "791DA04273CCFE862E52DF60347E2557192E1F8D7517822CE3D306056C1CDEB4";
const ECDH_NONCE: &str = "4287B3072A3EDC60";
const ECDH_TOKEN: &str = "FF0117D68DEE8E72";
const ECDH_K_ENC: &str = "94ABCD271AB7D9A5590BA52CB518B831";
const ECDH_K_MAC: &str = "78B5709E7ABEDB185B424D0EE3A82499";
/// EF.CardSecurity of the DH example (CMS SignedData, 2096 bytes).
const DH_CARD_SECURITY: &[&str] = &[
    "3082082C06092A864886F70D010702A082081D30820819020103310F300D060960864801650304020105003082019206",
    "0804007F0007030201A0820184048201803182017C300D060804007F00070202020201023012060A04007F0007020203",
    "01020201020201013012060A04007F00070202040102020102020100301C060904007F000702020301300C060704007F",
    "00070102020100020101302F060804007F0007020206162368747470733A2F2F7777772E686A702D636F6E73756C7469",
    "6E672E636F6D2F686F6D653017060A04007F0007020205010330090201010201010101003017060A04007F0007020205",
    "010330090201010201020101FF3019060904007F000702020501300C060704007F000701020201003081A6060904007F",
    "000702020101308195300C060704007F00070102020100038184000281801B3345F8DC04341BF8B2C97F652FA680E5D4",
    "FA4C146AE4B839431A644A79BC368C4822C89CD018A57F953644BEDA679C5B532902320E83E13B80DEEF8C18AF3E7D49",
    "3AE3F88196101B9F78EAFE4B3025EF8BFF916B2FC02D762D0838DEA29C09B485591C2F47F87C71F530BB358F56AF6459",
    "D86DBF85EAF9EDBD962CD364F7B8020101A08204623082045E30820292A0030201020203016326304106092A864886F7",
    "0D01010A3034A00F300D06096086480165030402010500A11C301A06092A864886F70D010108300D0609608648016503",
    "0402010500A2030201203053310B300906035504061302444531173015060355040A0C0E484A5020436F6E73756C7469",
    "6E6731173015060355040B0C0E436F756E747279205369676E65723112301006035504030C09484A5020504220435330",
    "1E170D3039303931383037353935335A170D3130303931333037353935335A3054310B30090603550406130244453117",
    "3015060355040A0C0E484A5020436F6E73756C74696E6731183016060355040B0C0F446F63756D656E74205369676E65",
    "723112301006035504030C09484A5020504220445330820122300D06092A864886F70D01010105000382010F00308201",
    "0A0282010100B6C5A8EE57307679E364E3F7E776EA64074E9A72F6B376C2D23189631C10BA65EA346FEF703B52EF7593",
    "D496E1500F7164D038E9A880D06E90FCF96FAD5B6068B342CCA824770BADF1429EBBDB97880AAEA4311462CACE40AAF2",
    "247835ABC2591E1880ADD9FD35F2C0E43CC6FEB91B0F137CC42AD834732493FD63F78FC7DA75CDB4A1BD4C7DE1E04AC1",
    "B4BD4C62C46F8D83EE6BF1AC2405D5A173776A58960A79B1B5B90B797A4A7A198457C7A02A72A2FF9A327E5588196742",
    "C57C8B9D5EE64B8A46003BC56D2493C0A658823794AB2314BCF979C5EEDF327C6C112E9EDD86C6E419F9AD35A94656FD",
    "E7ED896AF5C346435AB3D7BEC0F8B90256A31050B3970203010001A3523050301F0603551D230418301680140DFD5C02",
    "88BFECE0B07A5D40FF80AC8A91743A9B301D0603551D0E041604149193F4F0AA4ACAC0D3A1B6AC83B24F6FDC8FF21B30",
    "0E0603551D0F0101FF040403020780304106092A864886F70D01010A3034A00F300D06096086480165030402010500A1",
    "1C301A06092A864886F70D010108300D06096086480165030402010500A2030201200382018100A3AFEC3BC5D366E661",
    "194ACA8DFC390676061D6E523018CA13930D7940E6CE77861D18F65F3CEF8CBF44E87D59AAFA6F29EC57FB19DB1230F0",
    "F2FC1BF60D1D0396333C89A92BF2313C4360BAB218DE57713F390CA5BBB699CD1A1E273C618B25A7EEDAB5F0BAB03065",
    "AA749D513260BE867EB011291DCF4ADC8333F7784FDDE8172F46C4F7904215FDC98F5CDE4916F03E249CD3940762D2F8",
    "E92F231716A6BF742FEDC2627E62F046956DB97BAAD25C04624754D4AF3E1A7EC47207CC08BD154E839A4355D01F16DA",
    "2CC16177A914D44287E6522564D000539EC96A2B0E1E6EBB896381868B5AFE0A0FD3C362F419AFFDFF016A71170AC8B3",
    "78A6E3995D82EE45950EEBB4C9BBF631132482A503C31026B4C2CD9426E6663DE4C43EFE5401F4D3BA76E54F663B2832",
    "3EA3331E96A70812F94315D608A9E8CE1BF02B6ECF07015D40F473DFE16F5C12146081C44C148DAB0983504657A53CCA",
    "16BD545D5AD59A21AA919E7F9BB7B35001ABEF61E7D56E21C7F11373425571A79145D4462EB26B318202053082020102",
    "0101305A3053310B300906035504061302444531173015060355040A0C0E484A5020436F6E73756C74696E6731173015",
    "060355040B0C0E436F756E747279205369676E65723112301006035504030C09484A502050422043530203016326300D",
    "06096086480165030402010500A04A301706092A864886F70D010903310A060804007F0007030201302F06092A864886",
    "F70D010904312204205F65345D29A85A01BB38AEA4EBD6C98E7ECE6F9F0FF46AF2FDD07BDC18BA6F38304106092A8648",
    "86F70D01010A3034A00F300D06096086480165030402010500A11C301A06092A864886F70D010108300D060960864801",
    "65030402010500A203020120048201003BCE96954D098BD4C6CCD69DD2EB73DD5885A412F59F4893B4C16F4F152C5A7F",
    "620824DA9185FC236F3B72018F7759ADBDD166C116AB5D4DE54C8943680AD9774D4B31028D6E3FA411735BED1E73E99F",
    "9C5A255BB03EF69459B4B3BBA958D30D0FF5C9FE0A0FCB096F8D41CAB1D8FB0EA6153F01E2A42B7FE6B2304D9627E730",
    "C63F9BCBAB0A445DE9DCDAE1F8E9C27635410F49C8EB45FAB25F55C05A785882034425469616FCB786ECBD7C92930F2E",
    "2DAEA98EF85573239878513E4F9ACD897531F55E3E158D61815B4875D1D76E0EE6380D576CF5CF8F2F0A8EECB6CB5134",
    "AA89441A4B875891AE22811B904945F84C53FC0E9BA64293331F315DA968D8B8",
];
const DH_PICC_SK: &str = "00D0E5A95ECA541DEF4FE92B9FF9920D49A454C297";
const DH_PICC_PK: &str = concat!(
    "1B3345F8DC04341BF8B2C97F652FA680E5D4FA4C146AE4B839431A644A79BC368C4822C89CD018A57F953644BEDA679C",
    "5B532902320E83E13B80DEEF8C18AF3E7D493AE3F88196101B9F78EAFE4B3025EF8BFF916B2FC02D762D0838DEA29C09",
    "B485591C2F47F87C71F530BB358F56AF6459D86DBF85EAF9EDBD962CD364F7B8",
);
const DH_PCD_SK: &str = concat!(
    "00A2CFFD06C34AFD622EEE0FC31F093FDFDA609C67121CACF0A8F52291DE6853BB5C93CF76705775ECF408A74302613B",
    "EECB381447D36494C9E18951EC17252DD2A807AAE09FA4DC30183339013D9C9191303CACEE3C91E926A36D014A5CFA94",
    "950CADB37B534F32A9BF76B37980979304C5663871BD746EB9E95A47CA471B4EDE",
);
const DH_PCD_PK: &str = concat!(
    "A2830947A6FCAACDE2FCB88B29AB38E07C3453ABC4BCB466087E11C79F32A19E6EF22BE108F8DD18FE8249C960951511",
    "200DC985AA3EC0CCAD59A5F9BBCC33EE5F1577E20330B4DD10EB06B740277C97A189180EDE52BEE9D429F10FB77F180F",
    "05D6A99C499CB5E1ECEEB8E92284F66EA98479674CE73F53C567A03B0D297833",
);
const DH_K: &str = concat!(
    "2A4FC2D11490DF4773DDFA6FF705557C51F4AD4533E8D8A66A3001BFDD271DB87BE3C1CAC22A05E8AF1A066DD0298E75",
    "DB928AAFDF00EB4BFB1BD12F372313C1CA649056517305638515D5A4FBE0AC59BDC80E8C5A5F46254D231916EA77F80A",
    "C58E6B63A26198EE4387F10981E8E46FFBA23790C81E679363C589587D30BBB3",
);
const DH_NONCE: &str = "1A1AC1AB04D96965";
const DH_TOKEN: &str = "756891580F70164D";
const DH_K_ENC: &str = "E813D09DF69FFCC63763C537F828985C";
const DH_K_MAC: &str = "066721F3EBEA787B4F1C6DCA431EC229";

/// Selects the LDS1 application and runs BAC; returns the protected transport.
fn bac_session(chip: &mut SimChip) -> SecureTransport<&mut SimChip> {
    let mrz = chip.config().mrz.as_ref().unwrap().expose().to_string();
    let info = epassport_mrz::parse(&mrz)
        .unwrap()
        .access_key()
        .unwrap()
        .information()
        .to_vec();
    let r = exchange(chip, &Command::new(0, 0xA4, 0x04, 0x0C).with_data(LDS1_AID)).unwrap();
    assert_eq!(r.sw, StatusWord::OK);
    let sm =
        bac::authenticate(chip, bac::bac_keys(&info), BacNonces::new([7; 8], [9; 16])).unwrap();
    SecureTransport::new(chip, sm)
}

/// One of the two examples.
struct Example {
    card_security: &'static [&'static str],
    agreement: KeyAgreement,
    standard_id: u8,
    picc_sk: &'static str,
    picc_pk: &'static str,
    pcd_sk: &'static str,
    pcd_pk: &'static str,
    k: &'static str,
    nonce: &'static str,
    token: &'static str,
    k_enc: &'static str,
    k_mac: &'static str,
}

const ECDH: Example = Example {
    card_security: ECDH_CARD_SECURITY,
    agreement: KeyAgreement::Ecdh,
    standard_id: 13,
    picc_sk: ECDH_PICC_SK,
    picc_pk: ECDH_PICC_PK,
    pcd_sk: ECDH_PCD_SK,
    pcd_pk: ECDH_PCD_PK,
    k: ECDH_K,
    nonce: ECDH_NONCE,
    token: ECDH_TOKEN,
    k_enc: ECDH_K_ENC,
    k_mac: ECDH_K_MAC,
};

const DH: Example = Example {
    card_security: DH_CARD_SECURITY,
    agreement: KeyAgreement::Dh,
    standard_id: 0,
    picc_sk: DH_PICC_SK,
    picc_pk: DH_PICC_PK,
    pcd_sk: DH_PCD_SK,
    pcd_pk: DH_PCD_PK,
    k: DH_K,
    nonce: DH_NONCE,
    token: DH_TOKEN,
    k_enc: DH_K_ENC,
    k_mac: DH_K_MAC,
};

/// Leading zero bytes off (the example writes some private keys with a sign byte).
fn unsigned(s: &str) -> Vec<u8> {
    let b = hex(s);
    let skip = b.iter().take_while(|&&x| x == 0).count();
    b[skip..].to_vec()
}

impl Example {
    fn card_security(&self) -> Vec<u8> {
        hex(&self.card_security.concat())
    }

    /// The CA configuration our terminal takes from EF.CardSecurity.
    fn parameters(&self) -> CaParameters {
        let cs = self.card_security();
        let infos = SecurityInfos::parse(si::card_security_content(&cs).unwrap()).unwrap();
        let params = CaParameters::from_security_infos(&infos).unwrap();
        assert_eq!(params.len(), 1, "one CA key and one CA info");
        params.into_iter().next().unwrap()
    }

    fn check_parameters(&self, p: &CaParameters) {
        assert_eq!(p.protocol.agreement, self.agreement);
        assert_eq!(p.protocol.cipher, si::Cipher::Aes128);
        assert_eq!(p.cipher(), Cipher::Aes128);
        assert_eq!(p.standard_id, Some(self.standard_id));
        assert_eq!(p.key_id, Some(1));
        assert_eq!(p.version, Some(2));
        // The static public key in EF.CardSecurity is the example's PK_PICC ...
        assert_eq!(p.group.encode(&p.chip_public_key), hex(self.picc_pk));
        // ... and that of the example's SK_PICC.
        let sk = p.group.private_key(&unsigned(self.picc_sk)).unwrap();
        let pk = p.group.public_key(&sk, &p.group.generator()).unwrap();
        assert_eq!(p.group.encode(&pk), hex(self.picc_pk));
    }

    /// Both roles on the bare functions.
    fn functions(&self) {
        let p = self.parameters();
        self.check_parameters(&p);
        let g: &Group = &p.group;
        let oid = p.protocol.oid();
        assert_eq!(oid, p.oid);

        // Terminal: ephemeral key pair, K = KA(SK_PCD, PK_PICC).
        let sk_pcd = g.private_key(&unsigned(self.pcd_sk)).unwrap();
        let pk_pcd = g.public_key(&sk_pcd, &g.generator()).unwrap();
        assert_eq!(g.encode(&pk_pcd), hex(self.pcd_pk));
        let k = g.shared_secret(&sk_pcd, &p.chip_public_key).unwrap();
        assert_eq!(*k, hex(self.k));

        // KDF(K, r_PICC, c) with the chip's nonce.
        let nonce = hex(self.nonce);
        let k_enc = ca::kdf_with_nonce(&k, &nonce, KdfCounter::Enc, Cipher::Aes128);
        let k_mac = ca::kdf_with_nonce(&k, &nonce, KdfCounter::Mac, Cipher::Aes128);
        assert_eq!(k_enc.as_bytes(), hex(self.k_enc));
        assert_eq!(k_mac.as_bytes(), hex(self.k_mac));
        let sm = ca::session_keys_v2(Cipher::Aes128, &k, &nonce).unwrap();
        assert_eq!(sm.keys().k_enc().as_bytes(), hex(self.k_enc));
        assert_eq!(sm.keys().k_mac().as_bytes(), hex(self.k_mac));
        assert_eq!(sm.ssc(), &[0u8; 16][..]);
        // Without the nonce (CA version 1) the keys differ.
        let v1 = ca::session_keys(Cipher::Aes128, &k).unwrap();
        assert_ne!(v1.keys().k_enc().as_bytes(), hex(self.k_enc));

        // T_PICC = MAC(K_MAC, PK_PCD) with the CA protocol OID.
        let token = ca::authentication_token(Cipher::Aes128, &k_mac, &oid, g, &pk_pcd).unwrap();
        assert_eq!(token.to_vec(), hex(self.token));

        // Chip: K = KA(SK_PICC, PK_PCD) and the same keys and token.
        let sk_picc = g.private_key(&unsigned(self.picc_sk)).unwrap();
        let (chip_sm, chip_token) =
            ca::chip_session_v2(g, &sk_picc, &hex(self.pcd_pk), Cipher::Aes128, &oid, &nonce)
                .unwrap();
        assert_eq!(chip_token.to_vec(), hex(self.token));
        assert_eq!(chip_sm.keys().k_enc().as_bytes(), hex(self.k_enc));
        assert_eq!(chip_sm.keys().k_mac().as_bytes(), hex(self.k_mac));

        // The chip's answer as it goes on the wire, and back.
        let answer = ca::ga_response_v2(&nonce, &chip_token);
        assert_eq!(
            answer,
            hex(&format!("7C14 8108 {} 8208 {}", self.nonce, self.token).replace(' ', ""))
        );
        assert_eq!(
            ca::parse_ga_response(&answer).unwrap(),
            Some(ca::CaV2Answer {
                nonce,
                token: hex(self.token)
            })
        );
    }

    /// The example's chip as a software chip: the demo chip's data with the example's
    /// EF.CardSecurity instead of DG14, its CA private key, and its nonce scripted.
    fn chip(&self) -> SimChip {
        self.chip_with(self.picc_sk)
    }

    /// As [`Example::chip`] with another CA private key (a clone).
    fn chip_with(&self, picc_sk: &str) -> SimChip {
        let value = unsigned(picc_sk);
        let (inner, alg) = match self.agreement {
            KeyAgreement::Ecdh => (
                encode(
                    Tag(0x30),
                    &[encode(Tag(0x02), &[1]), encode(Tag(0x04), &value)].concat(),
                ),
                "2A8648CE3D0201",
            ),
            KeyAgreement::Dh => (
                encode(Tag(0x02), &[&[0u8][..], &value].concat()),
                "2A8648CE3E0201",
            ),
        };
        let pk8 = encode(
            Tag(0x30),
            &[
                encode(Tag(0x02), &[0]),
                encode(Tag(0x30), &encode(Tag(0x06), &hex(alg))),
                encode(Tag(0x04), &inner),
            ]
            .concat(),
        );
        let mut config = SimChip::from_fixture(&fixture("demo"))
            .unwrap()
            .config()
            .clone();
        config.files.remove(&Ef::Dg(14));
        config.files.insert(Ef::CardSecurity, self.card_security());
        config.ca_private_key = Some(zeroize::Zeroizing::new(pk8));
        // BAC takes 24 bytes of the chip's randomness (RND.IC, K.IC); CA's nonce comes next.
        let mut script = vec![0x5A; 24];
        script.extend_from_slice(&hex(self.nonce));
        ChipBuilder::from_config(config)
            .scripted_random(&script)
            .build()
    }

    /// Our terminal against the software chip over APDUs, with the example's ephemeral key.
    fn over_apdus(&self) {
        let params = self.parameters();
        let mut chip = self.chip();
        let mut st = bac_session(&mut chip);

        let sk_pcd = params.group.private_key(&unsigned(self.pcd_sk)).unwrap();
        let (ev, t) = ca::authenticate_with_key(&mut st, &params, &sk_pcd).unwrap();
        assert_eq!(t.terminal_public_key, hex(self.pcd_pk));
        assert_eq!(*t.shared_secret, hex(self.k));
        assert_eq!(t.nonce, Some(hex(self.nonce)));
        assert_eq!(t.token, Some(hex(self.token)));
        assert_eq!(ev.version, 2);
        assert_eq!(ev.key_id, Some(1));
        assert_eq!(ev.standard_id, Some(self.standard_id));
        assert_eq!(ev.cipher, Cipher::Aes128);
        assert_eq!(
            st.secure_messaging().keys().k_enc().as_bytes(),
            hex(self.k_enc)
        );
        assert_eq!(
            st.secure_messaging().keys().k_mac().as_bytes(),
            hex(self.k_mac)
        );
        // The proof read and everything after run under K_enc/K_mac.
        let r = exchange(
            &mut st,
            &Command::new(0, 0xA4, 0x02, 0x0C).with_data([0x01, 0x01]),
        )
        .unwrap();
        assert_eq!(r.sw, StatusWord::OK);
        let dg1 = exchange(&mut st, &Command::new(0, 0xB0, 0, 0).with_le(256)).unwrap();
        assert_eq!(
            dg1.data,
            std::fs::read(fixture("demo").join("DG1.bin")).unwrap()
        );
        drop(st);
        assert!(chip.security().chip_authenticated);
    }
}

#[test]
fn ecdh_example_on_the_functions() {
    ECDH.functions();
}

#[test]
fn dh_example_on_the_functions() {
    DH.functions();
}

#[test]
fn ecdh_example_over_apdus_with_the_software_chip() {
    ECDH.over_apdus();
}

#[test]
fn dh_example_over_apdus_with_the_software_chip() {
    DH.over_apdus();
}

/// A chip with another CA key (a clone with the genuine EF.CardSecurity) sends a token that does
/// not verify: the terminal names it before switching keys, and nothing is read.
#[test]
fn a_clone_of_the_example_chip_fails_at_the_token() {
    let params = ECDH.parameters();
    // The clone's key: any other scalar (here the terminal's, as a stand-in).
    let mut chip = ECDH.chip_with(ECDH_PCD_SK);
    let mut st = bac_session(&mut chip);
    let sk_pcd = params.group.private_key(&unsigned(ECDH_PCD_SK)).unwrap();
    let err = ca::authenticate_with_key(&mut st, &params, &sk_pcd).unwrap_err();
    match err {
        ca::CaError::TokenMismatch { got, expected } => {
            // What our terminal expects is the published token; the clone sent another.
            assert_eq!(expected, ECDH_TOKEN);
            assert_ne!(got, ECDH_TOKEN);
        }
        other => panic!("{other:?}"),
    }
}
