<#
.SYNOPSIS
    The runbook end to end against a local sandbox, printed as an operator sees it.
#>
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Duri.Ops.psd1') -Force

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

Write-Step 'Start a local rehearsal stack: Start-DuriSandbox -ScrapeInterval 1s'
$sandbox = Start-DuriSandbox -ScrapeInterval 1s
try {
    $sandbox | Format-Table | Out-Host

    Write-Step 'Runbook 1, verify_prometheus_targets.sh: Test-DuriPrometheusTarget -ExpectedJob prometheus, node'
    $sandbox | Test-DuriPrometheusTarget -ExpectedJob prometheus, node | Format-Table | Out-Host
    Write-Host ("All targets healthy (-Quiet): {0}" -f ($sandbox | Test-DuriPrometheusTarget -Quiet))

    Write-Step "Query: Invoke-DuriQuery 'up'"
    $sandbox | Invoke-DuriQuery 'up' | Format-Table | Out-Host

    Write-Step "Range query: Invoke-DuriRangeQuery 'scrape_duration_seconds' -Since 5s -Step 1s"
    Start-Sleep -Seconds 3
    $sandbox | Invoke-DuriRangeQuery 'scrape_duration_seconds' -Since 5s -Step 1s | Format-Table | Out-Host
}
finally {
    Write-Step 'Stop-DuriSandbox'
    $sandbox | Stop-DuriSandbox -PassThru | Format-Table | Out-Host
}
