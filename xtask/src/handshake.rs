//! `cargo xtask handshake`: client-side CPU of one full TLS 1.3 handshake with the runtime's
//! crypto provider, post-quantum on (X25519MLKEM768) and off (X25519).
//!
//! Builds `runtime/examples/tls_handshake.rs` in release and runs it under callgrind with
//! collection switched on only inside its `client_side` function (the server half of the
//! in-memory handshake is not counted): instructions per handshake = (run with N+1 handshakes
//! − run with 1) / N, the way `cargo xtask bench cpu` counts calls. Then runs it plainly for the
//! median wall time of the client's steps. Needs valgrind.

use std::path::Path;
use std::process::Command;

use crate::root;

const USAGE: &str = "usage: cargo xtask handshake [--calls N]   (default N = 20)";

/// Entry point.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut calls: u64 = 20;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--calls" => {
                calls = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n >= 1)
                    .ok_or("--calls needs a positive integer")?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let root = root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("==> cargo build --release -p awsrt --example tls_handshake");
    let ok = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "-p",
            "awsrt",
            "--example",
            "tls_handshake",
        ])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !ok.success() {
        return Err("building the tls_handshake example failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let exe = target.join("release/examples/tls_handshake");
    let work = target.join("handshake-callgrind");
    std::fs::create_dir_all(&work).map_err(|e| format!("create {}: {e}", work.display()))?;
    for mode in ["pq", "classical"] {
        let one = instructions(&exe, &work, 1, mode)?;
        let many = instructions(&exe, &work, calls + 1, mode)?;
        let per = many.saturating_sub(one) / calls;
        println!("handshake ({mode}): {per} client instructions per full handshake (callgrind, {calls} handshakes)");
    }
    let out = Command::new(&exe)
        .arg("300")
        .output()
        .map_err(|e| format!("run {}: {e}", exe.display()))?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    Ok(())
}

/// Instructions collected inside `client_side` for `n` handshakes.
fn instructions(exe: &Path, work: &Path, n: u64, mode: &str) -> Result<u64, String> {
    let out_file = work.join(format!("callgrind.out.{mode}.{n}"));
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--toggle-collect=*client_side*"])
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(exe)
        .args([n.to_string(), mode.to_string()])
        .output()
        .map_err(|e| format!("cannot run valgrind (apt-get install valgrind): {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("callgrind run failed: {log}"));
    }
    log.lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no instruction count in callgrind's output: {log}"))
}
