//! AWS partitions: the data behind `aws.partition`, built in (generated from `partitions.json`)
//! or loaded from JSON at run time.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::partitions_data::PARTITIONS;
use super::EndpointError;
use crate::types::Document;

/// What `aws.partition` returns for a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOutput {
    /// The partition id, e.g. `aws`, `aws-cn`.
    pub name: String,
    /// e.g. `amazonaws.com`.
    pub dns_suffix: String,
    /// e.g. `api.aws`.
    pub dual_stack_dns_suffix: String,
    /// The region global endpoints of the partition live in, e.g. `us-east-1`.
    pub implicit_global_region: Option<String>,
    /// Whether the partition has FIPS endpoints.
    pub supports_fips: bool,
    /// Whether the partition has dual-stack endpoints.
    pub supports_dual_stack: bool,
}

/// The partitions `aws.partition` chooses from.
#[derive(Debug, Clone)]
pub struct Partitions {
    /// One per partition (in data order), then one per region that overrides outputs.
    outputs: Vec<PartitionOutput>,
    /// Known region → index into `outputs`.
    regions: HashMap<String, usize>,
    /// `regionRegex` of each partition, in data order, with its index into `outputs`.
    regexes: Vec<(RegionRegex, usize)>,
    /// The `aws` partition (or the first one), used when nothing matches.
    fallback: usize,
}

impl Partitions {
    /// The partitions compiled into this crate, built on first use.
    pub fn builtin() -> &'static Partitions {
        static BUILTIN: OnceLock<Partitions> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let raw = PARTITIONS.iter().map(RawPartition::from_static).collect();
            // The generated data is checked by a unit test; a failure leaves only a bare `aws`.
            build(raw).unwrap_or_else(|_| Partitions {
                outputs: vec![PartitionOutput {
                    name: "aws".into(),
                    dns_suffix: "amazonaws.com".into(),
                    dual_stack_dns_suffix: "api.aws".into(),
                    implicit_global_region: Some("us-east-1".into()),
                    supports_fips: true,
                    supports_dual_stack: true,
                }],
                regions: HashMap::new(),
                regexes: Vec::new(),
                fallback: 0,
            })
        })
    }

    /// Loads partitions from a `partitions.json` document (`{"partitions": [...]}`).
    pub fn from_json(json: &str) -> Result<Partitions, EndpointError> {
        let invalid = EndpointError::InvalidPartitions;
        let doc = Document::parse(json.as_bytes()).map_err(|e| invalid(e.to_string()))?;
        let list = doc
            .get("partitions")
            .and_then(Document::as_array)
            .ok_or_else(|| invalid("missing `partitions` array".into()))?;
        let raw = list
            .iter()
            .map(RawPartition::from_doc)
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        build(raw).map_err(invalid)
    }

    /// A copy with every partition's (and region override's) outputs passed through `f`, e.g. to
    /// reproduce the partition data a set of endpoint tests was written against.
    pub fn map_outputs(&self, f: impl Fn(&mut PartitionOutput)) -> Partitions {
        let mut copy = self.clone();
        copy.outputs.iter_mut().for_each(f);
        copy
    }

    /// The partition of `region`: the partition listing it exactly (with that region's
    /// overrides), else the first whose `regionRegex` matches, else the `aws` partition.
    pub fn resolve(&self, region: &str) -> &PartitionOutput {
        let index = match self.regions.get(region) {
            Some(&i) => i,
            None => self
                .regexes
                .iter()
                .find(|(re, _)| re.is_match(region))
                .map_or(self.fallback, |&(_, i)| i),
        };
        &self.outputs[index]
    }
}

/// The shape the generated `partitions_data.rs` uses.
pub(crate) struct PartitionData {
    pub(crate) id: &'static str,
    pub(crate) region_regex: &'static str,
    pub(crate) outputs: OutputsData,
    /// Known regions with their output overrides.
    pub(crate) regions: &'static [(&'static str, OutputsData)],
}

/// Partition outputs (all set for a partition; only overrides for a region).
pub(crate) struct OutputsData {
    pub(crate) name: Option<&'static str>,
    pub(crate) dns_suffix: Option<&'static str>,
    pub(crate) dual_stack_dns_suffix: Option<&'static str>,
    pub(crate) implicit_global_region: Option<&'static str>,
    pub(crate) supports_fips: Option<bool>,
    pub(crate) supports_dual_stack: Option<bool>,
}

impl OutputsData {
    /// No overrides.
    pub(crate) const NONE: OutputsData = OutputsData {
        name: None,
        dns_suffix: None,
        dual_stack_dns_suffix: None,
        implicit_global_region: None,
        supports_fips: None,
        supports_dual_stack: None,
    };
}

#[derive(Default)]
struct RawOutputs {
    name: Option<String>,
    dns_suffix: Option<String>,
    dual_stack_dns_suffix: Option<String>,
    implicit_global_region: Option<String>,
    supports_fips: Option<bool>,
    supports_dual_stack: Option<bool>,
}

impl RawOutputs {
    fn from_static(d: &OutputsData) -> RawOutputs {
        let s = |v: Option<&str>| v.map(str::to_owned);
        RawOutputs {
            name: s(d.name),
            dns_suffix: s(d.dns_suffix),
            dual_stack_dns_suffix: s(d.dual_stack_dns_suffix),
            implicit_global_region: s(d.implicit_global_region),
            supports_fips: d.supports_fips,
            supports_dual_stack: d.supports_dual_stack,
        }
    }

    fn from_doc(d: &Document) -> Result<RawOutputs, String> {
        let s = |key: &str| match d.get(key) {
            None | Some(Document::Null) => Ok(None),
            Some(Document::String(v)) => Ok(Some(v.clone())),
            Some(_) => Err(format!("`{key}` is not a string")),
        };
        let b = |key: &str| match d.get(key) {
            None | Some(Document::Null) => Ok(None),
            Some(Document::Bool(v)) => Ok(Some(*v)),
            Some(_) => Err(format!("`{key}` is not a boolean")),
        };
        Ok(RawOutputs {
            name: s("name")?,
            dns_suffix: s("dnsSuffix")?,
            dual_stack_dns_suffix: s("dualStackDnsSuffix")?,
            implicit_global_region: s("implicitGlobalRegion")?,
            supports_fips: b("supportsFIPS")?,
            supports_dual_stack: b("supportsDualStack")?,
        })
    }

    /// `base` with the fields set here replaced.
    fn apply(&self, base: &PartitionOutput) -> PartitionOutput {
        PartitionOutput {
            name: self.name.clone().unwrap_or_else(|| base.name.clone()),
            dns_suffix: self
                .dns_suffix
                .clone()
                .unwrap_or_else(|| base.dns_suffix.clone()),
            dual_stack_dns_suffix: self
                .dual_stack_dns_suffix
                .clone()
                .unwrap_or_else(|| base.dual_stack_dns_suffix.clone()),
            implicit_global_region: self
                .implicit_global_region
                .clone()
                .or_else(|| base.implicit_global_region.clone()),
            supports_fips: self.supports_fips.unwrap_or(base.supports_fips),
            supports_dual_stack: self.supports_dual_stack.unwrap_or(base.supports_dual_stack),
        }
    }

    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.dns_suffix.is_none()
            && self.dual_stack_dns_suffix.is_none()
            && self.implicit_global_region.is_none()
            && self.supports_fips.is_none()
            && self.supports_dual_stack.is_none()
    }
}

struct RawPartition {
    id: String,
    region_regex: String,
    outputs: RawOutputs,
    regions: Vec<(String, RawOutputs)>,
}

impl RawPartition {
    fn from_static(d: &PartitionData) -> RawPartition {
        RawPartition {
            id: d.id.to_owned(),
            region_regex: d.region_regex.to_owned(),
            outputs: RawOutputs::from_static(&d.outputs),
            regions: d
                .regions
                .iter()
                .map(|(r, o)| ((*r).to_owned(), RawOutputs::from_static(o)))
                .collect(),
        }
    }

    fn from_doc(d: &Document) -> Result<RawPartition, String> {
        let id = d
            .get("id")
            .and_then(Document::as_str)
            .ok_or("a partition has no `id`")?;
        let ctx = |e: String| format!("partition {id}: {e}");
        let region_regex = d
            .get("regionRegex")
            .and_then(Document::as_str)
            .ok_or_else(|| ctx("missing `regionRegex`".into()))?;
        let outputs = RawOutputs::from_doc(
            d.get("outputs")
                .ok_or_else(|| ctx("missing `outputs`".into()))?,
        )
        .map_err(ctx)?;
        let mut regions = Vec::new();
        if let Some(r) = d.get("regions") {
            let r = r
                .as_object()
                .ok_or_else(|| ctx("`regions` is not an object".into()))?;
            for (name, overrides) in r {
                let o = RawOutputs::from_doc(overrides)
                    .map_err(|e| ctx(format!("region {name}: {e}")))?;
                regions.push((name.clone(), o));
            }
        }
        Ok(RawPartition {
            id: id.to_owned(),
            region_regex: region_regex.to_owned(),
            outputs,
            regions,
        })
    }
}

fn build(raw: Vec<RawPartition>) -> Result<Partitions, String> {
    if raw.is_empty() {
        return Err("no partitions".into());
    }
    let mut outputs = Vec::with_capacity(raw.len());
    let mut regexes = Vec::with_capacity(raw.len());
    for (i, p) in raw.iter().enumerate() {
        let o = &p.outputs;
        let missing = |key: &str| format!("partition {}: outputs has no `{key}`", p.id);
        outputs.push(PartitionOutput {
            name: o.name.clone().unwrap_or_else(|| p.id.clone()),
            dns_suffix: o.dns_suffix.clone().ok_or_else(|| missing("dnsSuffix"))?,
            dual_stack_dns_suffix: o
                .dual_stack_dns_suffix
                .clone()
                .ok_or_else(|| missing("dualStackDnsSuffix"))?,
            implicit_global_region: o.implicit_global_region.clone(),
            supports_fips: o.supports_fips.ok_or_else(|| missing("supportsFIPS"))?,
            supports_dual_stack: o
                .supports_dual_stack
                .ok_or_else(|| missing("supportsDualStack"))?,
        });
        let re =
            RegionRegex::new(&p.region_regex).map_err(|e| format!("partition {}: {e}", p.id))?;
        regexes.push((re, i));
    }
    let mut regions = HashMap::new();
    for (i, p) in raw.iter().enumerate() {
        for (name, overrides) in &p.regions {
            let index = if overrides.is_empty() {
                i
            } else {
                outputs.push(overrides.apply(&outputs[i]));
                outputs.len() - 1
            };
            // The first partition listing a region wins.
            regions.entry(name.clone()).or_insert(index);
        }
    }
    let fallback = raw.iter().position(|p| p.id == "aws").unwrap_or(0);
    Ok(Partitions {
        outputs,
        regions,
        regexes,
        fallback,
    })
}

/// A matcher for the restricted regular expressions partitions use for `regionRegex`:
/// anchored (`^...$`) sequences of literal characters, `\-`-style escapes, `\w`, `\d` and
/// groups of literal alternatives `(us|eu)`, each optionally followed by `+`, `*` or `?`.
#[derive(Debug, Clone)]
struct RegionRegex {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone)]
struct Piece {
    atom: Atom,
    repeat: Repeat,
}

#[derive(Debug, Clone)]
enum Atom {
    Byte(u8),
    Word,
    Digit,
    Alternatives(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Repeat {
    One,
    Optional,
    Plus,
    Star,
}

/// Longest input the matcher considers (its recursion is bounded by the input length).
const MAX_REGION_LEN: usize = 256;

impl RegionRegex {
    fn new(pattern: &str) -> Result<RegionRegex, String> {
        let unsupported = |what: &str| format!("regionRegex `{pattern}`: unsupported {what}");
        let body = pattern
            .strip_prefix('^')
            .and_then(|p| p.strip_suffix('$'))
            .ok_or_else(|| unsupported("form (it must start with `^` and end with `$`)"))?;
        if !body.is_ascii() {
            return Err(unsupported("non-ASCII character"));
        }
        let bytes = body.as_bytes();
        let mut pieces: Vec<Piece> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let atom = match bytes[i] {
                b'\\' => {
                    i += 1;
                    match bytes.get(i) {
                        Some(b'w') => Atom::Word,
                        Some(b'd') => Atom::Digit,
                        Some(&c) if c.is_ascii_punctuation() => Atom::Byte(c),
                        _ => return Err(unsupported("escape")),
                    }
                }
                b'(' => {
                    let close = body[i..]
                        .find(')')
                        .ok_or_else(|| unsupported("unclosed group"))?
                        + i;
                    let alternatives = body[i + 1..close]
                        .split('|')
                        .map(|alt| {
                            literal(alt)
                                .ok_or_else(|| unsupported("group (only literal alternatives are)"))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    i = close;
                    Atom::Alternatives(alternatives)
                }
                b'+' | b'*' | b'?' => {
                    let repeat = match bytes[i] {
                        b'+' => Repeat::Plus,
                        b'*' => Repeat::Star,
                        _ => Repeat::Optional,
                    };
                    match pieces.last_mut() {
                        Some(last) if last.repeat == Repeat::One => last.repeat = repeat,
                        _ => return Err(unsupported("quantifier position")),
                    }
                    i += 1;
                    continue;
                }
                c if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' => Atom::Byte(c),
                c => return Err(unsupported(&format!("character `{}`", char::from(c)))),
            };
            pieces.push(Piece {
                atom,
                repeat: Repeat::One,
            });
            i += 1;
        }
        Ok(RegionRegex { pieces })
    }

    fn is_match(&self, input: &str) -> bool {
        input.len() <= MAX_REGION_LEN && match_pieces(&self.pieces, input.as_bytes())
    }
}

/// A group alternative: literal characters and escaped punctuation.
fn literal(alt: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = alt.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().filter(char::is_ascii_punctuation)?),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

impl Atom {
    /// Calls `next` with each length this atom can match at the start of `input`, until one
    /// returns true.
    fn try_each(&self, input: &[u8], mut next: impl FnMut(usize) -> bool) -> bool {
        let first = input.first().copied();
        match self {
            Atom::Byte(b) => first == Some(*b) && next(1),
            Atom::Word => first.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') && next(1),
            Atom::Digit => first.is_some_and(|c| c.is_ascii_digit()) && next(1),
            Atom::Alternatives(alts) => alts
                .iter()
                .any(|a| input.starts_with(a.as_bytes()) && next(a.len())),
        }
    }
}

fn match_pieces(pieces: &[Piece], input: &[u8]) -> bool {
    let Some((piece, rest)) = pieces.split_first() else {
        return input.is_empty();
    };
    match piece.repeat {
        Repeat::One => piece
            .atom
            .try_each(input, |n| match_pieces(rest, &input[n..])),
        Repeat::Optional => {
            piece
                .atom
                .try_each(input, |n| match_pieces(rest, &input[n..]))
                || match_pieces(rest, input)
        }
        Repeat::Plus => piece
            .atom
            .try_each(input, |n| match_star(piece, rest, &input[n..])),
        Repeat::Star => match_star(piece, rest, input),
    }
}

/// Zero or more `piece`s, then `rest`.
fn match_star(piece: &Piece, rest: &[Piece], input: &[u8]) -> bool {
    piece
        .atom
        .try_each(input, |n| n > 0 && match_star(piece, rest, &input[n..]))
        || match_pieces(rest, input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_matcher() {
        let aws = RegionRegex::new(r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$").unwrap();
        for ok in ["us-east-1", "us-east-10", "eu-central-2", "il-x_y-0"] {
            assert!(aws.is_match(ok), "{ok}");
        }
        for no in [
            "us-gov-west-1",
            "cn-north-1",
            "us-east-",
            "us--1",
            "us-east-1a",
            "xus-east-1",
            "mars-global",
            "",
        ] {
            assert!(!aws.is_match(no), "{no}");
        }
        let eusc = RegionRegex::new(r"^eusc\-(de)\-\w+\-\d+$").unwrap();
        assert!(eusc.is_match("eusc-de-east-1"));
        assert!(!eusc.is_match("eusc-fr-east-1"));
        let opt = RegionRegex::new(r"^ab?c*\d+$").unwrap();
        assert!(opt.is_match("a1") && opt.is_match("abccc12") && !opt.is_match("abb1"));
        for bad in [
            r"us-east-1",
            r"^[a-z]+$",
            r"^a{2}$",
            r"^a.b$",
            r"^(a(b))$",
            r"^+a$",
            r"^a++$",
            r"^\s$",
        ] {
            let err = RegionRegex::new(bad).unwrap_err();
            assert!(err.contains("unsupported"), "{bad}: {err}");
        }
        assert!(!aws.is_match(&format!("us-{}-1", "a".repeat(300))));
    }

    #[test]
    fn builtin_resolves() {
        let p = Partitions::builtin();
        assert_eq!(
            p.outputs.len(),
            PARTITIONS.len(),
            "the generated data built (no fallback)"
        );
        let cases = [
            ("us-east-1", "aws", "amazonaws.com"),
            ("us-east-10", "aws", "amazonaws.com"),
            ("mars-global", "aws", "amazonaws.com"),
            ("cn-north-5", "aws-cn", "amazonaws.com.cn"),
            ("aws-cn-global", "aws-cn", "amazonaws.com.cn"),
            ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
            ("us-gov-central-9", "aws-us-gov", "amazonaws.com"),
            ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
            ("eusc-de-east-1", "aws-eusc", "amazonaws.eu"),
        ];
        for (region, name, dns) in cases {
            let out = p.resolve(region);
            assert_eq!(
                (out.name.as_str(), out.dns_suffix.as_str()),
                (name, dns),
                "{region}"
            );
        }
        assert_eq!(
            p.resolve("us-east-1").implicit_global_region.as_deref(),
            Some("us-east-1")
        );
    }

    #[test]
    fn from_json_with_overrides_and_errors() {
        let json = r#"{"partitions":[
            {"id":"p1","regionRegex":"^p1\\-\\d+$","outputs":{"dnsSuffix":"one.example","dualStackDnsSuffix":"ds.one",
             "supportsFIPS":false,"supportsDualStack":true},
             "regions":{"special":{"dnsSuffix":"special.example"},"plain":{"description":"x"}}},
            {"id":"aws","regionRegex":"^aws\\-\\d+$","outputs":{"name":"aws","dnsSuffix":"a.example",
             "dualStackDnsSuffix":"ds.a","supportsFIPS":true,"supportsDualStack":true}}]}"#;
        let p = Partitions::from_json(json).unwrap();
        assert_eq!(p.resolve("special").dns_suffix, "special.example");
        assert_eq!(p.resolve("special").name, "p1");
        assert_eq!(p.resolve("plain").dns_suffix, "one.example");
        assert_eq!(p.resolve("p1-7").dual_stack_dns_suffix, "ds.one");
        assert!(!p.resolve("p1-7").supports_fips);
        assert_eq!(p.resolve("zzz").name, "aws");
        assert_eq!(p.resolve("zzz").implicit_global_region, None);

        let bad_regex = r#"{"partitions":[{"id":"x","regionRegex":"^[a-z]+$","outputs":{"dnsSuffix":"d",
            "dualStackDnsSuffix":"d","supportsFIPS":true,"supportsDualStack":true}}]}"#;
        let err = Partitions::from_json(bad_regex).unwrap_err().to_string();
        assert!(
            err.contains("partition x") && err.contains("unsupported"),
            "{err}"
        );
        let missing =
            r#"{"partitions":[{"id":"x","regionRegex":"^x$","outputs":{"dnsSuffix":"d"}}]}"#;
        let err = Partitions::from_json(missing).unwrap_err().to_string();
        assert!(err.contains("dualStackDnsSuffix"), "{err}");
        assert!(Partitions::from_json(r#"{"partitions":[]}"#).is_err());

        let no_dual_stack = p.map_outputs(|o| o.supports_dual_stack = false);
        assert!(!no_dual_stack.resolve("special").supports_dual_stack);
        assert!(!no_dual_stack.resolve("zzz").supports_dual_stack);
        assert!(
            p.resolve("zzz").supports_dual_stack,
            "the original is unchanged"
        );
        assert!(Partitions::from_json("{").is_err());
    }
}
