//! What the docs say about the behaviours beyond plain calls ([`crate::behaviours`]): a
//! paragraph in each operation's docs for those that apply to it (event streams, request
//! compression, bearer auth, the waiters that poll it; endpoint discovery has its own in
//! [`super::discovery::doc_note`]), and a section of the crate docs for each the crate has,
//! with an example that compiles as a doc test.

use super::common::bare;
use crate::auth::Auth;
use crate::ir::{Field, Operation, RType, Service};

/// The paragraphs of `op`'s docs about its event streams, request compression, bearer auth
/// and waiters (empty when none applies).
pub fn op_notes(svc: &Service, op: &Operation) -> String {
    let mut d = String::new();
    if op.not_callable.is_none() {
        if let Some((f, u)) = event_field(op, true) {
            d.push_str(&format!(
                "\n\n**Event stream:** the input's `{field}` is an \
                 [`EventStreamSender`](crate::event_stream::EventStreamSender) of \
                 [`{u}`](crate::types::{u}) events, sent while the call runs: build it from a \
                 `Vec` of events (`vec![event, ...].into()`) or with \
                 [`EventStreamSender::channel(n)`](crate::event_stream::EventStreamSender::channel), \
                 whose `Sender` takes events until every sender is dropped.",
                field = bare(&f.name),
            ));
        }
        if let Some((f, u)) = event_field(op, false) {
            let error = stream_error(svc, u);
            d.push_str(&format!(
                "\n\n**Event stream:** the output's `{field}` is an \
                 [`EventReceiver`](crate::event_stream::EventReceiver) of \
                 [`{u}`](crate::types::{u}) events: call `recv().await` until it returns \
                 `Ok(None)`; modeled stream errors are \
                 [`{error}`](crate::types::error::{error}).",
                field = bare(&f.name),
            ));
        }
    }
    if !op.compression.is_empty() {
        d.push_str(&compression_note(op));
    }
    if op.auth == Auth::Bearer {
        d.push_str(&format!(
            "\n\n**Authentication:** a bearer token, the first of: one set in code \
             ([`ConfigBuilder::bearer_token`](crate::config::ConfigBuilder::bearer_token), \
             [`token_provider`](crate::config::ConfigBuilder::token_provider)){env}, or the \
             token of the profile's `sso_session` (with a configuration loaded by `awsconfig`).",
            env = token_env(svc)
                .map(|v| format!(", the environment variable `{v}`"))
                .unwrap_or_default(),
        ));
    }
    let waiters: Vec<String> = svc
        .waiters
        .iter()
        .filter(|w| {
            svc.operations
                .get(w.operation)
                .is_some_and(|o| o.shape == op.shape)
        })
        .map(|w| format!("[`Client::{0}`](crate::Client::{0})", w.fn_name))
        .collect();
    if !waiters.is_empty() {
        d.push_str(&format!(
            "\n\n**Waiters:** {} (call{} this operation until the resource reaches a state).",
            waiters.join(", "),
            if waiters.len() == 1 { "s" } else { "" }
        ));
    }
    d
}

/// The request compression paragraph of `op` (which has `@requestCompression`).
fn compression_note(op: &Operation) -> String {
    let settings = "([`ConfigBuilder::request_min_compression_size`](crate::config::ConfigBuilder::request_min_compression_size), \
                    `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES`, the profile's \
                    `request_min_compression_size_bytes`); \
                    [`ConfigBuilder::disable_request_compression`](crate::config::ConfigBuilder::disable_request_compression), \
                    `AWS_DISABLE_REQUEST_COMPRESSION` or the profile's \
                    `disable_request_compression` turn it off.";
    if op
        .compression
        .iter()
        .any(|e| e.eq_ignore_ascii_case("gzip"))
    {
        format!(
            "\n\n**Request compression:** the body is sent gzip-compressed when it is at least \
             the minimum size, 10240 bytes unless set {settings}"
        )
    } else {
        format!(
            "\n\n**Request compression:** the model allows {}, none of which this client \
             implements: the body is sent uncompressed.",
            op.compression
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The crate-docs sections of the behaviours the crate has, with an example where there is
/// something to write (empty when it has none). `c` is the crate's identifier.
pub fn crate_sections(svc: &Service, c: &str) -> String {
    let sections: Vec<String> = [
        waiters_section(svc, c),
        event_streams_section(svc, c),
        discovery_section(svc, c),
        bearer_section(svc, c),
        compression_section(svc),
    ]
    .into_iter()
    .flatten()
    .collect();
    sections.join("\n\n")
}

/// The field of `op`'s input (`input`) or output event stream and its union.
fn event_field(op: &Operation, input: bool) -> Option<(&Field, &str)> {
    let s = if input { &op.input } else { &op.output };
    s.fields.iter().find_map(|f| match &f.ty {
        RType::EventInput(u) if input => Some((f, u.as_str())),
        RType::EventOutput(u) if !input => Some((f, u.as_str())),
        _ => None,
    })
}

/// The error enum of the event stream of union `u`.
fn stream_error(svc: &Service, u: &str) -> String {
    svc.event_streams
        .get(u)
        .map(|es| es.error_name())
        .unwrap_or_else(|| format!("{u}Error"))
}

/// `AWS_BEARER_TOKEN_<SDK_ID>` of the service, when it has an sdkId.
fn token_env(svc: &Service) -> Option<String> {
    svc.env_suffix()
        .map(|suffix| format!("AWS_BEARER_TOKEN_{suffix}"))
}

/// The builder calls of an example of `op`: its required string members set to a placeholder,
/// then a comment naming the other required members (the call then fails with a construction
/// error until they are set), each line indented by four spaces. `skip` is a field the example
/// sets itself.
fn required_setters(op: &Operation, skip: Option<&str>) -> String {
    let required = op.input.fields.iter().filter(|f| {
        !f.optional
            && f.default.is_none()
            && !f.idempotency_token
            && Some(f.name.as_str()) != skip
            && !matches!(f.ty, RType::EventInput(_))
    });
    let mut set = String::new();
    let mut others = Vec::new();
    for f in required {
        if f.ty == RType::String {
            set.push_str(&format!("\n    .{}(\"example\")", f.name));
        } else {
            others.push(format!("`{}`", bare(&f.name)));
        }
    }
    if !others.is_empty() {
        set.push_str(&format!(
            "\n    // ... and the other required members: {}",
            others.join(", ")
        ));
    }
    set
}

/// A `rust,no_run` example whose body runs in `async fn example(client: &c::Client)` (or
/// without a client when `client` is false).
fn example(c: &str, client: bool, body: &str) -> String {
    let param = if client {
        format!("client: &{c}::Client")
    } else {
        String::new()
    };
    format!(
        "```rust,no_run\n\
         # async fn example({param}) -> Result<(), Box<dyn std::error::Error>> {{\n\
         {body}\n\
         # Ok(())\n\
         # }}\n\
         ```"
    )
}

fn waiters_section(svc: &Service, c: &str) -> Option<String> {
    let w = svc.waiters.first()?;
    let op = svc.operations.get(w.operation)?;
    let var = if w.succeeds_with_output() {
        "output"
    } else {
        "final_poll"
    };
    let others = match svc.waiters.len() {
        1 => "It is the service's only waiter.".to_string(),
        n => format!(
            "The service has {n} waiters, each a `wait_until_...` method of [`Client`] \
             (the [`waiters`] module lists them)."
        ),
    };
    let body = format!(
        "let {var} = client\n\
         \x20   .{f}(){setters}\n\
         \x20   .wait(std::time::Duration::from_secs(300))\n\
         \x20   .await?;\n\
         # let _ = {var};",
        f = w.fn_name,
        setters = required_setters(op, None),
    );
    Some(format!(
        "## Waiters\n\n\
         A waiter calls an operation until the resource it describes reaches a state: \
         [`Client::{f}`](crate::Client::{f}) takes the input of \
         [`{op_fn}`](crate::Client::{op_fn}) and polls it with backoff until the `{name}` \
         waiter succeeds, fails, or the maximum wait given to `wait` passes. {others}\n\n{ex}",
        f = w.fn_name,
        op_fn = op.fn_name,
        name = w.name,
        ex = example(c, true, &body),
    ))
}

fn event_streams_section(svc: &Service, c: &str) -> Option<String> {
    let callable = |o: &&Operation| o.not_callable.is_none();
    let output_op = svc
        .operations
        .iter()
        .filter(callable)
        .find(|o| event_field(o, false).is_some());
    let input_op = svc
        .operations
        .iter()
        .filter(callable)
        .find(|o| event_field(o, true).is_some());
    if output_op.is_none() && input_op.is_none() {
        return None;
    }
    let mut kinds = Vec::new();
    if output_op.is_some() {
        kinds.push(
            "an output event stream is an [`EventReceiver`](crate::event_stream::EventReceiver) \
             whose `recv().await` gives the next event, `Ok(None)` at the end, or the stream's \
             error",
        );
    }
    if input_op.is_some() {
        kinds.push(
            "an input event stream is an \
             [`EventStreamSender`](crate::event_stream::EventStreamSender) whose events are \
             sent while the call runs",
        );
    }
    let mut text = format!(
        "## Event streams\n\nSome operations stream events: {}.",
        kinds.join("; ")
    );
    // Reading: the first operation with an output stream, unless it also sends one (then the
    // example below shows both).
    if let Some(op) = output_op.filter(|o| event_field(o, true).is_none()) {
        let (f, u) = event_field(op, false)?;
        let body = format!(
            "let mut output = client\n\
             \x20   .{fn_name}(){setters}\n\
             \x20   .send()\n\
             \x20   .await?;\n\
             while let Some(event) = output.{field}.recv().await? {{\n\
             \x20   println!(\"{{event:?}}\");\n\
             }}",
            fn_name = op.fn_name,
            setters = required_setters(op, None),
            field = f.name,
        );
        text.push_str(&format!(
            "\n\nReading the [`{u}`](crate::types::{u}) events of \
             [`{fn_name}`](crate::Client::{fn_name}):\n\n{ex}",
            fn_name = op.fn_name,
            ex = example(c, true, &body),
        ));
    }
    if let Some(op) = input_op {
        let (f, u) = event_field(op, true)?;
        let read = match event_field(op, false) {
            Some((out, _)) => format!(
                "\nwhile let Some(event) = output.{}.recv().await? {{\n\
                 \x20   println!(\"{{event:?}}\");\n\
                 }}",
                out.name
            ),
            None => "\n# let _ = output;".to_string(),
        };
        let body = format!(
            "// Events written to `sender` (`sender.send(event).await`, here from another task)\n\
             // are sent while the call runs; the stream ends when every sender is dropped. A\n\
             // fixed list works too: `EventStreamSender::from(vec![event, ...])`.\n\
             let (events, sender) = {c}::event_stream::EventStreamSender::channel(8);\n\
             tokio::spawn(async move {{\n\
             \x20   // sender.send(event).await ...\n\
             \x20   drop(sender);\n\
             }});\n\
             let {mut_}output = client\n\
             \x20   .{fn_name}(){setters}\n\
             \x20   .{field}(events)\n\
             \x20   .send()\n\
             \x20   .await?;{read}",
            mut_ = if event_field(op, false).is_some() {
                "mut "
            } else {
                ""
            },
            fn_name = op.fn_name,
            setters = required_setters(op, Some(&f.name)),
            field = f.name,
        );
        let both = if event_field(op, false).is_some() {
            " (and reading the events of its output)"
        } else {
            ""
        };
        text.push_str(&format!(
            "\n\nSending the [`{u}`](crate::types::{u}) events of \
             [`{fn_name}`](crate::Client::{fn_name}){both}:\n\n{ex}",
            fn_name = op.fn_name,
            ex = example(c, true, &body),
        ));
    }
    Some(text)
}

fn discovery_section(svc: &Service, c: &str) -> Option<String> {
    let sd = svc.endpoint_discovery.as_ref()?;
    let ops: Vec<&Operation> = svc
        .operations
        .iter()
        .filter(|o| o.endpoint_discovery.is_some())
        .collect();
    let first = ops.first()?;
    let optional: Vec<&&Operation> = ops
        .iter()
        .filter(|o| o.endpoint_discovery.as_ref().is_some_and(|d| !d.required))
        .collect();
    let count = match ops.len() {
        1 => format!("[`{0}`](crate::Client::{0}) can send its", first.fn_name),
        n => format!(
            "{n} operations (such as [`{0}`](crate::Client::{0}); each says so in its docs) can send their",
            first.fn_name
        ),
    };
    let mode = match (optional.len(), ops.len()) {
        (0, _) => "Discovery is always on (the service requires it)".to_string(),
        (o, n) if o == n => "Discovery is optional and off unless turned on".to_string(),
        _ => "Discovery is always on where the service requires it, and off unless turned on \
              where it is optional"
            .to_string(),
    };
    let mut text = format!(
        "## Endpoint discovery\n\n\
         {count} requests to an endpoint the service's `{disc}` operation \
         names: the client calls it before the first such request and caches its answer per \
         credentials, region and discovery identifiers for as long as the service says. \
         {mode}; an endpoint URL set in code, by `AWS_ENDPOINT_URL` or in the profile turns it \
         off.",
        disc = sd.operation,
    );
    if !optional.is_empty() {
        let body = format!(
            "// Also `AWS_ENABLE_ENDPOINT_DISCOVERY=true`, or `endpoint_discovery_enabled = true` in the profile.\n\
             let config = {c}::Config::loader()\n\
             \x20   .configure(|b| b.endpoint_discovery_enabled(true))\n\
             \x20   .load()\n\
             \x20   .await?;\n\
             let client = {c}::Client::new(&config);\n\
             # let _ = client;"
        );
        text.push_str(&format!(
            "\n\nTurning discovery on for the operations where it is optional:\n\n{}",
            example(c, false, &body)
        ));
    }
    Some(text)
}

fn bearer_section(svc: &Service, c: &str) -> Option<String> {
    let bearer: Vec<&Operation> = svc
        .operations
        .iter()
        .filter(|o| o.auth == Auth::Bearer)
        .collect();
    let first = bearer.first()?;
    let which = if bearer.len() == svc.operations.len() {
        "The operations authenticate".to_string()
    } else {
        format!(
            "Some operations (such as [`{0}`](crate::Client::{0})) authenticate",
            first.fn_name
        )
    };
    let env = token_env(svc)
        .map(|v| format!(" the environment variable `{v}`,"))
        .unwrap_or_default();
    let body = format!(
        "let config = {c}::Config::loader()\n\
         \x20   .configure(|b| b.bearer_token(\"my-token\"))\n\
         \x20   .load()\n\
         \x20   .await?;\n\
         let client = {c}::Client::new(&config);\n\
         # let _ = client;"
    );
    Some(format!(
        "## Authentication\n\n\
         {which} with a bearer token (`Authorization: Bearer <token>`), the first of: one set \
         in code ([`ConfigBuilder::bearer_token`](crate::config::ConfigBuilder::bearer_token), \
         or a [`token_provider`](crate::config::ConfigBuilder::token_provider) that refreshes \
         it),{env} and the token of the profile's `sso_session` (installed when the \
         configuration is loaded with the `awsconfig` crate).\n\n{}",
        example(c, false, &body)
    ))
}

fn compression_section(svc: &Service) -> Option<String> {
    let ops: Vec<String> = svc
        .operations
        .iter()
        .filter(|o| o.compression.iter().any(|e| e.eq_ignore_ascii_case("gzip")))
        .map(|o| format!("[`{0}`](crate::Client::{0})", o.fn_name))
        .collect();
    if ops.is_empty() {
        return None;
    }
    Some(format!(
        "## Request compression\n\n\
         The request bodies of {} are sent gzip-compressed when they are at least 10240 bytes \
         ([`ConfigBuilder::request_min_compression_size`](crate::config::ConfigBuilder::request_min_compression_size), \
         `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES`); \
         [`ConfigBuilder::disable_request_compression`](crate::config::ConfigBuilder::disable_request_compression) \
         or `AWS_DISABLE_REQUEST_COMPRESSION=true` turns it off.",
        ops.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> Service {
        crate::ir::build(crate::behaviours::tests::model(), None, "ex").expect("builds")
    }

    fn notes(svc: &Service, name: &str) -> String {
        let op = svc.operations.iter().find(|o| o.name == name);
        op_notes(svc, op.expect("the operation"))
    }

    #[test]
    fn each_operation_says_which_behaviours_apply_to_it() {
        let svc = service();
        let watch = notes(&svc, "Watch");
        // `In` is a keyword in Rust (`r#in`): the docs name it without the prefix.
        assert!(
            watch.contains("**Event stream:** the input's `in` is an [`EventStreamSender`](crate::event_stream::EventStreamSender) of [`Events`](crate::types::Events) events, sent while the call runs"),
            "{watch}"
        );
        assert!(
            watch.contains("the output's `out` is an [`EventReceiver`](crate::event_stream::EventReceiver) of [`Events`](crate::types::Events) events")
                && watch.contains("[`EventsError`](crate::types::error::EventsError)"),
            "{watch}"
        );
        assert!(!watch.contains("**Request compression:**"), "{watch}");
        let put = notes(&svc, "Put");
        assert!(
            put.contains("**Request compression:** the body is sent gzip-compressed"),
            "{put}"
        );
        assert!(put.contains("`AWS_DISABLE_REQUEST_COMPRESSION`"), "{put}");
        assert!(!put.contains("**Event stream:**"), "{put}");
        let get = notes(&svc, "GetThing");
        assert!(
            get.contains("**Waiters:** [`Client::wait_until_thing_exists`](crate::Client::wait_until_thing_exists), [`Client::wait_until_thing_gone`](crate::Client::wait_until_thing_gone) (call this operation"),
            "{get}"
        );
        // Every operation of the service authenticates with a bearer token.
        for n in ["Watch", "Put", "GetThing", "DescribeEndpoints"] {
            assert!(
                notes(&svc, n).contains("**Authentication:** a bearer token"),
                "{n}"
            );
        }
        assert!(!notes(&svc, "DescribeEndpoints").contains("**Waiters:**"));
    }

    #[test]
    fn an_operation_that_cannot_be_called_has_no_stream_paragraph() {
        let mut svc = service();
        for o in &mut svc.operations {
            o.not_callable = Some("test".into());
        }
        assert!(!notes(&svc, "Watch").contains("**Event stream:**"));
        assert!(!crate_sections(&svc, "ex").contains("## Event streams"));
    }

    #[test]
    fn the_crate_docs_have_a_section_for_each_behaviour() {
        let svc = service();
        let s = crate_sections(&svc, "ex");
        for h in [
            "## Waiters",
            "## Event streams",
            "## Endpoint discovery",
            "## Authentication",
            "## Request compression",
        ] {
            assert_eq!(s.matches(h).count(), 1, "{h} in {s}");
        }
        assert!(
            s.contains(".wait_until_thing_exists()\n    .name(\"example\")\n    .wait("),
            "{s}"
        );
        // Watch streams both ways: one example sends and reads.
        assert!(
            s.contains("ex::event_stream::EventStreamSender::channel(8)"),
            "{s}"
        );
        assert!(
            s.contains("while let Some(event) = output.out.recv().await? {"),
            "{s}"
        );
        assert!(!s.contains("Reading the"), "{s}");
        // Discovery is required: no example turning it on.
        assert!(s.contains("Discovery is always on"), "{s}");
        assert!(!s.contains("endpoint_discovery_enabled(true)"), "{s}");
        assert!(
            s.contains(".configure(|b| b.bearer_token(\"my-token\"))"),
            "{s}"
        );
        assert_eq!(s.matches("```rust,no_run").count(), 3, "{s}");
    }

    #[test]
    fn token_variable_is_the_sdk_id_in_upper_snake_case() {
        let mut svc = service();
        svc.sdk_id = Some("Code Catalyst-x".into());
        assert_eq!(
            token_env(&svc).as_deref(),
            Some("AWS_BEARER_TOKEN_CODE_CATALYST_X")
        );
        svc.sdk_id = None;
        assert_eq!(token_env(&svc), None);
    }

    #[test]
    fn a_crate_without_behaviours_has_no_sections() {
        let mut svc = service();
        svc.waiters.clear();
        svc.endpoint_discovery = None;
        for o in &mut svc.operations {
            o.not_callable = Some("test".into());
            o.compression.clear();
            o.auth = Auth::SigV4;
            o.endpoint_discovery = None;
        }
        assert_eq!(crate_sections(&svc, "ex"), "");
    }
}
