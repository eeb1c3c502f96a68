#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# Acceptance: Write-DuriHeartbeat (runbook step 2, textfile_heartbeat.sh) through the module, scraped by a real node_exporter.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'Write-DuriHeartbeat (textfile_heartbeat.sh)' {
    It 'beats into the textfile directory and Prometheus sees the sequence rise' {
        $records = Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Realm pester -Label @{ team = 'sre' } -Count 3 -Interval 1s
        $records | Should -HaveCount 3
        $records.Sequence | Should -Be @(1, 2, 3)
        $records[0].Path | Should -Be (Join-Path $sandbox.TextfileDirectory 'duri_heartbeat.prom')

        $deadline = (Get-Date).AddSeconds(20)
        do {
            $sequence = $sandbox | Invoke-DuriQuery 'duri_heartbeat_sequence_total{metric_realm="pester"}'
            if ($sequence.Value -eq 3) { break }
            Start-Sleep -Milliseconds 250
        } while ((Get-Date) -lt $deadline)
        $sequence.Value | Should -Be 3
        $sequence.Labels['team'] | Should -Be 'sre'
        ($sandbox | Invoke-DuriQuery 'node_textfile_scrape_error').Value | Should -Be 0
    }

    It 'continues the sequence after a restart and renders a table' {
        $text = Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Realm pester -Label @{ team = 'sre' } | Format-Table | Out-String
        $text | Should -Match 'Sequence'
        $text | Should -Match '\s4\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+pester\s+\{team="sre"\}'
    }

    It 'refuses a missing directory, bad labels and a zero interval' {
        { Write-DuriHeartbeat -Directory (Join-Path $sandbox.Path 'missing') -ErrorAction Stop } |
            Should -Throw -ErrorId 'HeartbeatDirectoryNotFound,Duri.Ops.Commands.WriteDuriHeartbeatCommand'
        { Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Label @{ 'bad-name' = 1 } } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Duri.Ops.Commands.WriteDuriHeartbeatCommand'
        { Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Count 2 -Interval 0 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,Duri.Ops.Commands.WriteDuriHeartbeatCommand'
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-Content -Raw (Join-Path $sandbox.TextfileDirectory 'duri_heartbeat.prom')
        Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Realm pester -Label @{ team = 'sre' } -WhatIf | Should -BeNullOrEmpty
        Get-Content -Raw (Join-Path $sandbox.TextfileDirectory 'duri_heartbeat.prom') | Should -Be $before
    }

    It 'warns about another file exporting the heartbeat names' {
        Set-Content -Path (Join-Path $sandbox.TextfileDirectory 'old_heartbeat.prom') -Value 'duri_heartbeat_sequence_total{metric_realm="old"} 7'
        try {
            $null = Write-DuriHeartbeat -Directory $sandbox.TextfileDirectory -Realm pester -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings | Should -HaveCount 1
            "$warnings" | Should -Match 'old_heartbeat\.prom'
        }
        finally {
            Remove-Item (Join-Path $sandbox.TextfileDirectory 'old_heartbeat.prom')
        }
    }
}
