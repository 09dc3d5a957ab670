//! The record: shape, JSON Schema, signing, atomic writing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may unwrap and panic

mod common;

use epassport_enrol::jws::{self, SignatureError, SigningKey};
use epassport_enrol::record::Portrait;
use epassport_enrol::steps::{NOT_AVAILABLE, Steps};
use epassport_enrol::{JSON_SCHEMA, Policy, Record};
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(JSON_SCHEMA).unwrap();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(v: &Value) -> Vec<String> {
    validator()
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn key() -> SigningKey {
    SigningKey::from_pem(
        &SigningKey::generate(epassport_enrol::KeyKind::Ed25519)
            .unwrap()
            .to_pem()
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn approved_record_shape_and_schema() {
    let record = Record::build(common::input(), &Policy::default());
    let v = record.to_value(None).unwrap();
    assert_eq!(errors(&v), Vec::<String>::new());
    assert_eq!(v["schema"], "epassport.mitid-enrolment/1");
    assert_eq!(v["created_at"], "2026-11-21T16:30:00Z");
    assert_eq!(v["decision"]["status"], "approved");
    assert_eq!(v["decision"]["reasons"], json!([]));
    assert_eq!(v["decision"]["policy"]["minimum_age"], 13);
    assert_eq!(v["verification"]["age"]["evidence"]["age"], 52);
    assert_eq!(v["verification"]["document_validity"]["status"], "passed");
    assert_eq!(v["mitid"]["authenticator"], "app");
    assert_eq!(v["mitid"]["contact"]["phone"], "+4512345678");
    assert_eq!(
        v["mitid"]["user_id_availability"],
        json!({"status": "not_checked"})
    );
    assert_eq!(v["identity"]["date_of_birth"], "1974-08-12");
    assert!(v.get("portrait").is_none());
    assert!(v.get("signature").is_none());
    let keys: Vec<&String> = v["verification"].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 10);
    // Round trip through the typed record.
    let back: Record = serde_json::from_value(v).unwrap();
    assert_eq!(back, record);
}

#[test]
fn rejected_record_with_nothing_performed_validates() {
    let mut input = common::input();
    input.steps = Steps::not_performed(NOT_AVAILABLE);
    input.document = None;
    input.identity = None;
    input.portrait = Some(Portrait::new("image/jpeg", b"\xff\xd8\xff\xe0fake"));
    let v = Record::build(input, &Policy::default())
        .to_value(None)
        .unwrap();
    assert_eq!(errors(&v), Vec::<String>::new());
    assert_eq!(v["decision"]["status"], "rejected");
    assert_eq!(
        v["verification"]["face"],
        json!({"status": "not_performed", "reason": "not available in this build"})
    );
    assert_eq!(v["portrait"]["data"], "/9j/4GZha2U=");
}

#[test]
fn schema_refuses_bad_records() {
    let good = Record::build(common::input(), &Policy::default())
        .to_value(None)
        .unwrap();
    type Edit = fn(&mut Value);
    let cases: Vec<(&str, Edit)> = vec![
        ("wrong schema id", |v| v["schema"] = json!("other/1")),
        (
            "approved with a reason",
            |v| {
                v["decision"]["reasons"] =
                    json!([{"code": "face_mismatch", "effect": "reject", "message": "x"}])
            },
        ),
        ("not_performed without reason", |v| {
            v["verification"]["face"] = json!({"status": "not_performed"})
        }),
        ("unknown status", |v| {
            v["verification"]["face"]["status"] = json!("ok")
        }),
        ("CPR user ID", |v| {
            v["mitid"]["user_id"] = json!("010190-1234")
        }),
        ("leading space user ID", |v| {
            v["mitid"]["user_id"] = json!(" anna")
        }),
        ("bad phone", |v| {
            v["mitid"]["contact"]["phone"] = json!("12345678")
        }),
        ("unknown member", |v| v["extra"] = json!(true)),
        ("missing decision", |v| {
            v.as_object_mut().unwrap().remove("decision");
        }),
        ("bad date", |v| {
            v["document"]["date_of_expiry"] = json!("2031-13-01")
        }),
    ];
    for (name, edit) in cases {
        let mut v = good.clone();
        edit(&mut v);
        assert!(!errors(&v).is_empty(), "schema accepted: {name}");
    }
}

#[test]
fn signed_record_verifies_and_modified_fails() {
    let record = Record::build(common::input(), &Policy::default());
    for kind in [
        epassport_enrol::KeyKind::Ed25519,
        epassport_enrol::KeyKind::P256,
    ] {
        let key = SigningKey::generate(kind).unwrap();
        let text = record.to_json(Some(&key)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(errors(&v), Vec::<String>::new());
        let vk = key.verifying_key();
        assert!(jws::verify(&v, &vk).is_ok());
        let mut m = v.clone();
        m["mitid"]["user_id"] = json!("evil-falcon");
        assert_eq!(jws::verify(&m, &vk), Err(SignatureError::Invalid));
        let mut m = v.clone();
        m["verification"]["face"]["evidence"]["distance"] = json!(0.3100001);
        assert_eq!(jws::verify(&m, &vk), Err(SignatureError::Invalid));
    }
    let _ = key();
}

#[test]
fn writes_atomically() {
    let dir = std::env::temp_dir().join(format!("enrol-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("record.json");
    let record = Record::build(common::input(), &Policy::default());
    record.write(&path, None).unwrap();
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["decision"]["status"], "approved");
    let err = record
        .write(&dir.join("missing/record.json"), None)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("could not write the record to "),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
