//! The CLI harness of the sign-in tests: a hand-written cmdlet
//! (`Get-MgTestThing -ThingId <id>`, GET /things/{thing-id}) and an
//! in-process run of `cli::run` with exactly the environment given, which
//! checks that no secret of these tests was printed.
#![allow(dead_code)]

use std::collections::HashMap;

use mg_runtime::binder::{CmdletMeta, Common, ParamMeta, ParamType};
use mg_runtime::cli::{Io, Registry, run};
use mg_runtime::plan::{Bind, Cmdlet, Plan};
use mg_runtime::request::{ApiVersion, BodyKind, Method, OpParam, Operation, ResponseKind};

use super::tls::app_token;

pub const TENANT: &str = "tenant-1111";
pub const CLIENT: &str = "client-2222";
pub const SECRET: &str = "cli-client-secret-9137";
pub const PFX_PASSWORD: &str = "cli-pfx-password-5521";
pub const STATIC_TOKEN: &str = "static-access-token-8080";
pub const IDENTITY_HEADER_VALUE: &str = "identity-header-secret-6464";

// ---------------------------------------------------------------------------
// A small cmdlet: Get-MgTestThing -ThingId <id>, GET /things/{thing-id},
// written as the generator writes cmdlets (beta, so below `<root>/beta`).

static GET_THING: Operation = Operation {
    id: "thing_GetThing",
    method: Method::Get,
    version: ApiVersion::BETA,
    path: "/things/{thing-id}",
    segments: &["/things/", ""],
    params: &[OpParam::path("thing-id", "ThingId")],
    body: BodyKind::None,
    response: ResponseKind::Json,
};

static THING: Cmdlet = Cmdlet {
    meta: CmdletMeta {
        name: "Get-MgTestThing",
        default_set: "Get",
        sets: &["Get"],
        params: &[ParamMeta::new("ThingId", ParamType::String, &[0]).mandatory(&[0])],
        common: Common::new(false, false, true),
    },
    aliases: &[],
    plans: &[Plan::new(&GET_THING, &[Bind::Key(0, 0)])],
    help: "---\n---\n# Get-MgTestThing\n\n## SYNOPSIS\nGets a test thing.\n",
};

static CMDLETS: [&Cmdlet; 1] = [&THING];

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
        stderr_is_terminal: false,
        stdout: &mut stdout,
        stderr: &mut stderr,
        env: &lookup,
        prompt: &mut prompt,
    };
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let code = run(&Registry::new(&[&CMDLETS]), &args, io).await;
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
