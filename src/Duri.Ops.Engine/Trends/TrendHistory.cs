using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Trends
{
    /// <summary>A trend summary read from history with one range query, and what was odd about the answer.</summary>
    public sealed class TrendHistoryResult
    {
        internal TrendHistoryResult(TrendSummary summary, int seriesCount, int severalSeriesSteps, string differences, IReadOnlyList<string> warnings)
        {
            Summary = summary;
            SeriesCount = seriesCount;
            SeveralSeriesSteps = severalSeriesSteps;
            Differences = differences;
            Warnings = warnings;
        }

        public TrendSummary Summary { get; }

        /// <summary>How many series the range answer held.</summary>
        public int SeriesCount { get; }

        /// <summary>Steps at which several series had a value; each is one Missing point.</summary>
        public int SeveralSeriesSteps { get; }

        /// <summary>The labels in which the series of the answer differ, when there were several.</summary>
        public string Differences { get; }

        /// <summary>The server's own warnings.</summary>
        public IReadOnlyList<string> Warnings { get; }
    }

    /// <summary>
    /// The same summary as a watch, from a range query: one point per evaluation step, a NaN where no series or
    /// several series had a value (so gaps count as Missing and are never filled in).
    /// </summary>
    public static class TrendHistory
    {
        public static async Task<TrendHistoryResult> ReadAsync(PrometheusConnection connection, string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, TrendOptions options, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var result = await connection.QueryRangeAsync(query, start, end, step, timeout, cancellationToken).ConfigureAwait(false);
            var history = FromRange(result.Matrix, start, end, step, options, result.Warnings);
            history.Summary.Query = query;
            history.Summary.Prometheus = connection;
            return history;
        }

        /// <summary>Lays the series of a range answer on the query's evaluation grid (start + k * step, up to end) and summarizes it.</summary>
        public static TrendHistoryResult FromRange(IReadOnlyList<PrometheusRangeSeries> matrix, DateTimeOffset start, DateTimeOffset end, TimeSpan step, TrendOptions options, IReadOnlyList<string>? warnings = null)
        {
            long startMs = start.ToUnixTimeMilliseconds(), endMs = end.ToUnixTimeMilliseconds();
            long stepMs = (long)Math.Round(step.TotalMilliseconds);
            if (stepMs <= 0) throw new ArgumentOutOfRangeException(nameof(step), "The step must be at least a millisecond.");
            if (endMs < startMs) throw new ArgumentException("The end of the range is before its start.", nameof(end));
            long steps = (endMs - startMs) / stepMs + 1;
            var values = new double[steps];
            var counts = new int[steps];
            foreach (var series in matrix)
            {
                foreach (var sample in series.Samples)
                {
                    long offset = sample.UnixTimeMilliseconds - startMs;
                    if (offset < 0 || offset % stepMs != 0 || offset / stepMs >= steps) continue;
                    long k = offset / stepMs;
                    counts[k]++;
                    values[k] = sample.Value;
                }
            }
            var points = new TrendPoint[steps];
            int several = 0;
            for (long k = 0; k < steps; k++)
            {
                if (counts[k] > 1) several++;
                points[k] = new TrendPoint(DateTimeOffset.FromUnixTimeMilliseconds(startMs + k * stepMs), counts[k] == 1 ? values[k] : double.NaN);
            }
            string differences = matrix.Count > 1 ? TrendWatch.DescribeDifferences(matrix.Select(s => s.Labels).ToList()) : string.Empty;
            return new TrendHistoryResult(TrendAnalyzer.Summarize(points, options), matrix.Count, several, differences, warnings ?? Array.Empty<string>());
        }
    }
}
