//! End-to-end tests of the generated S3 client (restXml) against moto (`moto[server]==5.2.5`,
//! started on 127.0.0.1 with port 0 by `integration_tests::moto`, stopped when the process
//! exits), used as S3 users use it: buckets, objects from bytes and from a file with a content
//! type and user metadata, a several-MB object streamed back to a file byte for byte,
//! HeadObject, ListObjectsV2 through the paginator, DeleteObjects, multipart uploads (complete
//! and abort), a presigned GET fetched with a plain HTTP/1.1 client, typed `NoSuchKey` and
//! `NoSuchBucket` errors.
//!
//! moto's endpoint is an IP address, so S3's endpoint rules choose path-style addressing
//! (`http://127.0.0.1:<port>/<bucket>/<key>`) from the `Bucket` context parameter; the tests
//! check the paths that were sent.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awsrt::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, HyperTransport, Transport,
    TransportError,
};
use integration_tests::moto::{unique_name, MotoServer};
use integration_tests::Rng;

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

/// The method and URI of every request sent.
type Sent = Mutex<Vec<(String, String)>>;

/// A transport that forwards to the real one and keeps the method and URI of every request.
#[derive(Clone, Debug, Default)]
struct Recording(Arc<(HyperTransport, Sent)>);

impl Transport for Recording {
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        if let Ok(mut sent) = self.0 .1.lock() {
            sent.push((req.method.to_string(), req.uri.clone()));
        }
        self.0 .0.send(req, timeouts)
    }

    fn send_streaming(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<(HttpResponse, awsrt::types::ByteStream), TransportError>> {
        if let Ok(mut sent) = self.0 .1.lock() {
            sent.push((req.method.to_string(), req.uri.clone()));
        }
        self.0 .0.send_streaming(req, timeouts)
    }
}

fn client() -> (s3::Client, Recording) {
    let rec = Recording::default();
    let config = moto()
        .config()
        .to_builder()
        .transport(Arc::new(rec.clone()))
        .build();
    (s3::Client::new(&config), rec)
}

/// A bucket name S3 accepts (lower case, no underscores).
fn bucket_name() -> String {
    unique_name("e2e").to_ascii_lowercase().replace('_', "-")
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.next() as u8).collect()
}

#[tokio::test]
async fn objects_from_bytes_and_files_round_trip() {
    let (client, rec) = client();
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();

    // From bytes, with a content type and user metadata.
    let put = client
        .put_object()
        .bucket(&bucket)
        .key("docs/hello world.txt")
        .body(b"hello, S3".to_vec())
        .content_type("text/plain")
        .metadata("owner", "e2e")
        .send()
        .await
        .unwrap();
    assert!(put.e_tag().is_some_and(|t| !t.is_empty()));
    let sent = rec.0 .1.lock().unwrap().clone();
    let (method, uri) = sent.last().unwrap();
    assert_eq!(method, "PUT");
    assert!(
        uri.contains(&format!("/{bucket}/docs/hello%20world.txt?x-id=PutObject")),
        "path-style with the key encoded and the model's literal query: {uri}"
    );

    let head = client
        .head_object()
        .bucket(&bucket)
        .key("docs/hello world.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(9));
    assert_eq!(head.content_type(), Some("text/plain"));
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("owner"))
            .map(String::as_str),
        Some("e2e")
    );

    // From a file of several MB, streamed back into another file.
    let dir = std::env::temp_dir().join(unique_name("s3-e2e"));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("upload.bin");
    let data = random_bytes(6 * 1024 * 1024 + 123, 7);
    std::fs::write(&src, &data).unwrap();
    client
        .put_object()
        .bucket(&bucket)
        .key("big.bin")
        .body(awsrt::types::Blob::from_path(&src).await.unwrap())
        .content_type("application/octet-stream")
        .send()
        .await
        .unwrap();
    let mut got = client
        .get_object()
        .bucket(&bucket)
        .key("big.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_length(), Some(data.len() as i64));
    let dst = dir.join("download.bin");
    let mut file = std::fs::File::create(&dst).unwrap();
    let mut chunks = 0;
    let mut body = std::mem::take(&mut got.body);
    while let Some(chunk) = body.next().await {
        file.write_all(&chunk.unwrap()).unwrap();
        chunks += 1;
    }
    drop(file);
    assert!(chunks > 1, "a large body arrives in several chunks");
    assert!(std::fs::read(&dst).unwrap() == data, "byte for byte");
    std::fs::remove_dir_all(&dir).unwrap();

    // Typed errors.
    let err = client
        .get_object()
        .bucket(&bucket)
        .key("missing")
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().expect("a service error");
    assert!(service.is_no_such_key(), "{err}");
    assert_eq!(service.meta().status, 404);
    // HEAD responses have no body: the status names the modeled error.
    let err = client
        .head_object()
        .bucket(&bucket)
        .key("missing")
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().expect("a service error");
    assert!(service.is_not_found(), "{err}");
    assert_eq!(service.code(), Some("NotFound"));
    let err = client
        .list_objects_v2()
        .bucket(format!("{bucket}-missing"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_no_such_bucket()),
        "{err}"
    );
}

#[tokio::test]
async fn list_paginator_and_delete_objects() {
    let (client, _) = client();
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    for i in 0..5 {
        client
            .put_object()
            .bucket(&bucket)
            .key(format!("k/{i}"))
            .body(format!("v{i}").into_bytes())
            .send()
            .await
            .unwrap();
    }
    let mut pages = client
        .list_objects_v2()
        .bucket(&bucket)
        .prefix("k/")
        .max_keys(2)
        .into_paginator()
        .send();
    let mut keys = Vec::new();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        sizes.push(page.contents().len());
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
    }
    assert_eq!(keys, ["k/0", "k/1", "k/2", "k/3", "k/4"]);
    assert_eq!(sizes, [2, 2, 1]);

    let delete = s3::types::Delete::builder()
        .objects(
            s3::types::ObjectIdentifier::builder()
                .key("k/0")
                .build()
                .unwrap(),
        )
        .objects(
            s3::types::ObjectIdentifier::builder()
                .key("k/1")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let out = client
        .delete_objects()
        .bucket(&bucket)
        .delete(delete)
        .send()
        .await
        .unwrap();
    let mut deleted: Vec<&str> = out.deleted().iter().filter_map(|d| d.key()).collect();
    deleted.sort_unstable();
    assert_eq!(deleted, ["k/0", "k/1"]);
    let left = client
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(left.key_count(), Some(3));
}

#[tokio::test]
async fn multipart_upload_complete_and_abort() {
    let (client, _) = client();
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let created = client
        .create_multipart_upload()
        .bucket(&bucket)
        .key("multi.bin")
        .send()
        .await
        .unwrap();
    let upload_id = created.upload_id().unwrap().to_string();
    // Every part but the last must be at least 5 MiB.
    let parts_data = [random_bytes(5 * 1024 * 1024, 1), random_bytes(1000, 2)];
    let mut completed = s3::types::CompletedMultipartUpload::builder();
    for (i, data) in parts_data.iter().enumerate() {
        let number = i as i32 + 1;
        let part = client
            .upload_part()
            .bucket(&bucket)
            .key("multi.bin")
            .upload_id(&upload_id)
            .part_number(number)
            .body(data.clone())
            .send()
            .await
            .unwrap();
        completed = completed.parts(
            s3::types::CompletedPart::builder()
                .e_tag(part.e_tag().unwrap())
                .part_number(number)
                .build(),
        );
    }
    let done = client
        .complete_multipart_upload()
        .bucket(&bucket)
        .key("multi.bin")
        .upload_id(&upload_id)
        .multipart_upload(completed.build())
        .send()
        .await
        .unwrap();
    assert_eq!(done.key(), Some("multi.bin"));
    let got = client
        .get_object()
        .bucket(&bucket)
        .key("multi.bin")
        .send()
        .await
        .unwrap();
    let body = got.body.collect().await.unwrap();
    assert!(body[..] == [&parts_data[0][..], &parts_data[1][..]].concat()[..]);

    let aborted = client
        .create_multipart_upload()
        .bucket(&bucket)
        .key("aborted.bin")
        .send()
        .await
        .unwrap();
    client
        .abort_multipart_upload()
        .bucket(&bucket)
        .key("aborted.bin")
        .upload_id(aborted.upload_id().unwrap())
        .send()
        .await
        .unwrap();
    let uploads = client
        .list_multipart_uploads()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert!(uploads.uploads().is_empty(), "{uploads:?}");
}

/// A GET of `uri` (an `http://127.0.0.1:<port>/...` URL) with a plain HTTP/1.1 client: the
/// status and the body.
fn plain_get(uri: &str) -> (u16, Vec<u8>) {
    let rest = uri.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                    .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 4 + size..];
        }
        body = out;
    }
    (status, body)
}

#[tokio::test]
async fn presigned_get_is_fetched_without_credentials() {
    let (client, _) = client();
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    client
        .put_object()
        .bucket(&bucket)
        .key("shared/report.csv")
        .body(b"a,b\n1,2\n".to_vec())
        .send()
        .await
        .unwrap();
    let presigned = client
        .get_object()
        .bucket(&bucket)
        .key("shared/report.csv")
        .presigned(s3::PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
        .await
        .unwrap();
    assert_eq!(presigned.method().as_str(), "GET");
    let uri = presigned.uri();
    for p in [
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=",
        "X-Amz-Date=",
        "X-Amz-Expires=600",
        "X-Amz-SignedHeaders=host",
        "X-Amz-Signature=",
    ] {
        assert!(uri.contains(p), "{p} missing from {uri}");
    }
    assert!(
        uri.contains(&format!("/{bucket}/shared/report.csv?")),
        "{uri}"
    );
    let (status, body) = tokio::task::spawn_blocking({
        let uri = uri.to_string();
        move || plain_get(&uri)
    })
    .await
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, b"a,b\n1,2\n");
}

#[tokio::test]
async fn flexible_checksums_are_sent_and_validated() {
    let rec = Recording::default();
    let config = moto()
        .config()
        .to_builder()
        .transport(Arc::new(rec.clone()))
        .build();
    let client = s3::Client::new(&config);
    let bucket = bucket_name();
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let data = b"checksummed object".to_vec();
    // The default (`when_supported`): CRC32 of the body, and the algorithm header.
    let put = client
        .put_object()
        .bucket(&bucket)
        .key("crc")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    let crc32 = awsrt::checksum::Algorithm::Crc32.checksum(&data);
    assert_eq!(
        put.checksum_crc32(),
        Some(crc32.as_str()),
        "moto echoes the checksum it checked"
    );
    // An algorithm the caller chose.
    let put = client
        .put_object()
        .bucket(&bucket)
        .key("sha")
        .body(data.clone())
        .checksum_algorithm(s3::types::ChecksumAlgorithm::Sha256)
        .send()
        .await
        .unwrap();
    let sha = awsrt::checksum::Algorithm::Sha256.checksum(&data);
    assert_eq!(put.checksum_sha256(), Some(sha.as_str()));
    // Validated on the way back (the response carries the checksum when the mode is enabled).
    let got = client
        .get_object()
        .bucket(&bucket)
        .key("sha")
        .checksum_mode(s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.checksum_sha256(), Some(sha.as_str()));
    assert_eq!(&got.body.collect().await.unwrap()[..], &data[..]);
    // DeleteObjects requires a checksum: one is sent.
    let delete = s3::types::Delete::builder()
        .objects(
            s3::types::ObjectIdentifier::builder()
                .key("crc")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    client
        .delete_objects()
        .bucket(&bucket)
        .delete(delete)
        .send()
        .await
        .unwrap();
}

/// Answers every request with 200 and an `<Error>` document, as S3 does when CopyObject or
/// CompleteMultipartUpload fails after it has started answering.
#[derive(Debug)]
struct ErrorIn200;

impl Transport for ErrorIn200 {
    fn send(
        &self,
        _req: HttpRequest,
        _timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        Box::pin(async {
            Ok(HttpResponse::new(
                200,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>r-200</RequestId></Error>",
            ))
        })
    }
}

#[tokio::test]
async fn an_error_document_in_a_200_reply_is_an_error() {
    let config = moto()
        .config()
        .to_builder()
        .transport(Arc::new(ErrorIn200))
        .build();
    let client = s3::Client::new(&config);
    let err = client
        .copy_object()
        .bucket("b")
        .key("dst")
        .copy_source("b/src")
        .send()
        .await
        .unwrap_err();
    let service = err
        .as_service_error()
        .expect("a service error, not an output");
    assert_eq!(service.code(), Some("InternalError"));
    assert_eq!(service.meta().request_id.as_deref(), Some("r-200"));
    let err = client
        .complete_multipart_upload()
        .bucket("b")
        .key("k")
        .upload_id("u")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error().and_then(|e| e.code()),
        Some("InternalError")
    );
    // An operation without the customization reads a 200 reply as its output.
    assert!(client
        .delete_bucket_tagging()
        .bucket("b")
        .send()
        .await
        .is_ok());
}
