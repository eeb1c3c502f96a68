using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Trends;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Trend
{
    /// <summary>duri_lyapunov_v written through node_exporter's textfile collector, read back by a real Prometheus.</summary>
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class TrendIntegrationTests
    {
        private readonly SandboxFixture _fixture;

        public TrendIntegrationTests(SandboxFixture fixture) => _fixture = fixture;

        private static readonly TrendOptions Options = new TrendOptions { MinimumSamples = 6 };

        [Fact]
        public async Task A_watch_and_the_history_see_rising_falling_and_flat_series_as_such()
        {
            var connection = _fixture.Sandbox.Prometheus;
            using var rising = new LyapunovWriter(_fixture.Sandbox.TextfileDirectory, "trend-rising", s => 0.05 + 0.01 * s);
            using var falling = new LyapunovWriter(_fixture.Sandbox.TextfileDirectory, "trend-falling", s => 0.4 - 0.01 * s);
            // Flat and noisy: alternates around 0.05, below the threshold.
            using var flat = new LyapunovWriter(_fixture.Sandbox.TextfileDirectory, "trend-flat", s => (int)s % 2 == 0 ? 0.05 : 0.06);
            var writers = new[] { rising, falling, flat };
            foreach (var writer in writers) await WaitForSeries(connection, writer.Query);

            var watches = writers.Select(w => new TrendWatch(w.Query, Options)).ToArray();
            var started = DateTimeOffset.UtcNow;
            for (int poll = 0; poll < 10; poll++)
            {
                foreach (var watch in watches) await watch.PollAsync(connection, TimeSpan.FromSeconds(5), CancellationToken.None);
                await Task.Delay(1000);
            }
            var summaries = watches.Select(w => w.Summarize()).ToArray();
            Assert.All(summaries, s => Assert.Equal(10, s.Samples));
            Assert.All(summaries, s => Assert.Equal(0, s.Missing));
            Assert.Equal(TrendVerdict.Rising, summaries[0].Verdict);
            Assert.InRange(summaries[0].TheilSenSlopePerMinute, 0.3, 0.9); // written at 0.6 per minute
            Assert.Equal(TrendVerdict.Falling, summaries[1].Verdict);
            Assert.InRange(summaries[1].TheilSenSlopePerMinute, -0.9, -0.3);
            Assert.Equal(TrendVerdict.Flat, summaries[2].Verdict);
            Assert.True(summaries[2].BelowThreshold);
            Assert.True(summaries[2].Acceptable);

            var end = DateTimeOffset.UtcNow;
            var histories = new List<TrendHistoryResult>();
            foreach (var writer in writers)
            {
                histories.Add(await TrendHistory.ReadAsync(connection, writer.Query, started, end, TimeSpan.FromSeconds(1), Options, null, CancellationToken.None));
            }
            Assert.Equal(TrendVerdict.Rising, histories[0].Summary.Verdict);
            Assert.Equal(TrendVerdict.Falling, histories[1].Summary.Verdict);
            Assert.Equal(TrendVerdict.Flat, histories[2].Summary.Verdict);
            Assert.All(histories, h => Assert.InRange(h.Summary.Samples, 8, 12));
            Assert.All(histories, h => Assert.Equal(1, h.SeriesCount));
        }

        [Fact]
        public async Task A_server_that_goes_away_gives_failed_polls_and_the_watch_keeps_its_points()
        {
            using var writer = new LyapunovWriter(_fixture.Sandbox.TextfileDirectory, "trend-outage", s => 0.05 + 0.01 * s);
            await WaitForSeries(_fixture.Sandbox.Prometheus, writer.Query);
            var proxy = new FaultProxy(_fixture.Sandbox.PrometheusUri);
            using var connection = PrometheusConnection.Create(new PrometheusConnectionSettings(proxy.Uri));
            var watch = new TrendWatch(writer.Query, Options);
            for (int poll = 0; poll < 3; poll++) Assert.Equal(TrendPollStatus.Value, (await watch.PollAsync(connection, TimeSpan.FromSeconds(2), CancellationToken.None)).Status);
            proxy.Dispose();
            var failed = await watch.PollAsync(connection, TimeSpan.FromSeconds(2), CancellationToken.None);
            Assert.Equal(TrendPollStatus.Failed, failed.Status);
            Assert.NotEmpty(failed.Detail);
            await watch.PollAsync(connection, TimeSpan.FromSeconds(2), CancellationToken.None);

            var summary = watch.Summarize();
            Assert.Equal(2, summary.FailedPolls);
            Assert.Equal(2, summary.Missing);
            Assert.Equal(3, summary.Samples);
        }

        [Fact]
        public async Task A_query_the_server_cannot_parse_ends_the_watch()
        {
            var watch = new TrendWatch("duri_lyapunov_v{", Options);
            var e = await Assert.ThrowsAsync<PrometheusException>(() => watch.PollAsync(_fixture.Sandbox.Prometheus, null, CancellationToken.None));
            Assert.Equal("bad_data", e.ErrorType);
        }

        internal static async Task WaitForSeries(PrometheusConnection connection, string query)
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
            while (DateTimeOffset.UtcNow < deadline)
            {
                var result = await connection.QueryAsync(query, null, null, CancellationToken.None);
                if (result.Vector.Count == 1) return;
                await Task.Delay(250);
            }
            throw new TimeoutException($"{query} did not appear in Prometheus within 15 s.");
        }
    }
}
