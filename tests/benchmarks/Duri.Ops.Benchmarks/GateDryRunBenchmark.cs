using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Sandbox;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// Test-DuriL4DryRun's engine against a real sandbox, end to end (four gates with their timestamp(), targets,
    /// runtime information and the heartbeat, all concurrently), against each gate's single instant query.
    /// Goal: the dry run at most 1.5x the slowest single gate query.
    /// </summary>
    [SimpleJob(warmupCount: 5, iterationCount: 20)]
    public class GateDryRunBenchmark
    {
        private DuriSandbox _sandbox = null!;
        private GatePolicy _policy = null!;

        [Params("heartbeat", "lyapunov", "canary", "green_uptime")]
        public string Gate { get; set; } = "heartbeat";

        [GlobalSetup]
        public void Setup()
        {
            _sandbox = DuriSandbox.StartAsync(new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), OwnerTag = "bench" }).GetAwaiter().GetResult();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            File.WriteAllText(Path.Combine(_sandbox.TextfileDirectory, "gates.prom"),
                "duri_heartbeat_ok{metric_realm=\"bench\"} 1\nduri_lyapunov_v{metric_realm=\"bench\"} 0.05\n" +
                "duri_canary_unique_ratio{metric_realm=\"bench\"} 0.95\nduri_green_uptime_ratio{metric_realm=\"bench\"} 1\n" +
                $"duri_heartbeat_timestamp_seconds{{metric_realm=\"bench\"}} {now.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n");
            _policy = GatePolicyReader.Load(PolicyPath()).WithRealm("bench");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!DryRun().IsGo)
            {
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException("The sandbox never became GO.");
                Thread.Sleep(250);
            }
        }

        [GlobalCleanup]
        public void Cleanup() => _sandbox.Stop();

        private static string PolicyPath()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "module", "policy", "l4-dryrun.yml");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("module/policy/l4-dryrun.yml was not found above " + AppContext.BaseDirectory);
        }

        /// <summary>One gate's query alone, as a single instant query.</summary>
        [Benchmark(Baseline = true)]
        public int SingleGateQuery() =>
            _sandbox.Prometheus.QueryAsync(_policy.Gate(Gate)!.QueryFor(_policy.Realm), null, null, CancellationToken.None).GetAwaiter().GetResult().Vector.Count;

        /// <summary>The whole dry run (the same for every Gate parameter).</summary>
        [Benchmark]
        public L4DryRunDecision DryRun() => L4DryRun.DecideAsync(_sandbox.Prometheus, _policy, null, null, CancellationToken.None).GetAwaiter().GetResult();
    }
}
