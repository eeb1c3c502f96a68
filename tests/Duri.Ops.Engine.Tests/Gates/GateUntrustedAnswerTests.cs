using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Gates;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// Answers that look successful but cannot be trusted to decide a gate: each must fail closed. They are served by a
    /// fault proxy with a canned body, as a cache, proxy or partial store in front of Prometheus would give them.
    /// </summary>
    public sealed class GateUntrustedAnswerTests
    {
        private const string Realm = "review";
        private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        private static readonly GatePolicy Policy = GatePolicyReader.Read(
            "realm: " + Realm + "\nstep: 1s\n" +
            "gates:\n  - { name: lyapunov, query: 'duri_lyapunov_v{metric_realm=\"$realm\"}', operator: '<=', threshold: 0.1, max_age: 75s }\n" +
            "promotion:\n  sustained: 15m\n",
            "review.yml");

        private static string Seconds(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

        private static string Answer(string result, string envelope = "") =>
            "{\"status\":\"success\"" + envelope + ",\"data\":{\"resultType\":\"vector\",\"result\":[" + result + "]}}";

        private static string Value(string instance, string value) =>
            "{\"metric\":{\"__name__\":\"duri_lyapunov_v\",\"metric_realm\":\"review\",\"instance\":\"" + instance + "\",\"duri_part\":\"0\"},\"value\":[" + Seconds(At) + ",\"" + value + "\"]}";

        private static string Time(string instance, string seconds) =>
            "{\"metric\":{\"metric_realm\":\"review\",\"instance\":\"" + instance + "\",\"duri_part\":\"1\"},\"value\":[" + Seconds(At) + ",\"" + seconds + "\"]}";

        private static async Task<GateResult> Judge(string body)
        {
            using var proxy = new FaultProxy(new Uri("http://127.0.0.1:9/")) { Fault = Fault.Status, Status = 200, ContentType = "application/json", Body = body };
            using var connection = PrometheusConnection.Create(new PrometheusConnectionSettings(proxy.Uri) { Timeout = TimeSpan.FromSeconds(5) });
            return Assert.Single(await GateEvaluator.EvaluateAsync(connection, Policy, At, null, CancellationToken.None));
        }

        [Fact]
        public async Task TheControlAnswerPasses()
        {
            var gate = await Judge(Answer(Value("a", "0.05") + "," + Time("a", Seconds(At.AddSeconds(-5)))));
            Assert.Equal(GateStatus.Pass, gate.Status);
        }

        [Fact]
        public async Task ASampleFromAfterTheInstantAskedIsStaleAndTheReasonSaysWhy()
        {
            var gate = await Judge(Answer(Value("a", "0.05") + "," + Time("a", Seconds(At.AddHours(1)))));
            Assert.Equal(GateStatus.Stale, gate.Status);
            Assert.Contains("after the instant asked", gate.Reason);
        }

        [Theory]
        [InlineData("1e300")]
        [InlineData("-1e300")]
        public async Task ASampleTimeNoCalendarHoldsIsStaleRatherThanAnException(string seconds)
        {
            var gate = await Judge(Answer(Value("a", "0.05") + "," + Time("a", seconds)));
            Assert.Equal(GateStatus.Stale, gate.Status);
            Assert.Contains("could not be read", gate.Reason);
        }

        [Fact]
        public async Task AnAnswerTheServerWarnsIsPartialFailsTheGateWithTheWarning()
        {
            var gate = await Judge(Answer(Value("a", "0.05") + "," + Time("a", Seconds(At.AddSeconds(-5))),
                ",\"warnings\":[\"partial response: store 10.0.0.2:10901 unavailable\"]"));
            Assert.Equal(GateStatus.QueryError, gate.Status);
            Assert.Contains("may be incomplete (partial response: store 10.0.0.2:10901 unavailable)", gate.Reason);
        }

        [Fact]
        public async Task ANativeHistogramBesideTheFloatSeriesFailsTheGate()
        {
            string histogram = "{\"metric\":{\"__name__\":\"duri_lyapunov_v\",\"metric_realm\":\"review\",\"instance\":\"b\",\"duri_part\":\"0\"},"
                + "\"histogram\":[" + Seconds(At) + ",{\"count\":\"1\",\"sum\":\"0.5\",\"buckets\":[[0,\"0\",\"1\",\"1\"]]}]}";
            var gate = await Judge(Answer(Value("a", "0.05") + "," + histogram + "," + Time("a", Seconds(At.AddSeconds(-5))) + "," + Time("b", Seconds(At.AddSeconds(-5)))));
            Assert.Equal(GateStatus.QueryError, gate.Status);
            Assert.Contains("1 native histogram series", gate.Reason);
        }

        private static LabelSet Labels(string instance) => LabelSet.Create(new[]
        {
            new KeyValuePair<string, string>("metric_realm", Realm), new KeyValuePair<string, string>("instance", instance),
        });

        [Fact]
        public void PromotionDoesNotTakeTheSampleTimesOfAnotherSeries()
        {
            const int steps = 901;
            long startMs = At.ToUnixTimeMilliseconds();
            var values = Enumerable.Range(0, steps).Select(i => new PrometheusSample(startMs + i * 1000L, 0.05)).ToArray();
            var times = Enumerable.Range(0, steps).Select(i => new PrometheusSample(startMs + i * 1000L, (startMs + i * 1000L) / 1000.0)).ToArray();
            GateRangeAnswer Answer(string timesOf) => new GateRangeAnswer(
                new[] { new PrometheusRangeSeries(Labels("a"), values) },
                new[] { new PrometheusRangeSeries(Labels(timesOf), times) },
                null);

            Assert.Equal(PromotionVerdict.Promote, PromotionEvaluator.Decide(Policy, At, steps, new[] { Answer("a") }).Verdict);
            Assert.Equal(PromotionVerdict.Hold, PromotionEvaluator.Decide(Policy, At, steps, new[] { Answer("b") }).Verdict);
        }

        [Fact]
        public void APartialRangeAnswerNeverPromotes()
        {
            var answer = new PrometheusQueryResult(PrometheusResultType.Matrix) { Warnings = new[] { "partial response" } };
            var split = PromotionEvaluator.Split(answer);
            Assert.Null(split.Values);
            Assert.Contains("may be incomplete (partial response)", split.Error);
        }
    }
}
