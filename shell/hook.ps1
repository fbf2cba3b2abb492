# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to $PROFILE:  Invoke-Expression (& ssoenv hook pwsh | Out-String)

# Loading this twice would wrap the prompt around itself.
if (-not (Microsoft.PowerShell.Core\Get-Module -Name SsoenvHook)) {
    # A module keeps the hook's state out of the global scope: the code that
    # `ssoenv export pwsh` prints keeps saved values in this module's $script: scope.
    Microsoft.PowerShell.Core\New-Module -Name SsoenvHook -ArgumentList $function:prompt -ScriptBlock {
        param($previousPrompt)
        if ($null -eq $previousPrompt) {
            $previousPrompt = { "PS $($ExecutionContext.SessionState.Path.CurrentLocation)> " }
        }

        # The idle check: after each decision `ssoenv export` sets this to a
        # script block with the facts that decision rests on (the directory,
        # the files' times, a deadline, the values it exported), compared with
        # .NET calls only. While they hold, a prompt starts no process. Until
        # the first decision, and whenever a fact changed, ssoenv decides.
        $script:_ssoenv_unchanged = $null

        function global:prompt {
            # Read before anything else runs: every statement changes them.
            $previousSuccess = $global:?
            $previousExitCode = Microsoft.PowerShell.Utility\Get-Variable -Scope Global -Name LASTEXITCODE -ValueOnly -ErrorAction Ignore

            $unchanged = $false
            if ($null -ne $script:_ssoenv_unchanged) {
                try { $unchanged = & $script:_ssoenv_unchanged 'prompt' } catch { $unchanged = $false }
            }
            if (-not $unchanged) {
                # PowerShell decodes a native command's output with this; ssoenv writes UTF-8.
                $previousEncoding = [System.Console]::OutputEncoding
                # PowerShell keeps no PWD in the environment: ssoenv is given
                # the location the idle check compares, for this call only.
                $previousPwd = [System.Environment]::GetEnvironmentVariable('PWD')
                # A decision without a check (or a failed run) leaves none.
                $script:_ssoenv_unchanged = $null
                try {
                    [System.Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
                    [System.Environment]::SetEnvironmentVariable('PWD', $ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath)
                    $code = & __SSOENV_EXE__ export pwsh | Microsoft.PowerShell.Utility\Out-String
                    # Invoke-Expression refuses an empty string.
                    if (-not [string]::IsNullOrWhiteSpace($code)) {
                        Microsoft.PowerShell.Utility\Invoke-Expression -Command $code
                    }
                } catch {
                    # The prompt must still appear when the hook fails.
                    Microsoft.PowerShell.Utility\Write-Warning -Message "ssoenv: $_"
                } finally {
                    [System.Console]::OutputEncoding = $previousEncoding
                    [System.Environment]::SetEnvironmentVariable('PWD', $previousPwd)
                }
            }

            if ($null -eq $previousExitCode) {
                Microsoft.PowerShell.Utility\Remove-Variable -Scope Global -Name LASTEXITCODE -ErrorAction Ignore
            } else {
                $global:LASTEXITCODE = $previousExitCode
            }
            # $? cannot be assigned: end with a statement that leaves it as the
            # user's last command did, so the wrapped prompt reports that command.
            if ($previousSuccess) {
                $null = 0
            } else {
                Microsoft.PowerShell.Utility\Write-Error -Message '' -ErrorAction Ignore
            }
            & $previousPrompt
        }

        # `ssoenv use` switches this shell to another account and role,
        # which a command cannot do to its shell: this function runs it and
        # evaluates what it prints (SSOENV_USE, set or unset) in this
        # module, as the prompt does; a failed use changes nothing.
        # Everything else goes to the binary as it is. The next prompt
        # loads the choice.
        function global:ssoenv {
            if ($args.Count -gt 0 -and $args[0] -ceq 'use') {
                $rest = @($args | Microsoft.PowerShell.Utility\Select-Object -Skip 1)
                $code = & __SSOENV_EXE__ use --shell pwsh @rest | Microsoft.PowerShell.Utility\Out-String
                if ($LASTEXITCODE -eq 0 -and -not [string]::IsNullOrWhiteSpace($code)) {
                    Microsoft.PowerShell.Utility\Invoke-Expression -Command $code
                }
            } else {
                & __SSOENV_EXE__ @args
            }
        }
    } | Microsoft.PowerShell.Core\Import-Module -Global
}
