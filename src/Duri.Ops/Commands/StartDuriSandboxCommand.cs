using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Starts a throwaway local Prometheus and node_exporter for rehearsals and tests.</para>
    /// <para type="description">Starts a real Prometheus (lifecycle API on, so reloads work) and a node_exporter (textfile collector only) on free loopback ports, in a directory holding prometheus.yml, rules/ (loaded as rules/*.yml), textfile/ (what node_exporter exports), data/ (the TSDB) and logs/. Returns once Prometheus is ready and has scraped every target once. The canonical heartbeat and contract rules (see Export-DuriRuleFile) are loaded unless -RuleFile says otherwise. The sandbox object pipes into every querying cmdlet. Sandboxes left behind by a session that ended without Stop-DuriSandbox are removed by the next Start-DuriSandbox. Needs prometheus and node_exporter (Debian: apt-get install prometheus prometheus-node-exporter) or DURI_PROMETHEUS_BIN and DURI_NODE_EXPORTER_BIN.</para>
    /// </summary>
    /// <example>
    /// <code>$sandbox = Start-DuriSandbox -ScrapeInterval 1s; $sandbox | Test-DuriPrometheusTarget; $sandbox | Stop-DuriSandbox</code>
    /// <para>Starts a sandbox scraping every second, checks its targets and removes it again.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Start, "DuriSandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(DuriSandbox))]
    public sealed class StartDuriSandboxCommand : DuriCmdlet
    {
        private const string Activity = "Starting a Duri.Ops sandbox";

        /// <summary><para type="description">How often Prometheus scrapes (and evaluates rules), such as 1s or 15s. Default 5s.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary><para type="description">Rule evaluation interval. Default: the scrape interval.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? EvaluationInterval { get; set; }

        /// <summary><para type="description">The sandbox directory; it must not exist or be empty, and is removed by Stop-DuriSandbox. Default: a new directory under the temp directory.</para></summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">How long to wait for Prometheus to be ready and to have scraped every target once. Default 60s.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary><para type="description">Rule files to load. Default: the module's canonical heartbeat and contract rules. @() loads none.</para></summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[]? RuleFile { get; set; }

        /// <summary><para type="description">Start Prometheus without --web.enable-lifecycle, as many production servers run: POST /-/reload is refused with HTTP 403 and only SIGHUP reloads it. For rehearsing Invoke-DuriSafeReload -Signal.</para></summary>
        [Parameter]
        public SwitchParameter DisableLifecycleApi { get; set; }

        protected override void ProcessRecord()
        {
            var path = Path == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            var ruleFiles = RuleFile == null ? CanonicalRuleFiles() : RuleFile.Select(f => SessionState.Path.GetUnresolvedProviderPathFromPSPath(f)).ToList();
            var where = path ?? "a new temporary directory";
            if (!ShouldProcess(where, $"Start Prometheus and node_exporter on free loopback ports, scraping every {ScrapeInterval.TotalSeconds:0.###} s"))
                return;
            var options = new SandboxOptions
            {
                Path = path,
                ScrapeInterval = ScrapeInterval,
                EvaluationInterval = EvaluationInterval,
                StartTimeout = StartTimeout,
                EnableLifecycleApi = !DisableLifecycleApi,
                OwnerTag = DuriSession.OwnerTag,
            };
            foreach (var file in ruleFiles) options.RuleFiles.Add(file);
            WriteVerbose(ruleFiles.Count == 0 ? "Loading no rule files." : "Loading rule files: " + string.Join(", ", ruleFiles));
            var progress = new ProgressRecord(1, Activity, "Checking binaries");
            WriteProgress(progress);
            try
            {
                var sandbox = Await(token => DuriSandbox.StartAsync(options, message => OnPipelineThread(() =>
                {
                    WriteVerbose(message);
                    progress.StatusDescription = message;
                    WriteProgress(progress);
                }), token));
                WriteObject(sandbox);
            }
            catch (SandboxException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "Sandbox" + e.Failure, CategoryOf(e.Failure), e.Target));
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        /// <summary>The shipped canonical rule files, none when the module ships no rules folder.</summary>
        private IReadOnlyList<string> CanonicalRuleFiles()
        {
            var rules = ShippedDirectory("rules");
            return rules == null ? Array.Empty<string>() : Directory.GetFiles(rules, "*.rules.yml").OrderBy(f => f, StringComparer.Ordinal).ToList();
        }

        private static ErrorCategory CategoryOf(SandboxFailure failure)
        {
            switch (failure)
            {
                case SandboxFailure.BinaryMissing: return ErrorCategory.ObjectNotFound;
                case SandboxFailure.PathInUse: return ErrorCategory.ResourceExists;
                case SandboxFailure.RuleFileMissing: return ErrorCategory.ObjectNotFound;
                default: return ErrorCategory.OpenError;
            }
        }
    }
}
