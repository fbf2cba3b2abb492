module completions {

  # AWS IAM Identity Center (SSO) credentials that follow the directory your shell is in
  export extern ssoenv [
    --tcsh-use-code: path     # Where `use` writes its tcsh code instead of stdout (the tcsh hook's alias passes it)
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  def "nu-complete ssoenv hook shell" [] {
    [ "bash" "zsh" "fish" "pwsh" "elvish" "tcsh" "xonsh" "nu" ]
  }

  # Print the snippet that hooks ssoenv into your shell's prompt
  export extern "ssoenv hook" [
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
    shell: string@"nu-complete ssoenv hook shell"
  ]

  def "nu-complete ssoenv export target" [] {
    [ "bash" "zsh" "fish" "pwsh" "elvish" "tcsh" "xonsh" "nu" "json" ]
  }

  # Per-prompt callback: print shell code for what changed (used by the hook)
  export extern "ssoenv export" [
    --before-command          # The hook's call before a command line runs: renew first when less than `min_ttl` is left (the call before a prompt renews within `refresh_before`)
    --help(-h)                # Print help
    --version(-V)             # Print version
    target: string@"nu-complete ssoenv export target"
  ]

  # Trust a .awssso.toml (default: the nearest one above the current directory)
  export extern "ssoenv allow" [
    --help(-h)                # Print help
    --version(-V)             # Print version
    path?: path               # The .awssso.toml or its directory
  ]

  # Withdraw trust from a .awssso.toml
  export extern "ssoenv deny" [
    --help(-h)                # Print help
    --version(-V)             # Print version
    path?: path               # The .awssso.toml or its directory
  ]

  # Run a command with fresh credentials for the current directory
  export extern "ssoenv exec" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --min-ttl: string         # Renew first when less than this is left on the credentials (e.g. 15m, 1h)
    --no-server               # Give the command static AWS_* variables instead of a credential endpoint
    --container               # CMD is a container engine's `run` (docker, podman, docker compose): the container gets the credentials, renewed while it runs
    --help(-h)                # Print help
    --version(-V)             # Print version
    ...command: string        # The command and its arguments
  ]

  # Sign in to the SSO session (browser with PKCE, or device code)
  export extern "ssoenv login" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --device-code             # Use the device-code flow (for SSH sessions and machines without a browser)
    --no-browser              # Do not open a browser; print the URL to open instead
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Sign out: end the SSO session and remove cached tokens and credentials
  export extern "ssoenv logout" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Show which config and credentials are active, and when they expire
  export extern "ssoenv status" [
    --json                    # Machine-readable output
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # List the accounts and roles the SSO session can reach
  export extern "ssoenv list" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --json                    # Machine-readable output
    --refresh                 # Ignore the cached list and ask the portal again
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Write a .awssso.toml for the current directory
  export extern "ssoenv init" [
    --account: string         # Account id to use (skips the picker)
    --role: string            # Role name to use (skips the picker)
    --region: string          # Region to export as AWS_REGION and AWS_DEFAULT_REGION
    --profile: string         # Take the SSO session from this AWS config profile (and the account and role, when it names them and --account and --role are not given)
    --force                   # Overwrite an existing .awssso.toml
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Print credentials as `credential_process` JSON for ~/.aws/config
  export extern "ssoenv credential-process" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --sso-session: string     # Take the SSO session from this [sso-session NAME] of the AWS config file, with --account-id and --role-name (what `profiles sync --credential-process` writes)
    --account-id: string      # The account, with --sso-session
    --role-name: string       # The permission set, with --sso-session
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Print the flags that give a container this directory's credentials, one per line, served while the calling shell lives
  export extern "ssoenv container-args" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --dir                     # Print only the grant's host directory, to mount at /run/ssoenv (dev containers, compose files: see the guide's Containers page)
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
  ]

  def "nu-complete ssoenv export-credentials format" [] {
    [ "env" "env-no-export" "fish" "powershell" "process" "ini" ]
  }

  # Print the current credentials once, in the AWS CLI's formats
  export extern "ssoenv export-credentials" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --format: string@"nu-complete ssoenv export-credentials format"
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
  ]

  # Open the AWS console signed in as this directory's role
  export extern "ssoenv console" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --print                   # Print the sign-in URL instead of opening a browser (it works once, within 15 minutes)
    --region: string          # The console's region (default: the config's region, else the SSO region)
    --destination: string     # Where to land: a service (s3, ec2, cloudformation, …) or a console URL
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Write this directory's credentials as a profile of the shared credentials file
  export extern "ssoenv write-credentials" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --name: string            # The profile (section) name to write (default: ACCOUNT_ROLE, as the SSO portal names it)
    --remove                  # Remove the section instead of writing it
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Keep one AWS config profile per account and role of the SSO session
  export extern "ssoenv profiles" [
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed
  export extern "ssoenv profiles sync" [
    --config: path            # Use this .awssso.toml instead of the one found above the current directory
    --profile: string         # Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)
    --sso-session: string     # Sync this [sso-session NAME] of the AWS config file
    --prune                   # Also remove synced profiles whose account or role is gone
    --force                   # With --prune, also remove those that hold keys you added (output, cli_pager, …), which --prune alone keeps and names
    --dry-run                 # Print the change as a unified diff and write nothing
    --credential-process      # Profiles get credentials through `ssoenv credential-process` (its cache and renewal) instead of the AWS tools' own SSO support
    --name: string            # Profile names, from {account_name}, {account_id}, {role_name} and {session}
    --region: string          # The region every profile gets (default: region of the ssoenv config file, else the SSO session's region)
    --refresh                 # Ignore the cached account list and ask the portal again
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Print the names of the AWS config file's profiles, one per line (what --profile takes; the completions offer them)
  export extern "ssoenv profiles list" [
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "ssoenv profiles help" [
  ]

  # Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed
  export extern "ssoenv profiles help sync" [
  ]

  # Print the names of the AWS config file's profiles, one per line (what --profile takes; the completions offer them)
  export extern "ssoenv profiles help list" [
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "ssoenv profiles help help" [
  ]

  def "nu-complete ssoenv use shell" [] {
    [ "bash" "zsh" "fish" "pwsh" "elvish" "tcsh" "xonsh" "nu" ]
  }

  # Switch this shell to an account and role, whatever the directory (through the shell hook's `ssoenv` function)
  export extern "ssoenv use" [
    --profile: string         # Use this profile of the AWS config file (SSO, chained, or written by `profiles sync`)
    --config: path            # Use this .awssso.toml (it must be allowed)
    --off                     # End the switch: the directory decides again
    --refresh                 # Ignore the cached account list and ask the portal again
    --shell: string@"nu-complete ssoenv use shell" # The shell whose code to print (the hook's `ssoenv` function passes it)
    --help(-h)                # Print help
    --version(-V)             # Print version
    choice?: string           # ACCOUNT/ROLE: a 12-digit account id or an exact account name from `ssoenv list`, and a permission set
  ]

  def "nu-complete ssoenv completions shell" [] {
    [ "bash" "zsh" "fish" "powershell" "elvish" "nushell" ]
  }

  # Print shell completions
  export extern "ssoenv completions" [
    --help(-h)                # Print help
    --version(-V)             # Print version
    shell: string@"nu-complete ssoenv completions shell"
  ]

  # Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`
  export extern "ssoenv man" [
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # The per-user credential endpoint behind credentials = "endpoint" (started on demand)
  export extern "ssoenv agent" [
    --idle: string            # Exit after this long without a request (default: $SSOENV_AGENT_IDLE, else 12h)
    --launched                # Started by a prompt: stdout is the starter's pipe
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Say whether the agent runs, and where
  export extern "ssoenv agent status" [
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Stop the agent (shells start a new one at their next prompt when they need it)
  export extern "ssoenv agent stop" [
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "ssoenv agent help" [
  ]

  # Say whether the agent runs, and where
  export extern "ssoenv agent help status" [
  ]

  # Stop the agent (shells start a new one at their next prompt when they need it)
  export extern "ssoenv agent help stop" [
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "ssoenv agent help help" [
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "ssoenv help" [
  ]

  # Print the snippet that hooks ssoenv into your shell's prompt
  export extern "ssoenv help hook" [
  ]

  # Per-prompt callback: print shell code for what changed (used by the hook)
  export extern "ssoenv help export" [
  ]

  # Trust a .awssso.toml (default: the nearest one above the current directory)
  export extern "ssoenv help allow" [
  ]

  # Withdraw trust from a .awssso.toml
  export extern "ssoenv help deny" [
  ]

  # Run a command with fresh credentials for the current directory
  export extern "ssoenv help exec" [
  ]

  # Sign in to the SSO session (browser with PKCE, or device code)
  export extern "ssoenv help login" [
  ]

  # Sign out: end the SSO session and remove cached tokens and credentials
  export extern "ssoenv help logout" [
  ]

  # Show which config and credentials are active, and when they expire
  export extern "ssoenv help status" [
  ]

  # List the accounts and roles the SSO session can reach
  export extern "ssoenv help list" [
  ]

  # Write a .awssso.toml for the current directory
  export extern "ssoenv help init" [
  ]

  # Print credentials as `credential_process` JSON for ~/.aws/config
  export extern "ssoenv help credential-process" [
  ]

  # Print the flags that give a container this directory's credentials, one per line, served while the calling shell lives
  export extern "ssoenv help container-args" [
  ]

  # Print the current credentials once, in the AWS CLI's formats
  export extern "ssoenv help export-credentials" [
  ]

  # Open the AWS console signed in as this directory's role
  export extern "ssoenv help console" [
  ]

  # Write this directory's credentials as a profile of the shared credentials file
  export extern "ssoenv help write-credentials" [
  ]

  # Keep one AWS config profile per account and role of the SSO session
  export extern "ssoenv help profiles" [
  ]

  # Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed
  export extern "ssoenv help profiles sync" [
  ]

  # Print the names of the AWS config file's profiles, one per line (what --profile takes; the completions offer them)
  export extern "ssoenv help profiles list" [
  ]

  # Switch this shell to an account and role, whatever the directory (through the shell hook's `ssoenv` function)
  export extern "ssoenv help use" [
  ]

  # Print shell completions
  export extern "ssoenv help completions" [
  ]

  # Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`
  export extern "ssoenv help man" [
  ]

  # The per-user credential endpoint behind credentials = "endpoint" (started on demand)
  export extern "ssoenv help agent" [
  ]

  # Say whether the agent runs, and where
  export extern "ssoenv help agent status" [
  ]

  # Stop the agent (shells start a new one at their next prompt when they need it)
  export extern "ssoenv help agent stop" [
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "ssoenv help help" [
  ]

}

export use completions *
