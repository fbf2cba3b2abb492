# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ssoenv_global_optspecs
    string join \n tcsh-use-code= h/help V/version
end

function __fish_ssoenv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ssoenv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ssoenv_using_subcommand
    set -l cmd (__fish_ssoenv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ssoenv -n "__fish_ssoenv_needs_command" -l tcsh-use-code -d 'Where `use` writes its tcsh code instead of stdout (the tcsh hook\'s alias passes it)' -r -F
complete -c ssoenv -n "__fish_ssoenv_needs_command" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "hook" -d 'Print the snippet that hooks ssoenv into your shell\'s prompt'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "export" -d 'Per-prompt callback: print shell code for what changed (used by the hook)'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "allow" -d 'Trust a .awssso.toml (default: the nearest one above the current directory)'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "deny" -d 'Withdraw trust from a .awssso.toml'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "exec" -d 'Run a command with fresh credentials for the current directory'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "login" -d 'Sign in to the SSO session (browser with PKCE, or device code)'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "logout" -d 'Sign out: end the SSO session and remove cached tokens and credentials'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "status" -d 'Show which config and credentials are active, and when they expire'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "list" -d 'List the accounts and roles the SSO session can reach'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "init" -d 'Write a .awssso.toml for the current directory'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "credential-process" -d 'Print credentials as `credential_process` JSON for ~/.aws/config'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "container-args" -d 'Print the flags that give a container this directory\'s credentials, one per line, served while the calling shell lives'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "export-credentials" -d 'Print the current credentials once, in the AWS CLI\'s formats'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "console" -d 'Open the AWS console signed in as this directory\'s role'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "write-credentials" -d 'Write this directory\'s credentials as a profile of the shared credentials file'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "profiles" -d 'Keep one AWS config profile per account and role of the SSO session'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "use" -d 'Switch this shell to an account and role, whatever the directory (through the shell hook\'s `ssoenv` function)'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "man" -d 'Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "agent" -d 'The per-user credential endpoint behind credentials = "endpoint" (started on demand)'
complete -c ssoenv -n "__fish_ssoenv_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand hook" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand hook" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export" -l before-command -d 'The hook\'s call before a command line runs: renew first when less than `min_ttl` is left (the call before a prompt renews within `refresh_before`)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand allow" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand allow" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand deny" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand deny" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand exec" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand exec" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand exec" -l min-ttl -d 'Renew first when less than this is left on the credentials (e.g. 15m, 1h)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand exec" -l no-server -d 'Give the command static AWS_* variables instead of a credential endpoint'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand exec" -l container -d 'CMD is a container engine\'s `run` (docker, podman, docker compose): the container gets the credentials, renewed while it runs'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand exec" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand exec" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand login" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand login" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand login" -l device-code -d 'Use the device-code flow (for SSH sessions and machines without a browser)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand login" -l no-browser -d 'Do not open a browser; print the URL to open instead'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand login" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand login" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand logout" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand logout" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand logout" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand logout" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand status" -l json -d 'Machine-readable output'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand status" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand status" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand list" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand list" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand list" -l json -d 'Machine-readable output'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand list" -l refresh -d 'Ignore the cached list and ask the portal again'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand list" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand list" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand init" -l account -d 'Account id to use (skips the picker)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand init" -l role -d 'Role name to use (skips the picker)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand init" -l region -d 'Region to export as AWS_REGION and AWS_DEFAULT_REGION' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand init" -l profile -d 'Take the SSO session from this AWS config profile (and the account and role, when it names them and --account and --role are not given)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand init" -l force -d 'Overwrite an existing .awssso.toml'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand init" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand init" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand credential-process" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand credential-process" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand credential-process" -l sso-session -d 'Take the SSO session from this [sso-session NAME] of the AWS config file, with --account-id and --role-name (what `profiles sync --credential-process` writes)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand credential-process" -l account-id -d 'The account, with --sso-session' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand credential-process" -l role-name -d 'The permission set, with --sso-session' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand credential-process" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand credential-process" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand container-args" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand container-args" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand container-args" -l dir -d 'Print only the grant\'s host directory, to mount at /run/ssoenv (dev containers, compose files: see the guide\'s Containers page)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand container-args" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand container-args" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export-credentials" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export-credentials" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export-credentials" -l format -r -f -a "env\t'`export NAME=value` lines for POSIX shells'
env-no-export\t'`NAME=value` lines'
fish\t'`set -gx NAME value` lines for fish'
powershell\t'`$Env:NAME = \'value\'` lines for PowerShell'
process\t'credential_process JSON'
ini\t'a section for the shared credentials file'"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export-credentials" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand export-credentials" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand console" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand console" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand console" -l region -d 'The console\'s region (default: the config\'s region, else the SSO region)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand console" -l destination -d 'Where to land: a service (s3, ec2, cloudformation, …) or a console URL' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand console" -l print -d 'Print the sign-in URL instead of opening a browser (it works once, within 15 minutes)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand console" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand console" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand write-credentials" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand write-credentials" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand write-credentials" -l name -d 'The profile (section) name to write (default: ACCOUNT_ROLE, as the SSO portal names it)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand write-credentials" -l remove -d 'Remove the section instead of writing it'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand write-credentials" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand write-credentials" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and not __fish_seen_subcommand_from sync list help" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and not __fish_seen_subcommand_from sync list help" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and not __fish_seen_subcommand_from sync list help" -f -a "sync" -d 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and not __fish_seen_subcommand_from sync list help" -f -a "list" -d 'Print the names of the AWS config file\'s profiles, one per line (what --profile takes; the completions offer them)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and not __fish_seen_subcommand_from sync list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l config -d 'Use this .awssso.toml instead of the one found above the current directory' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l profile -d 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l sso-session -d 'Sync this [sso-session NAME] of the AWS config file' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l name -d 'Profile names, from {account_name}, {account_id}, {role_name} and {session}' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l region -d 'The region every profile gets (default: region of the ssoenv config file, else the SSO session\'s region)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l prune -d 'Also remove synced profiles whose account or role is gone'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l force -d 'With --prune, also remove those that hold keys you added (output, cli_pager, …), which --prune alone keeps and names'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l dry-run -d 'Print the change as a unified diff and write nothing'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l credential-process -d 'Profiles get credentials through `ssoenv credential-process` (its cache and renewal) instead of the AWS tools\' own SSO support'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -l refresh -d 'Ignore the cached account list and ask the portal again'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from sync" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "list" -d 'Print the names of the AWS config file\'s profiles, one per line (what --profile takes; the completions offer them)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand profiles; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand use" -l profile -d 'Use this profile of the AWS config file (SSO, chained, or written by `profiles sync`)' -r -f -a "(ssoenv profiles list 2>/dev/null)"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand use" -l config -d 'Use this .awssso.toml (it must be allowed)' -r -F
complete -c ssoenv -n "__fish_ssoenv_using_subcommand use" -l shell -d 'The shell whose code to print (the hook\'s `ssoenv` function passes it)' -r -f -a "bash\t''
zsh\t''
fish\t''
pwsh\t''
elvish\t''
tcsh\t''
xonsh\t''
nu\t''"
complete -c ssoenv -n "__fish_ssoenv_using_subcommand use" -l off -d 'End the switch: the directory decides again'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand use" -l refresh -d 'Ignore the cached account list and ask the portal again'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand use" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand use" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand completions" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand completions" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand man" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand man" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and not __fish_seen_subcommand_from status stop help" -l idle -d 'Exit after this long without a request (default: $SSOENV_AGENT_IDLE, else 12h)' -r
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and not __fish_seen_subcommand_from status stop help" -l launched -d 'Started by a prompt: stdout is the starter\'s pipe'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and not __fish_seen_subcommand_from status stop help" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and not __fish_seen_subcommand_from status stop help" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and not __fish_seen_subcommand_from status stop help" -f -a "status" -d 'Say whether the agent runs, and where'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and not __fish_seen_subcommand_from status stop help" -f -a "stop" -d 'Stop the agent (shells start a new one at their next prompt when they need it)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and not __fish_seen_subcommand_from status stop help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "status" -d 'Say whether the agent runs, and where'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop the agent (shells start a new one at their next prompt when they need it)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "hook" -d 'Print the snippet that hooks ssoenv into your shell\'s prompt'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "export" -d 'Per-prompt callback: print shell code for what changed (used by the hook)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "allow" -d 'Trust a .awssso.toml (default: the nearest one above the current directory)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "deny" -d 'Withdraw trust from a .awssso.toml'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "exec" -d 'Run a command with fresh credentials for the current directory'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "login" -d 'Sign in to the SSO session (browser with PKCE, or device code)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "logout" -d 'Sign out: end the SSO session and remove cached tokens and credentials'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "status" -d 'Show which config and credentials are active, and when they expire'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "list" -d 'List the accounts and roles the SSO session can reach'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "init" -d 'Write a .awssso.toml for the current directory'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "credential-process" -d 'Print credentials as `credential_process` JSON for ~/.aws/config'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "container-args" -d 'Print the flags that give a container this directory\'s credentials, one per line, served while the calling shell lives'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "export-credentials" -d 'Print the current credentials once, in the AWS CLI\'s formats'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "console" -d 'Open the AWS console signed in as this directory\'s role'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "write-credentials" -d 'Write this directory\'s credentials as a profile of the shared credentials file'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "profiles" -d 'Keep one AWS config profile per account and role of the SSO session'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "use" -d 'Switch this shell to an account and role, whatever the directory (through the shell hook\'s `ssoenv` function)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "completions" -d 'Print shell completions'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "man" -d 'Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "agent" -d 'The per-user credential endpoint behind credentials = "endpoint" (started on demand)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and not __fish_seen_subcommand_from hook export allow deny exec login logout status list init credential-process container-args export-credentials console write-credentials profiles use completions man agent help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "sync" -d 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and __fish_seen_subcommand_from profiles" -f -a "list" -d 'Print the names of the AWS config file\'s profiles, one per line (what --profile takes; the completions offer them)'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "status" -d 'Say whether the agent runs, and where'
complete -c ssoenv -n "__fish_ssoenv_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "stop" -d 'Stop the agent (shells start a new one at their next prompt when they need it)'
