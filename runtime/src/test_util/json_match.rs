//! Structural "contains" matching of JSON documents, used by [`super::Rule::input_contains`].

use crate::types::{Document, Number};

/// `true` when `actual` contains `pattern`.
///
/// * An object pattern matches an object that has every key of the pattern, each value matching
///   recursively; keys the pattern does not name are ignored.
/// * An array pattern matches an array of the same length whose elements match element-wise.
/// * Numbers compare by value (`1`, `1.0` and `1e0` are equal).
/// * Every other value must be equal.
///
/// ```
/// use awsrt::test_util::json_contains;
/// use awsrt::types::Document;
///
/// let sent = Document::parse(br#"{"SecretId": "db", "VersionStage": "AWSCURRENT"}"#).unwrap();
/// assert!(json_contains(&sent, &Document::parse(br#"{"SecretId": "db"}"#).unwrap()));
/// assert!(!json_contains(&sent, &Document::parse(br#"{"SecretId": "other"}"#).unwrap()));
/// ```
pub fn json_contains(actual: &Document, pattern: &Document) -> bool {
    match (actual, pattern) {
        (Document::Object(a), Document::Object(p)) => p
            .iter()
            .all(|(k, pv)| a.get(k).is_some_and(|av| json_contains(av, pv))),
        (Document::Array(a), Document::Array(p)) => {
            a.len() == p.len() && a.iter().zip(p).all(|(av, pv)| json_contains(av, pv))
        }
        (Document::Number(a), Document::Number(p)) => numbers_equal(*a, *p),
        (a, p) => a == p,
    }
}

fn numbers_equal(a: Number, b: Number) -> bool {
    match (a.to_i64(), b.to_i64()) {
        (Some(x), Some(y)) => return x == y,
        (Some(_), None) | (None, Some(_)) => {
            // One side may still be a u64 beyond i64.
            if let (Some(x), Some(y)) = (a.to_u64(), b.to_u64()) {
                return x == y;
            }
        }
        (None, None) => {}
    }
    a.as_f64() == b.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document {
        Document::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn objects_match_as_subsets() {
        let a = doc(r#"{"a": 1, "b": {"c": "x", "d": [1, 2]}, "e": null}"#);
        assert!(json_contains(&a, &doc("{}")));
        assert!(json_contains(&a, &doc(r#"{"a": 1}"#)));
        assert!(json_contains(&a, &doc(r#"{"b": {"c": "x"}}"#)));
        assert!(json_contains(&a, &doc(r#"{"e": null}"#)));
        assert!(!json_contains(&a, &doc(r#"{"a": 2}"#)));
        assert!(!json_contains(&a, &doc(r#"{"z": null}"#)));
        assert!(!json_contains(&a, &doc(r#"{"b": {"c": "y"}}"#)));
        assert!(!json_contains(&a, &doc(r#"{"b": "x"}"#)));
        assert!(!json_contains(&doc("[]"), &doc("{}")));
    }

    #[test]
    fn arrays_match_element_wise_with_equal_length() {
        let a = doc(r#"[{"k": 1, "x": 2}, "s"]"#);
        assert!(json_contains(&a, &doc(r#"[{"k": 1}, "s"]"#)));
        assert!(!json_contains(&a, &doc(r#"[{"k": 1}]"#)));
        assert!(!json_contains(&a, &doc(r#"["s", {"k": 1}]"#)));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_contains(&doc("1"), &doc("1.0")));
        assert!(json_contains(&doc("100"), &doc("1e2")));
        assert!(json_contains(&doc("-3"), &doc("-3.0")));
        assert!(json_contains(
            &doc("18446744073709551615"),
            &doc("18446744073709551615")
        ));
        assert!(!json_contains(&doc("1"), &doc("1.5")));
        assert!(!json_contains(&doc("1"), &doc("\"1\"")));
        assert!(!json_contains(&doc("true"), &doc("1")));
    }
}
