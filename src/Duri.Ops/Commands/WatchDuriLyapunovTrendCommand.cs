using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Watches duri_lyapunov_v (or any one series) for a while and decides whether it is Rising, Falling or Flat.</para>
    /// <para type="description">The runbook's monitor_lyapunov_trend.sh. Polls the instant query every -Interval for -Duration, writing one sample object per poll (Time, Value, the samples and slope so far, the verdict so far) and a progress bar (elapsed, remaining, current value, verdict), then one summary: Samples, Missing, First, Last, Min, Max, the OLS slope and its standard error and the Theil-Sen slope (per minute), Mann-Kendall S, tau and p, the Verdict, BelowThreshold and a sparkline. The verdict is Rising or Falling only when the two-sided Mann-Kendall test is significant at -Confidence and the Theil-Sen slope is at least -MinimumSlope per minute; it needs at least -MinimumSamples finite samples (default 10), and is InsufficientData with fewer. A poll with no series, NaN, or several series is Missing, never filled in; several series also bring a warning naming the labels in which they differ. A server that goes away is counted (FailedPolls), reported in a warning, and the watch goes on until -Duration is up. Ctrl+C ends the watch and shows the summary of what was collected on the console, and in -SummaryVariable.</para>
    /// </summary>
    /// <example>
    /// <code>Watch-DuriLyapunovTrend -Duration 5m -Interval 5s</code>
    /// <para>Watches duri_lyapunov_v{metric_realm="prod"} for five minutes and ends with its trend summary.</para>
    /// </example>
    /// <example>
    /// <code>$sandbox | Watch-DuriLyapunovTrend -Duration 15s -Interval 1s -MinimumSamples 5 | Select-Object -Last 1</code>
    /// <para>A short watch against a sandbox, keeping only the summary.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Watch, "DuriLyapunovTrend", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(TrendSample), typeof(TrendSummary))]
    public sealed class WatchDuriLyapunovTrendCommand : DuriTrendCmdlet
    {
        private const int ProgressId = 7;

        /// <summary><para type="description">How long to watch, such as 300s or 5m. Default: 300s. Must be more than zero.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(300);

        /// <summary><para type="description">Time between polls, such as 5s. Default: 5s. Must be more than zero. Each poll waits at most -TimeoutSec, or else the shorter of the connection's timeout and the interval (at least 1 s).</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary><para type="description">The name of a variable (without $) that receives the summary, also when Ctrl+C ends the watch and no object can be written any more.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SummaryVariable { get; set; }

        protected override void ProcessRecord()
        {
            if (Duration <= TimeSpan.Zero)
                ThrowTerminatingError(Error("TrendInvalidDuration", ErrorCategory.InvalidArgument, Duration, $"-Duration must be more than zero, such as 300s or 5m; got {Duration}."));
            if (Interval <= TimeSpan.Zero)
                ThrowTerminatingError(Error("TrendInvalidInterval", ErrorCategory.InvalidArgument, Interval, $"-Interval must be more than zero, such as 5s; got {Interval}."));
            var options = BuildOptions();
            var connection = ResolveConnection();
            var watch = new TrendWatch(Query, options);
            var pollTimeout = CallTimeout ?? Shorter(connection.Timeout, Interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : Interval);
            WriteVerbose($"Polling {connection.Uri} every {PrometheusDuration.Format(Interval)} for {PrometheusDuration.Format(Duration)}: {Query}");

            string activity = "Watching " + Query;
            var clock = Stopwatch.StartNew();
            var reportedDifferences = new HashSet<string>(StringComparer.Ordinal);
            int failureStreak = 0, polls = 0;
            try
            {
                for (long slot = 0; ; slot++)
                {
                    var due = TimeSpan.FromTicks(Interval.Ticks * slot);
                    if (due > Duration) break;
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.Zero && StopToken.WaitHandle.WaitOne(wait)) throw new PipelineStoppedException();

                    TrendSample sample;
                    try
                    {
                        sample = Await(token => watch.PollAsync(connection, pollTimeout, token));
                    }
                    catch (PrometheusException e)
                    {
                        ThrowTerminatingError(ErrorFor(e, Query));
                        return;
                    }
                    polls++;
                    failureStreak = Report(sample, failureStreak, reportedDifferences);
                    WriteObject(sample);
                    var elapsed = clock.Elapsed;
                    WriteProgress(new ProgressRecord(ProgressId, activity,
                        $"{Display.Age(elapsed)} of {PrometheusDuration.Format(Duration)}: value {(sample.Status == TrendPollStatus.Value ? Display.Value(sample.Value) : sample.Status.ToString())}, {sample.Verdict} ({sample.Samples} samples, {sample.Missing} missing)")
                    {
                        PercentComplete = (int)Math.Min(100, 100 * elapsed.Ticks / Duration.Ticks),
                        SecondsRemaining = (int)Math.Max(0, Math.Ceiling((Duration - elapsed).TotalSeconds)),
                    });
                    // A poll slower than the interval skips the slots it overran rather than polling in a burst.
                    long next = (long)Math.Ceiling((double)clock.Elapsed.Ticks / Interval.Ticks);
                    if (next > slot + 1) slot = next - 1;
                }
            }
            catch (PipelineStoppedException) when (StopToken.IsCancellationRequested)
            {
                ShowOnConsole(Finish(watch, connection), clock.Elapsed);
                throw;
            }
            WriteProgress(new ProgressRecord(ProgressId, activity, "done") { RecordType = ProgressRecordType.Completed });
            var summary = Finish(watch, connection);
            if (watch.FailedPolls > 0)
            {
                WriteWarning($"{watch.FailedPolls} of {polls} polls failed (server unreachable or an error answer); they count as Missing.");
            }
            WarnWhenUndecided(summary);
            WriteObject(summary);
        }

        /// <summary>Warnings for the start and end of an outage and for each new set of several series; returns the failure streak.</summary>
        private int Report(TrendSample sample, int failureStreak, HashSet<string> reportedDifferences)
        {
            if (sample.Status == TrendPollStatus.Failed)
            {
                if (failureStreak == 0)
                {
                    WriteWarning($"The poll at {sample.Time.UtcDateTime:HH:mm:ss} failed: {sample.Detail} The watch goes on until {PrometheusDuration.Format(Duration)} is up; failed polls count as Missing.");
                }
                return failureStreak + 1;
            }
            if (failureStreak > 0) WriteWarning($"Prometheus answered again at {sample.Time.UtcDateTime:HH:mm:ss} after {failureStreak} failed polls.");
            if (sample.Status == TrendPollStatus.SeveralSeries && reportedDifferences.Add(sample.Detail))
            {
                WriteWarning($"{Query} matched several series at {sample.Time.UtcDateTime:HH:mm:ss}; they differ in {sample.Detail}. Narrow -Query with a label matcher so that it selects one series; these polls count as Missing.");
            }
            return 0;
        }

        private TrendSummary Finish(TrendWatch watch, PrometheusConnection connection)
        {
            var summary = watch.Summarize();
            summary.Prometheus = connection;
            if (SummaryVariable != null) SessionState.PSVariable.Set(SummaryVariable, summary);
            return summary;
        }

        /// <summary>After Ctrl+C no object can be written; the console still shows what was collected.</summary>
        private void ShowOnConsole(TrendSummary summary, TimeSpan elapsed)
        {
            var ui = Host?.UI;
            if (ui == null) return;
            var culture = CultureInfo.InvariantCulture;
            ui.WriteLine($"Trend watch stopped after {Display.Age(elapsed)}: {summary.Verdict} over {summary.Samples} samples ({summary.Missing} missing, {summary.FailedPolls} failed polls).");
            ui.WriteLine(string.Format(culture, "  Theil-Sen {0}/min, OLS {1} ± {2}/min, Mann-Kendall tau {3:0.###} p {4:G3}; last {5} (threshold {6})",
                Display.Value(summary.TheilSenSlopePerMinute), Display.Value(summary.OlsSlopePerMinute), Display.Value(summary.OlsStandardError),
                summary.MannKendall.Tau, summary.MannKendall.PValue, Display.Value(summary.Last), Display.Value(summary.Threshold)));
            ui.WriteLine("  " + summary.Sparkline);
            ui.WriteLine("  " + summary.Reason);
        }

        private static TimeSpan Shorter(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}
