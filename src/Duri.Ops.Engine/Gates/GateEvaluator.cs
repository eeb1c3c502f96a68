using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Gates
{
    /// <summary>What a gate found. Only Pass passes; everything else fails closed.</summary>
    /// <remarks>Byte-sized: the promotion evaluation keeps one per gate and step, and counts them as bytes.</remarks>
    public enum GateStatus : byte
    {
        /// <summary>One fresh, finite series on the passing side of the threshold.</summary>
        Pass,
        /// <summary>One fresh, finite series on the wrong side of the threshold.</summary>
        Violated,
        /// <summary>The query returned no series.</summary>
        NoData,
        /// <summary>The newest sample is older than the gate's max age.</summary>
        Stale,
        /// <summary>The value is NaN.</summary>
        NaN,
        /// <summary>The value is ±Inf or outside the range that makes sense for the gate.</summary>
        OutOfRange,
        /// <summary>More than one series where the gate needs exactly one.</summary>
        MultipleSeries,
        /// <summary>The query could not be answered: server down, HTTP error, timeout, malformed answer, bad PromQL.</summary>
        QueryError,
    }

    /// <summary>One gate's verdict at one evaluation time, with the reason an operator can act on.</summary>
    public sealed class GateResult
    {
        public string Name { get; internal set; } = string.Empty;

        /// <summary>The query as sent, with the realm put in.</summary>
        public string Query { get; internal set; } = string.Empty;

        /// <summary>The value judged; NaN when there was none.</summary>
        public double Value { get; internal set; } = double.NaN;

        public string Operator { get; internal set; } = string.Empty;

        public double Threshold { get; internal set; }

        public GateStatus Status { get; internal set; }

        public bool Passed => Status == GateStatus.Pass;

        public string Reason { get; internal set; } = string.Empty;

        /// <summary>The timestamp of the sample judged (when Prometheus scraped or recorded it).</summary>
        public DateTimeOffset? SampleTime { get; internal set; }

        public TimeSpan? SampleAge { get; internal set; }

        public TimeSpan MaxAge { get; internal set; }

        /// <summary>The series judged (the first one when there were several).</summary>
        public LabelSet Labels { get; internal set; } = LabelSet.Empty;

        public int SeriesCount { get; internal set; }

        public string Realm { get; internal set; } = string.Empty;

        public DateTimeOffset EvaluatedAt { get; internal set; }

        public PrometheusConnection? Prometheus { get; internal set; }

        public override string ToString() => $"{Name} {Status}: {Reason}";
    }

    /// <summary>Evaluates a policy's gates against a server: every gate's query and its sample times in one query at one instant.</summary>
    public static class GateEvaluator
    {
        /// <summary>The gates at <paramref name="at"/> (now when null), in policy order. Never throws for a failed query: that gate is QueryError.</summary>
        public static async Task<IReadOnlyList<GateResult>> EvaluateAsync(PrometheusConnection connection, GatePolicy policy, DateTimeOffset? at, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            // Whole milliseconds, the server's resolution, so that ages computed here match its timestamps.
            var instant = DateTimeOffset.FromUnixTimeMilliseconds((at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
            if (policy.Gates.Count == 0) return Array.Empty<GateResult>();
            var query = new CombinedQuery();
            var gates = new GateParts(query, policy);
            try
            {
                var answer = await query.QueryAsync(connection, instant, timeout, cancellationToken).ConfigureAwait(false);
                return gates.Judge(answer, instant, connection);
            }
            catch (PrometheusException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (policy.Gates.Count > 1 && CombinedQuery.IsRefused(e)) return await EvaluateEachAsync(connection, policy, instant, timeout, cancellationToken).ConfigureAwait(false);
                return gates.Failed(e, instant, connection);
            }
        }

        /// <summary>
        /// Each gate in a query of its own, concurrently: after the server refused a combined query, so that the refusal
        /// lands on the gate whose PromQL it is and the other gates are still judged.
        /// </summary>
        internal static async Task<IReadOnlyList<GateResult>> EvaluateEachAsync(PrometheusConnection connection, GatePolicy policy, DateTimeOffset at, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            var each = policy.Gates.Select(gate => EvaluateAsync(connection, policy.OnlyGates(new[] { gate.Name }), at, timeout, cancellationToken)).ToList();
            var results = await Task.WhenAll(each).ConfigureAwait(false);
            return results.Select(result => result[0]).ToList();
        }

        internal static GateResult QueryFailed(GateDefinition gate, GatePolicy policy, string query, DateTimeOffset at, PrometheusConnection? connection, PrometheusException failure) =>
            NewResult(gate, policy, query, at, connection, GateStatus.QueryError,
                $"The query could not be answered ({failure.Kind}): {failure.Message.TrimEnd('.')}. The gate cannot pass without an answer.");

        /// <summary>Judges the series a gate's query returned at <paramref name="at"/>.</summary>
        internal static GateResult Judge(GateDefinition gate, GatePolicy policy, string query, IReadOnlyList<GateSample> series, DateTimeOffset at, PrometheusConnection? connection)
        {
            if (series.Count == 0)
            {
                return NewResult(gate, policy, query, at, connection, GateStatus.NoData,
                    $"No series at {Clock(at)}: nothing reports this gate in realm '{policy.Realm}'. Check that its source runs and is scraped (or its rule loaded), and that the realm is right.");
            }
            if (series.Count > 1 && gate.ExactlyOneSeries)
            {
                var multiple = NewResult(gate, policy, query, at, connection, GateStatus.MultipleSeries,
                    $"{series.Count} series match; the gate needs exactly one. They differ in {DescribeDifferences(series.Select(s => s.Labels).ToList())}. Remove the stray writer or old series, or narrow the query.");
                multiple.SeriesCount = series.Count;
                multiple.Labels = series[0].Labels;
                return multiple;
            }
            GateResult? first = null;
            foreach (var sample in series)
            {
                var status = Classify(gate, sample.Value, sample.SampleMilliseconds, at.ToUnixTimeMilliseconds());
                var judged = NewResult(gate, policy, query, at, connection, status, Describe(gate, status, sample, at));
                judged.Value = sample.Value;
                judged.Labels = sample.Labels;
                judged.SeriesCount = series.Count;
                if (sample.SampleMilliseconds.HasValue)
                {
                    judged.SampleTime = DateTimeOffset.FromUnixTimeMilliseconds(sample.SampleMilliseconds.Value);
                    judged.SampleAge = at - judged.SampleTime.Value;
                }
                if (status != GateStatus.Pass) return judged;
                first ??= judged;
            }
            return first!;
        }

        /// <summary>The status of one series' value, as <see cref="GateJudge.Classify"/> gives it; a sample time of null (unknown) is Stale.</summary>
        internal static GateStatus Classify(GateDefinition gate, double value, long? sampleMilliseconds, long atMilliseconds) =>
            new GateJudge(gate).Classify(value, sampleMilliseconds ?? double.NaN, atMilliseconds);

        private static string Describe(GateDefinition gate, GateStatus status, GateSample sample, DateTimeOffset at)
        {
            string value = PrometheusValue.Format(sample.Value);
            string threshold = PrometheusValue.Format(gate.Threshold);
            switch (status)
            {
                case GateStatus.Pass:
                    return $"{value} {gate.OperatorSymbol} {threshold}.";
                case GateStatus.Violated:
                    return $"{value} is not {gate.OperatorSymbol} {threshold}.";
                case GateStatus.Stale:
                    if (!sample.SampleMilliseconds.HasValue) return "The sample's time could not be read, so its freshness is unknown.";
                    var time = DateTimeOffset.FromUnixTimeMilliseconds(sample.SampleMilliseconds.Value);
                    if (time > at)
                        return $"The sample's time ({Clock(time)}) is after the instant asked ({Clock(at)}), which Prometheus never answers: something between Duri.Ops and Prometheus (a cache or proxy) gave an answer for another instant.";
                    return $"The newest sample is {PrometheusValue.FormatAge(at - time)} old ({Clock(time)}); the gate accepts at most {PrometheusDuration.Format(gate.MaxAge)}. Check that its source is still scraped or its rule still evaluated.";
                case GateStatus.NaN:
                    return "The value is NaN, which says neither pass nor fail. Check the source's inputs (a 0/0 ratio, a missing counter).";
                default:
                    return double.IsInfinity(sample.Value)
                        ? $"The value is {value}, which the threshold cannot judge. Check the source's inputs (a division by zero)."
                        : $"The value {value} is outside [{PrometheusValue.Format(gate.RangeMin)}, {PrometheusValue.Format(gate.RangeMax)}], the values that make sense for this gate. Check the source.";
            }
        }

        internal static GateResult NewResult(GateDefinition gate, GatePolicy policy, string query, DateTimeOffset at, PrometheusConnection? connection, GateStatus status, string reason) =>
            new GateResult
            {
                Name = gate.Name,
                Query = query,
                Operator = gate.OperatorSymbol,
                Threshold = gate.Threshold,
                MaxAge = gate.MaxAge,
                Status = status,
                Reason = reason,
                Realm = policy.Realm,
                EvaluatedAt = at,
                Prometheus = connection,
            };

        /// <summary>The labels in which the series differ, with each series' values: what tells a stray apart.</summary>
        internal static string DescribeDifferences(IReadOnlyList<LabelSet> series)
        {
            var names = series.SelectMany(s => s.Keys).Distinct(StringComparer.Ordinal)
                .Where(name => series.Select(s => s.TryGetValue(name, out var v) ? v : "(none)").Distinct(StringComparer.Ordinal).Count() > 1)
                .OrderBy(n => n, StringComparer.Ordinal).ToList();
            if (names.Count == 0) return "no label (the query itself returns duplicates)";
            return string.Join(" and ", series.Take(5).Select(s => "{" + string.Join(", ", names.Select(n => n + "=\"" + (s.TryGetValue(n, out var v) ? v : "") + "\"")) + "}"))
                + (series.Count > 5 ? $" and {series.Count - 5} more" : string.Empty);
        }

        internal static string Clock(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A gate's rules for one value, in the form the promotion's loop over every step of a day needs: no calls, and no
    /// branch on whether the value passes, which is as unpredictable as the data.
    /// </summary>
    internal readonly struct GateJudge
    {
        // By whether the value passes (0 or 1).
        private static readonly GateStatus[] ByPassing = { GateStatus.Violated, GateStatus.Pass };

        private readonly double _maxAgeMilliseconds;

        // The gate's range within the finite numbers, so that one test excludes NaN, ±Inf and values outside it.
        private readonly double _lowest;
        private readonly double _highest;
        private readonly double _threshold;

        // Bit 0: a value below the threshold passes; bit 1: the threshold itself; bit 2: a value above it. Learnt from Holds,
        // which decides by the side of the threshold alone.
        private readonly int _passingSides;

        public GateJudge(GateDefinition gate)
        {
            _maxAgeMilliseconds = gate.MaxAgeMilliseconds;
            _lowest = Math.Max(gate.RangeMin, -double.MaxValue);
            _highest = Math.Min(gate.RangeMax, double.MaxValue);
            _threshold = gate.Threshold;
            _passingSides = (gate.Holds(double.NegativeInfinity) ? 1 : 0) | (gate.Holds(gate.Threshold) ? 2 : 0) | (gate.Holds(double.PositiveInfinity) ? 4 : 0);
        }

        /// <summary>
        /// The status of one series' value. Checked in this order: stale (an old sample says nothing about now), NaN,
        /// ±Inf or outside the gate's range, then the threshold. The sample time is in whole milliseconds, kept as a double
        /// so that a time read as seconds needs no conversion; one that could not be read (NaN, ±Inf) counts as stale.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public GateStatus Classify(double value, double sampleMilliseconds, long atMilliseconds)
        {
            // A sample time that is NaN or ±Inf fails this test, and so does one after the instant asked: Prometheus never
            // answers with a sample from after it, so that answer is not for the instant.
            double age = atMilliseconds - sampleMilliseconds;
            if (!(age <= _maxAgeMilliseconds && age >= 0)) return GateStatus.Stale;
            if (!(value >= _lowest && value <= _highest)) return double.IsNaN(value) ? GateStatus.NaN : GateStatus.OutOfRange;
            int side = (value > _threshold ? 1 : 0) + (value >= _threshold ? 1 : 0);
            return ByPassing[(_passingSides >> side) & 1];
        }
    }

    /// <summary>
    /// A policy's gates as parts of a combined query: for each gate its values and, through timestamp(), when each sample
    /// was scraped or recorded (an instant query stamps every value with the evaluation time).
    /// </summary>
    internal sealed class GateParts
    {
        private readonly GatePolicy _policy;
        private readonly (int Values, int Times)[] _parts;

        public GateParts(CombinedQuery query, GatePolicy policy)
        {
            _policy = policy;
            _parts = new (int, int)[policy.Gates.Count];
            for (int g = 0; g < _parts.Length; g++) _parts[g] = Add(query, policy.Gates[g].QueryFor(policy.Realm));
        }

        /// <summary>Adds one gate's query: the parts of its values and of their sample times.</summary>
        public static (int Values, int Times) Add(CombinedQuery query, string gateQuery) =>
            (query.Add(gateQuery), query.Add($"timestamp({gateQuery})"));

        /// <summary>Every gate judged from the answer, in policy order.</summary>
        public IReadOnlyList<GateResult> Judge(CombinedAnswer answer, DateTimeOffset at, PrometheusConnection connection)
        {
            var results = new GateResult[_parts.Length];
            for (int g = 0; g < results.Length; g++) results[g] = Judge(g, answer, at, connection);
            return results;
        }

        /// <summary>Every gate QueryError with the failure of the query they were part of.</summary>
        public IReadOnlyList<GateResult> Failed(PrometheusException failure, DateTimeOffset at, PrometheusConnection connection) =>
            _policy.Gates.Select(gate => GateEvaluator.QueryFailed(gate, _policy, gate.QueryFor(_policy.Realm), at, connection, failure)).ToList();

        private GateResult Judge(int g, CombinedAnswer answer, DateTimeOffset at, PrometheusConnection connection)
        {
            var gate = _policy.Gates[g];
            string query = gate.QueryFor(_policy.Realm);
            if (answer.ResultType != PrometheusResultType.Vector)
            {
                return GateEvaluator.NewResult(gate, _policy, query, at, connection, GateStatus.QueryError,
                    $"The server answered the gates' combined query with a {answer.ResultType.ToString().ToLowerInvariant()}, not an instant vector, though every part of it is one: something between Duri.Ops and Prometheus (a proxy, or a server that is not compatible with Prometheus) changed the answer. The gate cannot pass without one.");
            }
            var sampleTimes = new Dictionary<LabelSet, long>();
            foreach (var time in answer[_parts[g].Times])
            {
                // A time that cannot be a sample's stays unknown, which is Stale.
                if (PrometheusValue.UnixMilliseconds(time.Value) is long milliseconds) sampleTimes[time.Labels.WithoutMetricName()] = milliseconds;
            }
            var series = answer[_parts[g].Values]
                .Select(s => new GateSample(s.Labels, s.Value, sampleTimes.TryGetValue(s.Labels.WithoutMetricName(), out var ms) ? ms : (long?)null))
                .ToList();
            return GateEvaluator.Judge(gate, _policy, query, series, at, connection);
        }
    }

    /// <summary>One series of a gate's answer: labels, value and when the sample was taken (null when unknown).</summary>
    internal readonly struct GateSample
    {
        public GateSample(LabelSet labels, double value, long? sampleMilliseconds)
        {
            Labels = labels;
            Value = value;
            SampleMilliseconds = sampleMilliseconds;
        }

        public LabelSet Labels { get; }

        public double Value { get; }

        public long? SampleMilliseconds { get; }
    }
}
