//! Identifier rules (minimal first cut by the lead so the crate builds; the names owner replaces
//! this with the full table-driven module).

use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// `snake_case`.
pub fn snake_case(s: &str) -> String {
    s.to_snake_case()
}

/// `PascalCase`.
pub fn pascal_case(s: &str) -> String {
    s.to_pascal_case()
}

/// `SCREAMING_SNAKE_CASE`.
pub fn screaming_snake_case(s: &str) -> String {
    s.to_shouty_snake_case()
}

fn escape(s: String) -> String {
    if matches!(s.as_str(), "self" | "Self" | "super" | "crate") {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

/// A field / method name for a member.
pub fn field_name(member: &str) -> String {
    escape(snake_case(member))
}

/// A type name for a shape.
pub fn type_name(shape: &str) -> String {
    let p = pascal_case(shape);
    let p = if p.is_empty() || p.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{p}")
    } else {
        p
    };
    match p.as_str() {
        "Option" | "Result" | "String" | "Vec" | "Box" | "Some" | "None" | "Ok" | "Err" => {
            format!("{p}Value")
        }
        "Self" => "SelfValue".to_string(),
        _ => p,
    }
}

/// An enum variant for a value.
pub fn enum_variant(value: &str) -> String {
    let p: String = pascal_case(&value.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let p = if p.is_empty() || p.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{p}")
    } else {
        p
    };
    if p == "Unknown" || p == "Self" {
        format!("{p}Value")
    } else {
        p
    }
}

/// The module for an operation.
pub fn module_name(op: &str) -> String {
    escape(snake_case(op))
}

/// The client method for an operation.
pub fn fn_name(op: &str) -> String {
    escape(snake_case(op))
}

/// Makes names unique in order: later duplicates get `_2`, `_3`, ...
pub fn dedupe(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for n in names {
        let mut candidate = n.clone();
        let mut i = 2;
        while !seen.insert(candidate.clone()) {
            candidate = format!(
                "{n}{}{i}",
                if n.ends_with(|c: char| c.is_ascii_digit()) {
                    "_"
                } else {
                    ""
                }
            );
            i += 1;
        }
        out.push(candidate);
    }
    out
}
