//! Support code for the integration tests: servers the tests start (moto, the project's own stub
//! and fault-injection servers) and data-location helpers. Every server listens on 127.0.0.1 only
//! and is stopped when its handle drops.
//!
//! Module list (each file is owned by the engineer who wrote it; add your `pub mod` line here).

pub mod endpoint_cases;
pub mod fault_server;
pub mod jmespath_oracle;
pub mod model_compare;
pub mod moto;
pub mod scratch;
pub mod stub_server;
pub mod tinyproxy;
pub mod tls_server;

/// The workspace root.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Waits, for real, until `cond` holds, checking every 5 ms; panics naming `what` after 30 s.
/// For a test that must see another task reach a point before it goes on.
pub async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !cond() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// A shared-data directory from `var` (`SMITHY_MODELS_DIR` / `SMITHY_TESTDATA_DIR`), falling back to
/// `../shared/<sub>` beside the workspace. Panics with what is missing and how to fix it: a test
/// without its data fails, it never passes silently.
pub fn data_dir(var: &str, sub: &str) -> std::path::PathBuf {
    let dir = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("..").join("shared").join(sub));
    assert!(
        dir.is_dir(),
        "test data missing: {} does not exist; set {var} to the shared {sub} folder",
        dir.display()
    );
    dir
}

/// Where tests leave their one-line summaries (`target/test-summaries/`): `cargo xtask test`
/// empties it before the run and prints every line after it, so CI's log shows the figures
/// (conformance counts, protocol-suite results) even though passing tests' output is captured.
pub fn summaries_dir() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("test-summaries")
}

/// Prints a summary line and records it under `name` in [`summaries_dir`] for `cargo xtask test`.
pub fn report_summary(name: &str, line: &str) {
    println!("{line}");
    let dir = summaries_dir();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{name}.txt")), format!("{line}\n")));
    if let Err(e) = written {
        eprintln!("cannot record the summary in {}: {e}", dir.display());
    }
}

/// xorshift64*: a deterministic pseudo-random sequence for the bounded fuzz passes (no dependency,
/// the same inputs on every run).
pub struct Rng(u64);

impl Rng {
    /// A sequence from `seed` (0 is replaced by 1: xorshift never leaves 0).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next value.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Every file under `dir` (recursively) whose name ends in `.ext`, sorted. Panics, naming the
/// folder, when it cannot be read: test data that is missing fails the test.
pub fn files_with_extension(dir: &std::path::Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("test data missing: {}: {e}", d.display()));
        for entry in rd {
            let p = entry.expect("directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
