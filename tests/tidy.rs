//! House rules that `cargo test` enforces (rust-analyzer's tidy): every Rust file opens with a
//! `//!` module doc, and only the CLI prints or draws progress.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "fuzz" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn files() -> Vec<PathBuf> {
    let root = crate::util::root();
    let mut out = Vec::new();
    for dir in ["crates", "tests"] {
        rust_files(&root.join(dir), &mut out);
    }
    out.sort();
    out
}

#[test]
fn every_file_has_a_module_doc() {
    let missing: Vec<_> = files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading //! doc: {missing:?}"
    );
}

#[test]
fn only_the_cli_prints_or_draws_progress() {
    let forbidden = [
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
        "indicatif",
        "std::process::exit",
    ];
    let mut offenders = Vec::new();
    for path in files() {
        let rel = path
            .strip_prefix(crate::util::root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if !rel.starts_with("crates/") || rel.starts_with("crates/cli/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for word in forbidden {
            if text.contains(word) {
                offenders.push(format!("{rel}: {word}"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "library code must not print, exit or draw progress: {offenders:?}"
    );
}

#[test]
fn stage_crates_depend_on_core_only() {
    let root = crate::util::root();
    for stage in ["ingest", "dedupe", "segment", "export"] {
        let manifest =
            std::fs::read_to_string(root.join("crates").join(stage).join("Cargo.toml")).unwrap();
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .unwrap_or("")
            .split("\n[")
            .next()
            .unwrap_or("");
        for line in deps.lines() {
            let name = line.split(['.', '=', ' ']).next().unwrap_or("").trim();
            assert!(
                !name.starts_with("newsclean-") || name == "newsclean-core",
                "crates/{stage} depends on {name}: stage crates depend on newsclean-core only"
            );
            for banned in ["clap", "indicatif", "anyhow"] {
                assert_ne!(name, banned, "crates/{stage} must not depend on {banned}");
            }
        }
    }
}
