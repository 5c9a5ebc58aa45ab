//! Parser for the shared `config` and `credentials` files (INI-like, AWS flavour).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Profile, ProfileError, Property};

/// Which of the two shared files is being parsed: they name sections differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile name]`, `[sso-session name]`, `[services name]`.
    Config,
    /// `~/.aws/credentials`: `[name]`.
    Credentials,
}

/// The sections of one file, by kind.
#[derive(Debug, Default)]
pub(crate) struct ParsedFile {
    pub(crate) profiles: BTreeMap<String, Profile>,
    pub(crate) sso_sessions: BTreeMap<String, Profile>,
    pub(crate) services: BTreeMap<String, Profile>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Profiles,
    SsoSessions,
    Services,
}

/// Where properties currently go.
enum Current {
    /// Before the first section header.
    Nothing,
    /// Inside a section this parser does not keep (skipped with its properties).
    Ignored,
    /// Inside a kept section; the last property key, if any.
    Section {
        target: Target,
        name: String,
        last_key: Option<String>,
    },
}

fn section_of(header: &str, kind: FileKind) -> Option<(Target, String)> {
    let header = header.trim();
    let split = |prefix: &str| -> Option<String> {
        let rest = header.strip_prefix(prefix)?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        Some(rest.trim().to_owned())
    };
    let (target, name) = match kind {
        FileKind::Credentials => (Target::Profiles, header.to_owned()),
        FileKind::Config if header == "default" => (Target::Profiles, header.to_owned()),
        FileKind::Config => {
            if let Some(name) = split("profile") {
                (Target::Profiles, name)
            } else if let Some(name) = split("sso-session") {
                (Target::SsoSessions, name)
            } else if let Some(name) = split("services") {
                (Target::Services, name)
            } else {
                tracing::warn!(
                    section = header,
                    "ignoring config-file section without a `profile ` prefix"
                );
                return None;
            }
        }
    };
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c));
    if !valid {
        tracing::warn!(section = header, "ignoring section with an invalid name");
        return None;
    }
    Some((target, name))
}

/// Cuts a ` #comment` / ` ;comment` (comment markers count only after whitespace).
fn strip_inline_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for i in 1..bytes.len() {
        if matches!(bytes[i], b'#' | b';') && matches!(bytes[i - 1], b' ' | b'\t') {
            return value[..i].trim_end();
        }
    }
    value
}

fn section_map(file: &mut ParsedFile, target: Target) -> &mut BTreeMap<String, Profile> {
    match target {
        Target::Profiles => &mut file.profiles,
        Target::SsoSessions => &mut file.sso_sessions,
        Target::Services => &mut file.services,
    }
}

/// Parses one file. `path` is used only in error messages.
pub(crate) fn parse_file(
    text: &str,
    path: &Path,
    kind: FileKind,
) -> Result<ParsedFile, ProfileError> {
    let mut file = ParsedFile::default();
    let mut current = Current::Nothing;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let err = |reason: &str| ProfileError::at(path, line_no, reason);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if trimmed.starts_with('[') {
            let close = trimmed
                .find(']')
                .ok_or_else(|| err("section header without a closing `]`"))?;
            let after = trimmed[close + 1..].trim_start();
            if !(after.is_empty() || after.starts_with(['#', ';'])) {
                return Err(err("unexpected text after the section header"));
            }
            current = match section_of(&trimmed[1..close], kind) {
                Some((target, name)) => {
                    let map = section_map(&mut file, target);
                    map.entry(name.clone())
                        .or_insert_with(|| Profile::new(&name));
                    Current::Section {
                        target,
                        name,
                        last_key: None,
                    }
                }
                None => Current::Ignored,
            };
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        let (target, name, last_key) = match &mut current {
            Current::Nothing => return Err(err("property outside of any section")),
            Current::Ignored => continue,
            Current::Section {
                target,
                name,
                last_key,
            } => (*target, name.as_str(), last_key),
        };
        let profile = match section_map(&mut file, target).get_mut(name) {
            Some(profile) => profile,
            None => return Err(err("internal: section vanished")),
        };
        if indented {
            let key = last_key
                .as_deref()
                .ok_or_else(|| err("continuation line without a property above it"))?;
            let property = profile
                .properties
                .get_mut(key)
                .ok_or_else(|| err("continuation line without a property above it"))?;
            if property.is_parent {
                let (sub_key, sub_value) = trimmed
                    .split_once('=')
                    .ok_or_else(|| err("sub-property line without `=`"))?;
                let sub_key = sub_key.trim().to_ascii_lowercase();
                if sub_key.is_empty() {
                    return Err(err("sub-property with an empty name"));
                }
                property
                    .sub
                    .insert(sub_key, strip_inline_comment(sub_value.trim()).to_owned());
            }
            property.value.push('\n');
            property.value.push_str(trimmed);
            continue;
        }
        let (key, value) = trimmed
            .split_once('=')
            .ok_or_else(|| err("expected `name = value`"))?;
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(err("property with an empty name"));
        }
        let value = strip_inline_comment(value.trim());
        profile.properties.insert(
            key.clone(),
            Property {
                value: value.to_owned(),
                sub: BTreeMap::new(),
                is_parent: value.is_empty(),
            },
        );
        *last_key = Some(key);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, kind: FileKind) -> Result<ParsedFile, ProfileError> {
        parse_file(text, Path::new("/test/config"), kind)
    }

    #[test]
    fn sections_and_properties() {
        let text = "\u{feff}# top comment\n[default]\nregion = us-east-1 ; trailing\n\n[profile dev] # c\n\
                    Region=eu-west-1\nkey = a;b#c\n[sso-session s]\nsso_region = us-east-1\n\
                    [services svc]\nsecrets_manager =\n  endpoint_url = http://localhost:1\n  \
                    other = x # note\n[ignored]\nx = y\n[profile]\nz = 1\n";
        let file = parse(text, FileKind::Config).unwrap();
        assert_eq!(file.profiles["default"].get("region"), Some("us-east-1"));
        assert_eq!(file.profiles["dev"].get("region"), Some("eu-west-1"));
        assert_eq!(file.profiles["dev"].get("key"), Some("a;b#c"));
        assert_eq!(file.sso_sessions["s"].get("sso_region"), Some("us-east-1"));
        let svc = &file.services["svc"];
        assert_eq!(
            svc.sub_property("secrets_manager", "endpoint_url"),
            Some("http://localhost:1")
        );
        assert_eq!(svc.sub_property("secrets_manager", "other"), Some("x"));
        assert_eq!(
            svc.get("secrets_manager"),
            Some("\nendpoint_url = http://localhost:1\nother = x # note")
        );
        assert_eq!(
            file.profiles.len(),
            2,
            "{:?}",
            file.profiles.keys().collect::<Vec<_>>()
        );
    }

    #[test]
    fn continuation_lines_join_with_newline() {
        let file = parse(
            "[foo]\nkey = first\n  second\n\tthird\n",
            FileKind::Credentials,
        )
        .unwrap();
        assert_eq!(
            file.profiles["foo"].get("key"),
            Some("first\nsecond\nthird")
        );
    }

    #[test]
    fn credentials_file_uses_bare_names() {
        let file = parse(
            "[default]\na = 1\n[profile x]\nb = 2\n",
            FileKind::Credentials,
        )
        .unwrap();
        assert_eq!(file.profiles["default"].get("a"), Some("1"));
        // `[profile x]` is not a valid credentials-file section name (it has a space).
        assert_eq!(file.profiles.keys().collect::<Vec<_>>(), ["default"]);
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let cases = [
            ("a = b\n", 1, "outside"),
            ("[default]\n  cont\n", 2, "continuation"),
            ("[default]\nnovalue\n", 2, "name = value"),
            ("[default\n", 1, "closing"),
            ("[default]\n= v\n", 2, "empty name"),
            ("[default]\ns3 =\n  nokey\n", 3, "sub-property"),
        ];
        for (text, line, needle) in cases {
            let err = parse(text, FileKind::Config).unwrap_err();
            let msg = err.to_string();
            assert!(msg.starts_with(&format!("/test/config:{line}:")), "{msg}");
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn duplicate_sections_merge_later_wins() {
        let file = parse(
            "[default]\na = 1\nb = 1\n[default]\nb = 2\n",
            FileKind::Config,
        )
        .unwrap();
        assert_eq!(file.profiles["default"].get("a"), Some("1"));
        assert_eq!(file.profiles["default"].get("b"), Some("2"));
    }
}
