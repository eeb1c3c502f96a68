#Requires -Version 7.2
<#
.SYNOPSIS
    The one entry point: build, test, demo, benchmark or clean Duri.Ops.
.DESCRIPTION
    Build   publishes the cmdlet assembly and its dependencies to out/bin, so that
            Import-Module ./Duri.Ops.psd1 works from the repository root.
    Test    builds, runs both xunit projects and the Pester specs (in a fresh pwsh), and ends with
            "tests: N passed, N failed, N skipped"; exits non-zero on any failure or when nothing ran.
    Demo    builds and runs the runbook end to end against a local sandbox.
    Bench   runs the module import cost, the BenchmarkDotNet benchmarks in tests/benchmarks, the safe
            reload timing, the heartbeat memory check and the day's trend summary against its parse
            without garbage collection.
    Package builds the versioned module folder out/package/Duri.Ops/<version> and its .nupkg.
    Clean   removes everything the other tasks produced.
    Missing prerequisites are installed: the NuGet restores, Pester 5.7.1 (from NuGet), and on a
    Debian-family machine where this runs as root, prometheus and prometheus-node-exporter.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # BenchmarkDotNet filter for -Task Bench. Not a bare '*': pwsh on Unix would expand it to file names.
    [string] $BenchmarkFilter = 'Duri.Ops.Benchmarks.*'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleBin = Join-Path $Out 'bin'
$TestResults = Join-Path $Out 'test-results'
# Get-Help looks for cmdlet MAML and about topics in <module base>/en-US; the module base is the repository root.
$HelpOutput = Join-Path $Root 'en-US'
$PesterVersion = '5.7.1'
# Another YamlDotNet than the module's, for the spec that shares a session with it (keep in step with TestPackages.Restore.csproj).
$NeighbourYamlDotNetVersion = '13.7.1'
$PackageRoot = Join-Path $Out 'package'

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $What, [Parameter(Mandatory)] [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Find-Tool {
    param([string] $EnvironmentVariable, [string[]] $Names)
    $override = [Environment]::GetEnvironmentVariable($EnvironmentVariable)
    if ($override) { return (Test-Path -LiteralPath $override -PathType Leaf) }
    foreach ($name in $Names) {
        if (Get-Command -Name $name -CommandType Application -ErrorAction Ignore) { return $true }
    }
    return $false
}

function Install-PrometheusPackage {
    $packages = [System.Collections.Generic.List[string]]::new()
    if (-not (Find-Tool 'DURI_PROMETHEUS_BIN' 'prometheus') -or -not (Find-Tool 'DURI_PROMTOOL' 'promtool')) { $packages.Add('prometheus') }
    if (-not (Find-Tool 'DURI_NODE_EXPORTER_BIN' 'prometheus-node-exporter', 'node_exporter')) { $packages.Add('prometheus-node-exporter') }
    if ($packages.Count -eq 0) { return }

    $isRoot = $IsLinux -and ((& id -u) -eq '0')
    if ($IsLinux -and $isRoot -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Host "Installing $($packages -join ', ') with apt-get"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native 'apt-get update' { apt-get update -qq }
        Invoke-Native 'apt-get install' { apt-get install -y -qq --no-install-recommends @packages }
        return
    }
    throw ("Missing: $($packages -join ', '). Install them (Debian/Ubuntu: sudo apt-get install -y $($packages -join ' ')), " +
        'or set DURI_PROMETHEUS_BIN, DURI_PROMTOOL and DURI_NODE_EXPORTER_BIN to the binaries.')
}

function Get-NuGetPackageRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = (& dotnet nuget locals global-packages --list) | Select-Object -First 1
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Get-PesterManifest {
    $packages = Get-NuGetPackageRoot
    $manifest = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    $otherYaml = Join-Path $packages "yamldotnet/$NeighbourYamlDotNetVersion/lib/netstandard2.0/YamlDotNet.dll"
    if (-not (Test-Path -LiteralPath $manifest) -or -not (Test-Path -LiteralPath $otherYaml)) {
        Write-Host "Restoring Pester $PesterVersion and YamlDotNet $NeighbourYamlDotNetVersion from NuGet"
        Invoke-Native 'Test package restore' { dotnet restore (Join-Path $Root 'tests/pester/TestPackages.Restore.csproj') --nologo -v quiet }
    }
    $env:DURI_TEST_OTHER_YAMLDOTNET = $otherYaml
    if (-not (Test-Path -LiteralPath $manifest)) { throw "Pester $PesterVersion was restored but $manifest is missing." }
    return $manifest
}

function Invoke-Build {
    Invoke-Native 'dotnet tool restore' { dotnet tool restore | Out-Null }
    $staging = Join-Path $Out 'publish'
    Invoke-Native 'Build' {
        dotnet publish (Join-Path $Root 'src/Duri.Ops/Duri.Ops.csproj') -c $Configuration -o $staging --nologo -v quiet
    }
    # The cmdlet assembly alone at the top; the engine and its libraries in dependencies/, where only
    # Duri.Ops' own loader finds them (see DependencyLoader), so other modules' versions cannot clash.
    if (Test-Path -LiteralPath $ModuleBin) { Remove-Item -LiteralPath $ModuleBin -Recurse -Force }
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $ModuleBin 'dependencies')
    foreach ($file in Get-ChildItem -LiteralPath $staging -File) {
        $target = if ($file.Name -like 'Duri.Ops.*' -and $file.Name -notlike 'Duri.Ops.Engine.*') { $ModuleBin } else { $dependencies.FullName }
        Copy-Item -LiteralPath $file.FullName -Destination $target
    }
    $maml = Join-Path $HelpOutput 'Duri.Ops.dll-Help.xml'
    Invoke-Native 'Help generation' {
        dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-CmdletHelp.ps1') `
            -ModulePath (Join-Path $Root 'Duri.Ops.psd1') -DocumentationPath (Join-Path $ModuleBin 'Duri.Ops.xml') -OutputPath $maml
    }
    Copy-Item -Path (Join-Path $Root 'module/en-US/*') -Destination $HelpOutput -Force
    if (-not (Test-Path -LiteralPath $maml)) { throw "The help file $maml was not generated." }
    Write-Host "Module built: Import-Module $(Join-Path $Root 'Duri.Ops.psd1')"
}

function Read-TrxCounts {
    param([string] $Path, [string] $Name)
    if (-not (Test-Path -LiteralPath $Path)) {
        Write-Host "$Name wrote no results: counted as one failure."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $counters = ([xml](Get-Content -LiteralPath $Path -Raw)).TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
    }
}

function Invoke-Test {
    Install-PrometheusPackage
    Invoke-Package
    $pester = Get-PesterManifest
    if (Test-Path $TestResults) { Remove-Item $TestResults -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $TestResults

    $counts = [System.Collections.Generic.List[object]]::new()
    foreach ($project in 'Duri.Ops.Engine.Tests', 'Duri.Ops.Tests') {
        Write-Host "== xunit: $project"
        $trx = Join-Path $TestResults "$project.trx"
        & dotnet test (Join-Path $Root "tests/$project/$project.csproj") -c $Configuration --nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' --results-directory $TestResults
        $counts.Add((Read-TrxCounts -Path $trx -Name $project))
    }

    Write-Host '== Pester (fresh pwsh, module imported through Duri.Ops.psd1)'
    $summary = Join-Path $TestResults 'pester-summary.json'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/pester/Invoke-PesterSuite.ps1') -PesterManifest $pester -SummaryPath $summary
    if (Test-Path -LiteralPath $summary) {
        $counts.Add((Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json))
    }
    else {
        Write-Host 'Pester wrote no summary: counted as one failure.'
        $counts.Add([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 })
    }

    $passed = ($counts | Measure-Object -Property Passed -Sum).Sum
    $failed = ($counts | Measure-Object -Property Failed -Sum).Sum
    $skipped = ($counts | Measure-Object -Property Skipped -Sum).Sum
    Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Install-PrometheusPackage
    Invoke-Build
    Invoke-Native 'Demo' { dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'demo/Invoke-Runbook.ps1') }
}

function Invoke-Bench {
    Invoke-Build
    Write-Host '== Module import cost (whole process, against a bare pwsh start)'
    & (Join-Path $Root 'tests/benchmarks/Measure-ImportCost.ps1') -ModulePath (Join-Path $Root 'Duri.Ops.psd1')
    Invoke-Native 'Benchmarks' {
        dotnet run -c Release --project (Join-Path $Root 'tests/benchmarks/Duri.Ops.Benchmarks/Duri.Ops.Benchmarks.csproj') -- `
            --filter $BenchmarkFilter --artifacts (Join-Path $Out 'benchmarks')
    }
    Write-Host '== Safe reload of a sandbox, by step, against a bare POST /-/reload'
    & (Join-Path $Root 'tests/benchmarks/Measure-SafeReload.ps1') -ModulePath (Join-Path $Root 'Duri.Ops.psd1')
    Write-Host '== Heartbeat memory over 100,000 beats in one process'
    Invoke-Native 'Heartbeat memory' {
        dotnet run -c Release --project (Join-Path $Root 'tests/benchmarks/Duri.Ops.Benchmarks/Duri.Ops.Benchmarks.csproj') -- --heartbeat-memory
    }
    Write-Host '== Trend summary of a day at 5 s against its parse, both without garbage collection'
    Invoke-Native 'Trend day without GC' {
        dotnet run -c Release --project (Join-Path $Root 'tests/benchmarks/Duri.Ops.Benchmarks/Duri.Ops.Benchmarks.csproj') -- --trend-day-without-gc
    }
}

function Invoke-Package {
    Invoke-Build
    $version = (Import-PowerShellDataFile (Join-Path $Root 'Duri.Ops.psd1')).ModuleVersion
    $folder = Join-Path $PackageRoot "Duri.Ops/$version"
    if (Test-Path -LiteralPath $PackageRoot) { Remove-Item -LiteralPath $PackageRoot -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $folder
    Copy-Item -Path (Join-Path $ModuleBin '*') -Destination $folder -Recurse -Exclude '*.pdb', '*.xml', '*.deps.json'
    Copy-Item -Path (Join-Path $Root 'module/Duri.Ops.Format.ps1xml') -Destination $folder
    Copy-Item -Path $HelpOutput -Destination $folder -Recurse
    Copy-Item -Path (Join-Path $Root 'module/rules') -Destination $folder -Recurse
    Copy-Item -Path (Join-Path $Root 'module/policy') -Destination $folder -Recurse
    # The shipped manifest is the repository's, with paths relative to the module folder.
    (Get-Content -LiteralPath (Join-Path $Root 'Duri.Ops.psd1') -Raw) `
        -replace "'out/bin/Duri.Ops.dll'", "'Duri.Ops.dll'" `
        -replace "'module/Duri.Ops.Format.ps1xml'", "'Duri.Ops.Format.ps1xml'" |
        Set-Content -LiteralPath (Join-Path $folder 'Duri.Ops.psd1') -NoNewline
    $null = Test-ModuleManifest -Path (Join-Path $folder 'Duri.Ops.psd1')

    $repository = "DuriOpsPackage$PID"
    Register-PSResourceRepository -Name $repository -Uri $PackageRoot -Trusted
    try {
        Publish-PSResource -Path $folder -Repository $repository
    }
    finally {
        Unregister-PSResourceRepository -Name $repository
    }
    $nupkg = Get-ChildItem -LiteralPath $PackageRoot -Filter "Duri.Ops.$version.nupkg"
    if (-not $nupkg) { throw "Publish-PSResource wrote no Duri.Ops.$version.nupkg to $PackageRoot." }
    Write-Host "Module folder: $folder"
    Write-Host "Package: $($nupkg.FullName)"
}

function Invoke-Clean {
    Invoke-Native 'dotnet clean' { dotnet clean (Join-Path $Root 'Duri.Ops.sln') -c $Configuration --nologo -v quiet | Out-Null }
    foreach ($dir in @($Out, $HelpOutput) + (Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests') -Recurse -Directory -Include bin, obj).FullName) {
        if ($dir -and (Test-Path -LiteralPath $dir)) { Remove-Item -LiteralPath $dir -Recurse -Force }
    }
}

Push-Location $Root
try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
