//! The input decoder shared by the rpcv2Cbor fuzz target and `tests/tests/fuzz_smoke.rs`:
//! bytes → (operation, response) for the generated Garden client (`generated/garden`,
//! `model/garden.smithy`), whose outputs and errors are CBOR bodies.
//!
//! Layout:
//! * byte 0: operation, `garden::fuzz_entry::OPERATIONS[b % len]`;
//! * byte 1: status: `b < 0x80` picks from [`STATUSES`], otherwise `100 + (b - 0x80) * 4`;
//! * the rest: the body.

use awsrt::http::HttpResponse;

/// Statuses picked by a status byte below 0x80.
pub const STATUSES: &[u16] = &[200, 200, 201, 204, 400, 404, 409, 429, 500, 503];

/// A decoded input.
pub struct Input {
    pub operation: &'static str,
    pub response: HttpResponse,
}

pub fn decode(data: &[u8]) -> Option<Input> {
    let (&op, rest) = data.split_first()?;
    let (&status, body) = rest.split_first()?;
    let ops = garden::fuzz_entry::OPERATIONS;
    let status = if status < 0x80 {
        STATUSES[usize::from(status) % STATUSES.len()]
    } else {
        100 + u16::from(status - 0x80) * 4
    };
    Some(Input {
        operation: ops[usize::from(op) % ops.len()],
        response: HttpResponse::new(status, body.to_vec())
            .with_header("content-type", "application/cbor")
            .with_header("smithy-protocol", "rpc-v2-cbor"),
    })
}

/// Reads the response as a call does (output or modeled error); whether it parsed into the
/// output.
pub fn parse(input: &Input) -> bool {
    garden::fuzz_entry::response(input.operation, &input.response)
}

/// Error metadata and the modeled error; whether the error parsed.
pub fn error(input: &Input) -> bool {
    garden::fuzz_entry::error(input.operation, &input.response)
}
