using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Checks a Prometheus configuration and every rule file it loads, with promtool and optionally the linter.</para>
    /// <para type="description">The runbook's make promtool-check. Runs promtool check config on -ConfigPath (syntax only, so that promtool does not check the rule files there as well), resolves the config's rule_files globs relative to its directory, and runs promtool check rules once over all of them, so each file is checked exactly once. With -Lint each rule file also goes through Test-DuriRuleFile's checks (the realm from -Realm, ranges against the config's own scrape interval); a lint error fails the file, a warning is only reported. One object per file checked (Path, Kind, Passed, Messages, Groups, Rules); -Quiet returns one boolean. promtool comes from -PromtoolPath, $env:DURI_PROMTOOL or PATH.</para>
    /// </summary>
    /// <example>
    /// <code>Test-DuriPrometheusConfig -ConfigPath /etc/prometheus/prometheus.yml</code>
    /// <para>Checks the config and each rule file it loads, one line per file.</para>
    /// </example>
    /// <example>
    /// <code>if (-not (Start-DuriSandbox | Test-DuriPrometheusConfig -Lint -Quiet)) { throw 'config or rules broken' }</code>
    /// <para>A guard for a runbook: the sandbox's config and rules must pass promtool and the linter.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "DuriPrometheusConfig")]
    [OutputType(typeof(ConfigCheckResult), typeof(bool))]
    public sealed class TestDuriPrometheusConfigCommand : DuriCmdlet
    {
        /// <summary><para type="description">The prometheus.yml to check (alias -Path). A sandbox's ConfigPath, or Get-ChildItem's FullName, binds from the pipeline.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Path", "FullName")]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; } = string.Empty;

        /// <summary><para type="description">Also run the linter (Test-DuriRuleFile's checks) on every rule file.</para></summary>
        [Parameter]
        public SwitchParameter Lint { get; set; }

        /// <summary><para type="description">The metric_realm the linter expects on duri_* selectors.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Realm { get; set; } = "prod";

        /// <summary><para type="description">The promtool binary. Default: $env:DURI_PROMTOOL, then PATH.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PromtoolPath { get; set; }

        /// <summary><para type="description">Return only $true (every file passed) or $false.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath);
            var lint = Lint ? new LintOptions { Realm = Realm } : null;
            WriteVerbose($"promtool check config {path}");
            IReadOnlyList<ConfigCheckResult> results;
            try
            {
                results = Await(token => ConfigChecker.CheckAsync(path, lint, token, PromtoolPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PromtoolPath)));
            }
            catch (PromtoolMissingException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "PromtoolNotFound", ErrorCategory.ObjectNotFound, PromtoolPath ?? "promtool"));
                return;
            }
            catch (FileNotFoundException e)
            {
                if (Quiet)
                {
                    WriteObject(false);
                    return;
                }
                ThrowTerminatingError(new ErrorRecord(e, "ConfigFileNotFound", ErrorCategory.ObjectNotFound, path));
                return;
            }
            bool allPassed = true;
            foreach (var result in results)
            {
                allPassed &= result.Passed;
                if (!Quiet) WriteObject(result);
            }
            if (Quiet) WriteObject(allPassed);
        }
    }
}
