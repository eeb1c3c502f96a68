using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// Every gate against every fault: transport faults from a proxy in front of the real sandbox, data faults as real
    /// series through the textfile collector. Each case must be NO-GO with the matching gate status; false GOs are counted.
    /// </summary>
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class GateFaultMatrixTests
    {
        private const string File = "gate-matrix.prom";
        private const string StrayFile = "gate-matrix-stray.prom";
        private const string BaseRealm = "gmatrix";

        private readonly DuriSandbox _sandbox;
        private readonly ITestOutputHelper _output;

        public GateFaultMatrixTests(SandboxFixture fixture, ITestOutputHelper output)
        {
            _sandbox = fixture.Sandbox;
            _output = output;
        }

        private sealed class Tally
        {
            public int Cases;
            public int FalseGos;
            public List<string> Failures { get; } = new List<string>();

            public void Check(string name, L4DryRunDecision decision, string gate, GateStatus expected)
            {
                Cases++;
                if (decision.IsGo) FalseGos++;
                var result = decision.Gates.Single(g => g.Name == gate);
                if (decision.IsGo || result.Status != expected || !decision.Reasons.Any(r => r.StartsWith($"Gate {gate} {expected}:", StringComparison.Ordinal)))
                    Failures.Add($"{name}: {decision.Decision}, {gate} {result.Status} (expected {expected}): {result.Reason}");
            }
        }

        private static Task<L4DryRunDecision> Decide(PrometheusConnection connection, string realm) =>
            L4DryRun.DecideAsync(connection, GateTextfile.DefaultPolicy(realm), null, null, CancellationToken.None);

        private static async Task<L4DryRunDecision> DecideUntil(PrometheusConnection connection, string realm, Func<L4DryRunDecision, bool> done)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                var decision = await Decide(connection, realm);
                if (done(decision) || DateTime.UtcNow > deadline) return decision;
                await Task.Delay(250);
            }
        }

        [Fact]
        public async Task EveryFaultOfEveryGateIsNoGoWithTheMatchingStatus()
        {
            var data = new[]
            {
                ("empty result", GateStatus.NoData, (double?)null),
                ("NaN", GateStatus.NaN, (double?)double.NaN),
                ("+Inf", GateStatus.OutOfRange, (double?)double.PositiveInfinity),
                ("two series", GateStatus.MultipleSeries, (double?)0),
            };
            var series = GateTextfile.Realm(BaseRealm, GateTextfile.Healthy()).ToList();
            var stray = new List<(string, LabelSet, double)>();
            foreach (var (gate, _, healthy) in GateTextfile.Gates)
            {
                foreach (var (fault, _, value) in data)
                {
                    var values = GateTextfile.Healthy();
                    string realm = RealmOf(gate, fault);
                    if (fault == "two series") stray.AddRange(GateTextfile.Realm(realm, new Dictionary<string, double?> { [gate] = healthy }, strayPath: "/var/lib/old-textfile"));
                    else values[gate] = value;
                    series.AddRange(GateTextfile.Realm(realm, values));
                }
            }
            var tally = new Tally();
            try
            {
                GateTextfile.Write(_sandbox.TextfileDirectory, StrayFile, stray);
                GateTextfile.Write(_sandbox.TextfileDirectory, File, series);
                var baseline = await DecideUntil(_sandbox.Prometheus, BaseRealm, d => d.IsGo);
                Assert.True(baseline.IsGo, "The healthy realm should be GO: " + string.Join(" ", baseline.Reasons));
                Assert.All(baseline.Gates, g => Assert.Equal(GateStatus.Pass, g.Status));
                Assert.All(baseline.Preconditions, p => Assert.True(p.Passed, p.Reason));

                foreach (var (gate, _, _) in GateTextfile.Gates)
                {
                    foreach (var (fault, expected, _) in data)
                    {
                        // The realms were written together; wait only for the first scrape that holds them.
                        var decision = await DecideUntil(_sandbox.Prometheus, RealmOf(gate, fault), d => d.Gates.Single(g => g.Name == gate).Status == expected);
                        tally.Check($"{gate} / {fault}", decision, gate, expected);
                    }
                }

                using var proxy = new FaultProxy(_sandbox.PrometheusUri);
                using var viaProxy = PrometheusConnection.Create(new PrometheusConnectionSettings(proxy.Uri) { Timeout = TimeSpan.FromSeconds(1) });
                var transport = new (string Name, Action<FaultProxy> Arrange)[]
                {
                    ("server down", p => p.Fault = Fault.Drop),
                    ("HTTP 500", p => { p.Fault = Fault.Status; p.Status = 500; p.Body = "internal error"; }),
                    ("hang past the timeout", p => p.Fault = Fault.Hang),
                    ("malformed JSON", p => p.Fault = Fault.TruncatedJson),
                };
                foreach (var (gate, _, _) in GateTextfile.Gates)
                {
                    string query = GateTextfile.DefaultPolicy(BaseRealm).Gate(gate)!.QueryFor(BaseRealm);
                    proxy.FaultsQuery = q => q.Contains(query);
                    foreach (var (name, arrange) in transport)
                    {
                        arrange(proxy);
                        tally.Check($"{gate} / {name}", await Decide(viaProxy, BaseRealm), gate, GateStatus.QueryError);
                    }
                }

                using var down = PrometheusConnection.Create(new PrometheusConnectionSettings(new Uri($"http://127.0.0.1:{LoopbackPort.Closed()}/")));
                var whole = await Decide(down, BaseRealm);
                foreach (var (gate, _, _) in GateTextfile.Gates) tally.Check($"{gate} / whole server down", whole, gate, GateStatus.QueryError);
                Assert.All(whole.Preconditions, p => Assert.False(p.Passed));
            }
            finally
            {
                System.IO.File.Delete(Path.Combine(_sandbox.TextfileDirectory, File));
                System.IO.File.Delete(Path.Combine(_sandbox.TextfileDirectory, StrayFile));
            }
            _output.WriteLine($"Fault matrix: {tally.Cases} cases, {tally.FalseGos} false GOs.");
            Assert.Empty(tally.Failures);
            Assert.Equal(0, tally.FalseGos);
            Assert.Equal(GateTextfile.Gates.Count * (data.Length + 4 + 1), tally.Cases);
        }

        private static string RealmOf(string gate, string fault) => "gm-" + gate + "-" + fault.Replace(" ", "-").Replace("+", "plus");
    }
}
