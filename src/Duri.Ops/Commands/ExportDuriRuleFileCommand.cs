using System;
using System.IO;
using System.Management.Automation;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.HeartbeatModel;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Generates the canonical heartbeat and observability-contract rule files, with their promtool unit tests.</para>
    /// <para type="description">Writes heartbeat.rules.yml and duri-observability-contract.rules.yml into -Path, and their promtool unit tests into -Path/tests, from the heartbeat, scrape and evaluation intervals. The changes() window is (ToleratedMisses + 1) x (HeartbeatInterval + 2 x ScrapeInterval), rounded up to a whole minute, and the freshness guard (on the scrape age, time() - timestamp(...), which a healthy target keeps below one scrape interval) is (ToleratedMisses + 0.5) x ScrapeInterval; both can be given instead. For the runbook's heartbeat every 60 s and scrape every 30 s this gives the window 6m and the freshness 75 s. Every selector is filtered with metric_realm. duri_heartbeat_ok is 1 while the heartbeat changed within the window and is fresh, and 0 otherwise, also when there is no heartbeat series at all. Files are replaced atomically; unchanged files are left alone.</para>
    /// </summary>
    /// <example>
    /// <code>Export-DuriRuleFile -Path ./rules -HeartbeatInterval 60s -ScrapeInterval 30s</code>
    /// <para>Writes the runbook's rule files (window 6m, freshness 75 s) and their unit tests into ./rules.</para>
    /// </example>
    /// <example>
    /// <code>Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -ScrapeInterval 15s | Export-DuriRuleFile -Path ./rules</code>
    /// <para>Writes rules with the smallest window and freshness that flag a healthy writer scraped every 15 s at most once in a thousand evaluations.</para>
    /// </example>
    /// <example>
    /// <code>Export-DuriRuleFile -Path ./rules -Realm staging -Window 10m -WhatIf</code>
    /// <para>Shows which files would be written for the staging realm with a 10-minute window, writing nothing.</para>
    /// </example>
    [Cmdlet(VerbsData.Export, "DuriRuleFile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ExportedRuleFile))]
    public sealed class ExportDuriRuleFileCommand : DuriCmdlet
    {
        /// <summary><para type="description">The directory to write into; it is created when missing.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary><para type="description">How often the heartbeat writer beats.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary><para type="description">How often Prometheus scrapes the heartbeat.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><para type="description">How often the rules are evaluated. Default: the scrape interval.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan? EvaluationInterval { get; set; }

        /// <summary><para type="description">The metric_realm every selector is filtered with.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Realm { get; set; } = "prod";

        /// <summary><para type="description">Beats or scrapes that may go missing in a row before the heartbeat is not Ok; the window and freshness are derived from it.</para></summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int ToleratedMisses { get; set; } = 2;

        /// <summary><para type="description">The changes() window, instead of the derived one. At least HeartbeatInterval + 2 x ScrapeInterval.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan? Window { get; set; }

        /// <summary><para type="description">The largest scrape age that counts as fresh, instead of the derived one. More than the scrape interval.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan? Freshness { get; set; }

        /// <summary><para type="description">What the freshness guard measures. The generated rules measure the scrape age (ScrapeTime); WriterTime or ScrapeRange, as a Get-DuriHeartbeatRecommendation -FreshnessOn result may carry, is refused rather than written with another meaning.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet(nameof(FreshnessReference.ScrapeTime), nameof(FreshnessReference.WriterTime), nameof(FreshnessReference.ScrapeRange))]
        public string? FreshnessOn { get; set; }

        /// <summary><para type="description">The window of duri_green_uptime_ratio.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan UptimeWindow { get; set; } = TimeSpan.FromHours(1);

        /// <summary><para type="description">Write the rule files only, without their promtool unit tests.</para></summary>
        [Parameter]
        public SwitchParameter NoTests { get; set; }

        /// <summary><para type="description">Do not replace an existing file whose content differs; write an error for it instead.</para></summary>
        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        protected override void ProcessRecord()
        {
            if (FreshnessOn != null && !string.Equals(FreshnessOn, nameof(FreshnessReference.ScrapeTime), StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The generated rules measure freshness on the scrape age, time() - timestamp(...); a freshness figured for another guard ({FreshnessOn}) would mean something else there. Use a ScrapeTime recommendation."), "RuleParametersInvalid", ErrorCategory.InvalidArgument, FreshnessOn));
            }
            var options = new CanonicalRuleOptions
            {
                HeartbeatInterval = HeartbeatInterval,
                ScrapeInterval = ScrapeInterval,
                EvaluationInterval = EvaluationInterval,
                Realm = Realm,
                ToleratedMisses = ToleratedMisses,
                Window = Window,
                Freshness = Freshness,
                UptimeWindow = UptimeWindow,
            };
            System.Collections.Generic.IReadOnlyList<GeneratedRuleFile> files;
            try
            {
                files = CanonicalRules.Generate(options);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "RuleParametersInvalid", ErrorCategory.InvalidArgument, options));
                return;
            }
            var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            WriteVerbose($"Window {Engine.Prometheus.PrometheusDuration.Format(options.EffectiveWindow)}, freshness {options.EffectiveFreshness.TotalSeconds:0} s on the scrape age.");
            foreach (var file in files)
            {
                bool isTest = file.RelativePath.StartsWith("tests/", StringComparison.Ordinal);
                if (isTest && NoTests) continue;
                var target = System.IO.Path.Combine(directory, file.RelativePath.Replace('/', System.IO.Path.DirectorySeparatorChar));
                bool exists = File.Exists(target);
                if (exists && File.ReadAllText(target) == file.Content)
                {
                    WriteObject(new ExportedRuleFile(target, isTest ? "Tests" : "Rules", "Unchanged", file.Content.Length));
                    continue;
                }
                if (exists && NoClobber)
                {
                    WriteError(new ErrorRecord(new IOException($"'{target}' exists with other content; remove -NoClobber to replace it."), "RuleFileExists", ErrorCategory.ResourceExists, target));
                    continue;
                }
                if (!ShouldProcess(target, exists ? "Replace with the generated rules" : "Create with the generated rules")) continue;
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                AtomicFile.WriteAllText(target, file.Content);
                WriteObject(new ExportedRuleFile(target, isTest ? "Tests" : "Rules", exists ? "Updated" : "Created", file.Content.Length));
            }
        }
    }
}
