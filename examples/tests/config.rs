#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! The `mailserver` binary with `--config`: the example file is accepted,
//! a bad key is refused with its name, and flags override the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yubin-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `mailserver ARGS... adduser bob --password pw`: it resolves the
/// whole configuration (defaults, file, flags) and then only touches the
/// data directory, so no port is opened.
fn adduser(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailserver"))
        .args(args)
        .args(["adduser", "bob", "--password", "pw"])
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn an_unknown_key_stops_the_server_and_is_named() {
    let dir = temp_dir("bad");
    let file = write(
        &dir,
        "bad.toml",
        "hostname = \"a\"\n[limits]\nmax_message_size = 10\n",
    );
    let out = adduser(&["--config", &file]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("max_message_size"),
        "{err}"
    );
    let out = adduser(&[
        "--config",
        &write(&dir, "missing-key.toml", "[tls]\nkey = \"k\"\n"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("both"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_file_sets_the_data_dir_and_a_flag_overrides_it() {
    let dir = temp_dir("override");
    let from_file = dir.join("from-file");
    let from_flag = dir.join("from-flag");
    let file = write(
        &dir,
        "ok.toml",
        &format!(
            "data_dir = {:?}\ndomains = [\"example.test\"]\n",
            from_file.to_string_lossy()
        ),
    );
    let out = adduser(&["--config", &file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(from_file.join("users").is_file());
    assert!(from_file.join("mail/bob/.Sent/cur").is_dir());

    let flag = from_flag.to_string_lossy().into_owned();
    let out = adduser(&["--config", &file, "--data-dir", &flag]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(from_flag.join("users").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_shipped_example_is_accepted_by_the_binary() {
    let dir = temp_dir("example");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("mailserver.example.toml");
    let data = dir.join("data").to_string_lossy().into_owned();
    // The example names certificate files that do not exist here; adduser
    // never opens them, so this checks the file's keys and values only.
    let out = adduser(&["--config", &example.to_string_lossy(), "--data-dir", &data]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
