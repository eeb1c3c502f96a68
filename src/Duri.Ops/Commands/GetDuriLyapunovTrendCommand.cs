using System;
using System.Management.Automation;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Decides from history whether duri_lyapunov_v (or any one series) is Rising, Falling or Flat, without waiting.</para>
    /// <para type="description">One range query over the last -Since (default 15m) every -Step, summarized as Watch-DuriLyapunovTrend summarizes a watch: Samples, Missing, First, Last, Min, Max, the OLS slope and its standard error and the Theil-Sen slope (per minute), Mann-Kendall S, tau and p, the Verdict, BelowThreshold and a sparkline. Steps without a value, with NaN, or where several series have a value are Missing, never filled in; several series bring a warning naming the labels in which they differ. The verdict needs at least -MinimumSamples finite samples (default 10) and is InsufficientData with fewer, which also brings a warning.</para>
    /// </summary>
    /// <example>
    /// <code>Get-DuriLyapunovTrend -Since 15m -Step 15s</code>
    /// <para>The trend of duri_lyapunov_v{metric_realm="prod"} over the last 15 minutes, from 61 steps.</para>
    /// </example>
    /// <example>
    /// <code>(Get-DuriLyapunovTrend -Since 1h).Acceptable</code>
    /// <para>True when the last hour is Falling, or Flat with its last value at or below 0.1.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "DuriLyapunovTrend", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(TrendSummary))]
    public sealed class GetDuriLyapunovTrendCommand : DuriTrendCmdlet
    {
        /// <summary><para type="description">How far back from -End to look, such as 15m or 1h. Default: 15m. Must be more than zero.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan Since { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary><para type="description">Time between evaluation steps, such as 15s. Default: about 250 steps over the range, at least 1 s.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? Step { get; set; }

        /// <summary><para type="description">The end of the range. Default: now.</para></summary>
        [Parameter]
        public DateTimeOffset? End { get; set; }

        protected override void ProcessRecord()
        {
            if (Since <= TimeSpan.Zero)
                ThrowTerminatingError(Error("TrendInvalidRange", ErrorCategory.InvalidArgument, Since, $"-Since must be more than zero, such as 15m; got {Since}."));
            var step = Step ?? InvokeDuriRangeQueryCommand.AutomaticStep(Since);
            if (step <= TimeSpan.Zero)
                ThrowTerminatingError(Error("TrendInvalidStep", ErrorCategory.InvalidArgument, Step, $"-Step must be more than zero, such as 15s; got {step}."));
            double points = Since.TotalMilliseconds / step.TotalMilliseconds;
            if (points > InvokeDuriRangeQueryCommand.MaxPointsPerSeries)
            {
                ThrowTerminatingError(Error("TrendTooManyPoints", ErrorCategory.InvalidArgument, Step,
                    $"The range would give {points:0} steps; Prometheus allows {InvokeDuriRangeQueryCommand.MaxPointsPerSeries}. Use a larger -Step (at least {PrometheusDuration.Format(TimeSpan.FromSeconds(Math.Ceiling(Since.TotalSeconds / InvokeDuriRangeQueryCommand.MaxPointsPerSeries)))}) or a shorter -Since."));
            }
            var options = BuildOptions();
            var connection = ResolveConnection();
            var end = DateTimeOffset.FromUnixTimeMilliseconds((End ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
            var start = end - Since;
            WriteVerbose($"Querying {connection.Uri} from {start.UtcDateTime:o} to {end.UtcDateTime:o} every {PrometheusDuration.Format(step)}: {Query}");
            if (!TryCall(token => TrendHistory.ReadAsync(connection, Query, start, end, step, options, CallTimeout, token), Query, out var history)) return;

            foreach (var warning in history.Warnings) WriteWarning("The server warned: " + warning);
            if (history.SeveralSeriesSteps > 0)
            {
                WriteWarning($"{Query} matched {history.SeriesCount} series; they differ in {history.Differences}. At {history.SeveralSeriesSteps} steps several had a value, which count as Missing. Narrow -Query with a label matcher so that it selects one series.");
            }
            else if (history.SeriesCount > 1)
            {
                WriteWarning($"{Query} matched {history.SeriesCount} series that follow one another in time (they differ in {history.Differences}); their values were taken as one series. Narrow -Query to follow only one.");
            }
            WarnWhenUndecided(history.Summary);
            WriteObject(history.Summary);
        }
    }
}
