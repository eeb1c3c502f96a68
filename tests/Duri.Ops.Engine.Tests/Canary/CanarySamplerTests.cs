using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Canary;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Canary
{
    [Collection(TimedRunCollection.Name)]
    public sealed class CanarySamplerTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-canary-").FullName;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private static CanarySamplerOptions Options(double rate, TimeSpan duration, int concurrency = 8, TimeSpan? timeout = null) => new CanarySamplerOptions
        {
            Rate = rate,
            Duration = duration,
            Concurrency = concurrency,
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
            PublishInterval = TimeSpan.FromMilliseconds(100),
            ProgressInterval = TimeSpan.FromMilliseconds(100),
            MinimumSamples = 10,
            Target = "test",
        };

        internal static Dictionary<string, double> ReadPublished(string path) =>
            ExpositionReader.Read(File.ReadAllText(path)).SelectMany(f => f.Samples).ToDictionary(s => s.Name, s => s.Value);

        [Fact]
        public async Task AKnownShareOfDuplicateAnswersGivesThatRatio()
        {
            using var target = new CanaryTarget(CanaryTarget.EveryFourthRepeats);
            using var http = new CanaryHttpTarget(target.Uri, 8);
            var result = await CanarySampler.RunAsync(http.SampleAsync, Options(100, TimeSpan.FromSeconds(1)), null, null, CancellationToken.None);

            Assert.Equal(100, result.Planned);
            Assert.Equal(100, result.Sent);
            Assert.Equal(100, result.Samples);
            Assert.Equal(75, result.Unique);
            Assert.Equal(0.75, result.UniqueRatio);
            Assert.Equal(0, result.Failures);
            Assert.True(result.Completed);
            Assert.False(result.QuorumMet);
            Assert.Equal(100, target.Requests);
            Assert.InRange(result.Duration, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        }

        [Fact]
        public async Task ServerErrorsAndTimeoutsAreFailuresNotSamples()
        {
            // 50 requests: 10 answer 500 (every 5th), 6 never answer (every 7th but 35), the other 34 are distinct.
            using var target = new CanaryTarget(n => n % 5 == 0 ? CanaryAnswer.Failing(500) : n % 7 == 0 ? CanaryAnswer.Never() : CanaryAnswer.Ok("r" + n));
            using var http = new CanaryHttpTarget(target.Uri, 16);
            var result = await CanarySampler.RunAsync(http.SampleAsync, Options(50, TimeSpan.FromSeconds(1), concurrency: 16, timeout: TimeSpan.FromMilliseconds(300)), null, null, CancellationToken.None);

            Assert.Equal(50, result.Sent);
            Assert.Equal(34, result.Samples);
            Assert.Equal(34, result.Unique);
            Assert.Equal(1.0, result.UniqueRatio);
            Assert.Equal(16, result.Failures);
            Assert.Equal(new Dictionary<string, long> { ["HTTP 500"] = 10, ["timeout"] = 6 }, result.FailureReasons);
            Assert.NotEmpty(result.LastFailure);
        }

        [Fact]
        public async Task ARefusedConnectionIsATransportFailureAndNoSampleMeansNaN()
        {
            using var http = new CanaryHttpTarget(new Uri($"http://127.0.0.1:{LoopbackPort.Closed()}/"), 4);
            var result = await CanarySampler.RunAsync(http.SampleAsync, Options(20, TimeSpan.FromMilliseconds(250)), null, null, CancellationToken.None);

            Assert.Equal(5, result.Sent);
            Assert.Equal(0, result.Samples);
            Assert.Equal(5, result.Failures);
            Assert.Equal(new[] { "transport error" }, result.FailureReasons.Keys);
            Assert.True(double.IsNaN(result.UniqueRatio));
            Assert.False(result.QuorumMet);
        }

        [Fact]
        public async Task NoMoreThanConcurrencySamplesAreInFlightAndSlowAnswersLowerTheRateReached()
        {
            using var target = new CanaryTarget(n => CanaryAnswer.Slow("r" + n, TimeSpan.FromMilliseconds(300)));
            using var http = new CanaryHttpTarget(target.Uri, 3);
            var result = await CanarySampler.RunAsync(http.SampleAsync, Options(50, TimeSpan.FromSeconds(1), concurrency: 3), null, null, CancellationToken.None);

            Assert.Equal(3, target.MostOpen);
            Assert.Equal(50, result.Planned);
            // 3 at a time, 300 ms each: about 10 in a second, far fewer than the 50 planned.
            Assert.InRange(result.Sent, 3, 15);
            Assert.Equal(result.Sent, result.Samples);
            Assert.Equal(result.Samples, result.Unique);
        }

        [Fact]
        public async Task TheCountsArePublishedWhileRunningAndAtTheEnd()
        {
            using var target = new CanaryTarget(CanaryTarget.EveryFourthRepeats);
            using var http = new CanaryHttpTarget(target.Uri, 4);
            var publisher = new CanaryPublisher(_directory, "staging");
            Assert.Equal(Path.Combine(_directory, "duri_canary_staging.prom"), publisher.Path);

            var running = CanarySampler.RunAsync(http.SampleAsync, Options(40, TimeSpan.FromSeconds(2)), publisher, null, CancellationToken.None);
            var seen = new List<double>();
            while (!running.IsCompleted)
            {
                if (File.Exists(publisher.Path)) seen.Add(ReadPublished(publisher.Path)[CanaryPublisher.SamplesMetric]);
                await Task.Delay(20);
            }
            var result = await running;

            Assert.Contains(seen, n => n > 0 && n < 80);
            Assert.Equal(seen.OrderBy(n => n), seen);
            var published = ReadPublished(publisher.Path);
            Assert.Equal(80, published[CanaryPublisher.SamplesMetric]);
            Assert.Equal(0.75, published[CanaryPublisher.UniqueRatioMetric]);
            Assert.Equal(0, published[CanaryPublisher.FailuresMetric]);
            Assert.InRange(published[CanaryPublisher.UpdatedMetric], DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds());
            Assert.Contains("metric_realm=\"staging\"", File.ReadAllText(publisher.Path), StringComparison.Ordinal);
            Assert.Equal(publisher.Path, result.Path);
            // Only the file itself: the atomic writer's temporary files are gone.
            Assert.Equal(new[] { publisher.Path }, Directory.GetFiles(_directory));
        }

        [Fact]
        public async Task CancellationReturnsAndPublishesThePartialCounts()
        {
            // Stopped by the target's 25th request rather than by a clock, so a loaded machine gives the same run.
            using var stop = new CancellationTokenSource();
            using var target = new CanaryTarget(n =>
            {
                if (n == 25) stop.Cancel();
                return n % 10 == 0 ? CanaryAnswer.Never() : CanaryAnswer.Ok("r" + n);
            });
            using var http = new CanaryHttpTarget(target.Uri, 8);
            var publisher = new CanaryPublisher(_directory, "prod");
            var clock = Stopwatch.StartNew();
            var result = await CanarySampler.RunAsync(http.SampleAsync, Options(50, TimeSpan.FromSeconds(60), timeout: TimeSpan.FromSeconds(30)), publisher, null, stop.Token);

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Stopping took {clock.Elapsed}.");
            Assert.False(result.Completed);
            Assert.InRange(result.Samples, 1, 25);
            // The hung samples were abandoned by the stop: neither samples nor failures.
            Assert.Equal(0, result.Failures);
            Assert.True(result.Sent > result.Samples);
            var published = ReadPublished(publisher.Path);
            Assert.Equal(result.Samples, published[CanaryPublisher.SamplesMetric]);
            Assert.Equal(result.UniqueRatio, published[CanaryPublisher.UniqueRatioMetric]);
        }

        [Fact]
        public async Task AProbeThatThrowsIsAFailureWithItsReason()
        {
            CanaryProbe probe = (n, _) => n % 2 == 0
                ? Task.FromException<byte[]>(new CanarySampleFailedException("script error", "even"))
                : Task.FromResult(Encoding.UTF8.GetBytes("same"));
            var result = await CanarySampler.RunAsync(probe, Options(20, TimeSpan.FromMilliseconds(500)), null, null, CancellationToken.None);

            Assert.Equal(10, result.Sent);
            Assert.Equal(5, result.Samples);
            Assert.Equal(1, result.Unique);
            Assert.Equal(0.2, result.UniqueRatio);
            Assert.Equal(new Dictionary<string, long> { ["script error"] = 5 }, result.FailureReasons);
        }

        [Fact]
        public async Task ProgressReportsGrowingCounts()
        {
            var reports = new List<CanaryResult>();
            CanaryProbe probe = (n, _) => Task.FromResult(BitConverter.GetBytes(n));
            var result = await CanarySampler.RunAsync(probe, Options(25, TimeSpan.FromSeconds(2)), null, r => { lock (reports) reports.Add(r); }, CancellationToken.None);

            // Every 100 ms for 2 s; a loaded machine may delay some, but not all but one.
            Assert.True(reports.Count >= 2, $"{reports.Count} progress reports.");
            Assert.All(reports, r => Assert.False(r.Completed));
            Assert.Equal(reports.Select(r => r.Samples).OrderBy(n => n), reports.Select(r => r.Samples));
            Assert.Equal(50, result.Samples);
        }

        [Theory]
        [InlineData(0, 1000)]
        [InlineData(-1, 1000)]
        [InlineData(double.NaN, 1000)]
        [InlineData(double.PositiveInfinity, 1000)]
        [InlineData(1, 0)]
        [InlineData(1, -1000)]
        public async Task ARateOrDurationOfZeroOrLessIsRejected(double rate, int durationMs)
        {
            bool called = false;
            CanaryProbe probe = (n, _) => { called = true; return Task.FromResult(new byte[0]); };
            var e = await Assert.ThrowsAsync<ArgumentException>(() => CanarySampler.RunAsync(probe, Options(rate, TimeSpan.FromMilliseconds(durationMs)), null, null, CancellationToken.None));
            Assert.Contains(durationMs > 0 ? "rate" : "duration", e.Message, StringComparison.Ordinal);
            Assert.False(called);
        }

        [Fact]
        public void OtherBadOptionsAreDescribed()
        {
            Assert.Contains("concurrency", Options(1, TimeSpan.FromSeconds(1), concurrency: 0).DescribeInvalid(), StringComparison.Ordinal);
            Assert.Contains("timeout", Options(1, TimeSpan.FromSeconds(1), timeout: TimeSpan.Zero).DescribeInvalid(), StringComparison.Ordinal);
            var badRatio = Options(1, TimeSpan.FromSeconds(1));
            badRatio.MinimumUniqueRatio = 1.5;
            Assert.Contains("[0, 1]", badRatio.DescribeInvalid(), StringComparison.Ordinal);
            var badRealm = Options(1, TimeSpan.FromSeconds(1));
            badRealm.Realm = "pr\"od";
            Assert.NotNull(badRealm.DescribeInvalid());
            Assert.Null(Options(0.5, TimeSpan.FromSeconds(3)).DescribeInvalid());
            Assert.Equal(2, Options(0.5, TimeSpan.FromSeconds(3)).Planned);
            Assert.Equal(300, Options(1, TimeSpan.FromSeconds(300)).Planned);
        }

        [Fact]
        public void TheFingerprintIsTheSha256OfTheContent()
        {
            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", CanarySampler.Fingerprint(Encoding.ASCII.GetBytes("abc")));
            Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", CanarySampler.Fingerprint(Array.Empty<byte>()));
        }

        [Fact]
        public void AMissingDirectoryOrBadRealmIsRejectedByThePublisher()
        {
            Assert.Throws<DirectoryNotFoundException>(() => new CanaryPublisher(Path.Combine(_directory, "missing"), "prod"));
            Assert.Throws<ArgumentException>(() => new CanaryPublisher(_directory, "a\nb"));
            Assert.Equal("duri_canary_eu_west_1.prom", CanaryPublisher.FileNameFor("eu west/1"));
        }

        [Fact]
        public async Task APublishThatFailsMidRunStopsSamplingAndCarriesThePartialCounts()
        {
            var publisher = new CanaryPublisher(_directory, "prod");
            CanaryProbe probe = (n, _) => Task.FromResult(BitConverter.GetBytes(n));
            var running = CanarySampler.RunAsync(probe, Options(50, TimeSpan.FromSeconds(30)), publisher, null, CancellationToken.None);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(File.Exists(publisher.Path) && ReadPublished(publisher.Path)[CanaryPublisher.SamplesMetric] > 0) && DateTime.UtcNow < deadline) await Task.Delay(20);
            File.Delete(publisher.Path);
            Directory.CreateDirectory(publisher.Path);

            var e = await Assert.ThrowsAsync<CanaryPublishException>(() => running);
            Assert.NotNull(e.Partial);
            Assert.False(e.Partial!.Completed);
            Assert.True(e.Partial.Samples > 0);
            Assert.True(e.Partial.Duration < TimeSpan.FromSeconds(25), $"Sampling went on for {e.Partial.Duration}.");
        }

        [Fact]
        public async Task AnUnwritableDirectoryFailsBeforeTheFirstSample()
        {
            var readOnly = Path.Combine(_directory, "ro");
            Directory.CreateDirectory(readOnly);
            var publisher = new CanaryPublisher(readOnly, "prod");
            // A file where the temporary file must go makes the write fail for root as well as for anyone else.
            Directory.CreateDirectory(Path.Combine(readOnly, "duri_canary_prod.prom"));
            bool called = false;
            CanaryProbe probe = (n, _) => { called = true; return Task.FromResult(new byte[0]); };
            var e = await Assert.ThrowsAsync<CanaryPublishException>(() => CanarySampler.RunAsync(probe, Options(10, TimeSpan.FromSeconds(1)), publisher, null, CancellationToken.None));
            Assert.Null(e.Partial);
            Assert.Equal(publisher.Path, e.Path);
            Assert.False(called);
        }
    }
}
