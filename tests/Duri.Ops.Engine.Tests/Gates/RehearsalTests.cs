using System;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Trends;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// dr-rehearsal-24h-pass: 24 hours of gate history backfilled with promtool, and the verdicts of the shipped policy
    /// (15 s step, 15m sustained, 3m consecutive, 15m trend window) over the 30 minutes before chosen times.
    /// </summary>
    [Collection(BackfillCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class RehearsalTests
    {
        private readonly BackfillSandboxFixture _fixture;

        public RehearsalTests(BackfillSandboxFixture fixture)
        {
            _fixture = fixture;
        }

        private Task<PromotionDecision> At(int hours, int minutes, int seconds = 0) =>
            PromotionEvaluator.DecideAsync(_fixture.Sandbox.Prometheus, GateTextfile.DefaultPolicy(BackfillSandboxFixture.RehearsalRealm), TimeSpan.FromMinutes(30),
                Time(hours, minutes, seconds), null, CancellationToken.None);

        private DateTimeOffset Time(int hours, int minutes, int seconds = 0) => _fixture.RehearsalStart + new TimeSpan(hours, minutes, seconds);

        [Fact]
        public async Task TheTwentyMinuteStreakPromotesAtFifteenMinutesAndNotAStepBefore()
        {
            var before = await At(1, 59, 45);
            Assert.Equal(PromotionVerdict.Hold, before.Verdict);
            Assert.Equal(new[] { "canary Violated" }, before.Missing);

            var almost = await At(2, 14, 45);
            Assert.Equal(PromotionVerdict.Hold, almost.Verdict);
            Assert.Equal(Time(2, 0), almost.StreakStart);
            Assert.Equal(new TimeSpan(0, 14, 45), almost.StreakLength);
            Assert.Equal(TimeSpan.FromSeconds(15), almost.Remaining);

            var promote = await At(2, 15);
            Assert.Equal(PromotionVerdict.Promote, promote.Verdict);
            Assert.Equal(Time(2, 0), promote.StreakStart);
            Assert.Equal(TimeSpan.FromMinutes(15), promote.StreakLength);
            Assert.Equal(121, promote.Steps);

            Assert.Equal(PromotionVerdict.Promote, (await At(2, 19, 45)).Verdict);
            Assert.Equal(PromotionVerdict.Hold, (await At(2, 20)).Verdict);
        }

        [Fact]
        public async Task TheThreeMinuteDoubleViolationRollsBackAtThreeMinutes()
        {
            Assert.Equal(PromotionVerdict.Promote, (await At(5, 59, 45)).Verdict);
            var early = await At(6, 2, 45);
            Assert.Equal(PromotionVerdict.Hold, early.Verdict);
            Assert.Null(early.StreakStart);

            var rollback = await At(6, 3);
            Assert.Equal(PromotionVerdict.Rollback, rollback.Verdict);
            Assert.Equal(new[] { GateTextfile.Heartbeat, GateTextfile.GreenUptime }, rollback.RollbackGates);
            Assert.Equal(Time(6, 0), rollback.RollbackFrom);
            Assert.Equal(Time(6, 3), rollback.RollbackTo);

            // Recovered ten minutes later, the window still holds the episode: a rollback condition is not forgotten.
            Assert.Equal(PromotionVerdict.Rollback, (await At(6, 13)).Verdict);
        }

        [Fact]
        public async Task TheRisingLyapunovHourRollsBackWhileEveryGatePasses()
        {
            var flat = await At(11, 55);
            Assert.Equal(PromotionVerdict.Promote, flat.Verdict);
            Assert.Equal(TrendVerdict.Flat, flat.Trend!.Verdict);

            var rising = await At(12, 30);
            Assert.Equal(PromotionVerdict.Rollback, rising.Verdict);
            Assert.Equal(TrendVerdict.Rising, rising.Trend!.Verdict);
            Assert.Empty(rising.RollbackGates);
            Assert.Empty(rising.Missing);
            Assert.Equal(61, rising.Trend.Samples);
        }

        [Fact]
        public async Task TheDataGapHoldsNeverRollsBackAndRestartsTheStreak()
        {
            var during = await At(18, 5);
            Assert.Equal(PromotionVerdict.Hold, during.Verdict);
            Assert.Equal(4, during.Missing.Count);
            Assert.Null(during.RollbackFrom);

            var after = await At(18, 20);
            Assert.Equal(PromotionVerdict.Hold, after.Verdict);
            Assert.Equal(Time(18, 10), after.StreakStart);
            Assert.Equal(TimeSpan.FromMinutes(5), after.Remaining);

            var promote = await At(18, 25);
            Assert.Equal(PromotionVerdict.Promote, promote.Verdict);
            Assert.Equal(Time(18, 10), promote.StreakStart);
        }
    }
}
