using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class GateCmdletTests : SandboxSessionTest
    {
        private const string File = "gate-cmdlets.prom";
        private static readonly string ShippedPolicy = Path.Combine(RepositoryPaths.Root, "module", "policy", "l4-dryrun.yml");
        private readonly string _scaledPolicy = Path.Combine(Path.GetTempPath(), "duri-gates-" + Guid.NewGuid().ToString("N") + ".yml");

        public GateCmdletTests(SandboxFixture fixture)
            : base(fixture)
        {
            System.IO.File.WriteAllText(_scaledPolicy, System.IO.File.ReadAllText(ShippedPolicy)
                .Replace("step: 15s", "step: 1s").Replace("max_age: 75s", "max_age: 3s").Replace("sustained: 15m", "sustained: 10s")
                .Replace("consecutive: 3m", "consecutive: 2s").Replace("trend_window: 15m", "trend_window: 10s"));
            // gcgo passes every gate; gcbad has the canary and the heartbeat violated.
            var now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("R", CultureInfo.InvariantCulture);
            System.IO.File.WriteAllText(Path.Combine(Sandbox.TextfileDirectory, File),
                "duri_heartbeat_ok{metric_realm=\"gcgo\"} 1\nduri_heartbeat_ok{metric_realm=\"gcbad\"} 0\n" +
                "duri_lyapunov_v{metric_realm=\"gcgo\"} 0.05\nduri_lyapunov_v{metric_realm=\"gcbad\"} 0.05\n" +
                "duri_canary_unique_ratio{metric_realm=\"gcgo\"} 0.95\nduri_canary_unique_ratio{metric_realm=\"gcbad\"} 0.5\n" +
                "duri_green_uptime_ratio{metric_realm=\"gcgo\"} 1\nduri_green_uptime_ratio{metric_realm=\"gcbad\"} 1\n" +
                $"duri_heartbeat_timestamp_seconds{{metric_realm=\"gcgo\"}} {now}\nduri_heartbeat_timestamp_seconds{{metric_realm=\"gcbad\"}} {now}\n");
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (Session.Run("$sandbox | Test-DuriL4DryRun -PolicyPath $policy -Realm gcgo -Quiet", Vars()).Output.FirstOrDefault()?.BaseObject as bool? != true && DateTime.UtcNow < deadline)
                Thread.Sleep(250);
        }

        public override void Dispose()
        {
            System.IO.File.Delete(Path.Combine(Sandbox.TextfileDirectory, File));
            System.IO.File.Delete(_scaledPolicy);
            base.Dispose();
        }

        private Hashtable Vars() => new Hashtable { ["sandbox"] = Sandbox, ["policy"] = ShippedPolicy, ["scaled"] = _scaledPolicy };

        [Fact]
        public void AHealthyRealmIsGoAndQuietSaysTrue()
        {
            var run = Session.Run("$sandbox | Test-DuriL4DryRun -PolicyPath $policy -Realm gcgo", Vars());
            var decision = run.Single<L4DryRunDecision>();
            Assert.Equal("GO", decision.Decision);
            Assert.Empty(decision.Reasons);
            Assert.Equal(4, decision.Gates.Count);
            Assert.Equal(3, decision.Preconditions.Count);
            Assert.Equal(Sandbox.PrometheusUri, decision.Prometheus!.Uri);
            Assert.Empty(run.Errors);

            Assert.True(Session.Run("$sandbox | Test-DuriL4DryRun -PolicyPath $policy -Realm gcgo -Quiet -FailOnNoGo", Vars()).Single<bool>());
        }

        [Fact]
        public void ABrokenRealmIsNoGoWithOneReasonPerFailingGate()
        {
            var run = Session.Run("$sandbox | Test-DuriL4DryRun -PolicyPath $policy -Realm gcbad", Vars());
            var decision = run.Single<L4DryRunDecision>();
            Assert.Equal("NO-GO", decision.Decision);
            Assert.Contains(decision.Reasons, r => r == "Gate canary Violated: 0.5 is not >= 0.92.");
            Assert.Contains(decision.Reasons, r => r == "Gate heartbeat Violated: 0 is not == 1.");
            Assert.Contains(decision.Reasons, r => r.StartsWith("Precondition HeartbeatOk:", StringComparison.Ordinal));
            Assert.Equal(3, decision.Reasons.Count);

            Assert.False(Session.Run("$sandbox | Test-DuriL4DryRun -PolicyPath $policy -Realm gcbad -Quiet", Vars()).Single<bool>());
        }

        [Fact]
        public void FailOnNoGoWritesTheDecisionThenStopsWithL4DryRunNoGo()
        {
            var run = Session.Run("$sandbox | Test-DuriL4DryRun -PolicyPath $policy -Realm gcbad -FailOnNoGo; 'not reached'", Vars());
            Assert.Equal("NO-GO", run.Single<L4DryRunDecision>().Decision);
            Assert.NotNull(run.Terminating);
            Assert.Equal("L4DryRunNoGo", Id(run.Terminating!));
            Assert.Equal(ErrorCategory.InvalidResult, run.Terminating!.CategoryInfo.Category);
            Assert.Contains("Gate canary Violated", run.Terminating.ToString());
        }

        [Fact]
        public void AnUnreachableServerIsNoGoNotAnError()
        {
            var run = Session.Run($"Test-DuriL4DryRun -Uri http://127.0.0.1:{LoopbackPort.Closed()}/ -PolicyPath $policy -Realm gcgo", Vars());
            var decision = run.Single<L4DryRunDecision>();
            Assert.False(decision.IsGo);
            Assert.All(decision.Gates, g => Assert.Equal(GateStatus.QueryError, g.Status));
            Assert.Equal(7, decision.Reasons.Count);
            Assert.Empty(run.AllErrors);
        }

        [Fact]
        public void GateStatusGivesOneObjectPerGateAndFiltersByName()
        {
            var all = Session.Run("$sandbox | Get-DuriGateStatus -PolicyPath $policy -Realm gcbad", Vars()).All<GateResult>();
            Assert.Equal(new[] { "heartbeat", "lyapunov", "canary", "green_uptime" }, all.Select(g => g.Name));
            Assert.Equal(new[] { GateStatus.Violated, GateStatus.Pass, GateStatus.Violated, GateStatus.Pass }, all.Select(g => g.Status));
            Assert.All(all, g => Assert.True(g.SampleAge <= TimeSpan.FromSeconds(5)));

            var canary = Session.Run("$sandbox | Get-DuriGateStatus can* -PolicyPath $policy -Realm gcbad", Vars()).Single<GateResult>();
            Assert.Equal("duri_canary_unique_ratio{metric_realm=\"gcbad\"}", canary.Query);

            var none = Session.Run("$sandbox | Get-DuriGateStatus entropy -PolicyPath $policy", Vars());
            Assert.Equal("GateNotFound", Id(Assert.Single(none.Errors)));
        }

        [Fact]
        public void APolicyProblemEndsTheCommandWithItsPosition()
        {
            var bad = Path.Combine(Path.GetTempPath(), "duri-bad-policy-" + Guid.NewGuid().ToString("N") + ".yml");
            System.IO.File.WriteAllText(bad, "gates:\n  - name: x\n    query: up{metric_realm=\"$realm\"}\n    operator: '~'\n    threshold: 1\n    max_age: 1m\n");
            try
            {
                var run = Session.Run("$sandbox | Test-DuriL4DryRun -PolicyPath $bad", new Hashtable { ["sandbox"] = Sandbox, ["bad"] = bad });
                Assert.Empty(run.Output);
                Assert.Equal("GatePolicyInvalid", Id(run.Terminating!));
                Assert.Contains($"{bad}:4:15: '~' is not an operator", run.Terminating!.ToString());

                var missing = Session.Run("$sandbox | Get-DuriGateStatus -PolicyPath ./no-such-policy.yml", Vars());
                Assert.Equal("GatePolicyNotFound", Id(missing.Terminating!));
            }
            finally
            {
                System.IO.File.Delete(bad);
            }
        }

        [Fact]
        public void WatchEndsAtTheFirstRollbackAndTimesOutOnHold()
        {
            var rollback = Session.Run("$sandbox | Watch-DuriPromotionGate -PolicyPath $scaled -Realm gcbad -Since 10s -Timeout 20s", Vars());
            // Evaluations before the run has lasted 2 s hold; the watch ends with the first Rollback.
            var decisions = rollback.All<PromotionDecision>();
            var decision = decisions.Last();
            Assert.Equal(PromotionVerdict.Rollback, decision.Verdict);
            Assert.All(decisions.Take(decisions.Count - 1), d => Assert.Equal(PromotionVerdict.Hold, d.Verdict));
            Assert.Equal(new[] { "heartbeat", "canary" }, decision.RollbackGates);
            Assert.Empty(rollback.Errors);

            var timeout = Session.Run("$sandbox | Watch-DuriPromotionGate -PolicyPath $scaled -Realm gcnothing -Since 5s -Timeout 2s", Vars());
            var holds = timeout.All<PromotionDecision>();
            Assert.True(holds.Count >= 2);
            Assert.All(holds, h => Assert.Equal(PromotionVerdict.Hold, h.Verdict));
            Assert.Equal("PromotionGateTimeout", Id(Assert.Single(timeout.Errors)));
            Assert.Contains(timeout.Progress, p => p.RecordType == ProgressRecordType.Processing);
            Assert.Contains(timeout.Progress, p => p.RecordType == ProgressRecordType.Completed);
        }

        [Fact]
        public void PromotionDecisionHoldsWithoutDataAndSaysWhatIsMissing()
        {
            var decision = Session.Run("$sandbox | Get-DuriPromotionDecision 30s -PolicyPath $scaled -Realm gcnothing", Vars()).Single<PromotionDecision>();
            Assert.Equal(PromotionVerdict.Hold, decision.Verdict);
            Assert.Equal(new[] { "heartbeat NoData", "lyapunov NoData", "canary NoData", "green_uptime NoData" }, decision.Missing);
            Assert.Equal(31, decision.Steps);
            Assert.Equal(TimeSpan.FromSeconds(10), decision.Remaining);
        }

        [Fact]
        public void ErrorBudgetBurnFailsClosedAndRejectsAQueryWithoutAWindow()
        {
            var burn = Session.Run("$sandbox | Get-DuriErrorBudgetBurn 0.999 -Period 7d -Realm gcnothing", Vars()).Single<ErrorBudgetBurn>();
            Assert.Equal(BurnStatus.Unknown, burn.Status);
            Assert.Equal(TimeSpan.FromDays(7), burn.Period);
            Assert.Equal(ErrorBudget.GreenErrorRatioQuery.Replace("$realm", "gcnothing"), burn.Query);

            var ratio = Session.Run("$sandbox | Get-DuriErrorBudgetBurn 0.999 -ErrorRatioQuery 'vector(0)'", Vars());
            Assert.Equal("ErrorBudgetQueryInvalid", Id(ratio.Terminating!));
            var objective = Session.Run("$sandbox | Get-DuriErrorBudgetBurn 1", Vars());
            Assert.Equal("ErrorBudgetObjectiveInvalid", Id(objective.Terminating!));
        }
    }
}
