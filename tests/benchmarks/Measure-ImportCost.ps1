<#
.SYNOPSIS
    Module import cost: whole-process time of a pwsh that imports Duri.Ops against a bare pwsh start.
.DESCRIPTION
    Runs `pwsh -NoProfile -c 'Import-Module ./Duri.Ops.psd1'` and `pwsh -NoProfile -c '$null'`
    alternately (after warm-up runs), and reports the medians and their ratio. pwsh is started
    directly from $PSHOME, without the dotnet tool shim, so the ratio is not diluted by it.
#>
param(
    [int] $Runs = 15,
    [int] $WarmupRuns = 3,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../Duri.Ops.psd1')
)
$ErrorActionPreference = 'Stop'
# pwsh as a dotnet tool runs as `dotnet pwsh.dll`; an installed pwsh is its own executable.
$pwshDll = Join-Path $PSHOME 'pwsh.dll'
$runningUnderDotnet = [IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet'
$executable = [Environment]::ProcessPath
[string[]] $startArgs = if ($runningUnderDotnet) { $pwshDll } else { @() }
$cases = [ordered]@{
    'bare pwsh'       = '$null'
    'Import-Module'   = "Import-Module '$((Resolve-Path $ModulePath).Path)'"
}

function Measure-Once([string] $Command) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    & $executable @startArgs -NoProfile -NonInteractive -Command $Command
    if ($LASTEXITCODE -ne 0) { throw "pwsh -c '$Command' failed with exit code $LASTEXITCODE" }
    $watch.Elapsed.TotalMilliseconds
}

foreach ($i in 1..$WarmupRuns) { foreach ($command in $cases.Values) { $null = Measure-Once $command } }
$times = @{}
foreach ($name in $cases.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
foreach ($i in 1..$Runs) {
    foreach ($name in $cases.Keys) { $times[$name].Add((Measure-Once $cases[$name])) }
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

$bare = Get-Median $times['bare pwsh']
$import = Get-Median $times['Import-Module']
[pscustomobject]@{
    Runs             = $Runs
    BareMedianMs     = [math]::Round($bare, 1)
    ImportMedianMs   = [math]::Round($import, 1)
    Ratio            = [math]::Round($import / $bare, 3)
    AddedPercent     = [math]::Round(($import / $bare - 1) * 100, 1)
    BareMinMs        = [math]::Round(($times['bare pwsh'] | Measure-Object -Minimum).Minimum, 1)
    ImportMinMs      = [math]::Round(($times['Import-Module'] | Measure-Object -Minimum).Minimum, 1)
} | Format-List
