//! `cargo xtask idl [--repeat N] [--json OUT] [--idl DIR] PATH...`: loads model files and directories (IDL and
//! JSON AST, mixed) with the IDL loader, reports the shape count and the wall time of each load
//! (the median of N runs), and can write the assembled model as JSON AST or as IDL (one file per namespace). A measurement tool: loading all
//! of the official AWS protocol test models with the trait definitions is the figure issue 11
//! asks for.

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub fn run(args: &[String]) -> Result<(), String> {
    let mut repeat = 1usize;
    let mut json_out: Option<PathBuf> = None;
    let mut idl_out: Option<PathBuf> = None;
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--repeat" => {
                repeat = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--repeat takes a positive number")?;
            }
            "--json" => json_out = Some(it.next().ok_or("--json takes a file")?.into()),
            "--idl" => idl_out = Some(it.next().ok_or("--idl takes a directory")?.into()),
            other if other.starts_with("--") => return Err(format!("idl: unknown option {other}")),
            p => paths.push(PathBuf::from(p)),
        }
    }
    if paths.is_empty() {
        return Err("usage: cargo xtask idl [--repeat N] [--json OUT] [--idl DIR] PATH...".into());
    }
    let mut files = 0;
    for p in &paths {
        files += codegen::idl::model_files(p)
            .map_err(|e| e.to_string())?
            .len();
    }
    let mut times: Vec<Duration> = Vec::with_capacity(repeat);
    let mut doc = serde_json::Value::Null;
    for _ in 0..repeat {
        let start = Instant::now();
        doc = codegen::idl::load_paths(&paths).map_err(|e| e.to_string())?;
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let shapes = doc
        .get("shapes")
        .and_then(serde_json::Value::as_object)
        .map_or(0, serde_json::Map::len);
    println!(
        "idl load: {files} files, {shapes} shapes, {:.1} ms wall (median of {repeat}; read + parse + assemble)",
        median.as_secs_f64() * 1000.0
    );
    if let Some(out) = json_out {
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    if let Some(dir) = idl_out {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (ns, text) in codegen::idl::write::to_idl(&doc).map_err(|e| e.0)? {
            let file = dir.join(format!(
                "{}.smithy",
                if ns.is_empty() { "metadata" } else { &ns }
            ));
            std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
            println!("wrote {}", file.display());
        }
    }
    Ok(())
}
