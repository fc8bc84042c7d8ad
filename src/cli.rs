//! Command-line interface: one variant per command (docs/architecture.md).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "simfleet",
    version,
    about = "Declarative, GitOps-style reconciler for IoT SIM fleets",
    long_about = long_about()
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More log output on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print only the result: no progress, no log lines below errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour: `auto` on a terminal without NO_COLOR, or always / never
    /// (for CI logs that render ANSI).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Without a terminal (CI), print a progress line at most this often
    /// while reading or applying; on a terminal a bar is drawn instead.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10.0,
          value_parser = progress_interval)]
    pub progress_interval: f64,
    /// Also send a provider's credentials to this host (repeatable;
    /// `*.example.com` for its subdomains). By default they go only to the
    /// provider type's documented hosts and this machine: a manifest in a
    /// pull request cannot redirect them.
    #[arg(
        long = "allow-host",
        global = true,
        value_name = "HOST",
        env = "SIMFLEET_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    pub allow_hosts: Vec<String>,
    /// Read `{file: PATH}` credentials from this folder (repeatable); files
    /// elsewhere are refused unread.
    #[arg(
        long = "credentials-dir",
        global = true,
        value_name = "DIR",
        env = "SIMFLEET_CREDENTIALS_DIRS",
        value_delimiter = ':'
    )]
    pub credentials_dirs: Vec<PathBuf>,
    /// Allow plain http:// to hosts other than this machine (credentials
    /// then cross the network unencrypted; for lab proxies).
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
}

impl Cli {
    /// What the operator allows beyond the documented hosts.
    pub fn trust(&self) -> crate::trust::Trust {
        crate::trust::Trust {
            allow_hosts: self.allow_hosts.clone(),
            credentials_dirs: self.credentials_dirs.clone(),
            allow_insecure_http: self.allow_insecure_http,
        }
    }
}

fn fault_kind(text: &str) -> Result<crate::emulator::FaultKind, String> {
    crate::emulator::FaultKind::parse(text)
        .ok_or_else(|| "expected 429, 500, 503, drop, commit-500 or commit-drop".to_owned())
}

/// `--select`: checked before anything is loaded or read.
fn selector(text: &str) -> Result<String, crate::plan::select::SelectorError> {
    crate::plan::select::check(text).map(|()| text.to_owned())
}

fn progress_interval(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.1..=3600.0).contains(&s) => Ok(s),
        _ => Err("expected a number of seconds from 0.1 to 3600".to_owned()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests without contacting any provider.
    Validate(ValidateArgs),
    /// Print a JSON Schema: of manifests (default), or of the JSON that
    /// plan, drift and apply print.
    Schema(SchemaArgs),
    /// Show what apply would change: manifests diffed against live provider state.
    Plan(PlanArgs),
    /// Plan, confirm, and carry out the changes; or carry out a saved plan
    ///
    /// `simfleet apply MANIFESTS...` plans, asks, and applies.
    ///
    /// `simfleet apply PLAN.json MANIFESTS...` carries out a plan saved with
    /// `plan --out`, given the manifests it was planned from: it applies only
    /// if those manifests are the planned ones and they and a fresh read of
    /// live state still give exactly that plan; otherwise it names each
    /// difference and writes nothing. Configuration, `protect` and safety
    /// come from the manifests and these flags, never from the file.
    #[command(verbatim_doc_comment)]
    Apply(ApplyArgs),
    /// Report where live state has left the manifests (exit 0 none, 2 drift, 1 error).
    Drift(DriftArgs),
    /// Render a saved plan (from `plan --out`) in any format.
    Show(ShowPlanArgs),
    /// Write manifests that reproduce a provider's live state.
    Export(ExportArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print a man page (roff): simfleet's, or a command's (`man plan`,
    /// `man sim show`); `--out-dir DIR` writes every page.
    Man(ManArgs),
    /// Inspect one SIM at its provider.
    #[command(subcommand)]
    Sim(SimCommand),
    /// Current-period usage: per SIM (--sim) or for every SIM of the providers.
    Usage(UsageArgs),
    /// Send an SMS to a SIM (Infobip; at most 160 characters, checked before sending).
    Sms(SmsArgs),
    /// Run the provider's SIM diagnostics, which re-syncs the SIM's services (Infobip).
    Diagnose(DiagnoseArgs),
    /// First contact with real accounts, read only: credentials, token,
    /// the first list page, one SIM and auxiliary lists, each checked and
    /// printed with its URL and HTTP status (exit 0 all fine, 1 otherwise).
    Doctor(DoctorArgs),
    /// Run the provider emulator as an HTTP server (for tests and demos).
    Emulator(EmulatorArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Run it once when pointing simfleet at a new account: every check says what was wrong and which setting to fix (`url`, `token_url`, `scope`, a credential). With --record DIR each answer is saved (credentials and tokens blanked out, at most 1 MiB each) to attach to a bug report; `simfleet emulator --replay DIR` serves them back."
)]
pub struct DoctorArgs {
    /// Manifest files or directories declaring the providers.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only these providers (repeatable; default: every provider declared).
    #[arg(long = "provider", value_name = "NAME")]
    pub providers: Vec<String>,
    /// Save every answer, redacted, as JSON files under this folder.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Print a SIM's live state as simfleet sees it.
    Show(ShowArgs),
}

/// A SIM and where to find its provider.
#[derive(Debug, Args)]
pub struct SimTarget {
    /// The SIM's ICCID.
    pub iccid: String,
    /// Manifest files or directories declaring the providers (and usually the SIM).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The provider to ask; needed only when no manifest declares the SIM.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub target: SimTarget,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UsageFormat {
    Text,
    Csv,
    Json,
}

impl From<UsageFormat> for crate::render::operations::UsageFormat {
    fn from(f: UsageFormat) -> Self {
        match f {
            UsageFormat::Text => Self::Text,
            UsageFormat::Csv => Self::Csv,
            UsageFormat::Json => Self::Json,
        }
    }
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Manifest files or directories declaring the providers.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only these providers (repeatable); default: every provider that reports usage.
    #[arg(long = "provider", value_name = "NAME")]
    pub providers: Vec<String>,
    /// Only these SIMs (repeatable); default: every SIM at the providers (monthly report).
    #[arg(long = "sim", value_name = "ICCID")]
    pub sims: Vec<String>,
    #[arg(long, value_enum, default_value_t = UsageFormat::Text)]
    pub format: UsageFormat,
}

#[derive(Debug, Args)]
pub struct SmsArgs {
    #[command(flatten)]
    pub target: SimTarget,
    /// The message, at most 160 characters.
    #[arg(long)]
    pub text: String,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub target: SimTarget,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Manifest files or directories (all *.yaml / *.yml below them).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// How plans and drift reports are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// Versioned, for machines (schema/).
    Json,
    /// For a pull-request comment or an issue.
    Markdown,
    /// A unified diff of live vs declared manifest YAML.
    Diff,
}

/// `--max-change-percent`: a percentage, 0 to 100.
fn percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is outside 0-100"))
    }
}

/// How much of a plan is shown to people (text and markdown).
#[derive(Debug, Args)]
pub struct DetailArgs {
    /// Every SIM and every line: no grouping, no "... and N more".
    #[arg(long, conflicts_with = "summary")]
    pub expand: bool,
    /// Only totals and groups of identical changes (also what -q shows).
    #[arg(long)]
    pub summary: bool,
}

impl DetailArgs {
    /// By default small plans are shown SIM by SIM and large ones grouped.
    pub fn detail(&self, quiet: bool) -> crate::render::Detail {
        use crate::render::Detail;
        if self.expand {
            Detail::Expand
        } else if self.summary || quiet {
            Detail::Summary
        } else {
            Detail::Auto
        }
    }
}

/// The safety checks of plan and apply.
#[derive(Debug, Args)]
pub struct SafetyArgs {
    /// Refuse when more than this percentage of a provider's managed SIMs
    /// (if at least 10) would change status. Given, it holds for every
    /// provider; otherwise each provider's `max_change_percent` in its
    /// Providers manifest, else 30.
    #[arg(long, value_parser = percent, value_name = "PERCENT")]
    pub max_change_percent: Option<f64>,
    /// Override the safety refusals (change percentage, protected SIMs).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct Scope {
    /// Manifest files or directories (all *.yaml / *.yml below them).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only these providers (repeatable).
    #[arg(long = "provider", value_name = "NAME")]
    pub providers: Vec<String>,
    /// Only SIMs matching: an ICCID, `tag=NAME`, or `name~GLOB` (repeatable; any may
    /// match). A selector that matches no declared SIM is an error.
    #[arg(long = "select", value_name = "SELECTOR", value_parser = selector)]
    pub select: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub scope: Scope,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Exit 2 when live state differs (changes, or locked SIMs that differ),
    /// 0 when it matches (as terraform).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also save the plan to FILE, for `apply FILE` after review.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// List unmanaged SIMs (live, in no manifest) instead of counting them.
    #[arg(long)]
    pub show_unmanaged: bool,
    #[command(flatten)]
    pub detail: DetailArgs,
    #[command(flatten)]
    pub safety: SafetyArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Manifest files or directories; or a saved plan file (from `plan --out`)
    /// followed by the manifests it was planned from.
    #[command(flatten)]
    pub scope: Scope,
    /// Apply without asking (required when stdin is not a terminal, as in CI).
    #[arg(long)]
    pub auto_approve: bool,
    #[command(flatten)]
    pub detail: DetailArgs,
    #[command(flatten)]
    pub safety: SafetyArgs,
    /// `json` prints a versioned report of what was done.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub scope: Scope,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// List unmanaged SIMs (live, in no manifest) instead of counting them.
    #[arg(long)]
    pub show_unmanaged: bool,
    /// Exit 2 also when live SIMs exist that no manifest declares (SIMs
    /// added at the provider that never reached git; `export
    /// --unmanaged-only` writes them as manifests).
    #[arg(long)]
    pub fail_on_unmanaged: bool,
}

#[derive(Debug, Args)]
pub struct ShowPlanArgs {
    /// A saved plan (from `plan --out`).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub detail: DetailArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Manifest files or directories declaring the provider (and, for
    /// --unmanaged-only, the SIMs already managed).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The provider to export.
    #[arg(long, value_name = "NAME")]
    pub provider: String,
    /// Folder to write into (created if needed), or `-` to print the
    /// documents to stdout as one YAML stream. Files are named after the
    /// provider (NAME.providers.yaml, NAME.001.yaml, ...), so several
    /// providers can share a folder; no file is overwritten, and a folder
    /// that already holds an export of this provider is refused before
    /// the provider is read.
    #[arg(long, value_name = "DIR", default_value = "exported")]
    pub out: PathBuf,
    /// Only live SIMs matching: an ICCID, `tag=NAME`, or `name~GLOB` (repeatable).
    #[arg(long = "select", value_name = "SELECTOR", value_parser = selector)]
    pub select: Vec<String>,
    /// Write every field the provider has, unset (`null`) and empty ones
    /// too. By default a SIM states only fields that hold a value: the
    /// rest stay unmanaged, so plan and drift neither revert a console
    /// change to them nor read empty attributes SIM by SIM.
    #[arg(long)]
    pub all_fields: bool,
    /// One fleet file per status, package or tag (else one per 10,000
    /// SIMs), each with its own `defaults`. A SIM with several tags goes
    /// to the file of the tag most exported SIMs carry (ties: the first
    /// by name); SIMs without a value to `NAME.no-BY.001.yaml`.
    #[arg(long, value_enum, value_name = "BY")]
    pub group_by: Option<GroupBy>,
    /// Only SIMs live at the provider that none of the manifests given
    /// declares, to adopt SIMs that appeared there: written as
    /// NAME.unmanaged-ICCID.001.yaml, without a Providers file (the
    /// manifests given declare the provider), so they can join them.
    #[arg(long)]
    pub unmanaged_only: bool,
}

/// What `export --group-by` groups SIMs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// Of the SIM's tags, the one most exported SIMs carry.
    Tag,
    Status,
    /// The SIM's package.
    Package,
}

impl From<GroupBy> for crate::export::GroupBy {
    fn from(by: GroupBy) -> Self {
        match by {
            GroupBy::Tag => Self::Tag,
            GroupBy::Status => Self::Status,
            GroupBy::Package => Self::Package,
        }
    }
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// manifest, plan, drift or apply.
    #[arg(default_value = "manifest", value_parser = clap::builder::PossibleValuesParser::new(crate::schema::NAMES))]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `plan` or `sim show`
    /// (default: simfleet's own page).
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write every page (`simfleet.1`, `simfleet-plan.1`, ...) into this
    /// folder instead, replacing pages of the same name.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port. The bound address is
    /// printed on the first line of stdout.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seed state (YAML or JSON, one key per provider).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Generate SIMs: PROVIDER=COUNT, e.g. onomondo=400000 (repeatable).
    #[arg(long, value_name = "PROVIDER=COUNT")]
    pub generate: Vec<String>,
    /// Requests per --rate-window before 429 (per provider).
    #[arg(long, default_value_t = 600)]
    pub rate_limit: u64,
    /// Seconds of the fixed window --rate-limit counts in.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS",
          value_parser = parse_rate_window)]
    pub rate_window: f64,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fail every Nth request to the same path with --fail-status (0: never).
    #[arg(long, default_value_t = 0)]
    pub fail_every: u64,
    /// Status of injected failures: 429, 500 or 503.
    #[arg(long, default_value_t = 503)]
    pub fail_status: u16,
    /// Share of all requests, 0 to 1, that meet an injected fault (every
    /// path, token endpoints included).
    #[arg(long, default_value_t = 0.0, value_name = "SHARE")]
    pub fault_rate: f64,
    /// Which faults --fault-rate injects, comma-separated: 429, 500, 503,
    /// drop (connection dropped unhandled), commit-500 and commit-drop
    /// (the request is carried out, then the answer is lost).
    #[arg(long, value_delimiter = ',', default_value = "429,500,503,drop,commit-500,commit-drop",
          value_parser = fault_kind)]
    pub faults: Vec<crate::emulator::FaultKind>,
    /// Answer 401s with the credentials the request carried (header and
    /// body), as a careless server would.
    #[arg(long)]
    pub echo_credentials: bool,
    /// After N requests to a provider (token requests included), the
    /// provider is down: every further request has its connection closed
    /// unanswered and unhandled (0: never).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub down_after: u64,
    /// Only requests of these methods meet --fault-rate faults (default: all).
    #[arg(long, value_delimiter = ',', value_name = "METHODS")]
    pub fault_methods: Vec<String>,
    /// Lifetime of issued access tokens in seconds (Eseye, Telekom CMO, KORE).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub token_expiry: u64,
    /// How long an activated Eseye SIM stays pendingProvision, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub provision_delay_ms: u64,
    /// How long a Telekom CMO monitor stays InProgress, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub monitor_delay_ms: u64,
    /// Every Nth Telekom CMO monitor ends InError (0: never).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub monitor_fail_every: u64,
    /// How long a Super SIM status or Fleet change stays scheduled, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub schedule_delay_ms: u64,
    /// Allow listening on a non-loopback address. The control endpoints
    /// (/_emulator/*) then need --admin-token (one is made up and printed
    /// when none is given).
    #[arg(long)]
    pub allow_remote: bool,
    /// Answer 404 (in the provider's error shape) on this path, as an API
    /// without that resource would, e.g. /onomondo/tags (repeatable).
    #[arg(long, value_name = "PATH")]
    pub not_found: Vec<String>,
    /// Serve the answers `simfleet doctor --record DIR` saved: a request
    /// whose method and path (query included) match one gets it.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// Bearer token for /_emulator/* when listening off loopback.
    #[arg(long, env = "SIMFLEET_EMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

fn parse_rate_window(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.1..=3600.0).contains(&s) => Ok(s),
        _ => Err("expected seconds between 0.1 and 3600".into()),
    }
}

/// The long help. The provider types come from the kind table, so a new
/// provider shows here without an edit.
fn long_about() -> String {
    let types: Vec<&str> = crate::kind::ProviderKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    format!(
        "simfleet keeps SIM cards at connectivity providers (`type:` {}) in the state declared \
in YAML manifests.\n\n\
Typical CI use: `simfleet plan --detailed-exitcode` on pull requests, \
`simfleet apply --auto-approve` on merge, `simfleet drift` on a schedule.\n\n\
Saved plans: `simfleet plan --out plan.json` writes the plan a reviewer approves; \
`simfleet apply plan.json manifests/` applies it only if the manifests and a fresh read still give exactly it.\n\n\
Exit codes: 0 success/no changes, 1 error, refusal or usage error, 2 changes or drift present \
(plan with --detailed-exitcode, drift), 3 apply partially failed, 141 stdout closed early \
(as `| head`; apply writes nothing if its plan could not be printed).",
        types.join(", ")
    )
}
