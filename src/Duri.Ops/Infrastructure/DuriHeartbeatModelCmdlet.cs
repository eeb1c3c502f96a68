using System;
using System.Management.Automation;
using Duri.Ops.Engine.HeartbeatModel;

namespace Duri.Ops.Infrastructure
{
    /// <summary>
    /// The intervals and the conditions the heartbeat model simulates, shared by Measure-DuriHeartbeatAlarm and
    /// Get-DuriHeartbeatRecommendation; both bind them by property name from each other's output. Engine enums are
    /// strings here: a value-type member of an engine type makes the CLR load the engine while PowerShell lists this
    /// assembly's types, before the dependency loader can place it.
    /// </summary>
    public abstract class DuriHeartbeatModelCmdlet : DuriCmdlet
    {
        /// <summary><para type="description">How often the writer beats.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary><para type="description">How often Prometheus scrapes the heartbeat.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><para type="description">How often the rules are evaluated. Default: the scrape interval (or the rule group's interval with -RuleFile).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [DurationTransformation]
        public TimeSpan? EvaluationInterval { get; set; }

        /// <summary><para type="description">What the freshness guard measures: ScrapeTime, time() - timestamp(...) &lt;= F as the canonical rules do (a failed scrape's staleness marker hides the series at once); WriterTime, time() - duri_heartbeat_timestamp_seconds &lt;= F as the seed's rules do; or ScrapeRange, count_over_time(duri_heartbeat_timestamp_seconds[F]) &gt;= 1, which skips staleness markers and so tolerates failed scrapes for F.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet(nameof(FreshnessReference.ScrapeTime), nameof(FreshnessReference.WriterTime), nameof(FreshnessReference.ScrapeRange))]
        public string? FreshnessOn { get; set; }

        /// <summary><para type="description">Chance that a scrape fails (0 to below 1). Prometheus then marks the target's series stale, so the heartbeat is not Ok until the next scrape.</para></summary>
        [Parameter]
        [ValidateRange(0.0, 0.999999)]
        public double MissedScrapeProbability { get; set; }

        /// <summary><para type="description">Chance that the writer skips a beat (a pause of one heartbeat interval).</para></summary>
        [Parameter]
        [ValidateRange(0.0, 0.999999)]
        public double MissedBeatProbability { get; set; }

        /// <summary><para type="description">Each beat is late by a random delay up to this (less than the heartbeat interval).</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Jitter { get; set; }

        /// <summary><para type="description">Each scrape starts late by a random delay up to this.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan ScrapeJitter { get; set; }

        /// <summary><para type="description">How long a scrape takes: the sample is stamped at its start and stored at its end.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan ScrapeDuration { get; set; }

        /// <summary><para type="description">Healthy-writer time to simulate, spread over 256 phase offsets of writer, scraper and evaluator. Longer runs narrow the interval.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Duration { get; set; } = TimeSpan.FromDays(30);

        /// <summary><para type="description">The random seed; the same seed and parameters give the same figures.</para></summary>
        [Parameter]
        public ulong Seed { get; set; } = 1;

        protected HeartbeatAlarmOptions ModelOptions(TimeSpan window, TimeSpan freshness, FreshnessReference freshnessOn, TimeSpan? evaluationInterval) => new HeartbeatAlarmOptions
        {
            HeartbeatInterval = HeartbeatInterval,
            ScrapeInterval = ScrapeInterval,
            EvaluationInterval = EvaluationInterval ?? evaluationInterval,
            Window = window,
            Freshness = freshness,
            FreshnessOn = FreshnessOn == null ? freshnessOn : (FreshnessReference)Enum.Parse(typeof(FreshnessReference), FreshnessOn, ignoreCase: true),
            MissedScrapeProbability = MissedScrapeProbability,
            MissedBeatProbability = MissedBeatProbability,
            Jitter = Jitter,
            ScrapeJitter = ScrapeJitter,
            ScrapeDuration = ScrapeDuration,
            Duration = Duration,
            Seed = Seed,
        };

        /// <summary>Runs the model on the pipeline thread, writing progress as it goes; Ctrl+C stops it between phases.</summary>
        protected T Simulate<T>(string activity, Func<Action<double>, T> run)
        {
            var progress = new ProgressRecord(3, activity, "Simulating");
            int shown = -1;
            try
            {
                return run(share =>
                {
                    int percent = (int)(share * 100);
                    if (percent == shown) return;
                    shown = percent;
                    progress.PercentComplete = Math.Min(100, percent);
                    WriteProgress(progress);
                });
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        protected void ThrowInvalid(ArgumentException e, object target) =>
            ThrowTerminatingError(Error("HeartbeatModelParametersInvalid", ErrorCategory.InvalidArgument, target, e.Message, e));
    }
}
