#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# Acceptance: the Lyapunov trend (runbook step 4, monitor_lyapunov_trend.sh) through the module, against a real
# Prometheus scraping duri_lyapunov_v from node_exporter's textfile collector.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s
    $script:file = Join-Path $sandbox.TextfileDirectory 'lyapunov.prom'
    # Falls by 0.01 a second from 0.3; written aside and renamed, so that a scrape never sees half a file.
    $script:writer = Start-ThreadJob -ArgumentList $file -ScriptBlock {
        param($file)
        $started = Get-Date
        while ($true) {
            $value = 0.3 - 0.01 * ((Get-Date) - $started).TotalSeconds
            Set-Content -LiteralPath "$file.tmp" -Value ("duri_lyapunov_v{{metric_realm=`"prod`"}} {0}" -f $value.ToString([cultureinfo]::InvariantCulture))
            Move-Item -LiteralPath "$file.tmp" -Destination $file -Force
            Start-Sleep -Milliseconds 250
        }
    }
    $deadline = (Get-Date).AddSeconds(20)
    while (-not ($sandbox | Invoke-DuriQuery 'duri_lyapunov_v{metric_realm="prod"}') -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 250 }
}

AfterAll {
    if ($script:writer) { $script:writer | Remove-Job -Force }
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'Watch-DuriLyapunovTrend and Get-DuriLyapunovTrend (monitor_lyapunov_trend.sh)' {
    It 'watches a falling series, one sample per poll, and ends with an acceptable summary' {
        $output = $sandbox | Watch-DuriLyapunovTrend -Duration 6s -Interval 1s -MinimumSamples 5
        $summary = $output[-1]
        $summary.Verdict.ToString() | Should -Be 'Falling'
        $summary.Acceptable | Should -BeTrue
        $summary.Samples | Should -Be ($output.Count - 1)
        $summary.Missing | Should -Be 0
        $output[0].Verdict.ToString() | Should -Be 'InsufficientData'
        $view = $summary | Out-String
        $view | Should -Match 'Verdict\s+: Falling'
        $view | Should -Match 'Mann-Kendall\s+: S -\d+, tau'
        $view | Should -Match 'First / Last\s+: 0\.\d+ / 0\.\d+'
        ($output[0..1] | Format-Table | Out-String) | Should -Match 'Slope/min'
    }

    It 'gives the same verdict from history' {
        $summary = $sandbox | Get-DuriLyapunovTrend -Since 6s -Step 1s -MinimumSamples 5
        $summary.Verdict.ToString() | Should -Be 'Falling'
        $summary.Query | Should -Be 'duri_lyapunov_v{metric_realm="prod"}'
    }

    It 'refuses a zero duration with TrendInvalidDuration' {
        { $sandbox | Watch-DuriLyapunovTrend -Duration 0 } |
            Should -Throw -ErrorId 'TrendInvalidDuration,Duri.Ops.Commands.WatchDuriLyapunovTrendCommand'
    }

    It 'says in its help how many samples a verdict needs' {
        foreach ($name in 'Watch-DuriLyapunovTrend', 'Get-DuriLyapunovTrend') {
            (Get-Help $name -Full | Out-String) | Should -Match 'at least -MinimumSamples finite samples \(default 10\)'
        }
    }
}
