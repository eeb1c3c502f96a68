using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Engine.Trends;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// The promotion / rollback rules live, scaled down (1 s step, 10 s sustained, 4 s consecutive, 15 s trend window):
    /// five realms fed side by side through the textfile collector for 17 s, then judged.
    /// </summary>
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class PromotionLiveTests
    {
        private const string File = "gate-live.prom";
        private const string PromoteRealm = "glive-promote";

        private readonly DuriSandbox _sandbox;

        public PromotionLiveTests(SandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
        }

        internal static GatePolicy ScaledPolicy(string realm) => GatePolicyReader.Read(
            System.IO.File.ReadAllText(GateTextfile.DefaultPolicyPath)
                .Replace("step: 15s", "step: 1s")
                .Replace("max_age: 75s", "max_age: 3s")
                .Replace("sustained: 15m", "sustained: 10s")
                .Replace("consecutive: 3m", "consecutive: 4s")
                .Replace("trend_window: 15m", "trend_window: 15s"),
            "scaled-l4-dryrun.yml").WithRealm(realm);

        /// <summary>The scenarios: what each realm's gates report t seconds after the start (null: the series is absent).</summary>
        private static readonly (string Realm, Func<double, Dictionary<string, double?>> At)[] Scenarios =
        {
            ("glive-rollback", t => Values(heartbeat: t < 4 ? 1 : 0, canary: t < 4 ? 0.95 : 0.5)),
            ("glive-hold", t => Values(canary: 0.5)),
            ("glive-trend", t => Values(lyapunov: 0.004 * t)),
            ("glive-gap", t => Values(canary: t >= 7 && t < 10 ? null : 0.95)),
        };

        private static Dictionary<string, double?> Values(double? heartbeat = 1, double? lyapunov = 0.05, double? canary = 0.95, double? green = 1)
            => new Dictionary<string, double?> { [GateTextfile.Heartbeat] = heartbeat, [GateTextfile.Lyapunov] = lyapunov, [GateTextfile.Canary] = canary, [GateTextfile.GreenUptime] = green };

        [Fact]
        public async Task PromoteRollbackHoldTrendAndGapLive()
        {
            // The promote realm is fed as production is: heartbeat and duri_green raw, duri_heartbeat_ok and
            // duri_green_uptime_ratio recorded by the canonical rules (generated for 1 s intervals).
            var rules = CanonicalRules.Generate(new CanonicalRuleOptions
            {
                Realm = PromoteRealm,
                HeartbeatInterval = TimeSpan.FromSeconds(1),
                ScrapeInterval = TimeSpan.FromSeconds(1),
                UptimeWindow = TimeSpan.FromSeconds(5),
            });
            var ruleFiles = new List<string>();
            foreach (var file in rules.Where(f => !f.RelativePath.StartsWith("tests/", StringComparison.Ordinal)))
            {
                var path = Path.Combine(_sandbox.RulesDirectory, "glive-" + Path.GetFileName(file.RelativePath));
                System.IO.File.WriteAllText(path, file.Content);
                ruleFiles.Add(path);
            }
            var decisions = new Dictionary<string, PromotionDecision>();
            try
            {
                await _sandbox.Prometheus.Client.ReloadAsync();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(17))
                {
                    double t = clock.Elapsed.TotalSeconds;
                    var series = Scenarios.SelectMany(s => GateTextfile.Realm(s.Realm, s.At(t))).ToList();
                    var labels = LabelSet.Create(new[] { new KeyValuePair<string, string>("metric_realm", PromoteRealm) });
                    series.Add(("duri_lyapunov_v", labels, 0.05));
                    series.Add(("duri_canary_unique_ratio", labels, 0.95));
                    series.Add(("duri_green", labels, 1));
                    series.Add((CanonicalRules.TimestampMetric, labels, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0));
                    GateTextfile.Write(_sandbox.TextfileDirectory, File, series);
                    await Task.Delay(250);
                }
                foreach (var realm in Scenarios.Select(s => s.Realm).Append(PromoteRealm))
                {
                    decisions[realm] = await PromotionEvaluator.DecideAsync(_sandbox.Prometheus, ScaledPolicy(realm), TimeSpan.FromSeconds(20), null, null, CancellationToken.None);
                }
            }
            finally
            {
                System.IO.File.Delete(Path.Combine(_sandbox.TextfileDirectory, File));
                foreach (var path in ruleFiles) System.IO.File.Delete(path);
                await _sandbox.Prometheus.Client.ReloadAsync();
            }

            var promote = decisions[PromoteRealm];
            Assert.True(promote.Verdict == PromotionVerdict.Promote, promote.Reason);
            Assert.True(promote.StreakLength >= TimeSpan.FromSeconds(10));

            var rollback = decisions["glive-rollback"];
            Assert.True(rollback.Verdict == PromotionVerdict.Rollback, rollback.Reason);
            Assert.Equal(new[] { GateTextfile.Heartbeat, GateTextfile.Canary }, rollback.RollbackGates);
            Assert.True(rollback.RollbackTo - rollback.RollbackFrom >= TimeSpan.FromSeconds(4));

            var hold = decisions["glive-hold"];
            Assert.True(hold.Verdict == PromotionVerdict.Hold, hold.Reason);
            Assert.Equal(new[] { "canary Violated" }, hold.Missing);
            Assert.Null(hold.StreakStart);

            var trend = decisions["glive-trend"];
            Assert.True(trend.Verdict == PromotionVerdict.Rollback, trend.Reason);
            Assert.Equal(TrendVerdict.Rising, trend.Trend!.Verdict);
            Assert.Empty(trend.RollbackGates);

            // 7 s before the gap, 3 s of it and 7 s after: 17 s of "passing" if a gap counted as a pass, but the streak restarts after it.
            var gap = decisions["glive-gap"];
            Assert.True(gap.Verdict == PromotionVerdict.Hold, gap.Reason);
            Assert.True(gap.StreakLength < TimeSpan.FromSeconds(10), gap.Reason);
            Assert.True(gap.Gates.Single(g => g.Name == GateTextfile.Canary).MissingSteps >= 2);
        }
    }
}
