using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Trends
{
    /// <summary>What one poll of a trend watch found.</summary>
    public enum TrendPollStatus
    {
        /// <summary>Exactly one series with a finite value.</summary>
        Value,
        /// <summary>The query matched no series.</summary>
        NoSeries,
        /// <summary>The query matched several series, so no single value could be taken.</summary>
        SeveralSeries,
        /// <summary>One series whose value is NaN or an infinity.</summary>
        NotFinite,
        /// <summary>The server could not be reached or answered with an error.</summary>
        Failed,
    }

    /// <summary>One poll of a trend watch, with the slope and verdict over everything collected so far.</summary>
    public sealed class TrendSample
    {
        public DateTimeOffset Time { get; internal set; }

        /// <summary>The polled value; NaN when the poll gave none (see <see cref="Status"/>).</summary>
        public double Value { get; internal set; } = double.NaN;

        public TrendPollStatus Status { get; internal set; }

        /// <summary>For SeveralSeries the labels in which the series differ; for Failed the error.</summary>
        public string Detail { get; internal set; } = string.Empty;

        /// <summary>Finite values collected so far, this one included.</summary>
        public int Samples { get; internal set; }

        public int Missing { get; internal set; }

        /// <summary>The Theil-Sen slope per minute over everything collected so far.</summary>
        public double SlopePerMinute { get; internal set; } = double.NaN;

        public TrendVerdict Verdict { get; internal set; }

        public string Query { get; internal set; } = string.Empty;

        public override string ToString() => FormattableString.Invariant($"{Time.UtcDateTime:HH:mm:ss} {(Status == TrendPollStatus.Value ? PrometheusValue.Format(Value) : Status.ToString())} {Verdict}");
    }

    /// <summary>
    /// Polls an instant query and keeps every poll's point, a NaN where the poll gave no single finite value, so that
    /// gaps stay gaps. The caller decides when to poll; a server that goes away is a failed poll, not the end.
    /// </summary>
    public sealed class TrendWatch
    {
        private readonly List<TrendPoint> _points = new List<TrendPoint>();

        public TrendWatch(string query, TrendOptions options)
        {
            if (string.IsNullOrEmpty(query)) throw new ArgumentException("A query is needed.", nameof(query));
            Options = options ?? throw new ArgumentNullException(nameof(options));
            string? problem = options.DescribeProblem();
            if (problem != null) throw new ArgumentException(problem, nameof(options));
            Query = query;
        }

        public string Query { get; }

        public TrendOptions Options { get; }

        public IReadOnlyList<TrendPoint> Points => _points;

        /// <summary>Polls that failed: the server unreachable, or an error answer other than a malformed query.</summary>
        public int FailedPolls { get; private set; }

        /// <summary>Polls that matched several series.</summary>
        public int SeveralSeriesPolls { get; private set; }

        /// <summary>
        /// Runs the query once, at the current time to the millisecond, and records its point. A malformed query
        /// (bad_data) and refused credentials throw, since no later poll can do better; other failures are recorded.
        /// </summary>
        public async Task<TrendSample> PollAsync(PrometheusConnection connection, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            PrometheusQueryResult result;
            try
            {
                result = await connection.QueryAsync(Query, at, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (PrometheusException e) when (!EndsTheWatch(e))
            {
                FailedPolls++;
                return Record(at, double.NaN, TrendPollStatus.Failed, e.Message);
            }
            return Add(at, result);
        }

        /// <summary>Records the answer of a query made at <paramref name="at"/>.</summary>
        public TrendSample Add(DateTimeOffset at, PrometheusQueryResult result)
        {
            if (result.ResultType == PrometheusResultType.Scalar && result.Scalar.HasValue)
                return Record(at, result.Scalar.Value.Value);
            var vector = result.Vector;
            if (vector.Count == 0) return Record(at, double.NaN, TrendPollStatus.NoSeries, string.Empty);
            if (vector.Count > 1)
            {
                SeveralSeriesPolls++;
                return Record(at, double.NaN, TrendPollStatus.SeveralSeries, DescribeDifferences(vector.Select(v => v.Labels).ToList()));
            }
            return Record(at, vector[0].Value);
        }

        public TrendSummary Summarize()
        {
            var summary = TrendAnalyzer.Summarize(_points, Options);
            summary.FailedPolls = FailedPolls;
            summary.Query = Query;
            return summary;
        }

        /// <summary>Failures no later poll can get past: a query the server cannot parse, refused credentials.</summary>
        public static bool EndsTheWatch(PrometheusException e) =>
            e.Kind == PrometheusErrorKind.Unauthorized || (e.Kind == PrometheusErrorKind.QueryFailed && e.ErrorType == "bad_data");

        /// <summary>The labels in which several series differ, one selector per series: {instance="a"}; {instance="b"}.</summary>
        public static string DescribeDifferences(IReadOnlyList<LabelSet> series)
        {
            var names = series.SelectMany(s => s.Keys).Distinct(StringComparer.Ordinal)
                .Where(name => series.Select(s => s.TryGetValue(name, out var v) ? v : null).Distinct(StringComparer.Ordinal).Count() > 1)
                .OrderBy(n => n, StringComparer.Ordinal).ToList();
            return string.Join("; ", series.Select(s => "{" + string.Join(", ", names.Select(n => n + "=\"" + (s.TryGetValue(n, out var v) ? v : "") + "\"")) + "}"));
        }

        private TrendSample Record(DateTimeOffset at, double value) =>
            Record(at, value, double.IsNaN(value) || double.IsInfinity(value) ? TrendPollStatus.NotFinite : TrendPollStatus.Value, string.Empty);

        private TrendSample Record(DateTimeOffset at, double value, TrendPollStatus status, string detail)
        {
            _points.Add(new TrendPoint(at, status == TrendPollStatus.Value ? value : double.NaN));
            var summary = TrendAnalyzer.Summarize(_points, Options);
            return new TrendSample
            {
                Time = at,
                Value = value,
                Status = status,
                Detail = detail,
                Samples = summary.Samples,
                Missing = summary.Missing,
                SlopePerMinute = summary.TheilSenSlopePerMinute,
                Verdict = summary.Verdict,
                Query = Query,
            };
        }
    }
}
