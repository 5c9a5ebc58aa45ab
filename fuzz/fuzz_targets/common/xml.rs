//! The input decoder shared by the XML-protocol fuzz targets: bytes → (service, operation,
//! response) for the generated STS, IAM, SNS (awsQuery) and S3 (restXml) clients.
//!
//! Layout:
//! * byte 0: service, `b % 4` (STS, IAM, SNS, S3);
//! * byte 1: operation, `OPERATIONS[b % len]` of that service;
//! * byte 2: status: `b < 0x80` picks from [`STATUSES`], otherwise `100 + (b - 0x80) * 4`;
//! * byte 3: header count `b % 8`; each header is a name byte (`HEADER_NAMES[b % len]`), a
//!   length byte `l` and `l % 48` value bytes (lossy UTF-8);
//! * the rest: the body.

use awsrt::http::HttpResponse;

/// Statuses picked by a status byte below 0x80.
pub const STATUSES: &[u16] = &[200, 200, 200, 204, 206, 301, 400, 403, 404, 409, 500, 503];

/// Header names bound to S3 output members, and the protocols' own.
pub const HEADER_NAMES: &[&str] = &[
    "content-type",
    "content-length",
    "etag",
    "last-modified",
    "x-amz-meta-owner",
    "x-amz-version-id",
    "x-amz-delete-marker",
    "x-amz-expiration",
    "x-amz-server-side-encryption",
    "x-amz-checksum-crc32",
    "x-amz-request-id",
    "x-amzn-requestid",
    "x-amz-mp-parts-count",
    "expires",
    "content-range",
    "x-amz-tagging-count",
];

/// A decoded input.
pub struct Input {
    pub service: usize,
    pub operation: &'static str,
    pub response: HttpResponse,
}

/// The operations of service `service`.
pub fn operations(service: usize) -> &'static [&'static str] {
    match service {
        0 => sts::fuzz_entry::OPERATIONS,
        1 => iam::fuzz_entry::OPERATIONS,
        2 => sns::fuzz_entry::OPERATIONS,
        _ => s3::fuzz_entry::OPERATIONS,
    }
}

pub fn decode(data: &[u8]) -> Option<Input> {
    let (&svc, rest) = data.split_first()?;
    let (&op, rest) = rest.split_first()?;
    let (&status, rest) = rest.split_first()?;
    let (&count, mut rest) = rest.split_first()?;
    let service = usize::from(svc) % 4;
    let ops = operations(service);
    let operation = ops[usize::from(op) % ops.len()];
    let status = if status < 0x80 {
        STATUSES[usize::from(status) % STATUSES.len()]
    } else {
        100 + u16::from(status - 0x80) * 4
    };
    let mut headers = Vec::new();
    for _ in 0..count % 8 {
        let (&name, r) = rest.split_first()?;
        let (&len, r) = r.split_first()?;
        let len = usize::from(len % 48).min(r.len());
        let value = String::from_utf8_lossy(&r[..len]).into_owned();
        headers.push((HEADER_NAMES[usize::from(name) % HEADER_NAMES.len()], value));
        rest = &r[len..];
    }
    let mut response = HttpResponse::new(status, rest.to_vec());
    for (k, v) in headers {
        response = response.with_header(k, &v);
    }
    Some(Input {
        service,
        operation,
        response,
    })
}

/// Reads the response the way a call does (output or error, by status).
pub fn parse(input: &Input) -> bool {
    match input.service {
        0 => sts::fuzz_entry::response(input.operation, &input.response),
        1 => iam::fuzz_entry::response(input.operation, &input.response),
        2 => sns::fuzz_entry::response(input.operation, &input.response),
        _ => s3::fuzz_entry::response(input.operation, &input.response),
    }
}

/// Runs the operation's error dispatch on the response.
#[allow(dead_code)] // Not every target uses every helper.
pub fn error(input: &Input) -> bool {
    match input.service {
        0 => sts::fuzz_entry::error(input.operation, &input.response),
        1 => iam::fuzz_entry::error(input.operation, &input.response),
        2 => sns::fuzz_entry::error(input.operation, &input.response),
        _ => s3::fuzz_entry::error(input.operation, &input.response),
    }
}
