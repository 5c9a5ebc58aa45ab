//! No secret left behind in freed memory (issue 18).
//!
//! A test-only global allocator records where every block allocated on the client's thread was
//! allocated (a backtrace, resolved only when needed) and, when the block is freed (or moved by
//! `realloc`), scans it for canary secrets. The client (a generated Secrets Manager client on
//! a current-thread tokio runtime on this thread) drives CreateSecret, PutSecretValue,
//! UpdateSecret, GetSecretValue and BatchGetSecretValue with canary values (plain and
//! JSON-escaped strings, a 20 KB string, a binary secret), with a connection reset and a retry
//! in some of them, against the project's fault server (its own runtime and threads, whose
//! blocks are not tracked); then the same through the mock transport; then over HTTPS through a
//! TLS-terminating proxy (`secret_memory/tls_proxy.py`, Python's `ssl`; certificate made with
//! the `openssl` command).
//!
//! Every freed block that still held a canary is reported with its allocation site (the first
//! frame outside the allocator, `std` and `bytes`) and counted by the crate that owns that
//! site. The client's own path (`awsrt`, the generated crate) must have none, over HTTP, the
//! mock transport and HTTPS alike; what dependencies leave (hyper's connection read buffer,
//! rustls's plaintext buffers) is reported by name and counted in the summary line.
//!
//! Run: `cargo test -p integration-tests --test secret_memory -- --nocapture`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::backtrace::Backtrace;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use awsrt::http::HyperTransport;
use awsrt::test_util::{test_config, MockTransport, Rule};
use integration_tests::fault_server::{Fault, FaultServer};
use secretsmanager::config::RetryConfig;
use secretsmanager::{Client, Config};

// ---------------------------------------------------------------------------------------------
// The canaries. Every one starts with HEAD and ends with TAIL, so a partial copy is found too.

const HEAD: &[u8] = b"cAnArY9z";
const TAIL: &[u8] = b"z9YrAnAc";
/// A secret string JSON carries as is.
const PLAIN: &str = "cAnArY9z-plain-secret-0123456789-z9YrAnAc";
/// A secret string JSON must escape: quotes, backslashes, control characters, non-ASCII.
const ESCAPED: &str = "cAnArY9z-\"quoted\"\\back\\slash\n\t\u{1}-\u{e9}\u{2713}-z9YrAnAc";
/// ESCAPED as the server sends it: every escape JSON has, `\u` ones included.
const ESCAPED_WIRE: &str = r#"cAnArY9z-\"quoted\"\\back\\slash\n\t\u0001-\u00e9\u2713-z9YrAnAc"#;
/// A secret binary: HEAD, bytes that are not text, TAIL at an offset divisible by 3 (so its
/// base64 form is the same wherever the blob is encoded).
const BINARY: &[u8] = b"cAnArY9z!\x00\xff\x10\x80\x7f\x01z9YrAnAc!";

/// The length of [`large`].
const LARGE_LEN: usize = 20_025;

/// A 20 KB secret with escapes throughout: grows every buffer it passes through. Built once,
/// before tracking starts; each call takes a copy of exactly its length.
fn large() -> String {
    static LARGE: OnceLock<String> = OnceLock::new();
    let s = LARGE.get_or_init(|| {
        let mut s = String::from("cAnArY9z-");
        while s.len() < 20_000 {
            s.push_str("0123456789abcdef\"\\\n");
        }
        s.push_str("-z9YrAnAc");
        assert_eq!(s.len(), LARGE_LEN);
        s
    });
    let mut copy = String::with_capacity(s.len());
    copy.push_str(s);
    copy
}

fn json_escape(s: &str) -> String {
    let mut w = awsrt::json::JsonWriter::new();
    w.string(s);
    let v = w.finish();
    String::from_utf8(v[1..v.len() - 1].to_vec()).expect("utf-8")
}

/// What a freed block is searched for: HEAD, TAIL and the base64 forms of BINARY's ends.
static PATTERNS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();

fn patterns() -> &'static [Vec<u8>] {
    PATTERNS.get_or_init(|| {
        let b64 = awsrt::types::base64_encode(BINARY).into_bytes();
        vec![
            HEAD.to_vec(),
            TAIL.to_vec(),
            b64[..12].to_vec(),
            b64[20..32].to_vec(),
        ]
    })
}

// ---------------------------------------------------------------------------------------------
// The allocator.

/// A block allocated while tracking: its size, the case it was allocated in, where.
struct Site {
    case: usize,
    size: usize,
    backtrace: Backtrace,
}

/// A freed block that still held a canary.
struct Finding {
    case: usize,
    size: usize,
    /// The block's bytes around the first canary found.
    excerpt: String,
    backtrace: Backtrace,
}

struct Scanning;

#[global_allocator]
static ALLOC: Scanning = Scanning;

/// Set once the first case starts: from then on `realloc` goes through `alloc` + `dealloc`.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The case blocks are attributed to (index into the case list + 1; 0 = not tracking).
static CASE: AtomicUsize = AtomicUsize::new(0);
static SITES: Mutex<BTreeMap<usize, Site>> = Mutex::new(BTreeMap::new());
static FINDINGS: Mutex<Vec<Finding>> = Mutex::new(Vec::new());

thread_local! {
    /// This thread's allocations are tracked (the client's thread only).
    static TRACKED: Cell<bool> = const { Cell::new(false) };
    /// Inside the allocator's own bookkeeping: allocations go straight to `System`.
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` unless this thread is already inside the allocator's bookkeeping.
fn guarded(f: impl FnOnce()) {
    let entered = BUSY
        .try_with(|b| {
            if b.get() {
                false
            } else {
                b.set(true);
                true
            }
        })
        .unwrap_or(false);
    if entered {
        f();
        let _ = BUSY.try_with(|b| b.set(false));
    }
}

/// Where in the `len` bytes at `ptr` one of the patterns starts, if one does. Bytes are read
/// in place with volatile loads (part of a block may never have been written): a copy would be
/// a block holding the canary that the scan itself allocated.
///
/// # Safety
/// `ptr..ptr + len` is a live allocation.
unsafe fn find_canary(ptr: *const u8, len: usize) -> Option<usize> {
    // SAFETY: every index read is below `len` (caller's contract).
    let at = |i: usize| unsafe { std::ptr::read_volatile(ptr.add(i)) };
    patterns()
        .iter()
        .filter_map(|p| {
            (0..=len.checked_sub(p.len())?)
                .find(|&i| p.iter().enumerate().all(|(k, &b)| at(i + k) == b))
        })
        .min()
}

/// A printable excerpt of the block around offset `at`.
///
/// # Safety
/// As [`find_canary`].
unsafe fn excerpt(ptr: *const u8, len: usize, at: usize) -> String {
    let from = at.saturating_sub(24);
    let to = (at + 48).min(len);
    // SAFETY: within the allocation.
    let bytes: Vec<u8> = (from..to)
        .map(|i| unsafe { std::ptr::read_volatile(ptr.add(i)) })
        .collect();
    String::from_utf8_lossy(&bytes).escape_debug().to_string()
}

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        let case = CASE.load(Ordering::Relaxed);
        if p.is_null() || !ACTIVE.load(Ordering::Relaxed) {
            return p;
        }
        // Every block starts zeroed while measuring: the allocator hands out memory as the
        // last owner left it, so bytes a block never wrote could hold an earlier block's
        // canary and blame this block's allocation site for it.
        // SAFETY: `p` is a fresh allocation of `layout.size()` bytes.
        unsafe { std::ptr::write_bytes(p, 0, layout.size()) };
        let busy = BUSY.try_with(Cell::get).unwrap_or(true);
        if case != 0 && !busy && TRACKED.try_with(Cell::get).unwrap_or(false) {
            guarded(|| {
                let backtrace = Backtrace::force_capture();
                lock(&SITES).insert(
                    p as usize,
                    Site {
                        case,
                        size: layout.size(),
                        backtrace,
                    },
                );
            });
        } else if !busy {
            // An address handed out again is no longer the tracked block it once was: forget
            // the old record, waiting for the map if another thread holds it. (Skipping the
            // removal when the map was busy left stale records behind: a block another thread
            // later allocated at that address, such as the test server's copy of a request,
            // was then blamed on the client's allocation site.) Inside this thread's own
            // bookkeeping the map may be held by this very thread, so nothing is done there;
            // those addresses were free, and no record of a tracked block can point at them,
            // since every tracked block's free removes its record.
            let _ = BUSY.try_with(|b| {
                let was = b.replace(true);
                lock(&SITES).remove(&(p as usize));
                b.set(was);
            });
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ACTIVE.load(Ordering::Relaxed) {
            guarded(|| {
                let site = lock(&SITES).remove(&(ptr as usize));
                if let Some(site) = site.filter(|s| s.size == layout.size()) {
                    // SAFETY: the block is still allocated; it is freed below.
                    if let Some(at) = unsafe { find_canary(ptr, layout.size()) } {
                        lock(&FINDINGS).push(Finding {
                            case: site.case,
                            size: layout.size(),
                            // SAFETY: as above.
                            excerpt: unsafe { excerpt(ptr, layout.size(), at) },
                            backtrace: site.backtrace,
                        });
                    }
                }
            });
        }
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ACTIVE.load(Ordering::Relaxed) {
            // SAFETY: forwarded as is.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // A block that moves leaves its old bytes behind: scan them as a free.
        // SAFETY: `new_size` is non-zero and fits the alignment (GlobalAlloc's contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as above.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and at least this long.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

// ---------------------------------------------------------------------------------------------
// Attributing a block to the code that allocated it.

/// Symbol prefixes of frames that only pass an allocation through.
const PLUMBING: &[&str] = &[
    "<secret_memory::Scanning",
    "secret_memory::_::",
    "secret_memory::guarded",
    "std::",
    "<std::",
    "core::",
    "<core::",
    "alloc::",
    "<alloc::",
    "__rust",
    "__rdl",
    "bytes::",
    "<bytes::",
    "<T as ",
    "<[",
    "zeroize::",
    "<zeroize::",
];

/// The symbol of each frame of a resolved backtrace.
fn frames(bt: &Backtrace) -> Vec<String> {
    bt.to_string()
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let (n, sym) = l.split_once(": ")?;
            n.parse::<usize>().ok()?;
            Some(sym.to_string())
        })
        .collect()
}

/// The allocation site: the first few frames after the plumbing.
fn site(bt: &Backtrace) -> Vec<String> {
    let all = frames(bt);
    let start = all
        .iter()
        .position(|f| !PLUMBING.iter().any(|p| f.starts_with(p)))
        .unwrap_or(0);
    all.into_iter()
        .skip(start)
        .filter(|f| !PLUMBING.iter().any(|p| f.starts_with(p)))
        .take(4)
        .collect()
}

/// The crate a symbol belongs to (`<hyper::x as y>::z` → `hyper`).
fn crate_of(symbol: &str) -> String {
    symbol
        .trim_start_matches('<')
        .split("::")
        .next()
        .unwrap_or("")
        .to_string()
}

/// Whether a site is the client's own code rather than a dependency's.
fn is_own(site: &[String]) -> bool {
    site.first()
        .map(|f| matches!(crate_of(f).as_str(), "awsrt" | "secretsmanager"))
        .unwrap_or(true)
}

// ---------------------------------------------------------------------------------------------
// The cases.

/// The server side of one case and the call that goes with it.
struct Case {
    name: &'static str,
    faults: Vec<Fault>,
    mock_reply: Option<String>,
    call: fn(Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
}

const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

fn get_body(member: &str) -> String {
    format!(
        r#"{{"ARN":"{ARN}","Name":"db","VersionId":"v-1",{member},"VersionStages":["AWSCURRENT"],"CreatedDate":1.7e9}}"#
    )
}

fn write_body() -> String {
    format!(r#"{{"ARN":"{ARN}","Name":"db","VersionId":"v-2","VersionStages":["AWSCURRENT"]}}"#)
}

fn binary_b64() -> String {
    awsrt::types::base64_encode(BINARY)
}

fn cases() -> Vec<Case> {
    let large_wire = json_escape(&large());
    vec![
        Case {
            name: "CreateSecret string",
            faults: vec![Fault::ok(write_body())],
            mock_reply: Some(write_body()),
            call: |c| {
                Box::pin(async move {
                    c.create_secret()
                        .name("db")
                        .secret_string(PLAIN)
                        .send()
                        .await
                        .expect("CreateSecret");
                })
            },
        },
        Case {
            name: "CreateSecret binary",
            faults: vec![Fault::ok(write_body())],
            mock_reply: Some(write_body()),
            call: |c| {
                Box::pin(async move {
                    c.create_secret()
                        .name("db")
                        .secret_binary(BINARY.to_vec())
                        .send()
                        .await
                        .expect("CreateSecret");
                })
            },
        },
        Case {
            name: "PutSecretValue escaped, reset after read + retry",
            faults: vec![Fault::ResetAfterRead, Fault::ok(write_body())],
            mock_reply: Some(write_body()),
            call: |c| {
                Box::pin(async move {
                    c.put_secret_value()
                        .secret_id("db")
                        .secret_string(ESCAPED)
                        .send()
                        .await
                        .expect("PutSecretValue");
                })
            },
        },
        Case {
            name: "UpdateSecret 20 KB, reset before read + retry",
            faults: vec![Fault::ResetBeforeRead, Fault::ok(write_body())],
            mock_reply: Some(write_body()),
            call: |c| {
                Box::pin(async move {
                    c.update_secret()
                        .secret_id("db")
                        .secret_string(large())
                        .send()
                        .await
                        .expect("UpdateSecret");
                })
            },
        },
        Case {
            name: "GetSecretValue plain",
            faults: vec![Fault::ok(get_body(&format!(r#""SecretString":"{PLAIN}""#)))],
            mock_reply: Some(get_body(&format!(r#""SecretString":"{PLAIN}""#))),
            call: |c| {
                Box::pin(async move {
                    let out = c
                        .get_secret_value()
                        .secret_id("db")
                        .send()
                        .await
                        .expect("GetSecretValue");
                    assert_eq!(out.secret_string().map(|s| s.expose_secret()), Some(PLAIN));
                })
            },
        },
        Case {
            name: "GetSecretValue escaped, reset after read + retry",
            faults: vec![
                Fault::ResetAfterRead,
                Fault::ok(get_body(&format!(r#""SecretString":"{ESCAPED_WIRE}""#))),
            ],
            mock_reply: Some(get_body(&format!(r#""SecretString":"{ESCAPED_WIRE}""#))),
            call: |c| {
                Box::pin(async move {
                    let out = c
                        .get_secret_value()
                        .secret_id("db")
                        .send()
                        .await
                        .expect("GetSecretValue");
                    assert_eq!(
                        out.secret_string().map(|s| s.expose_secret()),
                        Some(ESCAPED)
                    );
                })
            },
        },
        Case {
            name: "GetSecretValue binary",
            faults: vec![Fault::ok(get_body(&format!(
                r#""SecretBinary":"{}""#,
                binary_b64()
            )))],
            mock_reply: Some(get_body(&format!(r#""SecretBinary":"{}""#, binary_b64()))),
            call: |c| {
                Box::pin(async move {
                    let out = c
                        .get_secret_value()
                        .secret_id("db")
                        .send()
                        .await
                        .expect("GetSecretValue");
                    assert_eq!(out.secret_binary().map(|s| s.expose_secret()), Some(BINARY));
                })
            },
        },
        Case {
            name: "GetSecretValue 20 KB",
            faults: vec![Fault::ok(get_body(&format!(
                r#""SecretString":"{large_wire}""#
            )))],
            mock_reply: Some(get_body(&format!(r#""SecretString":"{large_wire}""#))),
            call: |c| {
                Box::pin(async move {
                    let out = c
                        .get_secret_value()
                        .secret_id("db")
                        .send()
                        .await
                        .expect("GetSecretValue");
                    assert_eq!(
                        out.secret_string().map(|s| s.expose_secret().len()),
                        Some(LARGE_LEN)
                    );
                })
            },
        },
        Case {
            name: "BatchGetSecretValue",
            faults: vec![Fault::ok(batch_body())],
            mock_reply: Some(batch_body()),
            call: |c| {
                Box::pin(async move {
                    let out = c
                        .batch_get_secret_value()
                        .secret_id_list("a")
                        .secret_id_list("b")
                        .secret_id_list("c")
                        .send()
                        .await
                        .expect("BatchGetSecretValue");
                    assert_eq!(out.secret_values().len(), 3);
                })
            },
        },
    ]
}

fn batch_body() -> String {
    let entry = |name: &str, member: String| {
        format!(
            r#"{{"ARN":"{ARN}","Name":"{name}","VersionId":"v-1",{member},"VersionStages":["AWSCURRENT"],"CreatedDate":1.7e9}}"#
        )
    };
    format!(
        r#"{{"SecretValues":[{},{},{}],"Errors":[]}}"#,
        entry("a", format!(r#""SecretString":"{PLAIN}""#)),
        entry("b", format!(r#""SecretString":"{ESCAPED_WIRE}""#)),
        entry("c", format!(r#""SecretBinary":"{}""#, binary_b64())),
    )
}

// ---------------------------------------------------------------------------------------------
// Running cases and reporting.

/// One transport's run: the case names (case numbers are indices + 1).
struct Run {
    label: &'static str,
    first_case: usize,
    cases: Vec<&'static str>,
}

/// Runs every case with `client` on this thread, tracked; `before_each` scripts the server.
fn run_cases(
    rt: &tokio::runtime::Runtime,
    label: &'static str,
    client: Client,
    first_case: usize,
    mut before_each: impl FnMut(&Case),
) -> Run {
    let mut names = Vec::new();
    for (i, case) in cases().into_iter().enumerate() {
        before_each(&case);
        let call = case.call;
        let c = client.clone();
        ACTIVE.store(true, Ordering::SeqCst);
        CASE.store(first_case + i, Ordering::SeqCst);
        rt.block_on(async { tokio::time::timeout(Duration::from_secs(60), call(c)).await })
            .unwrap_or_else(|_| panic!("{label} {}: timed out", case.name));
        CASE.store(0, Ordering::SeqCst);
        names.push(case.name);
    }
    // Close the pooled connections: their tasks end on this runtime.
    drop(client);
    rt.block_on(async { tokio::time::sleep(Duration::from_millis(200)).await });
    Run {
        label,
        first_case,
        cases: names,
    }
}

fn fast_retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

fn client_for(endpoint: &str, transport: Option<HyperTransport>) -> Client {
    let mut b = Config::builder()
        .region("us-east-1")
        .credentials("AKIDSECRETMEMORY", "secret-memory-test-key", None)
        .endpoint_url(endpoint)
        .retry_config(fast_retry());
    if let Some(t) = transport {
        b = b.transport(Arc::new(t));
    }
    Client::new(&b.build())
}

/// Findings of the cases `run.first_case..`, grouped by allocation site.
struct Tally {
    own: usize,
    dependency: BTreeMap<String, usize>,
    lines: Vec<String>,
}

fn tally(run: &Run, findings: &[Finding]) -> Tally {
    let mut t = Tally {
        own: 0,
        dependency: BTreeMap::new(),
        lines: Vec::new(),
    };
    let range = run.first_case..run.first_case + run.cases.len();
    for f in findings.iter().filter(|f| range.contains(&f.case)) {
        let s = site(&f.backtrace);
        let owner = s.first().map(|f| crate_of(f)).unwrap_or_default();
        if is_own(&s) {
            t.own += 1;
        } else {
            *t.dependency.entry(owner.clone()).or_default() += 1;
        }
        t.lines.push(format!(
            "  [{}] {} — freed block of {} bytes held a canary (…{}…); allocated at:\n      {}",
            run.label,
            run.cases[f.case - run.first_case],
            f.size,
            f.excerpt,
            s.join("\n      ")
        ));
    }
    t
}

// ---------------------------------------------------------------------------------------------
// HTTPS: a TLS-terminating proxy in front of the fault server.

struct TlsProxy {
    child: Child,
    port: u16,
    ca_der: Vec<u8>,
    dir: PathBuf,
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the HTTPS part needs the `openssl` command");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tls_proxy(upstream: u16) -> TlsProxy {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("secret-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ],
        &dir,
    );
    openssl(
        &[
            "x509", "-in", "cert.pem", "-outform", "der", "-out", "cert.der",
        ],
        &dir,
    );
    let ca_der = std::fs::read(dir.join("cert.der")).expect("cert.der");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/secret_memory/tls_proxy.py"
    );
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg(script)
        .arg(dir.join("cert.pem"))
        .arg(dir.join("key.pem"))
        .arg(upstream.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("proxy port");
    let port = line
        .trim()
        .strip_prefix("port ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected proxy output {line:?}"));
    TlsProxy {
        child,
        port,
        ca_der,
        dir,
    }
}

// ---------------------------------------------------------------------------------------------

#[test]
fn no_secret_left_in_freed_memory() {
    patterns();
    drop(large());
    // A panic's backtrace is printed under std's backtrace lock, which tracking takes too.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        CASE.store(0, Ordering::SeqCst);
        let _ = TRACKED.try_with(|t| t.set(false));
        default_hook(info);
    }));
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let server = server_rt
        .block_on(FaultServer::start())
        .expect("fault server");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let script = |case: &Case| {
        server.take_requests();
        server.push_all(case.faults.clone());
    };
    TRACKED.with(|t| t.set(true));

    let n = cases().len();
    let http = run_cases(&rt, "http", client_for(&server.url(), None), 1, script);

    // The mock transport: a rule per case, created before the case starts.
    let mock = MockTransport::new();
    let mock_client = Client::new(&test_config(&mock));
    let mock_run = run_cases(&rt, "mock", mock_client, 1 + n, |case| {
        let body = case.mock_reply.clone().expect("mock reply");
        mock.push_rule(Rule::any().then_output_json(body).once());
    });
    // The mock keeps what it recorded until it is dropped: that is inside the measurement.
    CASE.store(1 + n, Ordering::SeqCst);
    drop(mock);
    CASE.store(0, Ordering::SeqCst);

    let proxy = tls_proxy(server.addr().port());
    let transport = HyperTransport::builder()
        .root_certificates([proxy.ca_der.clone()])
        .build();
    let https_client = client_for(
        &format!("https://127.0.0.1:{}", proxy.port),
        Some(transport),
    );
    let https = run_cases(&rt, "https", https_client, 1 + 2 * n, script);
    TRACKED.with(|t| t.set(false));
    drop(proxy);

    let findings = std::mem::take(&mut *lock(&FINDINGS));
    ACTIVE.store(false, Ordering::SeqCst);

    let mut summary = Vec::new();
    let mut own_total = 0;
    for run in [&http, &mock_run, &https] {
        let t = tally(run, &findings);
        for l in &t.lines {
            println!("{l}");
        }
        own_total += t.own;
        let deps: Vec<String> = t
            .dependency
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        summary.push(format!(
            "{}: {} own, {} dependency ({})",
            run.label,
            t.own,
            t.dependency.values().sum::<usize>(),
            if deps.is_empty() {
                "none".to_string()
            } else {
                deps.join(", ")
            }
        ));
    }
    integration_tests::report_summary(
        "secret_memory",
        &format!(
            "secret_memory: freed blocks still holding a canary after {n} calls per transport — {}",
            summary.join("; ")
        ),
    );
    // Blocks start zeroed while measuring and stale records are always removed, so a finding
    // is a block that really held the canary when it was freed; none may be the client's own.
    assert_eq!(
        own_total, 0,
        "freed blocks on the client's own path still held a canary (listed above)"
    );
}
