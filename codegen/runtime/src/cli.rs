//! The command-line driver behind the generated binary (`mgbeta`): runs a
//! cmdlet as its help document describes it, from any shell.
//!
//! ```text
//! mgbeta                                 list the cmdlets
//! mgbeta help <Cmdlet> [-Full|-Detailed|-Examples|-Parameter <name>|-Online]
//!                                        the help as Get-Help prints it (also `<Cmdlet> -?`)
//! mgbeta help <pattern>                  list the cmdlets matching a wildcard pattern
//! mgbeta <Cmdlet> -Name value ... [-Verbose] [-Debug] [-ErrorAction Stop]
//! ```
//!
//! Arguments go through the cmdlet binder (`super::binder`), so names,
//! aliases, prefixes, switches and `--kebab-case` forms behave as there.
//! Every parameter binds once (`ParameterAlreadyBound` otherwise).
//!
//! **Pipeline input.** Standard input is pipeline input whenever it is not
//! a terminal, as with any Unix filter (`-InputObject -` reads it even from
//! a terminal); run with `</dev/null` to give none. Input is JSON values one
//! after another (one per line, or pretty-printed), a JSON array
//! contributing its elements; each binds by value as PowerShell binds a
//! pipeline object (an identity to -InputObject, an object to -Headers when
//! the named arguments already complete a set). Empty input runs the cmdlet
//! once with the named arguments alone. All of it is read and parsed before
//! anything is sent, so malformed input sends nothing. The cmdlet then runs
//! once per object, as PowerShell's process block does.
//!
//! **Errors and exit status.** `0` success; `2` a usage, binding or
//! configuration error (unknown cmdlet or parameter, bad input JSON, a
//! failed sign-in) when nothing was sent; `1` otherwise. As in
//! PowerShell, what goes wrong with one pipeline object (the service's
//! error response, a transport failure, an object that binds to nothing) is
//! a non-terminating error: it is written and the next object is processed
//! (exit status 1 at the end). `-ErrorAction SilentlyContinue` (or
//! `Ignore`) hides those errors, `-ErrorAction Stop` stops at the first.
//! Checks made before sending (the ViaIdentity key check, a bad header)
//! stop the pipeline at once.
//!
//! **Common parameters** (not in the binder metadata, so handled here, with
//! PowerShell's lookup: names, aliases, unique prefixes such as `-Verb`,
//! declared parameters winning prefix ties, `AmbiguousParameter` listing
//! every candidate): `-Verbose` writes the ShouldProcess line and the
//! request and response lines; `-Debug` writes the HTTP request as sent and
//! the response, the way the Graph SDK's log formatter does, secrets
//! redacted; `-ErrorAction`, `-WarningAction`, `-InformationAction` and
//! `-ProgressAction` take Continue, SilentlyContinue, Ignore or Stop
//! (`WARNING:` lines and terminal progress are hidden by SilentlyContinue,
//! turned into a terminating error by Stop). The variable parameters and
//! `-OutBuffer` only mean something in a PowerShell session and are refused.
//!
//! **Lists** (`-All`) are read one page at a time and their items written
//! as they come, as one JSON array, so memory holds one page however long
//! the list. A delta function's `-DeltaLinkVariable NAME` prints
//! `{"NAME": "<@odata.deltaLink>"}` on standard error (like the other
//! variables); `-DeltaLink <link>` starts the next round from it.
//! `-UploadFile <path>` of a `createUploadSession` cmdlet uploads the file
//! through the new session (progress on a terminal, hidden by
//! `-ProgressAction SilentlyContinue`). The service's `Warning` headers are
//! written as `WARNING:` lines (`-WarningAction` applies).
//!
//! **-Batch** (ours, not PowerShell's): the requests of the pipeline
//! objects go to Graph in `$batch` calls of up to 20 instead of one call
//! each. Each object is bound, checked, -WhatIf'd and -Confirm'ed as
//! without it, and its result or error is written in input order as if it
//! had run alone. Lists give their first page (-All, -UploadFile and
//! -DeltaLinkVariable are refused with -Batch).
//!
//! **-Confirm** asks PowerShell's question, default Yes. With no terminal,
//! or at the end of its input, the answer is No and nothing is sent;
//! Suspend answers No too (there is no nested prompt to suspend to).
//!
//! **Variables.** `-ResponseHeadersVariable NAME` (and `-CountVariable`)
//! print `{"NAME": value}` as one JSON line on standard error.
//!
//! **Signing in.** `MG_ACCESS_TOKEN`, else (with the `azure-identity`
//! feature) the ways of `super::auth::sign_in`, in their fixed order: app-only
//! credentials from the `AZURE_*` variables, managed identity when
//! `MG_IDENTITY` asks for it, the Azure CLI, the Azure Developer CLI.
//! `MG_ENVIRONMENT` picks the national cloud, `SSL_CERT_FILE` adds trusted
//! CA certificates (for Graph and sign-in requests alike), and sign-in
//! requests follow `-Proxy` like the call they are for. `Get-MgContext`
//! prints what the run signs in with.
//!
//! **Secrets.** `MG_ACCESS_TOKEN`, client secrets, certificate and proxy
//! passwords are never printed: the -Debug log redacts Authorization and
//! secret-bearing body properties, and everything written to standard error is
//! scrubbed of those values.

use std::future::Future;
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::auth::{AuthContext, Cloud};
use super::binder::{BindErrorId, Bound};
use super::cli_args::{Action, Scan, read_objects, scan};
use super::client::{Client, DEFAULT_SERVICE_ROOT, StaticToken};
use super::batch::Batch;
use super::cmdlet::{BoxFuture, CommonParameters, Host, Invocation, Output, Prepared, Progress, invoke, output, prepare};
use super::request::ApiRequest;
use super::plan::Cmdlet;
use super::error::{Error, Secret, status_name};
use super::help::{self, HelpView, has_wildcards, wildcard_match};
use super::pipeline::{HttpLog, Next, Step, step};

/// Asks the person at the terminal: `(text, secret)` where `text` ends
/// where the answer is typed and `secret` means "do not echo" (a password).
/// `None` means no answer.
pub type Prompt<'a> = dyn FnMut(&str, bool) -> Option<String> + 'a;

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
    /// Errors, notes, -Verbose/-Debug lines, -ResponseHeadersVariable.
    pub stderr: &'a mut dyn Write,
    /// Whether standard error is a terminal (progress is shown only there).
    pub stderr_is_terminal: bool,
    /// Environment lookup.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Asks the terminal (-Confirm, proxy password); `None` means no answer.
    pub prompt: &'a mut Prompt<'a>,
}

/// The cmdlets one CLI runs: every module's, and the service root used
/// when `MG_GRAPH_BASE_URL` is not set.
#[derive(Debug, Clone)]
pub struct Registry {
    /// Every cmdlet, sorted by name.
    pub cmdlets: Vec<&'static Cmdlet>,
    /// The service root (`https://graph.microsoft.com`).
    pub default_root: &'static str,
}

impl Registry {
    /// The cmdlets of these modules (each a generated crate's `CMDLETS`),
    /// calling Microsoft Graph in the global cloud by default.
    pub fn new(modules: &[&'static [&'static Cmdlet]]) -> Registry {
        let mut cmdlets: Vec<&'static Cmdlet> = modules.iter().flat_map(|m| m.iter().copied()).collect();
        cmdlets.sort_by_key(|c| c.meta.name);
        Registry { cmdlets, default_root: DEFAULT_SERVICE_ROOT }
    }

    /// Another default service root.
    pub fn with_root(mut self, root: &'static str) -> Registry {
        self.default_root = root;
        self
    }

    /// The cmdlet with this name or alias (ASCII case-insensitive).
    pub fn find(&self, name: &str) -> Option<&'static Cmdlet> {
        let by_name = self.cmdlets.iter().find(|c| c.meta.name.eq_ignore_ascii_case(name));
        let by_alias = || self.cmdlets.iter().find(|c| c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)));
        by_name.or_else(by_alias).copied()
    }
}

/// Runs the process: real arguments, environment and standard streams.
pub fn main(registry: &Registry) -> std::process::ExitCode {
    use std::io::IsTerminal;
    use std::process::ExitCode;
    let mut raw = std::env::args_os();
    let program = raw.next().map(std::path::PathBuf::from);
    let program = program
        .as_ref()
        .and_then(|p| p.file_stem())
        .map_or("mgbeta".into(), |s| s.to_string_lossy());
    let mut args = Vec::new();
    for (index, arg) in raw.enumerate() {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(bad) => {
                let bad = bad.to_string_lossy();
                let index = index + 1;
                // Not eprintln!: it panics when standard error is a closed pipe.
                let _ = writeln!(
                    std::io::stderr(),
                    "{program}: argument {index} is not valid UTF-8: {bad}"
                );
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "{program}: cannot start the async runtime: {e}"
            );
            return ExitCode::from(1);
        }
    };
    let stdin_is_terminal = std::io::stdin().is_terminal();
    let stderr_is_terminal = std::io::stderr().is_terminal();
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let env = |name: &str| std::env::var(name).ok();
    let mut prompt = |text: &str, secret: bool| ask_terminal(text, secret, stdin_is_terminal);
    let io = Io {
        program: &program,
        // Not a StdinLock: the prompt reads stdin too, and std's lock is not reentrant.
        stdin: Box::new(std::io::BufReader::new(std::io::stdin())),
        stdin_is_terminal,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stderr_is_terminal,
        env: &env,
        prompt: &mut prompt,
    };
    let code = runtime.block_on(run(registry, &args, io));
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Runs one command line (without the program name); returns the exit status.
pub async fn run(registry: &Registry, args: &[String], io: Io<'_>) -> i32 {
    let mut s = Session {
        io,
        secrets: Vec::new(),
        proxy_password: None,
        confirm_all: None,
        default_root: registry.default_root,
        progress_shown: false,
        objects_open: false,
        streamed: false,
    };
    let cmdlets = registry.cmdlets.as_slice();
    let find = |name: &str| registry.find(name);
    let help_words = ["help", "--help", "-h", "-?", "/?", "Get-Help"];
    match args.first().map(String::as_str) {
        None => s.list(cmdlets),
        Some(a) if help_words.iter().any(|w| w.eq_ignore_ascii_case(a)) => {
            s.get_help(cmdlets, &args[1..])
        }
        Some(name) if name.eq_ignore_ascii_case(CONTEXT_COMMAND) => s.context(&args[1..]).await,
        Some("--version") => {
            s.out(&format!("{} {}\n", s.io.program, env!("CARGO_PKG_VERSION")));
            0
        }
        Some(name) => match find(name) {
            Some(entry) => s.invoke(entry, &args[1..]).await,
            None => s.not_recognized(name),
        },
    }
}

/// `help` arguments: a name or pattern and Get-Help's view switches.
fn help_request(args: &[String]) -> Result<(Option<String>, HelpView), String> {
    const SWITCHES: [&str; 6] = ["Name", "Full", "Detailed", "Examples", "Parameter", "Online"];
    let mut name = None;
    let mut view = HelpView::Default;
    let mut views = 0;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let Some(typed) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')).filter(|t| !t.is_empty()) else {
            if name.replace(arg.clone()).is_some() {
                return Err(format!("A positional parameter cannot be found that accepts argument '{arg}'."));
            }
            continue;
        };
        let matches: Vec<&str> = SWITCHES
            .iter()
            .copied()
            .filter(|s| s.len() >= typed.len() && s[..typed.len()].eq_ignore_ascii_case(typed))
            .collect();
        let switch = match matches.as_slice() {
            [one] => *one,
            [] => return Err(format!("A parameter cannot be found that matches parameter name '{typed}'.")),
            many => {
                let list: String = many.iter().map(|m| format!(" -{m}")).collect();
                return Err(format!(
                    "Parameter cannot be processed because the parameter name '{typed}' is ambiguous. Possible matches include:{list}."
                ));
            }
        };
        let mut value = || it.next().cloned().ok_or_else(|| format!("Missing an argument for parameter '{switch}'."));
        view = match switch {
            "Name" => {
                name = Some(value()?);
                continue;
            }
            "Full" => HelpView::Full,
            "Detailed" => HelpView::Detailed,
            "Examples" => HelpView::Examples,
            "Online" => HelpView::Online,
            _ => HelpView::Parameter(value()?),
        };
        views += 1;
    }
    if views > 1 {
        return Err("Parameter set cannot be resolved using the specified named parameters: give one of -Full, -Detailed, -Examples, -Parameter and -Online.".to_owned());
    }
    Ok((name, view))
}

/// The first sentence of a help document's SYNOPSIS section (a listing
/// line should fit a terminal; the whole text is in the help).
pub fn synopsis(help: &str) -> &str {
    let mut lines = help
        .lines()
        .skip_while(|l| !l.trim().eq_ignore_ascii_case("## SYNOPSIS"));
    let line = lines
        .nth(1)
        .into_iter()
        .chain(lines)
        .find(|l| !l.trim().is_empty());
    let line = line.filter(|l| !l.starts_with('#')).map_or("", str::trim);
    line.find(". ").map_or(line, |end| &line[..=end])
}

// ---------------------------------------------------------------------------
// Running

/// Messages from the running cmdlet (its host and logging step) to the
/// driver, which owns the terminal and the output streams.
enum Event {
    /// A finished line for standard error (`WARNING:`, `VERBOSE:`, `DEBUG:`).
    Log(String),
    /// `(action, target, reply)`.
    Confirm(String, String, oneshot::Sender<bool>),
    /// A progress record to show on the terminal.
    Progress(Progress),
    /// One output object of a list, written as it comes.
    Object(serde_json::Value),
}

/// The user's preferences for the cmdlet's streams.
#[derive(Clone, Copy)]
struct Preferences {
    verbose: bool,
    warning: Action,
    progress: Action,
    /// Progress is drawn only on a terminal.
    terminal: bool,
}

/// The cmdlet's [`Host`]: applies the preferences and forwards what is to
/// be shown (and every question) to the driver.
struct ChannelHost {
    events: mpsc::UnboundedSender<Event>,
    prefs: Preferences,
}

impl Host for ChannelHost {
    fn confirm<'a>(&'a self, action: &'a str, target: &'a str) -> BoxFuture<'a, bool> {
        let (reply, answer) = oneshot::channel();
        let (action, target) = (action.to_owned(), target.to_owned());
        let asked = self.events.send(Event::Confirm(action, target, reply)).is_ok();
        Box::pin(async move { asked && answer.await.unwrap_or(false) })
    }

    fn warning(&self, message: &str) -> Result<(), Error> {
        match self.prefs.warning {
            Action::Silent => Ok(()),
            Action::Stop => Err(Error::Stopped {
                preference: "WarningPreference",
                message: message.to_owned(),
            }),
            Action::Continue => {
                let _ = self.events.send(Event::Log(format!("WARNING: {message}")));
                Ok(())
            }
        }
    }

    fn verbose(&self, message: &str) {
        if self.prefs.verbose {
            let _ = self.events.send(Event::Log(format!("VERBOSE: {message}")));
        }
    }

    fn streams_output(&self) -> bool {
        true
    }

    fn write_object(&self, object: serde_json::Value) -> Result<(), Error> {
        let _ = self.events.send(Event::Object(object));
        Ok(())
    }

    fn progress(&self, record: &Progress) -> Result<(), Error> {
        match self.prefs.progress {
            Action::Silent => Ok(()),
            Action::Stop => Err(Error::Stopped {
                preference: "ProgressPreference",
                message: format!("{}: {}", record.activity, record.status),
            }),
            Action::Continue => {
                if self.prefs.terminal {
                    let _ = self.events.send(Event::Progress(record.clone()));
                }
                Ok(())
            }
        }
    }
}

/// One binding, ready to run.
struct Setup {
    set: usize,
    request: Result<ApiRequest, Error>,
    common: CommonParameters,
    operation: String,
}

/// A request waiting for its `$batch` (-Batch), with what its result is
/// written with.
struct Queued {
    request: ApiRequest,
    common: CommonParameters,
    operation: String,
    host: Arc<dyn Host>,
    incoming: mpsc::UnboundedReceiver<Event>,
}

/// How one pipeline object failed (the error is already printed).
struct Failure {
    /// A request reached the network.
    sent: bool,
    /// A usage or configuration error (exit status 2 if nothing was sent).
    usage: bool,
    /// Stops the pipeline.
    terminating: bool,
}

/// What to do with one pipeline object after binding it.
enum Bind {
    Bound(Bound),
    /// It failed to bind; go on with the next object.
    Skip,
    /// It failed to bind; stop the pipeline.
    Stop,
}

/// What a whole run came to, for the exit status.
#[derive(Default)]
struct Outcome {
    sent: bool,
    failed: bool,
    /// Some failure was not a usage error.
    other_failure: bool,
}

impl Outcome {
    fn fail(&mut self, sent: bool, usage: bool) {
        self.sent |= sent;
        self.failed = true;
        self.other_failure |= !usage;
    }

    /// 0 success; 2 only usage errors and nothing sent; 1 otherwise.
    fn code(&self) -> i32 {
        match (self.failed, self.sent || self.other_failure) {
            (false, _) => 0,
            (true, false) => 2,
            (true, true) => 1,
        }
    }
}

struct Session<'a> {
    io: Io<'a>,
    /// Values scrubbed from everything written to standard error.
    secrets: Vec<String>,
    /// Asked at most once per run, then reused for every pipeline object.
    proxy_password: Option<Secret>,
    /// "Yes to All" / "No to All" given at a -Confirm prompt.
    confirm_all: Option<bool>,
    /// The service root when `MG_GRAPH_BASE_URL` is not set.
    default_root: &'static str,
    /// A progress line is on the terminal (cleared before other output).
    progress_shown: bool,
    /// A JSON array of streamed objects is open on standard output.
    objects_open: bool,
    /// Objects were streamed during the current call.
    streamed: bool,
}

impl Session<'_> {
    // Write failures (a closed pipe) are ignored: there is nobody left to tell.
    fn out(&mut self, text: &str) {
        self.clear_progress();
        let _ = self.io.stdout.write_all(text.as_bytes());
        let _ = self.io.stdout.flush();
    }

    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        // Short values would mangle unrelated text; they are not printed by
        // this code anyway, the scrub is a second line of defence.
        for secret in self.secrets.iter().filter(|s| s.len() >= 4) {
            text = text.replace(secret.as_str(), "***");
        }
        text
    }

    fn err(&mut self, text: &str) {
        self.clear_progress();
        let text = self.scrub(&(text.trim_end_matches('\n').to_owned() + "\n"));
        let _ = self.io.stderr.write_all(text.as_bytes());
        let _ = self.io.stderr.flush();
    }

    /// Draws a progress record on the terminal's last line.
    fn progress(&mut self, record: &Progress) {
        if record.completed {
            self.clear_progress();
            return;
        }
        let text: String = format!("{}: {}", record.activity, record.status)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(200)
            .collect();
        let line = self.scrub(&format!("\r\x1b[2K{text}"));
        let _ = self.io.stderr.write_all(line.as_bytes());
        let _ = self.io.stderr.flush();
        self.progress_shown = true;
    }

    /// One object of a list: the items of all pages make one JSON array,
    /// laid out as `serde_json`'s pretty printer lays out a whole array,
    /// written item by item so nothing waits for the last page.
    fn write_object(&mut self, object: &serde_json::Value) {
        let text = serde_json::to_string_pretty(object).unwrap_or_else(|_| object.to_string());
        self.streamed = true;
        let mut chunk = String::with_capacity(text.len() + 16);
        chunk.push_str(if std::mem::replace(&mut self.objects_open, true) { ",\n" } else { "[\n" });
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                chunk.push('\n');
            }
            chunk.push_str("  ");
            chunk.push_str(line);
        }
        self.clear_progress();
        let _ = self.io.stdout.write_all(chunk.as_bytes());
    }

    /// Closes the array of streamed objects, if one is open.
    fn close_objects(&mut self) {
        if std::mem::take(&mut self.objects_open) {
            self.out("\n]\n");
        }
    }

    fn clear_progress(&mut self) {
        if std::mem::take(&mut self.progress_shown) {
            let _ = self.io.stderr.write_all(b"\r\x1b[2K");
        }
    }

    fn usage_error(&mut self, message: &str) -> i32 {
        self.err(&format!("{}: {message}", self.io.program));
        2
    }

    fn list(&mut self, cmdlets: &[&'static Cmdlet]) -> i32 {
        let width = cmdlets.iter().map(|c| c.meta.name.len()).max().unwrap_or(0);
        let p = self.io.program;
        let mut text = format!(
            "Usage: {p} <Cmdlet> [-Parameter <value>]... [-Verbose] [-Debug] [-ErrorAction <action>]\n       {p} help <Cmdlet> [-Full | -Detailed | -Examples | -Parameter <name> | -Online]\n       {p} help <pattern>    (such as *Synchronization*: lists the matching cmdlets)\n\nStandard input, when it is not a terminal, is pipeline input (JSON objects); run with </dev/null to send none.\n-Batch sends the pipeline objects' requests in $batch calls of up to 20.\n\nCmdlets:\n"
        );
        for c in cmdlets {
            let line = format!("  {:<width$}  {}", c.meta.name, synopsis(c.help));
            text = text + line.trim_end() + "\n";
        }
        let root = self.default_root;
        text += &format!(
            "\nBuilt-in commands:\n  {CONTEXT_COMMAND:<width$}  Shows how this run signs in (auth type, client id, tenant, scopes, cloud).\n"
        );
        text += &format!(
            "\nEnvironment:\n  MG_ACCESS_TOKEN     access token, sent as a Bearer token (tried first)\n{SIGN_IN_HELP}  MG_ENVIRONMENT      national cloud: Global (default), China, USGov, USGovDoD\n  MG_GRAPH_BASE_URL   service root (default {root}); a root ending in /beta or /v1.0 serves only that version\n  SSL_CERT_FILE       PEM file of extra trusted CA certificates\n  MG_PROXY_PASSWORD   password for -ProxyCredential <user>\n"
        );
        self.out(&text);
        0
    }

    /// `help [<Cmdlet or pattern>] [-Full|-Detailed|-Examples|-Parameter N|-Online]`.
    fn get_help(&mut self, cmdlets: &[&'static Cmdlet], args: &[String]) -> i32 {
        let (name, view) = match help_request(args) {
            Ok(request) => request,
            Err(message) => {
                let p = self.io.program;
                return self.usage_error(&format!(
                    "help: {message}\nusage: {p} help [<Cmdlet or pattern>] [-Full | -Detailed | -Examples | -Parameter <name> | -Online]"
                ));
            }
        };
        let Some(name) = name else {
            return self.list(cmdlets);
        };
        let matching: Vec<&'static Cmdlet> = if has_wildcards(&name) {
            cmdlets.iter().copied().filter(|c| wildcard_match(&name, c.meta.name)).collect()
        } else {
            cmdlets.iter().copied().filter(|c| c.meta.name.eq_ignore_ascii_case(&name)).collect()
        };
        match matching.as_slice() {
            [] => self.usage_error(&format!(
                "help: Get-Help could not find {name} in a help file in this session. Run '{}' to list the cmdlets.",
                self.io.program
            )),
            [entry] => self.help(entry, &view),
            many => {
                // Get-Help's list of matching topics.
                let rows: Vec<(&str, String, &str)> = many
                    .iter()
                    .map(|c| (c.meta.name, help::module_name(c.help), synopsis(c.help)))
                    .collect();
                let name_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
                let module_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(6);
                let mut text = format!(
                    "\n{:<name_width$} Category  {:<module_width$} Synopsis\n{:<name_width$} --------  {:<module_width$} --------\n",
                    "Name", "Module", "----", "------"
                );
                for (name, module, synopsis) in rows {
                    let line = format!("{name:<name_width$} Cmdlet    {module:<module_width$} {synopsis}");
                    text = text + line.trim_end() + "\n";
                }
                self.out(&text);
                0
            }
        }
    }

    /// A cmdlet's help as Get-Help prints it.
    fn help(&mut self, entry: &Cmdlet, view: &HelpView) -> i32 {
        match help::render(entry.help, view, self.io.program) {
            Ok(text) => {
                self.out(&text);
                0
            }
            Err(message) => self.usage_error(&format!("help: {message}")),
        }
    }

    fn not_recognized(&mut self, name: &str) -> i32 {
        let p = self.io.program;
        self.usage_error(&format!(
            "The term '{name}' is not recognized as a name of a cmdlet. Check the spelling of the name and try again; run '{p}' to list the cmdlets."
        ))
    }

    /// PowerShell's error record view: message, category and error id.
    /// Binds one pipeline object (or the arguments alone). An object that
    /// binds to nothing is a non-terminating error in PowerShell: it is
    /// reported (unless -ErrorAction SilentlyContinue) and the next object
    /// is still processed, unless -ErrorAction Stop or nothing was piped.
    fn bind_input(&mut self, entry: &'static Cmdlet, scan: &Scan, input: Option<serde_json::Value>, outcome: &mut Outcome) -> Bind {
        let piped = input.is_some();
        match entry.bind(&scan.args, input) {
            Ok(bound) => Bind::Bound(bound),
            Err(e) => {
                if scan.error_action != Action::Silent {
                    self.binding_error(entry.meta.name, e.id.as_str(), &e.message);
                }
                outcome.fail(false, true);
                if piped && scan.error_action != Action::Stop { Bind::Skip } else { Bind::Stop }
            }
        }
    }

    fn binding_error(&mut self, cmdlet: &str, id: &str, message: &str) {
        self.err(&format!(
            "{cmdlet}: {message}\n    + CategoryInfo          : InvalidArgument: (:) [{cmdlet}], ParameterBindingException\n    + FullyQualifiedErrorId : {id},{cmdlet}"
        ));
    }

    async fn invoke(&mut self, entry: &'static Cmdlet, args: &[String]) -> i32 {
        let meta = &entry.meta;
        let before_end = args.iter().take_while(|a| *a != "--");
        if before_end
            .into_iter()
            .any(|a| a == "-?" || a.eq_ignore_ascii_case("--help"))
        {
            return self.help(entry, &HelpView::Default);
        }
        let scan = match scan(meta, args) {
            Ok(scan) => scan,
            Err(e) => {
                self.binding_error(meta.name, e.id.as_str(), &e.message);
                return 2;
            }
        };
        let inputs = match self.inputs(entry, &scan) {
            Ok(inputs) => inputs,
            Err(code) => return code,
        };
        let Some(client) = self.client() else {
            return 2;
        };
        let mut outcome = Outcome::default();
        if scan.batch {
            self.run_batch(entry, &client, inputs, &scan, &mut outcome).await;
            self.clear_progress();
            return outcome.code();
        }
        for input in inputs {
            let bound = match self.bind_input(entry, &scan, input, &mut outcome) {
                Bind::Bound(bound) => bound,
                Bind::Skip => continue,
                Bind::Stop => break,
            };
            match self.run_one(entry, &client, bound, &scan).await {
                Ok(sent) => outcome.sent |= sent,
                Err(f) => {
                    outcome.fail(f.sent, f.usage);
                    if f.terminating {
                        break;
                    }
                }
            }
        }
        self.clear_progress();
        outcome.code()
    }

    /// The pipeline objects to run with (`None`: no pipeline input), or the
    /// exit status of a failure already reported. Standard input is
    /// pipeline input whenever it is not a terminal (or `-InputObject -`
    /// asks for it), as with any Unix filter; when it holds nothing, the
    /// cmdlet runs once with the named arguments alone.
    fn inputs(
        &mut self,
        entry: &'static Cmdlet,
        scan: &Scan,
    ) -> Result<Vec<Option<serde_json::Value>>, i32> {
        let meta = &entry.meta;
        // The named arguments bind first, as in PowerShell: an error that
        // pipeline input cannot mend is reported before standard input is read.
        let unbound = match entry.bind(&scan.args, None) {
            Ok(_) => None,
            Err(e) => {
                let input_may_help = matches!(
                    e.id,
                    BindErrorId::MissingMandatoryParameter | BindErrorId::AmbiguousParameterSet
                );
                let reads_input = scan.stdin_input || !self.io.stdin_is_terminal;
                if !input_may_help || !reads_input {
                    self.binding_error(meta.name, e.id.as_str(), &e.message);
                    return Err(2);
                }
                Some(e)
            }
        };
        if !scan.stdin_input && self.io.stdin_is_terminal {
            return Ok(vec![None]);
        }
        let objects = match read_objects(&mut *self.io.stdin) {
            Ok(objects) => objects,
            Err(message) => {
                return Err(
                    self.usage_error(&format!("{}: {message}. Nothing was sent.", meta.name))
                );
            }
        };
        if !objects.is_empty() {
            return Ok(objects.into_iter().map(Some).collect());
        }
        match unbound {
            // Nothing piped in: the arguments alone had to be complete.
            Some(e) => {
                self.binding_error(meta.name, e.id.as_str(), &e.message);
                Err(2)
            }
            None => Ok(vec![None]),
        }
    }
    fn client(&mut self) -> Option<Client> {
        self.connect().map(|(client, _)| client)
    }

    /// The client and how it signs in, from the environment; a
    /// configuration error is reported (and `None` returned) before anything
    /// is sent.
    fn connect(&mut self) -> Option<(Client, Credentials)> {
        let env = self.io.env;
        let built = (|| {
            let cloud = cloud_from_env(env)?;
            let mut builder = Client::builder().base_url(graph_base_url(env, cloud, self.default_root));
            if let Some(pem) = extra_roots(env)? {
                builder = builder.root_certificates_pem(pem);
            }
            let credentials = credentials(env, cloud, &mut self.secrets)?;
            builder = match &credentials {
                Credentials::None => builder,
                Credentials::Token(token) => builder.token_provider(StaticToken(token.clone())),
                #[cfg(feature = "azure-identity")]
                Credentials::SignIn(provider) => builder.token_provider(provider.clone()),
            };
            Ok::<_, Error>((builder.build()?, credentials))
        })();
        built.map_err(|e| self.usage_error(&e.to_string())).ok()
    }

    /// `Get-MgContext`: how this run signs in. It signs in (a cached token
    /// or a credential answer) so that what it prints is what a cmdlet gets.
    async fn context(&mut self, args: &[String]) -> i32 {
        let help = ["-?", "--help", "-h", "/?"];
        if args
            .iter()
            .any(|a| help.iter().any(|h| h.eq_ignore_ascii_case(a)))
        {
            self.out(CONTEXT_HELP);
            return 0;
        }
        if let Some(first) = args.first() {
            return self.usage_error(&format!(
                "{CONTEXT_COMMAND} takes no parameters (got '{first}'); it reads the same environment as the cmdlets."
            ));
        }
        let Some((client, credentials)) = self.connect() else {
            return 2;
        };
        let cloud = cloud_from_env(self.io.env).unwrap_or_default();
        let context: Result<AuthContext, Error> = match credentials {
            Credentials::None => Err(Error::MissingToken),
            Credentials::Token(token) => Ok(AuthContext::for_access_token(
                &token,
                cloud,
                "MG_ACCESS_TOKEN",
            )),
            #[cfg(feature = "azure-identity")]
            Credentials::SignIn(provider) => provider.source().context(&client).await,
        };
        match context {
            Ok(context) => {
                let context = context.graph_endpoint(client.base_url());
                let text = serde_json::to_string_pretty(&context).unwrap_or_default();
                self.out(&format!("{text}\n"));
                0
            }
            Err(e) => {
                self.report(CONTEXT_COMMAND, &e);
                if matches!(
                    e,
                    Error::MissingToken | Error::SignIn(_) | Error::InvalidArgument(_)
                ) {
                    2
                } else {
                    1
                }
            }
        }
    }

    /// The password for `-ProxyCredential <user>`, when the binding has one:
    /// MG_PROXY_PASSWORD, else asked on the terminal; kept for the whole run.
    fn proxy_password(&mut self, bound: &Bound) -> Option<Secret> {
        // Without -Proxy the credential is not used (a warning says so).
        let user = bound.string("ProxyCredential").filter(|_| bound.is_bound("Proxy"))?;
        if self.proxy_password.is_none() {
            let text = format!("Password for proxy user '{user}': ");
            let password =
                (self.io.env)("MG_PROXY_PASSWORD").or_else(|| (self.io.prompt)(&text, true))?;
            self.secrets.push(password.clone());
            self.proxy_password = Some(Secret::new(password));
        }
        self.proxy_password.clone()
    }

    /// The set, request and common parameters of one binding: the request
    /// as built by the set's plan (an error in it, such as a missing
    /// identity key, is reported only after -WhatIf and -Confirm).
    fn setup(&mut self, entry: &'static Cmdlet, mut bound: Bound) -> Result<Setup, Failure> {
        let cmdlet = entry.meta.name;
        let operation = format!("{cmdlet}_{}", bound.set);
        let set = entry.meta.set_index(bound.set).unwrap_or(0);
        let request = entry
            .plan(set)
            .and_then(|plan| super::plan::build(&entry.meta, plan, &mut bound));
        let password = self.proxy_password(&bound);
        let no_password = |user: &str| {
            Error::InvalidArgument(format!(
                "-ProxyCredential {user}: no password. Set MG_PROXY_PASSWORD, or run on a terminal to be asked. Nothing was sent."
            ))
        };
        let taken = CommonParameters::from_bound(&mut bound, &|user| {
            password.clone().ok_or_else(|| no_password(user))
        });
        let common = taken.map_err(|e| {
            self.report(cmdlet, &e);
            Failure {
                sent: false,
                usage: true,
                terminating: true,
            }
        })?;
        Ok(Setup { set, request, common, operation })
    }

    /// The cmdlet's host for these preferences, and where its events
    /// arrive; -Verbose and -Debug hook into `common`'s pipeline.
    fn host(&self, scan: &Scan, common: &mut CommonParameters) -> (Arc<dyn Host>, mpsc::UnboundedReceiver<Event>) {
        let (events, incoming) = mpsc::unbounded_channel();
        if scan.verbose {
            common.prepend.insert(0, verbose_step(events.clone()));
        }
        if scan.debug {
            let sink = events.clone();
            let log: HttpLog = Arc::new(move |block: String| {
                let _ = sink.send(Event::Log(format!("DEBUG: {block}")));
            });
            common.http_log = Some(log);
        }
        let prefs = Preferences {
            verbose: scan.verbose,
            warning: scan.warning_action,
            progress: scan.progress_action,
            terminal: self.io.stderr_is_terminal,
        };
        (Arc::new(ChannelHost { events, prefs }), incoming)
    }

    /// Drives a cmdlet future while serving its questions, log lines,
    /// progress and output objects, so they appear when they happen. Events
    /// are served first: a list's items are written before the next page
    /// is asked for, so no more than a page waits here.
    async fn drive<T>(&mut self, running: impl Future<Output = T>, incoming: &mut mpsc::UnboundedReceiver<Event>) -> T {
        let mut running = std::pin::pin!(running);
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
        self.close_objects();
        result
    }

    /// Runs the cmdlet for one binding: `Ok(sent)` or the failure.
    async fn run_one(
        &mut self,
        entry: &'static Cmdlet,
        client: &Client,
        bound: Bound,
        scan: &Scan,
    ) -> Result<bool, Failure> {
        let Setup { set, request, mut common, operation } = self.setup(entry, bound)?;
        let (host, mut incoming) = self.host(scan, &mut common);
        let running = invoke(entry, set, request, client, &common, &*host);
        self.streamed = false;
        match self.drive(running, &mut incoming).await {
            Ok(invocation) => {
                let sent = invocation.what_if.is_none() && !invocation.declined;
                self.write_invocation(invocation);
                Ok(sent)
            }
            Err(e) => {
                let mut failure = self.failed(&operation, e, scan);
                // Items came out before the error (a refused next link):
                // requests went to the service.
                failure.sent |= self.streamed;
                Err(failure)
            }
        }
    }

    /// Reports what went wrong for one object; says whether it stops the
    /// pipeline. What went wrong with the call for this object (the
    /// service's answer, the transport, an undecodable body) is a
    /// non-terminating error, as the PowerShell module writes it: the
    /// pipeline goes on with the next object. Checks before sending stop it.
    fn failed(&mut self, operation: &str, e: Error, scan: &Scan) -> Failure {
        let per_object = matches!(
            e,
            Error::Api(_) | Error::TooManyRetries { .. } | Error::Transport { .. } | Error::Decode(_)
        );
        if !(per_object && scan.error_action == Action::Silent) {
            self.report(operation, &e);
        }
        Failure {
            sent: per_object,
            usage: matches!(
                e,
                Error::Binding { .. }
                    | Error::InvalidArgument(_)
                    | Error::MissingToken
                    | Error::SignIn(_)
            ),
            terminating: !per_object || scan.error_action == Action::Stop,
        }
    }

    /// `-Batch`: every pipeline object is bound and checked (-WhatIf and
    /// -Confirm included) as without it, but the requests go to Graph in
    /// `$batch` calls of up to 20 (see `super::batch`), each object's result
    /// written in input order as it would be alone. A list reads its first
    /// page only, so -All, -UploadFile and -DeltaLinkVariable are refused.
    async fn run_batch(
        &mut self,
        entry: &'static Cmdlet,
        client: &Client,
        inputs: Vec<Option<serde_json::Value>>,
        scan: &Scan,
        outcome: &mut Outcome,
    ) {
        let mut queue: Vec<Queued> = Vec::new();
        let mut stopped = false;
        for input in inputs {
            let bound = match self.bind_input(entry, scan, input, outcome) {
                Bind::Bound(bound) => bound,
                Bind::Skip => continue,
                Bind::Stop => {
                    stopped = true;
                    break;
                }
            };
            let setup = match self.setup(entry, bound) {
                Ok(setup) => setup,
                Err(f) => {
                    outcome.fail(f.sent, f.usage);
                    stopped = true;
                    break;
                }
            };
            let Setup { set, request, mut common, operation } = setup;
            let unbatchable = [
                (common.all, "-All"),
                (common.upload_file.is_some(), "-UploadFile"),
                (common.delta_link_variable.is_some(), "-DeltaLinkVariable"),
            ];
            if let Some((_, name)) = unbatchable.iter().find(|(given, _)| *given) {
                let e = Error::InvalidArgument(format!("{name} cannot be used with -Batch: a $batch request reads one response per request. Nothing was sent."));
                let f = self.failed(&operation, e, scan);
                outcome.fail(f.sent, f.usage);
                stopped = true;
                break;
            }
            let (host, mut incoming) = self.host(scan, &mut common);
            let prepared = self.drive(prepare(entry, set, request, &common, &*host), &mut incoming).await;
            match prepared {
                Ok(Prepared::Done(invocation)) => self.write_invocation(invocation),
                Ok(Prepared::Send(mut request)) => {
                    // The object's -Headers travel with its own request.
                    request.headers.extend(std::mem::take(&mut common.headers));
                    queue.push(Queued { request, common, operation, host, incoming });
                }
                Err(e) => {
                    let f = self.failed(&operation, e, scan);
                    outcome.fail(f.sent, f.usage);
                    if f.terminating {
                        stopped = true;
                        break;
                    }
                }
            }
            if queue.len() == super::batch::MAX_BATCH && !self.flush_batch(client, &mut queue, scan, outcome).await {
                return;
            }
        }
        if !stopped {
            self.flush_batch(client, &mut queue, scan, outcome).await;
        }
    }

    /// Sends the queued requests as one batch and writes each result;
    /// `false` when an error stops the pipeline.
    async fn flush_batch(&mut self, client: &Client, queue: &mut Vec<Queued>, scan: &Scan, outcome: &mut Outcome) -> bool {
        if queue.is_empty() {
            return true;
        }
        let mut batch = Batch::new();
        for queued in queue.iter() {
            batch.add_request(Ok(queued.request.clone()), &[]);
        }
        // The $batch call goes with the command line's options (proxy,
        // -Verbose, -Debug, through the first object's host), not with any
        // object's -Headers.
        let options = queue[0].common.request_options();
        let results = self.drive(batch.send_with(client, &options), &mut queue[0].incoming).await.into_vec();
        outcome.sent = true;
        for (queued, result) in queue.drain(..).zip(results) {
            let Queued { request, common, operation, host, mut incoming } = queued;
            let kind = request.op.response;
            let written = result.and_then(|response| output(response, &common, kind, &*host));
            // Warnings the host wrote while turning the response into output.
            while let Ok(event) = incoming.try_recv() {
                self.handle(event);
            }
            match written {
                Ok(invocation) => self.write_invocation(invocation),
                Err(e) => {
                    let f = self.failed(&operation, e, scan);
                    outcome.fail(f.sent, f.usage);
                    if f.terminating {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn report(&mut self, source: &str, error: &Error) {
        match error {
            Error::Binding { id, message } => {
                self.binding_error(source.split('_').next().unwrap_or(source), id, message)
            }
            Error::MissingToken => self.err(&format!(
                "{source}: Authentication needed. Set the MG_ACCESS_TOKEN environment variable to a Microsoft Graph access token{}. Nothing was sent.",
                if cfg!(feature = "azure-identity") {
                    ", or sign in another way (see \"Signing in\" in the README)"
                } else {
                    " (this build has no other way of signing in: it lacks the azure-identity feature)"
                }
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
                let text =
                    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
                self.out(&format!("{text}\n"));
            }
            Output::Bytes(bytes) => {
                let _ = self.io.stdout.write_all(&bytes);
                let _ = self.io.stdout.flush();
            }
            // Written already, object by object; an empty list is `[]` as
            // a collected one would print.
            Output::Streamed(0) => self.out("[]\n"),
            Output::Streamed(_) => {}
        }
        // PowerShell variables have no equivalent in a shell: print them as
        // `{"<name>": <value>}` where scripts can pick them up.
        if let Some((name, headers)) = invocation.response_headers {
            let headers = serde_json::to_value(&headers).unwrap_or_default();
            self.err(&serde_json::json!({ name: headers }).to_string());
        }
        if let Some((name, count)) = invocation.count {
            self.err(&serde_json::json!({ name: count }).to_string());
        }
        if let Some((name, link)) = invocation.delta_link {
            self.err(&serde_json::json!({ name: link }).to_string());
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Log(line) => self.err(&line),
            Event::Progress(record) => self.progress(&record),
            Event::Object(object) => self.write_object(&object),
            Event::Confirm(action, target, reply) => {
                let yes = match self.confirm_all {
                    Some(all) => all,
                    None => self.ask_confirm(&action, &target),
                };
                let _ = reply.send(yes);
            }
        }
    }

    /// PowerShell's ShouldProcess prompt, default Yes: Enter answers Yes.
    /// No terminal or the end of its input answers No (nothing is sent).
    /// There is no nested prompt to suspend to, so Suspend answers No too.
    fn ask_confirm(&mut self, action: &str, target: &str) -> bool {
        let text = format!(
            "\nConfirm\nAre you sure you want to perform this action?\nPerforming the operation \"{action}\" on target \"{target}\".\n{CONFIRM_CHOICES}"
        );
        let mut question = text.clone();
        loop {
            self.clear_progress();
            let Some(answer) = (self.io.prompt)(&question, false) else {
                self.err(&format!(
                    "{action}: -Confirm got no answer from a terminal, so nothing was sent."
                ));
                return false;
            };
            match answer.trim().to_ascii_lowercase().as_str() {
                "" | "y" | "yes" => return true,
                "a" | "yes to all" => return *self.confirm_all.insert(true),
                "n" | "no" => return false,
                "l" | "no to all" => return *self.confirm_all.insert(false),
                "s" | "suspend" => {
                    self.err(&format!(
                        "{action}: Suspend has no nested prompt to return to outside PowerShell; answered No, so nothing was sent."
                    ));
                    return false;
                }
                "?" | "help" => question = format!("{CONFIRM_HELP}{CONFIRM_CHOICES}"),
                // As PowerShell does: anything else asks again.
                _ => question = CONFIRM_CHOICES.to_owned(),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Sign-in, cloud and trusted roots

/// The built-in command that shows the sign-in context.
const CONTEXT_COMMAND: &str = "Get-MgContext";

const CONTEXT_HELP: &str = "Get-MgContext\n\nSigns in the way a cmdlet would and prints, as JSON, how: ClientId, TenantId,\nScopes (the token's delegated scopes or application roles), AuthType,\nTokenCredentialType, Account, CertificateThumbprint, ManagedIdentityId,\nEnvironment, GraphEndpoint, AuthorityHost and Source. Never a secret.\n";

#[cfg(feature = "azure-identity")]
const SIGN_IN_HELP: &str = "  AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or AZURE_CLIENT_CERTIFICATE_PATH\n                      [+ AZURE_CLIENT_CERTIFICATE_PASSWORD]: app-only sign-in (tried second)\n  MG_IDENTITY=1       managed identity (MG_IDENTITY_CLIENT_ID for a user-assigned one; third)\n  az login, azd auth login   developer sign-in, tried last (MG_SCOPES: delegated scopes)\n  AZURE_AUTHORITY_HOST       sign-in authority other than the cloud's\n";
#[cfg(not(feature = "azure-identity"))]
const SIGN_IN_HELP: &str = "";

/// How a run signs in.
#[cfg_attr(feature = "azure-identity", allow(dead_code))]
enum Credentials {
    /// Nothing configured: requests fail with `Error::MissingToken`.
    None,
    /// `MG_ACCESS_TOKEN` (builds without the `azure-identity` feature).
    Token(Secret),
    /// The sign-in chain (with the feature; `MG_ACCESS_TOKEN` is its first way).
    #[cfg(feature = "azure-identity")]
    SignIn(Arc<super::auth::CachedToken<super::auth::sign_in::SignIn>>),
}

/// The national cloud: `MG_ENVIRONMENT`, default `Global`.
fn cloud_from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Cloud, Error> {
    match env("MG_ENVIRONMENT").filter(|v| !v.trim().is_empty()) {
        Some(name) => {
            Cloud::parse(&name).map_err(|e| Error::InvalidArgument(format!("MG_ENVIRONMENT: {e}")))
        }
        None => Ok(Cloud::Global),
    }
}

/// The service root: `MG_GRAPH_BASE_URL`, else the root of the generated
/// modules' documents, or a national cloud's Graph root with
/// `MG_ENVIRONMENT` (operations add their version path).
fn graph_base_url(env: &dyn Fn(&str) -> Option<String>, cloud: Cloud, default_root: &str) -> String {
    if let Some(url) = env("MG_GRAPH_BASE_URL").filter(|u| !u.trim().is_empty()) {
        return url;
    }
    // The documents' own root, unless a national cloud is chosen; every
    // operation adds its version path to it.
    match cloud {
        Cloud::Global => default_root.to_owned(),
        other => other.graph_root().to_owned(),
    }
}

/// The PEM bundle named by `SSL_CERT_FILE`, trusted on top of the platform's roots.
fn extra_roots(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Vec<u8>>, Error> {
    let Some(path) = env("SSL_CERT_FILE").filter(|p| !p.trim().is_empty()) else {
        return Ok(None);
    };
    std::fs::read(&path)
        .map(Some)
        .map_err(|e| Error::InvalidArgument(format!("SSL_CERT_FILE: cannot read {path}: {e}")))
}

/// The credentials the environment configures; their secrets are added to
/// `secrets` so that nothing printed can show them.
#[cfg_attr(not(feature = "azure-identity"), allow(unused_variables))]
fn credentials(
    env: &dyn Fn(&str) -> Option<String>,
    cloud: Cloud,
    secrets: &mut Vec<String>,
) -> Result<Credentials, Error> {
    for name in [
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "IDENTITY_HEADER",
    ] {
        secrets.extend(env(name).filter(|v| !v.trim().is_empty()));
    }
    #[cfg(feature = "azure-identity")]
    {
        use super::auth::{azure::HttpTransport, sign_in};
        let mut settings = sign_in::SignInSettings::from_env(env)?;
        settings.cloud = cloud;
        secrets.extend(settings.secrets().iter().map(|s| s.expose().to_owned()));
        let provider = sign_in::provider(&settings, HttpTransport::new())?;
        Ok(Credentials::SignIn(Arc::new(provider)))
    }
    #[cfg(not(feature = "azure-identity"))]
    {
        let token = env("MG_ACCESS_TOKEN").unwrap_or_default();
        let token = token.trim();
        // A value pasted with its scheme still works.
        let token = match token.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => token[7..].trim_start(),
            _ => token,
        };
        if token.is_empty() {
            return Ok(Credentials::None);
        }
        secrets.push(token.to_owned());
        Ok(Credentials::Token(Secret::new(token)))
    }
}

// ---------------------------------------------------------------------------
// -Verbose / -Debug
/// The choices line of PowerShell's ShouldProcess prompt.
const CONFIRM_CHOICES: &str =
    "[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is \"Y\"): ";

/// What `?` shows at the prompt (PowerShell's help for each choice; ours
/// for Suspend, which has no nested prompt here).
const CONFIRM_HELP: &str = "Y - Continue with only the next step of the operation.\nA - Continue with all the steps of the operation.\nN - Skip this operation and proceed with the next operation.\nL - Skip this operation and all subsequent operations.\nS - Answers No: outside PowerShell there is no nested prompt to suspend to.\n";

// ---------------------------------------------------------------------------
// -Verbose

/// A prepended pipeline step that reports each request and its final
/// response on the verbose stream (method, URL, status and time; -Debug has
/// the whole messages through [`CommonParameters::http_log`]). It runs
/// before the built-in auth handler, so the token is never in what it sees.
fn verbose_step(events: mpsc::UnboundedSender<Event>) -> Step {
    step(move |request: reqwest::Request, next: Next| {
        let events = events.clone();
        let log = move |line: String| drop(events.send(Event::Log(line)));
        async move {
            let (started, method, url) = (
                Instant::now(),
                request.method().clone(),
                request.url().clone(),
            );
            log(format!("VERBOSE: HTTP request: {method} {url}"));
            let result = next.run(request).await;
            if let Ok(response) = &result {
                let status = response.status().as_u16();
                let name = status_name(status);
                let ms = started.elapsed().as_millis();
                log(format!(
                    "VERBOSE: HTTP response: {status} ({name}) after {ms} ms"
                ));
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
fn ask_terminal(text: &str, secret: bool, stdin_is_terminal: bool) -> Option<String> {
    use std::io::IsTerminal;
    let tty;
    let (mut reader, mut writer): (Box<dyn BufRead>, Box<dyn Write>) = if stdin_is_terminal {
        (
            Box::new(std::io::stdin().lock()),
            Box::new(std::io::stderr()),
        )
    } else if cfg!(unix) && std::io::stderr().is_terminal() {
        tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        (Box::new(std::io::BufReader::new(&tty)), Box::new(&tty))
    } else {
        return None;
    };
    // Echo goes off for a password, through `stty` (no terminal library is
    // among the runtime's dependencies; without `stty` it stays on), and
    // before the question appears, so no early keystroke is echoed.
    let stty = |mode: &str| {
        let tty = std::fs::File::open("/dev/tty").ok()?;
        std::process::Command::new("stty")
            .arg(mode)
            .stdin(tty)
            .status()
            .ok()
    };
    if secret {
        stty("-echo");
    }
    let _ = writer.write_all(text.as_bytes());
    let _ = writer.flush();
    let mut line = String::new();
    let read = reader.read_line(&mut line);
    if secret {
        stty("echo");
        let _ = writer.write_all(b"\n");
    }
    (read.ok()? > 0).then(|| line.trim_end_matches(['\r', '\n']).to_owned())
}
