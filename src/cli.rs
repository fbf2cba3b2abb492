//! The command line, as clap types only. Behaviour lives in `cmd/<verb>.rs`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Selection;
pub use crate::shell::{ExportTarget, HookShell};

#[derive(Debug, Parser)]
#[command(
    name = "ssoenv",
    version,
    about = "AWS IAM Identity Center (SSO) credentials that follow the directory your shell is in",
    long_about = None,
    propagate_version = true,
)]
pub struct Cli {
    // The tcsh hook's alias passes it before the user's words, which it
    // hands to the binary as they are, redirections included: tcsh cannot
    // capture a command's stdout and leave its stderr where the user sent it.
    /// Where `use` writes its tcsh code instead of stdout (the tcsh hook's alias passes it)
    #[arg(long, value_name = "FILE", hide = true)]
    pub tcsh_use_code: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the snippet that hooks ssoenv into your shell's prompt
    Hook(Hook),
    /// Per-prompt callback: print shell code for what changed (used by the hook)
    Export(Export),
    /// Trust a .awssso.toml (default: the nearest one above the current directory)
    Allow(Allow),
    /// Withdraw trust from a .awssso.toml
    Deny(Deny),
    /// Run a command with fresh credentials for the current directory
    Exec(Exec),
    /// Sign in to the SSO session (browser with PKCE, or device code)
    Login(Login),
    /// Sign out: end the SSO session and remove cached tokens and credentials
    Logout(Logout),
    /// Show which config and credentials are active, and when they expire
    Status(Status),
    /// List the accounts and roles the SSO session can reach
    List(List),
    /// Write a .awssso.toml for the current directory
    Init(Init),
    /// Print credentials as `credential_process` JSON for ~/.aws/config
    CredentialProcess(CredentialProcess),
    /// Print the flags that give a container this directory's credentials,
    /// one per line, served while the calling shell lives
    ContainerArgs(ContainerArgs),
    /// Print the current credentials once, in the AWS CLI's formats
    ExportCredentials(ExportCredentials),
    /// Open the AWS console signed in as this directory's role
    Console(Console),
    /// Write this directory's credentials as a profile of the shared credentials file
    WriteCredentials(WriteCredentials),
    /// Keep one AWS config profile per account and role of the SSO session
    Profiles(Profiles),
    /// Switch this shell to an account and role, whatever the directory
    /// (through the shell hook's `ssoenv` function)
    Use(Use),
    /// Print shell completions
    Completions(Completions),
    /// Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`
    Man(Man),
    /// The per-user credential endpoint behind credentials = "endpoint" (started on demand)
    Agent(Agent),
}

#[derive(Debug, Args)]
#[command(after_long_help = HOOK_LINES)]
pub struct Hook {
    pub shell: HookShell,
}

/// Where the hook's line goes, for each shell (the table of the guide's
/// "Shells" page, which `tests/guide.rs` holds to the same lines).
pub const HOOK_LINES: &str = "\
The line for your shell's rc file (then open a new shell):
  bash        ~/.bashrc                   eval \"$(ssoenv hook bash)\"
  zsh         ~/.zshrc                    eval \"$(ssoenv hook zsh)\"
  fish        ~/.config/fish/config.fish  ssoenv hook fish | source
  PowerShell  $PROFILE                    Invoke-Expression (& ssoenv hook pwsh | Out-String)
  Elvish      ~/.config/elvish/rc.elv     eval (ssoenv hook elvish | slurp)
  xonsh       ~/.xonshrc                  execx($(ssoenv hook xonsh))
  tcsh        ~/.tcshrc                   eval \"`ssoenv hook tcsh`\"
  Nushell     env.nu:    mkdir ($nu.data-dir); ssoenv hook nu | save -f ($nu.data-dir | path join ssoenv.nu)
              config.nu: source ($nu.data-dir | path join ssoenv.nu)";

#[derive(Debug, Args)]
pub struct Export {
    pub target: ExportTarget,
    /// The hook's call before a command line runs: renew first when less than
    /// `min_ttl` is left (the call before a prompt renews within `refresh_before`)
    #[arg(long)]
    pub before_command: bool,
}

#[derive(Debug, Args)]
pub struct Allow {
    /// The .awssso.toml or its directory
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct Deny {
    /// The .awssso.toml or its directory
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct Exec {
    #[command(flatten)]
    pub source: Selection,
    /// Renew first when less than this is left on the credentials (e.g. 15m, 1h)
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub min_ttl: Option<Duration>,
    /// Give the command static AWS_* variables instead of a credential endpoint
    #[arg(long, conflicts_with = "container")]
    pub no_server: bool,
    /// CMD is a container engine's `run` (docker, podman, docker compose):
    /// the container gets the credentials, renewed while it runs
    #[arg(long)]
    pub container: bool,
    /// The command and its arguments
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
#[command(after_long_help = CONTAINER_ARGS_HELP)]
pub struct ContainerArgs {
    #[command(flatten)]
    pub source: Selection,
    /// Print only the grant's host directory, to mount at /run/ssoenv
    /// (dev containers, compose files: see the guide's Containers page)
    #[arg(long)]
    pub dir: bool,
}

const CONTAINER_ARGS_HELP: &str = "\
The flags go right after `run`, as `ssoenv exec --container` puts them:
  docker run $(ssoenv container-args) IMAGE CMD…
They mount a grant (a Unix socket, an AWS config file whose credential_process
reads it, and ssoenv's static relay) at /run/ssoenv, read-only, and set
AWS_CONFIG_FILE. The grant is served until the process that ran
container-args (the shell or script) exits; then it is removed.";

#[derive(Debug, Args)]
pub struct Login {
    #[command(flatten)]
    pub source: Selection,
    /// Use the device-code flow (for SSH sessions and machines without a browser)
    #[arg(long)]
    pub device_code: bool,
    /// Do not open a browser; print the URL to open instead
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Args)]
pub struct Logout {
    #[command(flatten)]
    pub source: Selection,
}

#[derive(Debug, Args)]
pub struct Status {
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct List {
    #[command(flatten)]
    pub source: Selection,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
    /// Ignore the cached list and ask the portal again
    #[arg(long)]
    pub refresh: bool,
}

#[derive(Debug, Args)]
pub struct Init {
    /// Account id to use (skips the picker)
    #[arg(long)]
    pub account: Option<String>,
    /// Role name to use (skips the picker)
    #[arg(long)]
    pub role: Option<String>,
    /// Region to export as AWS_REGION and AWS_DEFAULT_REGION
    #[arg(long)]
    pub region: Option<String>,
    /// Take the SSO session from this AWS config profile (and the account
    /// and role, when it names them and --account and --role are not given)
    #[arg(long)]
    pub profile: Option<String>,
    /// Overwrite an existing .awssso.toml
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CredentialProcess {
    #[command(flatten)]
    pub source: Selection,
    /// Take the SSO session from this [sso-session NAME] of the AWS config
    /// file, with --account-id and --role-name (what `profiles sync
    /// --credential-process` writes)
    #[arg(long, value_name = "NAME", conflicts_with_all = ["config", "profile"], requires_all = ["account_id", "role_name"])]
    pub sso_session: Option<String>,
    /// The account, with --sso-session
    #[arg(long, value_name = "ID", requires = "sso_session")]
    pub account_id: Option<String>,
    /// The permission set, with --sso-session
    #[arg(long, value_name = "NAME", requires = "sso_session")]
    pub role_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct Use {
    /// ACCOUNT/ROLE: a 12-digit account id or an exact account name from
    /// `ssoenv list`, and a permission set
    #[arg(value_name = "ACCOUNT/ROLE", conflicts_with_all = ["profile", "config", "off"])]
    pub choice: Option<String>,
    /// Use this profile of the AWS config file (SSO, chained, or written by `profiles sync`)
    #[arg(long, value_name = "NAME", conflicts_with_all = ["config", "off"])]
    pub profile: Option<String>,
    /// Use this .awssso.toml (it must be allowed)
    #[arg(long, value_name = "FILE", conflicts_with = "off")]
    pub config: Option<PathBuf>,
    /// End the switch: the directory decides again
    #[arg(long)]
    pub off: bool,
    /// Ignore the cached account list and ask the portal again
    #[arg(long)]
    pub refresh: bool,
    /// The shell whose code to print (the hook's `ssoenv` function passes it)
    #[arg(long, value_enum, hide = true)]
    pub shell: Option<HookShell>,
    /// Write tcsh code to this file instead of printing it (`Cli::tcsh_use_code`)
    #[arg(skip)]
    pub tcsh_code_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct Profiles {
    #[command(subcommand)]
    pub command: ProfilesCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Write a [profile] for every account and role the SSO session reaches,
    /// and keep them in step: only profiles this command wrote are changed
    Sync(ProfilesSync),
    /// Print the names of the AWS config file's profiles, one per line (what
    /// --profile takes; the completions offer them)
    List(ProfilesList),
}

#[derive(Debug, Args)]
pub struct ProfilesList {}

#[derive(Debug, Args)]
pub struct ProfilesSync {
    #[command(flatten)]
    pub source: Selection,
    /// Sync this [sso-session NAME] of the AWS config file
    #[arg(long, value_name = "NAME", conflicts_with_all = ["config", "profile"])]
    pub sso_session: Option<String>,
    /// Also remove synced profiles whose account or role is gone
    #[arg(long)]
    pub prune: bool,
    /// With --prune, also remove those that hold keys you added (output,
    /// cli_pager, …), which --prune alone keeps and names
    #[arg(long, requires = "prune")]
    pub force: bool,
    /// Print the change as a unified diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Profiles get credentials through `ssoenv credential-process` (its cache
    /// and renewal) instead of the AWS tools' own SSO support
    #[arg(long)]
    pub credential_process: bool,
    /// Profile names, from {account_name}, {account_id}, {role_name} and {session}
    #[arg(
        long,
        value_name = "TEMPLATE",
        default_value = "{account_name}/{role_name}"
    )]
    pub name: String,
    /// The region every profile gets (default: region of the ssoenv config
    /// file, else the SSO session's region)
    #[arg(long)]
    pub region: Option<String>,
    /// Ignore the cached account list and ask the portal again
    #[arg(long)]
    pub refresh: bool,
}

/// The AWS CLI's `configure export-credentials` formats, plus `ini`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CredentialFormat {
    /// `export NAME=value` lines for POSIX shells
    Env,
    /// `NAME=value` lines
    EnvNoExport,
    /// `set -gx NAME value` lines for fish
    Fish,
    /// `$Env:NAME = 'value'` lines for PowerShell
    Powershell,
    /// credential_process JSON
    Process,
    /// a section for the shared credentials file
    Ini,
}

#[derive(Debug, Args)]
pub struct ExportCredentials {
    #[command(flatten)]
    pub source: Selection,
    #[arg(long, value_enum, default_value = "env")]
    pub format: CredentialFormat,
}

#[derive(Debug, Args)]
pub struct Console {
    #[command(flatten)]
    pub source: Selection,
    /// Print the sign-in URL instead of opening a browser (it works once, within 15 minutes)
    #[arg(long)]
    pub print: bool,
    /// The console's region (default: the config's region, else the SSO region)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Where to land: a service (s3, ec2, cloudformation, …) or a console URL
    #[arg(long, value_name = "URL_OR_SERVICE")]
    pub destination: Option<String>,
}

#[derive(Debug, Args)]
pub struct WriteCredentials {
    #[command(flatten)]
    pub source: Selection,
    /// The profile (section) name to write (default: ACCOUNT_ROLE, as the SSO portal names it)
    #[arg(long, value_name = "SECTION")]
    pub name: Option<String>,
    /// Remove the section instead of writing it
    #[arg(long)]
    pub remove: bool,
}

#[derive(Debug, Args)]
pub struct Agent {
    #[command(subcommand)]
    pub action: Option<AgentAction>,
    /// Exit after this long without a request (default: $SSOENV_AGENT_IDLE, else 12h)
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub idle: Option<Duration>,
    /// Started by a prompt: stdout is the starter's pipe
    #[arg(long, hide = true)]
    pub launched: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum AgentAction {
    /// Say whether the agent runs, and where
    Status,
    /// Stop the agent (shells start a new one at their next prompt when they need it)
    Stop,
}

#[derive(Debug, Args)]
pub struct Man {}

#[derive(Debug, Args)]
pub struct Completions {
    pub shell: CompletionShell,
}

/// Shells `ssoenv completions` writes for: clap_complete's five, and Nushell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
    Elvish,
    #[value(alias = "nu")]
    Nushell,
}

/// Parses durations such as `90s`, `15m`, `1h 30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (write it like 90s, 15m or 1h30m)"))
}
