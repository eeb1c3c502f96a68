#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7.1' }
# Acceptance: Measure-DuriHeartbeatAlarm and Get-DuriHeartbeatRecommendation through the module (issue 9).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:rules = Join-Path $PSScriptRoot '../../module/rules'
}

AfterAll {
    Remove-Module Duri.Ops -ErrorAction Ignore
}

Describe 'Measure-DuriHeartbeatAlarm' {
    It 'settles the seed''s figure and shows it in its table' {
        $seed = Measure-DuriHeartbeatAlarm -Window 6m -Freshness 75s -FreshnessOn WriterTime -Duration 10d -WarningVariable warnings -WarningAction SilentlyContinue
        $seed.FalseAlarmRate | Should -BeGreaterThan 0.03
        $seed.FalseAlarmRate | Should -BeLessThan 0.1
        $warnings | Should -Not -BeNullOrEmpty
        $table = $seed | Format-Table | Out-String -Width 200
        $table | Should -Match 'WriterTime'
        $table | Should -Match '6m\s+1m15s'
    }

    It 'keeps the shipped rules at or below 0.1% and flags a stopped writer within the window plus one evaluation' {
        $shipped = Measure-DuriHeartbeatAlarm -RuleFile (Join-Path $rules 'heartbeat.rules.yml') -Jitter 2s
        $shipped.FalseAlarmRateUpper | Should -BeLessOrEqual 0.001
        $shipped.DetectionMax | Should -BeLessOrEqual ([TimeSpan]::FromSeconds(390))
    }
}

Describe 'Get-DuriHeartbeatRecommendation' {
    It 'pipes its window and freshness into Export-DuriRuleFile' {
        $directory = Join-Path ([IO.Path]::GetTempPath()) "duri-pester-alarm-$PID"
        try {
            $recommendation = Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -ScrapeInterval 15s -Jitter 3s -Duration 10d
            $recommendation.FalseAlarmRate | Should -BeLessOrEqual 0.001
            $files = $recommendation | Export-DuriRuleFile -Path $directory -NoTests
            $files | Should -HaveCount 2
            $text = Get-Content (Join-Path $directory 'heartbeat.rules.yml') -Raw
            $text | Should -Match ([regex]::Escape("[$([Duri.Ops.Display]::Duration($recommendation.Window))]"))
            $text | Should -Match ("<= bool {0}\b" -f $recommendation.Freshness.TotalSeconds)
        }
        finally {
            Remove-Item $directory -Recurse -Force -ErrorAction Ignore
        }
    }
}
