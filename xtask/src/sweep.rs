//! `cargo xtask sweep`: generate a crate for every model in `$SMITHY_MODELS_DIR` (and its `aws/`
//! and `aws-rest-json/` folders: the protocols the generator speaks) into a scratch directory,
//! then type-check them. Prints one line per failure, then `generated N/M, compiled K/M` and
//! `behaviours: waiters H/A, ...`: over the generated models, what the generated crates handle
//! (H) of what the models ask for (A) beyond plain calls ([`codegen::behaviours`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{env_dir, root};

struct Options {
    compile: Option<Vec<String>>,
    no_compile: bool,
    models: Option<PathBuf>,
    /// `--shard K/N`: type-check only the K-th of N equal slices of the crates (1-based), so
    /// the full compile can run in batches.
    shard: Option<(usize, usize)>,
    /// `--serde`: after type-checking, run each compiled crate's serde round trips
    /// (`cargo test --features serde --lib serde_tests`).
    serde: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        compile: None,
        no_compile: false,
        models: None,
        shard: None,
        serde: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-compile" => o.no_compile = true,
            "--serde" => o.serde = true,
            "--compile" => {
                let v = it
                    .next()
                    .ok_or("--compile needs a comma-separated list of model names")?;
                o.compile = Some(
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                );
            }
            "--shard" => {
                let v = it.next().ok_or("--shard needs K/N, e.g. 1/4")?;
                let (k, n) = v
                    .split_once('/')
                    .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
                    .filter(|(k, n)| *n > 0 && (1..=*n).contains(k))
                    .ok_or_else(|| format!("--shard {v}: expected K/N with 1 <= K <= N"))?;
                o.shard = Some((k, n));
            }
            "--models" => {
                o.models = Some(PathBuf::from(
                    it.next().ok_or("--models needs a directory")?,
                ))
            }
            other => return Err(format!("sweep: unknown argument `{other}`")),
        }
    }
    Ok(o)
}

/// The subfolders of the models directory whose models the sweep covers (awsJson, restJson1).
pub const MODEL_SUBDIRS: &[&str] = &["aws", "aws-rest-json", "aws-query", "aws-rest-xml"];

/// Model files in the directory and its [`MODEL_SUBDIRS`], sorted.
pub fn model_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let dirs = std::iter::once(dir.to_path_buf()).chain(MODEL_SUBDIRS.iter().map(|d| dir.join(d)));
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json" || x == "smithy") {
                out.push(p);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(format!(
            "no model files (*.json, *.smithy) in {} or its {} folders",
            dir.display(),
            MODEL_SUBDIRS.join(", ")
        ));
    }
    Ok(out)
}

/// The crate name used for a model file in the sweep.
pub fn crate_name_for(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    // Drop the API version suffix (`kms-2014-11-01` → `kms`).
    let parts: Vec<&str> = stem.split('-').collect();
    let base = if parts.len() > 3
        && parts[parts.len() - 3].len() == 4
        && parts[parts.len() - 3].chars().all(|c| c.is_ascii_digit())
    {
        parts[..parts.len() - 3].join("_")
    } else {
        parts.join("_")
    };
    format!("sweep_{base}")
}

/// Generates the crate `name` from one model file (JSON AST, or Smithy IDL for `.smithy`), its
/// `Cargo.toml` pointing at the runtime crate at `runtime_path` (relative to the crate directory,
/// or absolute).
pub fn generate_model(
    f: &Path,
    name: &str,
    runtime_path: &str,
) -> Result<codegen::Generated, String> {
    let opts = codegen::CrateOptions {
        runtime_path: runtime_path.to_owned(),
        ..Default::default()
    };
    let source = f.display().to_string();
    if f.extension().is_some_and(|x| x == "smithy") {
        codegen::idl::load_paths(std::slice::from_ref(&f.to_path_buf()))
    } else {
        std::fs::read(f)
            .map_err(|e| codegen::CodegenError::model(format!("{source}: {e}")))
            .and_then(|bytes| {
                serde_json::from_slice(&bytes).map_err(|e| {
                    codegen::CodegenError::model(format!(
                        "{source}: malformed JSON at line {}, column {}: {e}",
                        e.line(),
                        e.column()
                    ))
                })
            })
    }
    .and_then(|doc| codegen::generate(&doc, &source, None, name, &opts))
    .map_err(|e| e.to_string())
}

/// Runs the sweep.
pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    let root = root();
    let models_dir = opts
        .models
        .clone()
        .or_else(|| env_dir("SMITHY_MODELS_DIR"))
        .ok_or("set SMITHY_MODELS_DIR (e.g. ../shared/models) or pass --models DIR")?;
    let files = model_files(&models_dir)?;
    let scratch = root.join("target/sweep");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let runtime = root.join("runtime");
    let total = files.len();
    let mut generated = Vec::new();
    let mut failures = 0;
    let start = Instant::now();
    let mut lines = 0usize;
    let mut notes = 0usize;
    let verbose_notes = std::env::var_os("SWEEP_NOTES").is_some();
    // Models are independent: generate them on every core, then report in file order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    type ModelResult = Result<(usize, Vec<String>, codegen::behaviours::Behaviours), String>;
    let results: std::sync::Mutex<Vec<(usize, ModelResult)>> = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(f) = files.get(i) else { break };
                let name = crate_name_for(f);
                let generated = generate_model(f, &name, &runtime.display().to_string());
                let result = generated.and_then(|g| {
                    let dir = scratch.join(&name);
                    codegen::write::write_tree(&dir, &g.files, false)
                        .map_err(|e| format!("{}: {e}", dir.display()))?;
                    Ok((
                        g.files.values().map(|t| t.lines().count()).sum::<usize>(),
                        g.notes,
                        g.behaviours,
                    ))
                });
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, result));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    let mut behaviours = codegen::behaviours::Behaviours::default();
    for (i, result) in results {
        let f = &files[i];
        match result {
            Ok((n, model_notes, model_behaviours)) => {
                lines += n;
                behaviours.add(&model_behaviours);
                notes += model_notes.len();
                if verbose_notes {
                    for note in model_notes {
                        println!("note {}: {note}", f.display());
                    }
                }
                generated.push((crate_name_for(f), f.clone()));
            }
            Err(e) => {
                failures += 1;
                println!("FAILED generate {}: {e}", f.display());
            }
        }
    }
    let gen_time = start.elapsed();
    eprintln!(
        "generation: {} models in {:.2} s ({} lines of Rust; {notes} examples or smoke tests left out, SWEEP_NOTES=1 lists them)",
        generated.len(),
        gen_time.as_secs_f64(),
        lines
    );
    let _ = failures;
    let to_compile: Vec<&(String, PathBuf)> = match (&opts.compile, opts.no_compile) {
        (_, true) => Vec::new(),
        (None, false) => generated.iter().collect(),
        (Some(list), false) => {
            for want in list {
                if !generated
                    .iter()
                    .any(|(n, _)| n == &format!("sweep_{}", want.replace('-', "_")))
                {
                    return Err(format!(
                        "--compile {want}: no generated crate for that model"
                    ));
                }
            }
            generated
                .iter()
                .filter(|(n, _)| {
                    list.iter()
                        .any(|w| n == &format!("sweep_{}", w.replace('-', "_")))
                })
                .collect()
        }
    };
    let to_compile: Vec<&(String, PathBuf)> = match opts.shard {
        Some((k, n)) => {
            let per = to_compile.len().div_ceil(n);
            to_compile
                .into_iter()
                .skip((k - 1) * per)
                .take(per)
                .collect()
        }
        None => to_compile,
    };
    let compiled = if to_compile.is_empty() {
        0
    } else {
        compile(&scratch, &to_compile)?
    };
    if opts.no_compile {
        println!("generated {}/{total}, compiled skipped", generated.len());
    } else {
        println!(
            "generated {}/{total}, compiled {compiled}/{}",
            generated.len(),
            to_compile.len()
        );
    }
    println!("{}", behaviours.line());
    if generated.len() != total || (!opts.no_compile && compiled != to_compile.len()) {
        return Err("sweep found failures".to_string());
    }
    if opts.serde && !to_compile.is_empty() {
        serde_round_trips(&scratch, to_compile.len())?;
    }
    Ok(())
}

/// Runs the generated serde round-trip tests of every crate of the scratch workspace (the one
/// [`compile`] wrote).
fn serde_round_trips(scratch: &Path, crates: usize) -> Result<(), String> {
    let start = Instant::now();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(scratch)
        .args([
            "test",
            "--workspace",
            "--features",
            "serde",
            "--lib",
            "--quiet",
            "serde_tests",
        ])
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let passed = stdout
        .lines()
        .filter(|l| l.starts_with("test result: ok"))
        .count();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "serde round trips failed:\n{}\n{}",
            stdout
                .lines()
                .filter(|l| l.contains("FAILED") || l.contains("panicked"))
                .take(20)
                .collect::<Vec<_>>()
                .join("\n"),
            stderr.lines().take(20).collect::<Vec<_>>().join("\n")
        ));
    }
    println!(
        "serde round trips: {passed}/{crates} crates passed in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    if passed != crates {
        return Err(format!(
            "serde round trips: only {passed} of {crates} crates ran them"
        ));
    }
    Ok(())
}

/// `cargo check` over a scratch workspace of the given crates; returns how many compiled cleanly
/// (no errors and no warnings).
fn compile(scratch: &Path, crates: &[&(String, PathBuf)]) -> Result<usize, String> {
    let members: Vec<String> = crates.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let toml = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
        members.join(", ")
    );
    std::fs::write(scratch.join("Cargo.toml"), toml).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(scratch)
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format",
            "short",
            "--quiet",
        ])
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        // Hundreds of crates checked once: incremental caches would only fill the disk.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut bad: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stderr.lines() {
        // Short messages look like `sweep_x/src/lib.rs:1:2: warning: ...`.
        if let Some(first) = line.split('/').next() {
            if crates.iter().any(|(n, _)| n == first)
                && (line.contains(": error") || line.contains(": warning"))
            {
                bad.entry(first.to_string())
                    .or_default()
                    .push(line.to_string());
            }
        }
        if let Some(rest) = line.strip_prefix("error: could not compile `") {
            let n = rest.split('`').next().unwrap_or_default().to_string();
            bad.entry(n).or_default().push(line.to_string());
        }
    }
    for (n, msgs) in &bad {
        println!(
            "FAILED compile {n}: {} problem(s); first: {}",
            msgs.len(),
            msgs.first().map(String::as_str).unwrap_or("")
        );
    }
    if !out.status.success() && bad.is_empty() {
        return Err(format!(
            "cargo check failed: {}",
            stderr.lines().take(20).collect::<Vec<_>>().join("\n")
        ));
    }
    eprintln!(
        "type-check: {} crate(s) in {:.1} s",
        crates.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(crates.iter().filter(|(n, _)| !bad.contains_key(n)).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_drop_the_api_version() {
        assert_eq!(
            crate_name_for(Path::new("aws/kms-2014-11-01.json")),
            "sweep_kms"
        );
        assert_eq!(
            crate_name_for(Path::new("aws/acm-pca-2017-08-22.json")),
            "sweep_acm_pca"
        );
        assert_eq!(
            crate_name_for(Path::new("secretsmanager.json")),
            "sweep_secretsmanager"
        );
    }
}
