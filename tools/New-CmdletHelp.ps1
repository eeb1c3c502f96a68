<#
.SYNOPSIS
    Writes the MAML help of a binary module from its cmdlets' XML doc comments.
.DESCRIPTION
    The one source of cmdlet help is the XML doc comments beside the code:
      class:     <summary><para type="synopsis">...</para><para type="description">...</para></summary>
                 <example><code>...</code><para>what it shows</para></example>   (one or more)
      parameter: <summary><para type="description">...</para></summary>
    Parameter metadata (type, required, position, pipeline input, aliases) comes from the
    command as PowerShell sees it, defaults from a fresh instance of the cmdlet class, so the
    help cannot disagree with the code. Anything missing is an error: help gaps fail the build.
    Run it in a process of its own; it imports the module.
.EXAMPLE
    ./tools/New-CmdletHelp.ps1 -ModulePath ./Duri.Ops.psd1 -DocumentationPath ./out/bin/Duri.Ops.xml -OutputPath ./out/bin/en-US/Duri.Ops.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocumentationPath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $ModulePath -PassThru -Force
$docs = [xml](Get-Content -LiteralPath $DocumentationPath -Raw)
$members = @{}
foreach ($member in $docs.doc.members.member) { $members[$member.name] = $member }
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$problems = [System.Collections.Generic.List[string]]::new()

function Get-Para([System.Xml.XmlElement] $Member, [string] $Type) {
    if (-not $Member) { return $null }
    $para = $Member.SelectNodes('summary/para') | Where-Object { $_.GetAttribute('type') -eq $Type } | Select-Object -First 1
    if ($para) { return (Format-DocText $para.InnerText) }
}

function Format-DocText([string] $Text) {
    ($Text -split "`r?`n" | ForEach-Object Trim) -join ' ' -replace '\s+', ' ' -replace '^\s|\s$', ''
}

function Get-TypeName([type] $Type) {
    $inner = [Nullable]::GetUnderlyingType($Type)
    if ($inner) { $Type = $inner }
    return $Type.Name
}

function Get-DefaultText($Instance, [System.Management.Automation.ParameterMetadata] $Parameter) {
    $property = $Instance.GetType().GetProperty($Parameter.Name)
    if (-not $property) { return 'False' }
    $value = $property.GetValue($Instance)
    if ($null -eq $value) { return 'None' }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return 'False' }
    if ($value -is [timespan]) { return [Duri.Ops.Display]::Duration($value) }
    if ($value -is [string] -and $value -eq '') { return 'None' }
    if ($value -is [array] -and $value.Count -eq 0) { return 'None' }
    return [string]$value
}

function Get-PipelineText([System.Management.Automation.ParameterMetadata] $Parameter) {
    $byValue = $Parameter.ParameterSets.Values.ValueFromPipeline -contains $true
    $byName = $Parameter.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true
    if ($byValue -and $byName) { return 'True (ByValue, ByPropertyName)' }
    if ($byValue) { return 'True (ByValue)' }
    if ($byName) { return 'True (ByPropertyName)' }
    return 'False'
}

function Get-PositionText([System.Management.Automation.ParameterMetadata] $Parameter) {
    $positions = @($Parameter.ParameterSets.Values.Position | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
    if ($positions.Count -eq 0) { return 'named' }
    return [string]$positions[0]
}

function Get-ParameterDescription([System.Management.Automation.CommandInfo] $Command, [string] $Name) {
    switch ($Name) {
        'WhatIf' { return 'Shows what would happen if the cmdlet runs. The cmdlet is not run.' }
        'Confirm' { return 'Prompts you for confirmation before running the cmdlet.' }
    }
    $property = $Command.ImplementingType.GetProperty($Name)
    $key = "P:$($property.DeclaringType.FullName).$Name"
    $description = Get-Para $members[$key] 'description'
    if (-not $description) { $problems.Add("$($Command.Name) -${Name}: no <para type=""description""> on $key") }
    return $description
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $OutputPath)
$writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

function Write-Paras([string] $Prefix, [string] $Ns, [string] $Element, [string[]] $Texts) {
    $writer.WriteStartElement($Prefix, $Element, $Ns)
    foreach ($text in $Texts) { $writer.WriteElementString('maml', 'para', $maml, $text) }
    $writer.WriteEndElement()
}

function Write-Parameter([System.Management.Automation.CommandInfo] $Command, [System.Management.Automation.ParameterMetadata] $Parameter, [bool] $Required, $Instance) {
    $writer.WriteStartElement('command', 'parameter', $cmd)
    $writer.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('variableLength', $Parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
    $globbing = [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $writer.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('pipelineInput', (Get-PipelineText $Parameter))
    $writer.WriteAttributeString('position', (Get-PositionText $Parameter))
    $writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $writer.WriteElementString('maml', 'name', $maml, $Parameter.Name)
    Write-Paras 'maml' $maml 'description' @(Get-ParameterDescription $Command $Parameter.Name)
    if ($Parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $writer.WriteStartElement('command', 'parameterValue', $cmd)
        $writer.WriteAttributeString('required', 'true')
        $writer.WriteAttributeString('variableLength', $Parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
        $writer.WriteString((Get-TypeName $Parameter.ParameterType))
        $writer.WriteEndElement()
    }
    $writer.WriteStartElement('dev', 'type', $dev)
    $writer.WriteElementString('maml', 'name', $maml, (Get-TypeName $Parameter.ParameterType))
    $writer.WriteEndElement()
    $writer.WriteElementString('dev', 'defaultValue', $dev, (Get-DefaultText $Instance $Parameter))
    $writer.WriteEndElement()
}

function Test-Required([System.Management.Automation.ParameterMetadata] $Parameter) {
    return -not ($Parameter.ParameterSets.Values.IsMandatory -contains $false)
}

$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $type = $command.ImplementingType
    $classDoc = $members["T:$($type.FullName)"]
    $synopsis = Get-Para $classDoc 'synopsis'
    $description = Get-Para $classDoc 'description'
    if (-not $synopsis) { $problems.Add("$($command.Name): no synopsis") }
    if (-not $description) { $problems.Add("$($command.Name): no description") }
    $examples = @(if ($classDoc) { $classDoc.SelectNodes('example') })
    if ($examples.Count -eq 0) { $problems.Add("$($command.Name): no example") }
    $instance = [Activator]::CreateInstance($type)
    $parameters = $command.Parameters.Values | Where-Object { $_.Name -notin $common -or $_.Name -in 'WhatIf', 'Confirm' }

    $writer.WriteStartElement('command', 'command', $cmd)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('command', 'details', $cmd)
    $writer.WriteElementString('command', 'name', $cmd, $command.Name)
    $writer.WriteElementString('command', 'verb', $cmd, $command.Verb)
    $writer.WriteElementString('command', 'noun', $cmd, $command.Noun)
    Write-Paras 'maml' $maml 'description' @($synopsis)
    $writer.WriteEndElement()
    Write-Paras 'maml' $maml 'description' @($description)

    $writer.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $command.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $cmd)
        $writer.WriteElementString('maml', 'name', $maml, $command.Name)
        foreach ($inSet in $set.Parameters | Where-Object { $_.Name -notin $common -or $_.Name -in 'WhatIf', 'Confirm' }) {
            Write-Parameter $command $command.Parameters[$inSet.Name] $inSet.IsMandatory $instance
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $cmd)
    foreach ($parameter in $parameters | Sort-Object Name) {
        Write-Parameter $command $parameter (Test-Required $parameter) $instance
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'inputTypes', $cmd)
    foreach ($parameter in $parameters | Where-Object { (Get-PipelineText $_) -ne 'False' }) {
        $writer.WriteStartElement('command', 'inputType', $cmd)
        $writer.WriteStartElement('dev', 'type', $dev)
        $writer.WriteElementString('maml', 'name', $maml, $parameter.ParameterType.FullName)
        $writer.WriteEndElement()
        Write-Paras 'maml' $maml 'description' @("-$($parameter.Name), $((Get-PipelineText $parameter) -replace '^True ', '')")
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'returnValues', $cmd)
    foreach ($output in $command.OutputType) {
        $writer.WriteStartElement('command', 'returnValue', $cmd)
        $writer.WriteStartElement('dev', 'type', $dev)
        $writer.WriteElementString('maml', 'name', $maml, $output.Name)
        $writer.WriteEndElement()
        Write-Paras 'maml' $maml 'description' @('')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'examples', $cmd)
    $number = 0
    foreach ($example in $examples) {
        $number++
        $code = Format-DocText $example.code
        $remarks = @($example.SelectNodes('para') | ForEach-Object { Format-DocText $_.InnerText })
        if (-not $code) { $problems.Add("$($command.Name): example $number has no code") }
        if (-not ($remarks -join '')) { $problems.Add("$($command.Name): example $number says nothing about what it shows") }
        $writer.WriteStartElement('command', 'example', $cmd)
        $writer.WriteElementString('maml', 'title', $maml, "-------------------------- Example $number --------------------------")
        $writer.WriteElementString('dev', 'code', $dev, "PS> $code")
        Write-Paras 'dev' $dev 'remarks' $remarks
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $cmd)
    $writer.WriteStartElement('maml', 'navigationLink', $maml)
    $writer.WriteElementString('maml', 'linkText', $maml, 'about_Duri.Ops')
    $writer.WriteEndElement()
    $writer.WriteEndElement()

    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()

if ($problems.Count) {
    Remove-Item -LiteralPath $OutputPath
    throw "Help is incomplete:`n  " + ($problems -join "`n  ")
}
Write-Host "Help written: $((Get-Command -Module $module.Name -CommandType Cmdlet).Count) cmdlets -> $OutputPath"
