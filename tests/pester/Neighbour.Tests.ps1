# A good neighbour: Duri.Ops parses YAML with its own YamlDotNet in a session that loads another
# YamlDotNet version, in either order, each in a fresh pwsh.

BeforeAll {
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:otherYaml = $env:DURI_TEST_OTHER_YAMLDOTNET
    if (-not $otherYaml) {
        $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
        $script:otherYaml = Join-Path $packages 'yamldotnet/13.7.1/lib/netstandard2.0/YamlDotNet.dll'
    }
    Import-Module (Join-Path $repoRoot 'Duri.Ops.psd1') -Force
    $script:sandbox = Start-DuriSandbox -ScrapeInterval 1s

    function Invoke-FreshPwsh([string] $Script) {
        $path = Join-Path $TestDrive "neighbour-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $path -Value $Script
        Push-Location $repoRoot
        try { & dotnet pwsh -NoProfile -NonInteractive -File $path $otherYaml (Join-Path $repoRoot 'Duri.Ops.psd1') $sandbox.PrometheusUri.ToString() $sandbox.ConfigPath 2>&1 }
        finally { Pop-Location }
    }

    $script:useOther = @'
$stream = [YamlDotNet.RepresentationModel.YamlStream]::new()
$stream.Load([IO.StringReader]::new("neighbour: {a: 1, b: 2}"))
"other:{0}:{1}" -f [YamlDotNet.RepresentationModel.YamlStream].Assembly.GetName().Version.Major, $stream.Documents[0].RootNode.Children[[YamlDotNet.RepresentationModel.YamlScalarNode]::new('neighbour')].Children.Count
'@
    $script:useDuri = @'
"duri:{0}" -f (Test-DuriPrometheusTarget -Uri $args[2] -ConfigPath $args[3] -Quiet)
$bad = Join-Path ([IO.Path]::GetTempPath()) "duri-neighbour-$PID.yml"
Set-Content -LiteralPath $bad -Value "scrape_configs:`n  - job_name: a`n  - job_name: a"
try { Test-DuriPrometheusTarget -Uri $args[2] -ConfigPath $bad -ErrorAction Stop } catch { "error:{0}:{1}" -f $_.FullyQualifiedErrorId.Split(',')[0], $_.Exception.Line }
Remove-Item -LiteralPath $bad
'@
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-DuriSandbox }
}

Describe 'Duri.Ops beside another YamlDotNet' {
    It 'has the other version available for the test' {
        $otherYaml | Should -Exist
        [Reflection.AssemblyName]::GetAssemblyName($otherYaml).Version.Major | Should -Not -Be 18
    }

    It 'works when the other YamlDotNet was loaded first' {
        $output = Invoke-FreshPwsh (@('Add-Type -Path $args[0]', $useOther, 'Import-Module $args[1] -ErrorAction Stop', $useDuri, $useOther) -join "`n")
        $output | Should -Be @('other:13:2', 'duri:True', 'error:ConfigFileInvalid:3', 'other:13:2')
    }

    It 'works when Duri.Ops was imported first' {
        $output = Invoke-FreshPwsh (@('Import-Module $args[1] -ErrorAction Stop', $useDuri, 'Add-Type -Path $args[0]', $useOther, $useDuri) -join "`n")
        $output | Should -Be @('duri:True', 'error:ConfigFileInvalid:3', 'other:13:2', 'duri:True', 'error:ConfigFileInvalid:3')
    }

    It 'keeps YamlDotNet out of every public signature' {
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'Duri.Ops', 'Duri.Ops.Engine' }
        $leaks = foreach ($type in $engine.GetExportedTypes()) {
            foreach ($member in $type.GetMembers([Reflection.BindingFlags]'Public, Instance, Static, DeclaredOnly')) {
                $types = switch ($member.MemberType) {
                    'Method' { @($member.ReturnType) + $member.GetParameters().ParameterType }
                    'Constructor' { $member.GetParameters().ParameterType }
                    'Property' { $member.PropertyType }
                    'Field' { $member.FieldType }
                    'Event' { $member.EventHandlerType }
                }
                if ($types | Where-Object { $_ -and $_.Assembly.GetName().Name -eq 'YamlDotNet' }) { "$type.$($member.Name)" }
            }
            if ($type.BaseType -and $type.BaseType.Assembly.GetName().Name -eq 'YamlDotNet') { "$type : $($type.BaseType)" }
        }
        $leaks | Should -BeNullOrEmpty
    }
}
