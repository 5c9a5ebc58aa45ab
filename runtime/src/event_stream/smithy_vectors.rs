//! Known frames: every distinct event (`bytes`, with its `headers` and `body`) of the Smithy
//! protocol tests `aws/restJson1/event-stream.smithy` (in the shared test data,
//! `$SMITHY_TESTDATA_DIR/smithy/protocol-tests/aws/restJson1/event-stream.smithy`; the file's
//! 92 events have 21 distinct frames). `id` is the first test carrying the frame. Blob values
//! are base64 as in the file; timestamps are in milliseconds (the file writes
//! `2024-10-31T14:15:14Z`).

/// An expected header value.
pub(super) enum Expected {
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    /// Base64.
    Blob(&'static str),
    Str(&'static str),
    /// Milliseconds since the epoch.
    Millis(i64),
}

/// A frame and what it decodes to.
pub(super) struct Vector {
    pub id: &'static str,
    /// The frame, base64.
    pub frame: &'static str,
    pub headers: &'static [(&'static str, Expected)],
    pub payload: &'static str,
}

use Expected::*;

pub(super) const VECTORS: &[Vector] = &[
    Vector {
        id: "BooleanHeaderInput",
        frame: "AAAASwAAADv7Cl8VDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMNYm9vbGVhbkhlYWRlcgC4J9Ws",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("booleanHeader", Bool(true))],
        payload: "",
    },
    Vector {
        id: "ByteHeaderInput",
        frame: "AAAASQAAADlvxG1ZDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMKYnl0ZUhlYWRlcgIBKFTmjg==",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("byteHeader", Byte(1))],
        payload: "",
    },
    Vector {
        id: "ShortHeaderInput",
        frame: "AAAASwAAADv7Cl8VDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMLc2hvcnRIZWFkZXIDAAL1ETsK",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("shortHeader", Short(2))],
        payload: "",
    },
    Vector {
        id: "IntegerHeaderInput",
        frame: "AAAASwAAADv7Cl8VDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMJaW50SGVhZGVyBAAAAAPlyUrb",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("intHeader", Int(3))],
        payload: "",
    },
    Vector {
        id: "LongHeaderInput",
        frame: "AAAAUAAAAEAr7VEyDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMKbG9uZ0hlYWRlcgUAAAAA/////udnd/I=",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("longHeader", Long(4294967294))],
        payload: "",
    },
    Vector {
        id: "BlobHeaderInput",
        frame: "AAAATQAAAD2dKQ+ADTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMKYmxvYkhlYWRlcgYAA2Zvb5sbbGM=",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("blobHeader", Blob("Zm9v"))],
        payload: "",
    },
    Vector {
        id: "StringHeaderInput",
        frame: "AAAATwAAAD8J5z3MDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMMc3RyaW5nSGVhZGVyBwADZm9vxT+2MA==",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("stringHeader", Str("foo"))],
        payload: "",
    },
    Vector {
        id: "TimestampHeaderInput",
        frame: "AAAAVQAAAEWTZyrNDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMPdGltZXN0YW1wSGVhZGVyCAAAAZLi7jFQ6uV3Eg==",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("timestampHeader", Millis(1730384114000))],
        payload: "",
    },
    Vector {
        id: "MultipleHeaderInput",
        frame: "AAAAbwAAAF+FlHOQDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAB2hlYWRlcnMNYm9vbGVhbkhlYWRlcgAMc3RyaW5nSGVhZGVyBwADZm9vCmJsb2JIZWFkZXIGAANiYXIDXbo7",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headers")), ("booleanHeader", Bool(true)), ("stringHeader", Str("foo")), ("blobHeader", Blob("YmFy"))],
        payload: "",
    },
    Vector {
        id: "StringPayloadInput",
        frame: "AAAAYAAAAE30fZUJDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcADXN0cmluZ1BheWxvYWQNOmNvbnRlbnQtdHlwZQcACnRleHQvcGxhaW5mb29G1ELr",
        headers: &[(":message-type", Str("event")), (":event-type", Str("stringPayload")), (":content-type", Str("text/plain"))],
        payload: "foo",
    },
    Vector {
        id: "BlobPayloadInput",
        frame: "AAAAbAAAAFkrV6x1DTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAC2Jsb2JQYXlsb2FkDTpjb250ZW50LXR5cGUHABhhcHBsaWNhdGlvbi9vY3RldC1zdHJlYW1iYXJv5nGJ",
        headers: &[(":message-type", Str("event")), (":event-type", Str("blobPayload")), (":content-type", Str("application/octet-stream"))],
        payload: "bar",
    },
    Vector {
        id: "StructurePayloadInput",
        frame: "AAAAfwAAAFacqFy2DTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAEHN0cnVjdHVyZVBheWxvYWQNOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb257InN0cnVjdHVyZU1lbWJlciI6ImZvbyJ9rcIRVA==",
        headers: &[(":message-type", Str("event")), (":event-type", Str("structurePayload")), (":content-type", Str("application/json"))],
        payload: "{\"structureMember\":\"foo\"}",
    },
    Vector {
        id: "UnionPayloadInput",
        frame: "AAAAdwAAAFKrtdNuDTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcADHVuaW9uUGF5bG9hZA06Y29udGVudC10eXBlBwAQYXBwbGljYXRpb24vanNvbnsidW5pb25NZW1iZXIiOiJiYXIifcZDMD4=",
        headers: &[(":message-type", Str("event")), (":event-type", Str("unionPayload")), (":content-type", Str("application/json"))],
        payload: "{\"unionMember\":\"bar\"}",
    },
    Vector {
        id: "HeadersAndExplicitPayloadInput",
        frame: "AAAAlQAAAGw4wFp6DTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAGWhlYWRlcnNBbmRFeHBsaWNpdFBheWxvYWQNOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb24GaGVhZGVyBwADZm9veyJzdHJ1Y3R1cmVNZW1iZXIiOiJiYXIifTafKXs=",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headersAndExplicitPayload")), (":content-type", Str("application/json")), ("header", Str("foo"))],
        payload: "{\"structureMember\":\"bar\"}",
    },
    Vector {
        id: "HeadersAndImplicitPayloadInput",
        frame: "AAAAjQAAAGxoUIY5DTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQcAGWhlYWRlcnNBbmRJbXBsaWNpdFBheWxvYWQNOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb24GaGVhZGVyBwADZm9veyJwYXlsb2FkIjoiYmFyIn15lZtT",
        headers: &[(":message-type", Str("event")), (":event-type", Str("headersAndImplicitPayload")), (":content-type", Str("application/json")), ("header", Str("foo"))],
        payload: "{\"payload\":\"bar\"}",
    },
    Vector {
        id: "ServerErrorInput",
        frame: "AAAAdAAAAFObEpkoDTptZXNzYWdlLXR5cGUHAAlleGNlcHRpb24POmV4Y2VwdGlvbi10eXBlBwAFZXJyb3INOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb257Im1lc3NhZ2UiOiJmb28ifTua1S8=",
        headers: &[(":message-type", Str("exception")), (":exception-type", Str("error")), (":content-type", Str("application/json"))],
        payload: "{\"message\":\"foo\"}",
    },
    Vector {
        id: "ServerUnexpectedErrorInput",
        frame: "AAAAbwAAAF+FlHOQDTptZXNzYWdlLXR5cGUHAAVlcnJvcgs6ZXJyb3ItY29kZQcADmludGVybmFsLWVycm9yDjplcnJvci1tZXNzYWdlBwAaQW4gdW5rbm93biBlcnJvciBvY2N1cnJlZC4kun0t",
        headers: &[(":message-type", Str("error")), (":error-code", Str("internal-error")), (":error-message", Str("An unknown error occurred."))],
        payload: "",
    },
    Vector {
        id: "MissingMessageTypeInput",
        frame: "AAAAfwAAAFacqFy2CzpldmVudC10eXBlBwAZaGVhZGVyc0FuZEV4cGxpY2l0UGF5bG9hZA06Y29udGVudC10eXBlBwAQYXBwbGljYXRpb24vanNvbgZoZWFkZXIHAANmb297InN0cnVjdHVyZU1lbWJlciI6ImJhciJ98LexJg==",
        headers: &[(":event-type", Str("headersAndExplicitPayload")), (":content-type", Str("application/json")), ("header", Str("foo"))],
        payload: "{\"structureMember\":\"bar\"}",
    },
    Vector {
        id: "MalformedMessageTypeInput",
        frame: "AAAAlQAAAGw4wFp6DTptZXNzYWdlLXR5cGUGAAVldmVudAs6ZXZlbnQtdHlwZQcAGWhlYWRlcnNBbmRFeHBsaWNpdFBheWxvYWQNOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb24GaGVhZGVyBwADZm9veyJzdHJ1Y3R1cmVNZW1iZXIiOiJiYXIifVwdfzU=",
        headers: &[(":message-type", Blob("ZXZlbnQ=")), (":event-type", Str("headersAndExplicitPayload")), (":content-type", Str("application/json")), ("header", Str("foo"))],
        payload: "{\"structureMember\":\"bar\"}",
    },
    Vector {
        id: "MissingEventTypeInput",
        frame: "AAAAbQAAAER1MekcDTptZXNzYWdlLXR5cGUHAAVldmVudA06Y29udGVudC10eXBlBwAQYXBwbGljYXRpb24vanNvbgZoZWFkZXIHAANmb297InN0cnVjdHVyZU1lbWJlciI6ImJhciJ9riy0Gg==",
        headers: &[(":message-type", Str("event")), (":content-type", Str("application/json")), ("header", Str("foo"))],
        payload: "{\"structureMember\":\"bar\"}",
    },
    Vector {
        id: "MalformedEventTypeInput",
        frame: "AAAAlQAAAGw4wFp6DTptZXNzYWdlLXR5cGUHAAVldmVudAs6ZXZlbnQtdHlwZQYAGWhlYWRlcnNBbmRFeHBsaWNpdFBheWxvYWQNOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb24GaGVhZGVyBwADZm9veyJzdHJ1Y3R1cmVNZW1iZXIiOiJiYXIifcP6KLk=",
        headers: &[(":message-type", Str("event")), (":event-type", Blob("aGVhZGVyc0FuZEV4cGxpY2l0UGF5bG9hZA==")), (":content-type", Str("application/json")), ("header", Str("foo"))],
        payload: "{\"structureMember\":\"bar\"}",
    },
];
