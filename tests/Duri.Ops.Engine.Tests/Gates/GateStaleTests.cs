using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Gates;
using Xunit;
using Xunit.Abstractions;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>The fault matrix's last column: a real sample older than the gate's max age (backfilled history that ended).</summary>
    [Collection(BackfillCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class GateStaleTests
    {
        private readonly BackfillSandboxFixture _fixture;
        private readonly ITestOutputHelper _output;

        public GateStaleTests(BackfillSandboxFixture fixture, ITestOutputHelper output)
        {
            _fixture = fixture;
            _output = output;
        }

        [Fact]
        public async Task AGateWhoseNewestSampleIsOlderThanItsMaxAgeIsStaleAndNoGo()
        {
            var series = new List<(string, Duri.Ops.Engine.Prometheus.LabelSet, double)>();
            foreach (var (gate, _, _) in GateTextfile.Gates)
            {
                var values = GateTextfile.Healthy();
                values[gate] = null;
                series.AddRange(GateTextfile.Realm(BackfillSandboxFixture.StaleRealm(gate), values));
            }
            int cases = 0, falseGos = 0;
            try
            {
                GateTextfile.Write(_fixture.Sandbox.TextfileDirectory, BackfillSandboxFixture.StaleFile, series);
                foreach (var (gate, _, _) in GateTextfile.Gates)
                {
                    var policy = GateTextfile.DefaultPolicy(BackfillSandboxFixture.StaleRealm(gate));
                    L4DryRunDecision decision;
                    var deadline = DateTime.UtcNow.AddSeconds(20);
                    do
                    {
                        decision = await L4DryRun.DecideAsync(_fixture.Sandbox.Prometheus, policy, null, null, CancellationToken.None);
                    }
                    while (decision.Gates.Count(g => g.Passed) < 3 && DateTime.UtcNow < deadline && await Task.Delay(250).ContinueWith(_ => true));
                    cases++;
                    if (decision.IsGo) falseGos++;
                    var stale = decision.Gates.Single(g => g.Name == gate);
                    Assert.Equal(GateStatus.Stale, stale.Status);
                    Assert.Equal(_fixture.Now - BackfillSandboxFixture.StaleFor, stale.SampleTime);
                    Assert.True(stale.SampleAge > policy.Gate(gate)!.MaxAge);
                    Assert.Contains("accepts at most " + Duri.Ops.Engine.Prometheus.PrometheusDuration.Format(policy.Gate(gate)!.MaxAge), stale.Reason);
                    Assert.All(decision.Gates.Where(g => g.Name != gate), g => Assert.Equal(GateStatus.Pass, g.Status));
                    Assert.Contains(decision.Reasons, r => r.StartsWith($"Gate {gate} Stale:", StringComparison.Ordinal));
                }
            }
            finally
            {
                File.Delete(Path.Combine(_fixture.Sandbox.TextfileDirectory, BackfillSandboxFixture.StaleFile));
            }
            _output.WriteLine($"Stale column of the fault matrix: {cases} cases, {falseGos} false GOs.");
            Assert.Equal(0, falseGos);
            Assert.Equal(GateTextfile.Gates.Count, cases);
        }
    }
}
