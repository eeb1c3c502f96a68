using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Rules;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Heartbeat
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class HeartbeatReaderTests
    {
        private readonly DuriSandbox _sandbox;

        public HeartbeatReaderTests(SandboxFixture fixture)
        {
            _sandbox = fixture.Sandbox;
        }

        /// <summary>What the heartbeat writer puts in the textfile directory, written directly so this test reads only.</summary>
        private void Beat(string file, string realm, long sequence, string extraLabels = "")
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            var labels = $"metric_realm=\"{realm}\"{extraLabels}";
            var text = $"# TYPE duri_heartbeat_timestamp_seconds gauge\nduri_heartbeat_timestamp_seconds{{{labels}}} {now.ToString("R", CultureInfo.InvariantCulture)}\n# TYPE duri_heartbeat_sequence_total counter\nduri_heartbeat_sequence_total{{{labels}}} {sequence}\n";
            var path = Path.Combine(_sandbox.TextfileDirectory, file);
            File.WriteAllText(path + ".tmp", text);
            File.Move(path + ".tmp", path, overwrite: true);
        }

        private async Task<HeartbeatStatus[]> ReadUntil(HeartbeatQueryOptions options, Func<HeartbeatStatus[], bool> done, TimeSpan limit, Action? between = null)
        {
            var deadline = DateTime.UtcNow + limit;
            HeartbeatStatus[] statuses;
            do
            {
                between?.Invoke();
                statuses = (await HeartbeatReader.ReadAsync(_sandbox.Prometheus, options, null, CancellationToken.None)).ToArray();
                if (done(statuses)) return statuses;
                await Task.Delay(250);
            }
            while (DateTime.UtcNow < deadline);
            return statuses;
        }

        [Fact]
        public async Task AWriterThatBeatsIsOkAndOneThatStopsIsNot()
        {
            var options = new HeartbeatQueryOptions { Realm = "hbcomputed", Window = TimeSpan.FromSeconds(4), Freshness = TimeSpan.FromSeconds(3) };
            long sequence = 0;
            try
            {
                var ok = await ReadUntil(options, s => s.Length == 1 && s[0].Ok, TimeSpan.FromSeconds(15), () => Beat("hb-computed.prom", options.Realm, ++sequence));
                var status = Assert.Single(ok);
                Assert.True(status.Ok);
                Assert.Equal("computed", status.OkSource);
                Assert.True(status.Changes >= 1);
                // Scraped every second: the last scrape is recent, but not the evaluation instant itself.
                Assert.InRange(status.ScrapeAge, TimeSpan.Zero, TimeSpan.FromSeconds(3));
                Assert.True(status.ScrapeTime <= status.EvaluatedAt);
                Assert.InRange(status.WriterAge, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(5));
                Assert.NotNull(status.Sequence);
                Assert.False(status.Ambiguous);
                Assert.Equal("hbcomputed", status.Labels["metric_realm"]);

                var stopped = await ReadUntil(options, s => s.Length == 1 && !s[0].Ok, TimeSpan.FromSeconds(15));
                Assert.False(Assert.Single(stopped).Ok);
                Assert.Equal(0, stopped[0].Changes);
            }
            finally
            {
                File.Delete(Path.Combine(_sandbox.TextfileDirectory, "hb-computed.prom"));
            }
        }

        [Fact]
        public async Task ASecondSeriesInTheRealmIsFlaggedWithTheLabelsThatDiffer()
        {
            var options = new HeartbeatQueryOptions { Realm = "hbstray" };
            try
            {
                Beat("hb-stray-a.prom", options.Realm, 1);
                Beat("hb-stray-b.prom", options.Realm, 1, ", path=\"/old/textfile\"");
                var statuses = await ReadUntil(options, s => s.Length == 2, TimeSpan.FromSeconds(15));
                Assert.Equal(2, statuses.Length);
                Assert.All(statuses, s => Assert.True(s.Ambiguous));
                var differences = HeartbeatReader.DescribeDifferences(statuses);
                Assert.Contains("path=\"/old/textfile\"", differences);
                Assert.DoesNotContain("metric_realm", differences);
            }
            finally
            {
                File.Delete(Path.Combine(_sandbox.TextfileDirectory, "hb-stray-a.prom"));
                File.Delete(Path.Combine(_sandbox.TextfileDirectory, "hb-stray-b.prom"));
            }
        }

        [Fact]
        public async Task OkComesFromTheRuleWhenTheServerRecordsIt()
        {
            var rules = new CanonicalRuleOptions { Realm = "hbrule", HeartbeatInterval = TimeSpan.FromSeconds(2), ScrapeInterval = TimeSpan.FromSeconds(1), ToleratedMisses = 0, Freshness = TimeSpan.FromSeconds(3) };
            var ruleFile = Path.Combine(_sandbox.RulesDirectory, "hbrule.yml");
            File.WriteAllText(ruleFile, CanonicalRules.Generate(rules).Single(f => f.RelativePath == CanonicalRules.HeartbeatFile).Content);
            long sequence = 0;
            try
            {
                await _sandbox.Prometheus.Client.ReloadAsync();
                var options = new HeartbeatQueryOptions { Realm = "hbrule" };
                var ok = await ReadUntil(options, s => s.Length == 1 && s[0].Ok && s[0].OkSource == "rule", TimeSpan.FromSeconds(20), () => Beat("hb-rule.prom", "hbrule", ++sequence));
                var status = Assert.Single(ok);
                Assert.Equal("rule", status.OkSource);
                Assert.True(status.Ok);
            }
            finally
            {
                File.Delete(ruleFile);
                File.Delete(Path.Combine(_sandbox.TextfileDirectory, "hb-rule.prom"));
                await _sandbox.Prometheus.Client.ReloadAsync();
            }
        }
    }
}
