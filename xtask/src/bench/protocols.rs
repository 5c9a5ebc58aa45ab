//! `cargo xtask bench protocols`: per-call client CPU (callgrind instructions) and wall time of
//! one representative call per protocol, the generated clients (`bench/protocols-ours`) against
//! the official AWS SDK for Rust (`bench/protocols-reference`), both talking to the canned
//! server of [`super::proto_server`]. Same method as the `cpu` and `wall` measurements.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::measure::{REPEAT, RUN_TIMEOUT};
use super::proc;
use super::proto_server::{self, ProtoOp, ProtoServer};
use super::report::{Target, Unit};
use super::{Bench, Side};

/// One measured call: the operation, its row label, and how much fewer calls than the
/// `--callgrind-calls` / `--calls` options its runs make (large responses take longer).
struct Case {
    op: ProtoOp,
    label: &'static str,
    callgrind_divisor: u64,
    wall_divisor: u64,
}

const CASES: [Case; 5] = [
    Case {
        op: ProtoOp::EksDescribeCluster,
        label: "EKS DescribeCluster (restJson1)",
        callgrind_divisor: 1,
        wall_divisor: 1,
    },
    Case {
        op: ProtoOp::StsGetCallerIdentity,
        label: "STS GetCallerIdentity (awsQuery)",
        callgrind_divisor: 1,
        wall_divisor: 1,
    },
    Case {
        op: ProtoOp::S3GetSmall,
        label: "S3 GetObject 1 KiB (restXml)",
        callgrind_divisor: 1,
        wall_divisor: 1,
    },
    Case {
        op: ProtoOp::S3GetLarge,
        label: "S3 GetObject 8 MiB streamed (restXml)",
        callgrind_divisor: 10,
        wall_divisor: 20,
    },
    Case {
        op: ProtoOp::S3List,
        label: "S3 ListObjectsV2 1,000 keys (restXml)",
        callgrind_divisor: 4,
        wall_divisor: 4,
    },
];

/// `base / divisor`, at least 2 (one call is the baseline).
fn calls(base: u64, divisor: u64) -> u64 {
    (base / divisor).max(2)
}

impl Bench {
    /// The protocols program of a side (`OURS` or `REFERENCE`).
    fn protocols_side(&self, side: usize) -> Side {
        let name = self.sides[side].name;
        Side {
            name,
            dir: self.root.join(format!("bench/protocols-{name}")),
            bin: if side == super::OURS {
                "protocols-ours"
            } else {
                "protocols-reference"
            },
            target: self.work.join(format!("target-protocols-{name}")),
        }
    }

    /// Builds a side's protocols program in release mode unless this run already did.
    fn protocols_exe(&mut self, side: usize) -> Result<PathBuf, String> {
        let s = self.protocols_side(side);
        let key = (side, s.bin.to_owned());
        if !self.built.contains(&key) {
            if !s.dir.join("Cargo.toml").is_file() {
                return Err(format!("{} is missing", s.dir.join("Cargo.toml").display()));
            }
            eprintln!("bench: cargo build --release --bin {} ({})", s.bin, s.name);
            proc::run(
                &self.cargo_for(&s, &["build", "--release", "--bin", s.bin]),
                &self.log(&format!("build-{}.log", s.bin)),
                Duration::from_secs(5400),
                false,
            )?;
            self.built.insert(key);
        }
        let exe = s.exe(s.bin);
        exe.is_file()
            .then_some(exe.clone())
            .ok_or_else(|| format!("{} was not produced", exe.display()))
    }

    /// Runs `exe` making `n` calls of `op` (under callgrind when asked) and checks the server
    /// answered exactly `n` requests of that operation and no error. Returns the instruction
    /// count or the wall seconds.
    fn protocols_run(
        &self,
        exe: &Path,
        op: ProtoOp,
        n: u64,
        callgrind: bool,
        server: &ProtoServer,
    ) -> Result<f64, String> {
        let args = [op.arg().to_owned(), n.to_string(), server.url()];
        let cmd = self.client_cmd_at(exe, &args, &server.url())?;
        let bin = exe
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or("program");
        let tag = format!("{bin}-{}-{n}", op.arg());
        let (before, errors_before) = (server.counts().of(op), server.counts().errors());
        let figure = if callgrind {
            let dir = self.work.join("callgrind");
            fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
            let out = dir.join(format!("callgrind.out.{tag}"));
            let log = self.log(&format!("callgrind-{tag}.log"));
            proc::callgrind(&cmd, &out, &log, RUN_TIMEOUT)? as f64
        } else {
            proc::run(
                &cmd,
                &self.log(&format!("run-{tag}.log")),
                RUN_TIMEOUT,
                false,
            )?
            .wall
        };
        let seen = server.counts().of(op) - before;
        let errors = server.counts().errors() - errors_before;
        if seen != n || errors != 0 {
            return Err(format!(
                "{bin} {}: expected {n} requests, the server answered {seen} (and {errors} errors)",
                op.arg()
            ));
        }
        Ok(figure)
    }

    /// Per-call instructions and wall time of each protocol's representative call.
    pub(super) fn protocols(&mut self) {
        let server = match ProtoServer::start() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("bench: cannot start the canned protocols server: {e}");
                self.how
                    .push(format!("(canned protocols server failed to start: {e})"));
                return;
            }
        };
        eprintln!("bench: canned protocols server on {}", server.url());
        let (cg_base, wall_base) = (self.opts.callgrind_calls, self.opts.calls);
        for case in &CASES {
            let (cg_n, wall_n) = (
                calls(cg_base, case.callgrind_divisor),
                calls(wall_base, case.wall_divisor),
            );
            eprintln!("bench: protocols: {}", case.label);
            let res = self.per_side(|b, side| {
                let exe = b.protocols_exe(side)?;
                let one = b.protocols_run(&exe, case.op, 1, true, &server)?;
                let many = b.protocols_run(&exe, case.op, cg_n, true, &server)?;
                let (mut ones, mut manys) = (Vec::new(), Vec::new());
                for _ in 0..REPEAT {
                    ones.push(b.protocols_run(&exe, case.op, 1, false, &server)?);
                    manys.push(b.protocols_run(&exe, case.op, wall_n, false, &server)?);
                }
                let (w1, wn) = (proc::median(ones), proc::median(manys));
                Ok([
                    (many - one) / (cg_n - 1) as f64,
                    (wn - w1) / (wall_n - 1) as f64 * 1e6,
                ])
            });
            self.row(
                &format!("CPU per call, {} (instructions)", case.label),
                Unit::Instructions,
                Target::RatioAtMost(0.25),
                &res,
                0,
            );
            self.row(
                &format!("wall per call, {}", case.label),
                Unit::Micros,
                Target::None,
                &res,
                1,
            );
        }
        let counts: Vec<String> = CASES
            .iter()
            .map(|c| {
                format!(
                    "{} {}/{}",
                    c.op.arg(),
                    calls(cg_base, c.callgrind_divisor),
                    calls(wall_base, c.wall_divisor)
                )
            })
            .collect();
        self.how.push(format!(
            "Protocols: `bench/protocols-ours` (generated `eks`, `sts`, `s3` crates) and `bench/protocols-reference` (`aws-sdk-eks`, `aws-sdk-sts`, `aws-sdk-s3` + `aws-config`), one binary each taking (operation, N, endpoint), one client, N sequential calls, current-thread tokio runtime, static credentials, us-east-1, against a canned std-only server inside xtask on 127.0.0.1 (keep-alive, correct Content-Length, `x-amzn-RequestId` / `x-amz-request-id` + `x-amz-id-2` headers as the services send). Responses: DescribeCluster {} B of JSON (`GET /clusters/{{name}}`); GetCallerIdentity {} B of XML (`POST /`, form body); GetObject {} B and {} MiB bodies, the 8 MiB one read chunk by chunk through the output's byte stream and counted, never collected; ListObjectsV2 a truncated page of {} keys, {} KiB of XML. S3 is path-style on both sides (`force_path_style(true)`); checksum settings are left at their defaults: the canned GetObject answers carry no `x-amz-checksum-*` header, so neither side validates a body checksum. CPU per call: callgrind instructions of an N-call run minus a 1-call run, divided by N − 1, client process only; wall per call: median of {REPEAT} whole-process runs of N minus the median of {REPEAT} runs of 1, divided by N − 1. N (callgrind/wall) per operation: {}.",
            proto_server::describe_cluster_body().len(),
            proto_server::get_caller_identity_body().len(),
            proto_server::SMALL_OBJECT,
            proto_server::LARGE_OBJECT / (1024 * 1024),
            proto_server::LIST_KEYS,
            proto_server::list_objects_v2_body().len() / 1024,
            counts.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_counts_scale_down_but_keep_a_baseline() {
        assert_eq!(calls(200, 1), 200);
        assert_eq!(calls(200, 10), 20);
        assert_eq!(calls(2, 20), 2);
        assert_eq!(CASES.len(), ProtoOp::ALL.len());
        for (c, op) in CASES.iter().zip(ProtoOp::ALL) {
            assert_eq!(c.op, op);
        }
    }

    #[test]
    fn both_protocols_projects_exist_with_lock_files() {
        let root = super::super::repo_root().unwrap();
        for side in ["ours", "reference"] {
            let dir = root.join(format!("bench/protocols-{side}"));
            let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
            assert!(manifest.contains("[workspace]"), "{side}: own workspace");
            assert!(dir.join("Cargo.lock").is_file(), "{side}: Cargo.lock");
            let main = fs::read_to_string(dir.join("src/main.rs")).unwrap();
            for op in ProtoOp::ALL {
                assert!(
                    main.contains(&format!("\"{}\"", op.arg())),
                    "{side}: {op:?}"
                );
            }
        }
    }
}
