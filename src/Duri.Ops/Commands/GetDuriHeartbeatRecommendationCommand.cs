using System;
using System.Management.Automation;
using Duri.Ops.Engine.HeartbeatModel;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Finds the smallest changes() window and freshness that keep a healthy writer's false alarms at or below a target.</para>
    /// <para type="description">Simulates a healthy writer as Measure-DuriHeartbeatAlarm does and records, for every evaluation, the least window and freshness that would pass it. It allows as many failing evaluations as keep the 95% upper bound within -TargetFalseAlarm, takes the freshness that fails at most half of them, then the least window that keeps all failures within them, then the least freshness with that window, both rounded up to whole seconds and never below what Export-DuriRuleFile accepts (a window of HeartbeatInterval + 2 x ScrapeInterval, a freshness of ScrapeInterval + 1 s), and measures the result again with another seed (false alarms with a 95% interval, detection times). The output binds to Export-DuriRuleFile by property name (window, freshness and intervals). With -MaxDetection, a recommendation whose p99 detection time is longer gives an error instead. When failed scrapes alone exceed the target (each one hides the series until the next scrape) no window or freshness can help, and the error says so with the figure.</para>
    /// </summary>
    /// <example>
    /// <code>Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -HeartbeatInterval 60s -ScrapeInterval 30s -Jitter 2s</code>
    /// <para>The smallest window and freshness that flag a healthy writer (beats up to 2 s late) at most once in a thousand evaluations.</para>
    /// </example>
    /// <example>
    /// <code>Get-DuriHeartbeatRecommendation -TargetFalseAlarm 0.001 -MaxDetection 5m | Export-DuriRuleFile -Path ./rules</code>
    /// <para>Writes rule files with the recommended window and freshness, if a stopped writer is flagged within 5 minutes (p99).</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "DuriHeartbeatRecommendation")]
    [OutputType(typeof(HeartbeatRecommendation))]
    public sealed class GetDuriHeartbeatRecommendationCommand : DuriHeartbeatModelCmdlet
    {
        /// <summary><para type="description">The largest share of a healthy writer's evaluations that may be flagged, such as 0.001.</para></summary>
        [Parameter(Position = 0)]
        [ValidateRange(0.000001, 0.5)]
        public double TargetFalseAlarm { get; set; } = 0.001;

        /// <summary><para type="description">The longest acceptable p99 time from a writer's last beat to the first evaluation that flags it.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? MaxDetection { get; set; }

        protected override void ProcessRecord()
        {
            var options = ModelOptions(TimeSpan.FromMinutes(6), TimeSpan.FromSeconds(75), FreshnessReference.ScrapeTime, null);
            HeartbeatRecommendation recommendation = null!;
            try
            {
                recommendation = Simulate("Get-DuriHeartbeatRecommendation", progress => HeartbeatAlarmModel.Recommend(options, TargetFalseAlarm, MaxDetection, progress, StopToken));
            }
            catch (ArgumentException e)
            {
                ThrowInvalid(e, options);
            }
            catch (InvalidOperationException e)
            {
                WriteError(Error("HeartbeatTargetUnreachable", ErrorCategory.InvalidResult, options, e.Message + " Lower the missed-scrape rate or raise -TargetFalseAlarm.", e));
                return;
            }
            WriteVerbose($"Window {Display.Duration(recommendation.Window)}, freshness {Display.Duration(recommendation.Freshness)}: {Percent(recommendation.FalseAlarmRate)} false alarms, p99 detection {Display.Age(recommendation.DetectionP99)}; {recommendation.Elapsed.TotalSeconds:0.0} s.");
            if (MaxDetection.HasValue && recommendation.DetectionP99 > MaxDetection.Value)
            {
                WriteError(Error("HeartbeatDetectionTooSlow", ErrorCategory.InvalidResult, recommendation,
                    $"The smallest window meeting {Percent(TargetFalseAlarm)} ({Display.Duration(recommendation.Window)}, freshness {Display.Duration(recommendation.Freshness)}) flags a stopped writer after {Display.Age(recommendation.DetectionP99)} (p99), more than -MaxDetection {Display.Duration(MaxDetection.Value)}. Beat or scrape more often, or accept more false alarms."));
                return;
            }
            WriteObject(recommendation);
        }

        private static string Percent(double share) => (100 * share).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + "%";
    }
}
