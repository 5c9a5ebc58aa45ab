//! Protocol compliance from the official Smithy protocol tests: every client case of
//! `$SMITHY_TESTDATA_DIR/smithy/protocol-tests/aws/<protocol>/` (read from the IDL) runs through
//! a client the generator writes for the test service. One test per protocol; each prints
//! `protocol tests <protocol>: passed N/M, skipped K`. The harness lives in
//! `tests/protocol_smithy/`; the generated crates and their build go to `target/protocol-tests/`.

#[path = "../protocol_smithy/mod.rs"]
mod protocol_smithy;

#[test]
fn aws_json1_0() {
    protocol_smithy::check("awsJson1_0");
}

#[test]
fn aws_json1_1() {
    protocol_smithy::check("awsJson1_1");
}

#[test]
fn rest_json1() {
    protocol_smithy::check("restJson1");
}

#[test]
fn rest_json1_event_streams() {
    protocol_smithy::check_event_streams("restJson1");
}

#[test]
fn rpc_v2_cbor() {
    protocol_smithy::check("rpcv2Cbor");
}

#[test]
fn rpc_v2_json() {
    protocol_smithy::check("rpcv2Json");
}

#[test]
fn aws_query() {
    protocol_smithy::check("awsQuery");
}

#[test]
fn ec2_query() {
    protocol_smithy::check("ec2Query");
}

#[test]
fn rest_xml() {
    protocol_smithy::check("restXml");
}

#[test]
fn rest_xml_with_namespace() {
    protocol_smithy::check("restXmlWithNamespace");
}
