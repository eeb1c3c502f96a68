# Help quality, in the spirit of PSScriptAnalyzer's ModuleHelp.Tests.ps1: every exported cmdlet and
# parameter has help and examples, and the documented parameter metadata matches the code.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $cmdlets = foreach ($command in Get-Command -Module Duri.Ops -CommandType Cmdlet) {
        @{
            Name       = $command.Name
            Parameters = @($command.Parameters.Values | Where-Object Name -NotIn $common | ForEach-Object { @{ Name = $_.Name; Command = $command.Name } })
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -Force
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    BeforeAll {
        $script:command = Get-Command -Name $Name
        $script:help = Get-Help -Name $Name -Full
    }

    It 'has a synopsis of its own' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without MAML, Get-Help makes the synopsis from the syntax.
        $help.Synopsis | Should -Not -BeLike "*$Name *[<CommonParameters>]*"
    }

    It 'has a description' {
        ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'has examples with code and a sentence on what each shows' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty
            $example.code | Should -Match ([regex]::Escape($Name)) -Because 'an example shows the cmdlet itself'
        }
        @((Get-Help -Name $Name -Examples).examples.example).Count | Should -Be $examples.Count
    }

    It 'documents no parameter the code lacks' {
        foreach ($documented in @($help.parameters.parameter)) {
            $documented.name | Should -BeIn @($command.Parameters.Keys) -Because "$Name documents -$($documented.name)"
        }
    }

    Context 'parameter -<Name>' -ForEach $Parameters {
        BeforeAll {
            $script:code = (Get-Command -Name $Command).Parameters[$Name]
            $script:documented = (Get-Help -Name $Command -Full).parameters.parameter | Where-Object name -EQ $Name
        }

        It 'is documented with a description' {
            $documented | Should -Not -BeNullOrEmpty
            ($documented.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }

        It 'documents Required as the code declares it' {
            $mandatory = -not ($code.ParameterSets.Values.IsMandatory -contains $false)
            $documented.required | Should -Be $mandatory.ToString().ToLowerInvariant()
        }

        It 'documents the type of the code' {
            $type = [Nullable]::GetUnderlyingType($code.ParameterType) ?? $code.ParameterType
            $documented.type.name | Should -Be $type.Name
        }

        It 'documents the position of the code' {
            $positions = @($code.ParameterSets.Values.Position | Where-Object { $_ -ge 0 })
            $expected = if ($positions.Count) { [string]$positions[0] } else { 'named' }
            $documented.position | Should -Be $expected
        }

        It 'documents pipeline input as the code declares it' {
            $byValue = $code.ParameterSets.Values.ValueFromPipeline -contains $true
            $byName = $code.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true
            if ($byValue -or $byName) {
                $documented.pipelineInput | Should -BeLike 'True*'
                if ($byValue) { $documented.pipelineInput | Should -BeLike '*ByValue*' }
                if ($byName) { $documented.pipelineInput | Should -BeLike '*ByPropertyName*' }
            }
            else {
                $documented.pipelineInput | Should -Be 'False'
            }
        }

        It 'documents a default value' {
            $documented.defaultValue | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'about_Duri.Ops' {
    It 'walks through the runbook' {
        $text = Get-Help about_Duri.Ops | Out-String
        $text | Should -Match 'THE RUNBOOK, STEP BY STEP'
        foreach ($name in (Get-Command -Module Duri.Ops).Name) { $text | Should -Match $name }
    }
}

Describe 'The module manifest' {
    BeforeAll {
        $script:manifestPath = Join-Path $PSScriptRoot '../../Duri.Ops.psd1'
        $script:manifest = Test-ModuleManifest -Path $manifestPath
        $script:data = Import-PowerShellDataFile -Path $manifestPath
    }

    It 'exports exactly the cmdlets the assembly declares, without wildcards' {
        $data.CmdletsToExport | Should -Not -Contain '*'
        $declared = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Duri.Ops' } |
            ForEach-Object { $_.GetTypes() } | ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" }
        @($data.CmdletsToExport | Sort-Object) | Should -Be @($declared | Sort-Object)
    }

    It 'exports no functions, variables or aliases and runs on Desktop and Core from 5.1' {
        $data.FunctionsToExport | Should -BeNullOrEmpty
        $data.VariablesToExport | Should -BeNullOrEmpty
        $data.AliasesToExport | Should -BeNullOrEmpty
        $data.CompatiblePSEditions | Sort-Object | Should -Be @('Core', 'Desktop')
        $data.PowerShellVersion | Should -Be '5.1'
        $data.Description | Should -Not -BeNullOrEmpty
        $data.PrivateData.PSData.Tags | Should -Not -BeNullOrEmpty
        $data.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
    }

    It 'has the version the assemblies were built with' {
        $assembly = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Duri.Ops' } | Select-Object -First 1
        $assembly.GetName().Version.ToString(3) | Should -Be $manifest.Version.ToString(3)
    }
}

Describe 'The help generator' {
    BeforeAll {
        $script:generator = Join-Path $PSScriptRoot '../../tools/New-CmdletHelp.ps1'
        $script:docs = Join-Path $PSScriptRoot '../../out/bin/Duri.Ops.xml'
    }

    It 'fails, writing nothing, when a cmdlet lacks its synopsis or a parameter its description' {
        $broken = [xml](Get-Content -LiteralPath $docs -Raw)
        $class = $broken.doc.members.member | Where-Object name -EQ 'T:Duri.Ops.Commands.StopDuriSandboxCommand'
        $null = $class.summary.RemoveChild(($class.summary.para | Where-Object type -EQ 'synopsis'))
        $property = $broken.doc.members.member | Where-Object name -EQ 'P:Duri.Ops.Commands.StopDuriSandboxCommand.Keep'
        $null = $property.ParentNode.RemoveChild($property)
        $brokenPath = Join-Path $TestDrive 'broken.xml'
        $broken.Save($brokenPath)
        $output = Join-Path $TestDrive 'en-US/help.xml'

        { & $generator -ModulePath (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -DocumentationPath $brokenPath -OutputPath $output } |
            Should -Throw '*Stop-DuriSandbox: no synopsis*Stop-DuriSandbox -Keep*'
        Test-Path -LiteralPath $output | Should -BeFalse
    }

    It 'writes MAML that Get-Help reads from one source: the doc comments' {
        $output = Join-Path $TestDrive 'ok/help.xml'
        & $generator -ModulePath (Join-Path $PSScriptRoot '../../Duri.Ops.psd1') -DocumentationPath $docs -OutputPath $output 6>$null
        $maml = [xml](Get-Content -LiteralPath $output -Raw)
        $names = $maml.helpItems.command.details.name
        $names | Should -Contain 'Start-DuriSandbox'
        (Get-Help Start-DuriSandbox).Synopsis | Should -Be (($maml.helpItems.command | Where-Object { $_.details.name -eq 'Start-DuriSandbox' }).details.description.para)
    }
}
