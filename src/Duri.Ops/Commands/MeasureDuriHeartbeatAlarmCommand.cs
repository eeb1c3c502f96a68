using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using Duri.Ops.Engine.HeartbeatModel;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Measures how often a heartbeat configuration flags a healthy writer, and how long a stopped writer goes unnoticed.</para>
    /// <para type="description">Simulates the writer (beats every -HeartbeatInterval, with -Jitter and missed beats), Prometheus' scrapes (every -ScrapeInterval, with failed scrapes that mark the series stale) and the rule evaluations (every -EvaluationInterval) event by event, with Prometheus 2.42's semantics: changes() over the samples in [t - window, t], the latest sample within the 5-minute lookback, staleness markers skipped by range selectors and hiding the series from instant lookups. It samples 256 phase offsets of writer, scraper and evaluator and reports the false alarms per evaluation of a healthy writer (average with a 95% interval, and the worst phase), false-alarm episodes per day, and the time from a writer's last beat to the first evaluation that flags it (p50, p95, p99, max over 2,000 stopped writers). Window and freshness come from -Window and -Freshness, from -RuleFile (a heartbeat rule file such as module/rules/heartbeat.rules.yml), or else are derived as Export-DuriRuleFile derives them. The same -Seed gives the same figures. A window or freshness shorter than the scrape interval gives a warning that the configuration is never healthy, with the measured figure.</para>
    /// </summary>
    /// <example>
    /// <code>Measure-DuriHeartbeatAlarm -HeartbeatInterval 60s -ScrapeInterval 30s -Window 6m -Freshness 75s -FreshnessOn WriterTime</code>
    /// <para>Measures the seed's configuration: freshness 75 s on the writer's own timestamp.</para>
    /// </example>
    /// <example>
    /// <code>Measure-DuriHeartbeatAlarm -RuleFile ./module/rules/heartbeat.rules.yml -MissedScrapeProbability 0.001 -Jitter 2s</code>
    /// <para>Measures the shipped rules when one scrape in a thousand fails and beats run up to 2 s late.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Measure, "DuriHeartbeatAlarm", DefaultParameterSetName = ParametersSet)]
    [OutputType(typeof(HeartbeatAlarmMeasurement))]
    public sealed class MeasureDuriHeartbeatAlarmCommand : DuriHeartbeatModelCmdlet
    {
        private const string ParametersSet = "Parameters";
        private const string RuleFileSet = "RuleFile";

        /// <summary><para type="description">The changes() window. Default: derived from the intervals and -ToleratedMisses, as Export-DuriRuleFile does.</para></summary>
        [Parameter(ParameterSetName = ParametersSet, ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan? Window { get; set; }

        /// <summary><para type="description">The largest age the freshness guard accepts. Default: derived as Export-DuriRuleFile does.</para></summary>
        [Parameter(ParameterSetName = ParametersSet, ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan? Freshness { get; set; }

        /// <summary><para type="description">Beats or scrapes that may go missing in a row; the default window and freshness are derived from it.</para></summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 100)]
        public int ToleratedMisses { get; set; } = 2;

        /// <summary><para type="description">A heartbeat rule file to read the window (changes() over duri_heartbeat_timestamp_seconds), the freshness (the &lt;= bool bound) and the evaluation interval (its group's) from.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = RuleFileSet)]
        [ValidateNotNullOrEmpty]
        public string RuleFile { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            HeartbeatAlarmOptions options;
            if (ParameterSetName == RuleFileSet)
            {
                var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(RuleFile);
                HeartbeatRuleParameters rules;
                try
                {
                    var read = RuleFileReader.Load(path);
                    rules = HeartbeatAlarmModel.FromRuleFile(read.File);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(Error("RuleFileNotFound", ErrorCategory.ObjectNotFound, path, $"Could not read '{path}': {e.Message}", e));
                    return;
                }
                catch (ArgumentException e)
                {
                    ThrowTerminatingError(Error("HeartbeatRulesNotFound", ErrorCategory.InvalidData, path, e.Message + " Give -Window and -Freshness instead.", e));
                    return;
                }
                WriteVerbose($"{path}: window {Display.Duration(rules.Window)}, freshness {Display.Duration(rules.Freshness)} on the {rules.FreshnessOn}.");
                options = ModelOptions(rules.Window, rules.Freshness, rules.FreshnessOn, rules.EvaluationInterval);
            }
            else
            {
                var canonical = new CanonicalRuleOptions { HeartbeatInterval = HeartbeatInterval, ScrapeInterval = ScrapeInterval, ToleratedMisses = ToleratedMisses, Window = Window, Freshness = Freshness };
                options = ModelOptions(canonical.EffectiveWindow, canonical.EffectiveFreshness, FreshnessReference.ScrapeTime, null);
            }
            HeartbeatAlarmMeasurement measurement = null!;
            try
            {
                measurement = Simulate("Measure-DuriHeartbeatAlarm", progress => HeartbeatAlarmModel.Measure(options, progress, StopToken));
            }
            catch (ArgumentException e)
            {
                ThrowInvalid(e, options);
            }
            foreach (var warning in measurement.Warnings)
            {
                WriteWarning($"{warning} Measured: {(100 * measurement.FalseAlarmRate).ToString("0.00", CultureInfo.InvariantCulture)}% of evaluations flagged.");
            }
            WriteObject(measurement);
        }
    }
}
