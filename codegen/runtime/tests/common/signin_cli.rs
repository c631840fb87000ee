//! The CLI harness of the sign-in tests: a hand-written cmdlet
//! (`Get-MgTestThing -ThingId <id>`, GET /things/{thing-id}) and an
//! in-process run of `cli::run` with exactly the environment given, which
//! checks that no secret of these tests was printed.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use mg_runtime::binder::{Bound, CmdletMeta, ParamMeta, ParamType, SetMembership, Sets};
use mg_runtime::cli::{Io, run};
use mg_runtime::client::{ApiRequest, Client};
use mg_runtime::cmdlet::{
    CmdletEntry, CommonParameters, Host, ResponseKind, RunFuture, execute, take_string,
};
use mg_runtime::path::segment;

use super::tls::app_token;

pub const TENANT: &str = "tenant-1111";
pub const CLIENT: &str = "client-2222";
pub const SECRET: &str = "cli-client-secret-9137";
pub const PFX_PASSWORD: &str = "cli-pfx-password-5521";
pub const STATIC_TOKEN: &str = "static-access-token-8080";
pub const IDENTITY_HEADER_VALUE: &str = "identity-header-secret-6464";

// ---------------------------------------------------------------------------
// A small cmdlet: Get-MgTestThing -ThingId <id>, GET /things/{thing-id}

const fn common(name: &'static str, ty: ParamType) -> ParamMeta {
    ParamMeta {
        name,
        aliases: &[],
        ty,
        type_name: "",
        sets: Sets::All {
            mandatory: false,
            from_pipeline: false,
        },
    }
}

static META: CmdletMeta = CmdletMeta {
    name: "Get-MgTestThing",
    default_set: "Get",
    sets: &["Get"],
    params: &[
        common("Proxy", ParamType::Uri),
        common("ProxyCredential", ParamType::Credential),
        common("ProxyUseDefaultCredentials", ParamType::Switch),
        ParamMeta {
            name: "ThingId",
            aliases: &[],
            ty: ParamType::String,
            type_name: "System.String",
            sets: Sets::Some(&[SetMembership {
                set: "Get",
                mandatory: true,
                from_pipeline: false,
            }]),
        },
    ],
};

fn get_thing(
    client: Client,
    mut bound: Bound,
    common: CommonParameters,
    host: Arc<dyn Host>,
) -> RunFuture {
    Box::pin(async move {
        let id = take_string(&mut bound, "ThingId").unwrap_or_default();
        let path = format!("/things/{}", segment("ThingId", &id)?);
        let request = ApiRequest::new(reqwest::Method::GET, "/things/{thing-id}", path);
        execute(
            &client,
            &common,
            &*host,
            "Get-MgTestThing_Get",
            false,
            request,
            ResponseKind::Json,
        )
        .await
    })
}

static CMDLETS: [CmdletEntry; 1] = [CmdletEntry {
    meta: &META,
    help: "---\n---\n# Get-MgTestThing\n\n## SYNOPSIS\nGets a test thing.\n",
    run: get_thing,
}];

// ---------------------------------------------------------------------------
// Running the CLI in process

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the CLI with exactly `env` as its environment (nothing of the
/// test process leaks in), then checks that no secret was printed.
pub async fn cli(args: &[&str], env: &[(&str, String)]) -> Outcome {
    let vars: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let lookup = move |name: &str| vars.get(name).cloned();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut prompt = |_: &str, _: bool| None;
    let io = Io {
        program: "mgtest",
        stdin: Box::new(&b""[..]),
        stdin_is_terminal: true,
        stdout: &mut stdout,
        stderr: &mut stderr,
        env: &lookup,
        prompt: &mut prompt,
    };
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let code = run(&CMDLETS, &args, io).await;
    let outcome = Outcome {
        code,
        stdout: String::from_utf8(stdout).expect("UTF-8"),
        stderr: String::from_utf8(stderr).expect("UTF-8"),
    };
    for secret in [SECRET, PFX_PASSWORD, STATIC_TOKEN, IDENTITY_HEADER_VALUE] {
        assert!(
            !outcome.stdout.contains(secret) && !outcome.stderr.contains(secret),
            "secret printed: {outcome:#?}"
        );
    }
    for n in 0..4 {
        let token = app_token(n);
        assert!(
            !outcome.stdout.contains(&token) && !outcome.stderr.contains(&token),
            "token printed: {outcome:#?}"
        );
    }
    outcome
}

/// The JSON that `Get-MgContext` printed.
pub fn context_json(out: &Outcome) -> serde_json::Value {
    assert_eq!(out.code, 0, "{out:#?}");
    serde_json::from_str(&out.stdout).expect("Get-MgContext prints JSON")
}
