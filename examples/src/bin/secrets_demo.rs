//! `secrets_demo`: lists, creates, reads and deletes a secret with the generated AWS Secrets
//! Manager client, configured only from the standard AWS environment (`AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `~/.aws/config`, ...).
//!
//! It prints every step but never a secret value. The value stored is `$SECRETS_DEMO_VALUE` when
//! set, else a random password from `GetRandomPassword`.
//!
//! ```text
//! secrets_demo [--name NAME] [--recovery-days DAYS]
//! ```
//!
//! * `--name`: the secret to create (default `secrets-demo/<unix time>-<pid>`); it must not exist.
//! * `--recovery-days`: schedule the deletion with this recovery window (7-30) instead of
//!   deleting at once.
//!
//! Exit status: 0 on success, 1 when a call fails, 2 for bad arguments or configuration.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use secretsmanager::error::SdkError;
use secretsmanager::types::{Filter, FilterNameStringType};
use secretsmanager::Client;

/// How many names the listing step prints.
const NAMES_SHOWN: usize = 20;

/// Command-line options.
struct Options {
    name: String,
    recovery_days: Option<i64>,
}

fn usage() -> String {
    "usage: secrets_demo [--name NAME] [--recovery-days DAYS]\n\
     Configuration comes from the standard AWS environment variables and ~/.aws files.\n\
     The stored value is $SECRETS_DEMO_VALUE if set, else a random password; it is never printed."
        .to_string()
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut opts = Options {
        name: format!("secrets-demo/{stamp}-{}", std::process::id()),
        recovery_days: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--name" => {
                opts.name = args
                    .next()
                    .filter(|n| !n.is_empty())
                    .ok_or("--name needs a value")?;
            }
            "--recovery-days" => {
                let v = args.next().ok_or("--recovery-days needs a value")?;
                let days: i64 = v
                    .parse()
                    .map_err(|_| format!("--recovery-days: {v:?} is not a number"))?;
                if !(7..=30).contains(&days) {
                    return Err(format!(
                        "--recovery-days must be between 7 and 30, got {days}"
                    ));
                }
                opts.recovery_days = Some(days);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(opts))
}

/// One line describing a failed call. The error's `Display` names the error code, message,
/// request id and HTTP status, or the connection / timeout / build problem.
fn failure<E: std::error::Error>(step: &str, err: &SdkError<E>) -> String {
    format!("{step} failed: {err}")
}

/// Every secret name, following `NextToken` through all pages.
async fn list_names(client: &Client, filter: Option<Filter>) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_secrets()
            .set_filters(filter.clone().map(|f| vec![f]))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| failure("ListSecrets", &e))?;
        names.extend(
            page.secret_list()
                .iter()
                .filter_map(|s| s.name().map(str::to_string)),
        );
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(names),
        }
    }
}

async fn run(opts: Options) -> Result<(), String> {
    // One configuration for every client: region, endpoints, retries, and credentials from
    // the full chain (environment, profiles with assume role or IAM Identity Center, web
    // identity, container, instance metadata).
    let config = awsconfig::load_from_env()
        .await
        .map_err(|e| format!("cannot load the AWS configuration: {e}"))?;
    let region = config.region().unwrap_or("(none)").to_string();
    let endpoint = config
        .endpoint_url_for("Secrets Manager")
        .unwrap_or_else(|| "the AWS endpoint for the region".to_string());
    println!("secrets_demo: region {region}, endpoint {endpoint}");
    let client = Client::new(&config);

    // 1. List.
    let names = list_names(&client, None).await?;
    println!("listed {} secret(s)", names.len());
    for name in names.iter().take(NAMES_SHOWN) {
        println!("  - {name}");
    }
    if names.len() > NAMES_SHOWN {
        println!("  ... and {} more", names.len() - NAMES_SHOWN);
    }

    // 2. Create.
    let value = match std::env::var("SECRETS_DEMO_VALUE") {
        Ok(v) if !v.is_empty() => v,
        _ => {
            let out = client
                .get_random_password()
                .password_length(32)
                .exclude_characters("\"'\\`")
                .send()
                .await
                .map_err(|e| failure("GetRandomPassword", &e))?;
            println!("generated a random 32-character value");
            out.random_password()
                .map(|p| p.expose_secret().to_string())
                .ok_or("GetRandomPassword returned no password")?
        }
    };
    let created = client
        .create_secret()
        .name(&opts.name)
        .description("created by secrets_demo")
        .secret_string(value.clone())
        .send()
        .await
        .map_err(|e| failure("CreateSecret", &e))?;
    println!(
        "created secret {} (version {})",
        created.name().unwrap_or(&opts.name),
        created.version_id().unwrap_or("?")
    );

    // 3. Read back and compare (without printing).
    let read = client
        .get_secret_value()
        .secret_id(&opts.name)
        .send()
        .await
        .map_err(|e| failure("GetSecretValue", &e))?;
    let stored = read
        .secret_string()
        .map(|s| s.expose_secret())
        .ok_or("GetSecretValue returned no SecretString")?;
    if stored != value {
        return Err("the value read back differs from the value stored".into());
    }
    println!(
        "read secret {}: version {}, stages [{}], {} characters, matches what was stored (value not shown)",
        read.name().unwrap_or(&opts.name),
        read.version_id().unwrap_or("?"),
        read.version_stages().join(", "),
        stored.chars().count()
    );

    // 4. Delete.
    let mut delete = client.delete_secret().secret_id(&opts.name);
    delete = match opts.recovery_days {
        Some(days) => delete.recovery_window_in_days(days),
        None => delete.force_delete_without_recovery(true),
    };
    let deleted = delete
        .send()
        .await
        .map_err(|e| failure("DeleteSecret", &e))?;
    match opts.recovery_days {
        Some(days) => println!(
            "scheduled secret {} for deletion in {days} days",
            deleted.name().unwrap_or(&opts.name)
        ),
        None => println!(
            "deleted secret {} (without recovery)",
            deleted.name().unwrap_or(&opts.name)
        ),
    }

    let name_filter = Filter::builder()
        .key(FilterNameStringType::Name)
        .values(opts.name.clone())
        .build();
    let left = list_names(&client, Some(name_filter)).await?;
    if left.contains(&opts.name) {
        return Err(format!("{} is still listed after deletion", opts.name));
    }
    println!("done");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            println!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("secrets_demo: {e}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    match run(opts).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.starts_with("cannot load") => {
            eprintln!("secrets_demo: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("secrets_demo: {e}");
            ExitCode::FAILURE
        }
    }
}
