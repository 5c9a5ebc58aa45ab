//! Environment access and the shared `~/.aws/config` / `~/.aws/credentials` files.
//!
//! Everything that reads configuration takes an [`Env`], so tests can use a fixed map instead
//! of the process environment.

mod parse;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parse::{parse_file, FileKind, ParsedFile};

/// Source of environment variables: the real process environment or a fixed map.
#[derive(Clone)]
pub struct Env {
    fixed: Option<Arc<HashMap<String, String>>>,
}

impl Env {
    /// The process environment.
    pub fn real() -> Env {
        Env { fixed: None }
    }

    /// A fixed set of variables; nothing else is visible.
    pub fn from_pairs<I, K, V>(pairs: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let map = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Env {
            fixed: Some(Arc::new(map)),
        }
    }

    /// `true` for [`Env::real`]: the process environment.
    pub fn is_process(&self) -> bool {
        self.fixed.is_none()
    }

    /// The value of `key`; `None` when unset, empty or not Unicode.
    pub fn get(&self, key: &str) -> Option<String> {
        let value = match &self.fixed {
            Some(map) => map.get(key).cloned(),
            None => std::env::var(key).ok(),
        };
        value.filter(|v| !v.is_empty())
    }

    /// The home directory: `HOME`, else `USERPROFILE`, else `HOMEDRIVE` + `HOMEPATH`.
    pub fn home_dir(&self) -> Option<PathBuf> {
        if let Some(home) = self.get("HOME").or_else(|| self.get("USERPROFILE")) {
            return Some(PathBuf::from(home));
        }
        match (self.get("HOMEDRIVE"), self.get("HOMEPATH")) {
            (Some(drive), Some(path)) => Some(PathBuf::from(format!("{drive}{path}"))),
            _ => None,
        }
    }

    /// `path` with a leading `~/` (or `~\`) replaced by the home directory.
    pub fn expand_home(&self, path: &str) -> PathBuf {
        let rest = path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\"));
        match (rest, self.home_dir()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if path == "~" => self.home_dir().unwrap_or_else(|| PathBuf::from(path)),
            _ => PathBuf::from(path),
        }
    }
}

impl fmt::Debug for Env {
    /// Shows variable names only: values may be secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fixed {
            None => f.write_str("Env::real()"),
            Some(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                f.debug_struct("Env").field("fixed_keys", &keys).finish()
            }
        }
    }
}

/// A profile file could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    path: PathBuf,
    line: Option<usize>,
    reason: String,
}

impl ProfileError {
    pub(crate) fn at(path: &Path, line: usize, reason: &str) -> ProfileError {
        ProfileError {
            path: path.to_path_buf(),
            line: Some(line),
            reason: reason.to_owned(),
        }
    }

    /// The file concerned.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line, for parse errors.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.reason),
            None => write!(f, "{}: {}", self.path.display(), self.reason),
        }
    }
}

impl std::error::Error for ProfileError {}

/// One property: its value (for a parent property, the raw indented lines) and, when the
/// value was empty and followed by indented `key = value` lines, those sub-properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Property {
    pub(crate) value: String,
    pub(crate) sub: BTreeMap<String, String>,
    pub(crate) is_parent: bool,
}

/// A named section: a profile, an `sso-session` or a `services` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    name: String,
    properties: BTreeMap<String, Property>,
}

impl Profile {
    pub(crate) fn new(name: &str) -> Profile {
        Profile {
            name: name.to_owned(),
            properties: BTreeMap::new(),
        }
    }

    /// The section name (`dev` for `[profile dev]`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A property value; `key` is matched case-insensitively.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.property(key).map(|p| p.value.as_str())
    }

    /// A sub-property: `key =` followed by indented `sub_key = value` lines.
    pub fn sub_property(&self, key: &str, sub_key: &str) -> Option<&str> {
        let property = self.property(key)?;
        match property.sub.get(sub_key) {
            Some(v) => Some(v.as_str()),
            None => property
                .sub
                .get(&sub_key.to_ascii_lowercase())
                .map(String::as_str),
        }
    }

    /// Property names (lowercase), sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().map(String::as_str)
    }

    fn property(&self, key: &str) -> Option<&Property> {
        match self.properties.get(key) {
            Some(p) => Some(p),
            None => self.properties.get(&key.to_ascii_lowercase()),
        }
    }
}

/// Every profile of the shared files plus the selected profile name.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    sso_sessions: BTreeMap<String, Profile>,
    services: BTreeMap<String, Profile>,
    selected: String,
    explicitly_selected: bool,
}

fn read_optional(path: &Path) -> Result<Option<String>, ProfileError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ProfileError {
                path: path.to_path_buf(),
                line: None,
                reason: "file is not valid UTF-8".to_owned(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ProfileError {
            path: path.to_path_buf(),
            line: None,
            reason: format!("cannot read: {e}"),
        }),
    }
}

impl ProfileSet {
    /// Loads `AWS_CONFIG_FILE` (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE`
    /// (default `~/.aws/credentials`) and selects `AWS_PROFILE` (default `default`). Missing
    /// files count as empty; an unreadable or malformed file is an error naming it.
    pub fn load(env: &Env) -> Result<ProfileSet, ProfileError> {
        let home = env.home_dir();
        let path_of = |var: &str, default: &str| -> Option<PathBuf> {
            match env.get(var) {
                Some(path) => Some(env.expand_home(&path)),
                None => home.as_ref().map(|h| h.join(".aws").join(default)),
            }
        };
        let mut set = ProfileSet::empty(env.get("AWS_PROFILE"));
        if let Some(path) = path_of("AWS_CONFIG_FILE", "config") {
            if let Some(text) = read_optional(&path)? {
                set.merge(parse_file(&text, &path, FileKind::Config)?);
            }
        }
        if let Some(path) = path_of("AWS_SHARED_CREDENTIALS_FILE", "credentials") {
            if let Some(text) = read_optional(&path)? {
                set.merge(parse_file(&text, &path, FileKind::Credentials)?);
            }
        }
        Ok(set)
    }

    /// Builds a set from file contents (config, then credentials) and a profile name (`None`:
    /// `default`). Errors name the pseudo-paths `<config>` and `<credentials>`.
    pub fn parse(
        config: &str,
        credentials: &str,
        profile: Option<&str>,
    ) -> Result<ProfileSet, ProfileError> {
        let mut set = ProfileSet::empty(profile.map(str::to_owned));
        set.merge(parse_file(config, Path::new("<config>"), FileKind::Config)?);
        set.merge(parse_file(
            credentials,
            Path::new("<credentials>"),
            FileKind::Credentials,
        )?);
        Ok(set)
    }

    fn empty(selected: Option<String>) -> ProfileSet {
        ProfileSet {
            explicitly_selected: selected.is_some(),
            selected: selected.unwrap_or_else(|| "default".to_owned()),
            ..ProfileSet::default()
        }
    }

    /// Adds a parsed file; its properties override earlier ones of the same section.
    fn merge(&mut self, file: ParsedFile) {
        fn merge_into(into: &mut BTreeMap<String, Profile>, from: BTreeMap<String, Profile>) {
            for (name, profile) in from {
                into.entry(name)
                    .or_insert_with_key(|n| Profile::new(n))
                    .properties
                    .extend(profile.properties);
            }
        }
        merge_into(&mut self.profiles, file.profiles);
        merge_into(&mut self.sso_sessions, file.sso_sessions);
        merge_into(&mut self.services, file.services);
    }

    /// The selected profile, if the files define it.
    pub fn selected(&self) -> Option<&Profile> {
        self.profiles.get(&self.selected)
    }

    /// The selected profile's name (`AWS_PROFILE`, else `default`).
    pub fn selected_name(&self) -> &str {
        &self.selected
    }

    /// Whether the profile was named by `AWS_PROFILE` (or [`ProfileSet::parse`]) rather than
    /// being the implicit `default`.
    pub fn is_explicitly_selected(&self) -> bool {
        self.explicitly_selected
    }

    /// Any profile by name.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// Names of all profiles, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// An `[sso-session name]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// A `[services name]` section.
    pub fn services_section(&self, name: &str) -> Option<&Profile> {
        self.services.get(name)
    }

    /// A per-service setting: the selected profile's `services = <section>` names a
    /// `[services <section>]` whose `service_key =` property (the lower-snake-case sdkId, e.g.
    /// `secrets_manager`) holds indented `key = value` lines. A section key written without
    /// the underscores (`secretsmanager`) is accepted too.
    pub fn service_setting(&self, service_key: &str, key: &str) -> Option<&str> {
        let section = self.services.get(self.selected()?.get("services")?)?;
        if let Some(value) = section.sub_property(service_key, key) {
            return Some(value);
        }
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| *c != '_' && *c != '-')
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let wanted = squash(service_key);
        let (_, property) = section
            .properties
            .iter()
            .find(|(k, _)| squash(k) == wanted)?;
        property
            .sub
            .get(&key.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// The region from `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the selected profile's
/// `region`.
pub fn region_from_env_or_profile(env: &Env, profiles: &ProfileSet) -> Option<String> {
    env.get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .or_else(|| profiles.selected()?.get("region").map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_fixed_map_and_empty_values() {
        let env = Env::from_pairs([("A", "1"), ("EMPTY", ""), ("HOME", "/home/me")]);
        assert_eq!(env.get("A").as_deref(), Some("1"));
        assert_eq!(env.get("EMPTY"), None);
        assert_eq!(
            env.get("PATH"),
            None,
            "a fixed Env must not see the process environment"
        );
        assert_eq!(env.home_dir(), Some(PathBuf::from("/home/me")));
        assert_eq!(env.expand_home("~/x/y"), PathBuf::from("/home/me/x/y"));
        assert_eq!(env.expand_home("/abs"), PathBuf::from("/abs"));
        let windows = Env::from_pairs([("USERPROFILE", "C:\\Users\\me")]);
        assert_eq!(windows.home_dir(), Some(PathBuf::from("C:\\Users\\me")));
        assert!(!format!("{env:?}").contains("/home/me"));
    }

    #[test]
    fn credentials_file_overrides_config_file() {
        let set = ProfileSet::parse(
            "[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n",
            "[dev]\naws_access_key_id = FROMCREDS\n",
            Some("dev"),
        )
        .unwrap();
        let dev = set.selected().unwrap();
        assert_eq!(dev.get("aws_access_key_id"), Some("FROMCREDS"));
        assert_eq!(dev.get("region"), Some("eu-west-1"));
        assert!(set.is_explicitly_selected());
    }

    #[test]
    fn service_settings_through_services_section() {
        let config = "[default]\nservices = local\n[services local]\nsecrets_manager =\n  endpoint_url = http://a\n\
                      dynamodb =\n  endpoint_url = http://b\n[services other]\nsecretsmanager =\n  endpoint_url = http://c\n\
                      [profile o]\nservices = other\n";
        let set = ProfileSet::parse(config, "", None).unwrap();
        assert_eq!(
            set.service_setting("secrets_manager", "endpoint_url"),
            Some("http://a")
        );
        assert_eq!(
            set.service_setting("dynamodb", "endpoint_url"),
            Some("http://b")
        );
        assert_eq!(set.service_setting("kms", "endpoint_url"), None);
        let other = ProfileSet::parse(config, "", Some("o")).unwrap();
        assert_eq!(
            other.service_setting("secrets_manager", "endpoint_url"),
            Some("http://c")
        );
    }

    #[test]
    fn region_precedence() {
        let set = ProfileSet::parse("[default]\nregion = from-profile\n", "", None).unwrap();
        let both = Env::from_pairs([("AWS_REGION", "a"), ("AWS_DEFAULT_REGION", "b")]);
        assert_eq!(
            region_from_env_or_profile(&both, &set).as_deref(),
            Some("a")
        );
        let default_only = Env::from_pairs([("AWS_DEFAULT_REGION", "b")]);
        assert_eq!(
            region_from_env_or_profile(&default_only, &set).as_deref(),
            Some("b")
        );
        let none = Env::from_pairs([("AWS_REGION", "")]);
        assert_eq!(
            region_from_env_or_profile(&none, &set).as_deref(),
            Some("from-profile")
        );
        assert_eq!(
            region_from_env_or_profile(&none, &ProfileSet::default()),
            None
        );
    }
}
