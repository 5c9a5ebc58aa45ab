//! Proxy and CA bundle settings of a [`Config`](super::Config): set in code on the
//! [`ConfigBuilder`], or read by the [`ConfigLoader`](super::ConfigLoader) from `HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, `AWS_CA_BUNDLE` and the profile's `ca_bundle`. They
//! shape the default transport ([`HyperTransport`]); a transport set in code is used as given.

use std::sync::Arc;

use super::ConfigBuilder;
use crate::http::{CaBundle, HyperTransport, ProxyConfig, Transport};
use crate::profile::{Env, Profile};

/// What the default transport is built with, and the transport built from it.
#[derive(Clone, Debug, Default)]
pub(crate) struct NetworkSettings {
    proxy: Option<ProxyConfig>,
    ca_bundle: Option<CaBundle>,
    /// Bound on the connections open to one origin (the transport's default when unset).
    max_connections_per_host: Option<usize>,
    /// A setting changed since [`Config::to_builder`](super::Config::to_builder).
    changed: bool,
    /// The transport [`transport`] built from these settings, so a builder made by
    /// `to_builder` can tell it from one set in code.
    built: Option<Arc<dyn Transport>>,
}

impl ConfigBuilder {
    /// Sends requests through these proxies (wins over `HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY`; [`ProxyConfig::disabled`] turns the environment's proxy
    /// off). Applies to the default transport; a transport set with
    /// [`transport`](Self::transport) is used as it is (give it
    /// [`HyperTransportBuilder::proxy`](crate::http::HyperTransportBuilder::proxy) instead).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.network.proxy = Some(proxy);
        self.network.changed = true;
        self
    }

    /// Trusts only the certificate authorities of `bundle` for HTTPS, instead of the
    /// platform's (wins over `AWS_CA_BUNDLE` and the profile's `ca_bundle`). Applies to the
    /// default transport, as [`proxy`](Self::proxy) does.
    pub fn ca_bundle(mut self, bundle: CaBundle) -> Self {
        self.network.ca_bundle = Some(bundle);
        self.network.changed = true;
        self
    }

    /// Most connections the client keeps open at once to one endpoint (scheme, host and port),
    /// in use or idle: default 50; `0` is taken as 1, `usize::MAX` lifts the bound. Calls that
    /// find them all busy wait for one to come back, in the order they arrived. Applies to the
    /// default transport, as [`proxy`](Self::proxy) does; see
    /// [`HyperTransportBuilder::max_connections_per_host`](crate::http::HyperTransportBuilder::max_connections_per_host).
    pub fn max_connections_per_host(mut self, n: usize) -> Self {
        self.network.max_connections_per_host = Some(n);
        self.network.changed = true;
        self
    }
}

impl NetworkSettings {
    /// Settings of a built configuration, for [`Config::to_builder`](super::Config::to_builder):
    /// unchanged, so the transport is kept.
    pub(crate) fn inherited(&self) -> NetworkSettings {
        NetworkSettings {
            changed: false,
            ..self.clone()
        }
    }
}

/// The transport of a configuration being built: `transport` when it was set in code (or
/// inherited and nothing changed), else a [`HyperTransport`] with the proxy and CA bundle (and
/// the HTTP instruments of `meter_provider`).
pub(crate) fn transport(
    transport: Option<Arc<dyn Transport>>,
    network: &mut NetworkSettings,
    meter_provider: Option<Arc<dyn crate::observability::MeterProvider>>,
) -> Arc<dyn Transport> {
    let inherited = match (&transport, &network.built) {
        (Some(t), Some(built)) => Arc::ptr_eq(t, built),
        _ => false,
    };
    match transport {
        Some(t) if !(inherited && network.changed) => {
            if network.changed && !inherited {
                tracing::warn!(
                    "proxy, CA bundle or connection bound set on a configuration with its own \
                     transport: they are not applied; set them on the transport"
                );
            }
            t
        }
        _ => {
            let mut b = HyperTransport::builder();
            if let Some(p) = &network.proxy {
                b = b.proxy(p.clone());
            }
            if let Some(ca) = &network.ca_bundle {
                b = b.ca_bundle(ca.clone());
            }
            if let Some(n) = network.max_connections_per_host {
                b = b.max_connections_per_host(n);
            }
            if let Some(p) = meter_provider {
                b = b.meter_provider(p);
            }
            let t: Arc<dyn Transport> = Arc::new(b.build());
            network.built = Some(Arc::clone(&t));
            network.changed = false;
            t
        }
    }
}

/// Fills the settings not set in code from the environment and the selected profile:
/// [`ProxyConfig::from_env`], and `AWS_CA_BUNDLE`, else the profile's `ca_bundle` (a path; `~/`
/// is the home directory). Errors name the variable or key and never hold proxy credentials.
pub(crate) fn load(
    network: &mut NetworkSettings,
    env: &Env,
    profile: Option<&Profile>,
    profile_name: &str,
) -> Result<(), String> {
    if network.proxy.is_none() {
        let proxy = ProxyConfig::from_env(env).map_err(|e| e.message().to_string())?;
        if proxy.is_enabled() {
            network.proxy = Some(proxy);
        }
    }
    if network.ca_bundle.is_none() {
        let from_profile = || {
            let path = profile?.get("ca_bundle")?.trim();
            (!path.is_empty()).then(|| {
                (
                    path.to_string(),
                    format!("`ca_bundle` of profile {profile_name}"),
                )
            })
        };
        let source = env
            .get("AWS_CA_BUNDLE")
            .map(|p| (p, "AWS_CA_BUNDLE".to_string()))
            .or_else(from_profile);
        if let Some((path, from)) = source {
            let bundle = CaBundle::from_pem_file(env.expand_home(&path))
                .map_err(|e| format!("{from}: {}", e.message()))?;
            network.ca_bundle = Some(bundle);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;
    use crate::profile::ProfileSet;

    fn debug_of(c: &Config) -> String {
        format!("{:?}", c.transport())
    }

    #[test]
    fn proxy_in_code_reaches_the_default_transport() {
        let c = Config::builder()
            .proxy(ProxyConfig::all("http://u:hunter2@proxy.example:3128").unwrap())
            .build();
        let d = debug_of(&c);
        assert!(d.contains("http://proxy.example:3128"), "{d}");
        assert!(!d.contains("hunter2"), "{d}");
        assert!(!format!("{c:?}").contains("hunter2"));
        // to_builder keeps the transport (and its pool) unless a setting changes.
        let same = c.to_builder().region("us-west-2").build();
        assert!(Arc::ptr_eq(c.transport(), same.transport()));
        let other = c.to_builder().proxy(ProxyConfig::disabled()).build();
        assert!(!Arc::ptr_eq(c.transport(), other.transport()));
        assert!(!debug_of(&other).contains("proxy.example"));
        // A transport set in code is used as given.
        let own: Arc<dyn Transport> = Arc::new(HyperTransport::new());
        let c = Config::builder()
            .transport(Arc::clone(&own))
            .proxy(ProxyConfig::all("http://p:1").unwrap())
            .build();
        assert!(Arc::ptr_eq(c.transport(), &own));
    }

    #[test]
    fn environment_and_profile() {
        let set = ProfileSet::parse(
            "[default]\nca_bundle = /nonexistent/profile.pem\n",
            "",
            None,
        )
        .unwrap();
        let mut n = NetworkSettings::default();
        let env = Env::from_pairs([("HTTPS_PROXY", "http://u:hunter2@p:1")]);
        let e = load(&mut n, &env, set.selected(), "default").unwrap_err();
        assert!(
            e.starts_with("`ca_bundle` of profile default: /nonexistent/profile.pem: cannot read"),
            "{e}"
        );
        let env = Env::from_pairs([("AWS_CA_BUNDLE", "/nonexistent/env.pem")]);
        let e = load(&mut n, &env, set.selected(), "default").unwrap_err();
        assert!(e.starts_with("AWS_CA_BUNDLE: /nonexistent/env.pem"), "{e}");
        let env = Env::from_pairs([("ALL_PROXY", "socks5://u:hunter2@p:1")]);
        let e = load(&mut NetworkSettings::default(), &env, None, "default").unwrap_err();
        assert!(e.starts_with("ALL_PROXY: "), "{e}");
        assert!(!e.contains("hunter2"));
        // Set in code: the environment is not read.
        let mut n = NetworkSettings {
            proxy: Some(ProxyConfig::disabled()),
            ..NetworkSettings::default()
        };
        load(&mut n, &env, None, "default").unwrap();
        assert!(!n.proxy.unwrap().is_enabled());
    }
}
