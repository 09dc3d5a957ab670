//! `epassport mrz`: output and exit codes, pinned.

#![allow(clippy::unwrap_used)] // test helpers unwrap too

use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n";

fn specimen_file() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/mrz/td3-specimen.txt"
    )
    .to_owned()
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_epassport"))
        .arg("mrz")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn specimen_file_human() {
    let o = run(&[&specimen_file()], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "TD3 MRZ: valid\n\
         \x20 document code    P\n\
         \x20 issuing state    UTO\n\
         \x20 surname          ERIKSSON\n\
         \x20 given names      ANNA MARIA\n\
         \x20 document number  L898902C3\n\
         \x20 nationality      UTO\n\
         \x20 date of birth    1974-08-12\n\
         \x20 sex              F\n\
         \x20 date of expiry   2012-04-15\n\
         \x20 optional data    ZE184226B\n"
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn specimen_stdin_json() {
    let o = run(&["--json"], Some(TD3));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        json_of(&o),
        json!({
            "valid": true,
            "format": "TD3",
            "fields": {
                "document_code": "P",
                "issuing_state": "UTO",
                "surname": "ERIKSSON",
                "given_names": "ANNA MARIA",
                "document_number": "L898902C3",
                "nationality": "UTO",
                "date_of_birth": "1974-08-12",
                "date_of_expiry": "2012-04-15",
                "sex": "F",
                "optional_data": "ZE184226B"
            },
            "errors": []
        })
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn dash_reads_stdin() {
    let o = run(&["-", "--json"], Some(TD3));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json_of(&o)["format"], "TD3");
}

#[test]
fn every_format_json() {
    for (text, format) in [
        (
            "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
            "TD1",
        ),
        (
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
            "TD2",
        ),
        (
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
            "MRVA",
        ),
        (
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
            "MRVB",
        ),
    ] {
        let o = run(&["--json"], Some(text));
        assert_eq!(o.status.code(), Some(0), "{format}");
        let v = json_of(&o);
        assert_eq!(v["format"], format);
        assert_eq!(v["valid"], true);
        assert_eq!(v["fields"]["surname"], "ERIKSSON");
    }
}

#[test]
fn partial_birth_date_uses_xx() {
    // ICAO 9303-3: unknown month and day printed as '<<'.
    let dob_cd = epassport::mrz::check_digit("74<<<<").unwrap();
    let line2 = format!("L898902C36UTO74<<<<{dob_cd}F1204159ZE184226B<<<<<1");
    let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
    let cd = epassport::mrz::check_digit(&composite).unwrap();
    let text = format!("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n{line2}{cd}\n");
    let o = run(&["--json"], Some(&text));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json_of(&o)["fields"]["date_of_birth"], "1974-XX-XX");
}

#[test]
fn bad_check_digits_exit_1_with_every_error() {
    let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C35UTO7408122F1204158ZE184226B<<<<<10\n";
    let o = run(&["--json"], Some(text));
    assert_eq!(o.status.code(), Some(1));
    let v = json_of(&o);
    assert_eq!(v["valid"], false);
    assert_eq!(v["format"], "TD3");
    assert_eq!(
        v["errors"],
        json!([
            {"field": "document_number", "message": "document_number: check digit at line 2, column 10 is '5', expected '6'"},
            {"field": "date_of_expiry", "message": "date_of_expiry: check digit at line 2, column 28 is '8', expected '9'"},
            {"field": "composite", "message": "composite: check digit at line 2, column 44 is '0', expected '2'"}
        ])
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn bad_check_digit_human() {
    let text = "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\r\nL898902C36UTO7408122F1204159ZE184226B<<<<<11\r\n";
    let o = run(&[], Some(text));
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("TD3 MRZ: INVALID\n"), "{out}");
    assert!(
        out.ends_with(
            "normalised: CR LF / CR line endings read as line breaks\n\
         normalised: line 1: 21 lowercase letter(s) upper-cased\n\
         error: composite: check digit at line 2, column 44 is '1', expected '0'\n"
        ),
        "{out}"
    );
}

#[test]
fn unknown_format_exit_1() {
    let o = run(&["--json"], Some("hello\n"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        json_of(&o),
        json!({
            "valid": false,
            "format": null,
            "fields": null,
            "errors": [{"field": "format", "message": "cannot tell the MRZ format from 1 line(s) of length [5]: expected 3 lines of 30 characters (TD1), 2 of 36 (TD2, MRV-B) or 2 of 44 (TD3, MRV-A)"}]
        })
    );
    let o = run(&[], Some("hello\n"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "invalid MRZ: cannot tell the MRZ format from 1 line(s) of length [5]: expected 3 lines of 30 characters (TD1), 2 of 36 (TD2, MRV-B) or 2 of 44 (TD3, MRV-A)\n"
    );
}

#[test]
fn empty_input_exit_1() {
    let o = run(&["--json"], Some(""));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        json_of(&o)["errors"],
        json!([{"field": "input", "message": "no MRZ text: the input is empty"}])
    );
}

#[test]
fn repair_flag() {
    // 'O' for '0' in the date of birth and the document number.
    let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F12O4159ZE184226B<<<<<10\n";
    let o = run(&["--json"], Some(text));
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["--json", "--repair"], Some(text));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(&["--repair"], Some(text));
    assert!(stdout(&o).contains("repaired: date_of_birth: line 2, column 16: 'O' read as '0'\n"));
}

#[test]
fn missing_file_exit_2() {
    let o = run(&["/nonexistent/mrz.txt"], None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "epassport mrz: cannot read /nonexistent/mrz.txt: No such file or directory (os error 2)\n"
    );
}

#[test]
fn usage_error_exit_2() {
    let o = run(&["--no-such-flag"], None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("unexpected argument '--no-such-flag'"));
}

#[test]
fn oversized_input_exit_2() {
    let big = "<".repeat(70 * 1024);
    let o = run(&[], Some(&big));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "epassport mrz: standard input is larger than 65536 bytes; an MRZ is at most 90 characters\n"
    );
}
