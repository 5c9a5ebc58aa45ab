//! The results table: rows with both sides, ratio and target, plus the machine, the date and the
//! exact versions, rendered as Markdown.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

/// How a figure is printed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// Seconds.
    Seconds,
    /// Microseconds.
    Micros,
    /// Bytes (printed in MiB with the exact count).
    Bytes,
    /// KiB (printed in MiB).
    KiB,
    /// Instructions.
    Instructions,
    /// Lines.
    Lines,
    /// Nanoseconds.
    Nanos,
    /// Operations per second (higher is better).
    PerSecond,
    /// A plain count (requests, gets).
    Count,
}

/// What a row must reach.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// No target.
    None,
    /// The ratio ours/reference must be at most this.
    RatioAtMost(f64),
    /// Our figure must be below this (same unit as the row).
    OursBelow(f64),
    /// The ratio ours/reference must be at least this (figures where higher is better).
    RatioAtLeast(f64),
    /// The ratio ours/reference must be below this.
    RatioBelow(f64),
}

/// One line of the table. A side is `Err(reason)` when it could not be measured.
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured.
    pub figure: String,
    /// The unit of both sides.
    pub unit: Unit,
    /// Our figure.
    pub ours: Result<f64, String>,
    /// The reference figure.
    pub reference: Result<f64, String>,
    /// The target.
    pub target: Target,
}

impl Row {
    /// The ratio ours/reference when both sides were measured.
    pub fn ratio(&self) -> Option<f64> {
        match (&self.ours, &self.reference) {
            (Ok(o), Ok(r)) if *r != 0.0 => Some(o / r),
            _ => None,
        }
    }

    /// "yes" / "no" / "—" (no target) / "?" (not measured).
    pub fn met(&self) -> &'static str {
        let ok = match self.target {
            Target::None => return "—",
            Target::RatioAtMost(max) => self.ratio().map(|r| r <= max),
            Target::OursBelow(max) => self.ours.as_ref().ok().map(|o| *o < max),
            Target::RatioAtLeast(min) => self.ratio().map(|r| r >= min),
            Target::RatioBelow(max) => self.ratio().map(|r| r < max),
        };
        match ok {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "?",
        }
    }
}

/// Formats a value in its unit.
pub fn fmt_value(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Seconds if v < 1.0 => format!("{:.3} s", v),
        Unit::Seconds => format!("{:.1} s", v),
        Unit::Micros => format!("{:.1} µs", v),
        Unit::Bytes => format!("{:.2} MiB ({})", v / 1048576.0, group(v.round() as u64)),
        Unit::KiB => format!("{:.1} MiB", v / 1024.0),
        Unit::Instructions => group(v.round().max(0.0) as u64),
        Unit::Lines | Unit::Count => group(v.round().max(0.0) as u64),
        Unit::Nanos => format!("{v:.0} ns"),
        Unit::PerSecond => format!("{}/s", group(v.round().max(0.0) as u64)),
    }
}

fn fmt_target(t: Target, unit: Unit) -> String {
    match t {
        Target::None => "—".into(),
        Target::RatioAtMost(m) => format!("ratio ≤ {m}"),
        Target::OursBelow(m) => format!("ours < {}", fmt_value(m, unit)),
        Target::RatioAtLeast(m) => format!("ratio ≥ {m}"),
        Target::RatioBelow(m) => format!("ratio < {m}"),
    }
}

/// 1234567 → "1,234,567".
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn cell(v: &Result<f64, String>, unit: Unit, notes: &mut Vec<String>) -> String {
    match v {
        Ok(x) => fmt_value(*x, unit),
        Err(e) => {
            let i = match notes.iter().position(|n| n == e) {
                Some(i) => i,
                None => {
                    notes.push(e.clone());
                    notes.len() - 1
                }
            };
            format!("n/a [{}]", i + 1)
        }
    }
}

/// Renders the whole document.
pub fn markdown(
    rows: &[Row],
    how: &[String],
    context: &[(String, String)],
    extra_notes: &str,
    partial: bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Benchmarks: generated client vs `aws-sdk-secretsmanager`\n"
    );
    let _ = writeln!(
        s,
        "Written by `cargo xtask bench` (each measurement alone: `cargo xtask bench <build|rebuild|size|cpu|wall|serde|memory|codegen|loc|cache>`). \
         Ratios are ours / reference; lower is better for every figure except those per second (target ratio ≥). \
         The `cache:` rows compare `secretsmanager-cache` with the official `aws_secretsmanager_caching`.\n"
    );
    if partial {
        let _ = writeln!(s, "_Partial run: only some measurements._\n");
    }
    let _ = writeln!(s, "| figure | ours | reference | ratio | target | met? |");
    let _ = writeln!(s, "|---|---:|---:|---:|---|---|");
    let mut notes = Vec::new();
    for r in rows {
        let ours = cell(&r.ours, r.unit, &mut notes);
        let reference = cell(&r.reference, r.unit, &mut notes);
        let ratio = r.ratio().map_or("—".to_owned(), |x| format!("{x:.2}"));
        let _ = writeln!(
            s,
            "| {} | {ours} | {reference} | {ratio} | {} | {} |",
            r.figure,
            fmt_target(r.target, r.unit),
            r.met()
        );
    }
    if !notes.is_empty() {
        let _ = writeln!(s);
        for (i, n) in notes.iter().enumerate() {
            let one_line: String = n.lines().take(6).collect::<Vec<_>>().join(" / ");
            let _ = writeln!(s, "[{}] {}  ", i + 1, one_line.replace('|', "\\|"));
        }
    }
    let _ = writeln!(s, "\n## How each figure was measured\n");
    for h in how {
        let _ = writeln!(s, "- {h}");
    }
    let _ = writeln!(s, "\n## Machine, date and versions\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    for (k, v) in context {
        let _ = writeln!(s, "| {k} | {} |", v.replace('|', "\\|"));
    }
    if !extra_notes.trim().is_empty() {
        let _ = writeln!(s, "\n{}", extra_notes.trim_end());
    }
    s
}

/// Output of a command's first line, or `None`.
pub fn first_line(prog: &str, args: &[&str]) -> Option<String> {
    let o = Command::new(prog).args(args).output().ok()?;
    let s = String::from_utf8_lossy(if o.stdout.is_empty() {
        &o.stderr
    } else {
        &o.stdout
    })
    .into_owned();
    s.lines()
        .next()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
}

/// The machine description: cores, CPU model, memory, kernel, load.
pub fn machine() -> Vec<(String, String)> {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown".to_owned(), |(_, v)| v.trim().to_owned());
    let mem_kib: u64 = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    vec![
        ("cores (nproc)".into(), cores.to_string()),
        ("CPU".into(), model),
        (
            "memory".into(),
            format!("{:.1} GiB", mem_kib as f64 / 1048576.0),
        ),
        (
            "kernel".into(),
            first_line("uname", &["-sr"]).unwrap_or_default(),
        ),
        (
            "load average at start".into(),
            fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ]
}

/// Versions of the named packages as resolved in a Cargo.lock (all versions when a name repeats).
pub fn lock_versions(lock: &Path, names: &[&str]) -> Vec<(String, String)> {
    let packages = lock_packages(lock);
    names
        .iter()
        .map(|&name| {
            let versions: Vec<&str> = packages
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            (
                name.to_owned(),
                if versions.is_empty() {
                    "not in lock file".to_owned()
                } else {
                    versions.join(", ")
                },
            )
        })
        .collect()
}

/// `(name, version)` of every package in a `Cargo.lock`, in file order; none when it cannot be
/// read.
pub fn lock_packages(lock: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(lock).unwrap_or_default();
    let mut out = Vec::new();
    let mut current: Option<&str> = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            current = Some(n.trim_matches('"'));
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), current.take()) {
            out.push((n.to_owned(), v.trim_matches('"').to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_and_met() {
        let mut r = Row {
            figure: "x".into(),
            unit: Unit::Seconds,
            ours: Ok(1.0),
            reference: Ok(4.0),
            target: Target::RatioAtMost(0.33),
        };
        assert_eq!(r.ratio(), Some(0.25));
        assert_eq!(r.met(), "yes");
        r.ours = Ok(2.0);
        assert_eq!(r.met(), "**no**");
        r.ours = Err("missing".into());
        assert_eq!(r.met(), "?");
        let abs = Row {
            figure: "y".into(),
            unit: Unit::Seconds,
            ours: Ok(0.1),
            reference: Err("n/a".into()),
            target: Target::OursBelow(0.2),
        };
        assert_eq!(abs.met(), "yes");
        assert_eq!(abs.ratio(), None);
        let faster = Row {
            figure: "z".into(),
            unit: Unit::PerSecond,
            ours: Ok(50.0),
            reference: Ok(10.0),
            target: Target::RatioAtLeast(5.0),
        };
        assert_eq!(faster.met(), "yes");
        let fewer = Row {
            target: Target::RatioBelow(1.0),
            ..faster.clone()
        };
        assert_eq!(fewer.met(), "**no**");
    }

    #[test]
    fn formats_and_groups() {
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(group(12), "12");
        assert_eq!(fmt_value(1048576.0, Unit::Bytes), "1.00 MiB (1,048,576)");
        assert_eq!(fmt_value(0.1234, Unit::Seconds), "0.123 s");
        assert_eq!(fmt_value(12345678.4, Unit::PerSecond), "12,345,678/s");
        assert_eq!(fmt_value(41.6, Unit::Nanos), "42 ns");
        assert_eq!(fmt_value(1000.0, Unit::Count), "1,000");
    }

    #[test]
    fn markdown_has_table_and_footnotes() {
        let row = |figure: &str, ours: Result<f64, String>, reference: Result<f64, String>| Row {
            figure: figure.into(),
            unit: Unit::Lines,
            ours,
            reference,
            target: Target::None,
        };
        let rows = vec![
            row("f", Err("not built".into()), Ok(10.0)),
            row("g", Err("not built".into()), Err("other".into())),
        ];
        let md = markdown(
            &rows,
            &["how".into()],
            &[("k".into(), "v".into())],
            "## Notes\nn",
            false,
        );
        assert!(md.contains("| f | n/a [1] | 10 | — | — | — |"), "{md}");
        assert!(md.contains("| g | n/a [1] | n/a [2] |"), "{md}");
        assert!(md.contains("[1] not built"));
        assert!(md.contains("[2] other"));
        assert!(!md.contains("[3]"));
        assert!(md.contains("| k | v |"));
        assert!(md.ends_with("## Notes\nn\n"));
    }

    #[test]
    fn reads_lock_versions() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-lock-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let lock = dir.join("Cargo.lock");
        fs::write(&lock, "[[package]]\nname = \"hyper\"\nversion = \"0.14.1\"\n\n[[package]]\nname = \"hyper\"\nversion = \"1.2.0\"\n[[package]]\nname = \"tokio\"\nversion = \"1.0.0\"\n").unwrap();
        let v = lock_versions(&lock, &["hyper", "tokio", "nope"]);
        assert_eq!(v[0].1, "0.14.1, 1.2.0");
        assert_eq!(v[1].1, "1.0.0");
        assert_eq!(v[2].1, "not in lock file");
        let _ = fs::remove_dir_all(dir);
    }
}
