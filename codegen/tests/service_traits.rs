//! What the generator takes from a service's traits: names (sdkId or shape name), endpoint rules
//! (or an endpoint the user must give), auth (SigV4 or unsigned, per operation too) and the
//! `rename` map, for plain Smithy services and AWS services alike.

use std::collections::BTreeMap;
use std::path::PathBuf;

use codegen::auth::Auth;
use codegen::ir;
use codegen::model::Model;

fn fixture(name: &str) -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/fixtures/{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn build(json: &str) -> Result<ir::Service, String> {
    let model = Model::from_json(json, "test.json").map_err(|e| e.to_string())?;
    ir::build(model, None, "svc").map_err(|e| e.to_string())
}

fn generate(json: &str) -> BTreeMap<String, String> {
    codegen::generate_crate(json, "test.json", None, "svc", &Default::default())
        .unwrap_or_else(|e| panic!("generation failed: {e}"))
}

/// The plain-service fixture with its service traits replaced by `traits` (a JSON object body).
fn plain_with_traits(traits: &str) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(&fixture("plain_service")).unwrap();
    let extra: serde_json::Value = serde_json::from_str(traits).unwrap();
    let t = doc["shapes"]["example.weather#Weather"]["traits"]
        .as_object_mut()
        .unwrap();
    for (k, v) in extra.as_object().unwrap() {
        t.insert(k.clone(), v.clone());
    }
    doc.to_string()
}

/// The plain-service fixture with its `rename` map replaced.
fn plain_with_rename(rename: &str) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(&fixture("plain_service")).unwrap();
    doc["shapes"]["example.weather#Weather"]["rename"] = serde_json::from_str(rename).unwrap();
    doc.to_string()
}

#[test]
fn a_plain_service_takes_its_names_from_the_shape_and_needs_an_endpoint() {
    let json = fixture("plain_service");
    let svc = build(&json).unwrap();
    assert_eq!(svc.sdk_id, None);
    assert_eq!(svc.title, "Weather");
    assert_eq!(svc.shape_name, "Weather");
    assert_eq!(svc.signing_name, None);
    assert_eq!(svc.auth, Auth::None);
    assert!(svc.endpoint_rules.is_empty() && svc.endpoint_tests.is_empty());
    assert!(svc.operations.iter().all(|o| o.auth == Auth::None));

    let model = Model::from_json(&json, "plain_service.json").unwrap();
    assert_eq!(ir::default_crate_name(&model, None).unwrap(), "weather");

    let files = generate(&json);
    let config = &files["src/config.rs"];
    // No sdkId (no AWS_ENDPOINT_URL_<SERVICE>), no signing name (unsigned), no rules (the
    // runtime asks the user for the endpoint).
    for field in [
        r#"sdk_id: "","#,
        r#"signing_name: "","#,
        r#"shape_name: "Weather","#,
        r#"endpoint_rules: "","#,
    ] {
        assert!(config.contains(field), "{field} in:\n{config}");
    }
    let lib = &files["src/lib.rs"];
    assert!(
        lib.contains("Config::builder().endpoint_url(")
            && !lib.contains("Config::from_env().await"),
        "the quick start gives an endpoint URL:\n{lib}"
    );
    assert!(
        files["src/client.rs"].contains("/// Client for Weather."),
        "the client is named after the service shape"
    );
    assert!(
        !files.contains_key("src/endpoint_tests.rs"),
        "no endpoint tests without rules"
    );
}

#[test]
fn a_service_with_rules_but_no_aws_traits_resolves_from_its_rules() {
    let rules = r#"{"smithy.rules#endpointRuleSet":{"version":"1.0","parameters":{},"rules":[{"conditions":[],"endpoint":{"url":"https://weather.example.com"},"type":"endpoint"}]}}"#;
    let files = generate(&plain_with_traits(rules));
    let config = &files["src/config.rs"];
    assert!(config.contains("https://weather.example.com"), "{config}");
    assert!(config.contains(r#"signing_name: "","#), "{config}");
    assert!(files["src/lib.rs"].contains("Config::from_env().await"));
}

#[test]
fn sigv4_only_with_the_trait_and_titles_from_the_sdk_id() {
    let aws = r#"{"aws.api#service":{"sdkId":"Weather Service","endpointPrefix":"wx"},"aws.auth#sigv4":{"name":"weather-signing"}}"#;
    let json = plain_with_traits(aws);
    let svc = build(&json).unwrap();
    assert_eq!(svc.sdk_id.as_deref(), Some("Weather Service"));
    assert_eq!(svc.title, "Weather Service");
    assert_eq!(svc.signing_name.as_deref(), Some("weather-signing"));
    assert_eq!(svc.auth, Auth::SigV4);
    let model = Model::from_json(&json, "t.json").unwrap();
    assert_eq!(
        ir::default_crate_name(&model, None).unwrap(),
        "weatherservice"
    );
    let files = generate(&json);
    let config = &files["src/config.rs"];
    assert!(config.contains(r#"sdk_id: "Weather Service","#), "{config}");
    assert!(
        config.contains(r#"signing_name: "weather-signing","#),
        "{config}"
    );
    // No rules: the quick start gives an endpoint, credentials come from the environment.
    assert!(files["src/lib.rs"].contains("Config::loader().endpoint_url("));

    // aws.api#service alone does not make a service signed (the endpoint prefix was the old
    // fallback signing name).
    let svc = build(&plain_with_traits(
        r#"{"aws.api#service":{"sdkId":"Weather","endpointPrefix":"wx"}}"#,
    ))
    .unwrap();
    assert_eq!((svc.signing_name, svc.auth), (None, Auth::None));
}

#[test]
fn operations_whose_auth_differs_from_the_service_pass_it_to_the_runtime() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&plain_with_traits(r#"{"aws.auth#sigv4":{"name":"wx"}}"#)).unwrap();
    doc["shapes"]["example.weather#GetForecast"]["traits"]["smithy.api#auth"] =
        serde_json::json!([]);
    let files = generate(&doc.to_string());
    let op = &files["src/operation/get_forecast.rs"];
    assert!(
        op.contains("CallOptions::new().auth(::awsrt::client::AuthScheme::None)"),
        "{op}"
    );
    assert!(files["src/config.rs"].contains(r#"signing_name: "wx","#));

    // The same operation in a service that signs everything uses the plain call.
    let files = generate(&plain_with_traits(r#"{"aws.auth#sigv4":{"name":"wx"}}"#));
    let op = &files["src/operation/get_forecast.rs"];
    assert!(op.contains(".call(&OPERATION, request)") && !op.contains("CallOptions"));

    // A service that signs nothing by default but one operation: the service gets the signing
    // name (SigV4 is the runtime default then) and... every other operation says `None`.
    doc["shapes"]["example.weather#Weather"]["traits"]["smithy.api#auth"] = serde_json::json!([]);
    doc["shapes"]["example.weather#GetForecast"]["traits"]["smithy.api#auth"] =
        serde_json::json!(["aws.auth#sigv4"]);
    let svc = build(&doc.to_string()).unwrap();
    assert_eq!(svc.signing_name.as_deref(), Some("wx"));
    assert_eq!(svc.operations[0].auth, Auth::SigV4);
}

#[test]
fn an_unsupported_auth_scheme_is_refused() {
    let e = build(&plain_with_traits(r#"{"smithy.api#httpBasicAuth":{}}"#)).unwrap_err();
    assert!(
        e.contains("example.weather#Weather") && e.contains("smithy.api#httpBasicAuth"),
        "{e}"
    );
}

#[test]
fn renamed_shapes_get_their_new_rust_names() {
    let svc = build(&fixture("plain_service")).unwrap();
    let names: Vec<&str> = svc.types.keys().map(String::as_str).collect();
    assert_eq!(names, ["CityNotFound", "DailyForecast", "SkyCondition"]);
    assert_eq!(svc.types["DailyForecast"].name(), "DailyForecast");
    // The wire names do not change: the operation and its target stay, and so do member keys.
    assert_eq!(svc.operations[0].name, "GetForecast");
    let files = generate(&fixture("plain_service"));
    assert!(files.contains_key("src/types/_daily_forecast.rs"));
    assert!(files.contains_key("src/types/_sky_condition.rs"));
    assert!(!files
        .keys()
        .any(|p| p.contains("/_forecast.rs") || p.contains("_condition.rs") && !p.contains("sky")));
    let op = &files["src/operation/get_forecast.rs"];
    assert!(op.contains("Option<crate::types::DailyForecast>") && op.contains(r#""Forecast" =>"#));
}

#[test]
fn renames_apply_to_aws_services_too() {
    let aws = r#"{"aws.api#service":{"sdkId":"Weather"},"aws.auth#sigv4":{"name":"weather"}}"#;
    let svc = build(&plain_with_traits(aws)).unwrap();
    assert!(svc.types.contains_key("DailyForecast") && !svc.types.contains_key("Forecast"));
    assert!(svc.types.contains_key("SkyCondition"));
}

#[test]
fn a_rename_settles_a_name_clash_between_namespaces() {
    // Two `Forecast`s: without a rename the generator prefixes one with its namespace...
    let mut doc: serde_json::Value = serde_json::from_str(&plain_with_rename("{}")).unwrap();
    doc["shapes"]["example.marine#Forecast"] = serde_json::json!({"type": "structure", "members": {"Waves": {"target": "smithy.api#Integer"}}});
    doc["shapes"]["example.weather#GetForecastOutput"]["members"]["Marine"] =
        serde_json::json!({"target": "example.marine#Forecast"});
    let svc = build(&doc.to_string()).unwrap();
    assert!(svc.types.contains_key("Forecast") && svc.types.contains_key("WeatherForecast"));
    // ...with one, each gets the name the service chose.
    doc["shapes"]["example.weather#Weather"]["rename"] =
        serde_json::json!({"example.marine#Forecast": "MarineForecast"});
    let svc = build(&doc.to_string()).unwrap();
    assert!(svc.types.contains_key("Forecast") && svc.types.contains_key("MarineForecast"));
    assert!(!svc.types.contains_key("WeatherForecast"));
    // A rename onto a name that is taken is an error, not a silent second rename.
    doc["shapes"]["example.weather#Weather"]["rename"] =
        serde_json::json!({"example.marine#Forecast": "CityNotFound"});
    let e = build(&doc.to_string()).unwrap_err();
    assert!(
        e.contains("rename") && e.contains("example.marine#Forecast") && e.contains("CityNotFound"),
        "{e}"
    );
}

#[test]
fn invalid_renames_are_refused() {
    for (rename, expected) in [
        (
            r#"{"example.weather#GetForecast":"Forecast2"}"#,
            "cannot be renamed",
        ),
        (
            r#"{"example.weather#Forecast$City":"Town"}"#,
            "member cannot be renamed",
        ),
        (r#"{"example.weather#Nope":"X"}"#, "does not exist"),
        (
            r#"{"example.weather#Forecast":"Daily-Forecast"}"#,
            "not a Smithy identifier",
        ),
    ] {
        let e = build(&plain_with_rename(rename)).unwrap_err();
        assert!(
            e.contains("example.weather#Weather") && e.contains(expected),
            "{rename}: {e}"
        );
    }
}
