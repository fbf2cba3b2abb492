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

        function global:prompt {
            # Read before anything else runs: every statement changes them.
            $previousSuccess = $global:?
            $previousExitCode = Microsoft.PowerShell.Utility\Get-Variable -Scope Global -Name LASTEXITCODE -ValueOnly -ErrorAction Ignore

            # PowerShell decodes a native command's output with this; ssoenv writes UTF-8.
            $previousEncoding = [System.Console]::OutputEncoding
            try {
                [System.Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
                $code = & __SSOENV_EXE__ export pwsh | Microsoft.PowerShell.Utility\Out-String
                # Invoke-Expression refuses an empty string, and most prompts change nothing.
                if (-not [string]::IsNullOrWhiteSpace($code)) {
                    Microsoft.PowerShell.Utility\Invoke-Expression -Command $code
                }
            } catch {
                # The prompt must still appear when the hook fails.
                Microsoft.PowerShell.Utility\Write-Warning -Message "ssoenv: $_"
            } finally {
                [System.Console]::OutputEncoding = $previousEncoding
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
