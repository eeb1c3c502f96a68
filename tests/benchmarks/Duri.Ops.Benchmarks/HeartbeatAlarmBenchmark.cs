using System;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.HeartbeatModel;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// The heartbeat alarm model on one core. <see cref="HealthyEvaluations"/>: one million counted rule evaluations of a
    /// healthy writer (the runbook's HB 60 s, SI 30 s, 256 phases, warm-up included in the work); Mean is the time per
    /// evaluation, so evaluations per second = 1 / Mean. Goal: at least 1,000,000 per second.
    /// <see cref="Recommendation"/>: a full Get-DuriHeartbeatRecommendation search at the default accuracy (30 days
    /// over 256 phases, then the measurement with 2,000 stopped writers). Goal: under 10 s.
    /// </summary>
    [MemoryDiagnoser]
    [SimpleJob(warmupCount: 2, iterationCount: 8)]
    public class HeartbeatAlarmBenchmark
    {
        public const int Evaluations = 1_000_000;

        private const int Phases = 256;

        private readonly HeartbeatAlarmOptions _healthy = new HeartbeatAlarmOptions
        {
            Jitter = TimeSpan.FromSeconds(2),
            MissedScrapeProbability = 0.001,
            Phases = Phases,
            Duration = TimeSpan.FromSeconds(30.0 * (Evaluations / Phases) * Phases),
            DetectionTrials = 0,
        };

        [GlobalSetup]
        public void Setup()
        {
            long counted = HealthyEvaluations();
            if (Math.Abs(counted - Evaluations) > Phases)
                throw new InvalidOperationException($"Expected about {Evaluations} evaluations, counted {counted}.");
        }

        [Benchmark(OperationsPerInvoke = Evaluations)]
        public long HealthyEvaluations() => HeartbeatAlarmModel.Measure(_healthy).Evaluations;

        [Benchmark]
        public TimeSpan Recommendation() => HeartbeatAlarmModel.Recommend(new HeartbeatAlarmOptions { Jitter = TimeSpan.FromSeconds(2) }, 0.001).Window;
    }
}
