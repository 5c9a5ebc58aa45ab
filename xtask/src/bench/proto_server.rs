//! The canned multi-protocol server of `cargo xtask bench protocols`: std only, 127.0.0.1 on an
//! ephemeral port, one thread per connection, HTTP/1.1 keep-alive. It answers one operation per
//! protocol with a fixed body of realistic size and the headers the real service sends:
//!
//! - restJson1: EKS DescribeCluster, `GET /clusters/bench-cluster`;
//! - awsQuery: STS GetCallerIdentity, `POST /` with a form body naming `Action=GetCallerIdentity`;
//! - restXml: S3 GetObject `GET /bench-bucket/small.bin` (1 KiB) and `GET /bench-bucket/large.bin`
//!   (8 MiB), and ListObjectsV2 `GET /bench-bucket?list-type=2` (1,000 keys), path-style.

use std::io::BufReader;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use super::server::{read_request, respond, Request};

/// Size of the small S3 object.
pub const SMALL_OBJECT: usize = 1024;
/// Size of the large S3 object.
pub const LARGE_OBJECT: usize = 8 * 1024 * 1024;
/// Keys in the ListObjectsV2 page.
pub const LIST_KEYS: usize = 1000;
/// The request id of the JSON and query answers (`x-amzn-RequestId`).
const AMZN_REQUEST_ID: &str = "8c1f4e2a-5b7d-4f3e-9a61-2d0c7b9e4f15";
/// S3's `x-amz-request-id` (16 upper-case hex digits) and `x-amz-id-2`.
const S3_REQUEST_ID: &str = "4442587FB7D0A2F9";
const S3_ID_2: &str =
    "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=";

/// The operations the server answers, in the order of [`Counts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoOp {
    /// EKS DescribeCluster (restJson1).
    EksDescribeCluster,
    /// STS GetCallerIdentity (awsQuery).
    StsGetCallerIdentity,
    /// S3 GetObject of [`SMALL_OBJECT`] bytes (restXml).
    S3GetSmall,
    /// S3 GetObject of [`LARGE_OBJECT`] bytes (restXml, streamed).
    S3GetLarge,
    /// S3 ListObjectsV2 of [`LIST_KEYS`] keys (restXml).
    S3List,
}

impl ProtoOp {
    /// Every operation, in measuring order.
    pub const ALL: [ProtoOp; 5] = [
        ProtoOp::EksDescribeCluster,
        ProtoOp::StsGetCallerIdentity,
        ProtoOp::S3GetSmall,
        ProtoOp::S3GetLarge,
        ProtoOp::S3List,
    ];

    /// The benchmark programs' first argument for this operation.
    pub fn arg(self) -> &'static str {
        match self {
            ProtoOp::EksDescribeCluster => "eks",
            ProtoOp::StsGetCallerIdentity => "sts",
            ProtoOp::S3GetSmall => "s3-get-small",
            ProtoOp::S3GetLarge => "s3-get-large",
            ProtoOp::S3List => "s3-list",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A running canned server; stops accepting when dropped.
pub struct ProtoServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
}

/// Counters of answered requests.
#[derive(Default)]
pub struct Counts {
    by_op: [AtomicU64; ProtoOp::ALL.len()],
    other: AtomicU64,
}

impl Counts {
    /// Requests of `op` answered so far.
    pub fn of(&self, op: ProtoOp) -> u64 {
        self.by_op[op.index()].load(Ordering::SeqCst)
    }

    /// Requests answered with an error (no canned route, malformed request).
    pub fn errors(&self) -> u64 {
        self.other.load(Ordering::SeqCst)
    }
}

/// One canned answer: body and the headers that go with it.
struct Canned {
    body: Vec<u8>,
    headers: String,
}

/// The canned answers, built once, indexed like [`ProtoOp::ALL`].
struct Answers([Canned; ProtoOp::ALL.len()]);

impl ProtoServer {
    /// Binds 127.0.0.1:0 and starts the accept loop on its own thread.
    pub fn start() -> Result<ProtoServer, String> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("local_addr: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(Counts::default());
        let answers = Arc::new(answers());
        let (stop2, counts2) = (stop.clone(), counts.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                let (answers, counts) = (answers.clone(), counts2.clone());
                thread::spawn(move || serve(stream, &answers, &counts));
            }
        });
        Ok(ProtoServer { addr, stop, counts })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request counters.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }
}

impl Drop for ProtoServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn answers() -> Answers {
    let json = format!("Content-Type: application/json\r\nx-amzn-RequestId: {AMZN_REQUEST_ID}\r\n");
    let query = format!("Content-Type: text/xml\r\nx-amzn-RequestId: {AMZN_REQUEST_ID}\r\n");
    let s3 = format!(
        "x-amz-id-2: {S3_ID_2}\r\nx-amz-request-id: {S3_REQUEST_ID}\r\nServer: AmazonS3\r\n"
    );
    let object = |size: usize| {
        Canned {
        body: object_body(size),
        headers: format!(
            "{s3}Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nETag: \"{}\"\r\nx-amz-server-side-encryption: AES256\r\nAccept-Ranges: bytes\r\nContent-Type: application/octet-stream\r\n",
            etag(size as u64)
        ),
    }
    };
    Answers([
        Canned {
            body: describe_cluster_body(),
            headers: json,
        },
        Canned {
            body: get_caller_identity_body(),
            headers: query,
        },
        object(SMALL_OBJECT),
        object(LARGE_OBJECT),
        Canned {
            body: list_objects_v2_body(),
            headers: format!("{s3}Content-Type: application/xml\r\n"),
        },
    ])
}

/// Serves one connection until the peer closes it or sends something unusable.
fn serve(stream: TcpStream, answers: &Answers, counts: &Counts) {
    let _ = stream.set_nodelay(true);
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    loop {
        let req = match read_request(&mut reader, &mut out) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => {
                counts.other.fetch_add(1, Ordering::Relaxed);
                let _ = respond(&mut out, 400, "", e.as_bytes(), true);
                return;
            }
        };
        match route(&req) {
            Some(op) => {
                counts.by_op[op.index()].fetch_add(1, Ordering::Relaxed);
                let a = &answers.0[op.index()];
                if respond(&mut out, 200, &a.headers, &a.body, req.close).is_err() || req.close {
                    return;
                }
            }
            None => {
                counts.other.fetch_add(1, Ordering::Relaxed);
                let body = format!("no canned answer for {} {}", req.method, req.target);
                if respond(&mut out, 404, "", body.as_bytes(), req.close).is_err() || req.close {
                    return;
                }
            }
        }
    }
}

/// The operation a request asks for, by method, path, query, Content-Type and `Action`.
fn route(req: &Request) -> Option<ProtoOp> {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let has = |param: &str| query.split('&').any(|p| p == param);
    match (req.method.as_str(), path) {
        ("GET", "/clusters/bench-cluster") => Some(ProtoOp::EksDescribeCluster),
        ("POST", "/")
            if req
                .content_type
                .starts_with("application/x-www-form-urlencoded")
                && req
                    .body
                    .split(|&b| b == b'&')
                    .any(|p| p == b"Action=GetCallerIdentity") =>
        {
            Some(ProtoOp::StsGetCallerIdentity)
        }
        ("GET", "/bench-bucket/small.bin") => Some(ProtoOp::S3GetSmall),
        ("GET", "/bench-bucket/large.bin") => Some(ProtoOp::S3GetLarge),
        ("GET", "/bench-bucket" | "/bench-bucket/") if has("list-type=2") => Some(ProtoOp::S3List),
        _ => None,
    }
}

/// A fake but well-formed ETag (32 hex digits) derived from `seed`.
fn etag(seed: u64) -> String {
    let a = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x1234_5678_9abc_def0;
    let b = a.rotate_left(17).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    format!("{a:016x}{b:016x}")
}

/// Object contents: `size` bytes of a repeating, non-constant pattern.
pub fn object_body(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8).collect()
}

/// EKS DescribeCluster: a realistic cluster (certificate authority, VPC config, logging, tags,
/// encryption, access and upgrade policies), about 2.5 KiB.
pub fn describe_cluster_body() -> Vec<u8> {
    // A certificate authority of the size EKS returns (base64 of a ~1 KiB DER certificate).
    let ca: String = {
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::from("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t");
        for i in 0..1400usize {
            s.push(B64[(i * 37 + i / 7) % 64] as char);
        }
        s.push_str("LS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=");
        s
    };
    format!(
        concat!(
            r#"{{"cluster":{{"name":"bench-cluster","arn":"arn:aws:eks:us-east-1:123456789012:cluster/bench-cluster","#,
            r#""createdAt":1.700000000123E9,"version":"1.31","#,
            r#""endpoint":"https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com","#,
            r#""roleArn":"arn:aws:iam::123456789012:role/eks-cluster-role","#,
            r#""resourcesVpcConfig":{{"subnetIds":["subnet-0a1b2c3d4e5f60001","subnet-0a1b2c3d4e5f60002","subnet-0a1b2c3d4e5f60003"],"#,
            r#""securityGroupIds":["sg-0a1b2c3d4e5f60001"],"clusterSecurityGroupId":"sg-0f1e2d3c4b5a60009","#,
            r#""vpcId":"vpc-0a1b2c3d4e5f60000","endpointPublicAccess":true,"endpointPrivateAccess":true,"publicAccessCidrs":["0.0.0.0/0"]}},"#,
            r#""kubernetesNetworkConfig":{{"serviceIpv4Cidr":"10.100.0.0/16","ipFamily":"ipv4","elasticLoadBalancing":{{"enabled":false}}}},"#,
            r#""logging":{{"clusterLogging":[{{"types":["api","audit","authenticator"],"enabled":true}},{{"types":["controllerManager","scheduler"],"enabled":false}}]}},"#,
            r#""identity":{{"oidc":{{"issuer":"https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"}}}},"#,
            r#""status":"ACTIVE","certificateAuthority":{{"data":"{ca}"}},"platformVersion":"eks.12","#,
            r#""tags":{{"team":"platform","environment":"production","cost-center":"cc-1234","managed-by":"terraform"}},"#,
            r#""encryptionConfig":[{{"resources":["secrets"],"provider":{{"keyArn":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}}],"#,
            r#""health":{{"issues":[]}},"accessConfig":{{"authenticationMode":"API_AND_CONFIG_MAP"}},"#,
            r#""upgradePolicy":{{"supportType":"EXTENDED"}},"zonalShiftConfig":{{"enabled":false}}}}}}"#
        ),
        ca = ca
    )
    .into_bytes()
}

/// STS GetCallerIdentity, as STS writes it.
pub fn get_caller_identity_body() -> Vec<u8> {
    format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::123456789012:user/bench</Arn>\n    <UserId>AIDASAMPLEUSERID12345</UserId>\n    <Account>123456789012</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>{AMZN_REQUEST_ID}</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n"
    )
    .into_bytes()
}

/// S3 ListObjectsV2: one truncated page of [`LIST_KEYS`] keys as S3 writes it (no Owner: it is
/// only sent with `fetch-owner=true`).
pub fn list_objects_v2_body() -> Vec<u8> {
    let mut s = String::with_capacity(320 * 1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bench-bucket</Name><Prefix></Prefix>");
    s.push_str("<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>");
    s.push_str(&format!(
        "<KeyCount>{LIST_KEYS}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
    ));
    for i in 0..LIST_KEYS as u64 {
        let (day, hour) = (1 + i % 28, i % 24);
        s.push_str(&format!(
            "<Contents><Key>logs/2024/01/{day:02}/app-server-{:02}/events-{i:06}.json.gz</Key><LastModified>2024-01-{day:02}T{hour:02}:{:02}:{:02}.000Z</LastModified><ETag>&quot;{}&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
            i % 16,
            i % 60,
            (i * 7) % 60,
            etag(i),
            10_000 + i * 977 % 5_000_000
        ));
    }
    s.push_str("</ListBucketResult>");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, Read, Write};

    /// Sends a request and reads the response head and body.
    fn roundtrip(stream: &mut TcpStream, req: &str) -> (String, Vec<u8>) {
        stream.write_all(req.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (head, body)
    }

    #[test]
    fn answers_every_operation_on_one_kept_alive_connection() {
        let server = ProtoServer::start().unwrap();
        let mut s = TcpStream::connect(server.addr).unwrap();
        let (head, body) = roundtrip(
            &mut s,
            "GET /clusters/bench-cluster HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains(&format!("x-amzn-RequestId: {AMZN_REQUEST_ID}")));
        assert!(head.contains("Content-Type: application/json"));
        assert_eq!(body, describe_cluster_body());
        let form = "Action=GetCallerIdentity&Version=2011-06-15";
        let (head, body) = roundtrip(
            &mut s,
            &format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: {}\r\n\r\n{form}", form.len()),
        );
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("Content-Type: text/xml"));
        assert_eq!(body, get_caller_identity_body());
        let (head, body) = roundtrip(
            &mut s,
            "GET /bench-bucket/small.bin HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert!(
            head.contains(&format!("Content-Length: {SMALL_OBJECT}\r\n")),
            "{head}"
        );
        assert!(head.contains(&format!("x-amz-request-id: {S3_REQUEST_ID}")));
        assert!(head.contains("ETag: \""));
        assert_eq!(body, object_body(SMALL_OBJECT));
        let (_, body) = roundtrip(
            &mut s,
            "GET /bench-bucket/large.bin HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert_eq!(body.len(), LARGE_OBJECT);
        let (head, body) = roundtrip(
            &mut s,
            "GET /bench-bucket?list-type=2 HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert!(head.contains("Content-Type: application/xml"), "{head}");
        assert_eq!(body, list_objects_v2_body());
        // A query call for another action, and an unknown path, are errors.
        let form = "Action=AssumeRole&Version=2011-06-15";
        let (head, _) = roundtrip(
            &mut s,
            &format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}", form.len()),
        );
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
        let (head, _) = roundtrip(&mut s, "GET /bench-bucket HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
        for op in ProtoOp::ALL {
            assert_eq!(server.counts().of(op), 1, "{op:?}");
        }
        assert_eq!(server.counts().errors(), 2);
    }

    #[test]
    fn describe_cluster_is_realistic_json() {
        let body = String::from_utf8(describe_cluster_body()).unwrap();
        assert!((2048..=3072).contains(&body.len()), "{} bytes", body.len());
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let c = &v["cluster"];
        assert_eq!(c["name"], "bench-cluster");
        assert_eq!(c["status"], "ACTIVE");
        assert_eq!(
            c["resourcesVpcConfig"]["subnetIds"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(c["tags"].as_object().unwrap().len(), 4);
        assert!(c["certificateAuthority"]["data"].as_str().unwrap().len() > 1400);
    }

    /// Counts the elements named `name` in well-formed XML, checking that every tag is closed
    /// by the matching end tag.
    fn count_elements(xml: &str, name: &str) -> usize {
        let mut stack: Vec<&str> = Vec::new();
        let mut count = 0;
        let mut rest = xml;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') {
                continue;
            }
            if let Some(closing) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(closing), "mismatched end tag");
            } else {
                let tag_name = tag.trim_end_matches('/').split_whitespace().next().unwrap();
                if tag_name == name {
                    count += 1;
                }
                if !tag.ends_with('/') {
                    stack.push(tag_name);
                }
            }
            assert!(!rest.is_empty() || stack.is_empty(), "unclosed element");
        }
        assert!(stack.is_empty(), "unclosed elements {stack:?}");
        count
    }

    #[test]
    fn list_objects_v2_is_realistic_xml() {
        let body = String::from_utf8(list_objects_v2_body()).unwrap();
        assert!(
            (250 * 1024..=300 * 1024).contains(&body.len()),
            "{} bytes",
            body.len()
        );
        assert_eq!(count_elements(&body, "Contents"), LIST_KEYS);
        assert_eq!(count_elements(&body, "Key"), LIST_KEYS);
        assert_eq!(count_elements(&body, "ListBucketResult"), 1);
        assert!(body.contains(&format!("<KeyCount>{LIST_KEYS}</KeyCount>")));
    }

    #[test]
    fn get_caller_identity_is_well_formed_xml() {
        let body = String::from_utf8(get_caller_identity_body()).unwrap();
        assert_eq!(count_elements(&body, "GetCallerIdentityResult"), 1);
        assert_eq!(count_elements(&body, "Arn"), 1);
        assert_eq!(count_elements(&body, "RequestId"), 1);
    }

    #[test]
    fn count_elements_rejects_mismatched_xml() {
        assert!(std::panic::catch_unwind(|| count_elements("<a><b></a></b>", "a")).is_err());
        assert_eq!(count_elements("<a><b/><b></b></a>", "b"), 2);
    }
}
