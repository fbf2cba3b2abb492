
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ssoenv' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ssoenv'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ssoenv' {
            [CompletionResult]::new('--tcsh-use-code', '--tcsh-use-code', [CompletionResultType]::ParameterName, 'Where `use` writes its tcsh code instead of stdout (the tcsh hook''s alias passes it)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Print the snippet that hooks ssoenv into your shell''s prompt')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Per-prompt callback: print shell code for what changed (used by the hook)')
            [CompletionResult]::new('allow', 'allow', [CompletionResultType]::ParameterValue, 'Trust a .awssso.toml (default: the nearest one above the current directory)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Withdraw trust from a .awssso.toml')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with fresh credentials for the current directory')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in to the SSO session (browser with PKCE, or device code)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Sign out: end the SSO session and remove cached tokens and credentials')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which config and credentials are active, and when they expire')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts and roles the SSO session can reach')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a .awssso.toml for the current directory')
            [CompletionResult]::new('credential-process', 'credential-process', [CompletionResultType]::ParameterValue, 'Print credentials as `credential_process` JSON for ~/.aws/config')
            [CompletionResult]::new('container-args', 'container-args', [CompletionResultType]::ParameterValue, 'Print the flags that give a container this directory''s credentials, one per line, served while the calling shell lives')
            [CompletionResult]::new('export-credentials', 'export-credentials', [CompletionResultType]::ParameterValue, 'Print the current credentials once, in the AWS CLI''s formats')
            [CompletionResult]::new('console', 'console', [CompletionResultType]::ParameterValue, 'Open the AWS console signed in as this directory''s role')
            [CompletionResult]::new('write-credentials', 'write-credentials', [CompletionResultType]::ParameterValue, 'Write this directory''s credentials as a profile of the shared credentials file')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'Keep one AWS config profile per account and role of the SSO session')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Switch this shell to an account and role, whatever the directory (through the shell hook''s `ssoenv` function)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'The per-user credential endpoint behind credentials = "endpoint" (started on demand)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ssoenv;hook' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;export' {
            [CompletionResult]::new('--before-command', '--before-command', [CompletionResultType]::ParameterName, 'The hook''s call before a command line runs: renew first when less than `min_ttl` is left (the call before a prompt renews within `refresh_before`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;allow' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;deny' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;exec' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--min-ttl', '--min-ttl', [CompletionResultType]::ParameterName, 'Renew first when less than this is left on the credentials (e.g. 15m, 1h)')
            [CompletionResult]::new('--no-server', '--no-server', [CompletionResultType]::ParameterName, 'Give the command static AWS_* variables instead of a credential endpoint')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'CMD is a container engine''s `run` (docker, podman, docker compose): the container gets the credentials, renewed while it runs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;login' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--device-code', '--device-code', [CompletionResultType]::ParameterName, 'Use the device-code flow (for SSH sessions and machines without a browser)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not open a browser; print the URL to open instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;logout' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;status' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore the cached list and ask the portal again')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;init' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account id to use (skips the picker)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Role name to use (skips the picker)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region to export as AWS_REGION and AWS_DEFAULT_REGION')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take the SSO session from this AWS config profile (and the account and role, when it names them and --account and --role are not given)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing .awssso.toml')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;credential-process' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--sso-session', '--sso-session', [CompletionResultType]::ParameterName, 'Take the SSO session from this [sso-session NAME] of the AWS config file, with --account-id and --role-name (what `profiles sync --credential-process` writes)')
            [CompletionResult]::new('--account-id', '--account-id', [CompletionResultType]::ParameterName, 'The account, with --sso-session')
            [CompletionResult]::new('--role-name', '--role-name', [CompletionResultType]::ParameterName, 'The permission set, with --sso-session')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;container-args' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Print only the grant''s host directory, to mount at /run/ssoenv (dev containers, compose files: see the guide''s Containers page)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;export-credentials' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;console' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The console''s region (default: the config''s region, else the SSO region)')
            [CompletionResult]::new('--destination', '--destination', [CompletionResultType]::ParameterName, 'Where to land: a service (s3, ec2, cloudformation, …) or a console URL')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Print the sign-in URL instead of opening a browser (it works once, within 15 minutes)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;write-credentials' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The profile (section) name to write (default: ACCOUNT_ROLE, as the SSO portal names it)')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Remove the section instead of writing it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;profiles' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the names of the AWS config file''s profiles, one per line (what --profile takes; the completions offer them)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ssoenv;profiles;sync' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml instead of the one found above the current directory')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (AWS_CONFIG_FILE or ~/.aws/config)')
            [CompletionResult]::new('--sso-session', '--sso-session', [CompletionResultType]::ParameterName, 'Sync this [sso-session NAME] of the AWS config file')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Profile names, from {account_name}, {account_id}, {role_name} and {session}')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The region every profile gets (default: region of the ssoenv config file, else the SSO session''s region)')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Also remove synced profiles whose account or role is gone')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --prune, also remove those that hold keys you added (output, cli_pager, …), which --prune alone keeps and names')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the change as a unified diff and write nothing')
            [CompletionResult]::new('--credential-process', '--credential-process', [CompletionResultType]::ParameterName, 'Profiles get credentials through `ssoenv credential-process` (its cache and renewal) instead of the AWS tools'' own SSO support')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore the cached account list and ask the portal again')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;profiles;list' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;profiles;help' {
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the names of the AWS config file''s profiles, one per line (what --profile takes; the completions offer them)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ssoenv;profiles;help;sync' {
            break
        }
        'ssoenv;profiles;help;list' {
            break
        }
        'ssoenv;profiles;help;help' {
            break
        }
        'ssoenv;use' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile of the AWS config file (SSO, chained, or written by `profiles sync`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Use this .awssso.toml (it must be allowed)')
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'The shell whose code to print (the hook''s `ssoenv` function passes it)')
            [CompletionResult]::new('--off', '--off', [CompletionResultType]::ParameterName, 'End the switch: the directory decides again')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore the cached account list and ask the portal again')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;agent' {
            [CompletionResult]::new('--idle', '--idle', [CompletionResultType]::ParameterName, 'Exit after this long without a request (default: $SSOENV_AGENT_IDLE, else 12h)')
            [CompletionResult]::new('--launched', '--launched', [CompletionResultType]::ParameterName, 'Started by a prompt: stdout is the starter''s pipe')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say whether the agent runs, and where')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the agent (shells start a new one at their next prompt when they need it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ssoenv;agent;status' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;agent;stop' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ssoenv;agent;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say whether the agent runs, and where')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the agent (shells start a new one at their next prompt when they need it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ssoenv;agent;help;status' {
            break
        }
        'ssoenv;agent;help;stop' {
            break
        }
        'ssoenv;agent;help;help' {
            break
        }
        'ssoenv;help' {
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Print the snippet that hooks ssoenv into your shell''s prompt')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Per-prompt callback: print shell code for what changed (used by the hook)')
            [CompletionResult]::new('allow', 'allow', [CompletionResultType]::ParameterValue, 'Trust a .awssso.toml (default: the nearest one above the current directory)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Withdraw trust from a .awssso.toml')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with fresh credentials for the current directory')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in to the SSO session (browser with PKCE, or device code)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Sign out: end the SSO session and remove cached tokens and credentials')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which config and credentials are active, and when they expire')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the accounts and roles the SSO session can reach')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a .awssso.toml for the current directory')
            [CompletionResult]::new('credential-process', 'credential-process', [CompletionResultType]::ParameterValue, 'Print credentials as `credential_process` JSON for ~/.aws/config')
            [CompletionResult]::new('container-args', 'container-args', [CompletionResultType]::ParameterValue, 'Print the flags that give a container this directory''s credentials, one per line, served while the calling shell lives')
            [CompletionResult]::new('export-credentials', 'export-credentials', [CompletionResultType]::ParameterValue, 'Print the current credentials once, in the AWS CLI''s formats')
            [CompletionResult]::new('console', 'console', [CompletionResultType]::ParameterValue, 'Open the AWS console signed in as this directory''s role')
            [CompletionResult]::new('write-credentials', 'write-credentials', [CompletionResultType]::ParameterValue, 'Write this directory''s credentials as a profile of the shared credentials file')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'Keep one AWS config profile per account and role of the SSO session')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Switch this shell to an account and role, whatever the directory (through the shell hook''s `ssoenv` function)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), for installs that come without it: `ssoenv man > ~/.local/share/man/man1/ssoenv.1`')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'The per-user credential endpoint behind credentials = "endpoint" (started on demand)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ssoenv;help;hook' {
            break
        }
        'ssoenv;help;export' {
            break
        }
        'ssoenv;help;allow' {
            break
        }
        'ssoenv;help;deny' {
            break
        }
        'ssoenv;help;exec' {
            break
        }
        'ssoenv;help;login' {
            break
        }
        'ssoenv;help;logout' {
            break
        }
        'ssoenv;help;status' {
            break
        }
        'ssoenv;help;list' {
            break
        }
        'ssoenv;help;init' {
            break
        }
        'ssoenv;help;credential-process' {
            break
        }
        'ssoenv;help;container-args' {
            break
        }
        'ssoenv;help;export-credentials' {
            break
        }
        'ssoenv;help;console' {
            break
        }
        'ssoenv;help;write-credentials' {
            break
        }
        'ssoenv;help;profiles' {
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Write a [profile] for every account and role the SSO session reaches, and keep them in step: only profiles this command wrote are changed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the names of the AWS config file''s profiles, one per line (what --profile takes; the completions offer them)')
            break
        }
        'ssoenv;help;profiles;sync' {
            break
        }
        'ssoenv;help;profiles;list' {
            break
        }
        'ssoenv;help;use' {
            break
        }
        'ssoenv;help;completions' {
            break
        }
        'ssoenv;help;man' {
            break
        }
        'ssoenv;help;agent' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say whether the agent runs, and where')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the agent (shells start a new one at their next prompt when they need it)')
            break
        }
        'ssoenv;help;agent;status' {
            break
        }
        'ssoenv;help;agent;stop' {
            break
        }
        'ssoenv;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
