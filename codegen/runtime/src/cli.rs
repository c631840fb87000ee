//! The command-line driver behind the generated binary (`mgbeta`): runs a
//! cmdlet as its help document describes it, from any shell.
//!
//! ```text
//! mgbeta                                 list the cmdlets
//! mgbeta help <Cmdlet>                   print a cmdlet's help (also `<Cmdlet> -?`, `<Cmdlet> --help`)
//! mgbeta <Cmdlet> -Name value ... [-Verbose] [-Debug] [-ErrorAction Stop]
//! ```
//!
//! Arguments go through the cmdlet binder (`super::binder`), so names,
//! aliases, prefixes, switches and `--kebab-case` forms behave as there.
//!
//! **Pipeline input.** `-InputObject -` reads identity objects from standard
//! input; so does a standard input that is not a terminal when the named
//! arguments do not complete a parameter set (then an empty input reports
//! the original binding error instead of silently doing nothing). Input is
//! JSON values one after another (one per line, or pretty-printed), a JSON
//! array contributing its elements. All of it is read and parsed before
//! anything is sent, so malformed input sends nothing. The cmdlet then runs
//! once per object, as PowerShell's process block does.
//!
//! **Errors and exit status.** `0` success; `2` a usage, binding or
//! configuration error (unknown cmdlet or parameter, bad input JSON, no
//! `MG_ACCESS_TOKEN`) when nothing was sent; `1` otherwise (a request
//! failed, or a terminating error such as the ViaIdentity null-key check).
//! As in PowerShell, an error response from the service is non-terminating:
//! the pipeline goes on with the next object (exit status 1 at the end),
//! unless `-ErrorAction Stop` makes it terminating. Every other error stops
//! the pipeline at once.
//!
//! **Common parameters** (PowerShell's CommonParameters are not in the
//! binder metadata, so they are handled here, by exact name or alias):
//! `-Verbose`/`-vb` and `-Debug`/`-db` (also `:$false`) print the request
//! and response on standard error; `-ErrorAction`/`-ea` takes `Continue`
//! (default), `Stop`, `SilentlyContinue` or `Ignore` (the last two hide
//! service errors but still exit 1); `-WarningAction`, `-InformationAction`
//! and `-ProgressAction` are accepted and ignored (these cmdlets write no
//! such records); the variable parameters (`-ErrorVariable`,
//! `-OutVariable`...) and `-OutBuffer` have no meaning outside PowerShell
//! and are refused.
//!
//! **Secrets.** `MG_ACCESS_TOKEN` and the proxy password are never printed:
//! logging steps run before authentication, sensitive headers are masked,
//! and everything written to standard error is scrubbed of both values.

use std::cell::RefCell;
use std::io::{BufRead, Read, Write};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::binder::{bind, BindErrorId, CmdletMeta, ParamType};
use super::client::{Client, StaticToken, DEFAULT_BASE_URL};
use super::cmdlet::{BoxFuture, CmdletEntry, CommonParameters, Host, Invocation, Output};
use super::error::{status_name, Error, Secret};
use super::pipeline::{step, Next, Step};

/// Largest standard input read as pipeline objects.
const MAX_STDIN_BYTES: u64 = 64 * 1024 * 1024;

/// A question for the person at the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Question<'q> {
    /// The full text to show, ending where the answer is typed.
    pub text: &'q str,
    /// True for passwords: the answer must not be echoed.
    pub secret: bool,
}

/// Asks the terminal a [`Question`]; `None` means no answer.
pub type Prompt<'a> = dyn FnMut(&Question<'_>) -> Option<String> + 'a;

/// What the driver talks to; [`main`] wires the real process, tests can
/// pass buffers.
pub struct Io<'a> {
    /// Program name used in messages (`mgbeta`).
    pub program: &'a str,
    /// Standard input (pipeline objects).
    pub stdin: Box<dyn BufRead + 'a>,
    /// Whether standard input is a terminal (then it is never read implicitly).
    pub stdin_is_terminal: bool,
    /// Cmdlet output and What-if lines.
    pub stdout: &'a mut dyn Write,
    /// Errors, prompts' notes, -Verbose/-Debug lines, -ResponseHeadersVariable.
    pub stderr: &'a mut dyn Write,
    /// Environment lookup.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Asks the terminal (-Confirm, proxy password); `None` means no answer.
    pub prompt: &'a mut Prompt<'a>,
}

/// Runs the process: real arguments, environment and standard streams.
pub fn main(cmdlets: &'static [CmdletEntry]) -> std::process::ExitCode {
    use std::io::IsTerminal;
    let mut raw = std::env::args_os();
    let program = raw
        .next()
        .and_then(|p| std::path::Path::new(&p).file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "mgbeta".to_owned());
    let mut args = Vec::new();
    for (index, arg) in raw.enumerate() {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(bad) => {
                eprintln!("{program}: argument {} is not valid UTF-8: {}", index + 1, bad.to_string_lossy());
                return std::process::ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{program}: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let stdin_is_terminal = std::io::stdin().is_terminal();
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let env = |name: &str| std::env::var(name).ok();
    let mut prompt = |q: &Question<'_>| ask_terminal(q, stdin_is_terminal);
    let io = Io {
        program: &program,
        // Not a StdinLock: the prompt reads stdin too, and std's lock is not reentrant.
        stdin: Box::new(std::io::BufReader::new(std::io::stdin())),
        stdin_is_terminal,
        stdout: &mut stdout,
        stderr: &mut stderr,
        env: &env,
        prompt: &mut prompt,
    };
    let code = runtime.block_on(run(cmdlets, &args, io));
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Runs one command line (without the program name); returns the exit status.
pub async fn run(cmdlets: &'static [CmdletEntry], args: &[String], io: Io<'_>) -> i32 {
    let mut s = Session::new(io);
    let first = args.first().map(String::as_str);
    match first {
        None => s.list(cmdlets),
        Some(a) if is_help_word(a) => match &args[1..] {
            [] => s.list(cmdlets),
            [name] => match find(cmdlets, name) {
                Some(entry) => s.help(entry),
                None => s.not_recognized(name),
            },
            _ => s.usage_error(&format!("usage: {} help [<Cmdlet>]", s.program)),
        },
        Some("--version" | "-V") => {
            s.out(&format!("{} {}\n", s.program, env!("CARGO_PKG_VERSION")));
            0
        }
        Some(name) => match find(cmdlets, name) {
            Some(entry) => s.invoke(entry, &args[1..]).await,
            None => s.not_recognized(name),
        },
    }
}

fn is_help_word(arg: &str) -> bool {
    ["help", "--help", "-h", "-?", "/?", "Get-Help"].iter().any(|w| w.eq_ignore_ascii_case(arg))
}

fn find(cmdlets: &'static [CmdletEntry], name: &str) -> Option<&'static CmdletEntry> {
    cmdlets.iter().find(|c| c.meta.name.eq_ignore_ascii_case(name))
}

/// The first line of a help document's SYNOPSIS section.
pub fn synopsis(help: &str) -> &str {
    let mut lines = help.lines().skip_while(|l| !l.trim().eq_ignore_ascii_case("## SYNOPSIS")).skip(1);
    lines.find(|l| !l.trim().is_empty()).filter(|l| !l.starts_with('#')).map_or("", str::trim)
}

/// A help document without its YAML front matter (a PlatyPS detail, not help).
fn help_body(help: &str) -> &str {
    let Some(rest) = help.strip_prefix("---\n") else { return help };
    rest.find("\n---\n").map_or(help, |end| rest[end + 5..].trim_start_matches('\n'))
}

// ---------------------------------------------------------------------------
// Arguments: common parameters and `-InputObject -`

/// PowerShell's `$ErrorActionPreference` values this driver honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum ErrorAction {
    #[default]
    Continue,
    Stop,
    Silent,
}

/// The command line with the driver's own parameters taken out.
#[derive(Debug, Default, PartialEq)]
struct Scan {
    /// What the binder gets.
    args: Vec<String>,
    verbose: bool,
    debug: bool,
    error_action: ErrorAction,
    /// `-InputObject -`: read pipeline objects from standard input.
    stdin_input: bool,
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2015}')
}

/// Whether the binder reads `tok` as a parameter name (same rule: a dash
/// not starting a number, and not `--` itself).
fn looks_like_parameter(tok: &str) -> bool {
    let mut chars = tok.chars();
    let (Some(first), rest) = (chars.next(), chars.as_str()) else { return false };
    if !is_dash(first) || tok == "--" || rest.is_empty() {
        return false;
    }
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    !rest.starts_with(|c: char| c.is_ascii_digit())
}

/// `(name to look up, inline value, value follows a trailing colon)`.
fn split_parameter(tok: &str) -> (String, Option<&str>, bool) {
    if let Some(rest) = tok.strip_prefix("--") {
        let (name, inline) = rest.split_once('=').map_or((rest, None), |(n, v)| (n, Some(v)));
        return (name.replace('-', ""), inline, false);
    }
    // One leading dash (of any kind), as the binder strips.
    let rest = &tok[tok.chars().next().map_or(0, char::len_utf8)..];
    match rest.split_once(':') {
        Some((name, "")) => (name.to_owned(), None, true),
        Some((name, value)) => (name.to_owned(), Some(value), false),
        None => (rest.to_owned(), None, false),
    }
}

/// True for `-?` and `--help` outside argument positions.
fn asks_for_help(args: &[String]) -> bool {
    args.iter().take_while(|a| *a != "--").any(|a| a == "-?" || a.eq_ignore_ascii_case("--help"))
}

fn parse_switch(name: &str, value: Option<&str>) -> Result<bool, String> {
    let Some(value) = value else { return Ok(true) };
    let v = value.trim();
    let v = v.strip_prefix('$').unwrap_or(v);
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("Cannot process argument transformation on parameter '{name}'. Cannot convert value \"{value}\" to type \"System.Management.Automation.SwitchParameter\".")),
    }
}

fn parse_error_action(value: &str) -> Result<ErrorAction, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "continue" => Ok(ErrorAction::Continue),
        "stop" => Ok(ErrorAction::Stop),
        "silentlycontinue" | "ignore" => Ok(ErrorAction::Silent),
        _ => Err(format!(
            "Cannot bind parameter 'ErrorAction'. The value \"{value}\" is not supported by this program; use Continue, Stop, SilentlyContinue or Ignore."
        )),
    }
}

/// Takes the common parameters and `-InputObject -` out of `args`, pairing
/// tokens the way the binder does so that a value is never mistaken for a
/// parameter name.
fn scan(meta: &'static CmdletMeta, args: &[String]) -> Result<Scan, String> {
    let mut out = Scan::default();
    let mut i = 0;
    let mut ended = false;
    while i < args.len() {
        let tok = &args[i];
        i += 1;
        if ended || !looks_like_parameter(tok) {
            ended |= tok == "--";
            out.args.push(tok.clone());
            continue;
        }
        let (name, inline, colon) = split_parameter(tok);
        // The argument of a parameter that needs one: attached, after a
        // trailing colon (whatever it looks like), or the next plain token.
        let value_of = |i: &mut usize| -> Option<String> {
            if let Some(v) = inline {
                return Some(v.to_owned());
            }
            let next = args.get(*i).filter(|n| colon || (!looks_like_parameter(n) && *n != "--"))?;
            *i += 1;
            Some(next.clone())
        };
        let missing = |ty: &str| format!("Missing an argument for parameter '{name}'. Specify a parameter of type '{ty}' and try again.");
        let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(&name));
        if is(&["Verbose", "vb", "Debug", "db"]) {
            let value = if inline.is_some() || colon { value_of(&mut i) } else { None };
            let on = parse_switch(&name, value.as_deref())?;
            if is(&["Verbose", "vb"]) { out.verbose = on } else { out.debug = on }
        } else if is(&["ErrorAction", "ea"]) {
            let value = value_of(&mut i).ok_or_else(|| missing("System.Management.Automation.ActionPreference"))?;
            out.error_action = parse_error_action(&value)?;
        } else if is(&["WarningAction", "wa", "InformationAction", "infa", "ProgressAction", "proga"]) {
            value_of(&mut i).ok_or_else(|| missing("System.Management.Automation.ActionPreference"))?;
        } else if is(&["ErrorVariable", "ev", "WarningVariable", "wv", "InformationVariable", "iv", "OutVariable", "ov", "OutBuffer", "ob", "PipelineVariable", "pv"]) {
            return Err(format!("The common parameter '-{name}' has no meaning outside PowerShell and is not supported."));
        } else if let Ok(Some(param)) = meta.find_param(&name) {
            let takes_value = colon || param.ty != ParamType::Switch;
            if param.ty == ParamType::Identity && (inline == Some("-") || (inline.is_none() && args.get(i).is_some_and(|n| n == "-"))) {
                out.stdin_input = true;
                i += usize::from(inline.is_none());
                continue;
            }
            out.args.push(tok.clone());
            if takes_value && inline.is_none() {
                if let Some(v) = value_of(&mut i) {
                    out.args.push(v);
                }
            }
        } else {
            // Unknown or ambiguous: the binder words that error.
            out.args.push(tok.clone());
        }
    }
    Ok(out)
}

/// Reads pipeline objects: JSON values back to back, arrays flattened.
fn read_objects(input: &mut dyn BufRead) -> Result<Vec<serde_json::Value>, String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(format!("standard input is larger than {MAX_STDIN_BYTES} bytes"));
    }
    let text = String::from_utf8(bytes).map_err(|_| "standard input is not valid UTF-8".to_owned())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut objects = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        match value.map_err(|e| format!("standard input is not JSON objects (one per line, or a JSON array): {e}"))? {
            serde_json::Value::Array(items) => objects.extend(items),
            other => objects.push(other),
        }
    }
    Ok(objects)
}

// ---------------------------------------------------------------------------
// Running

/// Messages from the running cmdlet (its host and logging step) to the
/// driver, which owns the terminal and the output streams.
enum Event {
    Log(String),
    Confirm { action: String, target: String, reply: oneshot::Sender<bool> },
}

/// The cmdlet's [`Host`]: forwards questions to the driver.
struct ChannelHost(mpsc::UnboundedSender<Event>);

impl Host for ChannelHost {
    fn confirm<'a>(&'a self, action: &'a str, target: &'a str) -> BoxFuture<'a, bool> {
        let (reply, answer) = oneshot::channel();
        let asked = self.0.send(Event::Confirm { action: action.to_owned(), target: target.to_owned(), reply }).is_ok();
        Box::pin(async move { asked && answer.await.unwrap_or(false) })
    }
}

/// How one pipeline object ended.
enum Outcome {
    /// Done; `sent` tells whether a request went out.
    Ok { sent: bool },
    /// Failed; the error has been printed.
    Failed { sent: bool, usage: bool, terminating: bool },
}

struct Session<'a> {
    program: &'a str,
    stdin: Box<dyn BufRead + 'a>,
    stdin_is_terminal: bool,
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    env: &'a dyn Fn(&str) -> Option<String>,
    prompt: RefCell<&'a mut Prompt<'a>>,
    /// Values scrubbed from everything written to standard error.
    secrets: RefCell<Vec<String>>,
    proxy_password: RefCell<Option<Secret>>,
    /// "Yes to All" / "No to All" given at a -Confirm prompt.
    confirm_all: Option<bool>,
}

impl<'a> Session<'a> {
    fn new(io: Io<'a>) -> Self {
        Session {
            program: io.program,
            stdin: io.stdin,
            stdin_is_terminal: io.stdin_is_terminal,
            stdout: io.stdout,
            stderr: io.stderr,
            env: io.env,
            prompt: RefCell::new(io.prompt),
            secrets: RefCell::new(Vec::new()),
            proxy_password: RefCell::new(None),
            confirm_all: None,
        }
    }

    // Write failures (a closed pipe) are ignored: there is nobody left to tell.
    fn out(&mut self, text: &str) {
        let _ = self.stdout.write_all(text.as_bytes());
        let _ = self.stdout.flush();
    }

    fn err(&mut self, text: &str) {
        let mut text = text.to_owned();
        for secret in self.secrets.borrow().iter().filter(|s| s.len() >= 4) {
            text = text.replace(secret.as_str(), "***");
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let _ = self.stderr.write_all(text.as_bytes());
        let _ = self.stderr.flush();
    }

    fn usage_error(&mut self, message: &str) -> i32 {
        self.err(&format!("{}: {message}", self.program));
        2
    }

    fn list(&mut self, cmdlets: &[CmdletEntry]) -> i32 {
        let width = cmdlets.iter().map(|c| c.meta.name.len()).max().unwrap_or(0);
        let p = self.program;
        let mut text = format!(
            "Usage: {p} <Cmdlet> [-Parameter <value>]... [-Verbose] [-Debug] [-ErrorAction <action>]\n       {p} help <Cmdlet>    (or {p} <Cmdlet> -?)\n\nCmdlets:\n"
        );
        for c in cmdlets {
            let line = format!("  {:<width$}  {}", c.meta.name, synopsis(c.help));
            text += line.trim_end();
            text.push('\n');
        }
        text += "\nEnvironment:\n  MG_ACCESS_TOKEN     access token, sent as a Bearer token (needed to send requests)\n";
        text += &format!("  MG_GRAPH_BASE_URL   service root (default {DEFAULT_BASE_URL})\n");
        text += "  MG_PROXY_PASSWORD   password for -ProxyCredential <user>\n";
        self.out(&text);
        0
    }

    fn help(&mut self, entry: &CmdletEntry) -> i32 {
        let body = help_body(entry.help);
        self.out(body);
        if !body.ends_with('\n') {
            self.out("\n");
        }
        0
    }

    fn not_recognized(&mut self, name: &str) -> i32 {
        self.usage_error(&format!(
            "The term '{name}' is not recognized as a name of a cmdlet. Check the spelling of the name and try again; run '{}' to list the cmdlets.",
            self.program
        ))
    }

    fn binding_error(&mut self, cmdlet: &str, id: &str, message: &str) {
        self.err(&format!(
            "{cmdlet}: {message}\n    + CategoryInfo          : InvalidArgument: (:) [{cmdlet}], ParameterBindingException\n    + FullyQualifiedErrorId : {id},{cmdlet}"
        ));
    }

    async fn invoke(&mut self, entry: &'static CmdletEntry, args: &[String]) -> i32 {
        let meta = entry.meta;
        if asks_for_help(args) {
            return self.help(entry);
        }
        let scan = match scan(meta, args) {
            Ok(scan) => scan,
            Err(message) => {
                self.binding_error(meta.name, BindErrorId::InvalidArgument.as_str(), &message);
                return 2;
            }
        };
        let inputs = match self.inputs(meta, &scan) {
            Ok(inputs) => inputs,
            Err(code) => return code,
        };
        let Some(client) = self.client() else { return 2 };
        let (mut sent_any, mut failed) = (false, false);
        for input in inputs {
            let bound = match bind(meta, &scan.args, input) {
                Ok(bound) => bound,
                Err(e) => {
                    self.binding_error(meta.name, e.id.as_str(), &e.message);
                    return if sent_any { 1 } else { 2 };
                }
            };
            match self.run_one(entry, &client, bound, &scan).await {
                Outcome::Ok { sent } => sent_any |= sent,
                Outcome::Failed { sent, usage, terminating } => {
                    sent_any |= sent;
                    failed = true;
                    if terminating {
                        return if usage && !sent_any { 2 } else { 1 };
                    }
                }
            }
        }
        i32::from(failed)
    }

    /// The pipeline objects to run with (`None`: no pipeline input), or the
    /// exit status of a failure already reported.
    fn inputs(&mut self, meta: &'static CmdletMeta, scan: &Scan) -> Result<Vec<Option<serde_json::Value>>, i32> {
        let unbound = if scan.stdin_input {
            None
        } else {
            match bind(meta, &scan.args, None) {
                Ok(_) => return Ok(vec![None]),
                Err(e) => {
                    let input_may_help =
                        matches!(e.id, BindErrorId::MissingMandatoryParameter | BindErrorId::AmbiguousParameterSet);
                    if !input_may_help || self.stdin_is_terminal {
                        self.binding_error(meta.name, e.id.as_str(), &e.message);
                        return Err(2);
                    }
                    Some(e)
                }
            }
        };
        let objects = match read_objects(&mut *self.stdin) {
            Ok(objects) => objects,
            Err(message) => return Err(self.usage_error(&format!("{}: {message}. Nothing was sent.", meta.name))),
        };
        match unbound {
            // Nothing piped in: the arguments alone had to be complete.
            Some(e) if objects.is_empty() => {
                self.binding_error(meta.name, e.id.as_str(), &e.message);
                Err(2)
            }
            _ => Ok(objects.into_iter().map(Some).collect()),
        }
    }

    fn client(&mut self) -> Option<Client> {
        let base = (self.env)("MG_GRAPH_BASE_URL").filter(|u| !u.trim().is_empty());
        let mut builder = Client::builder().base_url(base.as_deref().unwrap_or(DEFAULT_BASE_URL));
        let token = (self.env)("MG_ACCESS_TOKEN").map(|t| {
            let t = t.trim();
            // A value pasted with its scheme still works.
            let t = if t.len() > 7 && t[..7].eq_ignore_ascii_case("bearer ") { t[7..].trim_start() } else { t };
            t.to_owned()
        });
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            self.secrets.borrow_mut().push(token.clone());
            builder = builder.token_provider(StaticToken(Secret::new(token)));
        }
        match builder.build() {
            Ok(client) => Some(client),
            Err(e) => {
                self.usage_error(&e.to_string());
                None
            }
        }
    }

    /// The password of `-ProxyCredential <user>`: MG_PROXY_PASSWORD, else
    /// asked once on the terminal and kept for the rest of the pipeline.
    fn proxy_password(&self, user: &str) -> Result<Secret, Error> {
        if let Some(known) = self.proxy_password.borrow().clone() {
            return Ok(known);
        }
        let password = (self.env)("MG_PROXY_PASSWORD").or_else(|| {
            let text = format!("Password for proxy user '{user}': ");
            (self.prompt.borrow_mut())(&Question { text: &text, secret: true })
        });
        let password = password.ok_or_else(|| {
            Error::InvalidArgument(format!(
                "-ProxyCredential {user}: no password. Set MG_PROXY_PASSWORD, or run on a terminal to be asked. Nothing was sent."
            ))
        })?;
        self.secrets.borrow_mut().push(password.clone());
        let secret = Secret::new(password);
        *self.proxy_password.borrow_mut() = Some(secret.clone());
        Ok(secret)
    }

    async fn run_one(
        &mut self,
        entry: &'static CmdletEntry,
        client: &Client,
        mut bound: super::binder::Bound,
        scan: &Scan,
    ) -> Outcome {
        let cmdlet = entry.meta.name;
        let operation = format!("{cmdlet}_{}", bound.set);
        let taken = CommonParameters::from_bound(&mut bound, &|user| self.proxy_password(user));
        let mut common = match taken {
            Ok(common) => common,
            Err(e) => {
                self.report(cmdlet, &e);
                return Outcome::Failed { sent: false, usage: true, terminating: true };
            }
        };
        let (events, mut incoming) = mpsc::unbounded_channel();
        if scan.verbose || scan.debug {
            common.prepend.insert(0, logging_step(events.clone(), scan.verbose, scan.debug));
        }
        let host: Arc<dyn Host> = Arc::new(ChannelHost(events));
        let mut running = (entry.run)(client.clone(), bound, common, host);
        // Drive the cmdlet while serving its questions and log lines, so they
        // appear when they happen.
        let result = loop {
            tokio::select! {
                biased;
                Some(event) = incoming.recv() => self.handle(event),
                result = &mut running => {
                    while let Ok(event) = incoming.try_recv() {
                        self.handle(event);
                    }
                    break result;
                }
            }
        };
        match result {
            Ok(invocation) => {
                let sent = invocation.what_if.is_none() && !invocation.declined;
                self.write_invocation(invocation);
                Outcome::Ok { sent }
            }
            Err(e) => {
                let sent = matches!(e, Error::Api(_) | Error::TooManyRetries { .. } | Error::Transport { .. } | Error::Decode(_));
                let usage = matches!(e, Error::Binding { .. } | Error::InvalidArgument(_) | Error::MissingToken);
                // The service's answer is a non-terminating error in PowerShell.
                let service = matches!(e, Error::Api(_) | Error::TooManyRetries { .. });
                if !(service && scan.error_action == ErrorAction::Silent) {
                    self.report(&operation, &e);
                }
                Outcome::Failed { sent, usage, terminating: !service || scan.error_action == ErrorAction::Stop }
            }
        }
    }

    fn report(&mut self, source: &str, error: &Error) {
        match error {
            Error::Binding { id, message } => {
                let cmdlet = source.split('_').next().unwrap_or(source);
                self.binding_error(cmdlet, id, message);
            }
            Error::MissingToken => self.err(&format!(
                "{source}: Authentication needed. Set the MG_ACCESS_TOKEN environment variable to a Microsoft Graph access token. Nothing was sent."
            )),
            other => self.err(&format!("{source}: {other}")),
        }
    }

    fn write_invocation(&mut self, invocation: Invocation) {
        if let Some(line) = &invocation.what_if {
            self.out(&format!("{line}\n"));
        }
        match invocation.output {
            Output::None => {}
            Output::Bool(b) => self.out(if b { "True\n" } else { "False\n" }),
            Output::Json(value) => {
                let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
                self.out(&format!("{text}\n"));
            }
            Output::Bytes(bytes) => {
                let _ = self.stdout.write_all(&bytes);
                let _ = self.stdout.flush();
            }
        }
        if let Some((name, headers)) = invocation.response_headers {
            let mut variable = serde_json::Map::new();
            variable.insert(name, serde_json::to_value(&headers).unwrap_or_default());
            self.err(&serde_json::Value::Object(variable).to_string());
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Log(line) => self.err(&line),
            Event::Confirm { action, target, reply } => {
                let yes = match self.confirm_all {
                    Some(all) => all,
                    None => self.ask_confirm(&action, &target),
                };
                let _ = reply.send(yes);
            }
        }
    }

    /// PowerShell's ShouldProcess prompt; no answer (or a blank one) is No.
    fn ask_confirm(&mut self, action: &str, target: &str) -> bool {
        let text = format!(
            "\nConfirm\nAre you sure you want to perform this action?\nPerforming the operation \"{action}\" on target \"{target}\".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  (default is \"N\"): "
        );
        for _ in 0..3 {
            let answer = (self.prompt.borrow_mut())(&Question { text: &text, secret: false });
            let Some(answer) = answer else {
                self.err(&format!("{action}: -Confirm got no answer from a terminal, so nothing was sent."));
                return false;
            };
            match answer.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => return true,
                "" | "n" | "no" => return false,
                "a" => return *self.confirm_all.insert(true),
                "l" => return *self.confirm_all.insert(false),
                _ => {}
            }
        }
        false
    }
}

// ---------------------------------------------------------------------------
// -Verbose / -Debug

/// Header names whose values are masked in -Debug output.
const MASKED: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

fn header_lines(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if MASKED.contains(&name.as_str()) { "***".into() } else { String::from_utf8_lossy(value.as_bytes()) };
            format!("{:<30}: {shown}\n", name.as_str())
        })
        .collect()
}

/// A prepended pipeline step that reports each request and its final
/// response. It runs before the built-in auth handler, so the token is never
/// in what it sees.
fn logging_step(events: mpsc::UnboundedSender<Event>, verbose: bool, debug: bool) -> Step {
    step(move |request: reqwest::Request, next: Next| {
        let events = events.clone();
        async move {
            let started = Instant::now();
            if verbose {
                let _ = events.send(Event::Log(format!("VERBOSE: HTTP request: {} {}", request.method(), request.url())));
            }
            if debug {
                let body = request.body().and_then(|b| b.as_bytes()).map(String::from_utf8_lossy).unwrap_or_default();
                let _ = events.send(Event::Log(format!(
                    "DEBUG: ============================ HTTP REQUEST ============================\n\nHTTP Method:\n{}\n\nAbsolute Uri:\n{}\n\nHeaders:\n{}\nBody:\n{body}\n",
                    request.method(),
                    request.url(),
                    header_lines(request.headers())
                )));
            }
            let result = next.run(request).await;
            if let Ok(response) = &result {
                let status = response.status().as_u16();
                let name = status_name(status);
                if verbose {
                    let ms = started.elapsed().as_millis();
                    let _ = events.send(Event::Log(format!("VERBOSE: HTTP response: {status} ({name}) after {ms} ms")));
                }
                if debug {
                    let _ = events.send(Event::Log(format!(
                        "DEBUG: ============================ HTTP RESPONSE ============================\n\nStatus Code:\n{status} ({name})\n\nHeaders:\n{}",
                        header_lines(response.headers())
                    )));
                }
            }
            result
        }
    })
}

// ---------------------------------------------------------------------------
// The terminal

/// Asks on the terminal: standard input when it is one; otherwise
/// `/dev/tty`, but only when standard error is a terminal too, so a run
/// whose output is captured (a script, a test) never blocks on a question.
fn ask_terminal(question: &Question<'_>, stdin_is_terminal: bool) -> Option<String> {
    use std::io::IsTerminal;
    let mut line = String::new();
    if stdin_is_terminal {
        let mut stderr = std::io::stderr();
        let _ = write!(stderr, "{}", question.text);
        let _ = stderr.flush();
        let _echo = question.secret.then(EchoOff::new);
        let read = std::io::stdin().read_line(&mut line).ok()?;
        if question.secret {
            let _ = writeln!(stderr);
        }
        return (read > 0).then(|| line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !cfg!(unix) || !std::io::stderr().is_terminal() {
        return None;
    }
    let tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").ok()?;
    let _ = (&tty).write_all(question.text.as_bytes());
    let _ = (&tty).flush();
    let _echo = question.secret.then(EchoOff::new);
    let read = std::io::BufReader::new(&tty).read_line(&mut line).ok()?;
    if question.secret {
        let _ = (&tty).write_all(b"\n");
    }
    (read > 0).then(|| line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Turns terminal echo off while a password is typed, through `stty` (no
/// terminal library is among the runtime's dependencies); restores it on
/// drop. If `stty` is missing the password is echoed, which beats failing.
struct EchoOff;

impl EchoOff {
    fn new() -> EchoOff {
        stty("-echo");
        EchoOff
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        stty("echo");
    }
}

fn stty(mode: &str) {
    if let Ok(tty) = std::fs::File::open("/dev/tty") {
        let _ = std::process::Command::new("stty").arg(mode).stdin(tty).status();
    }
}

#[cfg(test)]
mod tests {
    use super::super::binder::{ParamMeta, SetMembership, Sets};
    use super::*;

    static META: CmdletMeta = CmdletMeta {
        name: "Start-Thing",
        default_set: "Start",
        sets: &["Start", "StartViaIdentity"],
        params: &[
            ParamMeta { name: "Id", aliases: &[], ty: ParamType::String, type_name: "", sets: Sets::Some(&[SetMembership { set: "Start", mandatory: true, from_pipeline: false }]) },
            ParamMeta { name: "InputObject", aliases: &[], ty: ParamType::Identity, type_name: "", sets: Sets::Some(&[SetMembership { set: "StartViaIdentity", mandatory: true, from_pipeline: true }]) },
            ParamMeta { name: "PassThru", aliases: &[], ty: ParamType::Switch, type_name: "", sets: Sets::All { mandatory: false, from_pipeline: false } },
        ],
    };

    fn scan_of(args: &[&str]) -> Result<Scan, String> {
        scan(&META, &args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn common_parameters_are_taken_out() {
        let s = scan_of(&["-Id", "x", "-Verbose", "-DEBUG:$false", "-ea", "Stop", "-PassThru"]).unwrap();
        assert_eq!(s.args, ["-Id", "x", "-PassThru"]);
        assert!(s.verbose && !s.debug);
        assert_eq!(s.error_action, ErrorAction::Stop);
        assert!(scan_of(&["-OutVariable", "v"]).is_err());
        assert!(scan_of(&["-ErrorAction"]).is_err());
        assert!(scan_of(&["-ErrorAction", "Inquire"]).is_err());
    }

    #[test]
    fn values_are_not_mistaken_for_parameters() {
        // `-Id: -Verbose` gives the id the text "-Verbose", as in PowerShell.
        let s = scan_of(&["-Id:", "-Verbose"]).unwrap();
        assert_eq!(s.args, ["-Id:", "-Verbose"]);
        assert!(!s.verbose);
        let s = scan_of(&["--", "-Verbose"]).unwrap();
        assert_eq!(s.args, ["--", "-Verbose"]);
    }

    #[test]
    fn input_object_dash_means_standard_input() {
        for args in [&["-InputObject", "-"][..], &["-inp", "-"], &["--input-object=-"], &["-InputObject:-"]] {
            let s = scan_of(args).unwrap();
            assert!(s.stdin_input && s.args.is_empty(), "{args:?}");
        }
        assert!(!scan_of(&["-InputObject", "{}"]).unwrap().stdin_input);
    }

    #[test]
    fn objects_from_lines_arrays_and_garbage() {
        let read = |t: &str| read_objects(&mut t.as_bytes());
        assert_eq!(read("{\"a\":1}\n{\"b\":2}\n").unwrap().len(), 2);
        assert_eq!(read("\u{feff}[{\"a\":1},{\"b\":2}]").unwrap().len(), 2);
        assert!(read("  \n").unwrap().is_empty());
        assert!(read("{\"a\":").is_err());
        assert!(read_objects(&mut &[0xff, 0xfe][..]).is_err());
    }

    #[test]
    fn synopsis_and_front_matter() {
        let doc = "---\ntitle: x\n---\n\n# Start-Thing\n\n## SYNOPSIS\n\nStarts a thing.\nMore.\n";
        assert_eq!(synopsis(doc), "Starts a thing.");
        assert_eq!(synopsis("# Start-Thing\n"), "");
        assert!(help_body(doc).starts_with("# Start-Thing"));
    }

    #[test]
    fn parameter_shapes_match_the_binder() {
        assert!(looks_like_parameter("-x") && looks_like_parameter("\u{2013}x") && looks_like_parameter("-.x"));
        assert!(!looks_like_parameter("-") && !looks_like_parameter("--") && !looks_like_parameter("-5"));
        assert!(!looks_like_parameter("-.5") && !looks_like_parameter("x"));
    }
}
