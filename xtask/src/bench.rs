//! `cargo xtask bench [measurement...]`: this project's generated Secrets Manager client vs the
//! official `aws-sdk-secretsmanager`, measured on the same machine in the same run.
//!
//! The two minimal programs live in `bench/ours` and `bench/reference` (standalone cargo
//! projects); scratch target dirs, logs and callgrind files go to `bench-work/` (override with
//! `BENCH_WORK_DIR`). The full run prints the table and writes `docs/benchmarks.md`.

mod cache;
mod concurrency;
mod decode;
mod measure;
mod proc;
mod proto_server;
mod protocols;
mod report;
mod scale;
mod server;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use proc::Cmd;
use report::Row;

/// Every measurement, in the order the full run does them.
const MEASUREMENTS: &[&str] = &[
    "build",
    "rebuild",
    "size",
    "cpu",
    "wall",
    "serde",
    "memory",
    "codegen",
    "loc",
    "cache",
    "protocols",
    "scale",
    "typecheck",
    "concurrency",
];

const USAGE: &str =
    "usage: cargo xtask bench [build|rebuild|size|cpu|wall|serde|memory|codegen|loc|cache|protocols|scale|typecheck|concurrency]... [options]
  (no measurement = all of them; the full run writes docs/benchmarks.md)
       cargo xtask bench decode
  (decode CPU of one large response in rpcv2Cbor and in awsJson 1.1, through generated code)
  protocols: per-call CPU and wall of EKS DescribeCluster, STS GetCallerIdentity, S3 GetObject
  (1 KiB, 8 MiB streamed) and ListObjectsV2 (1,000 keys): bench/protocols-{ours,reference}
  scale: cold build, rebuild, stripped binary of bench/scale/* (DynamoDB, S3, IAM, Connect and
  S3 with 3 operations enabled) vs the official crates; typecheck: `cargo check` of the largest
  generated crates
  concurrency: GetSecretValue calls per second from 1, 16 and 256 tasks on one client with a
  bound of 8 connections: bench/concurrency-{ours,reference}
options:
  --only ours|reference   measure one side only (the other side's cells read n/a)
  --calls N               sequential calls for the wall-time and memory runs (default 2000)
  --callgrind-calls N     calls for the callgrind run, compared with a 1-call run (default 200)
  --nice N                run builds and programs under `nice -n N` (CPU time is unaffected)
  --write / --no-write    force / suppress writing docs/benchmarks.md
environment:
  BENCH_WORK_DIR          scratch directory (default <repo>/bench-work)
  BENCH_CODEGEN_ARGS      xtask arguments that generate Secrets Manager (default `codegen --only secretsmanager`)
  BENCH_SWEEP_ARGS        xtask arguments that generate all models (default `sweep --no-compile`)
  BENCH_SCALE_SERVICES    scale: comma-separated subset of dynamodb,s3,iam,connect,s3-min,
                          floor
  BENCH_TYPECHECK_MODELS  typecheck: comma-separated sweep crates (e.g. sweep_iam) instead of
                          the 3 largest";

/// Command-line options.
#[derive(Debug)]
struct Options {
    measurements: Vec<String>,
    only: Option<usize>,
    calls: u64,
    callgrind_calls: u64,
    nice: Option<i32>,
    write: Option<bool>,
}

fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut o = Options {
        measurements: Vec::new(),
        only: None,
        calls: 2000,
        callgrind_calls: 200,
        nice: None,
        write: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "-h" | "--help" | "help" => return Ok(None),
            "--only" => {
                o.only = Some(match value("--only")?.as_str() {
                    "ours" => OURS,
                    "reference" => REFERENCE,
                    other => return Err(format!("--only {other}: expected ours or reference")),
                })
            }
            "--calls" => o.calls = parse_num(&value("--calls")?, 2)?,
            "--callgrind-calls" => o.callgrind_calls = parse_num(&value("--callgrind-calls")?, 2)?,
            "--nice" => {
                o.nice = Some(
                    value("--nice")?
                        .parse()
                        .map_err(|_| "--nice needs an integer")?,
                )
            }
            "--write" => o.write = Some(true),
            "--no-write" => o.write = Some(false),
            m if MEASUREMENTS.contains(&m) => {
                if !o.measurements.iter().any(|x| x == m) {
                    o.measurements.push(m.to_owned())
                }
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Some(o))
}

fn parse_num(s: &str, min: u64) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(format!("{s:?}: expected an integer ≥ {min}")),
    }
}

/// Index of our side in per-side arrays.
const OURS: usize = 0;
/// Index of the reference side.
const REFERENCE: usize = 1;

/// One of the two minimal programs.
struct Side {
    /// "ours" or "reference".
    name: &'static str,
    /// The cargo project.
    dir: PathBuf,
    /// The main binary's name.
    bin: &'static str,
    /// Its scratch target dir.
    target: PathBuf,
}

impl Side {
    fn exe(&self, bin: &str) -> PathBuf {
        self.target.join("release").join(bin)
    }
}

/// State of one benchmark run.
struct Bench {
    root: PathBuf,
    work: PathBuf,
    opts: Options,
    sides: [Side; 2],
    rows: Vec<Row>,
    how: Vec<String>,
    built: HashSet<(usize, String)>,
    fetched: HashSet<usize>,
}

/// Entry point for `cargo xtask bench ...`.
pub fn run(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("decode") {
        let root = repo_root()?;
        let work = std::env::var_os("BENCH_WORK_DIR")
            .map_or_else(|| root.join("bench-work"), PathBuf::from);
        return decode::run(&root, &work);
    }
    let Some(mut opts) = parse_args(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let all = opts.measurements.is_empty();
    if all {
        opts.measurements = MEASUREMENTS.iter().map(|s| s.to_string()).collect();
    }
    let root = repo_root()?;
    let work =
        std::env::var_os("BENCH_WORK_DIR").map_or_else(|| root.join("bench-work"), PathBuf::from);
    fs::create_dir_all(&work).map_err(|e| format!("create {}: {e}", work.display()))?;
    let sides = [
        Side {
            name: "ours",
            dir: root.join("bench/ours"),
            bin: "bench-ours",
            target: work.join("target-ours"),
        },
        Side {
            name: "reference",
            dir: root.join("bench/reference"),
            bin: "bench-reference",
            target: work.join("target-reference"),
        },
    ];
    let mut b = Bench {
        root,
        work,
        opts,
        sides,
        rows: Vec::new(),
        how: Vec::new(),
        built: HashSet::new(),
        fetched: HashSet::new(),
    };
    let partial = !all || b.opts.only.is_some();
    let context_start = b.context();
    for m in b.opts.measurements.clone() {
        eprintln!("bench: == {m} ==");
        match m.as_str() {
            "build" => b.build(),
            "rebuild" => b.rebuild(),
            "size" => b.size(),
            "cpu" => b.cpu(),
            "wall" => b.wall(),
            "serde" => b.serde(),
            "memory" => b.memory(),
            "codegen" => b.codegen(),
            "loc" => b.loc(),
            "cache" => b.cache(),
            "protocols" => b.protocols(),
            "scale" => b.scale(),
            "typecheck" => b.typecheck(),
            "concurrency" => b.concurrency(),
            _ => unreachable!("checked by parse_args"),
        }
    }
    let mut context = context_start;
    context.extend(b.versions());
    let notes = fs::read_to_string(b.root.join("bench/notes.md")).unwrap_or_default();
    let md = report::markdown(&b.rows, &b.how, &context, &notes, partial);
    println!("{md}");
    let last = b.work.join("last-run.md");
    fs::write(&last, &md).map_err(|e| format!("write {}: {e}", last.display()))?;
    if b.opts.write.unwrap_or(!partial) {
        let doc = b.root.join("docs/benchmarks.md");
        fs::write(&doc, &md).map_err(|e| format!("write {}: {e}", doc.display()))?;
        eprintln!("bench: wrote {}", doc.display());
    } else {
        eprintln!(
            "bench: partial run, docs/benchmarks.md not updated (copy in {}; --write forces it)",
            last.display()
        );
    }
    Ok(())
}

/// The repository root: the parent of xtask's manifest dir.
fn repo_root() -> Result<PathBuf, String> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "cannot locate the repository root".to_owned())
}

impl Bench {
    /// Runs `f` for each selected side; skipped sides get an error cell.
    fn per_side<const K: usize>(
        &mut self,
        mut f: impl FnMut(&mut Bench, usize) -> Result<[f64; K], String>,
    ) -> [Result<[f64; K], String>; 2] {
        let mut out = [
            Err("skipped (--only)".to_owned()),
            Err("skipped (--only)".to_owned()),
        ];
        for (i, slot) in out.iter_mut().enumerate() {
            if self.opts.only.is_some_and(|o| o != i) {
                continue;
            }
            *slot = f(self, i);
            if let Err(e) = slot {
                eprintln!("bench: {} side failed: {e}", self.sides[i].name);
            }
        }
        out
    }

    /// Adds a row from the `k`-th figure of each side's result.
    fn row<const K: usize>(
        &mut self,
        figure: &str,
        unit: report::Unit,
        target: report::Target,
        res: &[Result<[f64; K], String>; 2],
        k: usize,
    ) {
        let pick = |r: &Result<[f64; K], String>| r.as_ref().map(|v| v[k]).map_err(Clone::clone);
        self.rows.push(Row {
            figure: figure.to_owned(),
            unit,
            ours: pick(&res[OURS]),
            reference: pick(&res[REFERENCE]),
            target,
        });
    }

    /// A cargo command for a side's project with its own target dir.
    fn cargo(&self, side: usize, args: &[&str]) -> Cmd {
        self.cargo_for(&self.sides[side], args)
    }

    /// A cargo command for any bench project `s` with its own target dir.
    fn cargo_for(&self, s: &Side, args: &[&str]) -> Cmd {
        self.cargo_at(&s.dir, &s.target, args)
    }

    /// A cargo command for the standalone project in `manifest_dir`, built into `target`, with
    /// no compiler wrapper and this run's `--nice`.
    fn cargo_at(&self, manifest_dir: &Path, target: &Path, args: &[&str]) -> Cmd {
        let mut c = Cmd::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(args.iter().copied())
            .args([
                "--manifest-path".to_owned(),
                manifest_dir.join("Cargo.toml").display().to_string(),
            ])
            .env("CARGO_TARGET_DIR", target.display().to_string())
            .env("CARGO_TERM_COLOR", "never");
        c.env_remove = vec![
            "RUSTC_WRAPPER".into(),
            "CARGO_BUILD_RUSTC_WRAPPER".into(),
            "CARGO_BUILD_TARGET_DIR".into(),
        ];
        c.nice = self.opts.nice;
        c
    }

    fn log(&self, name: &str) -> PathBuf {
        self.work.join("logs").join(name)
    }

    /// `cargo fetch` once per side and run.
    fn fetch(&mut self, side: usize) -> Result<(), String> {
        if self.fetched.contains(&side) {
            return Ok(());
        }
        let s = &self.sides[side];
        if !s.dir.join("Cargo.toml").is_file() {
            return Err(format!("{} is missing", s.dir.join("Cargo.toml").display()));
        }
        eprintln!("bench: cargo fetch ({})", s.name);
        proc::run(
            &self.cargo(side, &["fetch"]),
            &self.log(&format!("fetch-{}.log", s.name)),
            Duration::from_secs(1800),
            false,
        )?;
        self.fetched.insert(side);
        Ok(())
    }

    /// Builds `bin` of a side in release mode unless this run already did.
    fn ensure_built(&mut self, side: usize, bin: &str) -> Result<PathBuf, String> {
        if !self.built.contains(&(side, bin.to_owned())) {
            self.fetch(side)?;
            let name = self.sides[side].name;
            eprintln!("bench: cargo build --release --bin {bin} ({name})");
            let cmd = self.cargo(side, &["build", "--release", "--bin", bin]);
            proc::run(
                &cmd,
                &self.log(&format!("build-{name}-{bin}.log")),
                Duration::from_secs(5400),
                false,
            )?;
            self.built.insert((side, bin.to_owned()));
        }
        let exe = self.sides[side].exe(bin);
        exe.is_file()
            .then_some(exe.clone())
            .ok_or_else(|| format!("{} was not produced", exe.display()))
    }

    /// Context rows known before measuring: date, machine, toolchain, options.
    fn context(&self) -> Vec<(String, String)> {
        let mut c = vec![(
            "date (UTC)".to_owned(),
            report::first_line("date", &["-u", "+%Y-%m-%d %H:%M"]).unwrap_or_default(),
        )];
        c.extend(report::machine());
        for (k, prog, args) in [
            ("rustc", "rustc", &["-V"][..]),
            ("cargo", "cargo", &["-V"][..]),
            ("valgrind", "valgrind", &["--version"][..]),
        ] {
            c.push((
                k.to_owned(),
                report::first_line(prog, args).unwrap_or_else(|| "not found".into()),
            ));
        }
        let commit = report::first_line(
            "git",
            &[
                "-C",
                &self.root.display().to_string(),
                "rev-parse",
                "--short",
                "HEAD",
            ],
        )
        .unwrap_or_default();
        let dirty = report::first_line(
            "git",
            &[
                "-C",
                &self.root.display().to_string(),
                "status",
                "--porcelain",
                "--",
                "runtime",
                "generated",
                "codegen",
                "bench",
            ],
        )
        .is_some();
        c.push((
            "this repository".into(),
            format!(
                "{commit}{}",
                if dirty { " (uncommitted changes)" } else { "" }
            ),
        ));
        let mut o = format!(
            "--calls {} --callgrind-calls {}",
            self.opts.calls, self.opts.callgrind_calls
        );
        if let Some(n) = self.opts.nice {
            o.push_str(&format!(" --nice {n}"));
        }
        if let Ok(f) = std::env::var("RUSTFLAGS") {
            o.push_str(&format!("; RUSTFLAGS={f}"));
        }
        c.push(("options".into(), o));
        c
    }

    /// Versions resolved in the two lock files (read at the end: a build may create them).
    fn versions(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        let refs = [
            "aws-sdk-secretsmanager",
            "aws-config",
            "aws-smithy-runtime",
            "hyper",
            "rustls",
            "tokio",
        ];
        for (k, ver) in report::lock_versions(&self.sides[REFERENCE].dir.join("Cargo.lock"), &refs)
        {
            v.push((format!("reference: {k}"), ver));
        }
        for (k, ver) in report::lock_versions(
            &self.root.join("bench/cache-reference/Cargo.lock"),
            &["aws_secretsmanager_caching"],
        ) {
            v.push((format!("reference: {k}"), ver));
        }
        for (k, ver) in report::lock_versions(
            &self.sides[OURS].dir.join("Cargo.lock"),
            &["secretsmanager", "awsrt", "httparse", "rustls", "tokio"],
        ) {
            v.push((format!("ours: {k}"), ver));
        }
        for (k, ver) in report::lock_versions(
            &self.root.join("bench/protocols-reference/Cargo.lock"),
            &["aws-sdk-eks", "aws-sdk-sts", "aws-sdk-s3"],
        ) {
            v.push((format!("reference (protocols): {k}"), ver));
        }
        for (k, ver) in report::lock_versions(
            &self.root.join("bench/protocols-ours/Cargo.lock"),
            &["awsrt", "httparse", "tokio"],
        ) {
            v.push((format!("ours (protocols): {k}"), ver));
        }
        v.extend(self.scale_versions());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_measurements_and_options() {
        let o = parse_args(&s(&[
            "cpu",
            "size",
            "cpu",
            "--only",
            "reference",
            "--calls",
            "50",
            "--nice",
            "19",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(o.measurements, vec!["cpu", "size"]);
        assert_eq!(o.only, Some(REFERENCE));
        assert_eq!(o.calls, 50);
        assert_eq!(o.nice, Some(19));
        assert!(parse_args(&s(&["bogus"]))
            .unwrap_err()
            .contains("unknown argument"));
        assert!(parse_args(&s(&["--calls", "1"])).is_err());
        assert!(parse_args(&s(&["--only", "both"])).is_err());
        assert!(parse_args(&s(&["--help"])).unwrap().is_none());
        assert!(parse_args(&[]).unwrap().unwrap().measurements.is_empty());
    }

    #[test]
    fn repo_root_holds_the_bench_projects() {
        let root = repo_root().unwrap();
        assert!(root.join("bench/reference/Cargo.toml").is_file());
        assert!(root.join("bench/ours/Cargo.toml").is_file());
        assert!(root.join("bench/cache-ours/Cargo.toml").is_file());
        assert!(root.join("bench/cache-reference/Cargo.toml").is_file());
        assert!(root.join("bench/concurrency-ours/Cargo.lock").is_file());
        assert!(root
            .join("bench/concurrency-reference/Cargo.lock")
            .is_file());
    }
}
