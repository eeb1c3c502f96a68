using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;

namespace Duri.Ops.Benchmarks
{
    /// <summary>
    /// Get-DuriPromotionDecision over 24 hours of the four gates at 15 s: the evaluation once the answers have arrived
    /// (split into values and sample times, every step of every gate judged, streaks, violation runs, the trend test)
    /// against parsing the four range-query answers it needs (each gate's values with their timestamp() in one answer).
    /// Goal: evaluation at most 10% of the parse time.
    /// </summary>
    [MemoryDiagnoser]
    [SimpleJob(warmupCount: 3, iterationCount: 15)]
    public class GatePromotionBenchmark
    {
        private const int Steps = 24 * 60 * 60 / 15 + 1;
        private const long StartMilliseconds = 1_800_000_000_000;

        private GatePolicy _policy = null!;
        private List<byte[]> _bodies = new List<byte[]>();
        private List<PrometheusQueryResult> _parsed = new List<PrometheusQueryResult>();

        [GlobalSetup]
        public void Setup()
        {
            _policy = GatePolicyReader.Load(PolicyPath()).WithRealm("bench");
            var random = new Random(20261128);
            foreach (var gate in _policy.Gates)
            {
                var labels = "{\"__name__\":\"" + gate.Query.Substring(0, gate.Query.IndexOf('{')) + "\",\"duri_part\":\"0\",\"instance\":\"127.0.0.1:9100\",\"job\":\"node\",\"metric_realm\":\"bench\"}";
                var timeLabels = "{\"duri_part\":\"1\",\"instance\":\"127.0.0.1:9100\",\"job\":\"node\",\"metric_realm\":\"bench\"}";
                var values = new StringBuilder();
                var times = new StringBuilder();
                for (int i = 0; i < Steps; i++)
                {
                    long ms = StartMilliseconds + i * 15_000L;
                    string t = (ms / 1000).ToString(CultureInfo.InvariantCulture);
                    // Mostly passing, with noise, so that every branch of the judging runs.
                    double value = gate.Name switch
                    {
                        "heartbeat" => random.NextDouble() < 0.01 ? 0 : 1,
                        "lyapunov" => 0.03 + random.NextDouble() * 0.08,
                        "canary" => 0.90 + random.NextDouble() * 0.08,
                        _ => 0.998 + random.NextDouble() * 0.002,
                    };
                    if (i > 0) { values.Append(','); times.Append(','); }
                    values.Append('[').Append(t).Append(",\"").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append("\"]");
                    // Scraped up to 10 s before the step.
                    times.Append('[').Append(t).Append(",\"").Append(((ms - random.Next(0, 10_000)) / 1000.0).ToString("R", CultureInfo.InvariantCulture)).Append("\"]");
                }
                _bodies.Add(Answer(labels, values, timeLabels, times));
            }
            _parsed = Parse();
            var decision = Evaluate();
            if (decision.Steps != Steps || decision.Gates.Sum(h => h.PassSteps + h.ViolatedSteps + h.MissingSteps) != Steps * _policy.Gates.Count || decision.Trend == null
                || decision.Gates.Any(h => h.PassSteps == 0))
                throw new InvalidOperationException("The benchmark's decision did not judge every step: " + decision);
        }

        private static byte[] Answer(string labels, StringBuilder values, string timeLabels, StringBuilder times) =>
            Encoding.UTF8.GetBytes("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":" + labels + ",\"values\":[" + values + "]},"
                + "{\"metric\":" + timeLabels + ",\"values\":[" + times + "]}]}}");

        private static string PolicyPath()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "module", "policy", "l4-dryrun.yml");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("module/policy/l4-dryrun.yml was not found above " + AppContext.BaseDirectory);
        }

        /// <summary>Parsing the four answers: what has to happen anyway once they arrive.</summary>
        [Benchmark(Baseline = true)]
        public List<PrometheusQueryResult> Parse()
        {
            var results = new List<PrometheusQueryResult>(_bodies.Count);
            foreach (var body in _bodies) results.Add(ApiResponseParser.ParseEnvelope(body, body.Length, ApiResponseParser.ReadQueryData).Data!);
            return results;
        }

        /// <summary>The decision from the parsed answers.</summary>
        [Benchmark]
        public PromotionDecision Evaluate() =>
            PromotionEvaluator.Decide(_policy, DateTimeOffset.FromUnixTimeMilliseconds(StartMilliseconds), Steps, _parsed.Select(PromotionEvaluator.Split).ToList());
    }
}
