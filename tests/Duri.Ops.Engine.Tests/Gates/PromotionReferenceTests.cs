using System;
using System.Collections.Generic;
using System.Linq;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// The promotion evaluation, written for speed, against a plain reading of its rules (step by step, sample by sample) on
    /// seeded random answers with what real ones can hold: gaps, off-step samples, several series, stale, NaN, ±Inf and
    /// out-of-range values, sample times that are missing, do not line up or lie after the step, failed queries.
    /// </summary>
    public sealed class PromotionReferenceTests
    {
        private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        private const int Steps = 420;

        private static GatePolicy Policy(bool exactlyOne, bool countMissing) => GatePolicyReader.Read(
            "realm: ref\n" +
            "step: 1s\n" +
            "gates:\n" +
            "  - { name: heartbeat, query: 'duri_heartbeat_ok{metric_realm=\"$realm\"}', operator: '==', threshold: 1, range: [0, 1], max_age: 5s }\n" +
            $"  - {{ name: lyapunov, query: 'duri_lyapunov_v{{metric_realm=\"$realm\"}}', operator: '<', threshold: 0.1, max_age: 5s, exactly_one_series: {(exactlyOne ? "true" : "false")} }}\n" +
            $"  - {{ name: canary, query: 'duri_canary_unique_ratio{{metric_realm=\"$realm\"}}', operator: '>=', threshold: 0.92, range: [0, 1], max_age: 5s, exactly_one_series: {(exactlyOne ? "true" : "false")} }}\n" +
            "  - { name: errors, query: 'duri_errors{metric_realm=\"$realm\"}', operator: '!=', threshold: 3, max_age: 5s }\n" +
            "promotion:\n" +
            "  sustained: 1m\n" +
            "rollback:\n" +
            "  min_violated_gates: 2\n" +
            "  consecutive: 20s\n" +
            "  trend_gate: lyapunov\n" +
            "  trend_window: 1m\n" +
            $"  count_missing_data: {(countMissing ? "true" : "false")}\n",
            "reference.yml");

        [Fact]
        public void TheDecisionAgreesWithThePlainReadingOfTheRules()
        {
            int rollbacks = 0, promotions = 0;
            for (int seed = 1; seed <= 300; seed++)
            {
                var random = new Random(seed);
                var policy = Policy(exactlyOne: seed % 3 != 0, countMissing: seed % 4 == 0);
                var answers = policy.Gates.Select(gate => RandomAnswer(random, gate.Name)).ToList();
                var decision = PromotionEvaluator.Decide(policy, Start, Steps, answers);
                var samplesAt = answers.Select(SamplesByTime).ToList();
                var statuses = policy.Gates.Select((gate, g) => Enumerable.Range(0, Steps).Select(i => ReferenceStatus(gate, answers[g], samplesAt[g], i)).ToArray()).ToArray();
                string context = $"seed {seed}: {decision}";

                for (int g = 0; g < policy.Gates.Count; g++)
                {
                    var history = decision.Gates[g];
                    Assert.True(statuses[g][Steps - 1] == history.Current, context);
                    Assert.True(statuses[g].Count(s => s == GateStatus.Pass) == history.PassSteps, context);
                    Assert.True(statuses[g].Count(s => s == GateStatus.Violated) == history.ViolatedSteps, context);
                    Assert.True(Steps - history.PassSteps - history.ViolatedSteps == history.MissingSteps, context);
                }

                int streak = 0;
                for (int i = Steps - 1; i >= 0 && statuses.All(s => s[i] == GateStatus.Pass); i--) streak++;
                Assert.True((streak > 0 ? Start.AddSeconds(Steps - streak) : (DateTimeOffset?)null) == decision.StreakStart, context);

                var run = FirstViolationRun(policy, statuses);
                if (decision.RollbackFrom.HasValue || run.HasValue)
                {
                    Assert.True(run.HasValue && decision.RollbackFrom == Start.AddSeconds(run.Value.From) && decision.RollbackTo == Start.AddSeconds(run.Value.To), context);
                    var counted = policy.Gates.Where((gate, g) => Enumerable.Range(run.Value.From, run.Value.To - run.Value.From + 1).Any(i => Counts(policy, statuses[g][i])));
                    Assert.Equal(counted.Select(gate => gate.Name), decision.RollbackGates);
                }

                // The trend gate's fresh values over the last minute; at a step with several series, the last series' value.
                var points = Enumerable.Range(Steps - 1 - 60, 61)
                    .Where(i => statuses[1][i] == GateStatus.Pass || statuses[1][i] == GateStatus.Violated)
                    .Select(i => new TrendPoint(Start.AddSeconds(i), samplesAt[1][Start.AddSeconds(i).ToUnixTimeMilliseconds()].Last().Sample.Value))
                    .ToList();
                var trend = TrendAnalyzer.Summarize(points, new TrendOptions { Threshold = policy.Gates[1].Threshold });
                Assert.True(trend.Samples == decision.Trend!.Samples && trend.Verdict == decision.Trend.Verdict && trend.TheilSenSlopePerMinute.Equals(decision.Trend.TheilSenSlopePerMinute), context);

                if (decision.Verdict == PromotionVerdict.Rollback) rollbacks++;
                if (decision.Verdict == PromotionVerdict.Promote) promotions++;
            }
            // The random answers reach every verdict, so the comparison covers each path.
            Assert.InRange(rollbacks, 10, 290);
            Assert.InRange(promotions, 10, 290);
        }

        private static bool Counts(GatePolicy policy, GateStatus status) =>
            status == GateStatus.Violated || (policy.RollbackCountsMissingData && status != GateStatus.Pass);

        /// <summary>The first run of steps, each with enough counted gates, whose first to last step spans the consecutive rule.</summary>
        private static (int From, int To)? FirstViolationRun(GatePolicy policy, GateStatus[][] statuses)
        {
            int? from = null;
            for (int i = 0; i <= Steps; i++)
            {
                bool enough = i < Steps && statuses.Count(s => Counts(policy, s[i])) >= policy.RollbackMinViolatedGates;
                if (enough)
                {
                    from ??= i;
                    continue;
                }
                if (from.HasValue && TimeSpan.FromSeconds(i - 1 - from.Value) >= policy.RollbackConsecutive) return (from.Value, i - 1);
                from = null;
            }
            return null;
        }

        /// <summary>Every sample of an answer by its time, in series order.</summary>
        private static ILookup<long, (PrometheusRangeSeries Series, int K, PrometheusSample Sample)> SamplesByTime(GateRangeAnswer answer) =>
            (answer.Values ?? Array.Empty<PrometheusRangeSeries>())
                .SelectMany(series => series.Samples.Select((sample, k) => (series, k, sample)))
                .ToLookup(x => x.sample.UnixTimeMilliseconds);

        /// <summary>A gate's status at step i, read straight from the rules.</summary>
        private static GateStatus ReferenceStatus(GateDefinition gate, GateRangeAnswer answer, ILookup<long, (PrometheusRangeSeries Series, int K, PrometheusSample Sample)> samplesAt, int i)
        {
            if (answer.Values == null) return GateStatus.QueryError;
            long at = Start.ToUnixTimeMilliseconds() + i * 1000L;
            var here = samplesAt[at].ToList();
            if (here.Count == 0) return GateStatus.NoData;
            if (here.Count > 1 && answer.Values.Count > 1 && gate.ExactlyOneSeries) return GateStatus.MultipleSeries;
            foreach (var (series, k, sample) in here)
            {
                var status = Judge(gate, sample.Value, SampleTime(series, k, answer.Times!), at);
                if (status != GateStatus.Pass) return status;
            }
            return GateStatus.Pass;
        }

        /// <summary>When the k-th value of a series was sampled: its timestamp() at the same step, when there is one.</summary>
        private static long? SampleTime(PrometheusRangeSeries series, int k, IReadOnlyList<PrometheusRangeSeries> times)
        {
            var mine = times.FirstOrDefault(t => t.Labels.Equals(series.Labels.WithoutMetricName()));
            var stamp = mine?.Samples.LastOrDefault(s => s.UnixTimeMilliseconds == series.Samples[k].UnixTimeMilliseconds);
            if (stamp == null || double.IsNaN(stamp.Value.Value) || double.IsInfinity(stamp.Value.Value)) return null;
            return (long)Math.Round(stamp.Value.Value * 1000);
        }

        private static GateStatus Judge(GateDefinition gate, double value, long? sampleMs, long at)
        {
            if (!sampleMs.HasValue || at - sampleMs.Value > (long)gate.MaxAge.TotalMilliseconds || sampleMs.Value > at) return GateStatus.Stale;
            if (double.IsNaN(value)) return GateStatus.NaN;
            if (double.IsInfinity(value) || value < gate.RangeMin || value > gate.RangeMax) return GateStatus.OutOfRange;
            return gate.Holds(value) ? GateStatus.Pass : GateStatus.Violated;
        }

        /// <summary>
        /// A gate's answer: long passing and failing spells (so that streaks and runs happen), and now and then everything
        /// that can go wrong.
        /// </summary>
        private static GateRangeAnswer RandomAnswer(Random random, string gate)
        {
            if (random.Next(25) == 0) return new GateRangeAnswer(null, null, "The server could not be reached.");
            // Two answers in three are clean and steady, so that promotions happen too.
            bool clean = random.Next(3) != 0;
            int spell = clean ? 2000 : 40;
            int seriesCount = !clean && random.Next(4) == 0 ? 2 : 1;
            var values = new List<PrometheusRangeSeries>();
            var times = new List<PrometheusRangeSeries>();
            for (int s = 0; s < seriesCount; s++)
            {
                var labels = LabelSet.Create(new[] { new KeyValuePair<string, string>("__name__", "duri_" + gate), new KeyValuePair<string, string>("path", "/p" + s) });
                var samples = new List<PrometheusSample>();
                var stamps = new List<PrometheusSample>();
                bool passing = clean || random.Next(2) == 0;
                for (int i = 0; i < Steps; i++)
                {
                    if (random.Next(spell) == 0) passing = !passing;
                    if (seriesCount > 1 && s > 0 && random.Next(3) != 0) continue;
                    if (!clean && random.Next(60) == 0) continue;
                    long ms = Start.ToUnixTimeMilliseconds() + i * 1000L + (!clean && random.Next(200) == 0 ? 500 : 0);
                    samples.Add(new PrometheusSample(ms, Value(random, gate, passing, clean)));
                    int roll = clean ? 99 : random.Next(100);
                    if (roll == 0) continue;
                    double age = roll < 6 ? 6 + random.Next(5) : roll < 8 ? -1 - random.Next(3) : random.Next(6);
                    stamps.Add(new PrometheusSample(ms, roll == 1 ? double.NaN : roll == 2 ? double.PositiveInfinity : (ms - age * 1000) / 1000.0));
                }
                if (!clean && random.Next(30) == 0) samples.Insert(0, new PrometheusSample(Start.ToUnixTimeMilliseconds() - 1000, 1));
                values.Add(new PrometheusRangeSeries(labels, samples.ToArray()));
                if (clean || random.Next(30) != 0) times.Add(new PrometheusRangeSeries(labels.WithoutMetricName(), stamps.ToArray()));
            }
            return new GateRangeAnswer(values, times, null);
        }

        private static double Value(Random random, string gate, bool passing, bool clean)
        {
            switch (clean ? -1 : random.Next(150))
            {
                case 0: return double.NaN;
                case 1: return double.PositiveInfinity;
                case 2: return 7;
            }
            switch (gate)
            {
                case "heartbeat": return passing ? 1 : 0;
                case "lyapunov": return passing ? random.NextDouble() * 0.099 : 0.1 + random.NextDouble() * 0.05;
                case "canary": return passing ? 0.92 + random.NextDouble() * 0.08 : random.NextDouble() * 0.92;
                default: return passing ? random.Next(3) : 3;
            }
        }
    }
}
