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

Write-Step 'Measured, not asserted: Measure-DuriHeartbeatAlarm for the seed''s rules (freshness on the writer''s clock) and the shipped ones'
Measure-DuriHeartbeatAlarm -HeartbeatInterval 60s -ScrapeInterval 30s -Window 6m -Freshness 75s -FreshnessOn WriterTime -WarningAction SilentlyContinue | Show
Measure-DuriHeartbeatAlarm -RuleFile (Join-Path $rules 'heartbeat.rules.yml') | Show

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

    Write-Step 'Runbook 1, reload_safe.sh: add a rule to the sandbox, then Invoke-DuriSafeReload -Force'
    $demoRule = Join-Path $sandbox.RulesDirectory 'demo.yml'
    Set-Content -LiteralPath $demoRule -Value "groups:`n  - name: demo`n    rules:`n      - record: duri_demo:targets_up`n        expr: sum(up)`n"
    $sandbox | Invoke-DuriSafeReload -Force | Show
    $reloadedAt = ($sandbox | Invoke-DuriQuery 'prometheus_config_last_reload_success_timestamp_seconds').Value

    Write-Step 'The same with a broken rule: the check fails, nothing is sent'
    Set-Content -LiteralPath $demoRule -Value "groups:`n  - name: demo`n    rules:`n      - record: duri_demo:targets_up`n        expr: sum(up`n"
    $sandbox | Invoke-DuriSafeReload -Force -ErrorAction SilentlyContinue -ErrorVariable reloadErrors | Show
    $reloadErrors | ForEach-Object { Write-Host "  error $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message.Split([Environment]::NewLine)[0])" }
    $stillAt = ($sandbox | Invoke-DuriQuery 'prometheus_config_last_reload_success_timestamp_seconds').Value
    Write-Host ("Last successful reload unchanged: {0} (the server still serves group demo: {1})" -f ($stillAt -eq $reloadedAt), [bool]($sandbox | Invoke-DuriQuery 'duri_demo:targets_up'))
    Remove-Item -LiteralPath $demoRule

    Write-Step 'Runbook 2, warm-up: Get-DuriHeartbeat before any beat, Write-DuriHeartbeat, then Get-DuriHeartbeat -Wait 30s'
    $sandbox | Get-DuriHeartbeat -ErrorAction Continue 2>&1 | ForEach-Object { Write-Host "  $_" }
    Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Count 4 -Interval 1s | Show
    $sandbox | Get-DuriHeartbeat -Wait 30s | Show

    Write-Step "Query: Invoke-DuriQuery 'up'"
    $sandbox | Invoke-DuriQuery 'up' | Show

    Write-Step "Range query: Invoke-DuriRangeQuery 'scrape_duration_seconds' -Since 5s -Step 1s"
    Start-Sleep -Seconds 3
    $sandbox | Invoke-DuriRangeQuery 'scrape_duration_seconds' -Since 5s -Step 1s | Show

    Write-Step 'Runbook 3, l4_dryrun_decision.sh: Test-DuriL4DryRun on a healthy sandbox (the shipped policy, realm prod)'
    $beats = Start-ThreadJob -ArgumentList (Join-Path $PSScriptRoot '../Duri.Ops.psd1'), $sandbox.TextfileDirectory -ScriptBlock {
        param($module, $directory)
        Import-Module $module
        Write-DuriHeartbeat -Directory $directory -Count 120 -Interval 1s
    }
    # The gate metrics as their writers export them; duri_heartbeat_ok and duri_green_uptime_ratio come from the rules.
    $gates = Join-Path $sandbox.TextfileDirectory 'duri_gates.prom'
    function Set-GateMetrics([double] $Canary) {
        Set-Content -LiteralPath "$gates.tmp" -Value ("duri_lyapunov_v{{metric_realm=`"prod`"}} 0.04`nduri_canary_unique_ratio{{metric_realm=`"prod`"}} {0}`nduri_green{{metric_realm=`"prod`"}} 1" -f $Canary)
        Move-Item -LiteralPath "$gates.tmp" -Destination $gates -Force
    }
    function Wait-Decision([string] $Decision) {
        $deadline = (Get-Date).AddSeconds(30)
        while (($result = $sandbox | Test-DuriL4DryRun).Decision -ne $Decision -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        $result
    }
    try {
        Set-GateMetrics -Canary 0.96
        $go = Wait-Decision 'GO'
        $go | Show
        $go.Gates | Show

        Write-Step 'Break one gate (duri_canary_unique_ratio 0.85): NO-GO, with the reason'
        Set-GateMetrics -Canary 0.85
        $noGo = Wait-Decision 'NO-GO'
        $noGo | Show
        $sandbox | Get-DuriGateStatus canary | Show
        try { $sandbox | Test-DuriL4DryRun -FailOnNoGo | Out-Null }
        catch { Write-Host ("  -FailOnNoGo stops an unattended runbook: {0}" -f $_.FullyQualifiedErrorId.Split(',')[0]) }

        Write-Step 'Runbook 5, the promotion / rollback gate (shown here, while step 3''s gate metrics are still written): Get-DuriPromotionDecision -Since 2m (15 s steps), then the error budget'
        $sandbox | Get-DuriPromotionDecision -Since 2m | Show
        $sandbox | Get-DuriErrorBudgetBurn -Objective 0.999 | Show
    }
    finally {
        $beats | Stop-Job -PassThru | Remove-Job
        Remove-Item -LiteralPath $gates -ErrorAction Ignore
    }

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
    Write-Step 'Runbook 4, generate_canary_samples.sh: Invoke-DuriCanarySampling for 3s against the sandbox (query time(): every answer differs)'
    $canary = Invoke-DuriCanarySampling -Uri ($sandbox.PrometheusUri.ToString() + 'api/v1/query?query=time()') -Duration 3s -Rate 20 -TextfileDirectory $sandbox.TextfileDirectory -MinimumSamples 50
    $canary | Show

    Write-Step 'canary-quorum-pass: Test-DuriCanaryQuorum -MinimumSamples 50 through Prometheus, once node_exporter has served the counts'
    $deadline = (Get-Date).AddSeconds(15)
    do { $quorum = $sandbox | Test-DuriCanaryQuorum -MinimumSamples 50 } while ($quorum.Samples -ne $canary.Samples -and (Get-Date) -lt $deadline -and -not (Start-Sleep -Milliseconds 250))
    $quorum | Show

    Write-Step 'The same check fails on a target whose answers are all alike (/-/healthy): Invoke-DuriCanarySampling | Test-DuriCanaryQuorum'
    Invoke-DuriCanarySampling -Uri ($sandbox.PrometheusUri.ToString() + '-/healthy') -Duration 2s -Rate 10 | Test-DuriCanaryQuorum -MinimumSamples 10 | Show
}
finally {
    Write-Step 'Stop-DuriSandbox'
    $sandbox | Stop-DuriSandbox -PassThru | Show
    Remove-Item -LiteralPath $rehearsalRules -Recurse -Force
}
