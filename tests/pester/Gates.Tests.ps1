#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# The gate cmdlets through the built module, with the shipped policy: GO on a healthy realm, NO-GO with the
# reason once a gate breaks, -Quiet and -FailOnNoGo, and the views.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s -RuleFile @()
    $script:file = Join-Path $sandbox.TextfileDirectory 'gates-pester.prom'

    function script:Set-Gates([double] $Canary) {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000
        $text = @(
            'duri_heartbeat_ok{metric_realm="pester"} 1'
            'duri_lyapunov_v{metric_realm="pester"} 0.03'
            "duri_canary_unique_ratio{metric_realm=`"pester`"} $Canary"
            'duri_green_uptime_ratio{metric_realm="pester"} 1'
            "duri_heartbeat_timestamp_seconds{metric_realm=`"pester`"} $now"
        ) -join "`n"
        Set-Content -LiteralPath "$file.tmp" -Value $text
        Move-Item -LiteralPath "$file.tmp" -Destination $file -Force
    }

    function script:Wait-Decision([string] $Decision) {
        $deadline = (Get-Date).AddSeconds(20)
        while (($result = $sandbox | Test-DuriL4DryRun -Realm pester).Decision -ne $Decision -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 250 }
        $result
    }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'The L4 dry run through the module' {
    It 'is GO on a healthy realm, with the shipped policy found beside the module' {
        Set-Gates -Canary 0.97
        $decision = Wait-Decision 'GO'
        $decision.Decision | Should -Be 'GO'
        $decision.PolicyPath | Should -BeLike '*policy*l4-dryrun.yml'
        $decision.Gates.Status | Should -Be @('Pass', 'Pass', 'Pass', 'Pass')
        $sandbox | Test-DuriL4DryRun -Realm pester -Quiet | Should -BeTrue
        ($decision | Format-List | Out-String) | Should -Match 'Decision\s+: GO'
    }

    It 'is NO-GO with the failing gate and its reason once the canary drops, and -FailOnNoGo throws L4DryRunNoGo' {
        Set-Gates -Canary 0.85
        $decision = Wait-Decision 'NO-GO'
        $decision.Reasons | Should -Be @('Gate canary Violated: 0.85 is not >= 0.92.')
        $sandbox | Test-DuriL4DryRun -Realm pester -Quiet | Should -BeFalse
        { $sandbox | Test-DuriL4DryRun -Realm pester -FailOnNoGo } | Should -Throw -ErrorId 'L4DryRunNoGo,*'
        $table = $sandbox | Get-DuriGateStatus -Realm pester | Format-Table | Out-String
        $table | Should -Match 'canary\s+Violated\s+0\.85 >= 0\.92'
    }

    It 'holds the promotion without history and says what it needs' {
        $decision = $sandbox | Get-DuriPromotionDecision -Realm pester -Since 1m
        $decision.Verdict.ToString() | Should -Be 'Hold'
        $decision.Remaining | Should -Be ([timespan]::FromMinutes(15))
        ($decision | Format-Table | Out-String) | Should -Match 'Hold'
    }
}
