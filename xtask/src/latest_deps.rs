//! `cargo xtask latest-deps`: does the workspace still build, warnings denied, with the newest
//! semver-compatible version of every dependency — what a new user's fresh program resolves?
//!
//! Copies the workspace (tracked and untracked, not ignored, files) to
//! `target/latest-deps/src`, runs `cargo update` there (the checkout's `Cargo.lock` is never
//! touched), prints every package whose version changed, then runs
//! `cargo check --workspace --all-targets --all-features --locked` with `RUSTFLAGS=-D warnings`
//! (a deprecation in a new dependency release fails it) into `target/latest-deps/target`, which is
//! kept between runs. Needs the crates.io index (`cargo update`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::root;

const USAGE: &str = "usage: cargo xtask latest-deps [--no-check]
  copies the workspace to target/latest-deps/src, runs `cargo update` there, reports what changed,
  then `cargo check --workspace --all-targets --all-features` with warnings denied
  (--no-check: only resolve and report)";

/// Entry point.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut check = true;
    for a in args {
        match a.as_str() {
            "--no-check" => check = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let started = Instant::now();
    let root = root();
    let work = root.join("target/latest-deps");
    let src = work.join("src");
    copy_workspace(&root, &src)?;
    let before = lock_versions(&src.join("Cargo.lock"))?;

    eprintln!("==> cargo update (in {})", src.display());
    run_cmd(
        Command::new(cargo()).arg("update").current_dir(&src),
        "cargo update",
    )?;
    let after = lock_versions(&src.join("Cargo.lock"))?;
    let changes = diff(&before, &after);
    if changes.is_empty() {
        println!("latest-deps: Cargo.lock already has the newest compatible versions");
    } else {
        println!(
            "latest-deps: {} package(s) differ from Cargo.lock:",
            changes.len()
        );
        for c in &changes {
            println!("  {c}");
        }
    }
    if !check {
        return Ok(());
    }

    eprintln!("==> cargo check with the newest versions, warnings denied");
    let check_start = Instant::now();
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    flags.push_str(" -D warnings");
    let result = run_cmd(
        Command::new(cargo())
            .args([
                "check",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--locked",
            ])
            .env("RUSTFLAGS", flags.trim())
            .env("CARGO_TARGET_DIR", work.join("target"))
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .current_dir(&src),
        "cargo check (newest dependencies, -D warnings)",
    );
    println!(
        "latest-deps: check {} in {:.0} s (whole command {:.0} s)",
        if result.is_ok() { "passed" } else { "FAILED" },
        check_start.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    result
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run_cmd(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// Mirrors the files git knows or would add (tracked, plus untracked ones not ignored) into
/// `dest`, removing what is no longer there.
fn copy_workspace(root: &Path, dest: &Path) -> Result<(), String> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("git ls-files: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git ls-files failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if dest.exists() {
        fs::remove_dir_all(dest).map_err(|e| format!("empty {}: {e}", dest.display()))?;
    }
    let mut copied = 0usize;
    for rel in out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let rel = PathBuf::from(String::from_utf8_lossy(rel).into_owned());
        let from = root.join(&rel);
        if !from.is_file() {
            continue; // deleted in the work tree, or a submodule
        }
        let to = dest.join(&rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
        }
        fs::copy(&from, &to).map_err(|e| format!("copy {}: {e}", from.display()))?;
        copied += 1;
    }
    eprintln!("==> copied {copied} files to {}", dest.display());
    Ok(())
}

/// `name` → versions (a package may appear in several versions) from a `Cargo.lock`.
fn lock_versions(path: &Path) -> Result<BTreeMap<String, Vec<String>>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    Ok(parse_lock(&text))
}

fn parse_lock(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut name: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            name = None;
        } else if let Some(v) = line.strip_prefix("name = ") {
            name = Some(v.trim_matches('"').to_owned());
        } else if let Some(v) = line.strip_prefix("version = ") {
            if let Some(n) = name.take() {
                map.entry(n)
                    .or_default()
                    .push(v.trim_matches('"').to_owned());
            }
        }
    }
    for versions in map.values_mut() {
        versions.sort();
    }
    map
}

/// One line per package whose versions differ: `name a -> b`, `name (new) b`, `name a (removed)`.
fn diff(
    before: &BTreeMap<String, Vec<String>>,
    after: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for name in names {
        match (before.get(name), after.get(name)) {
            (Some(a), Some(b)) if a != b => {
                out.push(format!("{name} {} -> {}", a.join(", "), b.join(", ")))
            }
            (None, Some(b)) => out.push(format!("{name} (new) {}", b.join(", "))),
            (Some(a), None) => out.push(format!("{name} {} (removed)", a.join(", "))),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = r#"version = 4

[[package]]
name = "rustls"
version = "0.23.46"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "ring",
]

[[package]]
name = "ring"
version = "0.17.14"

[[package]]
name = "gone"
version = "1.0.0"
"#;

    #[test]
    fn parses_and_diffs_lock_files() {
        let old = parse_lock(OLD);
        assert_eq!(old["rustls"], ["0.23.46"]);
        let new = parse_lock(
            &OLD.replace("0.23.46", "0.23.48")
                .replace("name = \"gone\"", "name = \"fresh\""),
        );
        assert_eq!(
            diff(&old, &new),
            [
                "fresh (new) 1.0.0",
                "gone 1.0.0 (removed)",
                "rustls 0.23.46 -> 0.23.48"
            ]
        );
        assert!(diff(&old, &old).is_empty());
    }
}
