using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Duri.Ops.Engine.Exposition;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Xunit;

namespace Duri.Ops.Engine.Tests.Heartbeat
{
    public sealed class HeartbeatWriterTests : IDisposable
    {
        private static readonly DateTimeOffset Noon = new DateTimeOffset(2026, 3, 1, 12, 0, 0, 250, TimeSpan.Zero);
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-heartbeat-").FullName;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private static KeyValuePair<string, string> L(string name, string value) => new KeyValuePair<string, string>(name, value);

        private string Target => Path.Combine(_directory, "duri_heartbeat.prom");

        [Fact]
        public void ABeatWritesBothSeriesWithHelpTypeAndLabels()
        {
            using var writer = new HeartbeatWriter(_directory, labels: new[] { L("team", "sre") }, clock: new FakeClock(Noon));
            var record = writer.Beat();

            Assert.Equal(
                "# HELP duri_heartbeat_timestamp_seconds Unix time of the last heartbeat, by the writer's clock.\n"
                + "# TYPE duri_heartbeat_timestamp_seconds gauge\n"
                + "duri_heartbeat_timestamp_seconds{metric_realm=\"prod\",team=\"sre\"} 1772366400.250\n"
                + "# HELP duri_heartbeat_sequence_total Heartbeats written; continues across writer restarts.\n"
                + "# TYPE duri_heartbeat_sequence_total counter\n"
                + "duri_heartbeat_sequence_total{metric_realm=\"prod\",team=\"sre\"} 1\n",
                File.ReadAllText(Target));
            Assert.Equal(Target, record.Path);
            Assert.Equal(Noon, record.Timestamp);
            Assert.Equal(1, record.Sequence);
            Assert.Equal("prod", record.Realm);
            Assert.Equal("sre", Assert.Single(record.Labels).Value);
            Assert.Equal(new FileInfo(Target).Length, record.Bytes);
        }

        [Fact]
        public void TheSequenceContinuesAfterARestartForTheSameSeriesOnly()
        {
            using (var writer = new HeartbeatWriter(_directory, realm: "staging"))
            {
                for (int i = 0; i < 3; i++) writer.Beat();
            }
            using (var restarted = new HeartbeatWriter(_directory, realm: "staging"))
            {
                Assert.Equal(3, restarted.InitialSequence);
                Assert.Equal(4, restarted.Beat().Sequence);
            }
            using (var otherRealm = new HeartbeatWriter(_directory, realm: "prod"))
            {
                Assert.Equal(0, otherRealm.InitialSequence);
                Assert.Equal(1, otherRealm.Beat().Sequence);
            }
        }

        [Fact]
        public void AFileThatIsNotExpositionTextStartsTheSequenceAgain()
        {
            File.WriteAllText(Target, "this is { not metrics\n");
            using var writer = new HeartbeatWriter(_directory);
            Assert.Equal(0, writer.InitialSequence);
            Assert.Equal(1, writer.Beat().Sequence);
        }

        [Fact]
        public void EscapedLabelValuesReadBackUnchanged()
        {
            const string value = "C:\\ops \"blue\"\nline two";
            using (var writer = new HeartbeatWriter(_directory, labels: new[] { L("path", value) }))
            {
                writer.Beat();
            }
            var sample = ExpositionReader.Read(File.ReadAllText(Target)).Single(f => f.Name == HeartbeatWriter.SequenceMetric).Samples.Single();
            Assert.Equal(value, sample.Labels["path"]);
            using var again = new HeartbeatWriter(_directory, labels: new[] { L("path", value) });
            Assert.Equal(1, again.InitialSequence);
        }

        [Theory]
        [InlineData("bad-name")]
        [InlineData("9lives")]
        [InlineData("__meta")]
        [InlineData("metric_realm")]
        public void InvalidLabelNamesAreRejected(string name)
        {
            var e = Assert.Throws<ArgumentException>(() => new HeartbeatWriter(_directory, labels: new[] { L(name, "x") }));
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Target));
        }

        [Theory]
        [InlineData("pro\"d")]
        [InlineData("pro'd")]
        [InlineData("prod\n")]
        [InlineData("")]
        public void RealmsWithQuotesOrLineBreaksAreRejected(string realm)
        {
            Assert.NotNull(HeartbeatWriter.DescribeInvalidRealm(realm));
            Assert.Throws<ArgumentException>(() => new HeartbeatWriter(_directory, realm: realm));
        }

        [Fact]
        public void ASecondWriterOnTheSameFileIsRefusedUntilTheFirstEnds()
        {
            using (var first = new HeartbeatWriter(_directory))
            {
                first.Beat();
                var e = Assert.Throws<HeartbeatException>(() => new HeartbeatWriter(_directory));
                Assert.Equal(HeartbeatErrorKind.FileLocked, e.Kind);
                Assert.Equal(Target, e.Path);
                using var otherFile = new HeartbeatWriter(_directory, name: "other");
                otherFile.Beat();
            }
            Assert.False(File.Exists(Path.Combine(_directory, ".duri_heartbeat.prom.lock")));
            using var next = new HeartbeatWriter(_directory);
            Assert.Equal(2, next.Beat().Sequence);
        }

        [Fact]
        public void AMissingDirectoryIsReported()
        {
            var missing = Path.Combine(_directory, "nope");
            var e = Assert.Throws<HeartbeatException>(() => new HeartbeatWriter(missing));
            Assert.Equal(HeartbeatErrorKind.DirectoryNotFound, e.Kind);
        }

        [Fact]
        public void ACrashBetweenWriteAndRenameLeavesTheOldFileAndTheNextBeatSucceeds()
        {
            using var writer = new HeartbeatWriter(_directory);
            writer.Beat();
            var before = File.ReadAllText(Target);
            string? temporary = null;
            writer.BeforeRename = path =>
            {
                temporary = path;
                Assert.True(File.Exists(path));
                Assert.False(path.EndsWith(".prom", StringComparison.Ordinal));
                Assert.StartsWith(".", Path.GetFileName(path), StringComparison.Ordinal);
                throw new IOException("No space left on device");
            };
            Assert.Throws<IOException>(() => writer.Beat());
            Assert.Equal(before, File.ReadAllText(Target));
            Assert.False(File.Exists(temporary));
            Assert.Equal(1, writer.Sequence);

            // A process killed at that point leaves its temporary file behind; the collector ignores it and the next writer too.
            File.WriteAllText(Path.Combine(_directory, ".duri_heartbeat.prom.deadbeef.tmp"), "duri_heartbeat_seq");
            writer.BeforeRename = null;
            Assert.Equal(2, writer.Beat().Sequence);
            Assert.Empty(writer.FindStrayFiles());
            Assert.Equal(2.0, ExpositionReader.Read(File.ReadAllText(Target)).Single(f => f.Name == HeartbeatWriter.SequenceMetric).Samples.Single().Value);
        }

        [Fact]
        public void AtomicWriteFailureRemovesTheTemporaryFile()
        {
            File.WriteAllText(Target, "old");
            var bytes = new byte[] { (byte)'n', (byte)'e', (byte)'w' };
            Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteAllBytes(Target, bytes, 3, _ => throw new InvalidOperationException("crash")));
            Assert.Equal("old", File.ReadAllText(Target));
            Assert.Equal(new[] { "duri_heartbeat.prom" }, Directory.GetFiles(_directory).Select(Path.GetFileName));
            AtomicFile.WriteAllBytes(Target, bytes, 2);
            Assert.Equal("ne", File.ReadAllText(Target));
        }

        [Fact]
        public void OtherPromFilesExportingTheHeartbeatNamesAreFound()
        {
            File.WriteAllText(Path.Combine(_directory, "old_heartbeat.prom"), "duri_heartbeat_timestamp_seconds 1\nduri_heartbeat_sequence_total 4\n");
            File.WriteAllText(Path.Combine(_directory, "broken.prom"), "duri_heartbeat_timestamp_seconds{ 1\n");
            File.WriteAllText(Path.Combine(_directory, "unrelated.prom"), "node_thing 1\n");
            File.WriteAllText(Path.Combine(_directory, "notes.txt"), "duri_heartbeat_timestamp_seconds 1\n");
            using var writer = new HeartbeatWriter(_directory);
            writer.Beat();
            var strays = writer.FindStrayFiles();
            Assert.Equal(new[] { "broken.prom", "old_heartbeat.prom" }, strays.Select(s => Path.GetFileName(s.Path)));
            Assert.Equal(new[] { HeartbeatWriter.TimestampMetric, HeartbeatWriter.SequenceMetric }, strays[1].MetricNames);
        }

        [Fact]
        public async Task RunBeatsOnTheScheduleAndStopsWithACompleteFile()
        {
            var clock = new FakeClock(Noon);
            using var writer = new HeartbeatWriter(_directory, clock: clock);
            var records = new List<HeartbeatRecord>();
            await writer.RunAsync(5, TimeSpan.FromSeconds(60), records.Add, CancellationToken.None);
            Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, records.Select(r => r.Sequence));
            Assert.All(records.Select((r, k) => r.Timestamp - Noon.AddMinutes(k)), late => Assert.InRange(late, TimeSpan.Zero, clock.MaxOversleep));

            using var cts = new CancellationTokenSource();
            var more = writer.RunAsync(null, TimeSpan.FromSeconds(60), r => { if (r.Sequence == 8) cts.Cancel(); }, cts.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => more);
            Assert.Equal(8, writer.Sequence);
            Assert.EndsWith("duri_heartbeat_sequence_total{metric_realm=\"prod\"} 8\n", File.ReadAllText(Target), StringComparison.Ordinal);
        }
    }
}
