//! Every identifier rule of the generator, in one place.
//!
//! Names are cut into words first ([`words`]), then joined in the wanted case. Word boundaries
//! follow the names found in AWS models:
//!
//! * a case change: `secretId` → `secret` `Id`; an acronym ends where a capitalized word starts:
//!   `KMSKeyId` → `KMS` `Key` `Id`;
//! * digits stay with the word before them, and in a name with lower-case letters a capital
//!   after a digit starts a word: `S3Bucket` → `S3` `Bucket`, `MD5OfBody` → `MD5` `Of` `Body`;
//!   `AES256` and `M7I` (in `ML_M7I_XLARGE`) are one word each;
//! * a plural acronym stays whole: `ARNs` → `ARNs`, `KMSKeyIDs` → `KMS` `Key` `IDs`;
//! * an acronym followed by `v` and a digit stays whole: `IPv6Address` → `IPv6` `Address`;
//! * any other character separates words: `us-east-1` → `us` `east` `1`, `application/json`.
//!
//! Escaping turns a converted name into a valid Rust identifier ([`field_name`], [`type_name`],
//! [`enum_variant`], [`fn_name`], [`module_name`]) and [`dedupe`] resolves names that collide
//! after conversion.

use std::collections::HashSet;

/// Rust keywords (strict and reserved, every edition up to 2024) that need `r#` or a suffix.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a `_` suffix instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// Type names that generated code would shadow: std prelude types, variants and traits. A type
/// with one of these names gets the suffix `Value` (`Result` → `ResultValue`).
const PRELUDE: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Is `name` a Rust keyword or reserved word (including the 2024 edition's `gen`)?
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Cuts a name into words by the rules in the module documentation.
pub fn words(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for segment in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
    {
        let chars: Vec<(usize, char)> = segment.char_indices().collect();
        let camel = segment.chars().any(char::is_lowercase);
        let mut start = 0;
        for k in 1..chars.len() {
            let (prev, cur) = (chars[k - 1].1, chars[k].1);
            let next = chars.get(k + 1).map(|c| c.1);
            // aB | 3B (in a camel-case name: `S3Bucket`, not `M7I`) | ABc (an acronym, then a
            // capitalized word)
            let boundary = cur.is_uppercase()
                && (prev.is_lowercase()
                    || (prev.is_numeric() && (camel || next.is_some_and(char::is_lowercase)))
                    || (prev.is_uppercase()
                        && next.is_some_and(char::is_lowercase)
                        && !plural_or_version(&chars, k)));
            if boundary {
                out.push(&segment[chars[start].0..chars[k].0]);
                start = k;
            }
        }
        out.push(&segment[chars[start].0..]);
    }
    out
}

/// At `k` an uppercase letter follows another one and precedes a lowercase one: is this the
/// end of a plural acronym (`ARNs`, `k` at `N`) or of a versioned one (`IPv6`)?
fn plural_or_version(chars: &[(usize, char)], k: usize) -> bool {
    let at = |i: usize| chars.get(i).map(|c| c.1);
    match at(k + 1) {
        // `As` and `Is` are words of their own: `MSKAsSource` → `MSK` `As` `Source`.
        Some('s') => {
            !matches!(at(k), Some('A' | 'I')) && at(k + 2).is_none_or(|c| !c.is_lowercase())
        }
        Some('v') => at(k + 2).is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// `snake_case`: lower-case words joined by `_` (`KMSKeyId` → `kms_key_id`, `ARNs` → `arns`).
pub fn snake_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `SCREAMING_SNAKE_CASE` (`KMSKeyId` → `KMS_KEY_ID`).
pub fn screaming_snake_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `PascalCase`: each word capitalized, its rest lower-cased (`KMSKeyId` → `KmsKeyId`,
/// `us-east-1` → `UsEast1`). Words that would join digit to digit keep a `_` between them
/// (`1.0` → `1_0`), so that different values stay different.
pub fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for w in words(name) {
        if out.ends_with(|c: char| c.is_ascii_digit())
            && w.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(&chars.as_str().to_lowercase());
        }
    }
    out
}

/// Makes a snake-case name a valid identifier: `r#` for keywords, a `_` suffix for those that
/// cannot be raw (`self`, `super`, `crate`), a `_` prefix before a leading digit, `empty` for
/// nothing.
fn escape_snake(name: String, empty: &str) -> String {
    if name.is_empty() {
        empty.to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if is_keyword(&name) {
        format!("r#{name}")
    } else {
        name
    }
}

/// A struct field (or parameter, or accessor) for a member name: `SecretId` → `secret_id`,
/// `KMSKeyId` → `kms_key_id`, `Type` → `r#type`, `gen` → `r#gen`, `Self`/`self` → `self_`,
/// `super` → `super_`, `crate` → `crate_`; a leading digit gets a `_` prefix (`3DES` → `_3des`);
/// an empty name becomes `field`.
pub fn field_name(member: &str) -> String {
    escape_snake(snake_case(member), "field")
}

/// A client method for an operation: `GetSecretValue` → `get_secret_value` (escaped like
/// [`field_name`]; an empty name becomes `operation`).
pub fn fn_name(operation: &str) -> String {
    escape_snake(snake_case(operation), "operation")
}

/// A module for an operation: `GetSecretValue` → `get_secret_value` (escaped like
/// [`field_name`]; an empty name becomes `operation`).
pub fn module_name(operation: &str) -> String {
    escape_snake(snake_case(operation), "operation")
}

/// Escapes a PascalCase name: `empty` for nothing, `prefix` before a leading digit, the suffix
/// `Value` for `Self` and for the names in `taken`.
fn escape_pascal(name: String, prefix: &str, empty: &str, taken: &[&str]) -> String {
    let name = if name.is_empty() {
        empty.to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{name}")
    } else {
        name
    };
    if name == "Self" || taken.contains(&name.as_str()) {
        format!("{name}Value")
    } else {
        name
    }
}

/// A type name for a shape name: PascalCase (`SecretListEntry`, `KMSKeyIdType` →
/// `KmsKeyIdType`). A name that would shadow a std prelude item (`Option`, `Result`, `String`,
/// `Vec`, `Box`, `Some`, `None`, `Ok`, `Err`, traits such as `Default` or `Clone`) or is `Self`
/// gets the suffix `Value` (`Result` → `ResultValue`); a leading digit gets the prefix `Shape`
/// (`3DSecure` → `Shape3DSecure`); an empty name becomes `Shape`.
pub fn type_name(shape: &str) -> String {
    escape_pascal(pascal_case(shape), "Shape", "Shape", PRELUDE)
}

/// An enum variant for an enum member name or value: PascalCase (`SYMMETRIC_DEFAULT` →
/// `SymmetricDefault`, `us-east-1` → `UsEast1`, `application/json` → `ApplicationJson`,
/// `AES256` → `Aes256`). A leading digit gets the prefix `V` (`1` → `V1`, `5.1` → `V5_1`); a value
/// without letters or digits is named after its characters (`*` → `Asterisk`, `+` → `Plus`,
/// empty → `Empty`); `Unknown` (the catch-all variant's name) and `Self` get the suffix `Value`.
/// Collisions between the variants of one enum are left to [`dedupe`].
pub fn enum_variant(value: &str) -> String {
    let pascal = pascal_case(value);
    let pascal = if pascal.is_empty() {
        symbol_name(value)
    } else {
        pascal
    };
    escape_pascal(pascal, "V", "Empty", &["Unknown"])
}

/// Names a value made only of symbols: `*` → `Asterisk`, `+-` → `PlusMinus`.
fn symbol_name(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '*' => "Asterisk",
            '+' => "Plus",
            '-' => "Minus",
            '/' => "Slash",
            '.' => "Dot",
            ',' => "Comma",
            ':' => "Colon",
            '=' => "Equals",
            '<' => "Less",
            '>' => "Greater",
            '!' => "Bang",
            '?' => "Question",
            '#' => "Hash",
            '$' => "Dollar",
            '%' => "Percent",
            '&' => "Ampersand",
            '@' => "At",
            '_' => "Underscore",
            '|' => "Pipe",
            '~' => "Tilde",
            _ => "Symbol",
        })
        .collect()
}

/// Whether `name` is a Smithy identifier (the form `rename` values must have): an ASCII letter
/// or `_` first, then letters, digits and `_`, with at least one letter or digit.
pub fn is_smithy_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The default name of a service's crate: with an `aws.api#service` sdkId, the sdkId in lower
/// case without spaces or punctuation, the AWS SDK's convention (`Secrets Manager` →
/// `secretsmanager`, `ACM PCA` → `acmpca`); otherwise the service shape name in snake case
/// (`Weather` → `weather`, `CoffeeShop` → `coffee_shop`). A keyword gets the suffix `_client`
/// (`Type` → `type_client`), a leading digit the prefix `service_`, nothing becomes `service`.
pub fn crate_name(sdk_id: Option<&str>, service_shape: &str) -> String {
    let base = match sdk_id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect(),
        None => snake_case(service_shape),
    };
    if base.is_empty() {
        "service".to_string()
    } else if base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("service_{base}")
    } else if is_keyword(&base) {
        format!("{base}_client")
    } else {
        base
    }
}

/// Makes names unique, keeping their order. The first occurrence of a name keeps it; each later
/// duplicate gets the smallest suffix `2`, `3`, ... that makes it different from every name in
/// the input and every name given out so far. Snake-case names get `_2` (`foo`, `foo` → `foo`,
/// `foo_2`; `r#type` → `type_2`; `self_` → `self_2`); PascalCase names get `2` (`FooBar`,
/// `FooBar` → `FooBar`, `FooBar2`), or `_2` after a digit (`V1` → `V1_2`). The result depends
/// only on the input order.
pub fn dedupe(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let names: Vec<String> = names.into_iter().collect();
    let mut taken: HashSet<String> = names.iter().cloned().collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in &names {
        if seen.insert(name.as_str()) {
            out.push(name.clone());
            continue;
        }
        let base = name
            .strip_prefix("r#")
            .unwrap_or(name)
            .trim_end_matches('_');
        let pascal = base.starts_with(char::is_uppercase);
        let sep = if !pascal || base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let unique = (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or_default();
        taken.insert(unique.clone());
        out.push(unique);
    }
    out
}

/// The name without a raw prefix (`r#type` → `type`), for building other names from it.
pub fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// `<prefix>_<name>` for a field or type-derived method or function name (`set` + `r#type` →
/// `set_type`, `is` + `ARN` → `is_arn` when given a snake-case name).
pub fn prefixed(prefix: &str, name: &str) -> String {
    format!("{prefix}_{}", bare(name))
}

/// The serializer function of a type (`SecretListEntry` → `ser_secret_list_entry`).
pub fn ser_fn(type_name: &str) -> String {
    prefixed("ser", &snake_case(type_name))
}

/// The deserializer function of a type (`SecretListEntry` → `de_secret_list_entry`).
pub fn de_fn(type_name: &str) -> String {
    prefixed("de", &snake_case(type_name))
}

/// The whole-response reader of a type (`ComplexError` → `de_complex_error_response`): errors
/// with members bound to headers.
pub fn de_response_fn(type_name: &str) -> String {
    format!("{}_response", de_fn(type_name))
}

/// The `is_<error>` method of an error enum for the error type `type_name`
/// (`ResourceNotFoundException` → `is_resource_not_found_exception`).
pub fn is_fn(type_name: &str) -> String {
    prefixed("is", &snake_case(type_name))
}

/// The module of a type under `types/` (`SecretListEntry` → `_secret_list_entry`: the leading
/// `_` keeps modules apart from keywords and from the types' own names).
pub fn type_module(type_name: &str) -> String {
    format!("_{}", bare(&snake_case(type_name)))
}

/// The builder of a type (`Foo` → `FooBuilder`).
pub fn builder_name(type_name: &str) -> String {
    format!("{type_name}Builder")
}

/// The crate's name as a Rust path root (`-` → `_`).
pub fn crate_ident(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// The type name of a shape whose own name another shape of the service already has: its
/// namespace's last part in PascalCase, then its name (`com.other#Foo` → `OtherFoo`).
pub fn qualified_type_name(namespace: &str, shape_name: &str) -> String {
    type_name(&format!(
        "{}{}",
        pascal_case(namespace.rsplit('.').next().unwrap_or("")),
        shape_name
    ))
}

/// Member names that would clash with methods or fields the generator adds to structures,
/// builders and fluent builders; such members get a `_value` suffix.
const RESERVED_MEMBER_NAMES: &[&str] = &[
    "build",
    "builder",
    "send",
    "send_with",
    "as_input",
    "into_paginator",
    "into_pages",
    "meta",
    "with_meta",
    "is_retryable",
    "is_throttling",
    "is_server_fault",
    "handle",
    "inner",
    "new",
];

/// The Rust fields of a structure's members, in order: [`field_name`] of each, with a `_value`
/// suffix for names the generated types use for their own methods (`build`, `send`, `meta`,
/// ...), then made unique ([`dedupe`]).
pub fn member_fields<'a>(members: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    dedupe(members.into_iter().map(field_name).map(|n| {
        if RESERVED_MEMBER_NAMES.contains(&n.as_str()) {
            format!("{n}_value")
        } else {
            n
        }
    }))
}

/// The variants of a union's members, in order: [`type_name`] of each, `Unknown` (the
/// catch-all variant) becoming `UnknownValue`, then made unique.
pub fn union_variants<'a>(members: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    dedupe(members.into_iter().map(type_name).map(|n| {
        if n == "Unknown" {
            "UnknownValue".to_string()
        } else {
            n
        }
    }))
}

/// The Rust names of an operation's generated types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpTypeNames {
    /// `GetSecretValueInput`
    pub input: String,
    /// `GetSecretValueOutput`
    pub output: String,
    /// `GetSecretValueError`
    pub error: String,
    /// `GetSecretValueFluentBuilder`
    pub fluent: String,
    /// `GetSecretValuePaginator`
    pub paginator: String,
    /// `GetSecretValueItems`
    pub items: String,
}

/// The types generated for operation `name` (`GetSecretValue` → `GetSecretValueInput`,
/// `...Output`, `...Error`, `...FluentBuilder`, `...Paginator`, `...Items`).
pub fn op_type_names(name: &str) -> OpTypeNames {
    let base = type_name(name);
    OpTypeNames {
        input: format!("{base}Input"),
        output: format!("{base}Output"),
        error: format!("{base}Error"),
        fluent: format!("{base}FluentBuilder"),
        paginator: format!("{base}Paginator"),
        items: format!("{base}Items"),
    }
}

/// A generated test function for case `i` described by `text`: `case_01_<snake text>`, the
/// text cut to 80 characters.
pub fn test_fn_name(i: usize, text: &str) -> String {
    let mut s: String = snake_case(&text.replace(|c: char| !c.is_ascii_alphanumeric(), " "));
    s.truncate(80);
    let s = s.trim_end_matches('_');
    format!("case_{:02}_{}", i + 1, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Is `s` usable as an identifier: a non-keyword syn accepts, or `r#` + a keyword that may be raw?
    fn is_ident(s: &str) -> bool {
        let parses = syn::parse_str::<syn::Ident>(s).is_ok();
        match s.strip_prefix("r#") {
            Some(raw) => parses && is_keyword(raw) && !NOT_RAW.contains(&raw),
            None => parses && !is_keyword(s),
        }
    }

    #[test]
    fn the_identifier_check_rejects_invalid_names() {
        for bad in [
            "type", "self", "gen", "1a", "a-b", "r#self", "r#crate", "", "_", "a b",
        ] {
            assert!(!is_ident(bad), "{bad:?}");
        }
        for good in ["a", "_1", "r#type", "r#gen", "self_", "FooBar", "union"] {
            assert!(is_ident(good), "{good:?}");
        }
    }

    #[test]
    fn words_follow_aws_names() {
        let cases: &[(&str, &[&str])] = &[
            ("GetSecretValue", &["Get", "Secret", "Value"]),
            ("KMSKeyId", &["KMS", "Key", "Id"]),
            ("ARN", &["ARN"]),
            ("ARNs", &["ARNs"]),
            ("KMSKeyIDs", &["KMS", "Key", "IDs"]),
            ("ACLsUpdateStatus", &["ACLs", "Update", "Status"]),
            ("MSKAsSource", &["MSK", "As", "Source"]),
            ("IPv6Address", &["IPv6", "Address"]),
            ("S3Bucket", &["S3", "Bucket"]),
            ("MD5OfBody", &["MD5", "Of", "Body"]),
            ("AES256", &["AES256"]),
            ("ML_M7I_XLARGE", &["ML", "M7I", "XLARGE"]),
            ("us-east-1", &["us", "east", "1"]),
            ("application/json", &["application", "json"]),
            ("secretId", &["secret", "Id"]),
            (
                "SecretVersionsToStagesMapType",
                &["Secret", "Versions", "To", "Stages", "Map", "Type"],
            ),
            ("", &[]),
            ("--", &[]),
        ];
        for (name, want) in cases {
            assert_eq!(words(name), *want, "{name}");
        }
    }

    #[test]
    fn case_conversions() {
        let cases = [
            // name, snake, pascal, screaming
            (
                "GetSecretValue",
                "get_secret_value",
                "GetSecretValue",
                "GET_SECRET_VALUE",
            ),
            ("KMSKeyId", "kms_key_id", "KmsKeyId", "KMS_KEY_ID"),
            ("ARN", "arn", "Arn", "ARN"),
            ("ARNs", "arns", "Arns", "ARNS"),
            (
                "SecretVersionsToStagesMapType",
                "secret_versions_to_stages_map_type",
                "SecretVersionsToStagesMapType",
                "SECRET_VERSIONS_TO_STAGES_MAP_TYPE",
            ),
            ("IPv6Address", "ipv6_address", "Ipv6Address", "IPV6_ADDRESS"),
            ("S3Bucket", "s3_bucket", "S3Bucket", "S3_BUCKET"),
            ("MD5OfBody", "md5_of_body", "Md5OfBody", "MD5_OF_BODY"),
            ("ListSecrets", "list_secrets", "ListSecrets", "LIST_SECRETS"),
            (
                "SYMMETRIC_DEFAULT",
                "symmetric_default",
                "SymmetricDefault",
                "SYMMETRIC_DEFAULT",
            ),
            ("us-east-1", "us_east_1", "UsEast1", "US_EAST_1"),
            ("5.1", "5_1", "5_1", "5_1"),
            ("maximumTTL", "maximum_ttl", "MaximumTtl", "MAXIMUM_TTL"),
        ];
        for (name, snake, pascal, screaming) in cases {
            assert_eq!(snake_case(name), snake, "snake {name}");
            assert_eq!(pascal_case(name), pascal, "pascal {name}");
            assert_eq!(screaming_snake_case(name), screaming, "screaming {name}");
        }
    }

    #[test]
    fn derived_names() {
        type Case = (&'static str, fn(&str) -> String, &'static str);
        let cases: &[Case] = &[
            ("SecretListEntry", ser_fn, "ser_secret_list_entry"),
            ("Type", de_fn, "de_type"),
            (
                "ResourceNotFoundException",
                is_fn,
                "is_resource_not_found_exception",
            ),
            ("Self", type_module, "_self"),
            ("Type", type_module, "_type"),
            ("Foo", builder_name, "FooBuilder"),
            ("acm-pca", crate_ident, "acm_pca"),
        ];
        for (input, f, want) in cases {
            assert_eq!(f(input), *want, "{input}");
        }
        assert_eq!(prefixed("set", "r#type"), "set_type");
        assert_eq!(bare("r#match"), "match");
        assert_eq!(
            qualified_type_name("com.other.weather", "Forecast"),
            "WeatherForecast"
        );
        assert_eq!(qualified_type_name("", "Result"), "ResultValue");
        assert_eq!(
            test_fn_name(0, "To get the value!"),
            "case_01_to_get_the_value"
        );
        assert_eq!(test_fn_name(11, &"x ".repeat(100)).len(), 8 + 79);
    }

    #[test]
    fn member_fields_avoid_generated_methods() {
        assert_eq!(
            member_fields(["Build", "Name", "name", "Meta", "Type", "send"]),
            [
                "build_value",
                "name",
                "name_2",
                "meta_value",
                "r#type",
                "send_value"
            ]
        );
        assert_eq!(
            union_variants(["Unknown", "unknown", "S3", "s3"]),
            ["UnknownValue", "UnknownValue2", "S3", "S3_2"]
        );
        let n = op_type_names("GetSecretValue");
        assert_eq!(
            (n.input.as_str(), n.error.as_str(), n.items.as_str()),
            (
                "GetSecretValueInput",
                "GetSecretValueError",
                "GetSecretValueItems"
            )
        );
        assert_eq!(op_type_names("Result").output, "ResultValueOutput");
    }

    #[test]
    fn field_and_fn_names_escape_keywords() {
        let cases = [
            ("SecretId", "secret_id"),
            ("Type", "r#type"),
            ("type", "r#type"),
            ("gen", "r#gen"),
            ("Async", "r#async"),
            ("Match", "r#match"),
            ("Self", "self_"),
            ("self", "self_"),
            ("super", "super_"),
            ("Crate", "crate_"),
            ("union", "union"),
            ("3DES", "_3des"),
            ("", "field"),
        ];
        for (member, want) in cases {
            assert_eq!(field_name(member), want, "{member}");
            assert!(is_ident(&field_name(member)), "{want}");
        }
        assert_eq!(fn_name("GetSecretValue"), "get_secret_value");
        assert_eq!(module_name("GetSecretValue"), "get_secret_value");
        assert_eq!(fn_name("Match"), "r#match");
        assert_eq!(module_name("Self"), "self_");
        assert_eq!(module_name(""), "operation");
    }

    #[test]
    fn type_names_avoid_the_prelude() {
        let cases = [
            ("SecretListEntry", "SecretListEntry"),
            ("KMSKeyIdType", "KmsKeyIdType"),
            ("Result", "ResultValue"),
            ("Option", "OptionValue"),
            ("String", "StringValue"),
            ("Vec", "VecValue"),
            ("Box", "BoxValue"),
            ("Some", "SomeValue"),
            ("None", "NoneValue"),
            ("Ok", "OkValue"),
            ("Err", "ErrValue"),
            ("Default", "DefaultValue"),
            ("Self", "SelfValue"),
            ("Error", "Error"),
            ("3DSecure", "Shape3DSecure"),
            ("", "Shape"),
        ];
        for (shape, want) in cases {
            assert_eq!(type_name(shape), want, "{shape}");
        }
    }

    #[test]
    fn enum_variants_are_valid_and_never_unknown() {
        let cases = [
            ("us-east-1", "UsEast1"),
            ("AES256", "Aes256"),
            ("SYMMETRIC_DEFAULT", "SymmetricDefault"),
            ("application/json", "ApplicationJson"),
            ("AWS::EC2::Instance", "AwsEc2Instance"),
            ("1", "V1"),
            ("5.1", "V5_1"),
            ("*", "Asterisk"),
            ("*Other", "Other"),
            ("", "Empty"),
            ("  ", "Empty"),
            ("Unknown", "UnknownValue"),
            ("UNKNOWN", "UnknownValue"),
            ("Self", "SelfValue"),
            ("ml.m5.xlarge", "MlM5Xlarge"),
        ];
        for (value, want) in cases {
            assert_eq!(enum_variant(value), want, "{value}");
            assert!(is_ident(want), "{want}");
        }
    }

    #[test]
    fn smithy_identifiers() {
        for good in ["Widget", "_Widget", "a1", "Foo_Bar", "__x"] {
            assert!(is_smithy_identifier(good), "{good:?}");
        }
        for bad in [
            "",
            "_",
            "__",
            "1Widget",
            "Foo-Bar",
            "a b",
            "ns#Widget",
            "Wídget",
        ] {
            assert!(!is_smithy_identifier(bad), "{bad:?}");
        }
    }

    #[test]
    fn crate_names_come_from_the_sdk_id_else_the_shape() {
        for (sdk_id, shape, expected) in [
            (Some("Secrets Manager"), "secretsmanager", "secretsmanager"),
            (Some("ACM PCA"), "ACMPrivateCA", "acmpca"),
            (
                Some("Route 53 Recovery-Control"),
                "X",
                "route53recoverycontrol",
            ),
            (None, "Weather", "weather"),
            (None, "CoffeeShop", "coffee_shop"),
            (None, "KMSKeyService", "kms_key_service"),
            (Some("  "), "Weather", "weather"),
            (None, "Type", "type_client"),
            (None, "3DService", "service_3_d_service"),
            (None, "", "service"),
        ] {
            let name = crate_name(sdk_id, shape);
            assert_eq!(name, expected, "{sdk_id:?} {shape:?}");
            assert!(is_ident(&name), "{name}");
        }
    }

    #[test]
    fn dedupe_is_deterministic_and_complete() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], &[&str])] = &[
            (&["foo", "foo"], &["foo", "foo_2"]),
            (&["foo", "foo", "foo_2"], &["foo", "foo_3", "foo_2"]),
            (&["FooBar", "FooBar"], &["FooBar", "FooBar2"]),
            (&["V1", "V1"], &["V1", "V1_2"]),
            (&["r#type", "r#type"], &["r#type", "type_2"]),
            (&["self_", "self_"], &["self_", "self_2"]),
            (&["a", "b"], &["a", "b"]),
            (&[], &[]),
        ];
        for (input, want) in cases {
            assert_eq!(dedupe(s(input)), s(want), "{input:?}");
        }
        // Collisions after case conversion: `Foo`/`foo`, `fooBar`/`FooBar`, `A-B`/`A_B`.
        assert_eq!(dedupe(["Foo", "foo"].map(field_name)), ["foo", "foo_2"]);
        assert_eq!(
            dedupe(["fooBar", "FooBar"].map(field_name)),
            ["foo_bar", "foo_bar_2"]
        );
        assert_eq!(dedupe(["A-B", "A_B"].map(enum_variant)), ["AB", "AB2"]);
    }

    /// The models directory: `SMITHY_MODELS_DIR`, else `<workspace>/../shared/models`.
    fn models_dir() -> std::path::PathBuf {
        let dir = std::env::var_os("SMITHY_MODELS_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models")
            });
        assert!(
            dir.join("aws").is_dir(),
            "no models at {}: set SMITHY_MODELS_DIR to the folder with secretsmanager.json and aws/*.json",
            dir.display()
        );
        dir
    }

    #[test]
    fn every_name_in_every_model_becomes_a_valid_unique_identifier() {
        let dir = models_dir();
        let mut files = vec![dir.join("secretsmanager.json")];
        files.extend(
            std::fs::read_dir(dir.join("aws"))
                .unwrap()
                .map(|e| e.unwrap().path()),
        );
        assert!(
            files.len() > 100,
            "expected ~127 models under {}",
            dir.display()
        );
        let mut bad = Vec::new();
        let (mut shapes, mut members) = (0, 0);
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let model: serde_json::Value = serde_json::from_str(&text).unwrap();
            let Some(all) = model["shapes"].as_object() else {
                continue;
            };
            let types = dedupe(
                all.keys()
                    .map(|id| type_name(id.rsplit('#').next().unwrap_or(id))),
            );
            for (id, shape) in all {
                shapes += 1;
                let name = id.rsplit('#').next().unwrap_or(id);
                let mut idents = vec![type_name(name)];
                if shape["type"] == "operation" {
                    idents.extend([fn_name(name), module_name(name)]);
                }
                bad.extend(
                    idents
                        .iter()
                        .filter(|n| !is_ident(n))
                        .map(|n| format!("{id}: {n}")),
                );
                let Some(ms) = shape["members"].as_object() else {
                    continue;
                };
                members += ms.len();
                let mut groups = vec![dedupe(ms.keys().map(|m| field_name(m)))];
                if matches!(shape["type"].as_str(), Some("enum" | "intEnum" | "union")) {
                    groups.push(dedupe(ms.keys().map(|m| enum_variant(m))));
                    let values = ms
                        .values()
                        .filter_map(|m| m["traits"]["smithy.api#enumValue"].as_str());
                    groups.push(dedupe(values.map(enum_variant)));
                }
                for group in groups {
                    let unique: HashSet<&String> = group.iter().collect();
                    if unique.len() != group.len() {
                        bad.push(format!("{id}: duplicates after dedupe {group:?}"));
                    }
                    let invalid = group.iter().filter(|n| !is_ident(n) || *n == "Unknown");
                    bad.extend(invalid.map(|n| format!("{id}: member name {n}")));
                }
            }
            let unique: HashSet<&String> = types.iter().collect();
            assert_eq!(unique.len(), types.len(), "{}", file.display());
        }
        assert!(
            shapes > 30_000 && members > 60_000,
            "{shapes} shapes, {members} members"
        );
        assert!(
            bad.is_empty(),
            "{} bad names, first: {:?}",
            bad.len(),
            &bad[..bad.len().min(20)]
        );
    }
}
