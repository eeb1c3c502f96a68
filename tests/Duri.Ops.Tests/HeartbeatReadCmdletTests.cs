using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Duri.Ops.Engine.Heartbeat;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;
using static Duri.Ops.Tests.ErrorIds;

namespace Duri.Ops.Tests
{
    [Collection(SandboxCollection.Name)]
    [Trait("Category", "Integration")]
    public sealed class HeartbeatReadCmdletTests : SandboxSessionTest
    {

        public HeartbeatReadCmdletTests(SandboxFixture fixture)
            : base(fixture)
        {
        }

        private Hashtable Vars() => new Hashtable { ["sandbox"] = Sandbox };

        private void Write(string file, string realm, string extraLabels = "")
        {
            var now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("R", CultureInfo.InvariantCulture);
            File.WriteAllText(Path.Combine(Sandbox.TextfileDirectory, file), $"duri_heartbeat_timestamp_seconds{{metric_realm=\"{realm}\"{extraLabels}}} {now}\n");
        }

        [Fact]
        public void NoSeriesIsHeartbeatNotFound()
        {
            var run = Session.Run("$sandbox | Get-DuriHeartbeat -Realm nowhere", Vars());
            Assert.Empty(run.Output);
            var error = Assert.Single(run.Errors);
            Assert.Equal("HeartbeatNotFound", Id(error));
            Assert.Contains("Write-DuriHeartbeat", error.Exception.Message);
        }

        [Fact]
        public void WaitingForAHeartbeatThatNeverChangesEndsInHeartbeatNotOkWithProgress()
        {
            try
            {
                Write("hb-frozen.prom", "frozen");
                var run = Session.Run("$sandbox | Get-DuriHeartbeat -Realm frozen -Window 3s -Wait 4s", Vars());
                var status = run.Single<HeartbeatStatus>();
                Assert.False(status.Ok);
                Assert.Equal("HeartbeatNotOk", Id(Assert.Single(run.Errors)));
                Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Completed);
                Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Processing);
            }
            finally
            {
                File.Delete(Path.Combine(Sandbox.TextfileDirectory, "hb-frozen.prom"));
            }
        }

        [Fact]
        public void StraySeriesAreFlaggedAndNamedInAWarning()
        {
            try
            {
                Write("hb-two-a.prom", "two");
                Write("hb-two-b.prom", "two", ", path=\"/var/lib/old\"");
                var run = Session.Run("$deadline = (Get-Date).AddSeconds(15); do { $r = @($sandbox | Get-DuriHeartbeat -Realm two -WarningVariable w -WarningAction SilentlyContinue) } while ($r.Count -lt 2 -and (Get-Date) -lt $deadline); $r; $w", Vars());
                var statuses = run.Output.Where(o => o.BaseObject is HeartbeatStatus).Select(o => (HeartbeatStatus)o.BaseObject).ToList();
                Assert.Equal(2, statuses.Count);
                Assert.All(statuses, s => Assert.True(s.Ambiguous));
                var warning = run.Output.Select(o => o.BaseObject).OfType<WarningRecord>().Single().Message;
                Assert.Contains("path=\"/var/lib/old\"", warning);
                Assert.Contains("exactly one", warning);
            }
            finally
            {
                File.Delete(Path.Combine(Sandbox.TextfileDirectory, "hb-two-a.prom"));
                File.Delete(Path.Combine(Sandbox.TextfileDirectory, "hb-two-b.prom"));
            }
        }
    }
}
