# The shipped package: published to a local folder repository with PSResourceGet, installed by
# name into a temporary location, imported by name in a fresh pwsh, and used.

BeforeAll {
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'Duri.Ops.psd1') -Force
    $script:version = (Import-PowerShellDataFile (Join-Path $repoRoot 'Duri.Ops.psd1')).ModuleVersion
    $script:moduleFolder = Join-Path $repoRoot "out/package/Duri.Ops/$version"
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s
    $script:repository = "DuriOpsTest$PID"
    $script:feed = Join-Path $TestDrive 'feed'
    $null = New-Item -ItemType Directory -Path $feed
    Register-PSResourceRepository -Name $repository -Uri $feed -Trusted
}

AfterAll {
    Unregister-PSResourceRepository -Name $repository -ErrorAction Ignore
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
}

Describe 'The Duri.Ops package' {
    It 'is a versioned module folder with a valid manifest, the help and the views' {
        $manifest = Test-ModuleManifest -Path (Join-Path $moduleFolder 'Duri.Ops.psd1')
        $manifest.Version.ToString(3) | Should -Be $version
        Join-Path $moduleFolder 'en-US/Duri.Ops.dll-Help.xml' | Should -Exist
        Join-Path $moduleFolder 'en-US/about_Duri.Ops.help.txt' | Should -Exist
        Join-Path $moduleFolder 'Duri.Ops.Format.ps1xml' | Should -Exist
        Join-Path $moduleFolder 'policy/l4-dryrun.yml' | Should -Exist
        Join-Path $repoRoot "out/package/Duri.Ops.$version.nupkg" | Should -Exist
    }

    It 'publishes, installs by name and imports by name in a fresh pwsh' {
        Publish-PSResource -Path $moduleFolder -Repository $repository
        Join-Path $feed "Duri.Ops.$version.nupkg" | Should -Exist

        $installRoot = Join-Path $TestDrive 'modules'
        $null = New-Item -ItemType Directory -Path $installRoot
        Save-PSResource -Name Duri.Ops -Repository $repository -Path $installRoot -TrustRepository
        Join-Path $installRoot "Duri.Ops/$version/Duri.Ops.psd1" | Should -Exist

        $script = @'
$env:PSModulePath = $args[0] + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module Duri.Ops -ErrorAction Stop
(Get-Module Duri.Ops).ModuleBase
(Get-Help Invoke-DuriQuery).Synopsis
(Invoke-DuriQuery 'vector(7)' -Uri $args[1]).Value
(Invoke-DuriQuery 'up' -Uri $args[1] | Format-Table | Out-String) -match 'Series'
'@
        $scriptPath = Join-Path $TestDrive 'use-installed.ps1'
        Set-Content -LiteralPath $scriptPath -Value $script
        Push-Location $repoRoot
        try {
            $output = & dotnet pwsh -NoProfile -NonInteractive -File $scriptPath $installRoot $sandbox.PrometheusUri.ToString()
        }
        finally {
            Pop-Location
        }
        $LASTEXITCODE | Should -Be 0
        $output[0] | Should -BeLike "$installRoot*"
        $output[1] | Should -Be 'Runs an instant PromQL query and outputs one object per series.'
        $output[2] | Should -Be '7'
        $output[3] | Should -Be 'True'
    }
}
