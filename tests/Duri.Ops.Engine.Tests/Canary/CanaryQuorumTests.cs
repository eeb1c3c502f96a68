using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Canary;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Canary
{
    public sealed class CanaryQuorumTests
    {
        private static async Task<CanaryResult> Run(int samples, int distinct, bool cancel = false)
        {
            CanaryProbe probe = (n, _) => Task.FromResult(Encoding.UTF8.GetBytes("r" + (n - 1) % distinct));
            var options = new CanarySamplerOptions { Rate = 1000, Duration = TimeSpan.FromMilliseconds(samples), Concurrency = 4, Target = "test" };
            using var stop = new CancellationTokenSource();
            if (cancel) stop.Cancel();
            return await CanarySampler.RunAsync(probe, options, null, null, stop.Token);
        }

        [Fact]
        public async Task EnoughSamplesAtTheMinimumRatioPass()
        {
            var result = await Run(100, 92);
            Assert.Equal(0.92, result.UniqueRatio);
            Assert.True(result.QuorumMet);
            var verdict = CanaryQuorum.Evaluate(result, 100, 0.92);
            Assert.True(verdict.Passed);
            Assert.Equal("result", verdict.Source);
            Assert.Equal(100, verdict.Samples);
            Assert.Contains("0.92", verdict.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task ARatioBelowTheMinimumFailsAndSaysSo()
        {
            var verdict = CanaryQuorum.Evaluate(await Run(100, 91), 100, 0.92);
            Assert.False(verdict.Passed);
            Assert.Equal("the unique ratio 0.91 is below the minimum 0.92", verdict.Reason);
        }

        [Fact]
        public async Task TooFewSamplesFailEvenWithAPerfectRatio()
        {
            var result = await Run(50, 50);
            Assert.Equal(1.0, result.UniqueRatio);
            var verdict = CanaryQuorum.Evaluate(result, 100, 0.92);
            Assert.False(verdict.Passed);
            Assert.Contains("only 50 successful sample(s), fewer than the 100 required", verdict.Reason, StringComparison.Ordinal);
            Assert.True(CanaryQuorum.Evaluate(result, 50, 0.92).Passed);
        }

        [Fact]
        public async Task NoSampleFailsAndAStoppedRunSaysItWasPartial()
        {
            var result = await Run(100, 100, cancel: true);
            Assert.Equal(0, result.Samples);
            Assert.False(result.Completed);
            var verdict = CanaryQuorum.Evaluate(result, 1, 0);
            Assert.False(verdict.Passed);
            Assert.Contains("only 0 successful sample(s)", verdict.Reason, StringComparison.Ordinal);
            Assert.Contains("partial run", verdict.Reason, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(0, 0.5)]
        [InlineData(1, -0.1)]
        [InlineData(1, 1.1)]
        [InlineData(1, double.NaN)]
        public void BadMinimumsAreDescribed(long samples, double ratio)
        {
            Assert.NotNull(CanaryQuorum.DescribeInvalidMinimums(samples, ratio));
        }
    }

    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class CanaryPrometheusTests
    {
        private readonly DuriSandbox _sandbox;

        public CanaryPrometheusTests(SandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
        }

        private async Task<CanaryQuorumResult> ReadUntil(string realm, Func<CanaryQuorumResult, bool> done, long minimumSamples = 10, TimeSpan? maximumAge = null)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            CanaryQuorumResult verdict;
            do
            {
                verdict = await CanaryQuorum.ReadAsync(_sandbox.Prometheus, realm, minimumSamples, 0.92, maximumAge ?? TimeSpan.FromMinutes(15), null, CancellationToken.None);
                if (done(verdict)) return verdict;
                await Task.Delay(250);
            }
            while (DateTime.UtcNow < deadline);
            return verdict;
        }

        [Fact]
        public async Task PrometheusShowsThePublishedCountsAndTheQuorumPassesOnThem()
        {
            using var target = new CanaryTarget(n => CanaryAnswer.Ok(n % 25 == 0 ? "r" + (n - 1) : "r" + n));
            using var http = new CanaryHttpTarget(target.Uri, 4);
            var publisher = new CanaryPublisher(_sandbox.TextfileDirectory, "canarypass");
            try
            {
                var options = new CanarySamplerOptions { Rate = 50, Duration = TimeSpan.FromSeconds(1), Realm = "canarypass", Target = target.Uri.ToString(), PublishInterval = TimeSpan.FromMilliseconds(200) };
                var result = await CanarySampler.RunAsync(http.SampleAsync, options, publisher, null, CancellationToken.None);
                Assert.Equal(50, result.Samples);
                Assert.Equal(48, result.Unique);

                var verdict = await ReadUntil("canarypass", v => v.Samples == 50);
                Assert.True(verdict.Passed, verdict.Reason);
                Assert.Equal("prometheus", verdict.Source);
                Assert.Equal(0.96, verdict.UniqueRatio);
                Assert.Equal(0, verdict.Failures);
                Assert.Equal("canarypass", verdict.Series["metric_realm"]);
                Assert.Equal("node", verdict.Series["job"]);
                Assert.InRange(verdict.Age!.Value, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(20));

                var query = await _sandbox.Prometheus.QueryAsync("duri_canary_unique_ratio{metric_realm=\"canarypass\"}", null, null, CancellationToken.None);
                Assert.Equal(0.96, Assert.Single(query.Vector).Value);

                var strict = await CanaryQuorum.ReadAsync(_sandbox.Prometheus, "canarypass", 10, 0.97, TimeSpan.FromMinutes(15), null, CancellationToken.None);
                Assert.False(strict.Passed);
                Assert.Contains("below the minimum 0.97", strict.Reason, StringComparison.Ordinal);

                var stale = await CanaryQuorum.ReadAsync(_sandbox.Prometheus, "canarypass", 10, 0.92, TimeSpan.FromMilliseconds(1), null, CancellationToken.None);
                Assert.False(stale.Passed);
                Assert.Contains("longer than the maximum age", stale.Reason, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(publisher.Path);
            }
        }

        [Fact]
        public async Task NoDataFailsClosedWithAReason()
        {
            var verdict = await CanaryQuorum.ReadAsync(_sandbox.Prometheus, "canarynothing", 1, 0, TimeSpan.FromMinutes(15), null, CancellationToken.None);
            Assert.False(verdict.Passed);
            Assert.Null(verdict.Samples);
            Assert.True(double.IsNaN(verdict.UniqueRatio));
            Assert.Contains("no duri_canary_samples_total{metric_realm=\"canarynothing\"} series", verdict.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task ARunWithoutSuccessfulSamplesPublishesNaNAndFails()
        {
            using var http = new CanaryHttpTarget(new Uri($"http://127.0.0.1:{LoopbackPort.Closed()}/"), 2);
            var publisher = new CanaryPublisher(_sandbox.TextfileDirectory, "canarynan");
            try
            {
                var options = new CanarySamplerOptions { Rate = 10, Duration = TimeSpan.FromMilliseconds(500), Realm = "canarynan", Target = "closed" };
                var result = await CanarySampler.RunAsync(http.SampleAsync, options, publisher, null, CancellationToken.None);
                Assert.Equal(5, result.Failures);

                var verdict = await ReadUntil("canarynan", v => v.Failures == 5, minimumSamples: 1);
                Assert.Equal(5, verdict.Failures);
                Assert.Equal(0, verdict.Samples);
                Assert.True(double.IsNaN(verdict.UniqueRatio));
                Assert.False(verdict.Passed);
            }
            finally
            {
                File.Delete(publisher.Path);
            }
        }

        [Fact]
        public async Task SeveralSeriesInTheRealmFailAndNameTheLabelsThatDiffer()
        {
            var now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("R", CultureInfo.InvariantCulture);
            string File(string extra) => $"duri_canary_samples_total{{metric_realm=\"canarytwo\"{extra}}} 200\nduri_canary_unique_ratio{{metric_realm=\"canarytwo\"{extra}}} 1\nduri_canary_updated_timestamp_seconds{{metric_realm=\"canarytwo\"{extra}}} {now}\n";
            var a = Path.Combine(_sandbox.TextfileDirectory, "canary-two-a.prom");
            var b = Path.Combine(_sandbox.TextfileDirectory, "canary-two-b.prom");
            try
            {
                System.IO.File.WriteAllText(a, File(string.Empty));
                System.IO.File.WriteAllText(b, File(", host=\"old\""));
                var verdict = await ReadUntil("canarytwo", v => v.Reason.StartsWith("2 ", StringComparison.Ordinal));
                Assert.False(verdict.Passed);
                Assert.StartsWith("2 duri_canary_samples_total", verdict.Reason, StringComparison.Ordinal);
                Assert.Contains("host=\"old\"", verdict.Reason, StringComparison.Ordinal);
            }
            finally
            {
                System.IO.File.Delete(a);
                System.IO.File.Delete(b);
            }
        }
    }
}
