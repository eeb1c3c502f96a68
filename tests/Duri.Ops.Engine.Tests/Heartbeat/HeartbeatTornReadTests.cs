using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Heartbeat
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public class HeartbeatTornReadTests
    {
        private const int Beats = 10_000;
        private const int MinimumScrapes = 2_000;
        private readonly DuriSandbox _sandbox;

        public HeartbeatTornReadTests(SandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
        }

        [Fact]
        public async Task NodeExporterNeverSeesATornOrBackwardHeartbeat()
        {
            string realm = "torn-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            string name = "duri_heartbeat_" + realm.Replace('-', '_');
            using var writer = new HeartbeatWriter(_sandbox.TextfileDirectory, name, realm);
            try
            {
                writer.Beat();
                var metrics = new Uri(_sandbox.NodeExporterUri, "metrics");
                var client = _sandbox.Prometheus.Client;
                using var done = new CancellationTokenSource();
                var writing = Task.Run(() =>
                {
                    try
                    {
                        for (int i = 1; i < Beats; i++) writer.Beat();
                    }
                    finally
                    {
                        done.Cancel();
                    }
                });

                int scrapes = 0, scrapesWhileWriting = 0;
                long last = 0;
                while (!done.IsCancellationRequested || scrapes < MinimumScrapes)
                {
                    bool writingNow = !done.IsCancellationRequested;
                    var families = await client.ReadMetricsAsync(metrics);
                    scrapes++;
                    if (writingNow) scrapesWhileWriting++;
                    var error = families.Single(f => f.Name == "node_textfile_scrape_error").Samples.Single().Value;
                    Assert.True(error == 0, $"node_textfile_scrape_error was {error} at scrape {scrapes}.");
                    var sequence = families.Single(f => f.Name == HeartbeatWriter.SequenceMetric).Samples.Single(s => s.Labels["metric_realm"] == realm);
                    var timestamp = families.Single(f => f.Name == HeartbeatWriter.TimestampMetric).Samples.Single(s => s.Labels["metric_realm"] == realm);
                    Assert.InRange(timestamp.Value, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
                    long current = (long)sequence.Value;
                    Assert.True(current >= last, $"The sequence went back from {last} to {current} at scrape {scrapes}.");
                    last = current;
                }
                await writing;
                var final = await client.ReadMetricsAsync(metrics);
                Assert.Equal(Beats, final.Single(f => f.Name == HeartbeatWriter.SequenceMetric).Samples.Single(s => s.Labels["metric_realm"] == realm).Value);
                Assert.True(scrapesWhileWriting > 0, "No scrape overlapped the writes.");
            }
            finally
            {
                writer.Dispose();
                File.Delete(writer.Path);
            }
        }
    }
}
