@{
    RootModule           = 'out/bin/Duri.Ops.dll'
    # Loaded before FormatsToProcess, so that the views' [Duri.Ops.Display] resolves when pwsh parses them;
    # unresolved, each mention costs pwsh a search of every loaded assembly (about 40 ms at import in all).
    RequiredAssemblies   = @('out/bin/Duri.Ops.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f8c47-1f0e-4a7e-9a43-3d2b8e0c6a91'
    Author               = 'Duri.Ops'
    CompanyName          = 'Duri.Ops'
    Copyright            = '(c) Duri.Ops. MIT licence.'
    Description          = 'Release gating on Prometheus: heartbeat, safe reload, target checks, GO/NO-GO dry run, trend watch, canary sampling and promotion / rollback, as objects.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('module/Duri.Ops.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-DuriPrometheus'
        'Invoke-DuriQuery'
        'Invoke-DuriRangeQuery'
        'Test-DuriPrometheusTarget'
        'Start-DuriSandbox'
        'Stop-DuriSandbox'
        'Export-DuriRuleFile'
        'Measure-DuriHeartbeatAlarm'
        'Get-DuriHeartbeatRecommendation'
        'Invoke-DuriRuleTest'
        'Test-DuriRuleFile'
        'Test-DuriPrometheusConfig'
        'Invoke-DuriSafeReload'
        'Write-DuriHeartbeat'
        'Get-DuriHeartbeat'
        'Get-DuriGateStatus'
        'Test-DuriL4DryRun'
        'Get-DuriPromotionDecision'
        'Watch-DuriPromotionGate'
        'Get-DuriErrorBudgetBurn'
        'Watch-DuriLyapunovTrend'
        'Get-DuriLyapunovTrend'
        'Invoke-DuriCanarySampling'
        'Test-DuriCanaryQuorum'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Prometheus', 'SRE', 'Release', 'Canary', 'PromQL', 'Gate')
            ProjectUri = 'https://github.com/duri-ops/Duri.Ops'
        }
    }
}
