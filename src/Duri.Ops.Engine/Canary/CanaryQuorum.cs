using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Engine.Canary
{
    /// <summary>The verdict of the canary quorum (the runbook's canary-quorum-pass).</summary>
    public sealed class CanaryQuorumResult
    {
        public bool Passed { get; internal set; }

        public string Realm { get; internal set; } = string.Empty;

        /// <summary>Successful samples; null when there was no data.</summary>
        public long? Samples { get; internal set; }

        /// <summary>Distinct fingerprints per sample; NaN when there was no data.</summary>
        public double UniqueRatio { get; internal set; } = double.NaN;

        public long? Failures { get; internal set; }

        public long MinimumSamples { get; internal set; }

        public double MinimumUniqueRatio { get; internal set; }

        /// <summary>Why it passed or failed, in words an operator can act on.</summary>
        public string Reason { get; internal set; } = string.Empty;

        /// <summary>"prometheus" when read from the server, "result" when evaluated from a piped sampling result.</summary>
        public string Source { get; internal set; } = string.Empty;

        /// <summary>When the counts were last published (Prometheus only).</summary>
        public DateTimeOffset? PublishedAt { get; internal set; }

        /// <summary>How old the published counts were at the evaluation.</summary>
        public TimeSpan? Age { get; internal set; }

        /// <summary>The series the counts came from (Prometheus only).</summary>
        public LabelSet Series { get; internal set; } = LabelSet.Empty;

        public DateTimeOffset EvaluatedAt { get; internal set; }

        public PrometheusConnection? Prometheus { get; internal set; }

        public override string ToString() => (Passed ? "PASS " : "FAIL ") + Reason;
    }

    /// <summary>
    /// The canary quorum: enough successful samples, and a share of distinct answers at or above the minimum. No data,
    /// NaN, stale data or several series fail, each with a reason.
    /// </summary>
    public static class CanaryQuorum
    {
        /// <summary>Enough that one duplicate moves the ratio by at most one percentage point.</summary>
        public const long DefaultMinimumSamples = 100;

        /// <summary>The runbook's duri_canary_unique_ratio &gt;= 0.92.</summary>
        public const double DefaultMinimumUniqueRatio = 0.92;

        /// <summary>The promotion gate's sustain window: older counts describe another release.</summary>
        public static readonly TimeSpan DefaultMaximumAge = TimeSpan.FromMinutes(15);

        public static string? DescribeInvalidMinimums(long minimumSamples, double minimumUniqueRatio)
        {
            if (minimumSamples < 1) return $"The minimum number of samples must be at least 1; got {minimumSamples}.";
            if (double.IsNaN(minimumUniqueRatio) || minimumUniqueRatio < 0 || minimumUniqueRatio > 1) return $"The minimum unique ratio must be within [0, 1]; got {minimumUniqueRatio}.";
            return null;
        }

        /// <summary>Why the counts do not meet the quorum, or null when they do.</summary>
        public static string? DescribeShortfall(long samples, double uniqueRatio, long minimumSamples, double minimumUniqueRatio)
        {
            if (samples < minimumSamples) return $"only {samples} successful sample(s), fewer than the {minimumSamples} required";
            if (double.IsNaN(uniqueRatio)) return "the unique ratio is NaN";
            if (uniqueRatio < minimumUniqueRatio) return $"the unique ratio {Ratio(uniqueRatio)} is below the minimum {Ratio(minimumUniqueRatio)}";
            return null;
        }

        /// <summary>The quorum over a sampling result.</summary>
        public static CanaryQuorumResult Evaluate(CanaryResult result, long minimumSamples, double minimumUniqueRatio)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            var verdict = new CanaryQuorumResult
            {
                Realm = result.Realm,
                Samples = result.Samples,
                UniqueRatio = result.UniqueRatio,
                Failures = result.Failures,
                MinimumSamples = minimumSamples,
                MinimumUniqueRatio = minimumUniqueRatio,
                Source = "result",
                EvaluatedAt = DateTimeOffset.UtcNow,
            };
            return Decide(verdict, result.Completed ? string.Empty : " (a partial run, stopped before its end)");
        }

        /// <summary>The quorum over what the realm's canary published, as Prometheus has it now.</summary>
        public static async Task<CanaryQuorumResult> ReadAsync(PrometheusConnection connection, string realm, long minimumSamples, double minimumUniqueRatio, TimeSpan maximumAge,
            TimeSpan? timeout, CancellationToken cancellationToken)
        {
            if (connection == null) throw new ArgumentNullException(nameof(connection));
            string selector = "{" + HeartbeatWriter.RealmLabel + "=\"" + realm.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"}";
            var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            // One evaluation time for every query, so that the counts and the age describe the same moment.
            var samples = connection.QueryAsync(CanaryPublisher.SamplesMetric + selector, at, timeout, cancellationToken);
            var ratios = connection.QueryAsync(CanaryPublisher.UniqueRatioMetric + selector, at, timeout, cancellationToken);
            var failures = connection.QueryAsync(CanaryPublisher.FailuresMetric + selector, at, timeout, cancellationToken);
            var updated = connection.QueryAsync(CanaryPublisher.UpdatedMetric + selector, at, timeout, cancellationToken);
            await Task.WhenAll(samples, ratios, failures, updated).ConfigureAwait(false);

            var verdict = new CanaryQuorumResult
            {
                Realm = realm,
                MinimumSamples = minimumSamples,
                MinimumUniqueRatio = minimumUniqueRatio,
                Source = "prometheus",
                EvaluatedAt = at,
                Prometheus = connection,
            };
            var sampleSeries = samples.Result.Vector;
            if (sampleSeries.Count == 0)
            {
                return Fail(verdict, $"no {CanaryPublisher.SamplesMetric}{selector} series on {connection.Uri}: no canary run has published for this realm, or node_exporter does not read the directory it published to");
            }
            if (sampleSeries.Count > 1)
            {
                return Fail(verdict, $"{sampleSeries.Count} {CanaryPublisher.SamplesMetric}{selector} series, where the quorum needs one; they differ in {DescribeDifferences(sampleSeries.Select(s => s.Labels.WithoutMetricName()).ToList())}. Remove the stale canary file or run the canary under its own -Realm");
            }
            var series = sampleSeries[0].Labels.WithoutMetricName();
            verdict.Series = series;
            verdict.Samples = ToCount(sampleSeries[0].Value);
            verdict.UniqueRatio = Single(ratios.Result.Vector, series) ?? double.NaN;
            var failureCount = Single(failures.Result.Vector, series);
            verdict.Failures = failureCount.HasValue ? ToCount(failureCount.Value) : (long?)null;
            var published = Single(updated.Result.Vector, series);
            if (!published.HasValue || double.IsNaN(published.Value) || double.IsInfinity(published.Value))
            {
                return Fail(verdict, $"no {CanaryPublisher.UpdatedMetric} beside the counts, so their age is unknown; publish them with Invoke-DuriCanarySampling");
            }
            verdict.PublishedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(published.Value * 1000));
            verdict.Age = at - verdict.PublishedAt.Value;
            if (verdict.Age.Value > maximumAge)
            {
                return Fail(verdict, $"the canary counts were published {PrometheusValue.FormatAge(verdict.Age.Value)} ago, longer than the maximum age {PrometheusDuration.Format(maximumAge)}; run the canary again");
            }
            return Decide(verdict, string.Empty);
        }

        private static CanaryQuorumResult Decide(CanaryQuorumResult verdict, string note)
        {
            long samples = verdict.Samples ?? 0;
            string? shortfall = DescribeShortfall(samples, verdict.UniqueRatio, verdict.MinimumSamples, verdict.MinimumUniqueRatio);
            if (shortfall != null) return Fail(verdict, shortfall + note);
            verdict.Passed = true;
            verdict.Reason = $"{samples} successful samples (at least {verdict.MinimumSamples}) with a unique ratio of {Ratio(verdict.UniqueRatio)} (at least {Ratio(verdict.MinimumUniqueRatio)})" + note;
            return verdict;
        }

        private static CanaryQuorumResult Fail(CanaryQuorumResult verdict, string reason)
        {
            verdict.Passed = false;
            verdict.Reason = reason;
            return verdict;
        }

        private static double? Single(IReadOnlyList<PrometheusVectorSample> vector, LabelSet series)
        {
            foreach (var sample in vector)
            {
                if (sample.Labels.WithoutMetricName().Equals(series)) return sample.Value;
            }
            return null;
        }

        private static long ToCount(double value) =>
            double.IsNaN(value) || value < 0 ? 0 : value >= long.MaxValue ? long.MaxValue : (long)value;

        private static string Ratio(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

        /// <summary>The labels in which the series differ, with each series' values.</summary>
        public static string DescribeDifferences(IReadOnlyList<LabelSet> series)
        {
            var names = series.SelectMany(s => s.Keys).Distinct(StringComparer.Ordinal)
                .Where(name => series.Select(s => s.TryGetValue(name, out var v) ? v : "(none)").Distinct(StringComparer.Ordinal).Count() > 1)
                .OrderBy(n => n, StringComparer.Ordinal).ToList();
            return string.Join("; ", series.Select(s => "{" + string.Join(", ", names.Select(n => n + "=\"" + (s.TryGetValue(n, out var v) ? v : string.Empty) + "\"")) + "}"));
        }
    }
}
