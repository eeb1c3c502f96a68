using System;
using System.IO;
using System.Management.Automation;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Lints Prometheus rule files: one finding per problem, nothing for a clean file.</para>
    /// <para type="description">The runbook's obs-lint. Reads each rule file (directories are searched for *.yml and *.yaml, test files excepted) and reports, with file, line and column: YAML and structure problems, unknown keys, PromQL that Prometheus 2.42 would reject (exact position), a record name twice in a group, duri_* selectors without the metric_realm matcher (-Realm), range windows shorter than 4 scrape intervals (-ScrapeInterval), heartbeat windows shorter than HB + 2 x SI (-HeartbeatInterval), *_ratio recording rules not forced into [0, 1], rate/irate/increase on a metric not named like a counter, and changes/deriv/delta on one that is. A check is switched off for one rule by a comment in it or right above it, such as `# duri-lint disable range/too-short`, or everywhere with -ExcludeCheck. -Quiet returns $true only for files without any finding.</para>
    /// </summary>
    /// <example>
    /// <code>Test-DuriRuleFile -Path ./module/rules</code>
    /// <para>Lints the canonical rules; no output means no finding.</para>
    /// </example>
    /// <example>
    /// <code>Get-ChildItem ./rules -Filter *.yml | Test-DuriRuleFile -Realm staging -ScrapeInterval 15s | Format-Table</code>
    /// <para>Lints rule files for the staging realm scraped every 15 s and shows the findings as a table.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "DuriRuleFile")]
    [OutputType(typeof(LintFinding), typeof(bool))]
    public sealed class TestDuriRuleFileCommand : DuriFileCmdlet
    {
        protected override bool Reads(string file) => FileArguments.IsYaml(file) && !FileArguments.IsTestFile(file);

        protected override string NotFoundErrorId => "RuleFileNotFound";

        /// <summary><para type="description">The metric_realm every duri_* selector must carry.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Realm { get; set; } = "prod";

        /// <summary><para type="description">The scrape interval range windows are measured against.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><para type="description">The heartbeat interval the heartbeat window minimum is derived from.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary><para type="description">Check ids not to run, such as range/too-short.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ExcludeCheck { get; set; }

        /// <summary><para type="description">Return only $true (no finding in any file) or $false.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private bool _clean = true;
        private int _files;

        protected override void BeginProcessing()
        {
            foreach (var check in ExcludeCheck ?? Array.Empty<string>())
            {
                if (!RuleLinter.Checks.ContainsKey(check))
                {
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{check}' is not a check. Checks: {string.Join(", ", RuleLinter.Checks.Keys)}."), "LintCheckUnknown", ErrorCategory.InvalidArgument, check));
                }
            }
        }

        protected override void ProcessRecord()
        {
            var options = new LintOptions { Realm = Realm, ScrapeInterval = ScrapeInterval, HeartbeatInterval = HeartbeatInterval };
            foreach (var check in ExcludeCheck ?? Array.Empty<string>()) options.ExcludedChecks.Add(check);
            foreach (var file in ResolveFiles())
            {
                _files++;
                WriteVerbose("Linting " + file);
                RuleFileReadResult read;
                try
                {
                    read = RuleFileReader.Load(file);
                }
                catch (IOException e)
                {
                    _clean = false;
                    if (!Quiet) WriteError(new ErrorRecord(e, "RuleFileUnreadable", ErrorCategory.ReadError, file));
                    continue;
                }
                foreach (var finding in RuleLinter.Lint(read, options))
                {
                    _clean = false;
                    if (!Quiet) WriteObject(finding);
                }
            }
        }

        protected override void EndProcessing()
        {
            if (Quiet) WriteObject(_clean && _files > 0);
        }
    }
}
