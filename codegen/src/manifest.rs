//! `model/manifest.json`: which services are generated, from which model file, into which folder;
//! and where a model file is found (or fetched) and verified.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The manifest file.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Generated services.
    pub services: Vec<ServiceEntry>,
    /// The partitions data turned into Rust in the runtime.
    pub partitions: Option<PartitionsEntry>,
    /// The standard Smithy trait definitions, turned into the IDL loader's table.
    pub idl_standard: Option<IdlStandardEntry>,
}

/// The IDL loader's table of standard shapes.
#[derive(Debug, Clone, Deserialize)]
pub struct IdlStandardEntry {
    /// Folder of `.smithy` definition files under `$SMITHY_TESTDATA_DIR`.
    pub testdata_path: String,
    /// Output Rust file, relative to the workspace root.
    pub output: String,
}

/// One generated service.
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceEntry {
    /// Model file name (looked up in `model/` and `$SMITHY_MODELS_DIR`): a JSON AST file, a
    /// Smithy IDL file (`.smithy`) or a directory of model files (IDL and JSON, mixed).
    pub model: String,
    /// Where a JSON AST file comes from (fetched when found nowhere else). IDL models are the
    /// user's own files and have none.
    #[serde(default)]
    pub upstream: Option<Upstream>,
    /// The service shape to generate, when the model holds more than one.
    #[serde(default)]
    pub service: Option<String>,
    /// Crate name.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Output folder, relative to the workspace root.
    pub output: String,
}

/// The upstream of a model file.
#[derive(Debug, Clone, Deserialize)]
pub struct Upstream {
    /// `owner/name` on GitHub.
    pub repository: String,
    /// Path in the repository.
    pub path: String,
    /// Revision to fetch.
    pub commit: String,
    /// SHA-256 of the exact bytes.
    pub sha256: String,
}

/// The partitions data entry.
#[derive(Debug, Clone, Deserialize)]
pub struct PartitionsEntry {
    /// Path under `$SMITHY_TESTDATA_DIR`.
    pub testdata_path: String,
    /// SHA-256 of the expected file.
    pub sha256: String,
    /// Output Rust file, relative to the workspace root.
    pub output: String,
}

impl Manifest {
    /// Reads and parses a manifest file.
    pub fn load(path: &Path) -> Result<Manifest, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read manifest {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            format!(
                "manifest {}: malformed at line {}, column {}: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }
}

/// Default download URL template.
pub const DEFAULT_URL: &str = "https://raw.githubusercontent.com/{repository}/{commit}/{path}";

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Where to look for a model and how to fetch it.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The project's `model/` folder (searched first; downloads land here).
    pub local_dir: PathBuf,
    /// `$SMITHY_MODELS_DIR`, when set.
    pub models_dir: Option<PathBuf>,
    /// URL template (`$SMITHY_MODELS_URL` or [`DEFAULT_URL`]).
    pub url_template: String,
    /// Whether downloading is allowed.
    pub allow_download: bool,
}

impl ServiceEntry {
    /// Whether the model is IDL (a `.smithy` file or a directory of model files) rather than one
    /// JSON AST file.
    pub fn is_idl(&self) -> bool {
        !self.model.ends_with(".json")
    }
}

/// Finds an IDL model (file or directory) of `entry`: `model/<name>`, then
/// `$SMITHY_MODELS_DIR/<name>`. IDL models are never downloaded.
pub fn locate_idl(entry: &ServiceEntry, lookup: &Lookup) -> Result<PathBuf, String> {
    let mut candidates = vec![lookup.local_dir.join(&entry.model)];
    if let Some(d) = &lookup.models_dir {
        candidates.push(d.join(&entry.model));
    }
    for path in &candidates {
        if path.exists() {
            return Ok(path.clone());
        }
    }
    let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    Err(format!(
        "model {} not found: looked in {}",
        entry.model,
        looked.join(", ")
    ))
}

/// Finds the model file of `entry`: `model/<file>`, then `$SMITHY_MODELS_DIR/<file>`, else
/// downloads the pinned upstream file into `model/` and verifies its sha256. Returns the bytes and
/// where they came from.
pub fn locate(entry: &ServiceEntry, lookup: &Lookup) -> Result<(Vec<u8>, PathBuf), String> {
    let mut looked = Vec::new();
    let mut candidates = vec![lookup.local_dir.join(&entry.model)];
    if let Some(d) = &lookup.models_dir {
        candidates.push(d.join(&entry.model));
    }
    for path in candidates {
        match std::fs::read(&path) {
            Ok(bytes) => return Ok((bytes, path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                looked.push(path.display().to_string())
            }
            Err(e) => {
                return Err(format!(
                    "model {}: cannot read {}: {e}",
                    entry.model,
                    path.display()
                ))
            }
        }
    }
    if lookup.models_dir.is_none() {
        looked.push("$SMITHY_MODELS_DIR (not set)".to_string());
    }
    let Some(up) = &entry.upstream else {
        return Err(format!(
            "model {} not found (looked in {}) and the manifest names no upstream to fetch it from",
            entry.model,
            looked.join(", ")
        ));
    };
    let url = lookup
        .url_template
        .replace("{repository}", &up.repository)
        .replace("{commit}", &up.commit)
        .replace("{path}", &up.path);
    let how = format!(
        "looked in {}; set SMITHY_MODELS_DIR to a folder holding {} (e.g. ../shared/models), or download {url} into model/",
        looked.join(", "),
        entry.model
    );
    if !lookup.allow_download {
        return Err(format!("model {} not found: {how}", entry.model));
    }
    let bytes = download(&url).map_err(|e| {
        format!(
            "model {} not found locally and the download failed ({e}): {how}",
            entry.model
        )
    })?;
    let got = sha256_hex(&bytes);
    if got != up.sha256 {
        return Err(format!(
            "model {}: downloaded {url} but its sha256 is {got}, the manifest pins {}; nothing was saved",
            entry.model, up.sha256
        ));
    }
    let dest = lookup.local_dir.join(&entry.model);
    std::fs::create_dir_all(&lookup.local_dir)
        .map_err(|e| format!("cannot create {}: {e}", lookup.local_dir.display()))?;
    let tmp = dest.with_extension("download~");
    std::fs::write(&tmp, &bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &dest).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    Ok((bytes, dest))
}

/// Fetches a URL with `curl` (kept out of the generator's dependencies).
fn download(url: &str) -> Result<Vec<u8>, String> {
    let out = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail",
            "--location",
            "--max-time",
            "120",
            url,
        ])
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn entry(sha: &str) -> ServiceEntry {
        ServiceEntry {
            model: "m.json".into(),
            upstream: Some(Upstream {
                repository: "o/r".into(),
                path: "dir/m.json".into(),
                commit: "abc".into(),
                sha256: sha.into(),
            }),
            service: None,
            crate_name: "m".into(),
            output: "generated/m".into(),
        }
    }

    /// Serves `body` for every request on 127.0.0.1 until `n` requests are answered; returns the port
    /// and the thread (joined by the caller) that records the request lines.
    fn serve(body: &'static [u8], n: usize) -> (u16, std::thread::JoinHandle<Vec<String>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let h = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for _ in 0..n {
                let (mut s, _) = l.accept().unwrap();
                let mut buf = [0u8; 2048];
                let k = s.read(&mut buf).unwrap();
                lines.push(
                    String::from_utf8_lossy(&buf[..k])
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string(),
                );
                write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .unwrap();
                s.write_all(body).unwrap();
            }
            lines
        });
        (port, h)
    }

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("codegen-manifest-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn downloads_and_verifies_into_model_dir() {
        let body: &'static [u8] = b"{\"smithy\":\"2.0\"}";
        let (port, h) = serve(body, 1);
        let dir = tempdir("ok");
        let lookup = Lookup {
            local_dir: dir.clone(),
            models_dir: None,
            url_template: format!("http://127.0.0.1:{port}/{{repository}}/{{commit}}/{{path}}"),
            allow_download: true,
        };
        let (bytes, path) = locate(&entry(&sha256_hex(body)), &lookup).unwrap();
        assert_eq!(bytes, body);
        assert_eq!(path, dir.join("m.json"));
        assert_eq!(std::fs::read(dir.join("m.json")).unwrap(), body);
        assert_eq!(h.join().unwrap(), ["GET /o/r/abc/dir/m.json HTTP/1.1"]);
        // The second lookup finds the local copy without a server.
        let again = locate(
            &entry(&sha256_hex(body)),
            &Lookup {
                allow_download: false,
                ..lookup
            },
        )
        .unwrap();
        assert_eq!(again.1, dir.join("m.json"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn mismatched_download_is_an_error_and_saves_nothing() {
        let (port, h) = serve(b"tampered", 1);
        let dir = tempdir("bad");
        let lookup = Lookup {
            local_dir: dir.clone(),
            models_dir: None,
            url_template: format!("http://127.0.0.1:{port}/{{path}}"),
            allow_download: true,
        };
        let err = locate(&entry(&"0".repeat(64)), &lookup).unwrap_err();
        h.join().unwrap();
        assert!(err.contains("m.json") && err.contains("sha256"), "{err}");
        assert!(!dir.join("m.json").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_model_says_where_it_looked_and_how_to_get_it() {
        let dir = tempdir("missing");
        let lookup = Lookup {
            local_dir: dir.clone(),
            models_dir: Some(dir.join("elsewhere")),
            url_template: DEFAULT_URL.into(),
            allow_download: false,
        };
        let err = locate(&entry("x"), &lookup).unwrap_err();
        assert!(
            err.contains("m.json")
                && err.contains("elsewhere")
                && err.contains("SMITHY_MODELS_DIR"),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn manifest_of_the_repository_parses() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/manifest.json");
        let m = Manifest::load(&p).unwrap();
        assert!(m.services.iter().any(|s| s.crate_name == "secretsmanager"));
    }

    #[test]
    fn idl_models_are_found_locally_and_never_downloaded() {
        let dir = tempdir("idl");
        std::fs::create_dir_all(dir.join("weather")).unwrap();
        let mut e = entry("unused");
        e.model = "weather".into();
        e.upstream = None;
        assert!(e.is_idl() && !entry("x").is_idl());
        let lookup = Lookup {
            local_dir: dir.clone(),
            models_dir: None,
            url_template: "http://127.0.0.1:9/{path}".into(),
            allow_download: true,
        };
        assert_eq!(locate_idl(&e, &lookup).unwrap(), dir.join("weather"));
        e.model = "missing.smithy".into();
        let err = locate_idl(&e, &lookup).unwrap_err();
        assert!(
            err.contains("missing.smithy") && err.contains("looked in"),
            "{err}"
        );
        // A JSON model without an upstream is not fetched from anywhere.
        let mut j = entry("unused");
        j.upstream = None;
        let err = locate(&j, &lookup).unwrap_err();
        assert!(err.contains("names no upstream"), "{err}");
    }
}
