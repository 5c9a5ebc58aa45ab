//! The input decoder shared by the restJson1 fuzz targets: bytes → (service, operation,
//! response) for the generated AppConfig, EKS and MediaStore Data clients, whose responses
//! carry members in headers, payloads and JSON bodies.
//!
//! Layout:
//! * byte 0: service, `b % 3` (AppConfig, EKS, MediaStore Data);
//! * byte 1: operation, `OPERATIONS[b % len]` of that service;
//! * byte 2: status: `b < 0x80` picks from [`STATUSES`], otherwise `100 + (b - 0x80) * 4`;
//! * byte 3: header count `b % 8`; each header is a name byte (`HEADER_NAMES[b % len]`), a
//!   length byte `l` and `l % 48` value bytes (lossy UTF-8);
//! * the rest: the body.

use awsrt::http::HttpResponse;

/// Statuses picked by a status byte below 0x80.
pub const STATUSES: &[u16] = &[
    200, 200, 201, 202, 204, 206, 400, 403, 404, 409, 429, 500, 503,
];

/// Header names bound to output and error members of the three services, and the protocol's.
pub const HEADER_NAMES: &[&str] = &[
    "content-type",
    "description",
    "versionlabel",
    "application-id",
    "configuration-profile-id",
    "version-number",
    "next-poll-configuration-token",
    "content-length",
    "content-range",
    "cache-control",
    "etag",
    "last-modified",
    "x-amzn-errortype",
    "x-amzn-requestid",
    "retry-after",
    "kmskeyarn",
];

/// A decoded input.
pub struct Input {
    pub service: usize,
    pub operation: &'static str,
    pub response: HttpResponse,
}

fn operations(service: usize) -> &'static [&'static str] {
    match service {
        0 => appconfig::fuzz_entry::OPERATIONS,
        1 => eks::fuzz_entry::OPERATIONS,
        _ => mediastoredata::fuzz_entry::OPERATIONS,
    }
}

pub fn decode(data: &[u8]) -> Option<Input> {
    let (&svc, rest) = data.split_first()?;
    let (&op, rest) = rest.split_first()?;
    let (&status, rest) = rest.split_first()?;
    let (&count, mut rest) = rest.split_first()?;
    let service = usize::from(svc) % 3;
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
        0 => appconfig::fuzz_entry::response(input.operation, &input.response),
        1 => eks::fuzz_entry::response(input.operation, &input.response),
        _ => mediastoredata::fuzz_entry::response(input.operation, &input.response),
    }
}

/// Runs the operation's error dispatch on the response.
#[allow(dead_code)] // Not every target uses every helper.
pub fn error(input: &Input) -> bool {
    match input.service {
        0 => appconfig::fuzz_entry::error(input.operation, &input.response),
        1 => eks::fuzz_entry::error(input.operation, &input.response),
        _ => mediastoredata::fuzz_entry::error(input.operation, &input.response),
    }
}
