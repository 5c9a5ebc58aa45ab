//! ECS and IMDS providers against canned HTTP servers on 127.0.0.1, timeouts against a
//! listener that never answers, and the chain's order among network sources.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsrt::credentials::{
    CachingProvider, CredentialsErrorKind, DefaultChain, EcsProvider, ImdsProvider,
    NetworkTimeouts, ProvideCredentials,
};
use awsrt::profile::Env;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Recorded) -> (u16, String) + Send + Sync;

/// A tiny HTTP/1.1 server answering each connection's single request from `handler`.
struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(handler: impl Fn(&Recorded) -> (u16, String) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let task_log = log.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (log, handler) = (task_log.clone(), handler.clone());
                tokio::spawn(async move { serve(stream, log, handler).await });
            }
        });
        Server { addr, log, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<Recorded>>>, handler: Arc<Handler>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let request = Recorded {
        method,
        path,
        headers,
    };
    let (status, body) = handler(&request);
    log.lock().unwrap().push(request);
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Accepts connections and never answers.
struct BlackHole {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl BlackHole {
    async fn start() -> BlackHole {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        BlackHole { addr, task }
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const CREDS_JSON: &str = r#"{"AccessKeyId": "NETKEY", "SecretAccessKey": "NETSECRET", "Token": "NETTOKEN", "Expiration": "2031-02-03T04:05:06Z"}"#;

fn fast() -> NetworkTimeouts {
    NetworkTimeouts {
        connect: Duration::from_millis(500),
        read: Duration::from_millis(500),
    }
}

#[tokio::test]
async fn ecs_full_uri_with_authorization_token() {
    let server = Server::start(|_| (200, CREDS_JSON.to_owned())).await;
    let env = Env::from_pairs([
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            server.url("/v2/credentials/abc"),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "Basic secret-token".to_owned(),
        ),
    ]);
    let c = EcsProvider::new(&env)
        .with_timeouts(fast())
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("NETKEY", "NETSECRET", Some("NETTOKEN"))
    );
    assert_eq!(c.provider(), "ecs");
    assert!(c.expiry().is_some());
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/v2/credentials/abc")
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some("Basic secret-token")
    );
}

#[tokio::test]
async fn ecs_token_file_is_preferred() {
    let server = Server::start(|_| (200, CREDS_JSON.to_owned())).await;
    let token_file = std::env::temp_dir().join(format!(
        "awsrt-ecs-token-{}-{:?}",
        std::process::id(),
        Instant::now()
    ));
    std::fs::write(&token_file, "from-file\n").unwrap();
    let env = Env::from_pairs([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/creds")),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env".to_owned()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            token_file.to_string_lossy().into_owned(),
        ),
    ]);
    let result = EcsProvider::new(&env)
        .with_timeouts(fast())
        .provide_credentials()
        .await;
    let _ = std::fs::remove_file(&token_file);
    result.unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("from-file")
    );
}

#[tokio::test]
async fn ecs_error_status_is_reported() {
    let server = Server::start(|_| (500, "{}".to_owned())).await;
    let env = Env::from_pairs([("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url("/creds"))]);
    let err = EcsProvider::new(&env)
        .with_timeouts(fast())
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    assert!(err.message().contains("500"), "{err}");
}

fn imds_handler(req: &Recorded) -> (u16, String) {
    match (req.method.as_str(), req.path.as_str()) {
        ("PUT", "/latest/api/token") => (200, "TOKEN-1".to_owned()),
        (_, _) if req.header("x-aws-ec2-metadata-token") != Some("TOKEN-1") => (401, String::new()),
        ("GET", "/latest/meta-data/iam/security-credentials/") => (200, "my-role\n".to_owned()),
        ("GET", "/latest/meta-data/iam/security-credentials/my-role") => (
            200,
            format!(
                r#"{{"Code": "Success", "Type": "AWS-HMAC", {}"#,
                &CREDS_JSON[1..]
            ),
        ),
        _ => (404, String::new()),
    }
}

#[tokio::test]
async fn imds_v2_token_flow() {
    let server = Server::start(imds_handler).await;
    let env = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url("/"))]);
    let provider = ImdsProvider::new(&env).with_timeouts(fast());
    let c = provider.provide_credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.session_token(), c.provider()),
        ("NETKEY", Some("NETTOKEN"), "imds")
    );
    let requests = server.requests();
    let summary: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            ("GET", "/latest/meta-data/iam/security-credentials/my-role"),
        ]
    );
    assert_eq!(
        requests[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert!(requests[1..]
        .iter()
        .all(|r| r.header("x-aws-ec2-metadata-token") == Some("TOKEN-1")));

    // The session token is reused.
    provider.provide_credentials().await.unwrap();
    let puts = server
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 1);
}

#[tokio::test]
async fn imds_refused_token_is_renewed_once() {
    // Every PUT hands out a new token; only the second one is accepted.
    let issued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = issued.clone();
    let server = Server::start(move |req| {
        if req.method == "PUT" {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            return (200, format!("TOKEN-{n}"));
        }
        if req.header("x-aws-ec2-metadata-token") != Some("TOKEN-2") {
            return (401, String::new());
        }
        imds_handler(&Recorded {
            headers: vec![("x-aws-ec2-metadata-token".into(), "TOKEN-1".into())],
            ..req.clone()
        })
    })
    .await;
    let env = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url(""))]);
    let c = ImdsProvider::new(&env)
        .with_timeouts(fast())
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.access_key_id(), "NETKEY");
    assert_eq!(issued.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn imds_without_role_is_not_configured() {
    let server = Server::start(|req| match req.method.as_str() {
        "PUT" => (200, "T".to_owned()),
        _ => (404, String::new()),
    })
    .await;
    let env = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url(""))]);
    let err = ImdsProvider::new(&env)
        .with_timeouts(fast())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.is_not_configured(), "{err}");
}

#[tokio::test]
async fn imds_disabled_makes_no_request() {
    let server = Server::start(imds_handler).await;
    let env = Env::from_pairs([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url("")),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    let err = ImdsProvider::new(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.is_not_configured());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn unanswered_requests_time_out() {
    let hole = BlackHole::start().await;
    let timeouts = NetworkTimeouts {
        connect: Duration::from_millis(300),
        read: Duration::from_millis(300),
    };

    let env = Env::from_pairs([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("http://{}/creds", hole.addr),
    )]);
    let started = Instant::now();
    let err = EcsProvider::new(&env)
        .with_timeouts(timeouts)
        .provide_credentials()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), CredentialsErrorKind::Timeout, "{err}");
    assert!(
        elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );

    // IMDS with its default (one second) timeouts.
    let env = Env::from_pairs([(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        format!("http://{}", hole.addr),
    )]);
    let started = Instant::now();
    let err = ImdsProvider::new(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), CredentialsErrorKind::Timeout, "{err}");
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn connection_refused_fails_fast() {
    // Bind then drop to get a port with (very likely) no listener.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let env = Env::from_pairs([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("http://{addr}/creds"),
    )]);
    let started = Instant::now();
    let err = EcsProvider::new(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed, "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn chain_order_among_profile_ecs_and_imds() {
    let ecs = Server::start(|_| (200, CREDS_JSON.replace("NETKEY", "ECSKEY"))).await;
    let imds = Server::start(imds_handler).await;
    let dir = std::env::temp_dir().join(format!(
        "awsrt-chain-net-{}-{:?}",
        std::process::id(),
        Instant::now()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let creds_file = dir.join("credentials");
    std::fs::write(
        &creds_file,
        "[default]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = S\n",
    )
    .unwrap();
    let no_file = dir.join("missing").to_string_lossy().into_owned();

    let env = |with_profile: bool, with_ecs: bool| {
        let mut pairs = vec![
            ("AWS_CONFIG_FILE".to_owned(), no_file.clone()),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(), imds.url("")),
        ];
        let creds = if with_profile {
            creds_file.to_string_lossy().into_owned()
        } else {
            no_file.clone()
        };
        pairs.push(("AWS_SHARED_CREDENTIALS_FILE".to_owned(), creds));
        if with_ecs {
            pairs.push((
                "AWS_CONTAINER_CREDENTIALS_FULL_URI".to_owned(),
                ecs.url("/creds"),
            ));
        }
        Env::from_pairs(pairs)
    };
    let key = |env: Env| async move {
        let c = DefaultChain::with_timeouts(&env, fast())
            .provide_credentials()
            .await
            .unwrap();
        (c.access_key_id().to_owned(), c.provider())
    };

    assert_eq!(
        key(env(true, true)).await,
        ("PROFILEKEY".to_owned(), "profile")
    );
    assert!(
        ecs.requests().is_empty() && imds.requests().is_empty(),
        "profile must win before any network call"
    );
    assert_eq!(key(env(false, true)).await, ("ECSKEY".to_owned(), "ecs"));
    assert!(imds.requests().is_empty(), "ECS must win over IMDS");
    assert_eq!(key(env(false, false)).await, ("NETKEY".to_owned(), "imds"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn imds_outage_serves_the_last_credentials_with_a_later_expiry() {
    let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = up.clone();
    let server = Server::start(move |req| {
        if flag.load(std::sync::atomic::Ordering::SeqCst) {
            imds_handler(req)
        } else {
            (500, "metadata service unavailable".to_owned())
        }
    })
    .await;
    let env = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url(""))]);
    let provider = ImdsProvider::new(&env).with_timeouts(fast());

    // Before IMDS has ever answered, an outage is an error.
    up.store(false, std::sync::atomic::Ordering::SeqCst);
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed, "{err}");

    up.store(true, std::sync::atomic::Ordering::SeqCst);
    let fresh = provider.provide_credentials().await.unwrap();
    assert_eq!(fresh.access_key_id(), "NETKEY");

    // IMDS goes down: the same keys come back, valid for five to fifteen more minutes, so a
    // cache in front of the provider stops asking for several minutes.
    up.store(false, std::sync::atomic::Ordering::SeqCst);
    let before = server.requests().len();
    let stale = provider.provide_credentials().await.unwrap();
    assert!(server.requests().len() > before, "IMDS was asked again");
    assert_eq!(stale.access_key_id(), "NETKEY");
    assert_eq!(stale.session_token(), Some("NETTOKEN"));
    let left = stale
        .expiry()
        .unwrap()
        .duration_since(std::time::SystemTime::now())
        .unwrap();
    assert!(
        left >= ImdsProvider::STALE_EXTENSION - Duration::from_secs(5)
            && left <= ImdsProvider::STALE_EXTENSION + Duration::from_secs(300),
        "{left:?}"
    );
    let cached = CachingProvider::new(ImdsProvider::new(&env).with_timeouts(fast()));
    assert!(
        cached.provide_credentials().await.is_err(),
        "a new provider has nothing to serve"
    );
}

#[tokio::test]
async fn imds_region() {
    let server = Server::start(|req| match req.path.as_str() {
        "/latest/api/token" => (200, "TOKEN-1".to_owned()),
        "/latest/meta-data/placement/region" => (200, "eu-central-2\n".to_owned()),
        _ => (404, String::new()),
    })
    .await;
    let env = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url(""))]);
    let region = ImdsProvider::new(&env).with_timeouts(fast()).region().await;
    assert_eq!(region.unwrap(), "eu-central-2");
}
