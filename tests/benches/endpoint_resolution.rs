//! Endpoint resolution speed for Secrets Manager's rule set (`cargo bench -p integration-tests
//! --bench endpoint_resolution`). The client resolves once per handle and reuses the result, so
//! this is the cost of a first call or of a new client, not of every request.

use std::hint::black_box;
use std::time::Instant;

use awsrt::endpoint::{Params, Partitions, RuleSet};
use awsrt::types::Document;

fn main() {
    let dir = integration_tests::data_dir("SMITHY_MODELS_DIR", "models");
    let bytes = std::fs::read(dir.join("secretsmanager.json")).expect("secretsmanager.json");
    let model = Document::parse(&bytes).expect("model parses");
    let rules_json = model
        .get("shapes")
        .and_then(|s| s.get("com.amazonaws.secretsmanager#secretsmanager"))
        .and_then(|s| s.get("traits"))
        .and_then(|t| t.get("smithy.rules#endpointRuleSet"))
        .expect("the service has a rule set")
        .to_json();
    let start = Instant::now();
    let rules = RuleSet::parse(&rules_json).expect("rule set parses");
    println!("parse rule set: {:?}", start.elapsed());
    let partitions = Partitions::builtin();
    let cases = [
        (
            "us-east-1",
            Params::new()
                .with("Region", "us-east-1")
                .with("UseFIPS", false)
                .with("UseDualStack", false),
        ),
        (
            "us-gov-west-1 fips+dualstack",
            Params::new()
                .with("Region", "us-gov-west-1")
                .with("UseFIPS", true)
                .with("UseDualStack", true),
        ),
        (
            "unknown region",
            Params::new().with("Region", "mars-east-7"),
        ),
    ];
    for (label, params) in &cases {
        let n: u32 = 200_000;
        let start = Instant::now();
        let mut len = 0;
        for _ in 0..n {
            len +=
                black_box(rules.resolve(black_box(params), partitions)).map_or(0, |e| e.url.len());
        }
        let per = start.elapsed() / n;
        println!(
            "resolve {label}: {} ns per resolution (checksum {len})",
            per.as_nanos()
        );
    }
}
