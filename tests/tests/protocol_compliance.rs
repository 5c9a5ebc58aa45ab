//! Protocol compliance: every awsJson1_0 / awsJson1_1 / rest-json / awsQuery / ec2Query /
//! rest-xml case of the botocore protocol tests
//! (`$SMITHY_TESTDATA_DIR/protocol-tests/{input,output}/{json,json_1_0,rest-json,query,ec2,rest-xml}.json`)
//! runs as a test through a client generated from the suite's shapes. The harness lives in `tests/protocol/`; the
//! generated crates and their build go to `target/protocol-tests/`.

#[path = "../protocol/mod.rs"]
mod protocol;

use protocol::data::Direction;

#[test]
fn awsjson1_1_requests() {
    protocol::check_file(Direction::Input, "json.json");
}

#[test]
fn awsjson1_0_requests() {
    protocol::check_file(Direction::Input, "json_1_0.json");
}

#[test]
fn awsjson1_1_responses() {
    protocol::check_file(Direction::Output, "json.json");
}

#[test]
fn awsjson1_0_responses() {
    protocol::check_file(Direction::Output, "json_1_0.json");
}

#[test]
fn rest_json_requests() {
    protocol::check_file(Direction::Input, "rest-json.json");
}

#[test]
fn rest_json_responses() {
    protocol::check_file(Direction::Output, "rest-json.json");
}

#[test]
fn aws_query_requests() {
    protocol::check_file(Direction::Input, "query.json");
}

#[test]
fn aws_query_responses() {
    protocol::check_file(Direction::Output, "query.json");
}

#[test]
fn ec2_query_requests() {
    protocol::check_file(Direction::Input, "ec2.json");
}

#[test]
fn ec2_query_responses() {
    protocol::check_file(Direction::Output, "ec2.json");
}

#[test]
fn rest_xml_requests() {
    protocol::check_file(Direction::Input, "rest-xml.json");
}

#[test]
fn rest_xml_responses() {
    protocol::check_file(Direction::Output, "rest-xml.json");
}
