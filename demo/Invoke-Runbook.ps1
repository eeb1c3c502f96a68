<#
.SYNOPSIS
    The runbook end to end against a local sandbox, printed as an operator sees it.
#>
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Duri.Ops.psd1') -Force

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

# Wide enough that tables are not cut when the output is not a terminal.
function Show { $input | Out-String -Width 160 -Stream | Where-Object { $_.Trim() } | Write-Host }

Write-Step 'obs-lint: Test-DuriRuleFile -Path module/rules (no output: no finding)'
$rules = Join-Path $PSScriptRoot '../module/rules'
Test-DuriRuleFile -Path $rules | Show
Write-Host ("Canonical rules clean (-Quiet): {0}" -f (Test-DuriRuleFile -Path $rules -Quiet))

Write-Step 'promql-unit: Invoke-DuriRuleTest -Path module/rules/tests (the canonical rules, HB 60s / SI 30s)'
Invoke-DuriRuleTest -Path (Join-Path $PSScriptRoot '../module/rules/tests') | Show

Write-Step 'The same rules scaled down for a fast rehearsal: Export-DuriRuleFile -HeartbeatInterval 2s -ScrapeInterval 1s'
$rehearsalRules = Join-Path ([IO.Path]::GetTempPath()) "duri-demo-rules-$PID"
Export-DuriRuleFile -Path $rehearsalRules -HeartbeatInterval 2s -ScrapeInterval 1s -NoTests | Show

Write-Step 'Start a local rehearsal stack with them: Start-DuriSandbox -ScrapeInterval 1s -RuleFile ...'
$sandbox = Start-DuriSandbox -ScrapeInterval 1s -RuleFile (Get-ChildItem $rehearsalRules -Filter *.rules.yml).FullName
try {
    $sandbox | Show

    Write-Step 'Runbook 1, verify_prometheus_targets.sh: Test-DuriPrometheusTarget -ExpectedJob prometheus, node'
    $sandbox | Test-DuriPrometheusTarget -ExpectedJob prometheus, node | Show
    Write-Host ("All targets healthy (-Quiet): {0}" -f ($sandbox | Test-DuriPrometheusTarget -Quiet))

    Write-Step 'Runbook 2, warm-up: Get-DuriHeartbeat before any beat, Write-DuriHeartbeat, then Get-DuriHeartbeat -Wait 30s'
    $sandbox | Get-DuriHeartbeat -ErrorAction Continue 2>&1 | ForEach-Object { Write-Host "  $_" }
    Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Count 4 -Interval 1s | Show
    $sandbox | Get-DuriHeartbeat -Wait 30s | Show

    Write-Step "Query: Invoke-DuriQuery 'up'"
    $sandbox | Invoke-DuriQuery 'up' | Show

    Write-Step "Range query: Invoke-DuriRangeQuery 'scrape_duration_seconds' -Since 5s -Step 1s"
    Start-Sleep -Seconds 3
    $sandbox | Invoke-DuriRangeQuery 'scrape_duration_seconds' -Since 5s -Step 1s | Show

    Write-Step 'Runbook 4, monitor_lyapunov_trend.sh scaled down: duri_lyapunov_v falling from 0.3, Watch-DuriLyapunovTrend -Duration 6s -Interval 1s'
    $lyapunovFile = Join-Path $sandbox.TextfileDirectory 'duri_lyapunov.prom'
    # Written aside and renamed, so that a scrape never sees half a file.
    $lyapunovWriter = Start-ThreadJob -ArgumentList $lyapunovFile -ScriptBlock {
        param($file)
        $started = Get-Date
        while ($true) {
            $value = 0.3 - 0.01 * ((Get-Date) - $started).TotalSeconds
            Set-Content -LiteralPath "$file.tmp" -Value ('duri_lyapunov_v{{metric_realm="prod"}} {0}' -f $value.ToString([cultureinfo]::InvariantCulture))
            Move-Item -LiteralPath "$file.tmp" -Destination $file -Force
            Start-Sleep -Milliseconds 250
        }
    }
    try {
        Start-Sleep -Seconds 2
        $trend = $sandbox | Watch-DuriLyapunovTrend -Duration 6s -Interval 1s -MinimumSamples 5
        $trend | Select-Object -SkipLast 1 | Show
        $trend[-1] | Show
        Write-Host 'The same from history: Get-DuriLyapunovTrend -Since 6s -Step 1s'
        $sandbox | Get-DuriLyapunovTrend -Since 6s -Step 1s -MinimumSamples 5 | Show
    }
    finally {
        $lyapunovWriter | Remove-Job -Force
    }
}
finally {
    Write-Step 'Stop-DuriSandbox'
    $sandbox | Stop-DuriSandbox -PassThru | Show
    Remove-Item -LiteralPath $rehearsalRules -Recurse -Force
}
