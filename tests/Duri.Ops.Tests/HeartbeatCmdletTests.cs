using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Prometheus;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    public sealed class HeartbeatCmdletTests : IDisposable
    {
        private readonly PowerShellSession _session = new PowerShellSession();
        private readonly string _directory = Directory.CreateTempSubdirectory("duri-heartbeat-cmdlet-").FullName;

        public void Dispose()
        {
            _session.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private Hashtable Vars() => new Hashtable { ["dir"] = _directory };

        private string Target => Path.Combine(_directory, "duri_heartbeat.prom");

        private double SequenceInFile(string realm = "prod") =>
            ExpositionReader.Read(File.ReadAllText(Target)).Single(f => f.Name == HeartbeatWriter.SequenceMetric).Samples.Single(s => s.Labels["metric_realm"] == realm).Value;

        [Fact]
        public void EachCallWritesOneBeatAndOutputsItsRecord()
        {
            var first = _session.Run("Write-DuriHeartbeat -Directory $dir -Realm staging -Label @{ team = 'sre'; site = 'a\"b' }", Vars());
            Assert.Empty(first.AllErrors);
            var record = first.Single<HeartbeatRecord>();
            Assert.Equal(Target, record.Path);
            Assert.Equal(1, record.Sequence);
            Assert.Equal("staging", record.Realm);
            Assert.Equal("a\"b", record.Labels["site"]);
            Assert.InRange(record.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
            Assert.Contains("site=\"a\\\"b\"", File.ReadAllText(Target), StringComparison.Ordinal);

            var second = _session.Run("Write-DuriHeartbeat $dir -Realm staging -Label @{ team = 'sre'; site = 'a\"b' } -Verbose", Vars());
            Assert.Equal(2, second.Single<HeartbeatRecord>().Sequence);
            Assert.Contains(second.Verbose, v => v.Contains("from 1", StringComparison.Ordinal));
            Assert.Equal(2, SequenceInFile("staging"));
        }

        [Fact]
        public void CountWritesThatManyBeatsWithProgress()
        {
            var run = _session.Run("Write-DuriHeartbeat -Directory $dir -Count 3 -Interval 0.05", Vars());
            Assert.Empty(run.AllErrors);
            Assert.Equal(new long[] { 1, 2, 3 }, run.All<HeartbeatRecord>().Select(r => r.Sequence));
            Assert.Equal(ProgressRecordType.Completed, run.Progress.Last().RecordType);
            Assert.Equal(3, SequenceInFile());
        }

        [Fact]
        public void WhatIfWritesNothing()
        {
            var run = _session.Run("Write-DuriHeartbeat -Directory (Join-Path $dir new) -Force -WhatIf; Write-DuriHeartbeat -Directory $dir -WhatIf", Vars());
            Assert.Empty(run.Output);
            Assert.Empty(run.AllErrors);
            Assert.False(Directory.Exists(Path.Combine(_directory, "new")));
            Assert.Empty(Directory.GetFileSystemEntries(_directory));
        }

        [Fact]
        public void AMissingDirectoryIsAnErrorUnlessForceCreatesIt()
        {
            var missing = _session.Run("Write-DuriHeartbeat -Directory (Join-Path $dir new)", Vars());
            Assert.Empty(missing.Output);
            Assert.Equal("HeartbeatDirectoryNotFound", Id(missing.Terminating!));
            Assert.Equal(ErrorCategory.ObjectNotFound, missing.Terminating!.CategoryInfo.Category);
            Assert.Contains("-Force", missing.Terminating.ToString(), StringComparison.Ordinal);

            var created = _session.Run("Write-DuriHeartbeat -Directory (Join-Path $dir new) -Force", Vars());
            Assert.Empty(created.AllErrors);
            Assert.True(File.Exists(Path.Combine(_directory, "new", "duri_heartbeat.prom")));
        }

        [Theory]
        [InlineData("-Label @{ 'bad-name' = 'x' }")]
        [InlineData("-Label @{ metric_realm = 'x' }")]
        [InlineData("-Realm 'pr\"od'")]
        [InlineData("-Realm \"prod`n\"")]
        [InlineData("-Count 2 -Interval 0")]
        [InlineData("-Continuous -Interval 0s")]
        [InlineData("-Count 0")]
        [InlineData("-Name '../escape'")]
        public void BadInputIsRejectedAtBinding(string arguments)
        {
            var run = _session.Run("Write-DuriHeartbeat -Directory $dir " + arguments, Vars());
            Assert.Empty(run.Output);
            Assert.Equal("ParameterArgumentValidationError", Id(run.Terminating!));
            Assert.Empty(Directory.GetFileSystemEntries(_directory));
        }

        [Fact]
        public void ASecondWriterGetsHeartbeatFileLockedAndLeavesTheFileAlone()
        {
            using (var first = new HeartbeatWriter(_directory))
            {
                first.Beat();
                var before = File.ReadAllText(Target);
                var run = _session.Run("Write-DuriHeartbeat -Directory $dir", Vars());
                Assert.Empty(run.Output);
                Assert.Equal("HeartbeatFileLocked", Id(run.Terminating!));
                Assert.Equal(ErrorCategory.ResourceBusy, run.Terminating!.CategoryInfo.Category);
                Assert.Equal(before, File.ReadAllText(Target));
            }
            Assert.Equal(2, _session.Run("Write-DuriHeartbeat -Directory $dir", Vars()).Single<HeartbeatRecord>().Sequence);
        }

        [Fact]
        public void OtherPromFilesWithTheHeartbeatNamesAreWarnedAbout()
        {
            File.WriteAllText(Path.Combine(_directory, "legacy_heartbeat.prom"), "duri_heartbeat_timestamp_seconds 1700000000\n");
            File.WriteAllText(Path.Combine(_directory, "unrelated.prom"), "node_thing 1\n");
            var run = _session.Run("Write-DuriHeartbeat -Directory $dir", Vars());
            Assert.Empty(run.AllErrors);
            var warning = Assert.Single(run.Warnings);
            Assert.Contains("legacy_heartbeat.prom", warning, StringComparison.Ordinal);
            Assert.Contains(HeartbeatWriter.TimestampMetric, warning, StringComparison.Ordinal);
            Assert.Single(run.Output);
        }

        [Fact]
        public void StoppingAContinuousWriterLeavesACompleteFileAndReleasesTheLock()
        {
            using var ps = _session.CreatePipeline($"Write-DuriHeartbeat -Directory '{_directory}' -Continuous -Interval 0.02");
            var output = new PSDataCollection<PSObject>();
            var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (output.Count < 5 && DateTime.UtcNow < deadline) Thread.Sleep(10);
            ps.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));

            var written = output.Select(o => (HeartbeatRecord)o.BaseObject).ToList();
            Assert.True(written.Count >= 5, $"Only {written.Count} beats before the deadline.");
            Assert.Equal(Enumerable.Range(1, written.Count).Select(i => (long)i), written.Select(r => r.Sequence));
            // A beat that finished while the pipeline was stopping is in the file, but can no longer be output.
            Assert.InRange(SequenceInFile(), written.Count, written.Count + 1);
            Assert.False(File.Exists(Path.Combine(_directory, ".duri_heartbeat.prom.lock")));
            Assert.Equal(new[] { "duri_heartbeat.prom" }, Directory.GetFiles(_directory).Select(Path.GetFileName));
        }
    }
}
