use std::path::PathBuf;
use std::str::FromStr;

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use super::{print, unescape};
use crate::emit::FileContent;

/// The tokens of `ts` as text, ignoring spacing; doc strings compared by value without
/// trailing spaces (the printer writes them as `///` lines, which drop trailing spaces).
fn tokens(ts: TokenStream, out: &mut Vec<String>) {
    let mut prev_doc = false;
    for tt in ts {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                    proc_macro2::Delimiter::Bracket => ("[", "]"),
                    proc_macro2::Delimiter::Brace => ("{", "}"),
                    proc_macro2::Delimiter::None => ("", ""),
                };
                out.push(open.into());
                tokens(g.stream(), out);
                out.push(close.into());
                prev_doc = false;
            }
            TokenTree::Ident(i) => {
                prev_doc = i == "doc";
                out.push(i.to_string());
            }
            TokenTree::Punct(p) => out.push(p.as_char().to_string()),
            TokenTree::Literal(l) => {
                let text = l.to_string();
                let value = unescape(&text)
                    .filter(|_| prev_doc || out.last().is_some_and(|t| t == "="))
                    .map(|v| format!("str:{}", v.trim_end()));
                out.push(value.unwrap_or(text));
            }
        }
        if !matches!(out.last().map(String::as_str), Some("doc" | "=")) {
            prev_doc = false;
        }
    }
}

/// Prints `ts` and checks that the text lexes back to the same tokens and parses as a file.
fn round_trip(ts: TokenStream, what: &str) -> String {
    let mut want = Vec::new();
    tokens(ts.clone(), &mut want);
    let text = print(ts);
    let back = TokenStream::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: printed text does not lex: {e}\n{text}"));
    let mut got = Vec::new();
    tokens(back, &mut got);
    // Trailing commas the printer adds to lists it breaks over lines.
    for v in [&mut want, &mut got] {
        let mut i = 1;
        while i < v.len() {
            if v[i - 1] == "," && matches!(v[i].as_str(), ")" | "]" | "}") {
                v.remove(i - 1);
            } else {
                i += 1;
            }
        }
    }
    if want != got {
        let at = want.iter().zip(&got).take_while(|(a, b)| a == b).count();
        panic!(
            "{what}: tokens differ at {at}: want {:?}, got {:?}\n{text}",
            &want[at.saturating_sub(5)..(at + 5).min(want.len())],
            &got[at.saturating_sub(5)..(at + 5).min(got.len())]
        );
    }
    syn::parse_file(&text)
        .unwrap_or_else(|e| panic!("{what}: printed text does not parse: {e}\n{text}"));
    text
}

#[test]
fn items_statements_and_docs() {
    let ts = quote! {
        #![doc = " Crate docs."]
        /// A thing.
        ///
        /// With a second paragraph, "quoted".
        #[derive(Clone, Debug)]
        pub struct Thing<'a, T: ?Sized + Clone> {
            pub(crate) name: &'a str,
            map: ::std::collections::HashMap<String, Vec<Option<T>>>,
        }
        impl<'a, T> Thing<'a, T> where T: Clone, {
            pub fn new(name: &'a str) -> Self {
                let x = if name.len() < 3 { -1 } else { !0 & 2 };
                match x {
                    1 | 2 => return <Self as ::std::default::Default>::default(),
                    _ => {}
                }
                let f = |a: u8, b| a + b;
                self.items.iter().map(|x| *x).collect::<Vec<_>>();
                vec![1, 2][0..1].len()
            }
        }
        use crate::{a, b::c};
    };
    let text = round_trip(ts, "items");
    let want = "\
//! Crate docs.
/// A thing.
///
/// With a second paragraph, \"quoted\".
#[derive(Clone, Debug)]
pub struct Thing<'a, T: ?Sized + Clone> {
    pub(crate) name: &'a str,
    map: ::std::collections::HashMap<String, Vec<Option<T>>>,
}
impl<'a, T> Thing<'a, T>
where
    T: Clone,
{
    pub fn new(name: &'a str) -> Self {
        let x = if name.len() < 3 {
            -1
        } else {
            !0 & 2
        };
        match x {
            1 | 2 => return <Self as ::std::default::Default>::default(),
            _ => {}
        }
        let f = |a: u8, b| a + b;
        self.items.iter().map(|x| *x).collect::<Vec<_>>();
        vec![1, 2][0..1].len()
    }
}
use crate::{a, b::c};
";
    assert_eq!(text, want);
}

#[test]
fn long_lists_go_one_per_line() {
    let ts = quote! {
        pub async fn send_with_a_long_name(self, client: &crate::Client, other: ::std::option::Option<u8>) -> Result<DeleteSecretOutput, ::awsrt::error::SdkError<DeleteSecretError>> {
            call(self, "a string that is long enough to need its own line", "and another one like it", 3, 4, 5)?;
            format!("{} {} {} {} {} {} {} {} {} {} {} {} {} {}", aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd)
        }
    };
    let text = round_trip(ts, "long lists");
    let want = "\
pub async fn send_with_a_long_name(
    self,
    client: &crate::Client,
    other: ::std::option::Option<u8>,
) -> Result<DeleteSecretOutput, ::awsrt::error::SdkError<DeleteSecretError>> {
    call(
        self,
        \"a string that is long enough to need its own line\",
        \"and another one like it\",
        3,
        4,
        5,
    )?;
    format!(
        \"{} {} {} {} {} {} {} {} {} {} {} {} {} {}\",
        aaaaaaaaaa,
        bbbbbbbbbb,
        cccccccccc,
        dddddddddd
    )
}
";
    assert_eq!(text, want);
}

#[test]
fn struct_literals_closures_and_blocks_in_calls() {
    let ts = quote! {
        fn build(self) -> Result<A, E> {
            Ok(A { name: self.name.ok_or_else(|| E::missing("name"))?, size: self.size })
        }
        thread_local! { static X: u8 = 1; }
    };
    let text = round_trip(ts, "literals");
    let want = "\
fn build(self) -> Result<A, E> {
    Ok(A {
        name: self.name.ok_or_else(|| E::missing(\"name\"))?,
        size: self.size,
    })
}
thread_local! {
    static X: u8 = 1;
}
";
    assert_eq!(text, want);
}

#[test]
fn long_method_chains_go_one_call_per_line() {
    let ts = quote! {
        #[derive(Default,)]
        struct B;
        impl Debug for B {
            fn fmt(&self, f: &mut Formatter<'_>) -> Result {
                f.debug_struct("GetObjectOutputBuilder").field("body", &self.body).field("delete_marker", &self.delete_marker).field("accept_ranges", &self.accept_ranges).finish()
            }
        }
        fn short() { a.b().c(); }
        pub(crate) static ENDPOINT_DISCOVERY: ::awsrt::client::EndpointDiscoveryInfo = ::awsrt::client::EndpointDiscoveryInfo { a: 1 };
    };
    let text = round_trip(ts, "chains");
    let want = "\
#[derive(Default)]
struct B;
impl Debug for B {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result {
        f.debug_struct(\"GetObjectOutputBuilder\")
            .field(\"body\", &self.body)
            .field(\"delete_marker\", &self.delete_marker)
            .field(\"accept_ranges\", &self.accept_ranges)
            .finish()
    }
}
fn short() {
    a.b().c();
}
pub(crate) static ENDPOINT_DISCOVERY: ::awsrt::client::EndpointDiscoveryInfo = ::awsrt::client::EndpointDiscoveryInfo {
    a: 1,
};
";
    assert_eq!(text, want);
}

#[test]
fn docs_that_cannot_be_line_comments_stay_attributes() {
    let two_lines = "first\nsecond";
    let slash = "/ starts with a slash";
    let ts = quote! {
        #[doc = #two_lines]
        #[doc = #slash]
        #[doc = " ends with spaces   "]
        pub struct S;
    };
    let text = print(ts);
    assert_eq!(
        text,
        "#[doc = \"first\\nsecond\"]\n#[doc = \"/ starts with a slash\"]\n/// ends with spaces\npub struct S;\n"
    );
}

#[test]
fn unescape_reads_string_literals_only() {
    assert_eq!(
        unescape(r#""a\"b\\c\n\u{e9}\x41""#).as_deref(),
        Some("a\"b\\c\né\x41")
    );
    assert_eq!(unescape(r#""plain""#).as_deref(), Some("plain"));
    assert_eq!(unescape(r##"r#"raw \n"#"##).as_deref(), Some(r"raw \n"));
    assert_eq!(unescape(r#"r"raw""#).as_deref(), Some("raw"));
    assert_eq!(unescape("b\"bytes\""), None);
    assert_eq!(unescape("12u8"), None);
    assert_eq!(unescape(r#""bad \q escape""#), None);
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Every Rust file of a generated crate prints to text that lexes back to the same tokens and
/// parses.
fn check_crate(doc: &serde_json::Value, source: &str) -> usize {
    let model = crate::model::Model::from_value(doc, source).expect("model");
    let svc = crate::ir::build(model, None, "printed").expect("ir");
    let opts = Default::default();
    let jobs = crate::emit::crate_files::crate_jobs(&svc, &opts);
    let mut n = 0;
    for job in &jobs {
        let file = job.emit();
        if let FileContent::Rust(ts) = file.content {
            round_trip(ts, &format!("{source}: {}", file.path));
            n += 1;
        }
    }
    n
}

#[test]
fn every_fixture_file_round_trips() {
    let mut files = 0;
    for entry in std::fs::read_dir(fixtures_dir()).expect("tests/fixtures") {
        let path = entry.expect("entry").path();
        let doc = match path.extension().and_then(|e| e.to_str()) {
            Some("smithy") => crate::idl::load_paths(std::slice::from_ref(&path)).expect("idl"),
            Some("json") => {
                serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json")
            }
            _ => continue,
        };
        files += check_crate(&doc, &path.display().to_string());
    }
    assert!(files > 100, "only {files} files checked");
}

#[test]
fn secrets_manager_round_trips() {
    let dir = std::env::var_os("SMITHY_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/models"));
    let path = dir.join("secretsmanager.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (set SMITHY_MODELS_DIR to the shared models folder)",
            path.display()
        )
    });
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert!(check_crate(&doc, "secretsmanager.json") > 30);
}
