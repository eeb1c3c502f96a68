using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;

namespace Duri.Ops.Benchmarks
{
    /// <summary>A sandbox whose four gates and heartbeat pass, for benchmarks of the dry run and its requests.</summary>
    public abstract class GateSandboxBenchmark
    {
        protected DuriSandbox Sandbox { get; private set; } = null!;

        protected GatePolicy Policy { get; private set; } = null!;

        [GlobalSetup]
        public void Setup()
        {
            Sandbox = DuriSandbox.StartAsync(new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), OwnerTag = "bench" }).GetAwaiter().GetResult();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            File.WriteAllText(Path.Combine(Sandbox.TextfileDirectory, "gates.prom"),
                "duri_heartbeat_ok{metric_realm=\"bench\"} 1\nduri_lyapunov_v{metric_realm=\"bench\"} 0.05\n" +
                "duri_canary_unique_ratio{metric_realm=\"bench\"} 0.95\nduri_green_uptime_ratio{metric_realm=\"bench\"} 1\n" +
                $"duri_heartbeat_timestamp_seconds{{metric_realm=\"bench\"}} {now.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n");
            Policy = GatePolicyReader.Load(PolicyPath()).WithRealm("bench");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!RunDryRun().IsGo)
            {
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException("The sandbox never became GO.");
                Thread.Sleep(250);
            }
        }

        [GlobalCleanup]
        public void Cleanup() => Sandbox.Stop();

        protected L4DryRunDecision RunDryRun() =>
            L4DryRun.DecideAsync(Sandbox.Prometheus, Policy, null, null, CancellationToken.None).GetAwaiter().GetResult();

        protected int QueryGate(string gate) =>
            Sandbox.Prometheus.QueryAsync(Policy.Gate(gate)!.QueryFor(Policy.Realm), null, null, CancellationToken.None).GetAwaiter().GetResult().Vector.Count;

        private static string PolicyPath()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "module", "policy", "l4-dryrun.yml");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("module/policy/l4-dryrun.yml was not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// Test-DuriL4DryRun's engine against a real sandbox, end to end (four gates with their timestamp(), targets,
    /// runtime information and the heartbeat, all concurrently), against each gate's single instant query.
    /// Goal: the dry run at most 1.5x the slowest single gate query.
    /// </summary>
    [SimpleJob(warmupCount: 5, iterationCount: 20)]
    public class GateDryRunBenchmark : GateSandboxBenchmark
    {
        [Params("heartbeat", "lyapunov", "canary", "green_uptime")]
        public string Gate { get; set; } = "heartbeat";

        /// <summary>One gate's query alone, as a single instant query.</summary>
        [Benchmark(Baseline = true)]
        public int SingleGateQuery() => QueryGate(Gate);

        /// <summary>The whole dry run (the same for every Gate parameter).</summary>
        [Benchmark]
        public L4DryRunDecision DryRun() => RunDryRun();
    }

    /// <summary>
    /// The dry run's three requests, each alone, against one gate's instant query: what the dry run cannot go below
    /// while it sends them.
    /// </summary>
    [SimpleJob(warmupCount: 5, iterationCount: 20)]
    public class GateDryRunRequestsBenchmark : GateSandboxBenchmark
    {
        private string? _combined;

        private string CombinedText()
        {
            var query = new CombinedQuery();
            _ = new GateParts(query, Policy);
            _ = new HeartbeatParts(query, new HeartbeatQueryOptions { Realm = Policy.Realm });
            return query.Text;
        }

        [Benchmark(Baseline = true)]
        public int SingleGateQuery() => QueryGate("heartbeat");

        /// <summary>Every gate with its timestamp() and the heartbeat's parts, in one query.</summary>
        [Benchmark]
        public int CombinedQuery() =>
            Sandbox.Prometheus.QueryAsync(_combined ??= CombinedText(), null, null, CancellationToken.None).GetAwaiter().GetResult().Vector.Count;

        [Benchmark]
        public int Targets() => Sandbox.Prometheus.GetTargetsAsync(null, CancellationToken.None).GetAwaiter().GetResult().Count;

        /// <summary>The only live source of the last reload's outcome; Prometheus gathers its whole registry to answer.</summary>
        [Benchmark]
        public bool RuntimeInfo() => Sandbox.Prometheus.Client.GetRuntimeInfoAsync(CancellationToken.None).GetAwaiter().GetResult().ReloadConfigSuccess;

        /// <summary>A bare round trip.</summary>
        [Benchmark]
        public bool Healthy() => Sandbox.Prometheus.Client.IsHealthyAsync(CancellationToken.None).GetAwaiter().GetResult();

        /// <summary>Two gate queries sent at once: how much two concurrent requests overlap on this machine.</summary>
        [Benchmark]
        public int TwoGateQueriesAtOnce()
        {
            var first = Task.Run(() => QueryGate("heartbeat"));
            var second = Task.Run(() => QueryGate("lyapunov"));
            return first.GetAwaiter().GetResult() + second.GetAwaiter().GetResult();
        }
    }
}
