#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# End to end: Write-DuriHeartbeat -> node_exporter -> Prometheus with the canonical rules scaled down
# (HB 2s, SI 1s, no tolerated misses: window 4s, freshness 3s, evaluation 1s) -> Get-DuriHeartbeat.

BeforeAll {
    $script:modulePath = Join-Path $PSScriptRoot '../../Duri.Ops.psd1'
    Import-Module $modulePath -Force
    $rules = Join-Path $TestDrive 'rules'
    $null = Export-DuriRuleFile -Path $rules -HeartbeatInterval 2s -ScrapeInterval 1s -ToleratedMisses 0 -Freshness 3s -NoTests
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s -RuleFile (Get-ChildItem $rules -Filter *.rules.yml).FullName
    # The documented bound: a stopped writer is flagged within window + evaluation interval of its last beat.
    $script:bound = [timespan]::FromSeconds(4 + 1)
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
    Get-Job | Remove-Job -Force
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'Heartbeat end to end' {
    It 'is Ok from the rule once beats start, and not Ok within the bound after they stop' {
        $writer = Start-ThreadJob -ArgumentList $modulePath, $sandbox.TextfileDirectory -ScriptBlock {
            param($module, $directory)
            Import-Module $module
            Write-DuriHeartbeat -Directory $directory -Count 30 -Interval 1s
        }
        try {
            $status = $sandbox | Get-DuriHeartbeat -Wait 20s
            $status.Ok | Should -BeTrue
            $status.OkSource | Should -Be 'rule'
        }
        finally {
            $writer | Stop-Job
        }
        $file = Join-Path $sandbox.TextfileDirectory 'duri_heartbeat.prom'
        $lastBeat = [DateTimeOffset]::FromUnixTimeMilliseconds([long](1000 * [double]((Get-Content $file | Where-Object { $_ -like 'duri_heartbeat_timestamp_seconds*' }) -split ' ')[-1]))

        $deadline = (Get-Date).AddSeconds(20)
        do {
            $status = $sandbox | Get-DuriHeartbeat
            if (-not $status.Ok) { break }
            Start-Sleep -Milliseconds 200
        } while ((Get-Date) -lt $deadline)
        $status.Ok | Should -BeFalse
        $flaggedAfter = [DateTimeOffset]::UtcNow - $lastBeat
        # One scrape and one rule evaluation of slack on top of the bound, for the poll itself.
        $flaggedAfter | Should -BeLessOrEqual ($bound + [timespan]::FromSeconds(2))
    }

    It 'reports a second series with other labels as a stray' {
        $null = Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory
        $null = Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Name old_heartbeat -Label @{ path = '/srv/old' } -WarningAction SilentlyContinue
        $deadline = (Get-Date).AddSeconds(15)
        do {
            $statuses = @($sandbox | Get-DuriHeartbeat -WarningVariable warnings -WarningAction SilentlyContinue)
        } while ($statuses.Count -lt 2 -and (Get-Date) -lt $deadline)
        $statuses | Should -HaveCount 2
        $statuses.Ambiguous | Should -Be @($true, $true)
        "$warnings" | Should -Match 'path="/srv/old"'
    }
}
