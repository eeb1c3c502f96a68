<#
.SYNOPSIS
    How long a safe reload of a sandbox's config takes, split by step, against a bare POST /-/reload.
.DESCRIPTION
    Starts a sandbox loading the canonical rules scaled down to a 1 s scrape (rule groups evaluate every
    second), then alternates Invoke-DuriSafeReload -Force and a bare POST /-/reload on the same server
    (the engine client's own reload call, so both pay the same HTTP cost). promtool is wrapped so that
    every call is counted: a safe reload must run it once for the config and once over all rule files.
    Reports per-step medians and the ratio of the medians.
#>
param(
    [int] $Runs = 7,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../Duri.Ops.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]
}

$work = Join-Path ([IO.Path]::GetTempPath()) "duri-bench-reload-$PID"
$null = New-Item -ItemType Directory -Path $work
$rules = Join-Path $work 'rules'
Export-DuriRuleFile -Path $rules -HeartbeatInterval 2s -ScrapeInterval 1s -NoTests | Out-Null
$promtool = (Get-Command promtool -CommandType Application | Select-Object -First 1).Source
$calls = Join-Path $work 'promtool-calls.log'
$wrapper = Join-Path $work 'promtool-counting.sh'
Set-Content -LiteralPath $wrapper -Value "#!/bin/sh`necho `"`$*`" >> '$calls'`nexec '$promtool' `"`$@`"`n"
chmod +x $wrapper

$sandbox = Start-DuriSandbox -ScrapeInterval 1s -RuleFile (Get-ChildItem $rules -Filter *.rules.yml).FullName
try {
    $ruleFileCount = @(Get-ChildItem $sandbox.RulesDirectory -Filter *.yml).Count
    $steps = [ordered]@{}
    $safe = @(); $bare = @(); $promtoolRuns = @()
    for ($i = 0; $i -lt $Runs; $i++) {
        Remove-Item -LiteralPath $calls -ErrorAction Ignore
        $result = $sandbox | Invoke-DuriSafeReload -Force -PromtoolPath $wrapper
        if (-not $result.Succeeded) { throw "Safe reload failed: $($result.Message)" }
        $safe += $result.Duration.TotalMilliseconds
        foreach ($step in $result.Steps) {
            if (-not $steps.Contains($step.Name)) { $steps[$step.Name] = @() }
            $steps[$step.Name] += $step.Duration.TotalMilliseconds
        }
        $promtoolRuns += @(Get-Content -LiteralPath $calls).Count

        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = $sandbox.Prometheus.Client.ReloadAsync().GetAwaiter().GetResult()
        $bare += $watch.Elapsed.TotalMilliseconds
        # The server's config time has a one-second resolution; let the next safe reload see a fresh one.
        Start-Sleep -Milliseconds 1100
    }
    $safeMedian = Get-Median $safe
    $bareMedian = Get-Median $bare
    Write-Host ("Safe reload of the sandbox config ({0} rule files), median of {1} runs: {2:N1} ms" -f $ruleFileCount, $Runs, $safeMedian)
    foreach ($name in $steps.Keys) { Write-Host ("  {0,-7} {1,9:N1} ms" -f $name, (Get-Median $steps[$name])) }
    Write-Host ("Bare POST /-/reload, median of {0} runs: {1:N1} ms" -f $Runs, $bareMedian)
    Write-Host ("Ratio safe / bare: {0:N0}x" -f ($safeMedian / $bareMedian))
    Write-Host ("promtool runs per safe reload: {0} (one check config, one check rules over all {1} files)" -f (($promtoolRuns | Sort-Object -Unique) -join ', '), $ruleFileCount)
    if (@($promtoolRuns | Where-Object { $_ -ne 2 }).Count -gt 0) { throw "promtool ran other than twice per safe reload: $($promtoolRuns -join ', ')" }
}
finally {
    $sandbox | Stop-DuriSandbox
    Remove-Item -LiteralPath $work -Recurse -Force
}
