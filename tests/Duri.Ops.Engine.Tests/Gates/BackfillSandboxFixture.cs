using System;
using System.IO;
using System.Threading.Tasks;
using Duri.Ops.Engine.Prometheus;
using Duri.Ops.Engine.Sandbox;
using Duri.Ops.Tests.Support;
using Xunit;

namespace Duri.Ops.Engine.Tests.Gates
{
    /// <summary>
    /// A sandbox that starts on backfilled history (promtool tsdb create-blocks-from openmetrics): per gate, a realm in
    /// which that gate's series stopped two minutes ago while the others are written fresh through the textfile collector;
    /// and 24 hours of the four gates at 15 s in the realm "rehearsal", with known episodes (see <see cref="Rehearsal"/>).
    /// </summary>
    public sealed class BackfillSandboxFixture : IAsyncLifetime
    {
        public const string StaleFile = "gate-stale.prom";

        /// <summary>The backfill's "now", whole minutes; the history is laid out relative to it.</summary>
        public DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);

        public DuriSandbox Sandbox { get; private set; } = null!;

        public static string StaleRealm(string gate) => "gstale-" + gate;

        public static readonly TimeSpan StaleFor = TimeSpan.FromMinutes(2);

        public const string RehearsalRealm = "rehearsal";

        /// <summary>Where the rehearsal's 24 hours begin; its episodes are at fixed offsets from here.</summary>
        public DateTimeOffset RehearsalStart => Now - TimeSpan.FromHours(24);

        /// <summary>
        /// The rehearsal's gate values at an offset from its start (null: no sample). By default the canary is below its
        /// 0.92 (one gate violated: Hold) and the other gates pass. Episodes: 02:00-02:20 the canary passes (a 20-minute
        /// all-pass streak); 05:00-07:00 the canary passes and 06:00-06:03 the heartbeat and the green uptime fail
        /// (a 3-minute double violation); 11:00-14:00 the canary passes and 12:00-13:00 lyapunov rises from 0.01 to 0.095
        /// (a rising hour, below its threshold); 17:00-20:00 the canary passes and 18:00-18:10 nothing reports (a gap).
        /// The history ends at 23:00.
        /// </summary>
        public static double? Rehearsal(string gate, TimeSpan at)
        {
            bool Between(double fromHours, double toHours) => at >= TimeSpan.FromHours(fromHours) && at < TimeSpan.FromHours(toHours);
            if (Between(18, 18 + 10 / 60.0)) return null;
            switch (gate)
            {
                case GateTextfile.Canary:
                    return Between(2, 2 + 20 / 60.0) || Between(5, 7) || Between(11, 14) || Between(17, 20) ? 0.95 : 0.90;
                case GateTextfile.Heartbeat:
                    return at >= TimeSpan.FromHours(6) && at <= TimeSpan.FromHours(6).Add(TimeSpan.FromMinutes(3)) ? 0 : 1;
                case GateTextfile.GreenUptime:
                    return at >= TimeSpan.FromHours(6) && at <= TimeSpan.FromHours(6).Add(TimeSpan.FromMinutes(3)) ? 0.99 : 1;
                default:
                    return Between(12, 13) ? 0.01 + 0.085 * (at - TimeSpan.FromHours(12)).TotalHours : 0.05;
            }
        }

        public async Task InitializeAsync()
        {
            var history = new Backfill();
            foreach (var (gate, metric, healthy) in GateTextfile.Gates)
            {
                var labels = LabelSet.Create(new[]
                {
                    new System.Collections.Generic.KeyValuePair<string, string>("instance", "backfill"),
                    new System.Collections.Generic.KeyValuePair<string, string>("job", "node"),
                    new System.Collections.Generic.KeyValuePair<string, string>("metric_realm", StaleRealm(gate)),
                });
                history.Add(metric, labels, Backfill.Every(TimeSpan.FromSeconds(15), Now - TimeSpan.FromMinutes(30), Now - StaleFor, _ => healthy));
            }
            var rehearsalLabels = LabelSet.Create(new[]
            {
                new System.Collections.Generic.KeyValuePair<string, string>("instance", "backfill"),
                new System.Collections.Generic.KeyValuePair<string, string>("job", "node"),
                new System.Collections.Generic.KeyValuePair<string, string>("metric_realm", RehearsalRealm),
            });
            foreach (var (gate, metric, _) in GateTextfile.Gates)
            {
                history.Add(metric, rehearsalLabels, Backfill.Every(TimeSpan.FromSeconds(15), RehearsalStart, RehearsalStart + TimeSpan.FromHours(23), t => Rehearsal(gate, t - RehearsalStart)));
            }
            var blocks = history.CreateBlocks();
            try
            {
                Sandbox = await DuriSandbox.StartAsync(new SandboxOptions { ScrapeInterval = TimeSpan.FromSeconds(1), OwnerTag = "xunit-backfill", BlocksDirectory = blocks });
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(blocks)!, recursive: true);
            }
        }

        public Task DisposeAsync()
        {
            Sandbox?.Stop();
            return Task.CompletedTask;
        }
    }

    [CollectionDefinition(Name)]
    public sealed class BackfillCollection : ICollectionFixture<BackfillSandboxFixture>
    {
        public const string Name = "backfill";
    }
}
