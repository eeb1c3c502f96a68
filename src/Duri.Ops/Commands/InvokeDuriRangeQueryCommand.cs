using System;
using System.Management.Automation;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Infrastructure;

namespace Duri.Ops.Commands
{
    /// <summary>
    /// <para type="synopsis">Runs a PromQL range query and outputs one object per series with its samples.</para>
    /// <para type="description">Evaluates the query from -Start (or -Since ago) to -End (default: now) every -Step. Each output object holds a series' labels and its samples in time order; timestamps are exact to the millisecond and values keep NaN and infinities. Without -Step, the step is chosen to give about 250 points, at least 1 s. Durations take Prometheus forms such as 15s, 5m or 1h30m.</para>
    /// </summary>
    /// <example>
    /// <code>Invoke-DuriRangeQuery 'rate(node_cpu_seconds_total[1m])' -Since 15m -Step 15s</code>
    /// <para>The last 15 minutes of CPU rate, one object per CPU and mode.</para>
    /// </example>
    /// <example>
    /// <code>(Invoke-DuriRangeQuery 'up{job="node"}' -Since 1h).Samples | Where-Object Value -eq 0</code>
    /// <para>Lists the moments in the last hour when node_exporter was down.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "DuriRangeQuery", DefaultParameterSetName = UriSet)]
    [OutputType(typeof(PrometheusRangeSeries))]
    public sealed class InvokeDuriRangeQueryCommand : DuriPrometheusCmdlet
    {
        /// <summary>Prometheus refuses ranges of more points than this per series.</summary>
        public const int MaxPointsPerSeries = 11000;

        /// <summary><para type="description">The PromQL expression.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.MetricNameCompleter))]
        public string Query { get; set; } = string.Empty;

        /// <summary><para type="description">Start of the range. Give -Start or -Since.</para></summary>
        [Parameter]
        public DateTimeOffset? Start { get; set; }

        /// <summary><para type="description">End of the range. Default: now.</para></summary>
        [Parameter]
        public DateTimeOffset? End { get; set; }

        /// <summary><para type="description">How far back from -End the range starts, such as 15m or 1h. Give -Start or -Since.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? Since { get; set; }

        /// <summary><para type="description">Resolution of the answer, such as 15s. Default: about 250 points, at least 1 s.</para></summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan? Step { get; set; }

        protected override void ProcessRecord()
        {
            var end = End ?? DateTimeOffset.UtcNow;
            if (Start.HasValue == Since.HasValue)
            {
                ThrowTerminatingError(Error("RangeQueryInvalidRange", ErrorCategory.InvalidArgument, Query,
                    "Give either -Start or -Since (such as -Since 15m), not both and not neither."));
            }
            var start = Start ?? end - Since!.Value;
            if (start >= end)
            {
                ThrowTerminatingError(Error("RangeQueryInvalidRange", ErrorCategory.InvalidArgument, Query,
                    $"The range starts at {start.UtcDateTime:o}, which is not before its end {end.UtcDateTime:o}."));
            }
            var step = Step ?? AutomaticStep(end - start);
            if (step <= TimeSpan.Zero)
            {
                ThrowTerminatingError(Error("RangeQueryInvalidStep", ErrorCategory.InvalidArgument, Step, "-Step must be positive, such as 15s."));
            }
            double points = (end - start).TotalMilliseconds / step.TotalMilliseconds;
            if (points > MaxPointsPerSeries)
            {
                ThrowTerminatingError(Error("RangeQueryTooManyPoints", ErrorCategory.InvalidArgument, Step,
                    $"The range would give {points:0} points per series; Prometheus allows {MaxPointsPerSeries}. Use a larger -Step (at least {PrometheusDuration.Format(TimeSpan.FromSeconds(Math.Ceiling((end - start).TotalSeconds / MaxPointsPerSeries)))}) or a shorter range."));
            }
            var connection = ResolveConnection();
            WriteVerbose($"Querying {connection.Uri} from {start.UtcDateTime:o} to {end.UtcDateTime:o} every {PrometheusDuration.Format(step)}: {Query}");
            if (!TryCall(token => connection.QueryRangeAsync(Query, start, end, step, CallTimeout, token), Query, out var result)) return;
            QueryOutput.WriteWarnings(this, result);
            if (result.Matrix.Count == 0) WriteVerbose("The query matched no series in the range.");
            foreach (var series in result.Matrix) WriteObject(series);
        }

        internal static TimeSpan AutomaticStep(TimeSpan range) =>
            TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(range.TotalSeconds / 250)));
    }
}
