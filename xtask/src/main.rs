//! `cargo xtask`: the project's command line. Thin: the logic lives in the `codegen` library.
//!
//! ```text
//! cargo xtask codegen [--check] [--only a,b]
//!                                        regenerate generated/ (and the runtime's partitions
//!                                        table), or only the crates named
//! cargo xtask sweep [--no-compile] [--compile a,b] [--shard K/N] [--serde] [--models DIR]
//!                                        generate (and type-check) a crate for every model
//! cargo xtask test                       the whole test suite (what CI runs)
//! cargo xtask bench [measurement...]     benchmarks against the official SDK (not in CI)
//! cargo xtask idl [--repeat N] [--json OUT] PATH...
//!                                        load IDL/JSON model files, report shapes and load time
//! cargo xtask latest-deps [--no-check]   newest compatible dependencies: what changed, and a
//!                                        check of the workspace with warnings denied
//! cargo xtask handshake [--calls N]      client CPU per TLS handshake, post-quantum on and off
//! ```

mod bench;
mod handshake;
mod idl;
mod latest_deps;
mod sweep;
mod testcmd;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::manifest::{self, Lookup, Manifest};

/// `syn` allocates for nearly every token it looks at (identifiers are cloned to be compared), so
/// the generator spends a large share of its time in the allocator: mimalloc makes a whole-sweep
/// run about 10 % faster than glibc's malloc on two threads. Only the command-line tool sets it;
/// the `codegen` library leaves the allocator to its caller.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the same index in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // The generator frees and reallocates hundreds of MiB per large model; by default mimalloc
    // hands freed pages back to the OS after 10 ms and takes page faults (and the kernel's page
    // zeroing) to get them again. Keeping them: a sweep of the five largest models took 42,000
    // page faults instead of 440 (`perf stat`), for 60 MiB more peak memory.
    // SAFETY: sets a process-wide allocator option, before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen_cmd(&args[1..]),
        Some("sweep") => sweep::run(&args[1..]),
        Some("test") => testcmd::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("idl") => idl::run(&args[1..]),
        Some("latest-deps") => latest_deps::run(&args[1..]),
        Some("handshake") => handshake::run(&args[1..]),
        _ => Err("usage: cargo xtask <codegen [--check] [--only a,b] | sweep [--no-compile] [--compile a,b] [--serde] | test | bench [what...] | idl PATH... | latest-deps | handshake>".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of `xtask/`), or `$XTASK_ROOT` (tests run the generator on a
/// scratch tree that way).
pub fn root() -> PathBuf {
    if let Some(r) = env_dir("XTASK_ROOT") {
        return r;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `$name` as a path (relative values are taken from the current directory).
///
/// `SMITHY_MODELS_DIR` and `SMITHY_TESTDATA_DIR` default to `../shared/models` and
/// `../shared/testdata` beside the workspace when those folders exist, so a checkout next to the
/// shared data needs no set-up.
pub fn env_dir(name: &str) -> Option<PathBuf> {
    let set = std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    set.or_else(|| {
        let sub = match name {
            "SMITHY_MODELS_DIR" => "models",
            "SMITHY_TESTDATA_DIR" => "testdata",
            _ => return None,
        };
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared")
            .join(sub);
        dir.is_dir().then_some(dir)
    })
}

fn codegen_cmd(args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut only: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--only" => {
                let list = it
                    .next()
                    .ok_or("codegen: --only needs a comma-separated list of crate names")?;
                only = Some(list.split(',').map(|s| s.trim().to_owned()).collect());
            }
            other => return Err(format!("codegen: unknown argument `{other}`")),
        }
    }
    let start = Instant::now();
    let root = root();
    let outputs = generate_all(&root, only.as_deref())?;
    let mut stale = Vec::new();
    let mut written = 0;
    for (dir, files) in &outputs {
        let report = codegen::write::write_tree(dir, files, check)
            .map_err(|e| format!("writing {}: {e}", dir.display()))?;
        written += report.written.len();
        stale.extend(report.stale().into_iter().cloned());
        if !check {
            for p in &report.removed {
                eprintln!("removed {}", p.display());
            }
        }
    }
    let elapsed = start.elapsed();
    if check {
        if !stale.is_empty() {
            let list: Vec<String> = stale
                .iter()
                .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
                .collect();
            return Err(format!(
                "generated code is stale; run `cargo xtask codegen`. Differs: {}",
                list.join(", ")
            ));
        }
        eprintln!(
            "generated code is up to date ({:.0} ms)",
            elapsed.as_secs_f64() * 1000.0
        );
    } else {
        eprintln!(
            "codegen: {written} file(s) written in {:.0} ms",
            elapsed.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

/// Renders every output of the manifest in memory: `(directory, files relative to it)`.
/// Nothing is written here, so a broken model leaves the tree exactly as it was.
/// Rendered outputs: `(directory, files relative to it)`.
pub type Outputs = Vec<(PathBuf, BTreeMap<String, String>)>;

/// With `only`, just those crates (by crate name; an unknown name is an error) and not the
/// partitions table.
pub fn generate_all(root: &Path, only: Option<&[String]>) -> Result<Outputs, String> {
    let manifest = Manifest::load(&root.join("model/manifest.json"))?;
    if let Some(names) = only {
        if let Some(bad) = names
            .iter()
            .find(|n| !manifest.services.iter().any(|e| &e.crate_name == *n))
        {
            return Err(format!(
                "codegen: --only {bad}: no such crate in model/manifest.json"
            ));
        }
    }
    let wanted = |name: &str| only.is_none_or(|names| names.iter().any(|n| n == name));
    let lookup = Lookup {
        local_dir: root.join("model"),
        models_dir: env_dir("SMITHY_MODELS_DIR"),
        url_template: std::env::var("SMITHY_MODELS_URL")
            .unwrap_or_else(|_| manifest::DEFAULT_URL.to_string()),
        allow_download: true,
    };
    let mut outputs = Vec::new();
    for entry in manifest.services.iter().filter(|e| wanted(&e.crate_name)) {
        let opts = codegen::CrateOptions {
            runtime_path: relative_runtime(&entry.output),
            ..Default::default()
        };
        let service = entry.service.as_deref();
        let files = if entry.is_idl() {
            let path = manifest::locate_idl(entry, &lookup)?;
            let source = path.display().to_string();
            let doc = codegen::idl::load_paths(&[path]).map_err(|e| e.to_string())?;
            codegen::generate(&doc, &source, service, &entry.crate_name, &opts)
                .map_err(|e| format!("{source}: {e}"))?
        } else {
            let (bytes, path) = manifest::locate(entry, &lookup)?;
            let source = path.display().to_string();
            let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "{source}: malformed JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                )
            })?;
            codegen::generate(&doc, &source, service, &entry.crate_name, &opts)
                .map_err(|e| format!("{source}: {e}"))?
        };
        for note in &files.notes {
            eprintln!("note: {}: {note}", entry.crate_name);
        }
        outputs.push((root.join(&entry.output), files.files));
    }
    if let Some(p) = manifest.partitions.as_ref().filter(|_| only.is_none()) {
        let dir = env_dir("SMITHY_TESTDATA_DIR").ok_or_else(|| {
            format!("the partitions table needs {} from the test data: set SMITHY_TESTDATA_DIR (e.g. ../shared/testdata)", p.testdata_path)
        })?;
        let src = dir.join(&p.testdata_path);
        let bytes = std::fs::read(&src).map_err(|e| {
            format!(
                "cannot read {}: {e} (set SMITHY_TESTDATA_DIR)",
                src.display()
            )
        })?;
        let got = manifest::sha256_hex(&bytes);
        if got != p.sha256 {
            return Err(format!(
                "{}: sha256 is {got}, the manifest pins {}",
                src.display(),
                p.sha256
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8", src.display()))?;
        let rust =
            codegen::partitions::generate(&text).map_err(|e| format!("{}: {e}", src.display()))?;
        outputs.push(single_file(&root.join(&p.output), rust));
    }
    if let Some(entry) = &manifest.idl_standard {
        let dir = env_dir("SMITHY_TESTDATA_DIR").ok_or_else(|| {
            format!("the IDL loader's standard shapes need {} from the test data: set SMITHY_TESTDATA_DIR (e.g. ../shared/testdata)", entry.testdata_path)
        })?;
        let src = dir.join(&entry.testdata_path);
        let mut sources = Vec::new();
        for f in codegen::idl::model_files(&src).map_err(|e| e.to_string())? {
            if f.extension().is_some_and(|e| e == "smithy") {
                let text = std::fs::read_to_string(&f)
                    .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
                sources.push(codegen::idl::Source {
                    name: f.display().to_string(),
                    text,
                });
            }
        }
        if sources.is_empty() {
            return Err(format!(
                "{}: no .smithy trait definitions found",
                src.display()
            ));
        }
        let rust = codegen::idl::standard::generate(&sources).map_err(|e| e.to_string())?;
        outputs.push(single_file(&root.join(&entry.output), rust));
    }
    Ok(outputs)
}

/// One generated file as an output: its folder and its name in that folder.
fn single_file(path: &Path, text: String) -> (PathBuf, BTreeMap<String, String>) {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    (dir, BTreeMap::from([(name, text)]))
}

/// `generated/secretsmanager` → `../../runtime`.
fn relative_runtime(output: &str) -> String {
    let depth = output.split('/').filter(|s| !s.is_empty()).count();
    format!("{}runtime", "../".repeat(depth))
}
