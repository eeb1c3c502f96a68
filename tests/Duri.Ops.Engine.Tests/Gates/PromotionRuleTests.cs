using System;
using System.Collections.Generic;
using System.Linq;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>The promotion and rollback rules at their boundaries, on synthetic range answers at a 1 s step.</summary>
    public sealed class PromotionRuleTests
    {
        private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        private static GatePolicy Policy(string rollbackExtra = "") => GatePolicyReader.Read(
            "realm: rules\n" +
            "step: 1s\n" +
            "gates:\n" +
            "  - { name: heartbeat, query: 'duri_heartbeat_ok{metric_realm=\"$realm\"}', operator: '==', threshold: 1, max_age: 5s }\n" +
            "  - { name: lyapunov, query: 'duri_lyapunov_v{metric_realm=\"$realm\"}', operator: '<=', threshold: 0.1, max_age: 5s }\n" +
            "  - { name: canary, query: 'duri_canary_unique_ratio{metric_realm=\"$realm\"}', operator: '>=', threshold: 0.92, max_age: 5s }\n" +
            "promotion:\n" +
            "  sustained: 15m\n" +
            "rollback:\n" +
            "  min_violated_gates: 2\n" +
            "  consecutive: 3m\n" +
            "  trend_gate: lyapunov\n" +
            "  trend_window: 2m\n" + rollbackExtra,
            "rules.yml");

        /// <summary>A gate's value at step i (null: no sample) and how old its sample is there.</summary>
        private delegate (double? Value, int AgeSeconds) GateData(int step);

        private static (double?, int) Fresh(double value) => (value, 0);

        private static PromotionDecision Decide(GatePolicy policy, int steps, GateData heartbeat, GateData lyapunov, GateData canary)
        {
            var answers = new[] { heartbeat, lyapunov, canary }.Select((data, g) => Answer(policy.Gates[g].Name, steps, data)).ToList();
            return PromotionEvaluator.Decide(policy, Start, steps, answers);
        }

        private static GateRangeAnswer Answer(string gate, int steps, GateData data)
        {
            var labels = LabelSet.Create(new[] { new KeyValuePair<string, string>("metric_realm", "rules"), new KeyValuePair<string, string>("gate", gate) });
            var values = new List<PrometheusSample>();
            var times = new List<PrometheusSample>();
            for (int i = 0; i < steps; i++)
            {
                var (value, age) = data(i);
                if (!value.HasValue) continue;
                long ms = Start.ToUnixTimeMilliseconds() + i * 1000L;
                values.Add(new PrometheusSample(ms, value.Value));
                times.Add(new PrometheusSample(ms, (ms - age * 1000L) / 1000.0));
            }
            return new GateRangeAnswer(new[] { new PrometheusRangeSeries(labels, values) }, new[] { new PrometheusRangeSeries(labels.WithoutMetricName(), times) }, null);
        }

        private static GateData Healthy(double value) => _ => Fresh(value);

        [Fact]
        public void FifteenMinutesOfPassingStepsPromoteAndFourteenFiftyNineHold()
        {
            var policy = Policy();
            // 901 steps at 1 s: first to last is exactly 15:00.
            var promote = Decide(policy, 901, Healthy(1), Healthy(0.05), Healthy(0.95));
            Assert.Equal(PromotionVerdict.Promote, promote.Verdict);
            Assert.Equal(TimeSpan.FromMinutes(15), promote.StreakLength);
            Assert.Equal(Start, promote.StreakStart);
            Assert.Equal(Start.AddMinutes(15), promote.EvaluatedAt);

            var hold = Decide(policy, 900, Healthy(1), Healthy(0.05), Healthy(0.95));
            Assert.Equal(PromotionVerdict.Hold, hold.Verdict);
            Assert.Equal(TimeSpan.FromSeconds(899), hold.StreakLength);
            Assert.Equal(TimeSpan.FromSeconds(1), hold.Remaining);
            Assert.Contains("1s more are needed", hold.Reason);
        }

        [Fact]
        public void AGapBreaksTheStreakAndNeverCountsAsAPass()
        {
            var policy = Policy();
            // The canary has no sample at step 100 only: the streak restarts after it.
            var decision = Decide(policy, 1001, Healthy(1), Healthy(0.05), i => i == 100 ? (null, 0) : Fresh(0.95));
            Assert.Equal(PromotionVerdict.Hold, decision.Verdict);
            Assert.Equal(Start.AddSeconds(101), decision.StreakStart);
            Assert.Equal(TimeSpan.FromSeconds(899), decision.StreakLength);
            Assert.Equal(1, decision.Gates.Single(g => g.Name == "canary").MissingSteps);

            // The same one step later: 900 s since the gap is enough.
            var later = Decide(policy, 1002, Healthy(1), Healthy(0.05), i => i == 100 ? (null, 0) : Fresh(0.95));
            Assert.Equal(PromotionVerdict.Promote, later.Verdict);
        }

        [Fact]
        public void AStaleSampleBreaksTheStreakLikeAGap()
        {
            var policy = Policy();
            // Prometheus' lookback fills the step with an old sample: 6 s old against a max_age of 5 s.
            var stale = Decide(policy, 901, Healthy(1), Healthy(0.05), i => i == 450 ? (0.95, 6) : Fresh(0.95));
            Assert.Equal(PromotionVerdict.Hold, stale.Verdict);
            Assert.Equal(Start.AddSeconds(451), stale.StreakStart);
            // 5 s old is still fresh.
            var fresh = Decide(policy, 901, Healthy(1), Healthy(0.05), i => i == 450 ? (0.95, 5) : Fresh(0.95));
            Assert.Equal(PromotionVerdict.Promote, fresh.Verdict);
        }

        [Fact]
        public void TwoGatesViolatedForThreeMinutesRollBackAndTwoFiftyNineDoNot()
        {
            var policy = Policy();
            // Heartbeat and canary violated at steps 100..280: first to last 3:00.
            GateData heartbeat = i => Fresh(i >= 100 && i <= 280 ? 0 : 1);
            GateData canary = i => Fresh(i >= 100 && i <= 280 ? 0.5 : 0.95);
            var rollback = Decide(policy, 400, heartbeat, Healthy(0.05), canary);
            Assert.Equal(PromotionVerdict.Rollback, rollback.Verdict);
            Assert.Equal(new[] { "heartbeat", "canary" }, rollback.RollbackGates);
            Assert.Equal(Start.AddSeconds(100), rollback.RollbackFrom);
            Assert.Equal(Start.AddSeconds(280), rollback.RollbackTo);
            Assert.Contains("3m", rollback.Reason);

            GateData shorter = i => Fresh(i >= 100 && i <= 279 ? 0.5 : 0.95);
            var hold = Decide(policy, 400, i => Fresh(i >= 100 && i <= 279 ? 0 : 1), Healthy(0.05), shorter);
            Assert.Equal(PromotionVerdict.Hold, hold.Verdict);
            Assert.Null(hold.RollbackFrom);
        }

        [Fact]
        public void ASinglePassingStepInsideAViolationRunEndsTheRun()
        {
            var policy = Policy();
            // 2:00 of double violation, one step where the canary passes, 2:00 more: never 3:00 consecutive.
            GateData heartbeat = i => Fresh(i >= 100 && i <= 341 ? 0 : 1);
            GateData canary = i => Fresh(i >= 100 && i <= 341 && i != 220 ? 0.5 : 0.95);
            var decision = Decide(policy, 400, heartbeat, Healthy(0.05), canary);
            Assert.Equal(PromotionVerdict.Hold, decision.Verdict);
            Assert.Equal(4 * 60 + 2 - 1, decision.Gates.Single(g => g.Name == "canary").ViolatedSteps);

            // Without that step the run lasts 4:01 and rolls back.
            var rollback = Decide(policy, 400, heartbeat, Healthy(0.05), i => Fresh(i >= 100 && i <= 341 ? 0.5 : 0.95));
            Assert.Equal(PromotionVerdict.Rollback, rollback.Verdict);
        }

        [Fact]
        public void MissingDataHoldsByDefaultAndRollsBackWhenThePolicyCountsIt()
        {
            GateData gone = i => i >= 100 ? (null, 0) : Fresh(1);
            GateData goneToo = i => i >= 100 ? (null, 0) : Fresh(0.95);
            var hold = Decide(Policy(), 400, gone, Healthy(0.05), goneToo);
            Assert.Equal(PromotionVerdict.Hold, hold.Verdict);
            Assert.Contains("heartbeat NoData", hold.Missing);
            Assert.Contains("canary NoData", hold.Missing);

            var rollback = Decide(Policy("  count_missing_data: true\n"), 400, gone, Healthy(0.05), goneToo);
            Assert.Equal(PromotionVerdict.Rollback, rollback.Verdict);
            Assert.Equal(Start.AddSeconds(100), rollback.RollbackFrom);
        }

        [Fact]
        public void ARisingLyapunovRollsBackAndAFlatOneDoesNot()
        {
            var policy = Policy();
            // Still below its threshold, but climbing 0.0005 per second (0.03 per minute) over the 2m trend window.
            var rising = Decide(policy, 300, Healthy(1), i => Fresh(0.001 + 0.0005 * Math.Max(0, i - 150)), Healthy(0.95));
            Assert.Equal(PromotionVerdict.Rollback, rising.Verdict);
            Assert.Equal(TrendVerdict.Rising, rising.Trend!.Verdict);
            Assert.Empty(rising.RollbackGates);
            Assert.Contains("lyapunov is Rising", rising.Reason);

            var flat = Decide(policy, 300, Healthy(1), Healthy(0.05), Healthy(0.95));
            Assert.Equal(TrendVerdict.Flat, flat.Trend!.Verdict);
            Assert.Equal(PromotionVerdict.Hold, flat.Verdict);
        }

        [Fact]
        public void AFailedQueryNeverPromotes()
        {
            var policy = Policy();
            var answers = new List<GateRangeAnswer>
            {
                Answer("heartbeat", 901, Healthy(1)),
                Answer("lyapunov", 901, Healthy(0.05)),
                new GateRangeAnswer(null, null, "The server at http://127.0.0.1:1/ could not be reached"),
            };
            var decision = PromotionEvaluator.Decide(policy, Start, 901, answers);
            Assert.Equal(PromotionVerdict.Hold, decision.Verdict);
            Assert.Equal(901, decision.Gates.Single(g => g.Name == "canary").MissingSteps);
            Assert.Contains(decision.Missing, m => m.StartsWith("canary QueryError: The server at", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("2026-11-28T18:00:07Z", "2026-11-28T17:30:00Z", "2026-11-28T18:00:00Z", 121)]
        [InlineData("2026-11-28T18:00:15Z", "2026-11-28T17:30:15Z", "2026-11-28T18:00:15Z", 121)]
        public void TheWindowEndsOnAWholeStep(string at, string start, string end, int steps)
        {
            var window = PromotionEvaluator.Window(TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(30), DateTimeOffset.Parse(at));
            Assert.Equal(DateTimeOffset.Parse(start), window.Start);
            Assert.Equal(DateTimeOffset.Parse(end), window.End);
            Assert.Equal(steps, window.Steps);
        }
    }
}
