#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# Acceptance: the built module through Duri.Ops.psd1, in a fresh pwsh, against a real sandbox.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'The Duri.Ops module' {
    It 'exports the foundation cmdlets' {
        $names = (Get-Command -Module Duri.Ops).Name
        foreach ($name in 'Connect-DuriPrometheus', 'Invoke-DuriQuery', 'Invoke-DuriRangeQuery', 'Test-DuriPrometheusTarget', 'Start-DuriSandbox', 'Stop-DuriSandbox') {
            $names | Should -Contain $name
        }
    }

    It 'has a table view for every type a cmdlet declares as output' {
        $types = Get-Command -Module Duri.Ops | ForEach-Object { $_.OutputType.Type } |
            Where-Object { $_ -and $_.Namespace -like 'Duri.Ops*' } | Sort-Object FullName -Unique
        $types | Should -Not -BeNullOrEmpty
        foreach ($type in $types) {
            Get-FormatData -TypeName $type.FullName | Should -Not -BeNullOrEmpty -Because "$($type.FullName) needs a view"
        }
    }

    It 'gives Start-DuriSandbox and Stop-DuriSandbox -WhatIf' {
        (Get-Command Start-DuriSandbox).Parameters.Keys | Should -Contain 'WhatIf'
        (Get-Command Stop-DuriSandbox).Parameters.Keys | Should -Contain 'WhatIf'
        Start-DuriSandbox -WhatIf | Should -BeNullOrEmpty
    }
}

Describe 'Test-DuriPrometheusTarget (verify_prometheus_targets.sh)' {
    It 'reports every target of the sandbox up' {
        $targets = $sandbox | Test-DuriPrometheusTarget
        $targets.Job | Sort-Object | Should -Be @('node', 'prometheus')
        $targets.Health | ForEach-Object { "$_" } | Should -Be @('Up', 'Up')
    }

    It 'answers -Quiet with one boolean' {
        $sandbox | Test-DuriPrometheusTarget -Quiet | Should -BeTrue
        $sandbox | Test-DuriPrometheusTarget -ExpectedJob payments -Quiet | Should -BeFalse
    }

    It 'writes TargetJobMissing for an expected job that has no target' {
        $null = $sandbox | Test-DuriPrometheusTarget -ExpectedJob payments -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'TargetJobMissing,*'
        $failures[0].TargetObject | Should -Be 'payments'
    }

    It 'expects every job of a prometheus.yml with -ConfigPath' {
        $sandbox | Test-DuriPrometheusTarget -ConfigPath $sandbox.ConfigPath -Quiet | Should -BeTrue
        $config = Join-Path $TestDrive 'prometheus.yml'
        Set-Content -LiteralPath $config -Value "scrape_configs:`n  - job_name: node`n  - job_name: payments"
        $null = $sandbox | Test-DuriPrometheusTarget -ConfigPath $config -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.TargetObject | Should -Be 'payments'
        { $sandbox | Test-DuriPrometheusTarget -ConfigPath (Join-Path $TestDrive 'missing.yml') } | Should -Throw -ErrorId 'ConfigFileNotFound,Duri.Ops.Commands.TestDuriPrometheusTargetCommand'
    }

    It 'filters jobs with wildcards' {
        ($sandbox | Test-DuriPrometheusTarget -Job 'no*').Job | Should -Be 'node'
    }

    It 'renders a table an operator can read' {
        $text = $sandbox | Test-DuriPrometheusTarget | Format-Table | Out-String
        $text | Should -Match 'UP'
        $text | Should -Match '\d+(\.\d)?(ms|s) ago'
    }
}

Describe 'Connect-DuriPrometheus and the queries' {
    It 'connects, becomes the session default, and queries through it' {
        $connection = Connect-DuriPrometheus -Uri $sandbox.PrometheusUri
        $connection.Version | Should -Match '^2\.'
        $samples = Invoke-DuriQuery 'up'
        $samples | Should -HaveCount 2
        $samples[0].Prometheus | Should -Be $connection
        ($samples | Where-Object { $_.Labels['job'] -eq 'node' }).Value | Should -Be 1
    }

    It 'binds a sandbox from the pipeline' {
        ($sandbox | Connect-DuriPrometheus).Uri | Should -Be $sandbox.PrometheusUri
        ($sandbox | Invoke-DuriQuery 'vector(42)').Value | Should -Be 42
    }

    It 'shows values and series in its table view' {
        $text = $sandbox | Invoke-DuriQuery 'label_replace(vector(0.25), "job", "demo", "", "")' | Format-Table | Out-String
        $text | Should -Match '\{job="demo"\}\s+0\.25\s+\d\d:\d\d:\d\d\.\d{3}'
    }

    It 'keeps NaN and infinities' {
        [double]::IsNaN(($sandbox | Invoke-DuriQuery 'vector(0/0)').Value) | Should -BeTrue
        [double]::IsPositiveInfinity(($sandbox | Invoke-DuriQuery 'vector(1/0)').Value) | Should -BeTrue
    }

    It 'runs a range query with Prometheus durations' {
        $series = $sandbox | Invoke-DuriRangeQuery 'vector(1)' -Since 10s -Step 1s
        $series.Count | Should -Be 11
        $series.Samples[1].Timestamp - $series.Samples[0].Timestamp | Should -Be ([timespan]::FromSeconds(1))
    }

    It 'reports bad PromQL as PrometheusQueryFailed with the server message' {
        $null = $sandbox | Invoke-DuriQuery 'sum(up' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'PrometheusQueryFailed,*'
        $failures[0].Exception.Message | Should -Match 'parse error'
    }

    It 'fails an unreachable server with PrometheusUnreachable within -TimeoutSec' {
        $elapsed = Measure-Command {
            { Connect-DuriPrometheus -Uri 'http://127.0.0.1:9' -TimeoutSec 2 } | Should -Throw -ErrorId 'PrometheusUnreachable,Duri.Ops.Commands.ConnectDuriPrometheusCommand'
        }
        $elapsed.TotalSeconds | Should -BeLessThan 4
    }

    It 'rejects a malformed URI at binding' {
        { Invoke-DuriQuery up -Uri 'not a uri' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}

Describe 'The rule cmdlets through the module' {
    It 'finds the canonical rules clean and their unit tests passing' {
        $rules = Join-Path $PSScriptRoot '../../module/rules'
        Test-DuriRuleFile -Path $rules | Should -BeNullOrEmpty
        Invoke-DuriRuleTest -Path (Join-Path $rules 'tests') -Quiet | Should -BeTrue
    }

    It 'reports a finding with its position in a table' {
        $file = Join-Path $TestDrive 'bad.rules.yml'
        Set-Content -LiteralPath $file -Value "groups:`n  - name: g`n    rules:`n      - record: x`n        expr: sum(rate(duri_green[5m])"
        $findings = Test-DuriRuleFile -Path $file
        $findings.Check | Should -Contain 'promql/syntax'
        ($findings | Format-Table | Out-String) | Should -Match 'bad\.rules\.yml:5:\d+'
    }
}

Describe 'Start-DuriSandbox and Stop-DuriSandbox' {
    It 'loads the canonical rules, so duri_heartbeat_ok is 0 (not absent) before any heartbeat' {
        # The shipped group evaluates every 30s, starting at an offset Prometheus picks within that interval.
        $deadline = (Get-Date).AddSeconds(45)
        do {
            $ok = $sandbox | Invoke-DuriQuery 'duri_heartbeat_ok'
            if ($ok) { break }
            Start-Sleep -Milliseconds 250
        } while ((Get-Date) -lt $deadline)
        $ok | Should -HaveCount 1
        $ok.Value | Should -Be 0
        $ok.Labels['metric_realm'] | Should -Be 'prod'
        (Get-ChildItem $sandbox.RulesDirectory).Name | Sort-Object | Should -Be @('duri-observability-contract.rules.yml', 'heartbeat.rules.yml')
    }


    It 'starts a separate stack and removes it again' {
        $second = Start-DuriSandbox -ScrapeInterval 1s
        try {
            $second.PrometheusUri | Should -Not -Be $sandbox.PrometheusUri
            Test-Path $second.ConfigPath | Should -BeTrue
            Get-Process -Id $second.PrometheusProcessId | Should -Not -BeNullOrEmpty
        }
        finally {
            $second | Stop-DuriSandbox
        }
        Test-Path $second.Path | Should -BeFalse
        Get-Process -Id $second.PrometheusProcessId -ErrorAction Ignore | Should -BeNullOrEmpty
    }
}
