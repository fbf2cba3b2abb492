
use builtin;
use str;

set edit:completion:arg-completer[ssoenv] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ssoenv'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ssoenv'= {
            cand --tcsh-use-code 'Where `use` writes its tcsh code instead of stdout (the tcsh hook''s alias passes it)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand hook 'Print the snippet that hooks ssoenv into your shell''s prompt'
            cand export 'Per-prompt callback: print shell code for what changed (used by the hook)'
            cand allow 'Trust a .awssso.toml (default: the nearest one above the current directory)'
            cand deny 'Withdraw trust from a .awssso.toml'
            cand exec 'Run a command with fresh credentials for the current directory'
            cand login 'Sign in to the SSO session (browser with PKCE, or device code)'
            cand logout 'Sign out: end the SSO session and remove cached tokens and credentials'
            cand status 'Show which config and credentials are active, and when they expire'
            cand list 'List the accounts and roles the SSO session can reach'
            cand init 'Write a .awssso.toml for the current directory'
            cand credential-process 'Print credentials as `credential_process` JSON for ~/.aws/config'
            cand container-args 'Print the flags that give a container this directory''s credentials, one per line, served while the calling shell lives'
            cand export-credentials 'Print the current credentials once, in the AWS CLI''s formats'
            cand console 'Open the AWS console signed in as this directory''s role'
            cand write-credentials 'Write this directory''s credentials as a profile of the shared credentials file'
            cand profiles 'Keep one AWS config profile per account and role of the SSO session'
            cand use 'Switch this shell to an account and role, whatever the directory (through the shell hook''s `ssoenv` function)'
            cand completions 'Print shell completions'
            cand man 'Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`'
            cand agent 'The per-user credential endpoint behind credentials = "endpoint" (started on demand)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ssoenv;hook'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;export'= {
            cand --before-command 'The hook''s call before a command line runs: renew first when less than `min_ttl` is left (the call before a prompt renews within `refresh_before`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;allow'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;deny'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;exec'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --min-ttl 'Renew first when less than this is left on the credentials (e.g. 15m, 1h)'
            cand --no-server 'Give the command static AWS_* variables instead of a credential endpoint'
            cand --container 'CMD is a container engine''s `run` (docker, podman, docker compose): the container gets the credentials, renewed while it runs'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;login'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --device-code 'Use the device-code flow (for SSH sessions and machines without a browser)'
            cand --no-browser 'Do not open a browser; print the URL to open instead'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;logout'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;status'= {
            cand --json 'Machine-readable output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;list'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --json 'Machine-readable output'
            cand --refresh 'Ignore the cached list and ask the portal again'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;init'= {
            cand --account 'Account id to use (skips the picker)'
            cand --role 'Role name to use (skips the picker)'
            cand --region 'Region to export as AWS_REGION and AWS_DEFAULT_REGION'
            cand --profile 'Take the SSO session from this AWS config profile (and the account and role, when it names them and --account and --role are not given)'
            cand --force 'Overwrite an existing .awssso.toml'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;credential-process'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --sso-session 'Take the SSO session from this [sso-session NAME] of the AWS config file, with --account-id and --role-name (what `profiles sync --credential-process` writes)'
            cand --account-id 'The account, with --sso-session'
            cand --role-name 'The permission set, with --sso-session'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;container-args'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --dir 'Print only the grant''s host directory, to mount at /run/ssoenv (dev containers, compose files: see the guide''s Containers page)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;export-credentials'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --format 'format'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;console'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --region 'The console''s region (default: the config''s region, else the SSO region)'
            cand --destination 'Where to land: a service (s3, ec2, cloudformation, …) or a console URL'
            cand --print 'Print the sign-in URL instead of opening a browser (it works once, within 15 minutes)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;write-credentials'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --name 'The profile (section) name to write (default: ACCOUNT_ROLE, as the SSO portal names it)'
            cand --remove 'Remove the section instead of writing it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;profiles'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand sync 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed'
            cand list 'Print the names of the AWS config file''s profiles, one per line (what --profile takes; the completions offer them)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ssoenv;profiles;sync'= {
            cand --config 'Use this .awssso.toml instead of the one found above the current directory'
            cand --profile 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)'
            cand --sso-session 'Sync this [sso-session NAME] of the AWS config file'
            cand --name 'Profile names, from {account_name}, {account_id}, {role_name} and {session}'
            cand --region 'The region every profile gets (default: region of the ssoenv config file, else the SSO session''s region)'
            cand --prune 'Also remove synced profiles whose account or role is gone'
            cand --force 'With --prune, also remove those that hold keys you added (output, cli_pager, …), which --prune alone keeps and names'
            cand --dry-run 'Print the change as a unified diff and write nothing'
            cand --credential-process 'Profiles get credentials through `ssoenv credential-process` (its cache and renewal) instead of the AWS tools'' own SSO support'
            cand --refresh 'Ignore the cached account list and ask the portal again'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;profiles;list'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;profiles;help'= {
            cand sync 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed'
            cand list 'Print the names of the AWS config file''s profiles, one per line (what --profile takes; the completions offer them)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ssoenv;profiles;help;sync'= {
        }
        &'ssoenv;profiles;help;list'= {
        }
        &'ssoenv;profiles;help;help'= {
        }
        &'ssoenv;use'= {
            cand --profile 'Use this profile of the AWS config file (SSO, chained, or written by `profiles sync`)'
            cand --config 'Use this .awssso.toml (it must be allowed)'
            cand --shell 'The shell whose code to print (the hook''s `ssoenv` function passes it)'
            cand --off 'End the switch: the directory decides again'
            cand --refresh 'Ignore the cached account list and ask the portal again'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;agent'= {
            cand --idle 'Exit after this long without a request (default: $SSOENV_AGENT_IDLE, else 12h)'
            cand --launched 'Started by a prompt: stdout is the starter''s pipe'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Say whether the agent runs, and where'
            cand stop 'Stop the agent (shells start a new one at their next prompt when they need it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ssoenv;agent;status'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;agent;stop'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ssoenv;agent;help'= {
            cand status 'Say whether the agent runs, and where'
            cand stop 'Stop the agent (shells start a new one at their next prompt when they need it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ssoenv;agent;help;status'= {
        }
        &'ssoenv;agent;help;stop'= {
        }
        &'ssoenv;agent;help;help'= {
        }
        &'ssoenv;help'= {
            cand hook 'Print the snippet that hooks ssoenv into your shell''s prompt'
            cand export 'Per-prompt callback: print shell code for what changed (used by the hook)'
            cand allow 'Trust a .awssso.toml (default: the nearest one above the current directory)'
            cand deny 'Withdraw trust from a .awssso.toml'
            cand exec 'Run a command with fresh credentials for the current directory'
            cand login 'Sign in to the SSO session (browser with PKCE, or device code)'
            cand logout 'Sign out: end the SSO session and remove cached tokens and credentials'
            cand status 'Show which config and credentials are active, and when they expire'
            cand list 'List the accounts and roles the SSO session can reach'
            cand init 'Write a .awssso.toml for the current directory'
            cand credential-process 'Print credentials as `credential_process` JSON for ~/.aws/config'
            cand container-args 'Print the flags that give a container this directory''s credentials, one per line, served while the calling shell lives'
            cand export-credentials 'Print the current credentials once, in the AWS CLI''s formats'
            cand console 'Open the AWS console signed in as this directory''s role'
            cand write-credentials 'Write this directory''s credentials as a profile of the shared credentials file'
            cand profiles 'Keep one AWS config profile per account and role of the SSO session'
            cand use 'Switch this shell to an account and role, whatever the directory (through the shell hook''s `ssoenv` function)'
            cand completions 'Print shell completions'
            cand man 'Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`'
            cand agent 'The per-user credential endpoint behind credentials = "endpoint" (started on demand)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ssoenv;help;hook'= {
        }
        &'ssoenv;help;export'= {
        }
        &'ssoenv;help;allow'= {
        }
        &'ssoenv;help;deny'= {
        }
        &'ssoenv;help;exec'= {
        }
        &'ssoenv;help;login'= {
        }
        &'ssoenv;help;logout'= {
        }
        &'ssoenv;help;status'= {
        }
        &'ssoenv;help;list'= {
        }
        &'ssoenv;help;init'= {
        }
        &'ssoenv;help;credential-process'= {
        }
        &'ssoenv;help;container-args'= {
        }
        &'ssoenv;help;export-credentials'= {
        }
        &'ssoenv;help;console'= {
        }
        &'ssoenv;help;write-credentials'= {
        }
        &'ssoenv;help;profiles'= {
            cand sync 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed'
            cand list 'Print the names of the AWS config file''s profiles, one per line (what --profile takes; the completions offer them)'
        }
        &'ssoenv;help;profiles;sync'= {
        }
        &'ssoenv;help;profiles;list'= {
        }
        &'ssoenv;help;use'= {
        }
        &'ssoenv;help;completions'= {
        }
        &'ssoenv;help;man'= {
        }
        &'ssoenv;help;agent'= {
            cand status 'Say whether the agent runs, and where'
            cand stop 'Stop the agent (shells start a new one at their next prompt when they need it)'
        }
        &'ssoenv;help;agent;status'= {
        }
        &'ssoenv;help;agent;stop'= {
        }
        &'ssoenv;help;help'= {
        }
    ]
    $completions[$command]
}
