#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# Acceptance: Invoke-DuriCanarySampling (runbook step 4, generate_canary_samples.sh) publishing through a real
# node_exporter, and Test-DuriCanaryQuorum (canary-quorum-pass) reading it back from Prometheus.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'Invoke-DuriCanarySampling and Test-DuriCanaryQuorum' {
    It 'publishes the counts, Prometheus serves them, and the quorum passes on them' {
        # Every answer of query time() carries its own evaluation time, so nearly every one differs.
        $uri = $sandbox.PrometheusUri.ToString() + 'api/v1/query?query=time()'
        $result = Invoke-DuriCanarySampling -Uri $uri -Duration 2s -Rate 20 -Concurrency 4 -TextfileDirectory $sandbox.TextfileDirectory -Realm pestercanary -MinimumSamples 30
        $result.Planned | Should -Be 40
        $result.Sent | Should -BeGreaterOrEqual 30
        $result.Samples | Should -Be $result.Sent
        $result.Failures | Should -Be 0
        $result.UniqueRatio | Should -BeGreaterThan 0.92
        $result.QuorumMet | Should -BeTrue
        $result.Path | Should -Be (Join-Path $sandbox.TextfileDirectory 'duri_canary_pestercanary.prom')

        $deadline = (Get-Date).AddSeconds(20)
        do {
            $quorum = $sandbox | Test-DuriCanaryQuorum -Realm pestercanary -MinimumSamples 30
            if ($quorum.Samples -eq $result.Samples) { break }
            Start-Sleep -Milliseconds 250
        } while ((Get-Date) -lt $deadline)
        $quorum.Passed | Should -BeTrue
        $quorum.Source | Should -Be 'prometheus'
        $quorum.UniqueRatio | Should -Be $result.UniqueRatio
        ($sandbox | Invoke-DuriQuery 'duri_canary_failures_total{metric_realm="pestercanary"}').Value | Should -Be 0
        ($sandbox | Invoke-DuriQuery 'node_textfile_scrape_error').Value | Should -Be 0
        ($quorum | Format-Table | Out-String) | Should -Match 'PASS'
    }

    It 'fails the quorum on a target whose answers are all alike, and on a realm without data' {
        $healthy = Invoke-DuriCanarySampling -Uri ($sandbox.PrometheusUri.ToString() + '-/healthy') -Duration 1s -Rate 10
        $healthy.Samples | Should -Be 10
        $healthy.Unique | Should -Be 1
        ($healthy | Format-Table | Out-String) | Should -Match 'NOT MET'
        $verdict = $healthy | Test-DuriCanaryQuorum -MinimumSamples 10
        $verdict.Passed | Should -BeFalse
        $verdict.Reason | Should -Be 'the unique ratio 0.1 is below the minimum 0.92'
        $sandbox | Test-DuriCanaryQuorum -Realm pesternothing -Quiet | Should -BeFalse
    }

    It 'counts a target that answers 404 as failures, not samples' {
        $result = Invoke-DuriCanarySampling -Uri ($sandbox.PrometheusUri.ToString() + 'no/such/path') -Duration 1s -Rate 5
        $result.Samples | Should -Be 0
        $result.Failures | Should -Be 5
        $result.FailureReasons['HTTP 404'] | Should -Be 5
        [double]::IsNaN($result.UniqueRatio) | Should -BeTrue
    }
}
