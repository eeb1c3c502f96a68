using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// The gates and the heartbeat are asked in one query: the requests a dry run sends, counted through a proxy in front of
    /// the real sandbox, and what happens when the server refuses or fails that one query.
    /// </summary>
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class GateCombinedQueryTests : IDisposable
    {
        private const string File = "gate-combined.prom";
        private const string Realm = "gcombined";

        private readonly DuriSandbox _sandbox;
        private readonly FaultProxy _proxy;
        private readonly PrometheusConnection _viaProxy;

        public GateCombinedQueryTests(SandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
            GateTextfile.Write(_sandbox.TextfileDirectory, File, GateTextfile.Realm(Realm, GateTextfile.Healthy()));
            _proxy = new FaultProxy(_sandbox.PrometheusUri);
            _viaProxy = PrometheusConnection.Create(new PrometheusConnectionSettings(_proxy.Uri) { Timeout = TimeSpan.FromSeconds(5) });
        }

        public void Dispose()
        {
            _viaProxy.Dispose();
            _proxy.Dispose();
            System.IO.File.Delete(Path.Combine(_sandbox.TextfileDirectory, File));
        }

        private async Task WaitForGo()
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(await L4DryRun.DecideAsync(_sandbox.Prometheus, GateTextfile.DefaultPolicy(Realm), null, null, CancellationToken.None)).IsGo && DateTime.UtcNow < deadline)
                await Task.Delay(250);
        }

        /// <summary>The requests the proxy saw while <paramref name="action"/> ran: method, path and, for a query, its PromQL.</summary>
        private async Task<List<(string Method, string Path, string Query)>> RequestsOf(Func<Task> action)
        {
            lock (_proxy.Requests) _proxy.Requests.Clear();
            await action();
            lock (_proxy.Requests)
            {
                return _proxy.Requests.Select(r => (r["@method"], r["@target"].Split('?')[0], FaultProxy.QueryOf(r["@body"]))).ToList();
            }
        }

        /// <summary>The default policy with one gate's query replaced by PromQL the policy reader would not let through.</summary>
        private static GatePolicy WithQuery(string gate, string query)
        {
            var policy = GateTextfile.DefaultPolicy(Realm);
            var gates = policy.Gates.Select(g => g.Name != gate ? g
                : new GateDefinition(g.Name, query, g.Operator, g.Threshold, g.MaxAge) { RangeMin = g.RangeMin, RangeMax = g.RangeMax }).ToList();
            return new GatePolicy(policy.Source, policy.Realm, policy.Step, gates);
        }

        [Fact]
        public async Task TheDryRunSendsOneQueryForEveryGateAndTheHeartbeatBesideTargetsAndRuntimeInformation()
        {
            await WaitForGo();
            var policy = GateTextfile.DefaultPolicy(Realm);
            L4DryRunDecision decision = null!;
            var requests = await RequestsOf(async () => decision = await L4DryRun.DecideAsync(_viaProxy, policy, null, null, CancellationToken.None));

            Assert.True(decision.IsGo, string.Join(" ", decision.Reasons));
            Assert.Equal(3, requests.Count);
            Assert.Contains(requests, r => r.Method == "GET" && r.Path == "/api/v1/targets");
            Assert.Contains(requests, r => r.Method == "GET" && r.Path == "/api/v1/status/runtimeinfo");
            var query = Assert.Single(requests, r => r.Path == "/api/v1/query").Query;
            Assert.All(policy.Gates, g => Assert.Contains(g.QueryFor(Realm), query));
            Assert.Contains($"changes(duri_heartbeat_timestamp_seconds{{metric_realm=\"{Realm}\"}}[6m])", query);
            // The heartbeat gate's query is also the heartbeat's recorded Ok: asked once.
            string recordedOk = $"label_replace(duri_heartbeat_ok{{metric_realm=\"{Realm}\"}},";
            Assert.Contains(recordedOk, query);
            Assert.Equal(query.LastIndexOf(recordedOk, StringComparison.Ordinal), query.IndexOf(recordedOk, StringComparison.Ordinal));

            IReadOnlyList<GateResult> gates = null!;
            var gateRequests = await RequestsOf(async () => gates = await GateEvaluator.EvaluateAsync(_viaProxy, policy, null, null, CancellationToken.None));
            Assert.All(gates, g => Assert.Equal(GateStatus.Pass, g.Status));
            Assert.All(gates, g => Assert.InRange(g.SampleAge!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(5)));
            Assert.Equal("/api/v1/query", Assert.Single(gateRequests).Path);

            IReadOnlyList<HeartbeatStatus> beats = null!;
            var heartbeatRequests = await RequestsOf(async () => beats = await HeartbeatReader.ReadAsync(_viaProxy, new HeartbeatQueryOptions { Realm = Realm }, null, CancellationToken.None));
            Assert.True(Assert.Single(beats).Ok);
            Assert.Equal("rule", beats[0].OkSource);
            Assert.Equal("/api/v1/query", Assert.Single(heartbeatRequests).Path);
        }

        [Theory]
        [InlineData("sort_by_label(duri_lyapunov_v{metric_realm=\"$realm\"}, \"instance\")", "unknown function with name \"sort_by_label\"")]
        [InlineData("scalar(duri_lyapunov_v{metric_realm=\"$realm\"})", "got scalar")]
        [InlineData("{__name__=~\"duri_lyapunov_v|duri_canary_unique_ratio\", metric_realm=\"$realm\"}", "vector cannot contain metrics with the same labelset")]
        public async Task AGateQueryTheServerRefusesIsQueryErrorForThatGateAloneByName(string query, string serverSays)
        {
            await WaitForGo();
            var policy = WithQuery(GateTextfile.Lyapunov, query);
            L4DryRunDecision decision = null!;
            var requests = await RequestsOf(async () => decision = await L4DryRun.DecideAsync(_viaProxy, policy, null, null, CancellationToken.None));

            Assert.False(decision.IsGo);
            var lyapunov = decision.Gates.Single(g => g.Name == GateTextfile.Lyapunov);
            Assert.Equal(GateStatus.QueryError, lyapunov.Status);
            Assert.Contains(serverSays, lyapunov.Reason);
            Assert.All(decision.Gates.Where(g => g.Name != GateTextfile.Lyapunov), g => Assert.Equal(GateStatus.Pass, g.Status));
            Assert.All(decision.Preconditions, p => Assert.True(p.Passed, p.Reason));
            Assert.StartsWith("Gate lyapunov QueryError:", Assert.Single(decision.Reasons));
            // The refused combined query, then each gate and the heartbeat alone, beside targets and runtime information.
            Assert.Equal(1 + policy.Gates.Count + 1 + 2, requests.Count);

            var gates = await GateEvaluator.EvaluateAsync(_viaProxy, policy, null, null, CancellationToken.None);
            Assert.Equal(new[] { GateStatus.Pass, GateStatus.QueryError, GateStatus.Pass, GateStatus.Pass }, gates.Select(g => g.Status));
        }

        [Fact]
        public async Task ACombinedAnswerThatIsNotAVectorFailsEveryGateWithoutBlamingThePolicy()
        {
            await WaitForGo();
            _proxy.FaultsQuery = q => q.Contains("duri_canary_unique_ratio");
            _proxy.Fault = Fault.Status;
            _proxy.Status = 200;
            _proxy.ContentType = "application/json";
            _proxy.Body = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"1\"]}}";
            var gates = await GateEvaluator.EvaluateAsync(_viaProxy, GateTextfile.DefaultPolicy(Realm), null, null, CancellationToken.None);

            Assert.All(gates, g =>
            {
                Assert.Equal(GateStatus.QueryError, g.Status);
                Assert.Contains("changed the answer", g.Reason);
                Assert.DoesNotContain("Fix the query in the policy", g.Reason);
            });
        }

        [Fact]
        public async Task AFailedCombinedQueryFailsEveryGateAndTheHeartbeat()
        {
            await WaitForGo();
            _proxy.FaultsQuery = q => q.Length > 0;
            _proxy.Fault = Fault.Status;
            _proxy.Status = 503;
            _proxy.Body = "unavailable";
            var decision = await L4DryRun.DecideAsync(_viaProxy, GateTextfile.DefaultPolicy(Realm), null, null, CancellationToken.None);

            Assert.False(decision.IsGo);
            Assert.All(decision.Gates, g => Assert.Equal(GateStatus.QueryError, g.Status));
            var preconditions = decision.Preconditions.ToDictionary(p => p.Name);
            Assert.StartsWith("The heartbeat could not be read:", preconditions[PreconditionResult.HeartbeatOk].Reason);
            Assert.False(preconditions[PreconditionResult.HeartbeatOk].Passed);
            Assert.True(preconditions[PreconditionResult.TargetsHealthy].Passed);
            Assert.True(preconditions[PreconditionResult.LastReloadSuccessful].Passed);
        }
    }
}
